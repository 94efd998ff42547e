"""serve/watch: a saved change reaches output/ and the browser, a broken save keeps the watcher alive, the
live-reload script exists only in served responses, Ctrl-C stops cleanly."""
from __future__ import annotations

import json
import os
import shutil
import socket
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT, WIRE
from digest.serve import ignored, inject, watch_and_serve


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait(predicate, timeout: float = 8.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def served(tmp_path, make_config):
    content = tmp_path / "content"
    content.mkdir()
    for path in sorted(WIRE.glob("*.txt"))[:6]:
        shutil.copy(path, content / path.name)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    config = replace(make_config(content), templates_dir=templates)
    stop = threading.Event()
    ready: list[str] = []
    logs: list[str] = []
    thread = threading.Thread(target=watch_and_serve, args=(lambda: config,),
                              kwargs=dict(port=0, quiet=True, log=logs.append, ready=ready.append, stop=stop),
                              daemon=True)
    thread.start()
    assert _wait(lambda: bool(ready))
    time.sleep(0.3)  # the observer is scheduled just before `ready`
    yield config, ready[0], logs
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_saved_edit_appears_in_output_and_browser_is_told(served):
    config, url, logs = served
    status, page = _get(url)
    assert status == 200 and b'<script src="/__livereload.js">' in page
    assert b"__livereload" not in (config.output_dir / "index.html").read_bytes()  # never in the built files
    generation = json.loads(_get(url + "__livereload")[1])["generation"]
    victim = sorted(config.content_dir.glob("*.txt"))[0]
    lines = victim.read_text(encoding="utf-8").split("\n")
    lines[0] += " عاجل"
    started = time.monotonic()
    victim.write_text("\n".join(lines), encoding="utf-8")
    page = config.output_dir / "ar" / victim.stem / "index.html"
    assert _wait(lambda: "عاجل" in page.read_text(encoding="utf-8"))
    assert time.monotonic() - started < 3
    # An incremental build replaces its files one by one: the home page and feed may land a moment later.
    assert _wait(lambda: "عاجل" in (config.output_dir / "ar" / "index.html").read_text(encoding="utf-8"))
    assert _wait(lambda: "عاجل" in (config.output_dir / "ar" / "feed.xml").read_text(encoding="utf-8"))
    assert _wait(lambda: json.loads(_get(url + "__livereload")[1])["generation"] > generation)
    # Editor temp and swap files do not trigger builds.
    now = json.loads(_get(url + "__livereload")[1])["generation"]
    (config.content_dir / ".x.txt.swp").write_text("junk")
    (config.content_dir / "x.txt~").write_text("junk")
    time.sleep(0.6)
    assert json.loads(_get(url + "__livereload")[1])["generation"] == now


def test_broken_save_is_reported_and_next_good_save_recovers(served):
    config, url, logs = served
    template = config.templates_dir / "article.html"
    good = template.read_text(encoding="utf-8")
    before = (config.output_dir / "index.html").read_bytes()
    template.write_text(good + "{% if %}", encoding="utf-8")
    assert _wait(lambda: json.loads(_get(url + "__livereload")[1])["error"])
    assert any("build failed" in line for line in logs)
    assert (config.output_dir / "index.html").read_bytes() == before  # previous site intact
    assert _get(url)[0] == 200  # still serving
    template.write_text(good.replace("</article>", "</article><!-- fixed -->"), encoding="utf-8")
    assert _wait(lambda: json.loads(_get(url + "__livereload")[1])["error"] is None)
    victim = sorted(config.content_dir.glob("*.txt"))[0]
    assert "<!-- fixed -->" in (config.output_dir / "ar" / victim.stem / "index.html").read_text(encoding="utf-8")


def test_ignored_names_and_injection():
    for name in ("a.txt.swp", ".a.txt.swx", "a.txt~", "#a.txt#", ".#a.txt", "4913", "a.tmp"):
        assert ignored(f"/x/{name}"), name
    assert not ignored("/x/001_abc.txt") and not ignored("/x/a.en.md")
    assert inject(b"<html><body>x</body></html>") == b'<html><body>x<script src="/__livereload.js"></script></body></html>'


def test_ctrl_c_stops_serve_cleanly(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(sorted(WIRE.glob("*.txt"))[0], content)
    process = subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "serve", "--port", "0", "-q",
                                "--translator", "none", "--content", str(content), "--output",
                                str(tmp_path / "output")], stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    line = ""
    end = time.monotonic() + 20
    while "serving" not in line and time.monotonic() < end:
        line = process.stderr.readline()
    assert "127.0.0.1" in line
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert (tmp_path / "output" / "index.html").exists()


def test_a_port_in_use_is_a_clear_error_before_any_build(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(sorted(WIRE.glob("*.txt"))[0], content)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, str(ROOT / "generate.py"), "serve", "--port", str(port), "-q",
                              "--translator", "none", "--content", str(content), "--output", str(tmp_path / "output")],
                             capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert f"cannot serve on 127.0.0.1:{port}" in run.stderr and "--port" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "output").exists()  # nothing was built or made
