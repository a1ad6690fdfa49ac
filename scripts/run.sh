#!/usr/bin/env bash
# Set up (if needed) and run Contentizer on the embedded default: daphne serving
# Django (HTTP + websockets) and one django-q2 cluster, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

"$PY" manage.py migrate --noinput
"$PY" manage.py bootstrap --demo

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

"$PY" manage.py qcluster &
pids+=($!)
"$VENV/bin/daphne" -b "$HOST" -p "$PORT" contentizer_site.asgi:application &
pids+=($!)
echo "==> Contentizer is up at http://$HOST:$PORT/ (demo / contentizer-demo); Ctrl-C stops it."
wait -n "${pids[@]}"
