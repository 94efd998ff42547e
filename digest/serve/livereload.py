"""The browser side of live reload, which exists only in served responses: the server adds
<script src="/__livereload.js"> to HTML as it sends it (inject); the files in output/ never contain it. The script
polls /__livereload (the build generation number, the last build's error and problems), reloads the page when the
generation changes, and shows every error and warning of the last build (file, line, message) over the open page,
as the terminal shows them."""
from __future__ import annotations


# The browser side of live reload. It polls /__livereload (build generation, error, problems of the last build),
# reloads the page when the generation changes and shows the last build's error and every problem (file, line,
# message) in an overlay. Messages are put in with textContent, never as markup: a file name or message can hold
# anything. The overlay is styled by /__livereload.css (a 'self' stylesheet), so a page whose Content-Security-
# Policy forbids inline styles and scripts shows it as well.
LIVERELOAD_JS = b"""(function () {
  var seen = null, box = null, closed = null;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function style() {
    if (document.getElementById('__livereload_css')) { return; }
    var link = el('link'); link.id = '__livereload_css'; link.rel = 'stylesheet'; link.href = '/__livereload.css';
    (document.head || document.documentElement).appendChild(link);
  }
  function show(s) {
    var problems = s.problems || [];
    var key = s.generation;
    if ((!s.error && !problems.length) || closed === key) {
      if (box) { box.remove(); box = null; }
      return;
    }
    if (box && box.dataset.generation === String(key)) { return; }
    style();
    if (box) { box.remove(); }
    box = el('section', '__lr-overlay'); box.id = '__build_problems'; box.dataset.generation = String(key);
    box.setAttribute('role', 'alert'); box.setAttribute('dir', 'ltr'); box.setAttribute('lang', 'en');
    var head = el('header', '__lr-head');
    var errors = problems.filter(function (p) { return p.severity === 'error'; }).length;
    var title = s.error ? 'Build failed' : (problems.length + ' problem' + (problems.length > 1 ? 's' : '') +
      ' in the last build (' + errors + ' error' + (errors === 1 ? '' : 's') + ', ' +
      (problems.length - errors) + ' warning' + (problems.length - errors === 1 ? '' : 's') + ')');
    head.appendChild(el('strong', '', title));
    var close = el('button', '__lr-close', '\\u00d7'); close.type = 'button';
    close.setAttribute('aria-label', 'Hide until the next build');
    close.addEventListener('click', function () { closed = key; show(s); });
    head.appendChild(close);
    box.appendChild(head);
    var list = el('ol', '__lr-list');
    if (s.error) {
      var item = el('li', '__lr-error'); item.appendChild(el('pre', '', s.error)); list.appendChild(item);
    }
    problems.forEach(function (p) {
      var item = el('li', p.severity === 'error' ? '__lr-error' : '__lr-warning');
      item.appendChild(el('code', '__lr-where', p.path + (p.line ? ':' + p.line : '')));
      item.appendChild(el('span', '__lr-severity', p.severity));
      item.appendChild(el('span', '__lr-message', p.message));
      list.appendChild(item);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }
  function poll() {
    var url = '/__livereload' + (seen === null ? '' : '?since=' + seen), failed = false;
    fetch(url, {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.generation !== seen) { location.reload(); return; }
      seen = s.generation; show(s);
    }).catch(function () { failed = true; }).then(function () { setTimeout(poll, failed ? 1000 : 0); });
  }
  style();  // loaded now, so an overlay is styled the moment it appears
  poll();
})();
"""
LIVERELOAD_CSS = b""".__lr-overlay { position: fixed; inset: auto 0 0 0; max-height: 50vh; overflow: auto; margin: 0;
  padding: .75em 1em; background: #3b0000; color: #fff; font: 14px/1.45 system-ui, sans-serif;
  z-index: 2147483647; direction: ltr; text-align: left; box-shadow: 0 -2px 12px rgba(0,0,0,.4); }
.__lr-head { display: flex; justify-content: space-between; align-items: center; gap: 1em; }
.__lr-close { font: inherit; font-size: 20px; line-height: 1; background: none; color: #fff; border: 1px solid #fff8;
  border-radius: 4px; padding: 0 .4em; cursor: pointer; }
.__lr-list { margin: .5em 0 0; padding: 0; list-style: none; }
.__lr-list li { padding: .3em 0; border-top: 1px solid #fff3; overflow-wrap: anywhere; }
.__lr-list pre { margin: 0; white-space: pre-wrap; font: 13px monospace; }
.__lr-where { font: 13px monospace; unicode-bidi: isolate; }
.__lr-severity { display: inline-block; margin-inline: .6em; padding: 0 .4em; border-radius: 3px; font-size: 12px;
  background: #ffd166; color: #000; }
.__lr-error .__lr-severity { background: #ff6b6b; }
.__lr-message { unicode-bidi: plaintext; }
"""
_SCRIPT_TAG = b'<script src="/__livereload.js"></script>'


def inject(page: bytes, error: str | None = None) -> bytes:
    """The served copy of an HTML page: the live-reload script before </body> (or at the end)."""
    index = page.rfind(b"</body>")
    return page + _SCRIPT_TAG if index < 0 else page[:index] + _SCRIPT_TAG + page[index:]
