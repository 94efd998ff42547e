#!/usr/bin/env python3
"""Search index benchmark: what the layered index (digest/build/searchlayers.py) costs against re-indexing the
whole site, on an output folder a build made.

  .venv/bin/python bench/search_index.py OUTPUT [--reps 3] [--pages 1 10 50 200 1000]

Interleaved, each repetition: the whole-site Pagefind run (what every build paid before the layers) | reading the
base's page ids from its fragments, first with nothing known, then with a previous base's ids | the delta of an
edit (2 article pages, searchlayers.make_delta) | publishing the base into a fresh folder by hard links. Then
Pagefind's run over hard links of N random article pages, for each --pages count (its cost per page and to
start). Figures: median [min-max] seconds; the machine's load average is printed beside them.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.build import pagefind, searchlayers  # noqa: E402


def article_pages(output: Path) -> list[str]:
    """The output's searchable pages: those whose text Pagefind indexes (data-pagefind-body)."""
    return sorted(p.relative_to(output).as_posix() for p in output.glob("*/*/index.html")
                  if b"data-pagefind-body" in p.read_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="an output folder made by `generate.py build`")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--pages", type=int, nargs="*", default=[1, 10, 50, 200, 1000])
    args = parser.parse_args(argv)
    executable = pagefind.pagefind_executable()
    if executable is None:
        print("error: Pagefind is not installed (pip install -r requirements.txt)", file=sys.stderr)
        return 2
    output = args.output.resolve()
    pages = article_pages(output)
    scratch = Path(tempfile.mkdtemp(prefix=".search-bench-", dir=output.parent))  # same file system: hard links
    times: dict[str, list[float]] = {}

    def timed(name: str, work) -> None:
        started = time.perf_counter()
        problem = work()
        times.setdefault(name, []).append(time.perf_counter() - started)
        if isinstance(problem, str):
            raise SystemExit(f"{name}: Pagefind {problem}")

    print(f"{len(pages)} article pages in {output}; load average before: {os.getloadavg()}", flush=True)
    try:
        for rep in range(args.reps):
            base_dir = scratch / f"base-{rep}"
            timed("whole-site run (every build, before the layers)", lambda: pagefind.run(executable, output, base_dir))
            timed("base page ids from fragments, none known", lambda: pagefind.page_ids(base_dir))
            ids = pagefind.page_ids(base_dir)
            known = {page_id: path for path, page_id in ids.items()}
            timed("base page ids from fragments, all known", lambda: pagefind.page_ids(base_dir, known))
            base = searchlayers.Base(f"b{rep}", base_dir, dict.fromkeys(pages, "r"), ids, pagefind.languages(base_dir),
                                     [pagefind.languages(base_dir)])
            edit = searchlayers.Delta({path: "edited" for path in pages[2 * rep: 2 * rep + 2]}, [], f"d{rep}")
            timed("delta of an edit (2 pages)", lambda: searchlayers.make_delta(
                executable, output, base, edit, scratch / f"delta-{rep}", None))
            timed("base published by hard links", lambda: pagefind.link_tree(base_dir, scratch / f"linked-{rep}"))
            for path in scratch.iterdir():
                shutil.rmtree(path)
        rng = random.Random(1)
        for count in args.pages:
            for rep in range(args.reps):
                site, bundle = scratch / f"site-{count}-{rep}", scratch / f"bundle-{count}-{rep}"
                for rel in rng.sample(pages, min(count, len(pages))):
                    (site / rel).parent.mkdir(parents=True, exist_ok=True)
                    os.link(output / rel, site / rel)
                timed(f"Pagefind over {count} pages", lambda: pagefind.run(executable, site, bundle))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for name, values in times.items():
        print(f"  {name:<50} {statistics.median(values):8.3f} [{min(values):.3f}-{max(values):.3f}]")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
