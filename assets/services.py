"""Media assets: files enter and leave storage only through here, by storage name."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from assets.models import MediaAsset, PictureLayer
from assets.upload_handlers import megabytes
from core.errors import Conflict
from core.storage import CHUNK, file_sha256, storage_delete_quietly
from jobs.models import Job
from jobs.services import job_claim_check, job_staged_discard, job_staged_promote, job_storage_save
from mediakit.errors import DecodeError, FFmpegError, FFmpegTimeout, ProbeError
from mediakit.probe import decode_check, probe
from mediakit.sniff import sniff_media
from quotas.services import quota_check_storage


def _asset_row(
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
    label: str = "",
    tags: str = "",
    has_audio: bool = False,
    credit: dict | None = None,
) -> MediaAsset:
    """An unsaved asset row for the local file at `path` (its size and checksum read)."""
    return MediaAsset(
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
        label=label[:120],
        tags=tags,
        has_audio=has_audio,
        credit=credit or {},
    )


def asset_create_from_path(*, path: Path, check_quota: bool = False, **fields: Any) -> MediaAsset:
    """Store a local file a request made (an upload, a sample) as a new asset (`fields`:
    those of _asset_row). If the row cannot be written, the stored file is removed again,
    so storage never holds a file no row points to. A job's output goes through
    job_asset_create instead.

    check_quota: refuse (QuotaExceeded) unless the file fits in the owner's storage
    quota, checked under the quota lock in the transaction that writes the row."""
    asset = _asset_row(path=path, **fields)
    with open(path, "rb") as fh:
        asset.file.save(path.name, File(fh), save=False)
    try:
        with transaction.atomic():
            if check_quota:
                quota_check_storage(user=asset.owner, extra_bytes=asset.size_bytes)
            asset.save()
    except BaseException:
        if asset.file.name:
            default_storage.delete(asset.file.name)
        raise
    return asset


def job_asset_create(*, job: Job, path: Path, check_quota: bool = False, **fields: Any) -> MediaAsset:
    """Store an output of the running `job` as a new asset (`fields`: those of _asset_row),
    under the job's claim: the file
    is recorded as staged before it is written, and the row is written only while the job
    still holds its claim (JobClaimLost otherwise, with the file deleted), so a worker that
    lost its job never leaves a file or a row behind. check_quota as asset_create_from_path."""
    asset = _asset_row(path=path, **fields)
    asset.file = job_storage_save(job=job, name=asset.file.field.generate_filename(asset, path.name), path=path)
    try:
        with transaction.atomic():
            job_claim_check(job=job)
            if check_quota:
                quota_check_storage(user=asset.owner, extra_bytes=asset.size_bytes)
            asset.save()
            job_staged_promote(asset.file.name)
    except BaseException:
        job_staged_discard(asset.file.name)
        raise
    return asset


def asset_delete_if_unused(*, asset: MediaAsset) -> bool:
    """Delete an asset and its file unless something still points at it."""
    from django.db.models import ProtectedError

    # The picture's layers go with it: their rows by CASCADE, their files here.
    names = [asset.file.name, *PictureLayer.objects.filter(picture=asset).values_list("file", flat=True)]
    try:
        asset.delete()
    except ProtectedError:
        return False
    storage_delete_quietly(*names)
    return True


def picture_layers_add(
    *,
    job: Job,
    picture: MediaAsset,
    background: Path,
    hero: Path,
    hero_x: int,
    hero_y: int,
    steps: Sequence[Path] = (),
) -> None:
    """Store a picture's layers (see PictureLayer) beside it, as outputs of `job` under its
    claim (as job_asset_create): the background of the picture's size, the hero's box at
    (hero_x, hero_y), and the hero's steps on its way in (each of the hero's box, in the
    order shown). All or none: if a file or a row cannot be written, or the job lost its
    claim, the stored files are removed again and the error raised."""
    stored: list[str] = []
    layers: list[PictureLayer] = []
    try:
        for role, order, path, (x, y) in (
            (PictureLayer.Role.BACKGROUND, 0, background, (0, 0)),
            (PictureLayer.Role.HERO, 0, hero, (hero_x, hero_y)),
            *((PictureLayer.Role.STEP, k, step, (hero_x, hero_y)) for k, step in enumerate(steps)),
        ):
            with Image.open(path) as image:
                width, height = image.size
            layer = PictureLayer(
                picture=picture,
                role=role,
                order=order,
                size_bytes=path.stat().st_size,
                width=width,
                height=height,
                x=x,
                y=y,
            )
            layer.file = job_storage_save(job=job, name=layer.file.field.generate_filename(layer, path.name), path=path)
            stored.append(layer.file.name)
            layers.append(layer)
        with transaction.atomic():
            job_claim_check(job=job)
            for layer in layers:
                layer.save()
            job_staged_promote(*stored)
    except BaseException:
        job_staged_discard(*stored)
        raise


# --- uploads ------------------------------------------------------------------------
#
# Every upload is judged by its bytes: the first bytes say what it is (a name or a
# declared type says nothing), the extension of its name must agree, and then the file
# must really be one: Pillow decodes pictures, ffprobe and a decode pass read clips and
# sounds. Anything else is refused with a sentence for the creator, before anything is
# stored (no file in storage, no row).

# None: the site's upload limit (CONTENTIZER_UPLOAD_MAX_BYTES).
IMAGE_UPLOAD_MAX_BYTES: int | None = None
# 40 MP is far above any frame we render (1080p is 2 MP) and keeps a decoded upload
# under ~160 MB of RAM; Pillow's own bomb check only warns until ~179 MP.
IMAGE_UPLOAD_MAX_PIXELS = 40_000_000
IMAGE_UPLOAD_FORMATS = {"JPEG", "PNG", "WEBP"}
MEDIA_MIN_MS = 100
# Walking a 50 MB clip's keyframes takes a second or two; this only stops a pathological file.
DECODE_CHECK_TIMEOUT_S = 90.0
_HEAD_BYTES = 4096

# What the first bytes say -> (family, what it is, for messages).
PICTURE_FAMILIES = {"jpeg": "a JPEG picture", "png": "a PNG picture", "webp": "a WebP picture"}
MEDIA_FAMILIES = {
    "isobmff": "an MP4/MOV/M4A file",
    "matroska": "a WebM file",
    "mp3": "an MP3 sound",
    "wav": "a WAV sound",
}
# Accepted extensions -> the family their content must be.
UPLOAD_EXTENSIONS = {
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "webp": "webp",
    "mp4": "isobmff",
    "mov": "isobmff",
    "m4a": "isobmff",
    "webm": "matroska",
    "mp3": "mp3",
    "wav": "wav",
}
# ffprobe's format name for each family (the container must be what the bytes claimed).
_PROBE_FORMATS = {"isobmff": "mp4", "matroska": "matroska", "mp3": "mp3", "wav": "wav"}
_MIME = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
}
# Codecs of a single still picture wrapped as "video": not a clip.
_STILL_CODECS = {"png", "mjpeg", "webp", "bmp", "gif", "tiff"}

ACCEPTED_TYPES = "a picture (JPEG, PNG, WebP), a clip (MP4, MOV, WebM) or a sound (MP3, WAV, M4A)"
KIND_NAMES = {
    MediaAsset.Kind.IMAGE: "a picture (JPEG, PNG or WebP)",
    MediaAsset.Kind.VIDEO: "a video clip (MP4, MOV or WebM)",
    MediaAsset.Kind.AUDIO: "a sound file (MP3, WAV or M4A)",
    MediaAsset.Kind.MUSIC: "a sound file (MP3, WAV or M4A)",
}
MESSAGE_EMPTY = "The file is empty; nothing was stored."
MESSAGE_SVG = "SVG drawings are not accepted (they can carry scripts); upload a JPEG, PNG or WebP picture."
MESSAGE_HTML = "That file is a web page (HTML), not a picture, clip or sound; nothing was stored."
MESSAGE_SCRIPT = "That file is a script, not a picture, clip or sound; nothing was stored."
MESSAGE_TEXT = "That file is text, not a picture, clip or sound; nothing was stored."
MESSAGE_DAMAGED = (
    "That file is damaged or incomplete (for example cut off while uploading), so Contentizer cannot "
    "use it; nothing was stored."
)
MESSAGE_UNREADABLE_PICTURE = "That file is not a picture Contentizer can read; upload a JPEG, PNG or WebP image."


def _refuse(field: str, message: str, code: str = "invalid"):
    from django.core.exceptions import ValidationError

    return ValidationError({field: ValidationError(message, code=code)})


def upload_too_large(exc: Exception) -> bool:
    """Whether a refused upload was refused for its size (HTTP 413 rather than 400)."""
    error_dict = getattr(exc, "error_dict", {})
    return any(error.code == "too_large" for errors in error_dict.values() for error in errors)


def upload_max_bytes() -> int:
    from django.conf import settings

    return settings.CONTENTIZER_UPLOAD_MAX_BYTES


def _not_media_message(head: bytes) -> str:
    """Why a file we cannot take is refused, as specifically as its first bytes allow."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if b"<svg" in head.lower():
        return MESSAGE_SVG
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or b"<html" in text:
        return MESSAGE_HTML
    if text.startswith(b"#!"):
        return MESSAGE_SCRIPT
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return MESSAGE_TEXT
    return f"Contentizer cannot read that file; upload {ACCEPTED_TYPES}. Nothing was stored."


