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


# --- uploads ------------------------------------------------------------------------

IMAGE_UPLOAD_MAX_BYTES = 15 * 1024 * 1024
# 40 MP is far above any frame we render (1080p is 2 MP) and keeps a decoded upload
# under ~160 MB of RAM; Pillow's own bomb check only warns until ~179 MP.
IMAGE_UPLOAD_MAX_PIXELS = 40_000_000
IMAGE_UPLOAD_FORMATS = {"JPEG", "PNG", "WEBP"}


def asset_ingest_image(*, owner, upload, field: str = "picture") -> MediaAsset:
    """Validate an uploaded picture by its content (not its name or declared type) and
    store it as a new image asset, re-encoded as a plain RGB JPEG with the EXIF
    orientation applied, so FFmpeg never sees the uploaded bytes themselves.

    Raises ValidationError({field: message}) and stores nothing when it is not a JPEG,
    PNG or WebP picture, is larger than the byte or pixel limits, or is broken."""
    import tempfile
    import warnings

    from django.conf import settings
    from django.core.exceptions import ValidationError
    from PIL import Image, ImageOps, UnidentifiedImageError

    def refuse(message: str) -> ValidationError:
        return ValidationError({field: message})

    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise refuse("The file is empty; choose a JPEG, PNG or WebP picture.")
    if size > IMAGE_UPLOAD_MAX_BYTES:
        raise refuse(
            f"The picture is {size / 1024 / 1024:.1f} MB; the limit is {IMAGE_UPLOAD_MAX_BYTES // 1024 // 1024} MB."
        )
    unreadable = "That file is not a picture Contentizer can read; upload a JPEG, PNG or WebP image."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                kind, (width, height) = probe.format, probe.size
                if kind not in IMAGE_UPLOAD_FORMATS:
                    raise refuse(unreadable)
                if width * height > IMAGE_UPLOAD_MAX_PIXELS:
                    raise refuse(
                        f"The picture is {width}x{height} pixels; the limit is "
                        f"{IMAGE_UPLOAD_MAX_PIXELS // 1_000_000} megapixels."
                    )
                probe.verify()
            # verify() leaves the image unusable: open it again to decode it fully.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise refuse(unreadable) from exc
    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR) as tmp:
        path = Path(tmp) / "picture.jpg"
        picture.save(path, "JPEG", quality=92)
        return asset_create_from_path(
            owner=owner,
            kind=MediaAsset.Kind.IMAGE,
            source=MediaAsset.Source.UPLOADED,
            path=path,
            mime="image/jpeg",
            width=picture.width,
            height=picture.height,
        )
