#!/usr/bin/env bash
# The Debian packages SEND Portal and its tests need, installed only if missing.
#
#   scripts/system-packages.sh [EXTRA_PACKAGE ...]
#
# - python3-venv: `python3 -m venv` (only when the Python in use cannot make a venv without it)
# - libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0, fonts-dejavu-core: WeasyPrint, which
#   renders the board packs and pupil documents (without HarfBuzz's subsetting library every
#   PDF is written about five times slower, with a warning)
# - poppler-utils: pdftoppm, to look at the PDFs the tests write
# - chromium: Debian's browser, which the browser tests drive through Playwright
#
# Does nothing (and asks for nothing) when every package is there. Otherwise installs the
# missing ones with apt-get, as root, through sudo when not run as root. `make install`
# (so `make run`) and `make test` run it; .ci/run runs it with postgresql and redis-server;
# `make test` and `make production-local` run it again with caddy (the reverse proxy of the
# production shape, deploy/Caddyfile).
set -euo pipefail

PYTHON="${PYTHON:-python3}"
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
          chromium)
# Debian's own Python makes a venv only with python3-venv (ensurepip); another Python
# (pyenv, a container's /usr/local) does not need it.
if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages=(python3-venv "${packages[@]}")
fi
packages+=("$@")

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-packages: not a Debian or Ubuntu machine; make sure these (or their" \
       "equivalents) are installed: ${packages[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "system-packages: missing Debian packages: ${missing[*]}" >&2
    echo "Install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "system-packages: installing ${missing[*]} needs root: sudo will ask for your password."
  as_root=(sudo)
fi
echo "system-packages: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
