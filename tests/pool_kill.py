"""Runs generate.py (arguments as for it) with one worker of the build's pools killed by SIGKILL, as the kernel's
out-of-memory killer would: the first task a worker takes in the render pool ($POOL_KILL_STAGE=render: page
rendering) or in the per-article pool (read: parsing) makes that worker kill itself, once per run (the file
$POOL_KILL_DIR/killed says it happened). Used by test_interrupts.py."""
import os
import runpy
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.build import renderpool  # noqa: E402


def _kill_once() -> None:
    try:
        fd = os.open(Path(os.environ["POOL_KILL_DIR"]) / "killed", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


def _killing(original):
    def wrapper(*args):
        _kill_once()
        return original(*args)
    return wrapper


_set_up = renderpool._worker_setup


def _worker_setup(*args) -> None:
    """In each worker (a task names its function by module and name: the parent pickles the original one, the
    worker finds this one)."""
    _set_up(*args)
    if os.environ["POOL_KILL_STAGE"] == "render":
        renderpool._render_jobs = _killing(renderpool._render_jobs)
    else:
        renderpool._unless_stopped = _killing(renderpool._unless_stopped)


renderpool._worker_setup = _worker_setup
sys.argv = [str(ROOT / "generate.py"), *sys.argv[1:]]
runpy.run_path(str(ROOT / "generate.py"), run_name="__main__")
