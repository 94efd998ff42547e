"""`generate.py serve` and `generate.py watch`: rebuild on every saved change, serve output/ with live reload.

  run.py         watch_and_serve: the threads, and stopping cleanly on Ctrl-C or SIGTERM
  watcher.py     which saved changes start a build (debounced; editor temp files ignored)
  builds.py      one build at a time, its outcome kept for the browser; background translation after a build
  server.py      output/ over HTTP on 127.0.0.1, the live-reload endpoints, the site's 404.html
  livereload.py  the browser side: the script and overlay, added to served HTML only
"""
from digest.serve.livereload import inject
from digest.serve.run import watch_and_serve
from digest.serve.watcher import ignored

__all__ = ["watch_and_serve", "ignored", "inject"]
