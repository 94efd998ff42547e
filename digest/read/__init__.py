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
from digest.read.agencies import AGENCIES, SECTIONS, table_key
from digest.read.article import load_article, load_human_translation
from digest.read.content import load_content
from digest.read.dates import MECCA, git_first_commit_times
from digest.read.decode import DEFAULT_MAX_BYTES
from digest.read.fields import MAX_HEADLINE_CHARS, HeadlineTooLong
from digest.read.images import (IMG_TAG, MAX_IMAGE_BYTES, ImageFile, image_file, img_attributes, is_external,
                                probe_image, read_image, resolve_image)
from digest.read.inputs import InputRefused, read_bounded
from digest.read.resize import CANNOT_READ, WIDTHS, copy_bytes, resized_image, settings_version
from digest.read.problems import ArticleError, Notes
from digest.read.scan import relative_to, scan_content
from digest.read.slugs import slugify
from digest.read.wire import read_wire

__all__ = [
    "AGENCIES", "SECTIONS", "table_key",
    "DEFAULT_MAX_BYTES", "MAX_HEADLINE_CHARS", "ArticleError", "HeadlineTooLong", "Notes", "git_first_commit_times",
    "load_article", "load_content", "load_human_translation", "read_wire", "relative_to", "scan_content",
    "MECCA", "slugify",  # the site's time zone (dates without an offset), the URL name of a file stem
    "InputRefused", "read_bounded",
    "IMG_TAG", "MAX_IMAGE_BYTES", "ImageFile", "image_file", "img_attributes", "is_external", "probe_image",
    "read_image", "resolve_image",
    "CANNOT_READ", "WIDTHS", "copy_bytes", "resized_image", "settings_version",
]