def _extension(name: str | None) -> str:
    name = Path(name or "").name
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""


def _label(name: str | None) -> str:
    stem = Path(name or "").name
    stem = stem.rsplit(".", 1)[0] if "." in stem.strip(".") else stem
    return " ".join(stem.replace("_", " ").split())[:120]


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    return head


def _check_size(upload, field: str, limit: int) -> None:

    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise _refuse(field, MESSAGE_EMPTY)
    if size > limit:
        raise _refuse(
            field, f"The file is {megabytes(size)}; the limit is {megabytes(limit)}. Nothing was stored.", "too_large"
        )


def _check_extension(name: str | None, family: str, field: str) -> str:
    """The name's extension ("" when it has none); refused when it disagrees with the content."""
    ext = _extension(name)
    if not ext:
        return ""
    what = PICTURE_FAMILIES.get(family) or MEDIA_FAMILIES[family]
    if ext not in UPLOAD_EXTENSIONS:
        raise _refuse(field, f"“.{ext}” files are not accepted; upload {ACCEPTED_TYPES}.")
    if UPLOAD_EXTENSIONS[ext] != family:
        raise _refuse(
            field,
            f"The file is named “.{ext}” but holds {what}; rename it or upload the file you meant. Nothing was stored.",
        )
    return ext


