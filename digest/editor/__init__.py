"""The editor's commands, beside the build: `generate.py new` starts an article (new.py), `generate.py review`
turns an article's machine English into a human translation to correct (review.py). Other packages import from
here, not from the modules."""
from digest.editor.new import NewArticleError, new_article, slug_for_title, transliterate
from digest.editor.review import ReviewError, Reviewed, markdown_literal, review_article

__all__ = ["NewArticleError", "new_article", "slug_for_title", "transliterate",
           "ReviewError", "Reviewed", "markdown_literal", "review_article"]
