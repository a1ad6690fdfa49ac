#!/usr/bin/env bash
# Install everything Contentizer needs on a fresh Debian 12 machine, idempotently:
# system packages (ffmpeg, espeak-ng, chromium for browser tests, fonts), a virtualenv
# with the pinned requirements, then migrations. Safe and quick to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
# Noto: caption glyphs for every script (core: Latin, Greek, Cyrillic, Arabic, Hebrew, Indic,
# Thai, ...; cjk: Chinese, Japanese, Korean; color-emoji), see mediakit.config.
APT_PACKAGES=(ffmpeg espeak-ng fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji chromium)
# wrk: the load generator of `manage.py bench_poll` (benchmarks only, not in the image).
APT_PACKAGES+=(wrk)
# PostgreSQL and Redis: the scaled-out test run only (scripts/services.sh starts them; not in
# the image, where compose runs them). A machine that already has them keeps its own.
command -v pg_ctlcluster >/dev/null 2>&1 || APT_PACKAGES+=(postgresql)
command -v redis-server >/dev/null 2>&1 || APT_PACKAGES+=(redis-server)
# npm brings the offline illustration artwork (below); a machine with Node.js already has it.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Artwork for the offline illustrated pictures (mediakit/illustration.py), pinned: Twemoji's
# SVGs (graphics CC BY 4.0, credited per picture) and emojibase's CLDR annotations (MIT).
# Installed into a git-ignored folder; nothing is fetched at run time.
ARTWORK_DIR="${ARTWORK_DIR:-.artwork}"
ARTWORK_PACKAGES=(@twemoji/svg@15.0.0 emojibase-data@17.0.0)
artwork_stamp="$ARTWORK_DIR/.packages"
if [ "$(cat "$artwork_stamp" 2>/dev/null)" != "${ARTWORK_PACKAGES[*]}" ]; then
  echo "==> npm: installing artwork ${ARTWORK_PACKAGES[*]}"
  mkdir -p "$ARTWORK_DIR"
  npm install --prefix "$ARTWORK_DIR" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
    --loglevel=error "${ARTWORK_PACKAGES[@]}" >/dev/null
  echo "${ARTWORK_PACKAGES[*]}" > "$artwork_stamp"
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> pip: installing pinned requirements"
  "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip==25.3
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
