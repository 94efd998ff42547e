"""What a build process loads. Most builds find no input changed; importing the stages' modules (readers,
summarizer, translation engine, page kinds, templates) was most of such a build's time, so pipeline.stages()
imports them only when there is something to build. A fresh process per build, as on the command line."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, wire_copies

# Modules only a build with something to do needs (each costs milliseconds to import).
STAGE_MODULES = {"digest.site.pages", "digest.site.render", "digest.language.summary", "digest.translate.engine",
                 "digest.read.article", "digest.read.wire", "digest.build.records", "digest.build.renderpool",
                 "jinja2"}

_BUILD = """
import json, sys
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, {root!r})
from digest.config import load_config
from digest.build import build
config = load_config(Path({root!r}) / "site.toml", root=Path({root!r}), content={content!r}, output={output!r},
                     translator={backend!r})
config = replace(config, translator=replace(config.translator, memory_dir={memory!r}, url={url!r}))
report = build(config, quiet=True)
print(json.dumps({{"modules": sorted(sys.modules), "published": report.published}}))
"""


def _build_in_a_fresh_process(tmp_path, backend: str = "none", url: str | None = None) -> dict:
    code = _BUILD.format(root=str(ROOT), content=str(tmp_path / "content"), output=str(tmp_path / "output"),
                         memory=str(tmp_path / "memory"), backend=backend, url=url)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_no_change_build_loads_none_of_the_stages(tmp_path):
    articles = wire_copies(tmp_path / "content", 3)
    first = _build_in_a_fresh_process(tmp_path)
    assert first["published"] == 3
    assert STAGE_MODULES <= set(first["modules"])  # the list names modules a build really uses

    again = _build_in_a_fresh_process(tmp_path)
    assert again["published"] == 3  # the last build's report, replayed
    assert not STAGE_MODULES & set(again["modules"]), STAGE_MODULES & set(again["modules"])

    articles[0].write_text(articles[0].read_text(encoding="utf-8") + "\nفقرة أضيفت إلى الخبر.\n", encoding="utf-8")
    edited = _build_in_a_fresh_process(tmp_path)
    assert {"digest.site.pages", "digest.build.records", "jinja2"} <= set(edited["modules"])


def test_a_no_change_build_with_pending_english_loads_no_request_engine(tmp_path):
    """Articles wait for their English and the translator is unreachable (nothing listens on port 9): a build that
    finds no input changed asks only whether the translator may be asked again, without the request engine."""
    wire_copies(tmp_path / "content", 2)
    unreachable = dict(backend="libre", url="http://127.0.0.1:9/")
    assert _build_in_a_fresh_process(tmp_path, **unreachable)["published"] == 2
    again = _build_in_a_fresh_process(tmp_path, **unreachable)
    engine = {"digest.translate.requestplan", "digest.translate.engine", "digest.translate.protect"}
    assert not engine & set(again["modules"]), engine & set(again["modules"])
