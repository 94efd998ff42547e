"""Translation: the English of Arabic articles, from human files, the translation memory and machine translators.

This is the package's public interface: code outside digest/translate imports these names from here, not from the
modules inside (tests may reach into the modules). The modules, in the order a segment meets them:

  settings.py     TranslatorConfig: which backend, where, how patient; where the memory lives
  assembly.py     what an article sends (segments_for) and its English put together from the answers (english_for)
  english.py      the English summary from a human body; metadata (section, place, byline, agency) in English
  memory.py       the translation memory: one plain file per shard, per backend and language pair
  protect.py      placeholders for links, URLs, codes and numbers, so only words reach the translator
  requestplan.py  segments -> chunks under each backend's limit -> batched request lines, and the answers back
  engine.py       translate_segments: memory first, then requests (pool, retries, batches halved or split up)
  runstate.py     what one run's workers share: counters, sessions, the circuit breaker
  answers.py      which texts need a translator, and whether an answer is a translation (garbage rejection)
  backends.py     deep-translator set up per engine; timeouts and error classification under it; key redaction
  stage.py        translation as a build stage: when a build may ask, what it remembers (translator status)
  command.py      `generate.py translate` (progress bar, --dry-run) and `--prune`
"""
from digest.lazy import lazy_names

# Name -> module, looked up on first use (PEP 562): a build that translates nothing (no change, an edit whose
# English is already in the memory) loads the settings it needs, not the request engine, the protector and the
# command-line progress bar.
_PUBLIC = {
    "english_for": "assembly", "segments_for": "assembly",
    "BACKENDS": "backends", "KEY_ENV": "backends",
    "prune_command": "command", "translate_command": "command",
    "TranslationReport": "engine", "translate_segments": "engine",
    "META_FIELDS": "english", "aligned_sentences": "english",
    "TranslationMemory": "memory", "take_problems": "memory",
    "protect": "protect",
    "TranslatorConfig": "settings", "memory_root": "settings",
    "TranslatorStatus": "stage", "for_build": "stage", "load_status": "stage", "pending_segments": "stage",
    "translate_pending": "stage",
}

__all__ = [
    # configuration
    "BACKENDS", "KEY_ENV", "TranslatorConfig", "memory_root",
    # what an article sends, and its English
    "segments_for", "english_for", "META_FIELDS", "aligned_sentences", "protect",
    # requests
    "translate_segments", "TranslationReport",
    # the memory
    "TranslationMemory", "take_problems",
    # translation as a build stage
    "TranslatorStatus", "for_build", "load_status", "pending_segments", "translate_pending",
    # `generate.py translate` and `generate.py translate --prune`
    "translate_command", "prune_command",
]

__getattr__ = lazy_names(__name__, _PUBLIC, globals())
