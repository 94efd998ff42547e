"""Runs generate.py (arguments as for it) with every worker of the build's pools held right after its set-up:
each writes its pid into the folder $POOL_STALL_DIR and then waits until the pool is stopped, so a test that sees
a pid there knows the build is in a pooled phase and interrupts it there, at no guessed moment. Used by
test_interrupts.py."""
import os
import runpy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.build import renderpool  # noqa: E402

_set_up = renderpool._worker_setup


def _stalled_worker(*args) -> None:
    _set_up(*args)
    (Path(os.environ["POOL_STALL_DIR"]) / str(os.getpid())).touch()
    for _ in range(12000):  # until the build stops the pool (bounded: never a process left behind for good)
        if renderpool._stopped():
            break
        time.sleep(0.01)


renderpool._worker_setup = _stalled_worker
sys.argv = [str(ROOT / "generate.py"), *sys.argv[1:]]
runpy.run_path(str(ROOT / "generate.py"), run_name="__main__")
