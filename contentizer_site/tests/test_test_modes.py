"""The test suite's two modes: the subprocesses the integration tests start (qcluster,
daphne) work on this test's database, storage and Redis, and the scaled-out run
(scripts/test.sh) really is scaled out."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as dj_settings
from django.db import connection

from conftest import _subprocess_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SHOW_SETTINGS = """
import json
from django.conf import settings
from django.db import connection
from django_q.conf import Conf
storage = settings.STORAGES["default"]
print(json.dumps({
    "db": [connection.vendor, str(connection.settings_dict["NAME"])],
    "storage": [storage["BACKEND"], storage["OPTIONS"].get("bucket_name") or str(storage["OPTIONS"].get("location"))],
    "broker": "redis" if Conf.REDIS else "orm",
    "redis": settings.REDIS_URL,
    "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def _here(settings) -> dict:
    storage = settings.STORAGES["default"]
    return {
        "db": [connection.vendor, str(connection.settings_dict["NAME"])],
        "storage": [
            storage["BACKEND"],
            storage["OPTIONS"].get("bucket_name") or str(storage["OPTIONS"].get("location")),
        ],
        "broker": "redis" if dj_settings.Q_CLUSTER.get("redis") else "orm",
        "redis": settings.REDIS_URL,
        "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
        "cache": settings.CACHES["default"]["BACKEND"],
    }


def test_a_subprocess_works_on_this_tests_database_storage_and_redis(settings):
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW_SETTINGS],
        cwd=dj_settings.BASE_DIR,
        env=_subprocess_env(settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    there = json.loads(out.stdout.strip().splitlines()[-1])
    assert there == _here(settings)
    assert there["db"][1] != "db.sqlite3" and "test" in os.path.basename(there["db"][1])


def test_the_run_is_in_the_mode_it_says(settings):
    here = _here(settings)
    if os.environ.get("CONTENTIZER_TEST_MODE") == "scaled":  # scripts/scaled_env.sh
        assert here["db"][0] == "postgresql"
        assert here["broker"] == "redis" and not here["redis"].endswith("/0")
        assert here["channels"] == "channels_redis.core.RedisChannelLayer"
        assert here["cache"] == "django.core.cache.backends.redis.RedisCache"
        assert here["storage"][0] == "storages.backends.s3.S3Storage"
    else:
        assert here["db"][0] == "sqlite"
        assert here["broker"] == "orm" and not here["redis"]
        assert here["channels"] == "channels.layers.InMemoryChannelLayer"
        assert here["cache"] == "django.core.cache.backends.db.DatabaseCache"
        assert here["storage"][0] == "django.core.files.storage.FileSystemStorage"
