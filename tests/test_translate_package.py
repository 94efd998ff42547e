"""digest.translate as a package: its public interface, and that importing it does not import the build."""
from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_every_public_name_is_there():
    import digest.translate as package

    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert not missing
    assert len(set(package.__all__)) == len(package.__all__)


def test_code_outside_the_package_imports_its_public_interface():
    """Outside digest/translate (tests aside), translation is reached through digest/translate/__init__.py, so its
    modules can be rearranged without touching the rest of the program; and every name used is exported."""
    import digest.translate as package

    submodule = re.compile(r"^\s*(?:from|import)\s+digest\.translate\.", re.MULTILINE)
    files = [p for folder in ("digest", "bench", "scripts") for p in (ROOT / folder).rglob("*.py")
             if "translate" not in p.relative_to(ROOT).parts[:2]] + [ROOT / "generate.py"]
    offenders, imported = [], set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        if submodule.search(text):
            offenders.append(str(path.relative_to(ROOT)))
        for match in re.finditer(r"from\s+digest\.translate\s+import\s+(\([^)]*\)|[^\n]*)", text):
            names = re.sub(r"#[^\n]*", "", match.group(1)).strip("()")
            imported.update(n.strip() for n in names.split(",") if n.strip())
    assert not offenders
    assert imported, "the scan found no importer: the pattern is wrong"
    assert imported <= set(package.__all__), imported - set(package.__all__)


def test_importing_translation_does_not_import_the_build():
    """digest.build imports digest.translate (the pipeline's translate step); the other way round happens only
    inside functions, so the two packages' __init__ files can import what they like without an import cycle."""
    code = ("import sys, digest.translate, digest.config; "
            "print(sorted(m for m in sys.modules if m.startswith('digest.build')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