def _wrong_kind(field: str, kinds, found: str):
    wanted = " or ".join(dict.fromkeys(KIND_NAMES[k] for k in kinds))
    return _refuse(field, f"This needs {wanted}, but that file is {found}.")


def _decode_picture(upload, field: str, mode: str = "RGB"):
    """The upload as a Pillow image in `mode` (RGB, or RGBA for a logo) with its EXIF
    orientation applied; refused when it is not a JPEG, PNG or WebP, has too many pixels
    (decompression bombs) or is damaged."""
    import warnings

    from django.core.exceptions import ValidationError
    from PIL import Image, ImageOps, UnidentifiedImageError

    def too_many(width: int, height: int) -> ValidationError:
        return _refuse(
            field,
            f"The picture is {width}x{height} pixels; the limit is {IMAGE_UPLOAD_MAX_PIXELS // 1_000_000} megapixels.",
        )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                kind, (width, height) = probe.format, probe.size
                if kind not in IMAGE_UPLOAD_FORMATS:
                    raise _refuse(field, MESSAGE_UNREADABLE_PICTURE)
                if width * height > IMAGE_UPLOAD_MAX_PIXELS:
                    raise too_many(width, height)
                probe.verify()
            # verify() leaves the image unusable: open it again to decode it fully.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                return ImageOps.exif_transpose(image).convert(mode)
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses far-too-large pictures itself, from the header, before decoding.
        size = _bomb_size(upload)
        raise too_many(*size) if size else _refuse(field, MESSAGE_UNREADABLE_PICTURE) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise _refuse(field, MESSAGE_UNREADABLE_PICTURE) from exc


