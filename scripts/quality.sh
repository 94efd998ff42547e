#!/usr/bin/env bash
# Quality gates for the front end: Nu HTML Checker (vnu), Lighthouse and an HTTP link checker against the
# built site served on 127.0.0.1, at the domain root and under a GitHub project sub-path. Prints the results;
# exits non-zero when a gate fails (any vnu error, Lighthouse a11y/best-practices/SEO < 100 or performance < 95,
# a broken internal link). Tools are installed on first use: Debian chromium and a Java runtime (apt),
# vnu-jar and lighthouse (npm, into build/tools/; git-ignored).
#
#   scripts/quality.sh                          # the sample site from content/
#   scripts/quality.sh --content ../shared/corpus/wire --desktop
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=build/tools
VNU_VERSION=26.9.27
LIGHTHOUSE_VERSION=13.5.0

bash scripts/install-browser.sh
if ! command -v java >/dev/null 2>&1; then
  echo "quality: installing a Java runtime for vnu" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null
fi
if [ ! -f "$TOOLS/node_modules/vnu-jar/build/dist/vnu.jar" ] || [ ! -f "$TOOLS/node_modules/lighthouse/cli/index.js" ]; then
  echo "quality: installing vnu-jar@$VNU_VERSION and lighthouse@$LIGHTHOUSE_VERSION into $TOOLS" >&2
  mkdir -p "$TOOLS"
  # Lighthouse must use Debian's chromium: never download a browser or driver of its own.
  (cd "$TOOLS" && CHROMEDRIVER_SKIP_DOWNLOAD=true PUPPETEER_SKIP_DOWNLOAD=true \
     npm install --no-audit --no-fund --silent "vnu-jar@$VNU_VERSION" "lighthouse@$LIGHTHOUSE_VERSION")
fi
if [ ! -x .venv/bin/python ]; then make .venv/.installed; fi

export CHROME_PATH="${CHROME_PATH:-$(command -v chromium)}"
exec .venv/bin/python scripts/quality.py --tools "$TOOLS" "$@"
