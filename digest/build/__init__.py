"""Build: the pipeline (pipeline.build), its incremental layer and the output writers. See ARCHITECTURE.md.

Public interface, for generate.py, serve and other packages: the names below. They are looked up on first use
(PEP 562) so that the translation stage can use the build cache's store without importing the pipeline.
"""
from __future__ import annotations

from digest.lazy import lazy_names

_PUBLIC = {
    "build": "pipeline", "BuildReport": "report", "BuildCancelled": "report", "print_report": "report",
    "untranslated_list": "report", "summarize_all": "records", "EXIT_OK": "report", "EXIT_FAILED": "report",
    "EXIT_USAGE": "report", "EXIT_SKIPPED": "report", "EXIT_STRICT": "report", "EXIT_BUSY": "report",
    "OutputError": "output", "OutputBusy": "output", "check_output_dir": "output", "write_atomic": "output",
    "BackgroundIndex": "searchindex", "release_due": "schedule",
    "Store": "store", "cache_dir": "store", "digest_of": "store", "load_state": "state", "state_path": "state",
}
__all__ = sorted(_PUBLIC)

__getattr__ = lazy_names(__name__, _PUBLIC, globals())
