"""The fast paths of the render stage give exactly what the general functions they replace give."""
from __future__ import annotations

import posixpath
import random

from digest.site.render import relative_url
from digest.site.safety import _UNSAFE_CHARS, strip_unsafe_chars


def test_relative_url_equals_posixpath_relpath():
    rng = random.Random(7)
    parts = ["ar", "en", "page", "2", "static", "fonts", "x.css", "index.html", "feed.xml", "sitemap.xml", "slug"]
    for _ in range(20000):
        source = "/".join(rng.choice(parts) for _ in range(rng.randrange(1, 5)))
        target = "/".join(rng.choice(parts) for _ in range(rng.randrange(1, 5)))
        assert relative_url(source, target) == posixpath.relpath(target, posixpath.dirname(source) or ".")


def test_strip_unsafe_chars_equals_the_single_class():
    rng = random.Random(8)
    pool = [chr(c) for c in [*range(0, 0x300), *range(0x2020, 0x2070), 0xD800, 0xDFFF, 0xFDCF, 0xFDD0, 0xFDEF,
                             0xFDF0, 0xFFFD, 0xFFFE, 0xFFFF, 0x627]]
    pool += [chr(plane << 16 | low) for plane in range(1, 17) for low in (0, 0xFFFD, 0xFFFE, 0xFFFF)]
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 30)))
        assert strip_unsafe_chars(text) == _UNSAFE_CHARS.sub("", text)


def test_feed_escapes_and_dates_equal_the_standard_library():
    import datetime as dt
    from email.utils import format_datetime
    from xml.sax.saxutils import escape, quoteattr

    from digest.site import feeds

    rng = random.Random(9)
    pool = list("&<>\"'\n\r\t ab;#") + ["\u0627", "\u00e9"]
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 12)))
        assert feeds.escape(text) == escape(text)
        assert feeds.quoteattr(text) == quoteattr(text)
    zones = [None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=3), "AST"), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
    for _ in range(2000):
        when = dt.datetime(rng.randrange(1, 9999), rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24),
                           rng.randrange(60), rng.randrange(60), tzinfo=rng.choice(zones))
        assert feeds.format_datetime(when) == format_datetime(when)
