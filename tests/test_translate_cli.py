"""`generate.py translate` end to end on real wire articles, against a LibreTranslate-compatible server."""
from __future__ import annotations

import shutil
from pathlib import Path

import generate
from fake_libretranslate import FakeLibreTranslate

from conftest import WIRE


def setup(tmp_path: Path) -> tuple[Path, Path]:
    content = tmp_path / "content"
    content.mkdir()
    for path in sorted(WIRE.glob("*.txt"))[:3]:
        shutil.copy(path, content / path.name)
    config = tmp_path / "site.toml"
    config.write_text(f'[translator]\nmemory_dir = "{tmp_path / "memory"}"\ntimeout = 2\n', encoding="utf-8")
    return content, config


def test_translate_subcommand(tmp_path, capsys):
    content, config = setup(tmp_path)
    with FakeLibreTranslate() as server:
        args = ["--config", str(config), "translate", "--content", str(content), "--translator", "libre",
                "--translator-url", server.url]
        assert generate.main(args + ["--dry-run"]) == 0
        dry = capsys.readouterr().out
        assert not server.requests
        would = [line for line in dry.splitlines() if line.startswith("would send (")]
        chars = sum(int(line.split("(")[1].split()[0]) for line in would)
        lines = [line[2:] for line in dry.splitlines() if line.startswith("  ")]
        assert f"would send {len(would)} requests, {chars} characters" in dry and len(lines) > 10
        assert generate.main(args) == 0
        out = capsys.readouterr().out
        assert f"requests made: {len(would)}," in out and f"characters sent: {chars}," in out
        assert sorted(server.lines) == sorted(lines) and len(server.texts) == len(would)  # 4 requests at a time
        assert generate.main(args) == 0
        assert "requests made: 0," in capsys.readouterr().out
    assert list((tmp_path / "memory" / "libre" / "ar-en").glob("*.jsonl"))
    assert not list(Path(generate.ROOT, "translations").rglob("libre/*"))  # the project memory was untouched


def test_translate_subcommand_offline(tmp_path, capsys):
    content, config = setup(tmp_path)
    args = ["--config", str(config), "translate", "--content", str(content), "--translator", "libre",
            "--translator-url", "http://127.0.0.1:9/"]
    assert generate.main(args) == 1
    captured = capsys.readouterr()
    assert "cannot be reached" in captured.err and "pending:" in captured.out
