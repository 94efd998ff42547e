"""Hostile input, round 3: attacks from a held-out set the earlier rounds were not tuned for (each fixture here is
a minimal form of one that broke a build): git's lazy fetch from a partial clone's promisor remote, file names
that are not UTF-8, config values that crashed the build or refused every article, base URLs that carried markup
or line breaks, quadratic Markdown and summary paths, and memory shards that together exceeded the memory bound."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from digest.read import git_first_commit_times
from hostile_fixtures import AR_BODY, md, wire

GOOD = wire("عام / الخبر السليم بجوار الهجمات", AR_BODY)


def _git(folder: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                           *args], capture_output=True, text=True, env=env, **kw)


def test_a_partial_clone_never_fetches_from_its_promisor_remote(tmp_path):
    """A content folder's repository says it is a partial clone whose promisor remote is `ext::<script>` (and
    allows the ext protocol itself), with the first commit's tree missing: plain git runs the script to fetch it
    (the control); the build's git call fetches nothing, so nothing runs."""
    content, marker = tmp_path / "content", tmp_path / "PWNED"
    content.mkdir()
    script = tmp_path / "evil.sh"
    script.write_text(f'#!/bin/sh\necho ran >> "{marker}"\n')
    script.chmod(0o755)
    (content / "a.txt").write_text(GOOD, encoding="utf-8")
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "first"]):
        _git(content, *args, check=True)
    (content / "b.txt").write_text(GOOD, encoding="utf-8")
    for args in (["add", "."], ["commit", "-q", "-m", "second"]):
        _git(content, *args, check=True)
    tree = _git(content, "rev-parse", "HEAD~1^{tree}", check=True).stdout.strip()
    (content / ".git" / "objects" / tree[:2] / tree[2:]).unlink()  # objects of a fresh repository are loose
    for key, value in (("core.repositoryformatversion", "1"), ("extensions.partialClone", "origin"),
                       ("remote.origin.promisor", "true"), ("remote.origin.url", f"ext::{script}"),
                       ("protocol.allow", "always"), ("protocol.ext.allow", "always")):
        _git(content, "config", key, value, check=True)
    _git(content, "log", "--name-only", "--", ".")
    assert marker.exists(), "control: plain git log runs the promisor remote's command"
    marker.unlink()
    git_first_commit_times(content)
    assert not marker.exists()
