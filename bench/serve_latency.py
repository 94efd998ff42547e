"""How soon `serve` shows a problem in the open page, and takes it away: headless chromium on a served site.

Each round, with an article page open: break the article's front matter (time until the overlay names the file
and line), fix it (time until the fixed text is on the page and the overlay is gone), delete it (time until the
site's 404 shows), restore it (time until the article is back). Times are from the save to what the browser shows,
sampled every 20 ms; median [min-max] over the rounds. Needs chromium (scripts/install-browser.sh).

Run from the repository root:  .venv/bin/python bench/serve_latency.py [--rounds N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from cdp import Browser, find_chromium  # noqa: E402
from digest.config import load_config  # noqa: E402
from digest.serve import watch_and_serve  # noqa: E402

ARTICLE = """---
title: افتتاح معرض الكتاب في الرياض
date: 2026-12-05
---
افتتح وزير الثقافة اليوم معرض الكتاب الدولي بمشاركة أكثر من ألف دار نشر.

ويستمر المعرض عشرة أيام ويفتح أبوابه للزوار من العاشرة صباحا.
"""
OVERLAY_TEXT = "(document.getElementById('__build_problems') || {}).innerText || ''"
H1 = "document.querySelector('h1') ? document.querySelector('h1').textContent + '|' + document.querySelector('h1').id : ''"


def _until(browser: Browser, expression: str, check, timeout: float = 15.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check(browser.evaluate(expression)):
                return time.monotonic() - started
        except Exception:  # noqa: BLE001 - the page is between two documents
            pass
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {expression}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="break/fix/delete/restore rounds (default 5)")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("chromium is not installed: run scripts/install-browser.sh")
    with tempfile.TemporaryDirectory(prefix="serve-latency-") as folder:
        content = Path(folder) / "content"
        content.mkdir()
        article = content / "book-fair.md"
        article.write_text(ARTICLE, encoding="utf-8")
        (content / "other.md").write_text(ARTICLE.replace("معرض الكتاب", "معرض الفنون"), encoding="utf-8")
        config = load_config(ROOT / "site.toml", root=ROOT, content=content, output=Path(folder) / "output",
                             translator="none")
        config = replace(config, translator=replace(config.translator, memory_dir=str(Path(folder) / "memory")))
        stop, ready = threading.Event(), []
        server = threading.Thread(target=watch_and_serve, args=(lambda: config,), daemon=True,
                                  kwargs=dict(port=0, quiet=True, log=lambda m: None, ready=ready.append, stop=stop))
        server.start()
        while not ready:
            time.sleep(0.05)
        time.sleep(0.5)
        times: dict[str, list[float]] = {"error shown": [], "fix shown, overlay gone": [], "404 shown": [],
                                         "page back": []}
        with Browser(chromium) as browser:
            browser.goto(ready[0] + "ar/book-fair/")
            for round_ in range(args.rounds):
                article.write_text(ARTICLE.replace("date: 2026-12-05", "date: [2026"), encoding="utf-8")
                times["error shown"].append(_until(browser, OVERLAY_TEXT, lambda t: "book-fair.md:3" in t))
                fixed = f"ويستمر المعرض {round_ + 10} يوما"
                article.write_text(ARTICLE.replace("ويستمر المعرض عشرة أيام", fixed), encoding="utf-8")
                times["fix shown, overlay gone"].append(_until(
                    browser, f"!!document.body && document.body.textContent.includes('{fixed}') && "
                             "!document.getElementById('__build_problems')", bool))
                text = article.read_text(encoding="utf-8")
                article.unlink()
                times["404 shown"].append(_until(browser, H1, lambda t: t.endswith("|nf-ar")))
                article.write_text(text, encoding="utf-8")
                times["page back"].append(_until(browser, H1, lambda t: "معرض الكتاب" in t))
                time.sleep(0.3)
        stop.set()
        server.join(timeout=10)
    print(f"serve, headless chromium, {args.rounds} rounds: seconds from the save to what the open page shows")
    for name, values in times.items():
        print(f"  {name:<24} median {statistics.median(values):.2f} s  [{min(values):.2f}-{max(values):.2f}]")


if __name__ == "__main__":
    main()
