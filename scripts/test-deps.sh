#!/usr/bin/env bash
# Installs what the tests need: the package with its test extras, Debian's
# raptor2-utils (`rapper`, an independent RDF parser the tests check exports with) and
# faketime (libfaketime: tests/test_clock.py reruns the date-sensitive tests in 2031).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT_PACKAGES=(raptor2-utils faketime)
missing=()
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
