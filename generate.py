#!/usr/bin/env python3
"""Bilingual Arabic/English news digest generator: command-line entry point.

  generate.py build                 build output/ from content/
  generate.py summarize FILE|-      print an article's Arabic summary, one sentence per line
  generate.py translate [--dry-run] pre-fill the translation memory (or show what it would cost)
  generate.py new "TITLE"           start a Markdown article in content/, print its path
  generate.py review FILE           write FILE's machine English as its human translation <stem>.en.md
  generate.py --help                every command and option
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _config(args: argparse.Namespace):
    from digest.config import ConfigError, load_config

    try:
        return load_config(Path(args.config) if args.config else None, root=ROOT,
                           content=getattr(args, "content", None), output=getattr(args, "output", None),
                           base_url=getattr(args, "base_url", None),
                           translator=getattr(args, "translator", None),
                           translator_url=getattr(args, "translator_url", None),
                           drafts=getattr(args, "drafts", None), future=getattr(args, "future", None))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2)


def _usage_error(message: str) -> SystemExit:
    print(f"error: {message}", file=sys.stderr)
    return SystemExit(2)


def _content_config(args: argparse.Namespace):
    """The config of a command that reads content/ (and writes output/): every check that can refuse the command
    runs here, before anything is loaded or written; a refusal exits 2."""
    from digest.config import translator_problem
    from digest.build import OutputError, check_output_dir

    config = _config(args)
    if config.content_dir.exists() and not config.content_dir.is_dir():
        raise _usage_error(f"content folder {config.content_dir} is a file, not a folder; give the folder that "
                           "holds the articles (to summarize one file: generate.py summarize FILE)")
    if not config.content_dir.is_dir():
        raise _usage_error(f"content folder {config.content_dir} does not exist")
    if not (getattr(args, "dry_run", False) or getattr(args, "prune", False)):  # commands that may send text
        problem = translator_problem(config.translator)
        if problem:
            raise _usage_error(problem)
    if getattr(args, "output", "absent") != "absent":  # the commands that write a site
        try:
            check_output_dir(config.output_dir, protected=(config.content_dir, config.root))
        except OutputError as exc:
            raise _usage_error(str(exc)) from None
    return config


def _terminate(signum, frame):  # SIGTERM cleans up like Ctrl-C: the staging folder goes, output/ stays
    raise KeyboardInterrupt


def cmd_build(args: argparse.Namespace) -> int:
    import gc
    import signal

    from digest.build import EXIT_BUSY, EXIT_FAILED, OutputBusy, OutputError, build, print_report

    config = _content_config(args)
    signal.signal(signal.SIGTERM, _terminate)
    # One build per process: the cyclic collector would only rescan the state the build loaded (two full
    # collections and ~250 young ones, ~40 ms CPU of a one-article edit at 5,000 articles); reference counting frees
    # the rest, and peak memory is unchanged (bench/build.py prints it). serve and watch keep the collector.
    gc.disable()
    try:
        report = build(config, quiet=args.quiet, full=args.full)
    except OutputBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except OutputError as exc:
        print(f"error: {exc}; {config.output_dir} was left as it was", file=sys.stderr)
        return EXIT_FAILED
    finally:
        gc.enable()
    print_report(report, config, quiet=args.quiet)
    global _EXIT_WITHOUT_TEARDOWN
    _EXIT_WITHOUT_TEARDOWN = True  # a build joins its workers and closes its files before it returns
    return report.exit_code(args.strict)


def cmd_summarize(args: argparse.Namespace) -> int:
    from digest.commands import summarize_command

    path = Path(args.file)
    if args.file != "-" and path.is_dir():
        raise _usage_error(f"{path} is a folder; summarize takes one article file (.txt or .md), e.g. "
                           f"generate.py summarize {path / 'ARTICLE.txt'}")
    return summarize_command(args.file, no_headline=args.no_headline, sentences=args.sentences, words=args.words)


# --- `translate` subcommand (digest/translate/command.py) ---------------------------------------------------------
def cmd_translate(args: argparse.Namespace) -> int:
    from digest.commands import translate_content

    return translate_content(_content_config(args), dry_run=args.dry_run, prune=args.prune)
# --- end of `translate` subcommand ------------------------------------------------------------------------


# --- `new` and `review` subcommands (the editor's commands, digest/editor/) -------------------------------------
def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when it is below it."""
    import os

    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


def _editor_config(args: argparse.Namespace):
    config = _config(args)
    if not config.content_dir.is_dir():
        raise _usage_error(f"content folder {config.content_dir} does not exist or is not a folder "
                           "(give --content DIR, or set content_dir in site.toml)")
    return config


