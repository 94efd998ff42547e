#!/usr/bin/env python3
"""Build benchmark: this generator beside Hugo on the same N articles, interleaved, repeated, with medians.

  .venv/bin/python bench/build.py --articles 1000 --articles 5000 [--reps 3] [--pending PERCENT]

Reads ../shared (beside the repository: corpus/wire and parallel/; not in a user's clone) to make the bench's
site pair (bench/buildsites.py): N articles in the wire format and their English, pre-filled in a translation
memory (translator `none`, no network), or with --pending PERCENT: PERCENT of the articles without English and
the translator unreachable, the others with a human <stem>.en.md. Hugo builds the same articles as a bilingual
site (`apt-get install hugo`; without it only this project is timed).

Every build is a child process (`generate.py build -q`, wall time, peak RSS of its largest process via wait4).
Each repetition runs, Python and Hugo alternating: cold without the search step (Pagefind not found: Hugo makes
no search index) | cold (empty .cache/; its progress lines give the search step's own time) | Hugo full | warm
full (`build --full`, output gone, cache kept) | Hugo full | write-only floor | no change | one-article edit | `hugo server
--renderToDisk` incremental rebuild of the same edit | `generate.py watch` rebuild of an edit | template edit.
Old output and cache folders are moved aside, never deleted before a timed run (deleting ~10k files right
before creating as many makes the filesystem scan freed inodes and costs seconds); they are deleted at the end.
The write-only floor writes the same number of files with the same sizes from two processes: no build can beat
it on this disk. Figures: median [min-max] over the repetitions; ratios of medians from the same run.
"""
from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from buildsites import ROOT, SHARED, is_pending, make_hugo_site, make_site, site_toml  # noqa: E402

__all__ = ["is_pending", "make_site", "make_hugo_site", "site_toml", "main"]


