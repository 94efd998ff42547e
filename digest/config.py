"""Site configuration: `site.toml` at the project root -> Config."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from digest.translate import BACKENDS, KEY_ENV, TranslatorConfig

LANGUAGES = ("ar", "en")
MAX_FILE_BYTES_LIMIT = 100_000_000  # the largest max_file_bytes accepted: each content file is read whole


class ConfigError(Exception):
    """The config file is missing a value or holds a wrong one; the message names the file and key."""


@dataclass(frozen=True)
class Config:
    root: Path  # project root: templates/, static/ and the translation memory are found from here
    content_dir: Path
    output_dir: Path
    templates_dir: Path
    static_dir: Path
    base_url: str  # always ends with "/"
    titles: dict[str, str] = field(default_factory=dict)  # language -> site title
    descriptions: dict[str, str] = field(default_factory=dict)
    per_page: int = 20  # articles per home/archive page
    feed_items: int = 50
    summary_words: int | None = 60
    summary_sentences: int | None = None
    translator: TranslatorConfig = field(default_factory=TranslatorConfig)
    max_file_bytes: int = 2_000_000
    config_path: Path | None = None
    # Publishing mode, from the command line (build --drafts/--future, serve): which held-back articles are published.
    drafts: bool = False  # articles with `draft: true`
    future: bool = False  # articles dated in the future (scheduled)
    # [sections]: (Arabic name, English name or None, URL slug or None) per entry, as written (digest/site/sections.py)
    sections: tuple[tuple[str, str | None, str | None], ...] = ()

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: "/" at a domain root, "/repo/" on a GitHub project page."""
        from urllib.parse import urlsplit

        return urlsplit(self.base_url).path or "/"


# Characters a base URL may not hold: it is written into every page, feed, sitemap and robots.txt, so a line break
# could forge a robots.txt line and a quote or '<' would be markup wherever a writer forgot to escape. urlsplit
# silently drops tabs and newlines, so they are looked for in the text itself. Anything else non-ASCII is refused
# too: write it percent-encoded (or the host in punycode).
_URL_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]")


def _normalise_base_url(url: str, where: str) -> str:
    """An absolute http(s) URL ending in "/": canonical links and RSS <link>s must be absolute."""
    from urllib.parse import urlsplit

    url = url.strip()
    parts = urlsplit(url)
    bad = _URL_UNSAFE.search(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in 0-65535
    except ValueError:
        bad = bad or True
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or bad
            or parts.username is not None or not url.lower().startswith(("http://", "https://"))):
        why = f" (it holds {bad.group()!r})" if hasattr(bad, "group") else ""
        raise ConfigError(f"{where}: base URL {url!r} is not an absolute http(s) address{why}; give one like "
                          "https://user.github.io/repo/ (ASCII, no spaces, quotes or angle brackets, no user name; "
                          "percent-encode other characters)")
    return url if url.endswith("/") else url + "/"


def _check_backend(name: str, where: str) -> str:
    if name not in BACKENDS:
        raise ConfigError(f"{where}: unknown translator {name!r}; choose one of {', '.join(BACKENDS)}")
    return name


def _get(table: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any, where: str) -> Any:
    value = table.get(key, default)
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):  # true is an int
        raise ConfigError(f"{where}: '{key}' should be {getattr(kind, '__name__', kind)}, got {value!r}")
    if value is not None and not isinstance(value, kind):
        raise ConfigError(f"{where}: '{key}' should be {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


# Every table and key site.toml may hold: anything else is a typo that would otherwise be ignored without a word.
KNOWN_KEYS = {
    "": {"site", "translator", "sections"},
    "site": {"base_url", "content_dir", "output_dir", "per_page", "feed_items", "summary_words", "summary_sentences",
             "max_file_bytes", "ar", "en"},
    "site.ar": {"title", "description"},
    "site.en": {"title", "description"},
    "translator": {"backend", "url", "timeout", "retries", "concurrency", "memory_dir"},
}


def _check_keys(data: dict[str, Any], where: str) -> None:
    mistakes = []
    for table, known in KNOWN_KEYS.items():
        values: Any = data
        for part in filter(None, table.split(".")):
            values = values.get(part, {}) if isinstance(values, dict) else {}
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: [{table}] should be a table of keys")
        for key in sorted(set(values) - known):
            place = f"in [{table}]" if table else "at the top level"
            mistakes.append(f"unknown key '{key}' {place} (known there: {', '.join(sorted(known))})")
    if mistakes:
        raise ConfigError(f"{where}: " + "; ".join(mistakes) + "; check the spelling")


def _sections(table: Any, where: str) -> tuple[tuple[str, str | None, str | None], ...]:
    """[sections]: "Arabic name" = { en = "English name", slug = "url-name" } (either key optional), or
    "Arabic name" = "English name". Checked here so that a wrong entry stops the build with one line."""
    from digest.read import slugify

    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [sections] should be a table of \"Arabic name\" = {{ en = ..., slug = ... }}")
    out = []
    for name, value in table.items():
        place = f"{where}: [sections] {name!r}"
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, dict) or not name.strip():
            raise ConfigError(f"{place} should be {{ en = \"English name\", slug = \"url-name\" }} or a string")
        unknown = sorted(set(value) - {"en", "slug"})
        if unknown:
            raise ConfigError(f"{place}: unknown key '{unknown[0]}' (known there: en, slug)")
        en, slug = value.get("en"), value.get("slug")
        for key, text in (("en", en), ("slug", slug)):
            if text is not None and (not isinstance(text, str) or not text.strip()):
                raise ConfigError(f"{place}: '{key}' should be a non-empty string, got {text!r}")
        if slug is not None and (slug != slugify(slug) or not slug.isascii()):
            raise ConfigError(f"{place}: slug {slug!r} is not a URL name; use lower-case letters, digits and '-' "
                              f"(e.g. {slugify(slug.lower())!r})")
        out.append((" ".join(name.split()), " ".join(en.split()) if en else None, slug))
    return tuple(out)


