"""What a layered search index (digest/build/searchlayers.py) shows a reader, read from its files the way
static/layered/pagefind.js combines them: the base's pages (all its parts) minus the ids layers.json drops, plus the
delta's pages.
Used by tests/test_search.py, test_incremental.py and test_interrupts.py to compare it with a clean build's."""
from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path


def fragments(bundle: Path) -> dict[str, dict]:
    """Page id -> the fragment Pagefind wrote for it (URL, title, text) in one bundle."""
    out = {}
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        out[path.name.split(".")[0]] = json.loads(data[len(b"pagefind_dcd"):])
    return out


def layers(bundle: Path) -> dict:
    return json.loads((bundle / "delta" / "layers.json").read_text(encoding="utf-8"))


def visible(bundle: Path) -> dict[str, dict]:
    """URL -> fragment of every page a search can return: base pages not dropped and the delta's, one per id (the
    search page drops repeated ids); a URL shown under two ids fails (a search would show it twice)."""
    described = layers(bundle)
    drop = set(described["drop"])
    base = fragments(bundle)
    for part in described.get("parts", []):  # a large base's other parts (searchlayers.index_pages)
        base.update(fragments(bundle / part["path"]))
    shown = {page_id: f for page_id, f in base.items() if page_id not in drop}
    if (bundle / "delta" / "fragment").is_dir():
        shown.update(fragments(bundle / "delta"))
    urls = [f["url"] for f in shown.values()]
    assert len(urls) == len(set(urls)), sorted(u for u in urls if urls.count(u) > 1)
    return {f["url"]: f for f in shown.values()}


def site_tree(root: Path, *, folders: bool = False) -> dict[str, str]:
    """Every output file's hash (and folder, with `folders`); the search index (pagefind/) as what a search shows:
    its bytes depend on the edits made since its base (digest/build/searchlayers.py), what it finds must not."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == "pagefind" or rel.startswith("pagefind/") or (path.is_dir() and not folders):
            continue
        out[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    if (root / "pagefind").is_dir():
        shown = json.dumps(visible(root / "pagefind"), sort_keys=True, ensure_ascii=False).encode("utf-8")
        out["pagefind/ (what a search shows)"] = hashlib.sha256(shown).hexdigest()
    return out