def _bomb_size(upload) -> tuple[int, int] | None:
    from PIL import Image

    saved = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = None  # header only: size is read, nothing is decoded
        upload.seek(0)
        with Image.open(upload) as image:
            return image.size
    except Exception:  # noqa: BLE001 - only for a better message
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def _store_picture(*, owner, picture, source: str, label: str, tags: str, check_quota: bool) -> MediaAsset:
    """Store a decoded picture re-encoded as a plain RGB JPEG, so FFmpeg never sees the
    uploaded bytes themselves."""
    import tempfile

    from django.conf import settings

    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR) as tmp:
        path = Path(tmp) / "picture.jpg"
        picture.save(path, "JPEG", quality=92)
        return asset_create_from_path(
            owner=owner,
            kind=MediaAsset.Kind.IMAGE,
            source=source,
            path=path,
            mime="image/jpeg",
            width=picture.width,
            height=picture.height,
            label=label,
            tags=tags,
            check_quota=check_quota,
        )


def asset_ingest_image(*, owner, upload, field: str = "picture") -> MediaAsset:
    """Validate an uploaded picture by its content (not its name or declared type) and
    store it as a new image asset, re-encoded as a plain RGB JPEG with the EXIF
    orientation applied, so FFmpeg never sees the uploaded bytes themselves.

    Raises ValidationError({field: message}) and stores nothing when it is not a JPEG,
    PNG or WebP picture, its name's extension disagrees with its content, it is larger
    than the byte or pixel limits, or is broken; QuotaExceeded when it does not fit in
    the owner's storage."""
    limit = IMAGE_UPLOAD_MAX_BYTES or upload_max_bytes()
    _check_size(upload, field, limit)
    head = _read_head(upload)
    family = sniff_media(head)
    if family is None:
        message = _not_media_message(head)
        specific = message in (MESSAGE_SVG, MESSAGE_HTML, MESSAGE_SCRIPT)
        raise _refuse(field, message if specific else MESSAGE_UNREADABLE_PICTURE)
    if family not in PICTURE_FAMILIES:
        raise _refuse(field, MESSAGE_UNREADABLE_PICTURE)
    _check_extension(upload.name, family, field)
    picture = _decode_picture(upload, field)
    return _store_picture(
        owner=owner,
        picture=picture,
        source=MediaAsset.Source.UPLOADED,
        label=_label(upload.name),
        tags="",
        check_quota=True,
    )


MESSAGE_SVG_LOGO = "SVG logos are not accepted (they can carry scripts); upload a PNG (transparent) or JPEG."


def asset_ingest_logo(*, owner, upload, field: str = "logo") -> MediaAsset:
    """Validate an uploaded logo as asset_ingest_image does a picture (by its content, its
    name's extension, mediakit.brand's byte and side limits) and store it as a new image
    asset, re-encoded as an RGBA PNG: its transparency kept, never the uploaded bytes.

    Raises ValidationError({field: message}) and stores nothing when it is refused;
    QuotaExceeded when it does not fit in the owner's storage."""
    import tempfile

    from django.conf import settings

    from mediakit.brand import LOGO_MAX_BYTES, LOGO_MAX_SIDE

    _check_size(upload, field, LOGO_MAX_BYTES)
    head = _read_head(upload)
    family = sniff_media(head)
    if family is None:
        message = _not_media_message(head)
        if message == MESSAGE_SVG:
            raise _refuse(field, MESSAGE_SVG_LOGO)
        raise _refuse(field, message if message in (MESSAGE_HTML, MESSAGE_SCRIPT) else MESSAGE_UNREADABLE_PICTURE)
    if family not in PICTURE_FAMILIES:
        raise _refuse(field, MESSAGE_UNREADABLE_PICTURE)
    _check_extension(upload.name, family, field)
    logo = _decode_picture(upload, field, mode="RGBA")
    if max(logo.size) > LOGO_MAX_SIDE:
        raise _refuse(
            field,
            f"The logo is {logo.width}x{logo.height} pixels; at most {LOGO_MAX_SIDE} on a side. Nothing was stored.",
        )
    if logo.getchannel("A").getextrema()[1] == 0:
        raise _refuse(field, "The logo is fully transparent: there is nothing to show. Nothing was stored.")
    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR) as tmp:
        path = Path(tmp) / "logo.png"
        logo.save(path, "PNG")
        return asset_create_from_path(
            owner=owner,
            kind=MediaAsset.Kind.IMAGE,
            source=MediaAsset.Source.UPLOADED,
            path=path,
            mime="image/png",
            width=logo.width,
            height=logo.height,
            label=_label(upload.name) or "logo",
            tags="",
            check_quota=True,
        )


