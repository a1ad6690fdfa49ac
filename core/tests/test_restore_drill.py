"""The restore drill: real videos (one rendered, one storyboarded) with their scenes, jobs and
stored files are backed up with `manage.py backup`; then the data is dropped (every row of the
database, the storage emptied, the S3 bucket deleted) and `manage.py restore` puts the archive
into a new, empty database under its own name and a new, empty bucket. Every video, scene,
job and stored file comes back, byte for byte, and the rendered MP4 still probes as H.264.

An integration test, so it runs in both modes of scripts/test.sh: SQLite + local files, and
PostgreSQL (pg_dump / pg_restore) + S3 on moto."""

from __future__ import annotations

import hashlib
import io
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.storage import storage_walk
from jobs.models import Job
from jobs.storage_sweep import storage_referenced_names
from mediakit.probe import probe
from videos.models import Scene, Video

pytestmark = pytest.mark.integration


def stored_digests() -> dict[str, str]:
    digests = {}
    for name in storage_walk():
        with default_storage.open(name, "rb") as fh:
            digests[name] = hashlib.sha256(fh.read()).hexdigest()
    return digests


def inventory() -> dict[str, set]:
    return {
        "videos": set(Video.objects.values_list("code", "status", "master")),
        "scenes": set(Scene.objects.values_list("code", "video__code", "position")),
        "jobs": set(Job.objects.values_list("code", "kind", "status")),
    }


def counts(inv: dict[str, set], files: dict[str, str]) -> str:
    return ", ".join([*(f"{k} {len(v)}" for k, v in inv.items()), f"stored files {len(files)}"])


@contextmanager
def default_database_named(name: str):
    """Point the default connection at another database of the same server (or another
    SQLite file) for the block."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@contextmanager
def empty_database(tmp_path: Path):
    """A new database with a name of its own: created empty (as `createdb` would) on
    PostgreSQL, a new file with SQLite; dropped afterwards."""
    if connection.vendor == "postgresql":
        name = f"contentizer_drill_{uuid.uuid4().hex[:12]}"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    yield str(tmp_path / "restored.sqlite3")


def drop_storage(settings, media_root: Path) -> None:
    """Delete every stored file, and the bucket itself; then create it again, empty, as the
    operator does before a restore (docs/deploy.md)."""
    storage = settings.STORAGES["default"]
    if storage["BACKEND"] == "storages.backends.s3.S3Storage":
        bucket = default_storage.bucket
        bucket.objects.all().delete()
        bucket.delete()
        bucket.create()
        return
    shutil.rmtree(media_root)
    media_root.mkdir()


def test_a_backup_restored_into_an_empty_database_and_storage_brings_everything_back(
    transactional_db, make_rendered_video, make_video, owner, settings, media_root, tmp_path, piper_cached
):
    rendered = make_rendered_video(owner)
    make_video(owner, title="Harbour")  # the same script: piper_cached speaks it once
    before, files_before = inventory(), stored_digests()
    assert rendered.status == Video.Status.READY and rendered.master.name in files_before
    assert len(before["videos"]) == 2 and len(before["scenes"]) >= 2 and len(before["jobs"]) >= 3
    archive = tmp_path / "backup" / "contentizer.tar"
    archive.parent.mkdir()

    started = time.monotonic()
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    backed_up = time.monotonic() - started
    assert f"videos.video {len(before['videos'])}," in out.getvalue()

    # Everything is dropped: every row, every stored file (and the bucket).
    call_command("flush", interactive=False, verbosity=0)
    drop_storage(settings, media_root)
    assert not Video.objects.exists() and not Job.objects.exists() and storage_walk() == []

    with empty_database(tmp_path) as name, default_database_named(name):
        restore_started = time.monotonic()
        out = io.StringIO()
        call_command("restore", str(archive), stdout=out)
        restored_in = time.monotonic() - restore_started
        after, files_after = inventory(), stored_digests()
        referenced = storage_referenced_names()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        video = Video.objects.get(code=rendered.code)
        master = tmp_path / "restored.mp4"
        with default_storage.open(video.master.name, "rb") as fh:
            master.write_bytes(fh.read())
        restored_in_db = connection.settings_dict["NAME"]

    print(
        f"\nrestore drill ({connection.vendor}, {settings.STORAGES['default']['BACKEND'].rsplit('.', 1)[-1]}): "
        f"before {counts(before, files_before)}; after {counts(after, files_after)}; "
        f"backup {backed_up:.1f} s, restore {restored_in:.1f} s, archive {archive.stat().st_size / 1e6:.1f} MB"
    )
    assert restored_in_db == name
    assert f"Restored ({connection.vendor})" in out.getvalue()
    assert after == before
    assert files_after == files_before
    assert referenced <= set(files_after)  # every file a row names is there
    assert pending == []  # the restored schema is the code's: `migrate` has nothing to do
    info = probe(master)
    assert (info.video.codec, info.video.width, info.video.height) == ("h264", 854, 480)
    assert info.audio is not None and info.duration_ms and info.duration_ms > 1000
