"""watch/serve stop cleanly on Ctrl-C and SIGTERM at any moment: the build state of the last committed build is
never lost (the next build is incremental, not a full re-render), nothing temporary is left, and the site stays
byte-identical to a clean build. Also the build state's commit rules (digest/build/state.py, journal.py, incremental.py) at each step where a
build can die. The articles are written here (synthetic Arabic text, no licence needed)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT
from searchview import site_tree
from digest.build.pipeline import build

_WORDS = ("الحكومة", "أعلنت", "اليوم", "عن", "خطة", "جديدة", "لدعم", "الاقتصاد", "في", "المنطقة", "وقال", "الوزير",
          "إن", "المشروع", "سيبدأ", "خلال", "الأشهر", "المقبلة", "بتكلفة", "كبيرة", "وأضاف", "أن", "العمل", "يشمل",
          "المدارس", "والطرق", "والمستشفيات", "مع", "مشاركة", "الشركات", "المحلية", "والدولية")


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 14))) + "."


def _article(i: int, rng: random.Random) -> str:
    paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(3, 6))]
    day = 1 + i % 28
    return "\n".join([f"عام / خبر رقم {i} عن {rng.choice(_WORDS)}", f"الرياض {day} مارس 2015 م واس", *paragraphs,
                      "// انتهى //", f"{8 + i % 12:02d}:{i % 60:02d} ت م", ""])


def _edit_some(content: Path, rng: random.Random, share: float) -> None:
    files = sorted(content.glob("*.txt"))
    for path in rng.sample(files, int(len(files) * share)):
        lines = path.read_text(encoding="utf-8").split("\n")
        lines.insert(3, _sentence(rng))
        path.write_text("\n".join(lines), encoding="utf-8")


def _leftovers(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        name = path.name
        if (name.endswith(".tmp") or name.endswith(".next") or name.endswith(".journal")
                or any(part in name for part in (".changes-", ".building-", ".old-", ".search-", ".base-"))):
            found.append(str(path.relative_to(root)))
    return found


def _tree(root: Path) -> dict[str, str]:
    return site_tree(root)


@pytest.fixture
def big_site(tmp_path):
    rng = random.Random(17)
    content = tmp_path / "content"
    content.mkdir()
    for i in range(200):
        (content / f"{i:04d}.txt").write_text(_article(i, rng), encoding="utf-8")
    config = tmp_path / "site.toml"
    config.write_text(f'[site]\nbase_url = "https://example.org/digest/"\n[translator]\nbackend = "none"\n'
                      f'memory_dir = "{tmp_path / "memory"}"\n', encoding="utf-8")
    command = [sys.executable, str(ROOT / "generate.py"), "--config", str(config)]
    paths = ["--content", str(content), "--output", str(tmp_path / "output")]
    return tmp_path, command, paths, rng


def _build(command: list[str], paths: list[str], *extra: str, env: dict | None = None) -> str:
    done = subprocess.run(command + ["build", *extra, *paths], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_ten_interrupts_of_watch_never_lose_the_build_state_nor_leave_temporary_files(big_site):
    tmp_path, command, paths, rng = big_site
    _build(command, paths)
    signals = [signal.SIGINT] * 8 + [signal.SIGTERM] * 2
    for round_number, signum in enumerate(signals):
        _edit_some(tmp_path / "content", rng, 0.3)  # the watch's first build has work to do
        process = subprocess.Popen(command + ["watch", *paths], stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONFAULTHANDLER": "1"})  # SIGABRT dumps every thread
        lines: list[str] = []
        started = threading.Event()

        def read(process=process, lines=lines, started=started) -> None:
            for line in process.stderr:
                lines.append(line)
                started.set()  # the first line comes from the first build: the handlers are in place
                if "watching" in line:
                    _edit_some(tmp_path / "content", rng, 0.3)  # and a rebuild while watching
            started.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert started.wait(60)
        time.sleep(rng.uniform(0, 1.5))  # in the first build, idle, or the rebuild
        process.send_signal(signum)
        try:
            code = process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            process.wait(timeout=30)
            reader.join(timeout=10)
            raise AssertionError(f"watch did not stop after {signum!r}:\n" + "".join(lines)) from None
        assert code == 0, "".join(lines)
        reader.join(timeout=10)
        assert not _leftovers(tmp_path), (round_number, _leftovers(tmp_path), "".join(lines))
        report = _build(command, paths)
        assert "full build" not in report, (round_number, "".join(lines), report)
        assert "incremental" in report or "nothing to do" in report, report
        assert not _leftovers(tmp_path)
    # And what they left is the site a clean build makes.
    env = {**os.environ, "DIGEST_CACHE_DIR": str(tmp_path / "clean-cache")}
    clean = ["--content", str(tmp_path / "content"), "--output", str(tmp_path / "clean" / "output")]
    _build(command, clean, "--full", "-q", env=env)
    assert _tree(tmp_path / "output") == _tree(tmp_path / "clean" / "output")


# --- the build's worker pools, stopped early ---------------------------------------------------------------------
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_build_interrupted_in_its_worker_pool_exits_ends_its_workers_and_leaves_the_site(big_site, signum):
    """The signal goes to the whole process group, workers included, as Ctrl-C in a terminal, `timeout` or a
    service stop send it; the pool's workers are held (tests/pool_stall.py), so it lands in the pooled phase
    (--full writes every page through the render pool). The build must end its workers, exit, and leave
    output/ and its state as they were."""
    tmp_path, command, paths, rng = big_site
    _build(command, paths)
    before = _tree(tmp_path / "output")
    stalls = tmp_path / "stalled"
    stalls.mkdir()
    stalled = [sys.executable, str(ROOT / "tests" / "pool_stall.py")] + command[2:]
    process = subprocess.Popen(stalled + ["build", "--full", *paths], stderr=subprocess.PIPE, text=True,
                               start_new_session=True,
                               env={**os.environ, "PYTHONFAULTHANDLER": "1", "POOL_STALL_DIR": str(stalls)})
    while not any(stalls.iterdir()) and process.poll() is None:
        time.sleep(0.01)
    assert process.poll() is None, process.stderr.read()
    os.killpg(process.pid, signum)
    try:
        _, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)  # every thread's stack, for the failure message
        _, err = process.communicate(timeout=30)
        raise AssertionError(f"the build did not stop after {signum!r}:\n{err}") from None
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err, err
    workers = [int(path.name) for path in stalls.iterdir()]
    assert workers and not [pid for pid in workers if Path(f"/proc/{pid}").exists()], workers
    assert not _leftovers(tmp_path), _leftovers(tmp_path)
    assert _tree(tmp_path / "output") == before
    assert "nothing to do" in _build(command, paths)  # and the build state was kept


def _held_item(folder: str, number: int) -> int:
    """A pool task that is still running when the pool is stopped: it ends when it sees the stop (bounded)."""
    from digest.build import renderpool

    (Path(folder) / f"started-{number}").touch()
    for _ in range(3000):
        if renderpool._stopped():
            break
        time.sleep(0.01)
    (Path(folder) / f"finished-{number}").touch()
    return number


def test_a_pool_stopped_early_lets_each_worker_finish_its_task_skips_the_rest_and_ends_its_workers(tmp_path):
    """No worker is killed mid-task (a killed worker can hold one of the pool's queue locks for good: the build
    then waited forever): each ends the task it is on, the tasks left are skipped, and the workers exit."""
    import multiprocessing

    from digest.build import renderpool

    tasks = [(_held_item, str(tmp_path), number) for number in range(400)]
    with pytest.raises(RuntimeError, match="stopped early"):
        with renderpool._pool(multiprocessing.get_context("fork")) as (pool, _):
            workers = list(pool._pool)
            pool.starmap_async(renderpool._unless_stopped, tasks, chunksize=1)
            for _ in range(3000):  # until every worker is on a task
                if len(list(tmp_path.glob("started-*"))) >= len(workers):
                    break
                time.sleep(0.01)
            raise RuntimeError("stopped early")  # as a Ctrl-C, a cancel or an error in the build would
    started = sorted(path.name.split("-")[1] for path in tmp_path.glob("started-*"))
    finished = sorted(path.name.split("-")[1] for path in tmp_path.glob("finished-*"))
    assert len(started) == len(workers) and finished == started
    assert [worker.exitcode for worker in workers] == [0] * len(workers)


@pytest.mark.parametrize("stage", ["render", "read"])
def test_a_worker_killed_by_the_system_stops_the_build_with_one_line_not_forever(big_site, stage):
    """The kernel's out-of-memory killer ends a worker with SIGKILL: its task never reports, and the pool waited
    for it forever (at close() too, so not even Ctrl-C ended the build). Here one worker of the render pool (a
    --full build renders every page through it) or of the reading pool (a cold build parses every file through
    it) kills itself (tests/pool_kill.py): the build must stop within seconds with one line, output/ and the
    build state as they were."""
    tmp_path, command, paths, rng = big_site
    _build(command, paths)
    before = _tree(tmp_path / "output")
    env = {**os.environ, "POOL_KILL_DIR": str(tmp_path), "POOL_KILL_STAGE": stage}
    if stage == "read":  # an empty cache: every article is parsed again
        env["DIGEST_CACHE_DIR"] = str(tmp_path / "cold-cache")
    killer = [sys.executable, str(ROOT / "tests" / "pool_kill.py")] + command[2:]
    started = time.monotonic()
    done = subprocess.run(killer + ["build", *(["--full"] if stage == "render" else []), *paths],
                          capture_output=True, text=True, timeout=120, env=env)
    assert (tmp_path / "killed").exists(), done.stderr  # a worker did kill itself
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "ended abruptly" in errors[0] and "Traceback" not in done.stderr, done.stderr
    assert time.monotonic() - started < 60
    assert not _leftovers(tmp_path), _leftovers(tmp_path)
    assert _tree(tmp_path / "output") == before
    _build(command, paths)  # and the next build works


# --- the state's commit rules, at each step where a build can die --------------------------------------------
@pytest.fixture
def small(tmp_path, make_config):
    rng = random.Random(5)
    content = tmp_path / "content"
    content.mkdir()
    for i in range(30):
        (content / f"{i:04d}.txt").write_text(_article(i, rng), encoding="utf-8")
    config = replace(make_config(content), per_page=5)
    build(config, quiet=True)
    return config, rng


def _report_of(config) -> str:
    lines: list[str] = []
    build(config, log=lines.append)
    return "\n".join(lines)


@pytest.mark.parametrize("where", ["before commit", "journal written", "journal half applied"])
def test_an_incremental_build_killed_anywhere_leaves_a_state_that_matches_its_output(small, monkeypatch, where):
    import digest.build.journal as journal

    config, rng = small
    _edit_some(config.content_dir, rng, 0.1)
    boom = KeyboardInterrupt()
    if where == "before commit":
        monkeypatch.setattr(journal.IncrementalOutput, "commit", lambda self, *a, **k: (_ for _ in ()).throw(boom))
    elif where == "journal written":
        monkeypatch.setattr(journal, "apply_journal", lambda final: (_ for _ in ()).throw(boom))
    else:  # the files are in place, the state not yet promoted
        monkeypatch.setattr(journal, "promote_state", lambda path: (_ for _ in ()).throw(boom))
    with pytest.raises(KeyboardInterrupt):
        build(config, quiet=True)
    monkeypatch.undo()
    report = _report_of(config)
    assert "full build" not in report and ("incremental" in report or "nothing to do" in report), report
    assert "nothing to do" in _report_of(config)
    assert not _leftovers(config.output_dir.parent)


@pytest.mark.parametrize("where", ["before the swap", "after the swap"])
def test_a_full_build_killed_anywhere_leaves_a_state_that_matches_its_output(small, monkeypatch, where):
    import digest.build.incremental as incremental
    import digest.build.output as output

    config, rng = small
    (config.content_dir / "0000.txt").unlink()  # a deletion and a --full build: a whole-folder swap
    boom = KeyboardInterrupt()
    if where == "before the swap":
        monkeypatch.setattr(output.StagedOutput, "commit", lambda self: (_ for _ in ()).throw(boom))
    else:
        monkeypatch.setattr(incremental, "promote_state", lambda path: (_ for _ in ()).throw(boom))
    with pytest.raises(KeyboardInterrupt):
        build(config, quiet=True, full=True)
    monkeypatch.undo()
    deleted = config.output_dir / "ar" / "0000" / "index.html"
    assert deleted.exists() == (where == "before the swap")  # the previous site, or the new one
    report = _report_of(config)
    # Swapped in: the state that came with it is found and made current, so nothing is left to do.
    assert ("nothing to do" in report) == (where == "after the swap"), report
    assert "full build" not in report, report
    assert not deleted.exists()
    assert not _leftovers(config.output_dir.parent)
