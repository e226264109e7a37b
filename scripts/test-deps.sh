#!/usr/bin/env bash
# Installs what the tests need: the package with its test extras, and Debian's
#   raptor2-utils  `rapper`, an independent RDF parser the tests check exports with;
#   chromium       the real browser the explorer and report tests drive through Playwright
#                  (Playwright's own browser download does not work here);
#   fonts-noto-cjk so that Chinese names render in the browser and in the charts;
#   faketime       runs the date-sensitive tests at a date years away.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
