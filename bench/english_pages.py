"""English pages on unseen content, no network: do articles with a human <stem>.en.md all get an English page
offline, where does their summary come from, and is any Arabic left on English pages?

  .venv/bin/python bench/english_pages.py [--docs N]

Content, made in a temporary folder from ../shared (not in a user's clone):
- N documents of parallel/ (NTREX-128: professional Arabic translations of English news; default all that have
  six sentences or more) as articles with a human <stem>.en.md, two or three sentences a paragraph (the same
  grouping in both languages); half are wire items (category, dateline with a place and an agency code), half
  Markdown (section, place, byline, source);
- the 150 wire articles of corpus/wire, with no English.
Two builds: translator unreachable (LibreTranslate on a closed 127.0.0.1 port), then the fake LibreTranslate of
tests/ answering (it turns each Arabic letter into a Latin one). The memory goes to the temporary folder.
"""
from __future__ import annotations

import argparse
import random
import shutil
import socket
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from digest.read import load_content  # noqa: E402
from digest.build.pipeline import build  # noqa: E402
from digest.config import load_config  # noqa: E402
from digest.translate import aligned_sentences  # noqa: E402
from digest.language import summarize  # noqa: E402
from fake_libretranslate import FakeLibreTranslate  # noqa: E402
from sitecheck import arabic_on_english_pages  # noqa: E402

AGENCY_CODES = ["واس", "وام", "قنا", "كونا", "بنا", "سانا", "واع", "أ ش أ", "بترا", "تسنيم", "إرنا"]
PLACES = ["الرياض", "أبهــا", "دبي", "الدوحة", "الكويت", "المنامة", "دمشق", "بغداد", "القاهرة", "عمّان", "طهران"]
SECTIONS = ["دولي", "سياسة", "اقتصاد", "شؤون دولية", "منوعات", "رياضة"]


GOLD: dict[str, str] = {}  # Arabic sentence (a line of a parallel document) -> its English line


def make_content(folder: Path, docs: int | None) -> int:
    """Parallel documents as articles with human English, plus the wire corpus. Returns how many have English."""
    import yaml

    folder.mkdir()
    rng = random.Random(7)
    made = 0
    for ar in sorted((SHARED / "parallel" / "docs").glob("*.ar.txt")):
        if docs is not None and made >= docs:
            break
        ar_lines = [line.strip() for line in ar.read_text(encoding="utf-8").splitlines()]
        en_lines = [line.strip() for line in ar.with_name(ar.name.replace(".ar.", ".en.")).read_text(
            encoding="utf-8").splitlines()]
        if len(ar_lines) != len(en_lines) or len(ar_lines) < 7:
            continue
        GOLD.update(zip(ar_lines[1:], en_lines[1:]))
        ar_paras, en_paras, i = [], [], 1
        while i < len(ar_lines):
            k = rng.choice((2, 3))
            ar_paras.append(" ".join(ar_lines[i:i + k]))
            en_paras.append(" ".join(en_lines[i:i + k]))
            i += k
        stem = "h-" + ar.name[: -len(".ar.txt")].replace(".", "-")
        section, place, agency = SECTIONS[made % 6], PLACES[made % 11], AGENCY_CODES[made % 11]
        if made % 2 == 0:
            (folder / f"{stem}.txt").write_text(
                f"{section} / {ar_lines[0]}\n{place} 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م {agency}\n"
                + "\n".join(ar_paras) + "\n// انتهى //\n", encoding="utf-8")
        else:
            meta = {"title": ar_lines[0], "date": "2019-05-01", "section": section, "place": place,
                    "byline": "قسم الأخبار الدولية – متابعات", "source": "وكالة الأنباء الكويتية"}
            (folder / f"{stem}.md").write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n"
                                               + "\n\n".join(ar_paras) + "\n", encoding="utf-8")
        (folder / f"{stem}.en.md").write_text(f"---\n{yaml.safe_dump({'title': en_lines[0]})}---\n"
                                              + "\n\n".join(en_paras) + "\n", encoding="utf-8")
        made += 1
    for wire in sorted((SHARED / "corpus" / "wire").glob("*.txt")):
        shutil.copy(wire, folder / wire.name)
    return made


def summary_sources(config) -> tuple[int, int, int, int]:
    """(aligned, lead, right, checked): how the English summaries of the articles with a human body were made,
    and of the aligned sentences that are a whole line of the parallel corpus, how many got that line's English."""
    articles, humans, _ = load_content(config.content_dir)
    aligned = lead = right = checked = 0
    for a in articles:
        human = humans.get(a.slug)
        if human is None or not human.paragraphs:
            continue
        summary = summarize(a, words=config.summary_words)
        english = aligned_sentences(a, summary, human.paragraphs)
        if english is None:
            lead += 1
            continue
        aligned += 1
        for p, s in summary.picks:
            if len(a.paragraphs[p]) > 1 and a.paragraphs[p][s] in GOLD:  # a sentence, not a whole paragraph
                checked += 1
                right += GOLD[a.paragraphs[p][s]] in english
    return aligned, lead, right, checked


def section_figures(output: Path) -> str:
    pages = list((output / "en").glob("*/index.html"))
    with_kicker = sum('<p class="kicker">' in p.read_text(encoding="utf-8") for p in pages)
    feeds = []
    for lang in ("ar", "en"):
        items = ET.parse(output / lang / "feed.xml").getroot().iter("item")
        counted = [(item.find("category") is not None) for item in items]
        feeds.append(f"{lang} feed: {sum(counted)}/{len(counted)} items with <category>")
    return f"English article pages showing a section: {with_kicker}/{len(pages)}; " + ", ".join(feeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=None, help="parallel documents to use (default: all)")
    args = parser.parse_args()
    if not (SHARED / "parallel").is_dir():
        sys.exit(f"english_pages: needs {SHARED}/parallel and corpus/wire (the shared corpora beside the repository)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        humans = make_content(tmp / "content", args.docs)
        config = load_config(ROOT / "site.toml", root=ROOT, content=tmp / "content", output=tmp / "output",
                             translator="libre")
        config = replace(config, feed_items=10_000,
                         translator=replace(config.translator, memory_dir=str(tmp / "memory"), retries=0))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        report = build(replace(config, translator=replace(config.translator, url=dead)), quiet=True)
        human_pages = sum(1 for p in (config.output_dir / "en").glob("h-*/index.html"))
        aligned, lead, right, checked = summary_sources(config)
        print(f"offline: {report.published} articles, {humans} with a human <stem>.en.md; English pages: "
              f"{report.english} ({human_pages}/{humans} of the human ones); their summaries: {aligned} aligned "
              f"sentences, {lead} English lead; English pages with Arabic left: "
              f"{len(arabic_on_english_pages(config.output_dir))}")
        print(f"  aligned sentences picked from inside a paragraph that got the corpus's own English for them: "
              f"{right}/{checked}")
        print(f"  {section_figures(config.output_dir)}")
        with FakeLibreTranslate() as server:
            report = build(replace(config, translator=replace(config.translator, url=server.url)), quiet=True)
            requests = len(server.requests)
        left = arabic_on_english_pages(config.output_dir)
        print(f"fake translator: {report.published} articles, English pages: {report.english}, "
              f"pending: {len(report.untranslated)}, requests: {requests}; English pages with Arabic left: {len(left)}")
        for page, seen in list(left.items())[:5]:
            print(f"  {page}: {seen[:3]}")
        print(f"  {section_figures(config.output_dir)}")


if __name__ == "__main__":
    main()