# --- one timed child process -------------------------------------------------------------------------------
def run(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MiB, its largest process) and stderr of one child process; exits on failure."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=None if env is None else {**os.environ, **env})
    _, status, usage = os.wait4(process.pid, 0)  # stderr is a few lines: the pipe never fills
    elapsed = time.perf_counter() - started
    errors = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{errors[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024, errors


def search_seconds(progress: str) -> float:
    """The search step's own time, from a build's progress line `search: ... in 1.23s`."""
    found = re.findall(r"^\s*search: .* in ([0-9.]+)s$", progress, re.M)
    return float(found[-1]) if found else float("nan")


# A path with no Pagefind binary: the search step fails at once with one warning line (the pages are published).
NO_SEARCH = {"PAGEFIND_BINARY_PATH": "/nonexistent/pagefind"}


class Aside:
    """Moves folders out of the way instead of deleting them before a timed run; deletes them all at the end."""

    def __init__(self, folder: Path):
        self.trash = folder / "moved-aside"
        self.trash.mkdir(exist_ok=True)
        self.count = 0

    def __call__(self, path: Path) -> None:
        if path.exists():
            self.count += 1
            path.rename(self.trash / f"{path.name}-{self.count}")

    def empty(self) -> None:
        shutil.rmtree(self.trash, ignore_errors=True)


def file_sizes(folder: Path) -> list[tuple[str, int]]:
    return [(p.relative_to(folder).as_posix(), p.stat().st_size) for p in sorted(folder.rglob("*")) if p.is_file()]


_FLOOR_WRITER = """import os, sys
root, part = sys.argv[1], int(sys.argv[2])
made = set()
for line in open(sys.argv[3], encoding="utf-8").read().splitlines()[part::2]:
    rel, size = line.rsplit("\\t", 1)
    path = os.path.join(root, rel)
    parent = os.path.dirname(path)
    if parent not in made:
        os.makedirs(parent, exist_ok=True)
        made.add(parent)
    with open(path, "wb") as handle:
        handle.write(b"x" * int(size))
"""


def write_floor(folder: Path, sizes: list[tuple[str, int]], target: Path) -> float:
    """Seconds for two processes to write the same files (count, names, sizes) into an absent folder."""
    listing = folder / "floor-files.tsv"
    listing.write_text("".join(f"{rel}\t{size}\n" for rel, size in sizes), encoding="utf-8")
    started = time.perf_counter()
    writers = [subprocess.Popen([sys.executable, "-c", _FLOOR_WRITER, str(target), str(part), str(listing)])
               for part in (0, 1)]
    if any(w.wait() != 0 for w in writers):
        raise SystemExit("the write-only floor's writers failed")
    return time.perf_counter() - started


# --- edits -------------------------------------------------------------------------------------------------
def toggle_paragraph(path: Path, rep: int) -> None:
    """One paragraph more (even repetitions) or that paragraph removed again (odd): a real edit every time, and
    one whose English stays in the memory (it repeats a paragraph). A wire file gets a copy of its first paragraph
    (line 3); a Hugo Markdown file (front matter, blank-line separated paragraphs) a copy of its last one."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if path.suffix == ".txt":
        if rep % 2 == 0:
            lines.insert(3, lines[2])
        else:
            del lines[3]
    elif rep % 2 == 0:
        lines[-1:-1] = ["", lines[-2]]
    else:
        del lines[-3:-1]
    path.write_text("\n".join(lines), encoding="utf-8")


def _templates_wrapper(folder: Path, templates: Path) -> Path:
    """generate.py with templates_dir pointed at a copy of templates/ (the config has no templates key)."""
    wrapper = folder / "generate_with_templates.py"
    wrapper.write_text(
        "import sys, dataclasses, pathlib\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import generate, digest.config as c\n"
        "_load = c.load_config\n"
        f"def load(*a, **k):\n    return dataclasses.replace(_load(*a, **k), templates_dir=pathlib.Path({str(templates)!r}))\n"
        "c.load_config = load\n"
        "sys.exit(generate.main(sys.argv[1:]))\n", encoding="utf-8")
    return wrapper


# --- long-running rebuilders: `generate.py watch` and `hugo server` -----------------------------------------
def watch_rebuild(cmd: list[str], victim: Path, targets: list[Path], rep: int) -> float:
    """`generate.py watch`: seconds from saving an edit of `victim` until every target file was replaced."""
    watch = [c for c in cmd if c not in ("-q", "--full")]
    watch[watch.index("build")] = "watch"
    process = subprocess.Popen(watch + ["-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stderr:  # the first (no-change) build, then the watcher starts
            if "watching" in line:
                break
        threading.Thread(target=process.stderr.read, daemon=True).start()  # keep the pipe drained
        time.sleep(0.5)  # the observer is running
        # With --pending the article may have no English page: then nothing English changes (its feed included).
        targets = [p for p in targets if (p.parent if p.name == "index.html" else p.parent / victim.stem)
                   .joinpath("index.html").exists()]
        before = [p.stat().st_ino for p in targets]
        started = time.perf_counter()
        toggle_paragraph(victim, rep)
        while time.perf_counter() - started < 60:
            try:
                if all(p.stat().st_ino != b for p, b in zip(targets, before)):
                    return time.perf_counter() - started
            except FileNotFoundError:
                pass
            time.sleep(0.005)
        return float("nan")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class HugoServer:
    """`hugo server --renderToDisk` on a free 127.0.0.1 port; an edit's rebuild is over when Hugo logs
    "Total in N ms" (printed after the changed pages are on disk)."""

    def __init__(self, site: Path, output: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            ["hugo", "server", "-s", str(site), "-d", str(output), "--renderToDisk", "--bind", "127.0.0.1",
             "--port", str(port), "--disableLiveReload"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.totals: list[str] = []
        self._ready = threading.Event()
        self._rebuilt = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(600):
            self.stop()
            raise SystemExit("hugo server did not start within 10 minutes")

    def _read(self) -> None:
        for line in self.process.stdout:
            if "Web Server is available" in line:
                self._ready.set()
            found = re.search(r"Total in (\d+) ms", line)
            if found and self._ready.is_set():
                self.totals.append(found.group(1))
                self._rebuilt.set()
        self._ready.set()

    def rebuild(self, victim: Path, rep: int) -> tuple[float, float]:
        """(wall seconds from saving the edit until the rebuild is written, Hugo's own 'Total in' seconds)."""
        time.sleep(0.5)  # a quiet moment, so the edit is one change event
        self._rebuilt.clear()
        started = time.perf_counter()
        toggle_paragraph(victim, rep)
        if not self._rebuilt.wait(120):
            return float("nan"), float("nan")
        return time.perf_counter() - started, int(self.totals[-1]) / 1000

    def peak_mib(self) -> int:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
            return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) // 1024
        except (OSError, AttributeError):
            return 0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- one article count ---------------------------------------------------------------------------------------
def bench(n: int, reps: int, keep: Path | None, pending: float | None, hugo: bool) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"digest-bench-{n}-")) if keep is None else keep
    folder.mkdir(parents=True, exist_ok=True)
    say(f"{n} articles: making the site pair in {folder}")
    content, memory = make_site(folder, n, pending)
    config = site_toml(folder, memory, pending)
    templates = folder / "templates"
    shutil.copytree(ROOT / "templates", templates)
    output, cache = folder / "output", folder / ".cache"
    cmd = [sys.executable, str(_templates_wrapper(folder, templates)), "--config", str(config), "build", "-q",
           "--content", str(content), "--output", str(output)]
    site = make_hugo_site(folder, content, memory) if hugo else None
    hugo_out, floor_out = folder / "hugo-out", folder / "floor-out"
    hugo_cmd = ["hugo", "--quiet", "-s", str(site), "-d", str(hugo_out)]
    aside = Aside(folder)
    times: dict[str, list[float]] = {}
    mib: dict[str, list[int]] = {}

    def timed(name: str, command: list[str], env: dict | None = None) -> str:
        seconds, peak, progress = run(command, env)
        times.setdefault(name, []).append(seconds)
        mib.setdefault(name, []).append(peak)
        return progress

    # Untimed warm-up of both (the OS page cache holds the inputs and the programs for every timed run).
    run(cmd)
    if hugo:
        run(hugo_cmd)
    victim = content / f"{n // 2:05d}.txt"
    newest = content / "00000.txt"
    targets = [output / lang / name for lang in ("ar", "en") for name in ("00000/index.html", "feed.xml")]
    server = None
    try:
        for rep in range(reps):
            say(f"{n} articles: repetition {rep + 1} of {reps}")
            # Cold without the search step (Hugo makes no search index), then cold as a user's build runs it; its
            # progress lines (no -q) give the search step's own time.
            aside(output), aside(cache)
            timed("cold_nosearch", cmd, NO_SEARCH)
            aside(output), aside(cache)
            progress = timed("cold", [c for c in cmd if c != "-q"])
            times.setdefault("cold_search_step", []).append(search_seconds(progress))
            if hugo:
                aside(hugo_out)
                timed("hugo", hugo_cmd)
            aside(output)
            timed("warm", cmd + ["--full"])
            if hugo:
                aside(hugo_out)
                timed("hugo", hugo_cmd)
            sizes = file_sizes(output)
            aside(floor_out)
            times.setdefault("floor", []).append(write_floor(folder, sizes, floor_out))
            timed("nochange", cmd)
            toggle_paragraph(victim, rep)
            timed("edit", cmd)
            if hugo:
                if server is None:
                    server = HugoServer(site, folder / "hugo-server-out")
                wall, own = server.rebuild(site / "content" / "ar" / f"{victim.stem}.md", rep)
                times.setdefault("hugo_server", []).append(wall)
                times.setdefault("hugo_server_own", []).append(own)
            times.setdefault("watch", []).append(watch_rebuild(cmd, newest, targets, rep))
            article = templates / "article.html"
            article.write_text(article.read_text(encoding="utf-8") + f"\n<!-- edited {rep} -->\n", encoding="utf-8")
            timed("template", cmd)
    finally:
        if server is not None:
            mib["hugo_server"] = [server.peak_mib()]
            server.stop()
    row = {"articles": n, "files": len(sizes), "mbytes": sum(s for _, s in sizes) / 1e6, "times": times, "mib": mib}
    if hugo:
        row["hugo_files"] = sum(1 for p in hugo_out.rglob("*") if p.is_file())
    aside.empty()
    if keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return row


