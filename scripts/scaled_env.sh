# Sourced by scripts/test.sh (bash): the environment of the scaled-out test run, and a local
# moto S3 server for it, stopped when the sourcing shell exits. PostgreSQL and Redis must
# answer already (scripts/services.sh starts them).
#   CONTENTIZER_TEST_PG_URL    server to create the test database on (default: postgres@127.0.0.1:5432)
#   CONTENTIZER_TEST_REDIS_DB  Redis database number the tests own and flush (default 9, never 0)
VENV="${VENV:-.venv}"
# contentizer_site/tests/test_test_modes.py checks that this run really is scaled out.
export CONTENTIZER_TEST_MODE=scaled
_pg="${CONTENTIZER_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
# pytest-django creates (and drops) test_<name>; one name per run, so runs never collide.
export DATABASE_URL="$_pg/contentizer_scaled_$$"
_redis_db="${CONTENTIZER_TEST_REDIS_DB:-9}"
if [ "$_redis_db" = 0 ]; then
    echo "scaled_env.sh: CONTENTIZER_TEST_REDIS_DB must not be 0 (the tests flush it)" >&2
    return 1
fi
export REDIS_URL="redis://127.0.0.1:6379/$_redis_db"

_moto_port="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
_moto_log="$(mktemp -t contentizer-moto.XXXXXX.log)"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$_moto_port" >"$_moto_log" 2>&1 &
_moto_pid=$!
_scaled_cleanup() {
    kill "$_moto_pid" 2>/dev/null
    wait "$_moto_pid" 2>/dev/null
    rm -f "$_moto_log"
    # pytest-django drops the test database; after a crash or a straggling connection, this does.
    if command -v psql >/dev/null 2>&1; then
        psql "$_pg/postgres" -qAtc "DROP DATABASE IF EXISTS \"test_contentizer_scaled_$$\" WITH (FORCE)" \
            >/dev/null 2>&1 || true
    fi
}
trap _scaled_cleanup EXIT
for _ in $(seq 100); do
    "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$_moto_port/moto-api/', timeout=1)" \
        >/dev/null 2>&1 && break
    kill -0 "$_moto_pid" 2>/dev/null || { echo "scaled_env.sh: moto_server did not start:" >&2; cat "$_moto_log" >&2; return 1; }
    sleep 0.2
done
export STORAGE_BACKEND=s3
export AWS_S3_ENDPOINT_URL="http://127.0.0.1:$_moto_port"
export AWS_S3_REGION_NAME=us-east-1
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
# Each integration test gets its own bucket on this server (conftest.py); this one is the default.
export AWS_STORAGE_BUCKET_NAME=contentizer-test
