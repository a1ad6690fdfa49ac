"""`manage.py restore` refuses, in words and before any write, a missing archive, one that is
not a backup or is damaged, and a wrong target (a database that has tables, another engine).
The full round trip is the restore drill (test_restore_drill.py)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backup import FILES_PREFIX, MANIFEST
from core.storage import storage_walk
from core.tests import test_restore_drill as drill


@pytest.fixture
def archive(transactional_db, owner, tmp_path) -> Path:
    default_storage.save("assets/1/note.txt", ContentFile(b"a stored file"))
    path = tmp_path / "backup.tar"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def rewrite(path: Path, *, member: str | None = None, manifest: dict | None = None) -> Path:
    """A copy of the archive with one member's bytes flipped, or another manifest."""
    out = path.with_name("changed.tar")
    with tarfile.open(path) as src, tarfile.open(out, "w") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name == member:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            if info.name == MANIFEST and manifest is not None:
                data = json.dumps(manifest).encode()
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile(MANIFEST).read())


def restore_refused(path: Path) -> str:
    """Run restore on the test database; it must refuse and change nothing."""
    users, files = get_user_model().objects.count(), storage_walk()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), stdout=io.StringIO())
    assert get_user_model().objects.count() == users and storage_walk() == files
    return str(refused.value)


def test_it_refuses_a_missing_archive(db, tmp_path):
    assert restore_refused(tmp_path / "nowhere.tar") == f"No backup at {tmp_path / 'nowhere.tar'}."


def test_it_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    path = tmp_path / "notes.tar"
    path.write_text("shopping list\n" * 100)
    assert "is not a Contentizer backup or is damaged" in restore_refused(path)


def test_it_refuses_an_archive_cut_short(archive):
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "damaged" in restore_refused(archive)


def test_it_refuses_an_archive_whose_stored_file_changed(archive):
    changed = rewrite(archive, member=FILES_PREFIX + "assets/1/note.txt")
    assert restore_refused(changed).endswith("files/assets/1/note.txt is not what was backed up (checksum).")


def test_it_refuses_an_archive_whose_database_changed(archive):
    changed = rewrite(archive, member=manifest_of(archive)["database"]["member"])
    assert "(checksum)" in restore_refused(changed)


def test_it_refuses_a_database_that_has_tables_and_writes_no_file(archive):
    default_storage.delete("assets/1/note.txt")  # the storage is empty: only the database is wrong
    message = restore_refused(archive)
    assert "already has" in message and "a restore goes only into a new, empty database" in message
    assert storage_walk() == []


def test_it_refuses_storage_that_holds_files_and_loads_no_table(archive, tmp_path):
    with drill.empty_database(tmp_path) as name, drill.default_database_named(name):
        with pytest.raises(CommandError, match=r"The target storage already holds 1 files \(e.g. assets/1/note.txt\)"):
            call_command("restore", str(archive), stdout=io.StringIO())
        assert connection.introspection.table_names() == []
    assert storage_walk() == ["assets/1/note.txt"]


def test_it_refuses_a_backup_of_another_database_engine(archive):
    manifest = manifest_of(archive)
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]
    manifest["database"]["engine"] = other
    message = restore_refused(rewrite(archive, manifest=manifest))
    assert message.startswith(f"This is a backup of a {'PostgreSQL' if other == 'postgresql' else 'SQLite'} database")


def test_check_verifies_an_archive_without_restoring_it(archive):
    out = io.StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "is whole" in out.getvalue() and "auth.user 1" in out.getvalue() and "files 1" in out.getvalue()
