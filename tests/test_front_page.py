"""The front page: the newest story leads (large, with its image), other teasers are headline, section, time and
the summary's first sentence or two; the full summary stays on the article page."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from digest.build.pipeline import build
from digest.site.frontend import TEASER_WORDS, teaser_text
from front_site import STORIES, write_front_content


def test_a_teaser_keeps_whole_sentences_within_the_budget():
    assert teaser_text("One two three. Four five six. Seven eight.") == "One two three. Four five six."
    # A second sentence that would pass the budget is left for the article page.
    assert teaser_text("Short start. " + "Word " * 40 + "end.", words=30) == "Short start."
    arabic = "افتتحت الوزارة مدرسة جديدة اليوم. وتستوعب المدرسة خمسمائة طالب. وقال المتحدث إنها مجهزة."
    assert teaser_text(arabic) == "افتتحت الوزارة مدرسة جديدة اليوم. وتستوعب المدرسة خمسمائة طالب."
    assert teaser_text("") == "" and teaser_text(None) == ""


def test_a_first_sentence_far_over_the_budget_is_cut_at_a_word():
    long_sentence = " ".join(f"كلمة{i}" for i in range(80)) + "."
    text = teaser_text(long_sentence)
    assert text.endswith("…") and len(text.split()) == TEASER_WORDS
    slightly_long = " ".join(f"w{i}" for i in range(40)) + "."  # within 1.5 x the budget: kept whole
    assert teaser_text(slightly_long) == slightly_long


@pytest.fixture
def front(tmp_path, make_config):
    content = tmp_path / "content"
    write_front_content(content)
    config = replace(make_config(content), per_page=4)
    report = build(config, quiet=True)
    assert report.published == len(STORIES) and report.english == len(STORIES) and not report.warnings
    return config


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_newest_story_leads_page_one_only(front, lang):
    out = front.output_dir
    page = (out / lang / "index.html").read_text(encoding="utf-8")
    assert page.count('<article class="lead') == 1
    lead = page[page.index('<article class="lead'):page.index("</article>", page.index('<article class="lead'))]
    assert 'href="port/index.html"' in lead and 'class="lead-title"' in lead
    assert '<img class="lead-image" src="../media/images/port.png"' in lead and 'loading="lazy"' not in lead
    assert "11:20" in lead
    assert '<article class="lead' not in (out / lang / "page/2/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_other_teasers_show_section_time_and_a_short_summary(front, lang):
    out = front.output_dir
    page = (out / lang / "index.html").read_text(encoding="utf-8")
    rain = next(s for s in STORIES if s[0] == "rain")
    body = rain[6] if lang == "ar" else rain[7]
    first_two = " ".join(re.split(r"(?<=\.) ", body)[:2])
    teaser = page[page.index('href="rain/index.html"') - 300:page.index('href="rain/index.html"') + 800]
    assert (("طقس" if lang == "ar" else "Weather") in teaser and "08:05" in teaser
            and 'datetime="2024-05-03T08:05:00+03:00"' in teaser)
    assert f"<p>{first_two}</p>" in teaser.replace("<bdi>", "").replace("</bdi>", "")
    assert body.split(". ")[2] not in page  # the third sentence: only on the article page
    article = (out / lang / "rain" / "index.html").read_text(encoding="utf-8")
    assert body.split(". ")[2] in article
    farm = page[page.index('href="farm/index.html"') - 400:page.index('href="farm/index.html"')]
    assert '<img class="thumb" src="../media/images/farm.png"' in farm and 'loading="lazy"' in farm
