"""The command line: wrong values stop with exit 2 and one line naming the value and what is accepted, before any
work (nothing is written anywhere); --version; the feeds name the version."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from digest import PROJECT_URL, __version__

ARTICLE = ROOT / "content" / "000_0b3d9faf541c66ac.txt"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DIGEST_CACHE_DIR", "DEEPL_API_KEY")}
    return subprocess.run([sys.executable, str(ROOT / "generate.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def listing(*folders: Path) -> list[str]:
    """Every path under the folders (the project's venv and bytecode caches aside)."""
    skip = {".venv", "__pycache__", ".pytest_cache", ".git", ".hypothesis"}
    return sorted(str(p) for folder in folders for p in folder.rglob("*") if not skip & set(p.parts))


@pytest.fixture
def project(tmp_path):
    """A content folder with one article, a config that keeps everything inside tmp_path, a foreign folder."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(ARTICLE, content)
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.jpg").write_bytes(b"jpeg")
    (tmp_path / "site.toml").write_text(
        f'[site]\noutput_dir = "{tmp_path / "output"}"\ncontent_dir = "{content}"\n'
        f'[translator]\nbackend = "none"\nmemory_dir = "{tmp_path / "memory"}"\n', encoding="utf-8")
    return tmp_path


BACKENDS = "google, libre, mymemory, deepl, microsoft, none"


@pytest.mark.parametrize("args, words", [
    (["build", "--translator", "gogle"], ["--translator", "'gogle'", BACKENDS]),
    (["translate", "--translator", "gogle", "--dry-run"], ["'gogle'", BACKENDS]),
    (["serve", "--translator", "gogle", "--port", "0"], ["'gogle'", BACKENDS]),
    (["build", "--base-url", "example.com/digest"], ["--base-url", "'example.com/digest'", "absolute http(s)"]),
    (["build", "--base-url", "ftp://example.com/"], ["'ftp://example.com/'", "https://"]),
    (["build", "--base-url", "https:///digest/"], ["'https:///digest/'", "absolute http(s)"]),
    (["build", "--content", "content/000_0b3d9faf541c66ac.txt"], ["000_0b3d9faf541c66ac.txt", "is a file",
                                                                  "folder"]),
    (["translate", "--content", "content/000_0b3d9faf541c66ac.txt"], ["is a file"]),
    (["summarize", "content"], ["content is a folder", "one article file"]),
    (["build", "--output", "photos"], ["photos", "not made by this generator", "--output"]),
    (["build", "--output", "content"], ["content", "choose an empty or new folder"]),
    (["watch", "--output", "photos"], ["photos", "not made by this generator"]),
    (["build", "--translator", "libre"], ["'libre'", "--translator-url"]),
    (["translate", "--translator", "libre", "--translator-url", "127.0.0.1:5000"], ["'127.0.0.1:5000'", "http"]),
    (["build", "--translator", "deepl"], ["'deepl'", "DEEPL_API_KEY", "--translator none"]),
])
def test_wrong_values_exit_2_with_one_line_and_write_nothing(project, args, words):
    before = listing(project, ROOT)
    result = run("--config", str(project / "site.toml"), *args, cwd=project)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert result.stdout == ""
    assert listing(project, ROOT) == before  # no lock, no .cache, no output: nothing anywhere


@pytest.mark.parametrize("toml, words", [
    ('[translator]\nbackend = "gogle"\n', ["[translator] backend", "'gogle'", BACKENDS]),
    ('[site]\nbase_url = "example.com/digest"\n', ["[site] base_url", "'example.com/digest'"]),
])
def test_wrong_values_in_site_toml_exit_2(project, toml, words):
    config = project / "bad.toml"
    config.write_text(toml, encoding="utf-8")
    before = listing(project, ROOT)
    for command in (["build", "--output", str(project / "out")], ["translate", "--dry-run"]):
        result = run("--config", str(config), *command, "--content", str(project / "content"), cwd=project)
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith(f"error: {config}: ")
        for word in words:
            assert word in result.stderr, result.stderr
        assert listing(project, ROOT) == before


def test_a_good_command_still_builds_and_the_refused_one_did_not_touch_the_foreign_folder(project):
    assert run("--config", str(project / "site.toml"), "build", "--output", "photos", cwd=project).returncode == 2
    result = run("--config", str(project / "site.toml"), "build", "-q", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "output" / "index.html").is_file()
    assert listing(project / "photos") == [str(project / "photos" / "holiday.jpg")]


def test_version_and_the_feeds_generator(project):
    result = run("--version", cwd=project)
    assert result.returncode == 0 and __version__ in result.stdout and PROJECT_URL in result.stdout
    assert run("--config", str(project / "site.toml"), "build", "-q", cwd=project).returncode == 0
    feeds = [(project / "output" / lang / "feed.xml").read_bytes() for lang in ("ar", "en")]
    for feed in feeds:
        assert f"<generator>Arabic News Digest {__version__} ({PROJECT_URL})</generator>".encode() in feed
    shutil.rmtree(project / "output")
    assert run("--config", str(project / "site.toml"), "build", "-q", "--full", cwd=project).returncode == 0
    assert [(project / "output" / lang / "feed.xml").read_bytes() for lang in ("ar", "en")] == feeds


def test_an_offline_build_of_many_articles_prints_a_few_lines(tmp_path):
    """Untranslated articles are counted, the first few named and all listed in a file: the number of lines does
    not grow with the site (checked at 60 articles: 3,000 print the same lines, see README)."""
    content = tmp_path / "content"
    content.mkdir()
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    for i in range(60):
        (content / f"n{i:03d}.txt").write_text("\n".join([f"{lines[0]} ({i})", f"التقرير {i}. " + lines[1],
                                                          *lines[2:]]) + "\n", encoding="utf-8")
    config = tmp_path / "site.toml"
    config.write_text(f'[translator]\nbackend = "libre"\nurl = "http://127.0.0.1:9/"\n'  # nothing listens there
                      f'memory_dir = "{tmp_path / "memory"}"\n', encoding="utf-8")
    args = ["--config", str(config), "build", "--content", str(content), "--output", str(tmp_path / "out")]
    loud = run(*args, cwd=tmp_path)
    assert loud.returncode == 0, loud.stderr
    said = (loud.stdout + loud.stderr).splitlines()
    listed = tmp_path / ".cache" / "digest" / "untranslated.txt"
    assert sorted(listed.read_text(encoding="utf-8").splitlines()) == sorted(p.name for p in content.iterdir())
    assert len(said) <= 20, said
    assert sum(line.startswith("  untranslated: ") for line in said) == 5 and "  … and 55 more" in said
    assert any(f"60 article(s) have no English translation yet" in line and str(listed) in line for line in said)
    assert said[-1].startswith("published 60 articles (0 in English, 60 untranslated)")
    shutil.rmtree(tmp_path / "out")
    quiet = run(*args, "-q", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert quiet.stderr.splitlines() == [quiet.stderr.strip()]  # one line: the summary
    assert "60 untranslated, translator 'libre' unreachable: see " + str(listed) in quiet.stderr
    strict = run(*args, "-q", "--strict", cwd=tmp_path)
    assert strict.returncode == 4 and len(strict.stderr.splitlines()) == 1
    # Once every article has its English the list file goes, so it never names articles that are fine.
    (tmp_path / "config-none.toml").write_text(f'[translator]\nbackend = "none"\nmemory_dir = "{tmp_path}"\n',
                                               encoding="utf-8")
    for path in content.iterdir():
        path.with_suffix(".en.md").write_text("---\ntitle: Report\nsummary: A report.\n---\nThe English text.\n",
                                              encoding="utf-8")
    done = run("--config", str(tmp_path / "config-none.toml"), *args[2:], "-q", cwd=tmp_path)
    assert done.returncode == 0 and "untranslated" not in done.stderr and not listed.exists()
