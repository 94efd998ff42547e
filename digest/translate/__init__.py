"""Translation: the English of Arabic articles, from human files, the translation memory and machine translators.

This is the package's public interface: code outside digest/translate imports these names from here, not from the
modules inside (tests may reach into the modules). What each module does is said in its docstring.
"""
from digest.translate.engine import (BACKENDS, KEY_ENV, TranslationReport, TranslatorConfig, english_for, memory_root,
                                     prune_command, segments_for, translate_command, translate_segments)
from digest.translate.english import META_FIELDS, aligned_sentences
from digest.translate.memory import TranslationMemory, take_problems
from digest.translate.stage import TranslatorStatus, for_build, load_status, pending_segments, translate_pending

__all__ = [
    # configuration
    "BACKENDS", "KEY_ENV", "TranslatorConfig", "memory_root",
    # what an article sends, and its English
    "segments_for", "english_for", "META_FIELDS", "aligned_sentences",
    # requests
    "translate_segments", "TranslationReport",
    # the memory
    "TranslationMemory", "take_problems",
    # translation as a build stage
    "TranslatorStatus", "for_build", "load_status", "pending_segments", "translate_pending",
    # `generate.py translate` and `generate.py translate --prune`
    "translate_command", "prune_command",
]