def asset_ingest_upload(
    *,
    owner,
    upload,
    field: str = "file",
    kinds: tuple[str, ...] | None = None,
    source: str = MediaAsset.Source.UPLOADED,
    label: str = "",
    tags: str = "",
) -> MediaAsset:
    """Validate any upload (picture, clip or sound) by its content and store it.

    kinds: the asset kinds this use accepts (None: any). Sounds are stored as AUDIO, or
    as MUSIC when only MUSIC is accepted (the stock library's music). Pictures are
    re-encoded (see asset_ingest_image); clips and sounds are stored as uploaded, under a
    generated name with the extension their content has. Uploads count against the
    owner's storage quota; stock items do not.

    Raises ValidationError({field: message}) and stores nothing when the file is not
    acceptable; QuotaExceeded when it does not fit."""
    _check_size(upload, field, upload_max_bytes())
    head = _read_head(upload)
    family = sniff_media(head)
    if family is None:
        raise _refuse(field, _not_media_message(head))
    ext = _check_extension(upload.name, family, field)
    label = (label or _label(upload.name))[:120]
    check_quota = source != MediaAsset.Source.STOCK
    if family in PICTURE_FAMILIES:
        if kinds is not None and MediaAsset.Kind.IMAGE not in kinds:
            raise _wrong_kind(field, kinds, "a picture")
        picture = _decode_picture(upload, field)
        return _store_picture(
            owner=owner, picture=picture, source=source, label=label, tags=tags, check_quota=check_quota
        )
    return _ingest_media(
        owner=owner,
        upload=upload,
        field=field,
        family=family,
        ext=ext,
        kinds=kinds,
        source=source,
        label=label,
        tags=tags,
        check_quota=check_quota,
    )


