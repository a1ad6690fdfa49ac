"""Health checks, defined once. Readiness (/readyz): can this process serve requests? The
database, the shared cache, file storage and, when the queue is on Redis, the broker must
answer. Workers are not required (a web process is ready without them). The operators'
health (GET /api/v1/health) runs the same checks plus FFmpeg/ffprobe present and a
worker's heartbeat seen recently. Each check raises when it fails and returns what it saw.

`unavailable_dependency(exc)` tells a dependency being down (the database, Redis or the S3
endpoint not answering) from a bug, so that pages and the API can say "try again shortly" (503)."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)


# A cluster's stats expire from the cache within seconds of it stopping; this is how old
# the newest one may be and still count as a heartbeat.
WORKER_HEARTBEAT_MAX_AGE_S = 60


def check_database() -> str:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # A broken connection is not reused by the next probe.
        connection.close()
        raise
    return f"{connection.vendor} answers"


def check_cache() -> str:
    key = "contentizer:readyz"
    value = secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was written")
    return "wrote and read a key"


def check_storage() -> str:
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        # Local files: the directory exists (or can be made) and this process may write there.
        location = Path(storage.location)
        location.mkdir(parents=True, exist_ok=True)
        if not os.access(location, os.W_OK | os.X_OK):
            raise PermissionError("the media directory is not writable")
        return "the media directory is writable"
    # Object storage: a HEAD for a name that need not exist proves the bucket answers and
    # our credentials work (a 404 is an answer; a timeout or a 403 raises).
    storage.exists(".contentizer-readyz")
    return "the bucket answers"


def check_broker() -> str:
    """The task queue's Redis answers a PING (short timeouts: a probe must not hang)."""
    import redis  # loaded where it is used: a site on the ORM broker never needs it

    client = redis.Redis.from_url(str(settings.Q_CLUSTER["redis"]), socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "redis answers"


def check_ffmpeg() -> str:
    found = {name: shutil.which(name) for name in (settings.CONTENTIZER_FFMPEG, settings.CONTENTIZER_FFPROBE)}
    missing = [name for name, path in found.items() if not path]
    if missing:
        raise FileNotFoundError("not found: " + ", ".join(missing))
    return ", ".join(path for path in found.values() if path)


def check_worker() -> str:
    from django.utils import timezone
    from django_q.status import Stat

    stats = Stat.get_all()
    if not stats:
        raise RuntimeError("no qcluster has reported in the last few seconds")
    newest = max(stat.timestamp for stat in stats)
    age = (timezone.now() - newest).total_seconds()
    if age > WORKER_HEARTBEAT_MAX_AGE_S:
        raise RuntimeError(f"the newest cluster heartbeat is {age:.0f} s old")
    workers = sum(len(stat.workers) for stat in stats)
    return f"{len(stats)} cluster(s), {workers} worker(s), heartbeat {age:.0f} s ago"


def readiness_checks() -> dict[str, Callable[[], str]]:
    checks: dict[str, Callable[[], str]] = {
        "database": check_database,
        "cache": check_cache,
        "storage": check_storage,
    }
    if settings.Q_CLUSTER.get("redis"):  # on the ORM broker the queue is the database
        checks["broker"] = check_broker
    return checks


def operator_checks() -> dict[str, Callable[[], str]]:
    """Readiness and what a site needs to do its work: FFmpeg, and a live worker."""
    return {**readiness_checks(), "ffmpeg": check_ffmpeg, "worker": check_worker}


def run_checks(checks: dict[str, Callable[[], str]]) -> dict[str, tuple[bool, str]]:
    """Each check's (ok, what it saw or why it failed)."""
    results: dict[str, tuple[bool, str]] = {}
    for name, check in checks.items():
        try:
            results[name] = (True, check())
        except Exception as exc:  # noqa: BLE001 - a failed check is reported, never raised
            logger.warning("health check %s failed: %s: %s", name, type(exc).__name__, exc)
            detail = str(exc) if isinstance(exc, (FileNotFoundError, RuntimeError)) else ""
            results[name] = (False, detail or f"{type(exc).__name__}: {exc}")
    return results


def unavailable_dependency(exc: BaseException) -> str | None:
    """The dependency that `exc` says is not answering ("database", "redis", "storage"),
    or None (an IntegrityError or a ProgrammingError is a bug, not an outage; so is an S3
    error answer such as AccessDenied: only not reaching the endpoint is an outage)."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return "database"
    import redis  # on first use: a process that never meets an error never needs it

    if isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
        return "redis"
    if isinstance(exc, _storage_unreachable()):
        return "storage"
    return None


def _storage_unreachable() -> tuple[type[BaseException], ...]:
    """botocore's "could not connect / connection dropped / timed out" errors (S3, R2)."""
    try:
        from botocore.exceptions import ConnectionError as BotoConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:  # no S3 client installed: local storage only
        return ()
    return (BotoConnectionError, HTTPClientError)


def readiness() -> dict[str, str]:
    """Each check's outcome: "ok", or the error's class name (details go to the log only:
    the endpoint is anonymous)."""
    results: dict[str, str] = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its name
            logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = type(exc).__name__
        else:
            results[name] = "ok"
    return results
