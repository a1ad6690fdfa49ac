"""Readiness: can this process serve requests? The database, the shared cache, file
storage and, when the queue is on Redis, the broker must answer. Workers are not required
(a web process is ready without them; the staff health page shows the workers).

`unavailable_dependency(exc)` tells a dependency being down (the database, Redis or the S3
endpoint not answering) from a bug, so that pages and the API can say "try again shortly" (503)."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)


def check_database() -> None:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # A broken connection is not reused by the next probe.
        connection.close()
        raise


def check_cache() -> None:
    key = "contentizer:readyz"
    value = secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was written")


def check_storage() -> None:
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        # Local files: the directory exists (or can be made) and this process may write there.
        location = Path(storage.location)
        location.mkdir(parents=True, exist_ok=True)
        if not os.access(location, os.W_OK | os.X_OK):
            raise PermissionError("the media directory is not writable")
        return
    # Object storage: a HEAD for a name that need not exist proves the bucket answers and
    # our credentials work (a 404 is an answer; a timeout or a 403 raises).
    storage.exists(".contentizer-readyz")


def check_broker() -> None:
    """The task queue's Redis answers a PING (short timeouts: a probe must not hang)."""
    client = redis.Redis.from_url(settings.Q_CLUSTER["redis"], socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def readiness_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {
        "database": check_database,
        "cache": check_cache,
        "storage": check_storage,
    }
    if settings.Q_CLUSTER.get("redis"):  # on the ORM broker the queue is the database
        checks["broker"] = check_broker
    return checks


def unavailable_dependency(exc: BaseException) -> str | None:
    """The dependency that `exc` says is not answering ("database", "redis", "storage"),
    or None (an IntegrityError or a ProgrammingError is a bug, not an outage; so is an S3
    error answer such as AccessDenied: only not reaching the endpoint is an outage)."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return "database"
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
