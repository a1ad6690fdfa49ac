#!/usr/bin/env bash
# Install everything Contentizer needs on a fresh Debian 12 machine, idempotently:
# system packages (ffmpeg, espeak-ng, chromium for browser tests, fonts), a virtualenv
# with the pinned requirements, the offline artwork and its index. It does not migrate:
# scripts/run.sh does (and pytest-django makes its own test databases). Safe and quick
# to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
# Noto: caption glyphs for every script (core: Latin, Greek, Cyrillic, Arabic, Hebrew, Indic,
# Thai, ...; cjk: Chinese, Japanese, Korean; color-emoji), see mediakit.config.
APT_PACKAGES=(ffmpeg espeak-ng fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji chromium)
# wrk: the load generator of `manage.py bench_poll` (benchmarks only, not in the image).
APT_PACKAGES+=(wrk)
# The offline artwork library (mediakit/art_library.py): Openclipart's public-domain drawings,
# and WordNet 3.0, which names and tags are lemmatised with (mediakit/lexicon.py).
APT_PACKAGES+=(openclipart-svg wordnet-base)
# Prometheus: `promtool test rules` checks the alert rules (scripts/test.sh), and the
# dashboards' queries are run against a real one in a test (ops/, docs/monitoring.md).
APT_PACKAGES+=(prometheus)
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
  # Only promtool and the binary are wanted (the tests start their own Prometheus on a free
  # port): Debian's package also enables a prometheus service, stopped here where systemd runs.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# Artwork for the offline illustrated pictures (mediakit/illustration.py), pinned: Twemoji's
# SVGs (graphics CC BY 4.0, credited per picture), Microsoft's Fluent Emoji as Iconify JSON
# (MIT), emojibase's CLDR annotations (MIT) and Unicode CLDR's own annotations for the
# languages emojibase lacks (Arabic, Hebrew, ...; Unicode-3.0). Installed into a git-ignored
# folder; nothing is fetched at run time. docs/artwork.md lists the licences.
ARTWORK_DIR="${ARTWORK_DIR:-.artwork}"
ARTWORK_PACKAGES=(@twemoji/svg@15.0.0 emojibase-data@17.0.0 @iconify-json/fluent-emoji@1.2.7 cldr-annotations-full@48.2.0)
artwork_stamp="$ARTWORK_DIR/.packages"
if [ "$(cat "$artwork_stamp" 2>/dev/null)" != "${ARTWORK_PACKAGES[*]}" ]; then
  echo "==> npm: installing artwork ${ARTWORK_PACKAGES[*]}"
  mkdir -p "$ARTWORK_DIR"
  npm install --prefix "$ARTWORK_DIR" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
    --loglevel=error "${ARTWORK_PACKAGES[@]}" >/dev/null
  echo "${ARTWORK_PACKAGES[*]}" > "$artwork_stamp"
fi

# WordNet 3.0 as NLTK reads it: Debian's files plus the lexnames file Debian leaves out
# (shipped in mediakit/data). Copied, not linked, so the folder is the same on every machine.
WORDNET_DIR="$ARTWORK_DIR/wordnet"
if [ ! -f "$WORDNET_DIR/lexnames" ] || ! cmp -s mediakit/data/wordnet-lexnames "$WORDNET_DIR/lexnames" \
  || [ -n "$(find /usr/share/wordnet -newer "$WORDNET_DIR/lexnames" -print -quit)" ]; then
  echo "==> wordnet: copying /usr/share/wordnet into $WORDNET_DIR"
  rm -rf "$WORDNET_DIR.tmp"
  mkdir -p "$WORDNET_DIR.tmp"
  cp -r /usr/share/wordnet/. "$WORDNET_DIR.tmp/"
  cp mediakit/data/wordnet-lexnames "$WORDNET_DIR.tmp/lexnames"
  rm -rf "$WORDNET_DIR"
  mv "$WORDNET_DIR.tmp" "$WORDNET_DIR"
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

# WordNet's index as NLTK parses it, written once into the WordNet folder: every process that
# reads a word then loads it in 0.1 s instead of parsing it (1.1 s). Does nothing when current.
"$VENV/bin/python" -m mediakit.lexicon build

# The artwork library's index (mediakit/art_library.py), built here and never at run time.
# Rebuilt only when what it is built from changes: the npm artwork, the Debian packages, the
# WordNet copy and the two modules that decide what goes in and how names are normalised.
library_stamp="$ARTWORK_DIR/.library"
library_want=$(
  {
    cat "$artwork_stamp"
    dpkg-query -W -f='${Package} ${Version}\n' openclipart-svg wordnet-base
    cat mediakit/art_library.py mediakit/lexicon.py "$WORDNET_DIR/lexnames"
  } | sha256sum | cut -d' ' -f1
)
if [ "$(cat "$library_stamp" 2>/dev/null)" != "$library_want" ] || [ ! -f "$ARTWORK_DIR/library.json" ]; then
  echo "==> artwork library: building the index"
  "$VENV/bin/python" -m mediakit.art_library build
  echo "$library_want" > "$library_stamp"
fi
