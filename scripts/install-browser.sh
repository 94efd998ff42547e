#!/usr/bin/env bash
# Installs Debian's chromium for tests/test_browser.py and scripts/quality.sh, only when it is missing.
# Idempotent and quiet when chromium is already there; needs root (or sudo) the first time.
set -euo pipefail

if [ -n "${CHROME_PATH:-}" ] && [ -x "${CHROME_PATH}" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-browser: chromium is missing and this user cannot install it (run as root: apt-get install chromium)" >&2
    exit 1
  fi
fi
echo "install-browser: installing Debian chromium (first run only)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