# --- report --------------------------------------------------------------------------------------------------
def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float], digits: int = 2) -> str:
    if not values:
        return "-"
    return f"{med(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


_SCENARIOS = [("cold", "cold (empty .cache/)"), ("cold_nosearch", "cold without the search step"),
              ("cold_search_step", "  its search step alone (Pagefind, cold)"), ("warm", "warm full (--full, output moved, cache kept)"),
              ("nochange", "no change"), ("edit", "one-article edit"), ("template", "template edit (article.html)"),
              ("watch", "watch: edit saved -> pages+feeds replaced")]


def report(rows: list[dict], reps: int, pending: float | None) -> None:
    mode = "memory pre-filled" if pending is None else f"--pending {pending:g}: translator unreachable"
    for r in rows:
        t, hugo = r["times"], r["times"].get("hugo", [])
        h = med(hugo)
        print(f"\n{r['articles']:,} articles ({mode}): {r['files']:,} files, {r['mbytes']:.1f} MB"
              + (f"; Hugo {r['hugo_files']:,} files" if hugo else "; hugo not installed")
              + f"; seconds, median [min-max] of {reps}")
        print(f"  {'scenario':<46} {'this project':>20}  {'/ Hugo full':>11}  {'/ floor':>8}")
        for key, label in _SCENARIOS:
            ratio = f"{med(t[key]) / h:11.3f}" if hugo else f"{'-':>11}"
            print(f"  {label:<46} {spread(t[key]):>20}  {ratio}  {med(t[key]) / med(t['floor']):8.2f}")
        print(f"  {'write-only floor (same files, 2 processes)':<46} {spread(t['floor']):>20}")
        if hugo:
            print(f"  {'Hugo full build (output moved)':<46} {spread(hugo):>20}")
            print(f"  {'hugo server incremental (save -> Total logged)':<46} {spread(t['hugo_server']):>20}"
                  f"  (Hugo's own 'Total in': {spread(t['hugo_server_own'], 3)})")
            print(f"  edit / hugo server: {med(t['edit']) / med(t['hugo_server']):.3f}; "
                  f"watch / hugo server: {med(t['watch']) / med(t['hugo_server']):.3f}")
        m = r["mib"]
        print(f"  peak MiB (largest process), median: cold {med(m['cold']):.0f} (without search "
              f"{med(m['cold_nosearch']):.0f}), warm {med(m['warm']):.0f}, "
              f"edit {med(m['edit']):.0f}"
              + (f" | Hugo full {med(m['hugo']):.0f}, hugo server {m['hugo_server'][0]}" if hugo else ""))
    print("\nREADME rows (median [min-max] s; ratios of medians):")
    print("| articles | files | " + " | ".join(k for k, _ in _SCENARIOS) + " | floor | Hugo full | hugo server edit | "
          "warm/floor | cold/Hugo | cold_nosearch/Hugo | warm/Hugo | edit/Hugo | edit/hugo server | "
          "peak MiB ours / Hugo |")
    for r in rows:
        t = r["times"]
        h = med(t.get("hugo", []))
        cells = [f"{r['articles']:,}", f"{r['files']:,}"] + [spread(t[k]) for k, _ in _SCENARIOS]
        cells += [spread(t["floor"]), spread(t.get("hugo", [])), spread(t.get("hugo_server", [])),
                  f"{med(t['warm']) / med(t['floor']):.1f}"]
        cells += [f"{med(t[k]) / h:.2f}" for k in ("cold", "cold_nosearch", "warm")] + [f"{med(t['edit']) / h:.3f}"]
        cells += [f"{med(t['edit']) / med(t.get('hugo_server', [float('nan')])):.2f}"]
        cells += [f"{max(max(v) for k, v in r['mib'].items() if not k.startswith('hugo')):.0f} / "
                  f"{max((max(v) for k, v in r['mib'].items() if k.startswith('hugo')), default=0):.0f}"]
        print("| " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, action="append", metavar="N",
                        help="article count (repeatable; default 1000 and 5000)")
    parser.add_argument("--reps", type=int, default=3, metavar="R", help="repetitions of every scenario (default 3)")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (one article count only)")
    parser.add_argument("--pending", type=float, metavar="PERCENT",
                        help="PERCENT of the articles have no English and the translator is unreachable; the others "
                             "have a human <stem>.en.md (default: all English in the translation memory)")
    parser.add_argument("--no-hugo", action="store_true", help="time this project only")
    args = parser.parse_args(argv)
    if args.pending is not None and not 0 <= args.pending <= 100:
        parser.error("--pending must be a percentage between 0 and 100")
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    counts = args.articles or [1000, 5000]
    if args.keep and len(counts) > 1:
        parser.error("--keep takes one --articles count")
    if not (SHARED / "corpus" / "wire").is_dir() or not (SHARED / "parallel").is_dir():
        print(f"error: the benchmark makes its articles from {SHARED} (corpus/wire and parallel/), which is not "
              "there; it sits beside the repository on the development machine, not in a user's clone",
              file=sys.stderr)
        return 2
    hugo = shutil.which("hugo") is not None and not args.no_hugo
    if not hugo and not args.no_hugo:
        say("hugo is not installed (apt-get install hugo): timing this project only")
    compileall.compile_dir(ROOT / "digest", quiet=1)  # as a user's first run leaves it
    rows = [bench(n, args.reps, Path(args.keep) if args.keep else None, args.pending, hugo) for n in counts]
    report(rows, args.reps, args.pending)
    return 0


if __name__ == "__main__":
    sys.exit(main())
