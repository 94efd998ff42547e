"""Translation request figures over the 150 wire articles of ../shared/corpus/wire, offline.
Needs ../shared beside the repository (the development machine has it; a clone does not), or --corpus DIR.

  .venv/bin/python bench/translate_bench.py [--backends google,libre,mymemory,deepl,microsoft] [--corpus DIR]

For each backend, the real deep-translator code talks over HTTP to a look-alike server on 127.0.0.1 that answers
in that engine's shape, line by line (tests/fake_libretranslate.py for libre; tests/fake_engines.py, which points
deep-translator's Google, MyMemory, DeepL and Microsoft endpoints at itself, for the others). Printed per backend:
requests per article when the whole corpus is translated in one run (`generate.py translate`, a first build) and
when the articles arrive one at a time (a build per new article), characters sent, and how many segments are
still untranslated after the run. What is measured is what this program sends and how it packs it, not how a real
engine answers (a fake answers every line at once; a real one may throttle or merge lines).

Then, for libre, the reliability runs: second run (memory only), 429 twice per request, server down, server that
accepts and never answers. Memories go to temporary folders, never to translations/.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from digest.language import summarize  # noqa: E402
from digest.read import load_content  # noqa: E402
from digest.translate import BACKENDS, TranslatorConfig, segments_for, translate_segments  # noqa: E402
from fake_engines import FakeEngines  # noqa: E402
from fake_libretranslate import FakeLibreTranslate, json_answer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="google,libre,mymemory,deepl,microsoft")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "wire")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    unknown = [b for b in backends if b not in BACKENDS or b == "none"]
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(unknown)}")
    if not args.corpus.is_dir():
        sys.exit(f"error: the benchmark reads the wire corpus at {args.corpus}, which is not there: it sits beside "
                 "the repository on the development machine and is not in a clone (or give --corpus DIR)")

    articles, humans, _ = load_content(args.corpus)
    per_article = [segments_for(a, summarize(a, words=60), humans.get(a.slug)) for a in articles]
    segments = list(dict.fromkeys(s for segs in per_article for s in segs))
    print(f"{len(articles)} articles, {len(segments)} segments, {sum(map(len, segments))} characters")
    os.environ.setdefault("DEEPL_API_KEY", "bench-key")  # the fakes do not check keys
    os.environ.setdefault("MICROSOFT_API_KEY", "bench-key")

    print(f"\n{'backend':<10} {'mode':<22} {'requests':>8} {'req/article':>11} {'chars sent':>10} "
          f"{'untranslated':>12} {'time':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for mode in ("whole corpus, one run", "one article per run"):
                memory = Path(tmp, backend, mode.split()[0])
                config = TranslatorConfig(backend=backend, memory_dir=str(memory))
                runs = [segments] if mode.startswith("whole") else per_article
                requests = chars = 0
                started = time.perf_counter()
                with ExitStack() as stack:
                    if backend == "libre":
                        server = stack.enter_context(FakeLibreTranslate())
                        config = replace(config, url=server.url)
                    else:
                        engines = stack.enter_context(FakeEngines())
                        stack.enter_context(engines.pointing())
                    for run in runs:
                        _, report = translate_segments(run, config)
                        requests += report.requests
                        chars += report.chars_sent
                    # Untranslated after the run: what a memory-only pass still misses.
                    _, final = translate_segments(segments, replace(config, backend="none"))
                took = time.perf_counter() - started
                print(f"{backend:<10} {mode:<22} {requests:>8} {requests / len(articles):>11.2f} {chars:>10} "
                      f"{len(final.pending):>12} {took:>6.1f}s")

        print("\nlibre reliability runs (whole corpus):")
        config = TranslatorConfig(backend="libre", memory_dir=tmp + "/r")

        def run(label: str, cfg: TranslatorConfig) -> None:
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
            run("429 twice per request (fresh memory)", replace(config, url=server.url, memory_dir=tmp + "/b"))
        with FakeLibreTranslate(lambda s, q, n: "sleep", sleep=30) as server:
            run("server accepts, never answers", replace(config, url=server.url, memory_dir=tmp + "/c"))


if __name__ == "__main__":
    main()
