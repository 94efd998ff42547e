"""When an article was published, from what gives it, best first: the front matter's date, the wire dateline
(with a time line when there is one: see wire.py), the file's first git commit, its modification time. A date
without a time of day is placed at 13:00 Mecca time. git runs with every configuration that could start a program
neutralised (a content folder may carry its own .git)."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

from digest.read.problems import ArticleError


MECCA = dt.timezone(dt.timedelta(hours=3), "AST")
# A date without a time of day is placed at 13:00 Mecca time (10:00 UTC): the same calendar day for every reader
# from UTC-10 (00:00, Hawaii) to UTC+13 (23:00, New Zealand summer), so a feed reader in the Americas or the
# Pacific shows the dateline's day. (Midday Mecca time, 09:00 UTC, would already be the day before in Hawaii.)
DATE_ONLY_TIME = dt.time(13, 0)


def date_only_moment(day: dt.date) -> dt.datetime:
    """A date with no time of day, as a moment that is the same calendar day for readers from UTC-10 to UTC+13."""
    return dt.datetime.combine(day, DATE_ONLY_TIME, tzinfo=MECCA)


def front_matter_date(value: object) -> tuple[dt.datetime, bool]:
    """(the moment, whether the front matter gave a time of day)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=MECCA)), True
    if isinstance(value, dt.date):
        return date_only_moment(value), False
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return date_only_moment(dt.date.fromisoformat(text)), False
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ArticleError(f"'date: {value}' is not a date; write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=MECCA)), True
    raise ArticleError(f"'date: {value!r}' is not a date; write it as YYYY-MM-DD")


def fallback_time(path: Path, committed: int | None) -> tuple[dt.datetime, str]:
    if committed is not None:
        return dt.datetime.fromtimestamp(committed, dt.timezone.utc), "git"
    try:
        return dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc), "mtime"
    except (OverflowError, OSError, ValueError):
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc), "mtime"


# A content folder may arrive as an archive with its own .git, whose local config can name programs for git to
# run (gpg.program with log.showSignature, core.fsmonitor, core.pager, diff.external, textconv...). git is only
# ever run with these overridden (command-line -c wins over every config file) and without the system and global
# config files, so nothing a content folder's repository says can run a program.
GIT_NEUTRAL = tuple(arg for key, value in (
    ("log.showSignature", "false"), ("gpg.program", "false"), ("gpg.ssh.program", "false"),
    ("gpg.x509.program", "false"), ("core.fsmonitor", "false"), ("core.pager", "cat"), ("pager.log", "false"),
    ("diff.external", ""), ("core.hooksPath", os.devnull), ("core.sshCommand", "false"),
    ("core.alternateRefsCommand", ""), ("log.mailmap", "false"), ("core.untrackedCache", "false"),
    ("protocol.allow", "never"), ("credential.helper", ""), ("include.path", os.devnull),
) for arg in ("-c", f"{key}={value}"))


def git_environment() -> dict[str, str]:
    """The environment for git: no system or global config, no pager, no prompt, no inherited repository."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_PAGER="cat", PAGER="cat",
               GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_ASKPASS="false", SSH_ASKPASS="false",
               # A partial clone whose objects are missing makes git fetch them from its promisor remote, and the
               # repository config chooses that remote (ext::<command>, a local path with remote.*.uploadpack) and
               # may allow its protocol itself (protocol.ext.allow beats a command-line protocol.allow): never fetch.
               GIT_NO_LAZY_FETCH="1", GIT_ALLOW_PROTOCOL="")
    return env


def git_head(folder: Path) -> str | None:
    """The commit id of HEAD of the repository holding `folder` (None: not in one, or no commit yet): one short
    git call, which tells whether git_first_commit_times can give anything new since it last ran."""
    try:
        out = subprocess.run(["git", "-C", str(folder), *GIT_NEUTRAL, "rev-parse", "--verify", "--quiet", "HEAD"],
                             capture_output=True, text=True, timeout=60, env=git_environment(),
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    head = out.stdout.strip()
    return head if out.returncode == 0 and head else None


def git_first_commit_times(folder: Path) -> dict[str, int]:
    """When each file under `folder` was first committed, by its "/"-separated path below `folder`: one git call
    for the whole folder, and names matched as strings (no per-file path resolution: every build pays this)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), *GIT_NEUTRAL, "-c", "core.quotePath=false", "log", "--no-show-signature",
             "--no-ext-diff", "--no-textconv", "--no-mailmap", "--diff-filter=A", "--format=%x00%ct",
             "--name-only", "--no-renames", "--relative", "--", "."],
            capture_output=True, text=True, timeout=60, check=True, env=git_environment(), stdin=subprocess.DEVNULL,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    times: dict[str, int] = {}
    for chunk in out.split("\x00")[1:]:
        lines = chunk.strip("\n").split("\n")
        stamp = int(lines[0])
        for name in lines[1:]:
            if name:
                times[name] = stamp  # git log is newest first: the last value seen is the first commit
    return times
