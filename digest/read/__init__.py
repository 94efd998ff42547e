"""Reading content/: wire (.txt) and Markdown (.md) articles and their human translations (.en.md) into
digest.model records, with the problems found on the way. Other packages import from here, not from the modules.

  scan.py      which files in the content folder are articles and translations, which are refused
  content.py   load_content: the whole folder read, translations paired with articles, one problem line per file
  article.py   one file to its record: bytes -> text -> the format's reader -> date and slug
  decode.py    bytes within a size bound, and their text (UTF-8; UTF-16 and legacy Arabic code pages with a warning)
  wire.py      the wire format: headline, dateline, body, trailers, flashes
  markdown.py  front matter (bounded YAML) and Markdown body; the .en.md translations
  fields.py    the cleaning every text field gets; problems.py the errors and warnings readers report
  dates.py     publication dates: front matter, dateline, git first commit, file time
  images.py    the images an article uses (paths below content/, refused references) and image headers
  resize.py    their resized copies (Pillow): widths, bounded decoding, upright, no metadata; kept in a folder
  slugs.py     URL names, made distinct; agencies.py agency codes and section names; inputs.py bounded reads
"""
from digest.lazy import lazy_names

# Name -> module, looked up on first use (PEP 562): a build with nothing to read (no input changed) walks the
# folder and stats its files without loading the readers, their patterns and tables.
_PUBLIC = {
    "AGENCIES": "agencies", "SECTIONS": "agencies", "table_key": "agencies",
    "load_article": "article", "load_human_translation": "article",
    "load_content": "content",
    "MECCA": "dates", "git_first_commit_times": "dates", "git_head": "dates",
    "DEFAULT_MAX_BYTES": "decode",
    "MAX_HEADLINE_CHARS": "fields", "HeadlineTooLong": "fields",
    "IMG_TAG": "images", "MAX_IMAGE_BYTES": "images", "ImageFile": "images", "image_file": "images",
    "img_attributes": "images", "is_external": "images", "probe_image": "images", "read_image": "images",
    "resolve_image": "images",
    "InputRefused": "inputs", "read_bounded": "inputs",
    "CANNOT_READ": "resize", "WIDTHS": "resize", "copy_bytes": "resize", "resized_image": "resize",
    "settings_version": "resize",
    "ArticleError": "problems", "Notes": "problems",
    "relative_to": "scan", "scan_content": "scan",
    "slugify": "slugs",
    "read_wire": "wire",
}

__all__ = [
    "AGENCIES", "SECTIONS", "table_key",
    "DEFAULT_MAX_BYTES", "MAX_HEADLINE_CHARS", "ArticleError", "HeadlineTooLong", "Notes", "git_first_commit_times",
    "git_head",
    "load_article", "load_content", "load_human_translation", "read_wire", "relative_to", "scan_content",
    "MECCA", "slugify",  # the site's time zone (dates without an offset), the URL name of a file stem
    "InputRefused", "read_bounded",
    "IMG_TAG", "MAX_IMAGE_BYTES", "ImageFile", "image_file", "img_attributes", "is_external", "probe_image",
    "read_image", "resolve_image",
    "CANNOT_READ", "WIDTHS", "copy_bytes", "resized_image", "settings_version",
]

__getattr__ = lazy_names(__name__, _PUBLIC, globals())
