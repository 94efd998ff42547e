"""The input scan every build makes before anything else (Session._scan: the content listing, the stat signatures,
the outside dates, the inputs key), timed in-process: CPU milliseconds per scan, garbage collector off as in a build.

  .venv/bin/python bench/input_scan.py --site DIR [--articles 5000 --pending 10] [--against CHECKOUT] [--rounds 9]

DIR is made and built once if it has no site.toml (bench/buildsites.py: N articles from ../shared's wire text,
with --pending PERCENT of them untranslated and a human <stem>.en.md for the others), then kept for the next runs.
Each round runs one process per code version (this checkout, and CHECKOUT if given: another clone or worktree,
e.g. of main) and one for the floor (listing the content folder and one os.stat per file: what any scan keeping
stat signatures pays), each timing 7 scans after a warm-up. Prints, per version, the median of the processes'
medians with its range, and the first scan of a process (the one a build makes).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANS = 7


def _child(code: str, site: Path) -> dict:
    """In a fresh process: time Session._scan of `code`'s digest package on the built site."""
    import gc

    gc.disable()  # as generate.py does for a build
    sys.path.insert(0, code)
    from digest.build.incremental import Session
    from digest.build.state import load_state, state_path
    from digest.build.store import cache_dir
    from digest.config import load_config

    config = load_config(site / "site.toml", root=Path(code), content=site / "content", output=site / "output")
    state = load_state(state_path(cache_dir(config.output_dir), config.output_dir), config.output_dir, heavy=False)
    memo = Session.__new__(Session)  # only what _scan uses: no lock, no store
    memo.config, memo.state, memo.git_asked = config, state, False
    times = []
    for _ in range(SCANS + 1):
        started = time.process_time()
        memo._scan()
        times.append((time.process_time() - started) * 1000)
    return {"first": times[0], "median": statistics.median(times[1:])}


def _floor(site: Path) -> dict:
    times = []
    for _ in range(SCANS + 1):
        started = time.process_time()
        with os.scandir(site / "content") as listing:
            [os.stat(entry.path) for entry in listing]
        times.append((time.process_time() - started) * 1000)
    return {"first": times[0], "median": statistics.median(times[1:])}


def _make_site(site: Path, articles: int, pending: float | None) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from buildsites import make_site, site_toml

    _, memory = make_site(site, articles, pending)
    site_toml(site, memory, pending)
    subprocess.run([sys.executable, str(ROOT / "generate.py"), "--config", str(site / "site.toml"), "build", "-q",
                    "--content", str(site / "content"), "--output", str(site / "output")], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--pending", type=float, default=10)
    parser.add_argument("--against", type=Path, help="another checkout to compare with, run interleaved")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    site = args.site.resolve()
    if args.child:
        print(json.dumps(_floor(site) if args.child == "floor" else _child(args.child, site)))
        return
    if not (site / "site.toml").exists():
        _make_site(site, args.articles, args.pending)
    versions = {"this checkout": str(ROOT), **({"against": str(args.against.resolve())} if args.against else {}),
                "floor": "floor"}
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once, as in a user's clone
    results: dict[str, list[dict]] = {name: [] for name in versions}
    for _ in range(args.rounds):
        for name, code in versions.items():
            out = subprocess.run([sys.executable, __file__, "--site", str(site), "--child", code], env=env,
                                 capture_output=True, text=True, check=True).stdout
            results[name].append(json.loads(out))
    for name, runs in results.items():
        medians, firsts = sorted(r["median"] for r in runs), sorted(r["first"] for r in runs)
        print(f"{name}: {statistics.median(medians):.1f} ms per scan [{medians[0]:.1f}-{medians[-1]:.1f}], "
              f"first scan of a process {statistics.median(firsts):.1f} [{firsts[0]:.1f}-{firsts[-1]:.1f}]")


if __name__ == "__main__":
    main()
