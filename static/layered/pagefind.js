/* The search index as the search pages see it (digest/build/searchlayers.py): Pagefind's bundle of the whole site
   (the base, <root>/pagefind/, with its parts in <root>/pagefind/part-N/ on a large site) and a small bundle of
   the pages changed since (the delta, <root>/pagefind/delta/), described by pagefind/delta/layers.json. Pagefind's
   interface imports this module in place of the bundle's pagefind.js (static/search.js gives it this folder as
   its bundlePath). It opens the layers that hold the page's language (<html lang>), merges the base's parts and
   the delta into the base with Pagefind's mergeIndex, and drops the base's results for pages the delta replaced
   or the site removed: a result never shows an old version nor leads to a page that is gone. A layer without
   the page's language is left out (Pagefind would search another language instead). */
const bundle = new URL('../../pagefind/', import.meta.url).pathname;
const delta = bundle + 'delta/';
const language = (document.documentElement.getAttribute('lang') || 'unknown').toLowerCase();
const NOTHING = { results: [], unfilteredResultCount: 0, filters: {}, totalFilters: {}, timings: [] };
let settings = {};
let opening = null;

function holds(languages) {
  return (languages || []).some(function (lang) { return lang === language || lang === language.split('-')[0]; });
}

function open() {
  if (!opening) {
    opening = (async function () {
      const response = await fetch(delta + 'layers.json', { cache: 'no-cache' });
      const layers = response.ok ? await response.json() : { languages: { base: [language] }, drop: [] };
      const inBase = holds(layers.languages.base);
      const inDelta = holds(layers.languages.delta);
      if (!inBase && !inDelta) { return null; }  // no page in this language yet
      const pagefind = await import(bundle + 'pagefind.js');
      await pagefind.options(Object.assign({}, settings, { basePath: inBase ? bundle : delta }));
      // A large base is in parts (one Pagefind run's worth of pages each): the others merged, then the delta.
      const parts = inBase ? (layers.parts || []).filter(function (part) { return holds(part.languages); }) : [];
      const merged = parts.map(function (part) { return bundle + part.path; }).concat(inBase && inDelta ? [delta] : []);
      for (const path of merged) {
        await pagefind.mergeIndex(path, Object.assign({}, settings, { language: language }));
      }
      return { pagefind: pagefind, drop: new Set(inBase ? layers.drop : []) };
    })();
  }
  return opening;
}

function current(found, layers) {
  if (found && found.results) {
    const seen = new Set();
    found.results = found.results.filter(function (result) {
      if (layers.drop.has(result.id) || seen.has(result.id)) { return false; }
      seen.add(result.id);
      return true;
    });
  }
  return found;
}

export async function options(more) { settings = Object.assign({}, settings, more); }
export async function init() { await open(); }
export async function search(term, more) {
  const layers = await open();
  return layers ? current(await layers.pagefind.search(term, more), layers) : NOTHING;
}
export async function debouncedSearch(term, more, wait) {
  const layers = await open();
  return layers ? current(await layers.pagefind.debouncedSearch(term, more, wait), layers) : NOTHING;
}
export async function preload(term, more) {
  const layers = await open();
  if (layers) { await layers.pagefind.preload(term, more); }
}
export async function filters() {
  const layers = await open();
  return layers ? layers.pagefind.filters() : {};
}
export async function mergeIndex(path, more) {
  const layers = await open();
  if (layers) { await layers.pagefind.mergeIndex(path, more); }
}
export async function destroy() {
  const layers = opening ? await opening : null;
  opening = null;
  if (layers) { await layers.pagefind.destroy(); }
}
