"""The site: page models, page kinds, templates' context, feeds and the safety of what goes into them."""

# output/pagefind/: Pagefind's bundle, which the search pages load; written after the pages
# (digest/build/searchindex.py, which reads this name without loading the page kinds).
SEARCH_BUNDLE = "pagefind"
