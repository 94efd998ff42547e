#!/usr/bin/env python3
"""Run the W3C Feed Validator over the built feeds, offline.

The validator is not vendored (it is not ours to ship): clone https://github.com/w3c/feedvalidator somewhere,
create a venv with lxml, html5lib and rdflib (scripts/quality.sh does both steps but the clone), then:

    /path/to/venv/bin/python scripts/validate_feeds.py /path/to/feedvalidator output/ar/feed.xml output/en/feed.xml

Each feed is validated as if served from its own atom:link rel="self" URL, so the self-reference check is real.
Exit status 1 when any feed has an error or warning at the online validator's level ("AA").
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


def self_url(raw: bytes) -> str:
    """The feed's own URL (atom:link rel="self"), where it is served from."""
    try:
        for link in ET.fromstring(raw).iter(ATOM_LINK):
            if link.get("rel") == "self" and link.get("href"):
                return link.get("href")
    except ET.ParseError:
        pass  # the validator reports it
    return "http://example.org/feed.xml"


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, str(Path(argv[0]) / "src"))
    import feedvalidator
    from feedvalidator import compatibility
    from feedvalidator.formatter.text_plain import Formatter

    failed = False
    for name in argv[1:]:
        raw = Path(name).read_bytes()
        base = self_url(raw)
        try:
            events = feedvalidator.validateString(raw, firstOccurrenceOnly=1, base=base)["loggedEvents"]
        except feedvalidator.logging.ValidationFailure as failure:
            events = [failure.event]
        messages = Formatter(compatibility.AA(events))
        print(f"{name}: " + ("valid" if not messages else f"{len(messages)} problem(s)"))
        for line in messages:
            print("  " + line)
        failed = failed or bool(messages)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
