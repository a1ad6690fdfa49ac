"""Checking a downloaded stock file is what its search said, before it is stored.

The download already refused bytes that are not a picture or a clip (`sniff_media` on the
first bytes: an HTML error page never becomes a file). This is the full check the
caller runs next, as uploads get: Pillow decodes a photo, ffprobe reads a clip's video
stream; the real size must still cover the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from assets.stock_online.base import FAMILIES, StockCandidate, StockDownloadRefused, StockProvider
from mediakit.errors import ProbeError
from mediakit.probe import probe
from mediakit.sniff import sniff_media

# A photo larger than this is not decoded (Pillow's bomb limit is far higher).
MAX_PIXELS = 40_000_000
_MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "isobmff": "video/mp4",
    "matroska": "video/webm",
}


@dataclass(frozen=True)
class VerifiedMedia:
    path: Path
    family: str  # sniff_media's name: "jpeg", "isobmff", ...
    width: int
    height: int
    duration_ms: int | None
    mime: str
    has_audio: bool


def verify_download(path: Path, candidate: StockCandidate, *, min_width: int = 0, min_height: int = 0) -> VerifiedMedia:
    """The file's real family, size and duration; StockDownloadRefused when it is not a
    `candidate.kind` that decodes and covers min_width x min_height."""
    with open(path, "rb") as handle:
        family = sniff_media(handle.read(64))
    if family not in FAMILIES[candidate.kind]:
        raise StockDownloadRefused(f"{candidate.provider}: the file is not a {candidate.kind}.")
    duration_ms: int | None = None
    has_audio = False
    if candidate.kind == "photo":
        try:
            with Image.open(path) as picture:
                width, height = picture.size
                if width * height > MAX_PIXELS:
                    raise StockDownloadRefused(f"{candidate.provider}: the picture is {width}x{height}, too large.")
                picture.load()
        except (OSError, Image.DecompressionBombError) as exc:
            raise StockDownloadRefused(f"{candidate.provider}: the picture does not decode ({exc}).") from None
    else:
        try:
            info = probe(path)
        except ProbeError as exc:
            raise StockDownloadRefused(f"{candidate.provider}: the clip does not read ({exc}).") from None
        if info.video is None:
            raise StockDownloadRefused(f"{candidate.provider}: the clip has no video stream.")
        width, height = info.video.width, info.video.height
        has_audio = info.audio is not None
        duration_ms = info.duration_ms or info.video.duration_ms
        if not duration_ms:
            raise StockDownloadRefused(f"{candidate.provider}: the clip has no duration.")
    if width < min_width or height < min_height:
        raise StockDownloadRefused(
            f"{candidate.provider}: the file is {width}x{height}, smaller than {min_width}x{min_height}."
        )
    return VerifiedMedia(
        path=path,
        family=family,
        width=width,
        height=height,
        duration_ms=duration_ms,
        mime=_MIME[family],
        has_audio=has_audio,
    )


def download_verified(
    provider: StockProvider, candidate: StockCandidate, dest: Path, *, min_width: int = 0, min_height: int = 0
) -> VerifiedMedia:
    """Download and verify in one step; a file that fails verification is deleted, so
    the caller either gets a checked local file to store or an error for the scene."""
    path = provider.download(candidate, dest)
    try:
        return verify_download(path, candidate, min_width=min_width, min_height=min_height)
    except Exception:
        path.unlink(missing_ok=True)
        raise
