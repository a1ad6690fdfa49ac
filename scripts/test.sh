#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
VENV="${VENV:-.venv}"
# The layers point down only (.importlinter); a broken contract fails the run before the tests.
"$VENV/bin/lint-imports"
exec "$VENV/bin/python" -m pytest "$@"