def _ingest_media(
    *,
    owner,
    upload,
    field: str,
    family: str,
    ext: str,
    kinds: tuple[str, ...] | None,
    source: str,
    label: str,
    tags: str,
    check_quota: bool,
) -> MediaAsset:
    import tempfile

    from django.conf import settings

    max_ms = settings.CONTENTIZER_UPLOAD_MAX_SECONDS * 1000
    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR) as tmp:
        local = Path(tmp) / "upload.bin"
        # Streamed from Django's spooled upload (memory up to 2 MB, else a temp file).
        with open(local, "wb") as out:
            for chunk in upload.chunks(CHUNK):
                out.write(chunk)
        try:
            info = probe(local, timeout_s=30.0)
        except ProbeError as exc:
            raise _refuse(field, MESSAGE_DAMAGED) from exc
        if _PROBE_FORMATS[family] not in info.format_name.split(","):
            raise _refuse(field, MESSAGE_DAMAGED)
        video = info.video if info.video is not None and info.video.codec not in _STILL_CODECS else None
        is_clip = video is not None
        if family in ("mp3", "wav") or ext == "m4a":
            is_clip = False
            if video is not None:
                raise _refuse(
                    field, "That sound file also holds a picture track; upload it as a video clip (MP4, MOV or WebM)."
                )
        if is_clip:
            kind = MediaAsset.Kind.VIDEO
            found = "a video clip"
        else:
            if info.audio is None:
                what = "video clip" if family == "matroska" or ext in ("mp4", "mov") else "sound file"
                raise _refuse(field, f"That {what} has no {'picture' if what == 'video clip' else 'sound'} in it.")
            if ext in ("mp4", "mov") or family == "matroska":
                raise _refuse(field, "That file holds only sound; upload it as an MP3, WAV or M4A sound file.")
            kind = MediaAsset.Kind.AUDIO
            found = "a sound file"
            if kinds is not None and MediaAsset.Kind.AUDIO not in kinds and MediaAsset.Kind.MUSIC in kinds:
                kind = MediaAsset.Kind.MUSIC
        if kinds is not None and kind not in kinds:
            raise _wrong_kind(field, kinds, found)
        duration_ms = (
            info.duration_ms
            or (video.duration_ms if video else None)
            or (info.audio.duration_ms if info.audio else None)
        )
        noun = "clip" if kind == MediaAsset.Kind.VIDEO else "sound"
        if not duration_ms or duration_ms < MEDIA_MIN_MS:
            raise _refuse(field, f"The {noun} is too short: it must last at least {MEDIA_MIN_MS / 1000:g} s.")
        if duration_ms > max_ms:
            raise _refuse(
                field,
                f"The {noun} lasts {duration_ms / 60_000:.1f} min; the limit is {max_ms / 60_000:g} min.",
            )
        if video is not None:
            if video.width <= 0 or video.height <= 0:
                raise _refuse(field, MESSAGE_DAMAGED)
            if video.width * video.height > IMAGE_UPLOAD_MAX_PIXELS:
                raise _refuse(
                    field,
                    f"The clip is {video.width}x{video.height} pixels; the limit is "
                    f"{IMAGE_UPLOAD_MAX_PIXELS // 1_000_000} megapixels.",
                )
        try:
            # Clips: every packet is read and every keyframe and sound frame decoded (a
            # full decode of a long clip costs seconds); sounds are decoded whole.
            decode_check(local, DECODE_CHECK_TIMEOUT_S, keyframes_only=is_clip)
        except (DecodeError, FFmpegError, FFmpegTimeout) as exc:
            raise _refuse(field, MESSAGE_DAMAGED) from exc
        if family == "isobmff":
            stored_ext = ext or ("mp4" if is_clip else "m4a")
        else:
            stored_ext = {"matroska": "webm", "mp3": "mp3", "wav": "wav"}[family]
        final = local.rename(Path(tmp) / f"{noun}.{stored_ext}")
        return asset_create_from_path(
            owner=owner,
            kind=kind,
            source=source,
            path=final,
            mime=_MIME[stored_ext],
            width=video.width if video else None,
            height=video.height if video else None,
            duration_ms=duration_ms,
            label=label,
            tags=tags,
            has_audio=is_clip and info.audio is not None,
            check_quota=check_quota,
        )


# --- deleting an asset; where it is used (who may see one: assets.selectors) ----------------------------------


# Who uses assets is known to the apps above (scenes, videos): each registers a finder,
# (ids) -> {asset id: ["the picture of scene 2 of “Harbour”", ...]}, in its AppConfig.ready.
UsageFinder = Callable[[set[int]], dict[int, list[str]]]
_USAGE_FINDERS: list[UsageFinder] = []


def asset_usage_finder_register(finder: UsageFinder) -> None:
    if finder not in _USAGE_FINDERS:
        _USAGE_FINDERS.append(finder)


def asset_usages(*, assets) -> dict[int, list[str]]:
    """Where each asset is used, as phrases for a person ("the picture of scene 2 of
    “Harbour”"), scenes first, in a stable order; in three queries however many assets."""
    ids = {asset.pk for asset in assets}
    uses: dict[int, list[str]] = {pk: [] for pk in ids}
    if not ids:
        return uses
    for finder in _USAGE_FINDERS:
        for pk, found in finder(ids).items():
            uses[pk].extend(found)
    return uses


def asset_usage(*, asset: MediaAsset) -> list[str]:
    """Where one asset is used (see asset_usages)."""
    return asset_usages(assets=[asset])[asset.pk]


def _usage_sentence(uses: list[str]) -> str:
    shown = uses[:3]
    more = len(uses) - len(shown)
    listed = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    if more:
        listed += f" and {more} more"
    return f"This file is still in use as {listed}; replace it there first. Nothing was deleted."