def cmd_new(args: argparse.Namespace) -> int:
    from digest.editor import NewArticleError, new_article

    config = _editor_config(args)
    try:
        path = new_article(config.content_dir, args.title, section=args.section, slug=args.slug, draft=args.draft)
    except NewArticleError as exc:
        raise _usage_error(str(exc)) from None
    except OSError as exc:
        print(f"error: cannot write a file in {config.content_dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(_shown(path))
    print("note: write the article's text below the front matter" + (
        "; it is a draft (draft: true): serve shows it, build publishes it once you remove that line"
        if args.draft else ""), file=sys.stderr)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from digest.editor import ReviewError, review_article

    config = _editor_config(args)
    try:
        reviewed = review_article(config, Path(args.file), force=args.force)
    except ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(_shown(reviewed.path))
    for note in reviewed.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _add_editor_commands(commands) -> None:
    new = commands.add_parser(
        "new", help="start a Markdown article in the content folder and print its path",
        description="Write content/<slug>.md with the front matter of a new article: the title, the date and time "
                    "now (Mecca time, +03:00, the site's time zone), the section if given and draft: true (serve "
                    "shows drafts, build publishes the article once that line is removed); print the file's "
                    "path. The slug is the title transliterated to Latin letters ('عنوان الخبر' -> anwan-alkhbr, "
                    "at most 60 characters, cut at a word), or the date and time (2026-12-05-1430) when the title "
                    "has nothing to transliterate. An existing name gets -2, -3, ...: no file is ever overwritten. "
                    "Exit codes: 0 written; 1 the file cannot be written; 2 bad title, section, slug or folder.",
        epilog='Example: generate.py new "افتتاح معرض الكتاب" --section ثقافة')
    new.add_argument("title", metavar="TITLE", help="the headline, in quotes")
    new.add_argument("--section", metavar="S", help="the article's section (e.g. سياسة, اقتصاد)")
    new.add_argument("--slug", metavar="NAME",
                     help="the file and URL name instead of the transliterated title (lower-case letters, digits, -)")
    new.add_argument("--no-draft", dest="draft", action="store_false",
                     help="no 'draft: true' line: the next build publishes the article")
    new.add_argument("--content", metavar="DIR", help="content folder (default: content/)")
    new.set_defaults(func=cmd_new)

    review = commands.add_parser(
        "review", help="write an article's machine English as its human translation <stem>.en.md, to correct",
        description="Write <stem>.en.md beside the article FILE with its current machine English from the "
                    "translation memory (nothing is sent): title, summary, section, place, byline, agency and "
                    "source where they have English, and the body, one paragraph per Arabic paragraph. Correct it "
                    "in any editor: from then on it is the article's human translation, and the English page "
                    "(without the machine-translation notice) reads exactly as the machine page did until you "
                    "edit it. Print the file's path. Exit codes: 0 written; 1 the article cannot be read, or its "
                    "title, summary or body has no English yet (run generate.py translate first); 2 FILE is not "
                    "an article of the content folder, or <stem>.en.md exists (give --force).")
    review.add_argument("file", metavar="FILE", help="an article of the content folder (.txt or .md)")
    review.add_argument("--force", action="store_true",
                        help="replace an existing <stem>.en.md (its corrections are lost) with the machine English")
    review.add_argument("--content", metavar="DIR", help="content folder (default: content/)")
    review.add_argument("--translator", metavar="NAME",
                        help="whose translation memory to read: google (default), libre, mymemory, deepl, "
                             "microsoft, or none (any of them)")
    review.set_defaults(func=cmd_review)
# --- end of `new` and `review` ----------------------------------------------------------------------------------


# --- `serve` and `watch` subcommands (watch mode, digest/serve.py) ------------------------------------------
def cmd_watch(args: argparse.Namespace) -> int:
    from digest.serve import watch_and_serve

    _content_config(args)
    return watch_and_serve(lambda: _config(args), port=getattr(args, "port", None), quiet=args.quiet)


def _add_watch_commands(commands) -> None:
    for name, text in (("serve", "build, serve output/ on 127.0.0.1 with live reload, rebuild on every save"),
                       ("watch", "build, then rebuild on every save (no server)")):
        sub = commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ". Watches content/, "
                                  "templates/, static/ and the config file; Ctrl-C stops.")
        if name == "serve":
            sub.add_argument("--port", type=int, default=8000, metavar="P", help="port (default 8000; 0 = any free)")
        _site_options(sub)
        _publishing_options(sub, drafts_by_default=name == "serve")
        sub.add_argument("-q", "--quiet", action="store_true", help="print only problems and one line per rebuild")
        sub.set_defaults(func=cmd_watch)
# --- end of `serve` and `watch` ---------------------------------------------------------------------------


