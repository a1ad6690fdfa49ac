#!/usr/bin/env bash
# Set up (if needed) and run Contentizer on the embedded default: daphne serving
# Django (HTTP + websockets) and one django-q2 cluster, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
HOST="${HOST:-127.0.0.1}"
# Exported: the worker builds webhook event links on this port (core/api_links.py).
export PORT="${PORT:-8000}"

# Is something answering on HOST:PORT? (bash's /dev/tcp; a wildcard address is probed on loopback)
probe="$HOST"
case "$HOST" in 0.0.0.0 | "::" | "[::]") probe=127.0.0.1 ;; esac
probe="${probe#[}"
probe="${probe%]}"
answers() { (exec 3<>"/dev/tcp/$probe/$PORT") 2>/dev/null; }
# Checked first: otherwise another server on the port would be taken for ours below.
if answers; then
  echo "==> Something already serves on $HOST:$PORT (another make run?). Choose another port: PORT=8001 make run" >&2
  exit 1
fi

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
daphne=$!
pids+=($daphne)
# Say "up" only once daphne accepts connections (it loads Django first); if it exits
# instead (a bad setting), say so and stop.
until answers; do
  if ! kill -0 "$daphne" 2>/dev/null; then
    echo "==> daphne stopped before serving on $HOST:$PORT; see its messages above." >&2
    exit 1
  fi
  sleep 0.2
done
echo "==> Contentizer is up at http://$HOST:$PORT/ (demo / contentizer-demo); Ctrl-C stops it."
wait -n "${pids[@]}"
