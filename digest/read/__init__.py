"""Reading content/: wire (.txt) and Markdown (.md) articles and their human translations (.en.md) into
digest.model records, with the problems found on the way. Other packages import from here, not from the modules."""
from digest.read.agencies import AGENCIES, SECTIONS, table_key
from digest.read.articles import (DEFAULT_MAX_BYTES, MAX_HEADLINE_CHARS, ArticleError, HeadlineTooLong, Notes,
                                  git_first_commit_times, load_article, load_content, load_human_translation, read_wire,
                                  relative_to, scan_content)
from digest.read.inputs import InputRefused, read_bounded

__all__ = [
    "AGENCIES", "SECTIONS", "table_key",
    "DEFAULT_MAX_BYTES", "MAX_HEADLINE_CHARS", "ArticleError", "HeadlineTooLong", "Notes", "git_first_commit_times",
    "load_article", "load_content", "load_human_translation", "read_wire", "relative_to", "scan_content",
    "InputRefused", "read_bounded",
]
