"""Read stage: the articles of the content folder, each parsed only when its file changed (by content hash).

load_content (digest/read) does the reading; this stage gives it a cached load_article: an unchanged file comes
back as the stub the build state kept (an article without its body), a file the store has seen (an edit undone)
from the store, and only the rest is parsed, in worker processes when there are many. Human translation files
(<stem>.en.md) are parsed once per content hash too; their reading notes are replayed.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple

from digest.build.fingerprints import quick_hash
from digest.build.renderpool import parallel
from digest.build.shards import unpack_article
from digest.build.store import cache_dir
from digest.config import Config
from digest.model import Article, Problem
from digest.read import (CANNOT_READ, ImageFile, Notes, image_file, load_article, load_content, load_human_translation,
                         relative_to, resized_image, settings_version)
from digest.site.render import sort_key


class Source(NamedTuple):
    articles: list[Article]  # newest first; bodies only for the articles parsed by this build
    humans: dict  # slug -> cache key of its human translation (the parsed file is read from the store when needed)
    akeys: dict[str, str]  # source path -> article cache key
    fresh: dict  # article key -> Article (or the exception) read or parsed by this build; "H:<key>" -> human file
    human_paths: dict[str, str]  # human translation key -> its file (scan_content's path string)
    images: dict  # path below content/ -> ImageFile, or why that image cannot be published (digest/read/images.py)


def read(config: Config, memo, report, clock, scanned: tuple | None = None) -> Source:
    """Every article of the content folder, newest first; bad files become the report's skipped/warnings.
    `scanned`: only these files of the scan (an edit build reads the edited articles alone, digest/build/edits.py)."""
    source, problems, parsed = _load(config, memo, scanned)
    report.skipped = [p for p in problems if p.severity == "error"]
    report.warnings = [p for p in problems if p.severity != "error"]
    report.warnings += _image_problems(source)
    source.articles.sort(key=sort_key, reverse=True)
    n = len(source.articles)
    clock.done("load", f"{n} articles from {config.content_dir}"
               + (f", {len(report.skipped)} skipped" if report.skipped else "")
               + f" ({parsed} parsed, {n - min(parsed, n)} cached)")
    clock.check()
    return source


def _load(config: Config, memo, scanned: tuple | None) -> tuple[Source, list, int]:
    """load_content with a cached load_article: unchanged files give back their cached Article."""
    state, store, inputs = memo.state, memo.store, memo.inputs
    scanned = scanned or inputs.scanned
    fp, files, paths = inputs.fp, inputs.files, scanned[0]
    GIT_TIMES.clear()
    GIT_TIMES.update(inputs.git_times)  # read by _parse_one, in this process or in forked workers
    rel_of = relative_to(config.content_dir)
    whens = inputs.whens if scanned is inputs.scanned else {rel_of(p): inputs.whens[rel_of(p)] for p in paths
                                                             if rel_of(p) in inputs.whens}
    akeys: dict[str, str] = {rel: quick_hash(fp["article"], rel, files[rel][4], repr(when))
                             for rel, when in whens.items()}
    known = {k: unpack_article(state.stubs[k]) for k in akeys.values() if k in state.stubs}
    key_of = {p: akeys.get(rel_of(p)) for p in paths}  # path -> cache key (None: not scanned)
    misses = [p for p in paths if key_of[p] not in known]
    from_store = store.get_many(f"A:{key_of[p]}" for p in misses if key_of[p] is not None)
    fresh: dict[str, object] = {}
    need_parse = []
    for p in misses:
        k = key_of[p]
        if k is not None and f"A:{k}" in from_store:
            fresh[k] = from_store[f"A:{k}"]
        else:
            need_parse.append(p)
    for path, result in parallel(_parse_one, [(p, str(config.content_dir), config.max_file_bytes)
                                               for p in need_parse]):
        k = akeys.get(rel_of(path))
        if k is not None:
            fresh[k] = result
            if not isinstance(result, BaseException):
                store.put(f"A:{k}", result)

    def cached_load(path: str, content_dir: Path, *args, **kwargs):
        k = key_of.get(path)  # load_content passes the same scanned paths
        if k in known:
            return known[k]
        value = fresh.get(k) if k is not None else None
        if value is None:
            return load_article(path, content_dir, *args, **kwargs)
        if isinstance(value, BaseException):
            raise value
        return value

    human_notes: dict[str, tuple] = {}
    human_paths: dict[str, str] = {}

    def cached_human(path: str, content_dir: Path, notes: Notes, *, max_bytes: int) -> str:
        """The cache key of a human translation file (parsed, and put in the store, only when it changed); its
        reading notes are replayed, as parsing would give them."""
        rel = rel_of(path)
        k = quick_hash(fp["article"], "human", rel, files[rel][4]) if rel in files else None
        if k is None or k not in state.humans:
            mine = Notes()
            human = load_human_translation(path, content_dir, mine, max_bytes=max_bytes)
            if k is None:  # not scanned (vanished meanwhile): no key to keep it under
                k = quick_hash("unscanned", rel, repr(human))
            fresh[f"H:{k}"] = human
            store.put(f"H:{k}", human)
            state.humans[k] = tuple(mine.items)
        for line, message in state.humans[k]:
            notes.add(message, line)
        human_notes[k], human_paths[k] = state.humans[k], path
        return k

    articles, humans, problems = load_content(config.content_dir, max_bytes=config.max_file_bytes, load=cached_load,
                                              scanned=scanned, git_times=inputs.git_times,
                                              load_human=cached_human)
    images = _images(config, memo, articles, prune=scanned is inputs.scanned)
    source = Source(articles, humans, akeys, fresh, human_paths, images)
    memo.keep_articles(source, human_notes)
    return source, problems, len(need_parse)


def _images(config: Config, memo, articles: list[Article], prune: bool = True) -> dict:
    """What each image the articles use is (type, upright size in pixels, its resized copies), found once per
    content hash and copy settings (kept in the store, the copies in the cache folder), or why it cannot be
    published. Copies are made in worker processes when there are several images to resize. `prune`: `articles`
    are all the site's, so copies of images none of them uses may go."""
    files, store = memo.inputs.files, memo.store
    wanted = sorted({rel for a in articles for rel in a.images})
    shas = {rel: files[rel][4] for rel in wanted if rel in files}
    if not shas:
        return {rel: "is not in the content folder" for rel in wanted}
    settings = copies_settings()
    known = store.get_many(f"I:{sha}:{settings}" for sha in set(shas.values()) if not sha.startswith("refused:"))
    probed: dict[str, object] = {}
    for rel in wanted:
        sha = shas.get(rel)
        if sha is not None and f"I:{sha}:{settings}" not in known and sha not in probed:
            probed[sha] = image_file(config.content_dir, rel, sha)
    to_resize = [(str(copies_dir(config)), str(config.content_dir), found) for found in probed.values()
                 if isinstance(found, ImageFile)]
    for found in parallel(resized_image, to_resize, min_items=4):
        known[f"I:{found.sha}:{settings}"] = found
        if not found.problem.startswith(CANNOT_READ):  # a file that could not be read is tried again next build
            store.put(f"I:{found.sha}:{settings}", found)
    if to_resize and prune:  # copies were made: those of images no article uses any more (or of other settings) go
        prune_copies(copies_dir(config), set(shas.values()))
    out: dict = {}
    for rel in wanted:
        sha = shas.get(rel)
        found = known.get(f"I:{sha}:{settings}", probed.get(sha, "is not in the content folder"))
        out[rel] = found._replace(rel=rel) if isinstance(found, ImageFile) else found
    return out


