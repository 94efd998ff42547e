"""Translation engine figures over the 150 wire articles of ../shared/corpus/wire (no network needed).
Needs ../shared beside the repository (the development machine has it; a clone does not).

  .venv/bin/python bench/translate_bench.py

Prints, for a LibreTranslate-compatible server on 127.0.0.1 (tests/fake_libretranslate.py): a first run, a
second run (memory only), a run against a server answering 429 twice per text, and a run with the server down.
The memory goes to a temporary folder, never to translations/.
"""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from digest.articles import load_content  # noqa: E402
from digest.summarize import summarize  # noqa: E402
from digest.translate import TranslatorConfig, segments_for, translate_segments  # noqa: E402
from fake_libretranslate import FakeLibreTranslate, json_answer  # noqa: E402


WIRE = ROOT.parent / "shared" / "corpus" / "wire"  # beside the repository on the development machine only


def main() -> None:
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2]).parse_args()
    if not WIRE.is_dir():
        sys.exit(f"error: the benchmark reads the wire corpus at {WIRE}, which is not there: it sits beside the "
                 "repository on the development machine and is not in a clone")
    articles, humans, _ = load_content(WIRE)
    segments: list[str] = []
    for a in articles:
        segments.extend(segments_for(a, summarize(a, words=60), humans.get(a.slug)))
    segments = list(dict.fromkeys(segments))
    print(f"{len(articles)} articles, {len(segments)} segments, {sum(map(len, segments))} characters")
    with tempfile.TemporaryDirectory() as tmp:
        config = TranslatorConfig(backend="libre", memory_dir=tmp)

        def run(label: str, cfg: TranslatorConfig, server: FakeLibreTranslate | None = None) -> None:
            started = time.perf_counter()
            _, report = translate_segments(segments, cfg)
            took = time.perf_counter() - started
            print(f"{label:<34} {took:6.2f} s  requests {report.requests:5}  from memory {report.memory_hits:5}  "
                  f"pending {len(report.pending):5}  retries {report.retries:5}  backend down {report.backend_down}")

        run("server down (nothing listening)", replace(config, url="http://127.0.0.1:9/"))
        with FakeLibreTranslate() as server:
            run("first run", replace(config, url=server.url))
            run("second run", replace(config, url=server.url))
        with FakeLibreTranslate(lambda s, q, n: json_answer("busy", 429) if n < 2 else None) as server:
            run("429 twice per text (fresh memory)", replace(config, url=server.url, memory_dir=tmp + "/b"))
        with FakeLibreTranslate(lambda s, q, n: "sleep", sleep=30) as server:
            run("server accepts, never answers", replace(config, url=server.url, memory_dir=tmp + "/c"))


if __name__ == "__main__":
    main()
