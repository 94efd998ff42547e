"""The editor's commands, beside the build: `generate.py new` starts an article (new.py), `generate.py review`
turns an article's machine English into a human translation to correct (review.py). Other packages import from
here, not from the modules."""
from digest.lazy import lazy_names

# Name -> module, looked up on first use (PEP 562): the build (section slugs) needs transliterate, not the review
# command and the translation engine it loads.
_PUBLIC = {
    "NewArticleError": "new", "new_article": "new", "slug_for_title": "new", "transliterate": "new",
    "ReviewError": "review", "Reviewed": "review", "markdown_literal": "review", "review_article": "review",
}

__all__ = ["NewArticleError", "new_article", "slug_for_title", "transliterate",
           "ReviewError", "Reviewed", "markdown_literal", "review_article"]

__getattr__ = lazy_names(__name__, _PUBLIC, globals())
