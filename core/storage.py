"""Files enter and leave the configured storage (local disk or S3/R2) only through here,
by storage name; jobs work on local copies in their temp dir."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

CHUNK = 1024 * 1024


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


# Prefixes of storage names that no row references on purpose (caches made on demand, e.g.
# voice samples); `manage.py storage_sweep` never deletes under them. Apps register theirs.
_KEPT_PREFIXES: set[str] = set()


def storage_keep_prefix(prefix: str) -> None:
    _KEPT_PREFIXES.add(prefix)


def storage_kept_prefixes() -> tuple[str, ...]:
    return tuple(sorted(_KEPT_PREFIXES))


def storage_walk(top: str = "") -> list[str]:
    """Every file name in the default storage under `top` (local disk or S3 alike)."""
    names: list[str] = []
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        prefix = f"{folder.rstrip('/')}/" if folder else ""
        names.extend(prefix + f for f in files)
        pending.extend(prefix + d for d in dirs)
    return sorted(names)