def asset_delete(*, asset: MediaAsset, user) -> None:
    """Delete an asset and its file. Refused when it is still used (Conflict, naming
    where) and, for stock items, unless the user is staff (PermissionDenied)."""
    if asset.source == MediaAsset.Source.STOCK and not user.is_staff:
        raise PermissionDenied("Stock items belong to the site's library; only staff can remove them.")
    if asset.owner_id != user.pk and not user.is_staff:
        raise PermissionDenied("That file is not yours.")
    uses = asset_usage(asset=asset)
    if uses or not asset_delete_if_unused(asset=asset):
        # PROTECT is the last word: something may have started using it meanwhile.
        raise Conflict(_usage_sentence(uses or asset_usage(asset=asset) or ["a scene or a video"]))


# --- the stock library ------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that match everything and so say nothing about a scene: grammar, and the style
# words every generated visual prompt ends with ("cinematic illustration").
_STOPWORDS = frozenset(
    """
    a an and are as at be been but by for from has have he her his in into is it its of on or
    our she so than that the their them then there these they this to up was we were what when
    where which while who will with you your
    cinematic illustration illustrated photo photograph photorealistic realistic render style
    art artwork digital painting detailed lighting 4k 8k hd
    """.split()
)


def _stem(word: str) -> str:
    # Plural and singular tags match each other ("waves" / "wave"); nothing cleverer.
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def text_words(text: str) -> frozenset[str]:
    """The words of a text as matching sees them: lower case, stemmed, no stop words."""
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1)


def stock_tags_normalise(raw: str) -> str:
    """Tags as stored: lower-case words separated by single spaces, each once, in the
    order given ("Sea, waves;Boat" -> "sea waves boat")."""
    words = [w for w in _WORD.findall((raw or "").lower()) if len(w) > 1]
    return " ".join(dict.fromkeys(words))[:500]


STOCK_SCENE_KINDS = (MediaAsset.Kind.IMAGE, MediaAsset.Kind.VIDEO)


def stock_candidates(kinds: tuple[str, ...] = STOCK_SCENE_KINDS) -> list[tuple[int, frozenset[str]]]:
    """The tagged stock items of these kinds as (id, tag words), oldest first: read once
    per storyboard, matched against every scene."""
    items = MediaAsset.objects.filter(source=MediaAsset.Source.STOCK, kind__in=kinds).exclude(tags="")
    return [(pk, text_words(tags)) for pk, tags in items.order_by("pk").values_list("pk", "tags")]


def stock_match(
    *,
    text: str,
    kinds: tuple[str, ...] = STOCK_SCENE_KINDS,
    candidates: list[tuple[int, frozenset[str]]] | None = None,
) -> MediaAsset | None:
    """The stock item whose tags share the most words with the text (a scene's narration
    and prompt). Deterministic: ties go to the oldest item (lowest id). None when no
    item shares a word."""
    words = text_words(text)
    if candidates is None:
        candidates = stock_candidates(kinds)
    best_pk, best_score = None, 0
    for pk, tags in candidates:
        score = len(words & tags)
        if score > best_score:  # strictly better: an equal score keeps the older item
            best_pk, best_score = pk, score
    return MediaAsset.objects.filter(pk=best_pk).first() if best_pk is not None else None


def stock_asset_create(*, staff, upload, tags: str, label: str = "", field: str = "file") -> MediaAsset:
    """Add a picture, clip or music file to the stock library: validated like any upload,
    owned by the staff member who added it, visible to every creator."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if not staff.is_staff:
        raise PermissionDenied("Only staff can add to the stock library.")
    normalised = stock_tags_normalise(tags)
    if not normalised:
        raise ValidationError({"tags": "Give the stock item a few tags (words a scene might use)."})
    return asset_ingest_upload(
        owner=staff,
        upload=upload,
        field=field,
        kinds=(MediaAsset.Kind.IMAGE, MediaAsset.Kind.VIDEO, MediaAsset.Kind.MUSIC),
        source=MediaAsset.Source.STOCK,
        label=label,
        tags=normalised,
    )
