"""What the readers report. ArticleError refuses a file (str() names the problem, .line the line where that
helps); Notes collects the warnings of a file that is still published, to become at most one Problem per file."""
from __future__ import annotations

from digest.model import Problem


class ArticleError(Exception):
    """A content file that cannot be published; str() names the problem, .line where it helps."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class Notes:
    """Warnings collected while reading one file: (line or None, message)."""

    def __init__(self) -> None:
        self.items: list[tuple[int | None, str]] = []

    def add(self, message: str, line: int | None = None) -> None:
        if all(message != known for _, known in self.items):  # the same finding twice: the first line says it
            self.items.append((line, message))

    def problems(self, rel: str) -> tuple[Problem, ...]:
        """One warning per file (several are joined), so every file gets at most one line in the report."""
        if not self.items:
            return ()
        if len(self.items) == 1:
            line, message = self.items[0]
            return (Problem(rel, message, "warning", line),)
        joined = "; ".join(f"line {line}: {m}" if line else m for line, m in self.items)
        return (Problem(rel, f"{len(self.items)} warnings: {joined}", "warning", None),)
