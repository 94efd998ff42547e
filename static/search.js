/* The search pages' script (templates/search.html): starts Pagefind's interface over the index of the page's
   language (picked from <html lang>). The interface loads the index through static/layered/pagefind.js, which
   merges the base bundle and the delta of pages changed since (digest/build/searchlayers.py). Result links are
   made from the site's own root, two folders above this page (<root>/<lang>/search/), so they work at a domain
   root, under a GitHub Pages project path and from `generate.py serve` alike. `?q=words` runs that search. */
(function () {
  'use strict';
  var box = document.getElementById('search');
  if (!box) { return; }
  if (typeof window.PagefindUI !== 'function') {  // the index was not built: say so instead of an empty box
    var note = document.createElement('p');
    note.className = 'search-unavailable';
    note.textContent = box.getAttribute('data-unavailable');
    box.appendChild(note);
    return;
  }
  var root = new URL('../../', document.baseURI).pathname;
  var ui = new window.PagefindUI({
    element: '#search',
    baseUrl: root,
    bundlePath: root + 'static/layered/',  // its pagefind.js: the base and delta layers as one index
    showImages: false,
    showSubResults: false
  });
  var query = new URLSearchParams(location.search).get('q');
  if (query) { ui.triggerSearch(query); }
})();
