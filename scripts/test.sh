#!/usr/bin/env bash
# Set up (if needed) and run the tests in both modes:
#   1. the whole suite on the embedded default (SQLite, ORM broker, in-memory channel layer,
#      local files);
#   2. the integration tests again (-m integration: a real qcluster, daphne, websockets,
#      renders through the queue) scaled out on PostgreSQL + the Redis broker + channels-redis
#      + S3 (a local moto server). PostgreSQL and Redis are started if not running.
# Extra arguments go to pytest in both runs. CONTENTIZER_TEST_MODES="embedded" (or "scaled")
# runs one mode only. Fails if either run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
VENV="${VENV:-.venv}"
export VENV
# Before the tests, each failing the run: the layers point down only (.importlinter); the
# code is ruff-formatted and passes ruff's lint; the types check (mypy.ini: mediakit under
# --strict's flags, the other apps with django-stubs and a list of modules allowed to fail).
"$VENV/bin/lint-imports"
"$VENV/bin/ruff" format --check .
"$VENV/bin/ruff" check .
"$VENV/bin/mypy"
# The alert rules (ops/prometheus/alerts.yml) fire when they should, and only then.
promtool test rules ops/prometheus/alerts_test.yml
MODES=" ${CONTENTIZER_TEST_MODES:-embedded scaled} "
status=0
if [[ "$MODES" == *" embedded "* ]]; then
    echo "== Embedded default: the whole suite (but the scaled-out stack's own trials)"
    (
        unset DATABASE_URL REDIS_URL STORAGE_BACKEND
        "$VENV/bin/python" -m pytest -m "not scaled_only" "$@"
    ) || status=$?
fi
if [[ "$MODES" == *" scaled "* ]]; then
    scripts/services.sh
    echo "== Scaled out (PostgreSQL, Redis broker, channels-redis, S3 on moto): the integration tests"
    (
        source scripts/scaled_env.sh && "$VENV/bin/python" -m pytest -m "integration and not embedded_only" "$@"
    ) || status=$?
fi
exit "$status"
