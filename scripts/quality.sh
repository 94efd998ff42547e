#!/usr/bin/env bash
# Quality gates for the built site, in one command (scripts/quality.py says what each checks): the Nu HTML Checker
# on every page, Lighthouse mobile and desktop on every page kind, the W3C Feed Validator on every feed and an HTTP
# crawl for broken links, at the domain root and under a /repo/ sub-path. Installs its tools on first use
# (scripts/install-quality-tools.sh). Exit status 1 when a gate fails, 2 when a tool is missing.
#
#   FEEDVALIDATOR=~/feedvalidator bash scripts/quality.sh          # the sample site from content/
#   FEEDVALIDATOR=~/feedvalidator bash scripts/quality.sh --content DIR [--config site.toml] --results FILE
#   bash scripts/quality.sh --skip lighthouse --skip feeds          # vnu and the crawl only (~1 min)
set -euo pipefail
cd "$(dirname "$0")/.."
export QUALITY_TOOLS="${QUALITY_TOOLS:-build/tools}"
bash scripts/install-quality-tools.sh all
if [ ! -x .venv/bin/python ] || [ ! -f .venv/.installed ]; then make .venv/.installed; fi
export CHROME_PATH="${CHROME_PATH:-$(command -v chromium)}"
exec .venv/bin/python scripts/quality.py "$@"
