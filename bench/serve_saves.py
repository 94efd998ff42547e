#!/usr/bin/env python3
"""`serve` latency, save -> Arabic page: ten saves, the fully translated site beside the --pending one.

  .venv/bin/python bench/serve_saves.py --articles 5000 [--pending 10] [--saves 10] [--keep DIR]

Makes two site copies with bench/buildsites.py (reads ../shared): every English sentence in the memory
(translator `none`), and PERCENT pending with the translator unreachable (LibreTranslate on a closed port), the
others with a human <stem>.en.md. Builds each once (untimed), starts `generate.py serve --port 0` on both, then
saves an edit (one paragraph more) of a different article each time, alternating the two sites, and times from
the save until the article's Arabic page is replaced on disk and served with the edit. Prints every latency,
the median and the worst.
"""
from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from buildsites import ROOT, is_pending, make_site, site_toml  # noqa: E402


class Server:
    def __init__(self, folder: Path, content: Path, config: Path):
        self.output = folder / "output"
        cmd = [sys.executable, str(ROOT / "generate.py"), "--config", str(config)]
        build = cmd + ["build", "-q", "--content", str(content), "--output", str(self.output)]
        subprocess.run(build, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # warm
        self.process = subprocess.Popen(cmd + ["serve", "-q", "--port", "0", "--content", str(content),
                                               "--output", str(self.output)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.url = ""
        for line in self.process.stderr:
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                self.url = found.group(1)
                break
        self.log: list[str] = []
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()
        time.sleep(0.5)  # the observer is running

    def save(self, victim: Path) -> float:
        """Seconds from saving one more paragraph in `victim` until its Arabic page is replaced and served."""
        page = self.output / "ar" / victim.stem / "index.html"
        before = page.stat().st_ino
        lines = victim.read_text(encoding="utf-8").split("\n")
        lines.insert(3, lines[2])
        started = time.perf_counter()
        victim.write_text("\n".join(lines), encoding="utf-8")
        while time.perf_counter() - started < 60:
            try:
                if page.stat().st_ino != before:
                    with urllib.request.urlopen(f"{self.url}ar/{victim.stem}/", timeout=10) as response:
                        response.read()
                    return time.perf_counter() - started
            except FileNotFoundError:
                pass
            time.sleep(0.005)
        return float("nan")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, metavar="N")
    parser.add_argument("--pending", type=float, default=10.0, metavar="PERCENT")
    parser.add_argument("--saves", type=int, default=10, metavar="S")
    parser.add_argument("--keep", metavar="DIR", help="make the sites in DIR (reused when already there)")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="digest-serve-bench-"))
    sites = {}
    for name, pending in (("translated", None), (f"pending {args.pending:g}%", args.pending)):
        folder = base / name.split()[0]
        if not (folder / "content").is_dir():
            print(f"making {args.articles} articles in {folder}", file=sys.stderr, flush=True)
            folder.mkdir(parents=True, exist_ok=True)
            content, memory = make_site(folder, args.articles, pending)
            site_toml(folder, memory, pending)
        sites[name] = Server(folder, folder / "content", folder / "site.toml")
    latencies: dict[str, list[float]] = {name: [] for name in sites}
    try:
        for i in range(args.saves):
            stem = f"{(i * 487 + 1) % args.articles:05d}"
            for name, server in sites.items():
                victim = server.output.parent / "content" / f"{stem}.txt"
                latencies[name].append(server.save(victim))
                time.sleep(1.0)  # let the rebuild settle before the next save
    finally:
        for server in sites.values():
            server.stop()
    for name, values in latencies.items():
        kinds = ["pending" if is_pending((i * 487 + 1) % args.articles, args.pending) and "pending" in name
                 else "English" for i in range(args.saves)]
        print(f"{args.articles:,} articles, {name}: save -> Arabic page served, s: "
              + " ".join(f"{v:.2f}" for v in values))
        print(f"  median {statistics.median(values):.2f}, worst {max(values):.2f}; edited articles: "
              f"{kinds.count('pending')} pending, {kinds.count('English')} with English")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