def _publishing_options(parser: argparse.ArgumentParser, *, drafts_by_default: bool = False) -> None:
    """Which held-back articles are published: drafts (`draft: true`) and scheduled ones (dated in the future)."""
    if drafts_by_default:
        parser.add_argument("-D", "--drafts", action=argparse.BooleanOptionalAction, default=True,
                            help="show drafts (draft: true), marked as such (default: shown; --no-drafts hides them)")
    else:
        parser.add_argument("-D", "--drafts", action="store_true", default=None,
                            help="publish drafts (draft: true) too, marked as such on their pages")
    parser.add_argument("-F", "--future", action="store_true", default=None,
                        help="publish articles dated in the future (scheduled) now")


def _site_options(parser: argparse.ArgumentParser, *, output: bool = True) -> None:
    """Options shared by the commands that read content/ (build, translate, serve, watch)."""
    parser.add_argument("--content", metavar="DIR", help="content folder (default: content/)")
    if output:
        parser.add_argument("--output", metavar="DIR", help="output folder (default: output/)")
        parser.add_argument("--base-url", metavar="URL",
                            help="public URL of the site, e.g. https://user.github.io/repo/ (default: from the config)")
    parser.add_argument("--translator", metavar="NAME",
                        help="translation backend: google (default), libre, mymemory, deepl, microsoft, none")
    parser.add_argument("--translator-url", metavar="URL", help="server URL for the libre backend")


def _version() -> str:
    from digest import PROJECT_URL, __version__

    return f"{__version__} ({PROJECT_URL})"


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="generate.py", description=__doc__.split("\n\n")[0],
        epilog="Run 'generate.py COMMAND --help' for a command's options. See README.md for the content format.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="print the version and exit")
    parser.add_argument("--config", metavar="FILE", help="site config file (default: site.toml next to generate.py)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser("build", help="build the site into output/",
                                description="Build the whole bilingual site. Every bad content file gets one "
                                            "message (file:line: error|warning: reason); the others are "
                                            "published. Drafts (draft: true) and articles dated in the future "
                                            "are held back (counted in the summary) unless --drafts / --future; "
                                            "a scheduled article appears with the first build after its date. "
                                            "Exit codes: 0 ok; 1 failure (output/ unchanged); "
                                            "2 bad command line or config; 3 some files were skipped (the "
                                            "others published); 4 --strict and warnings or pending "
                                            "translations; 5 another build is writing the same output folder; "
                                            "130 interrupted (output/ left whole: the previous site, or the new "
                                            "one if its pages were in; the next build finishes the search "
                                            "index).")
    _site_options(build)
    _publishing_options(build)
    build.add_argument("--strict", action="store_true",
                       help="fail (exit 4) on warnings or when any translation is pending")
    build.add_argument("-q", "--quiet", action="store_true", help="print only problems and the final summary")
    build.add_argument("--full", action="store_true",
                       help="ignore the previous build's plan: render and write every page (per-article caches, "
                            "keyed by content, are still used)")
    build.set_defaults(func=cmd_build)

    trans = commands.add_parser("translate", help="pre-fill the translation memory for all content",
                                description="Translate every segment not yet in the translation memory and print "
                                            "requests made, characters sent, cache hits and failures. Exit codes: "
                                            "0 nothing pending; 1 some segments still pending (partial results "
                                            "are kept).")
    _site_options(trans, output=False)
    trans_mode = trans.add_mutually_exclusive_group()
    trans_mode.add_argument("--dry-run", action="store_true",
                            help="send nothing: print each text that would be sent and the character count")
    trans_mode.add_argument("--prune", action="store_true",
                            help="remove memory entries that no current article needs")
    trans.set_defaults(func=cmd_translate)

    summ = commands.add_parser("summarize", help="print an article's Arabic summary, one sentence per line",
                               description="Print the summary the site shows for an article, in plain text, one "
                                           "sentence per line. Exit codes: 0 ok; 1 the text cannot be read.")
    summ.add_argument("file", metavar="FILE",
                      help="an article file (.txt wire format or .md), or - for standard input (Markdown when it "
                           "starts with a '---' front matter block, else the wire format)")
    summ.add_argument("--no-headline", action="store_true",
                      help="the text has no headline line: its first line is body text")
    budget = summ.add_mutually_exclusive_group()
    budget.add_argument("--sentences", type=_positive, metavar="N", help="at most N sentences")
    budget.add_argument("--words", type=_positive, metavar="N",
                        help="at most N words (one sentence is always returned)")
    summ.set_defaults(func=cmd_summarize)
    _add_watch_commands(commands)
    _add_editor_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return 130


# Set by a finished `build`: the process can end without tearing down its heap object by object (~40 ms after a
# build of 5,000 articles). Not after serve/watch, whose daemon threads may still be writing.
_EXIT_WITHOUT_TEARDOWN = False

if __name__ == "__main__":
    code = main()
    if _EXIT_WITHOUT_TEARDOWN:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