def copies_settings() -> str:
    """A short hash of how resized copies are made (widths, qualities, Pillow's version): their cache keys."""
    return quick_hash(settings_version())[:16]


def copies_dir(config: Config) -> Path:
    """The cache folder of resized copies, one subfolder per copies_settings."""
    return cache_dir(config.output_dir) / "sized" / copies_settings()


def prune_copies(folder: Path, shas: set[str]) -> None:
    """Drop the copies of images not in `shas` and the folders of other settings (run only when copies were
    made, so a build that resizes nothing lists no folder)."""
    for other in folder.parent.iterdir() if folder.parent.is_dir() else ():
        if other != folder and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    for copy in folder.iterdir() if folder.is_dir() else ():
        if copy.name.rsplit("-", 1)[0] not in shas:
            copy.unlink(missing_ok=True)


def _image_problems(source: Source) -> list[Problem]:
    """One warning per article and image it uses that cannot be published (its page shows the alt text)."""
    problems = [Problem(a.source_path, f"image {rel!r} {source.images[rel]}; not shown", "warning")
                for a in source.articles for rel in a.images if not isinstance(source.images[rel], ImageFile)]
    # An image that could not be resized is published as it is: one line naming the image file itself.
    problems += [Problem(rel, f"image {image.problem}; published as it is, without smaller copies", "warning")
                 for rel, image in sorted(source.images.items()) if isinstance(image, ImageFile) and image.problem]
    return problems


GIT_TIMES: dict[str, int] = {}  # rel path -> first commit time, for parsing in forked workers


def _parse_one(path: str, content_dir: str, max_bytes: int):
    try:
        return path, load_article(Path(path), Path(content_dir), GIT_TIMES, max_bytes=max_bytes)
    except Exception as exc:  # re-raised by cached_load inside load_content, which reports it
        return path, exc


def full_article(config: Config, article: Article) -> Article:
    """An article parsed again from its file (its body was not kept anywhere)."""
    return load_article(config.content_dir / article.source_path, config.content_dir, GIT_TIMES,
                        max_bytes=config.max_file_bytes)
