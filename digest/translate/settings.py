"""The translator's settings: which backend, where, for which languages, how patient, and where the memory lives.

`site.toml`'s [translator] table and the command-line flags become one TranslatorConfig (digest/config.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

# The backends that translate, with the most characters one request may carry (requestplan.py splits and batches
# by it). Here, not in the request engine, so that a build asks "may this backend be asked?" without loading it.
LIMITS = {"google": 4500, "libre": 4500, "mymemory": 450, "deepl": 4500, "microsoft": 4500}


@dataclass(frozen=True)
class TranslatorConfig:
    backend: str = "google"  # google | libre | mymemory | deepl | microsoft | none (memory only, never a request)
    url: str | None = None  # LibreTranslate server, e.g. http://127.0.0.1:5000/
    source: str = "ar"
    target: str = "en"
    timeout: float = 10.0  # seconds per request (connect timeout is capped at 3 s)
    retries: int = 3  # retries after the first attempt, on 429 / 5xx / timeouts / connection errors
    concurrency: int = 4  # requests in flight at once
    memory_dir: str = "translations"  # relative to the project root, or absolute
    backoff: float = 0.25  # first retry of a text waits up to this many seconds; doubles each retry (jitter)
    max_backoff: float = 8.0
    breaker_failures: int = 5  # consecutive requests failing for good -> stop calling the backend
    breaker_unreachable: int = 3  # consecutive attempts that got no HTTP answer at all -> stop


def memory_root(config: TranslatorConfig) -> Path:
    """The translation memory's folder: `memory_dir` as given when absolute, else under the project root."""
    path = Path(config.memory_dir)
    return path if path.is_absolute() else PROJECT_ROOT / path
