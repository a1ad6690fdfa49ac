#!/usr/bin/env bash
# Start the scaled-out mode's services on this machine if they are not already answering:
# PostgreSQL (Debian's cluster) and Redis. Idempotent and quiet; fails with a message if one
# cannot be started. Host and port: PGHOST/PGPORT (default 127.0.0.1:5432), REDIS_HOST/REDIS_PORT.
set -euo pipefail
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"

wait_until() {  # wait_until SECONDS COMMAND...: true once COMMAND succeeds
    local tries=$(($1 * 5))
    shift
    for _ in $(seq "$tries"); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}

if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
    if command -v pg_lsclusters >/dev/null 2>&1; then
        # Every Debian cluster that is down (usually "15 main").
        pg_lsclusters --no-header | awk '$4 != "online" {print $1, $2}' | while read -r ver name; do
            pg_ctlcluster "$ver" "$name" start >/dev/null 2>&1 || true
        done
    fi
    wait_until 30 pg_isready -q -h "$PGHOST" -p "$PGPORT" \
        || { echo "services.sh: PostgreSQL does not answer on $PGHOST:$PGPORT" >&2; exit 1; }
fi

if ! redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
        --save '' --appendonly no --logfile /tmp/contentizer-redis.log >/dev/null
    wait_until 15 sh -c "redis-cli -h '$REDIS_HOST' -p '$REDIS_PORT' ping | grep -q PONG" \
        || { echo "services.sh: Redis does not answer on $REDIS_HOST:$REDIS_PORT" >&2; exit 1; }
fi
