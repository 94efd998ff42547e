#!/usr/bin/env bash
# Installs the checkers scripts/quality.sh runs, each only when it is missing, into $QUALITY_TOOLS (default
# build/tools/, git-ignored; delete it to start over): vnu-jar and lighthouse from npm at pinned versions (npm
# must not download a browser or driver of its own: Lighthouse drives Debian's chromium), a Java runtime for vnu
# (apt), and, when FEEDVALIDATOR names a checkout of the W3C Feed Validator, a Python venv with its dependencies.
#   bash scripts/install-quality-tools.sh        # everything scripts/quality.sh needs
#   bash scripts/install-quality-tools.sh vnu    # vnu and Java only (make test: tests/test_site_quality.py)
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="${1:-all}"
TOOLS="${QUALITY_TOOLS:-build/tools}"
VNU_VERSION=26.9.27
LIGHTHOUSE_VERSION=13.5.0
FEEDVALIDATOR_PINS="lxml==6.2.0 html5lib==1.1 rdflib==7.6.0 pyparsing==3.3.3 six==1.17.0 webencodings==0.6.1"

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_install() {
  echo "install-quality-tools: installing $* (apt)" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null \
    || { DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null; }
}
command -v java >/dev/null 2>&1 || apt_install default-jre-headless
command -v npm >/dev/null 2>&1 || apt_install nodejs npm

packages=()
[ -f "$TOOLS/node_modules/vnu-jar/build/dist/vnu.jar" ] && grep -q "\"$VNU_VERSION\"" "$TOOLS/node_modules/vnu-jar/package.json" \
  || packages+=("vnu-jar@$VNU_VERSION")
if [ "$WHAT" = all ]; then
  bash scripts/install-browser.sh
  [ -f "$TOOLS/node_modules/lighthouse/cli/index.js" ] && grep -q "\"version\": \"$LIGHTHOUSE_VERSION\"" "$TOOLS/node_modules/lighthouse/package.json" \
    || packages+=("lighthouse@$LIGHTHOUSE_VERSION")
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "install-quality-tools: npm install ${packages[*]} into $TOOLS" >&2
  mkdir -p "$TOOLS"
  # --save-exact keeps a package.json in $TOOLS naming both tools, so installing one never prunes the other.
  (cd "$TOOLS" && CHROMEDRIVER_SKIP_DOWNLOAD=true PUPPETEER_SKIP_DOWNLOAD=true \
     npm install --no-audit --no-fund --silent --save-exact "${packages[@]}")
fi

if [ "$WHAT" = all ] && [ -n "${FEEDVALIDATOR:-}" ]; then
  venv="$TOOLS/feedvalidator-venv"
  if [ "$(cat "$venv/pins" 2>/dev/null)" != "$FEEDVALIDATOR_PINS" ]; then
    echo "install-quality-tools: a Python for the feed validator in $venv ($FEEDVALIDATOR_PINS)" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    # shellcheck disable=SC2086  # the pins are words
    "$venv/bin/pip" install --quiet --disable-pip-version-check $FEEDVALIDATOR_PINS
    echo "$FEEDVALIDATOR_PINS" > "$venv/pins"
  fi
fi
