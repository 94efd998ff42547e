"""The pipeline, in one place: load -> summarize -> translate -> render -> feeds -> write."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from .articles import load_content
from .config import Config
from .feeds import rss_feed, sitemap
from .model import Article, English, Problem, Summary
from .output import StagedOutput
from .render import OTHER, ArticleView, PageRenderer, article_views, feed_path, home_path, sort_key
from .summarize import summarize
from .translate import english_for, segments_for, translate_segments

# Exit codes of `generate.py build` (documented in the README).
EXIT_OK, EXIT_FAILED, EXIT_SKIPPED, EXIT_STRICT = 0, 1, 3, 4


@dataclass
class BuildReport:
    published: int = 0
    english: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)  # source paths of articles with no English page
    translation: object | None = None  # translate.TranslationReport
    pages: int = 0
    seconds: float = 0.0

    def exit_code(self, strict: bool) -> int:
        if strict and (self.warnings or self.untranslated):
            return EXIT_STRICT
        return EXIT_SKIPPED if self.skipped else EXIT_OK


Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def summarize_all(config: Config, articles: list[Article]) -> dict[str, Summary]:
    return {a.slug: summarize(a, sentences=config.summary_sentences,
                              words=None if config.summary_sentences else config.summary_words)
            for a in articles}


def translate_all(config: Config, articles: list[Article], summaries: dict[str, Summary], humans: dict,
                  log: Log) -> tuple[dict[str, English], object]:
    needed: dict[str, None] = {}  # ordered set: first-seen order keeps requests in document order
    for a in articles:
        for segment in segments_for(a, summaries[a.slug], humans.get(a.slug)):
            needed.setdefault(segment)
    machine, report = translate_segments(list(needed), config.translator)
    english = {a.slug: english_for(a, summaries[a.slug], humans.get(a.slug), machine) for a in articles}
    return english, report


def build(config: Config, *, log: Log = _stderr, quiet: bool = False) -> BuildReport:
    """Build the whole site into config.output_dir, atomically. Bad articles are reported, not fatal."""
    started = time.perf_counter()
    report = BuildReport()
    say = (lambda m: None) if quiet else log

    articles, humans, problems = load_content(config.content_dir)
    report.skipped = [p for p in problems if p.severity == "error"]
    report.warnings = [p for p in problems if p.severity != "error"]
    articles.sort(key=sort_key, reverse=True)
    say(f"loaded {len(articles)} articles from {config.content_dir}"
        + (f" ({len(report.skipped)} skipped)" if report.skipped else ""))

    summaries = summarize_all(config, articles)
    english, report.translation = translate_all(config, articles, summaries, humans, say)

    views: dict[str, list[ArticleView]] = {"ar": [], "en": []}
    for article in articles:
        for lang, view in article_views(config, article, summaries[article.slug], english[article.slug]).items():
            views[lang].append(view)
    report.untranslated = [a.source_path for a in articles if not english[a.slug].complete]
    report.published, report.english = len(views["ar"]), len(views["en"])

    renderer = PageRenderer(config)
    published = {a.slug: a.published for a in articles}
    stage = StagedOutput(config.output_dir)
    try:
        for lang in ("ar", "en"):
            for view in views[lang]:
                stage.write(view.path, renderer.article_page(view))
            stage.write_all(renderer.home_pages(lang, views[lang]))
            stage.write(feed_path(lang), rss_feed(config, lang, views[lang], published))
        stage.write("404.html", renderer.not_found_page())
        stage.write("sitemap.xml", sitemap(config, _sitemap_groups(config, views)))
        stage.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n".encode())
        stage.write(".nojekyll", b"")
        stage.copy_tree(config.static_dir, "static")
        report.pages = len(stage.written)
        stage.commit()
    except BaseException:
        stage.discard()
        raise
    report.seconds = time.perf_counter() - started
    return report


def _sitemap_groups(config: Config, views: dict[str, list[ArticleView]]) -> list[dict[str, str]]:
    per_page = config.per_page
    groups: list[dict[str, str]] = [{"ar": home_path("ar"), "en": home_path("en")}]
    for lang in ("ar", "en"):
        pages = max(1, -(-len(views[lang]) // per_page))
        groups += [{lang: home_path(lang, n)} for n in range(2, pages + 1)]
    english_slugs = {v.slug for v in views["en"]}
    for view in views["ar"]:
        group = {"ar": view.path}
        if view.slug in english_slugs:
            group["en"] = view.other_path
        groups.append(group)
    return groups


def print_report(report: BuildReport, config: Config, log: Log = _stderr) -> None:
    """The closing lines of a build: what was published, what was skipped and why, what lacks English."""
    for problem in report.skipped + report.warnings:
        log(str(problem))
    if report.untranslated:
        log(f"{len(report.untranslated)} article(s) have no English translation yet (no English page or feed item):")
        for path in report.untranslated:
            log(f"  untranslated: {path}")
    tr = report.translation
    if tr is not None and getattr(tr, "backend_down", False):
        log(f"translator '{config.translator.backend}' could not be reached; "
            "pending translations will be requested on the next build")
    log(f"published {report.published} articles ({report.english} in English), skipped {len(report.skipped)}, "
        f"warnings {len(report.warnings)}; {report.pages} files in {config.output_dir} in {report.seconds:.2f}s")