def translator_problem(translator: TranslatorConfig) -> str | None:
    """What keeps the chosen backend from ever working (a setting, not the network), or None. Checked by the
    commands that may send text, before any work; a dry run or a prune needs none of it."""
    import os
    from urllib.parse import urlsplit

    name = translator.backend
    if name == "libre" and not translator.url:
        return ("translator 'libre' needs the address of a LibreTranslate server: --translator-url "
                "http://HOST:PORT/ (or url in [translator] of site.toml)")
    if name == "libre" and (urlsplit(translator.url).scheme not in ("http", "https")
                            or not urlsplit(translator.url).hostname):
        return f"translator URL {translator.url!r} is not an absolute http(s) address, e.g. http://127.0.0.1:5000/"
    if name in ("deepl", "microsoft") and not os.environ.get(KEY_ENV[name]):
        return (f"translator '{name}' needs its API key in the environment variable {KEY_ENV[name]} "
                "(or use --translator none to publish from the translation memory only)")
    return None


def load_config(path: Path | None = None, *, root: Path | None = None, **overrides: Any) -> Config:
    """Read site.toml (every key optional) and apply command-line overrides (None means 'not given').
    A config file named explicitly must exist; without one, root/site.toml is read if it is there."""
    root = (root or (path.parent if path else Path.cwd())).resolve()
    if path is not None and not path.exists():
        raise ConfigError(f"{path}: no such config file")
    path = path or root / "site.toml"
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except RecursionError:  # tomllib recurses once per nested array or inline table
            raise ConfigError(f"{path}: arrays or inline tables nested too deeply to read; site.toml holds "
                              "plain 'key = value' lines") from None
    where = str(path)
    _check_keys(data, where)
    site = data.get("site", {})
    tr = data.get("translator", {})
    titles = {lang: _get(site.get(lang, {}), "title", str, default, where)
              for lang, default in (("ar", "موجز الأخبار"), ("en", "News Digest"))}
    descriptions = {lang: _get(site.get(lang, {}), "description", str, "", where) for lang in LANGUAGES}
    translator = TranslatorConfig(
        backend=_check_backend(_get(tr, "backend", str, "google", where), f"{where}: [translator] backend"),
        url=_get(tr, "url", str, None, where) or None,
        timeout=float(_get(tr, "timeout", (int, float), 10, where)),
        retries=int(_get(tr, "retries", int, 3, where)),
        concurrency=int(_get(tr, "concurrency", int, 4, where)),
        memory_dir=str(root / _get(tr, "memory_dir", str, "translations", where)),
    )
    config = Config(
        root=root,
        content_dir=root / _get(site, "content_dir", str, "content", where),
        output_dir=root / _get(site, "output_dir", str, "output", where),
        templates_dir=root / "templates",
        static_dir=root / "static",
        base_url=_normalise_base_url(_get(site, "base_url", str, "https://example.github.io/digest/", where),
                                     f"{where}: [site] base_url"),
        titles=titles,
        descriptions=descriptions,
        per_page=_get(site, "per_page", int, 20, where),
        feed_items=_get(site, "feed_items", int, 50, where),
        summary_words=_get(site, "summary_words", int, 60, where),
        summary_sentences=_get(site, "summary_sentences", int, None, where),
        max_file_bytes=_get(site, "max_file_bytes", int, 2_000_000, where),
        translator=translator,
        config_path=path if path.exists() else None,
        sections=_sections(data.get("sections", {}), where),
    )
    for name, minimum, maximum in (("per_page", 1, None), ("feed_items", 1, None), ("summary_words", 1, None),
                                   ("summary_sentences", 1, None), ("max_file_bytes", 1, MAX_FILE_BYTES_LIMIT)):
        value = getattr(config, name)
        if value is not None and value < minimum:
            raise ConfigError(f"{where}: '{name}' must be at least {minimum}, got {value}")
        if value is not None and maximum is not None and value > maximum:
            raise ConfigError(f"{where}: '{name}' must be at most {maximum:,} (a file that size is read into "
                              f"memory whole), got {value:,}")
    tr = config.translator
    if not (0 < tr.timeout <= 3600) or not (0 <= tr.retries <= 100) or not (1 <= tr.concurrency <= 64):
        raise ConfigError(f"{where}: [translator] timeout must be over 0 and at most 3600 seconds, retries 0 to "
                          f"100 and concurrency 1 to 64; got {tr.timeout}, {tr.retries}, {tr.concurrency}")
    return apply_overrides(config, **overrides)


def apply_overrides(config: Config, *, content: str | Path | None = None, output: str | Path | None = None,
                    base_url: str | None = None, translator: str | None = None,
                    translator_url: str | None = None, drafts: bool | None = None,
                    future: bool | None = None) -> Config:
    """Command-line values win over the file."""
    changes: dict[str, Any] = {}
    if content is not None:
        changes["content_dir"] = Path(content).resolve()
    if output is not None:
        changes["output_dir"] = Path(output).resolve()
    if base_url is not None:
        changes["base_url"] = _normalise_base_url(base_url, "--base-url")
    if drafts is not None:
        changes["drafts"] = drafts
    if future is not None:
        changes["future"] = future
    tr = config.translator
    if translator is not None:
        tr = replace(tr, backend=_check_backend(translator, "--translator"))
    if translator_url is not None:
        tr = replace(tr, url=translator_url)
    changes["translator"] = tr
    return replace(config, **changes)
