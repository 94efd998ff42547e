"""Output safety: paths never leave output/, one build at a time (lock), interrupted builds leave the old site."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, WIRE, wire_copies
from digest.build.output import (OutputBusy, OutputError, OutputLock, StagedOutput, check_output_dir, recover,
                           safe_join)


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../x", "", ".", "a//b", "a\\..\\b", "a/\x00"])
def test_safe_join_refuses_paths_leaving_the_root(tmp_path, bad):
    with pytest.raises(OutputError):
        safe_join(tmp_path, bad)


def test_dangerous_output_folders_are_refused(tmp_path):
    content = tmp_path / "project" / "content"
    content.mkdir(parents=True)
    for folder in (Path("/"), Path.home(), tmp_path / "project", content):
        with pytest.raises(OutputError):
            check_output_dir(folder, protected=[content, tmp_path / "project"])
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(OutputError, match="not made by this generator"):
        StagedOutput(foreign)
    assert (foreign / "holiday.jpg").read_bytes() == b"x"
    check_output_dir(tmp_path / "new-output")  # a new folder is fine


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_commit_swaps_and_recover_restores_an_interrupted_fallback_swap(tmp_path):
    out = tmp_path / "output"
    stage = StagedOutput(out)
    stage.write("a.txt", b"first")
    stage.commit()
    stage = StagedOutput(out)
    stage.write("b.txt", b"second")
    stage.commit()
    assert sorted(p.name for p in out.iterdir()) == [".digest-output", "b.txt"]
    assert [p.name for p in tmp_path.iterdir() if ".building-" in p.name or ".old-" in p.name] == []
    # A build killed between the two renames of the non-Linux swap: output/ missing, the old site renamed away.
    os.rename(out, tmp_path / ".output.old-999")
    (tmp_path / ".output.building-zzz").mkdir()
    done = recover(out)
    assert (out / "b.txt").read_bytes() == b"second" and len(done) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".output.lock") == ["output"]


HOLD_LOCK = """
import sys, time
sys.path.insert(0, {root!r})
from digest.build.output import OutputLock
lock = OutputLock(__import__("pathlib").Path({out!r})).acquire()
print("locked", flush=True)
time.sleep(30)
"""


def _cli(content: Path, out: Path, *extra: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "build", "--content", str(content),
                             "--output", str(out), "--translator", "none", "-q", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _small_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for src in sorted(WIRE.glob("*.txt"))[:3]:
        shutil.copy(src, content / src.name)
    return content


def test_second_build_on_the_same_output_is_refused_clearly(tmp_path):
    content, out = _small_content(tmp_path), tmp_path / "output"
    first = _cli(content, out)
    assert first.wait(60) == 0
    before = _digest(out)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK.format(root=str(ROOT), out=str(out))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        second = _cli(content, out)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 5, err
        assert "another build is writing" in err and f"pid {holder.pid}" in err and "Traceback" not in err
        assert _digest(out) == before
        with pytest.raises(OutputBusy):  # in-process too
            StagedOutput(out)
    finally:
        holder.kill()
        holder.wait()
    assert _cli(content, out).wait(60) == 0  # the kernel dropped the dead holder's lock


def test_lock_is_reentrant_within_one_process(tmp_path):
    with OutputLock(tmp_path / "output"):
        stage = StagedOutput(tmp_path / "output")  # the build's own nested use
        stage.write("x.txt", b"x")
        stage.commit()
    assert (tmp_path / "output" / "x.txt").is_file()


def _big_content(tmp_path: Path) -> Path:
    """Enough articles that the write phase lasts long enough to be interrupted in the middle."""
    content = tmp_path / "big"
    content.mkdir()
    wire_copies(content, 600)
    return content


def _interrupt_mid_write(proc: subprocess.Popen, parent: Path, sig: int) -> bool:
    """Send `sig` once the staging folder has some pages in it; False if the build finished first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        stages = list(parent.glob(".output.building-*"))
        if stages and (stages[0] / "ar").is_dir() and len(list((stages[0] / "ar").iterdir())) > 20:
            proc.send_signal(sig)
            return True
        time.sleep(0.002)
    return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_build_leaves_the_previous_site_intact(tmp_path, sig):
    small, out = _small_content(tmp_path), tmp_path / "output"
    assert _cli(small, out).wait(60) == 0
    before = _digest(out)
    memory = tmp_path / "memory" / "google" / "ar-en"
    memory.mkdir(parents=True)
    (memory / "a.jsonl").write_text('{"key": "k", "source": "s", "translation": "t"}\n', encoding="utf-8")
    proc = _cli(_big_content(tmp_path), out)
    interrupted = _interrupt_mid_write(proc, tmp_path, sig)
    _, err = proc.communicate(timeout=60)
    # A test that cannot interrupt tests nothing: fail (give _big_content more articles) rather than skip.
    assert interrupted, "the build finished before it could be interrupted"
    assert _digest(out) == before, err  # not one file of the previous site changed
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "Traceback" not in err, err
        assert not list(tmp_path.glob(".output.building-*"))  # cleaned up on the way out
    else:
        assert proc.returncode == -signal.SIGKILL
    for shard in memory.glob("*.jsonl"):  # the translation memory is still readable
        for line in shard.read_text(encoding="utf-8").splitlines():
            assert line.startswith("{") and line.endswith("}")
    again = _cli(small, out)
    _, again_err = again.communicate(timeout=60)
    assert again.returncode == 0, again_err  # the next build cleans up and succeeds
    leftovers = [p.name for p in tmp_path.iterdir() if ".building-" in p.name or ".old-" in p.name]
    assert leftovers == [], (leftovers, again_err)
    assert _digest(out) == before, again_err


def test_build_says_what_it_repaired_after_an_interrupted_swap(tmp_path):
    small, out = _small_content(tmp_path), tmp_path / "output"
    assert _cli(small, out).wait(60) == 0
    before = _digest(out)
    os.rename(out, tmp_path / ".output.old-999")  # killed between the two renames of the fallback swap
    proc = subprocess.run([sys.executable, str(ROOT / "generate.py"), "build", "--content", str(small),
                           "--output", str(out), "--translator", "none"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "restored the previous output/ after an interrupted build" in proc.stdout + proc.stderr
    assert _digest(out) == before
