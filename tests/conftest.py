"""Shared fixtures: paths to the project and to ../shared, and a helper to build a site into a temp folder."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
WIRE = SHARED / "corpus" / "wire"
sys.path.insert(0, str(ROOT))


@pytest.fixture
def make_config(tmp_path):
    """A Config for a temp content/output folder, using the project's templates and static files."""
    from digest.config import load_config

    def factory(content: Path, **overrides):
        overrides.setdefault("translator", "none")
        config = load_config(ROOT / "site.toml", root=ROOT, content=content,
                             output=overrides.pop("output", tmp_path / "output"), **overrides)
        from dataclasses import replace
        memory = tmp_path / "memory"
        return replace(config, translator=replace(config.translator, memory_dir=str(memory)))

    return factory
