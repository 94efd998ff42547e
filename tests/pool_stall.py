"""Runs generate.py (arguments as for it) with every worker of the build's pools stalled right after its set-up:
each writes its pid into the folder $POOL_STALL_DIR and then waits for a signal, so a test that sees a pid there
knows the build is in a pooled phase and interrupts it there, at no guessed moment. Used by test_interrupts.py."""
import os
import runpy
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.build import renderpool  # noqa: E402

_set_up = renderpool._worker_signals


def _stalled_worker() -> None:
    _set_up()
    (Path(os.environ["POOL_STALL_DIR"]) / str(os.getpid())).touch()
    while True:
        signal.pause()  # SIGINT is ignored; the pool's SIGTERM ends the worker


renderpool._worker_signals = _stalled_worker
sys.argv = [str(ROOT / "generate.py"), *sys.argv[1:]]
runpy.run_path(str(ROOT / "generate.py"), run_name="__main__")
