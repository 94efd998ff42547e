"""The three outside checkers scripts/quality.py runs over a built site, each behind one function that returns
plain results: the Nu HTML Checker (vnu.jar), Lighthouse (node, Debian chromium) and the W3C Feed Validator
(a checkout of its source, run by scripts/validate_feeds.py in a Python that has its dependencies)."""
from __future__ import annotations

import json
import re
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

# The flags tests/cdp.py gives chromium: no network chatter (the machine's closed network refuses it), no first-run UI.
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-quic "
                "--disable-component-update --disable-sync --no-first-run --disable-default-apps")
THRESHOLDS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
CATEGORIES = tuple(THRESHOLDS)


# --- Nu HTML Checker --------------------------------------------------------------------------------------------------
@dataclass
class VnuMessage:
    file: Path
    line: int | str
    text: str


def run_vnu(vnu_jar: Path, pages: list[Path]) -> list[VnuMessage]:
    """Every error (and fatal error) vnu finds in `pages` (HTML, and CSS files by their .css suffix), checked in
    one JVM. vnu prints its JSON on stderr."""
    if not pages:
        return []
    done = subprocess.run(["java", "-jar", str(vnu_jar), "--format", "json", "--errors-only", "--also-check-css",
                           *map(str, pages)], capture_output=True, text=True)
    try:
        messages = json.loads(done.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        raise RuntimeError(f"vnu gave no report (exit {done.returncode}): {done.stderr.strip()[:300]}") from None
    errors = [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
    return [VnuMessage(Path(unquote(m.get("url", "?").removeprefix("file:"))), m.get("lastLine", "?"),
                       m.get("message", "")) for m in errors]


# --- Lighthouse -------------------------------------------------------------------------------------------------------
@dataclass
class Audit:
    url: str
    form: str  # "mobile" or "desktop"
    runs: list[dict[str, int]] = field(default_factory=list)  # scores per run
    failing: list[str] = field(default_factory=list)  # weighted audits below 1 in the run kept
    metrics: str = ""
    error: str = ""

    @property
    def scores(self) -> dict[str, int]:
        """The median run's scores (by performance; the other categories do not vary between runs)."""
        if not self.runs:
            return {}
        perf = statistics.median_low([run["performance"] for run in self.runs])
        return next(run for run in self.runs if run["performance"] == perf)

    @property
    def passed(self) -> bool:
        return not self.error and all(self.scores[c] >= t for c, t in THRESHOLDS.items())


def _lighthouse_once(cli: Path, url: str, desktop: bool, report: Path) -> dict:
    cmd = ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={report}",
           f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES)]
    if desktop:
        cmd.append("--preset=desktop")
    report.unlink(missing_ok=True)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not report.is_file():
        raise RuntimeError((done.stderr.strip().splitlines() or ["lighthouse failed"])[-1])
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        raise RuntimeError(data["runtimeError"].get("message", "runtime error"))
    return data


def run_lighthouse(cli: Path, url: str, desktop: bool, reports: Path, name: str, retries: int = 2) -> Audit:
    """Lighthouse on one URL. Performance is timed on a shared machine: when a run scores below the threshold,
    it is run again (up to `retries` more times) and the median is kept; accessibility, best practices and SEO
    do not depend on timing. The JSON of the last run is kept in `reports`."""
    audit = Audit(url, "desktop" if desktop else "mobile")
    report = reports / f"{name}-{audit.form}.json"
    for _ in range(1 + retries):
        try:
            data = _lighthouse_once(cli, url, desktop, report)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            audit.error = str(error)
            continue
        audit.error = ""
        scores = {cid: round((cat["score"] or 0) * 100) for cid, cat in data["categories"].items()}
        audit.runs.append(scores)
        if scores == audit.scores:
            audit.failing = [f"{cid}/{ref['id']} {data['audits'][ref['id']]['score']:.2f} "
                             f"{data['audits'][ref['id']].get('displayValue', '')}".rstrip()
                             for cid, cat in data["categories"].items() for ref in cat["auditRefs"]
                             if ref["weight"] > 0 and data["audits"][ref["id"]].get("score") is not None
                             and data["audits"][ref["id"]]["score"] < 1]
            audit.metrics = " / ".join(data["audits"][k].get("displayValue", "?") for k in
                                       ("first-contentful-paint", "largest-contentful-paint",
                                        "cumulative-layout-shift", "total-blocking-time"))
        if audit.passed:
            break
        if any(scores[c] < THRESHOLDS[c] for c in CATEGORIES if c != "performance"):
            break  # not a timing matter: another run would score the same
    return audit


# --- W3C Feed Validator -----------------------------------------------------------------------------------------------
FEEDVALIDATOR_HELP = """the W3C Feed Validator is not set up. It is not shipped with this project; get its source once:
    git clone https://github.com/w3c/feedvalidator ~/feedvalidator
and give its folder as FEEDVALIDATOR (scripts/quality.sh then makes a Python for it in the tools folder):
    FEEDVALIDATOR=~/feedvalidator bash scripts/quality.sh
(or skip this check: --skip feeds)"""


def run_feedvalidator(python: str, checkout: Path, feeds: list[Path]) -> dict[Path, list[str]]:
    """feed -> its problems at the online validator's level ([] when valid), by scripts/validate_feeds.py."""
    script = Path(__file__).with_name("validate_feeds.py")
    done = subprocess.run([python, str(script), str(checkout), *map(str, feeds)], capture_output=True, text=True)
    results: dict[Path, list[str]] = {}
    current: list[str] | None = None
    for line in done.stdout.splitlines():
        head = re.match(r"(\S.*?): (valid|\d+ problem\(s\))$", line)
        if head:
            current = results.setdefault(Path(head.group(1)), [])
        elif current is not None and line.startswith("  "):
            current.append(line.strip())
    missing = [feed for feed in feeds if feed not in results]
    if missing:
        raise RuntimeError(f"the feed validator did not report on {len(missing)} feed(s) (exit {done.returncode}): "
                           + (done.stderr.strip().splitlines() or ["no message"])[-1])
    return results
