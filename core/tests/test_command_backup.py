"""`manage.py backup` writes one archive (database, stored files, manifest) and never
overwrites a file. The round trip is the restore drill (test_restore_drill.py)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from core.backup import MANIFEST


def test_the_archive_holds_the_database_every_stored_file_and_their_checksums(transactional_db, owner, tmp_path):
    default_storage.save("videos/1/poster.jpg", ContentFile(b"not really a jpeg"))
    out = io.StringIO()
    call_command("backup", str(tmp_path / "b.tar"), stdout=out)
    with tarfile.open(tmp_path / "b.tar") as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        stored = tar.extractfile("files/videos/1/poster.jpg").read()
        assert manifest["database"]["member"] in tar.getnames()
    assert stored == b"not really a jpeg"
    assert manifest["files"] == [
        {"name": "videos/1/poster.jpg", "size": len(stored), "sha256": hashlib.sha256(stored).hexdigest()}
    ]
    assert manifest["rows"]["auth.user"] == 1
    assert "auth.user 1" in out.getvalue() and "files 1" in out.getvalue()


def test_it_never_overwrites_an_existing_file(db, tmp_path):
    (tmp_path / "backups").mkdir()
    existing = tmp_path / "backups" / "b.tar"
    existing.write_bytes(b"last week's backup")
    with pytest.raises(CommandError, match="already exists: a backup never overwrites"):
        call_command("backup", str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"last week's backup"
    assert [p.name for p in existing.parent.iterdir()] == ["b.tar"]  # no partial archive left either


@pytest.mark.parametrize(
    "needle",
    [
        "python manage.py backup",
        "python manage.py restore",
        "restore --check",
        "pg_dump --format=custom",
        "pg_restore --no-owner --single-transaction",
        'sqlite3 db.sqlite3 ".backup',
        "versioning",
        "aws s3 sync",
        "core/tests/test_restore_drill.py",
    ],
)
def test_the_deployment_guide_says_how_to_back_up_and_restore(needle):
    from django.conf import settings

    assert needle in (Path(settings.BASE_DIR) / "docs" / "deploy.md").read_text()
