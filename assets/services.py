"""Media assets: files enter and leave storage only through here, by storage name."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from assets.models import MediaAsset

CHUNK = 1024 * 1024


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def asset_create_from_path(
    *,
    owner,
    kind: str,
    source: str,
    path: Path,
    mime: str,
    width: int | None = None,
    height: int | None = None,
    duration_ms: int | None = None,
    generator: str = "",
) -> MediaAsset:
    """Store a local file as a new asset. If the row cannot be written, the stored file
    is removed again, so storage never holds a file no row points to."""
    asset = MediaAsset(
        owner=owner,
        kind=kind,
        source=source,
        mime=mime,
        size_bytes=path.stat().st_size,
        checksum=file_sha256(path),
        width=width,
        height=height,
        duration_ms=duration_ms,
        generator=generator,
    )
    with open(path, "rb") as fh:
        asset.file.save(path.name, File(fh), save=False)
    try:
        with transaction.atomic():
            asset.save()
    except Exception:
        default_storage.delete(asset.file.name)
        raise
    return asset


def storage_fetch(*, name: str, dest: Path) -> Path:
    """Copy a stored file into a local (job temp) path, streaming."""
    with default_storage.open(name, "rb") as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
    return dest


def storage_save(*, name: str, path: Path) -> str:
    """Save a local file under a storage name; returns the name actually used."""
    with open(path, "rb") as fh:
        return default_storage.save(name, File(fh))


def storage_delete_quietly(*names: str) -> None:
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except Exception:  # noqa: BLE001 - deletion of leftovers is best effort
                pass


def asset_delete_if_unused(*, asset: MediaAsset) -> bool:
    """Delete an asset and its file unless something still points at it."""
    from django.db.models import ProtectedError

    name = asset.file.name
    try:
        asset.delete()
    except ProtectedError:
        return False
    storage_delete_quietly(name)
    return True
