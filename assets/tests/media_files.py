"""Small real media files for tests, made once per session with FFmpeg and Pillow, plus
hostile ones (wrong extension, markup, scripts, truncated, sparse giants, bombs)."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=60)


def make_media(root: Path) -> dict[str, Path]:
    """Every valid kind we accept, tiny: ~1 s, 160x90."""
    root.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    video = ["-f", "lavfi", "-i", "testsrc=size=160x90:rate=15"]
    sound = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=22050"]
    x264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    files["clip.mp4"] = root / "clip.mp4"
    _ffmpeg(*video, *sound, "-t", "1", *x264, "-c:a", "aac", "-shortest", str(files["clip.mp4"]))
    files["clip-faststart.mp4"] = root / "clip-faststart.mp4"
    _ffmpeg("-i", str(files["clip.mp4"]), "-c", "copy", "-movflags", "+faststart", str(files["clip-faststart.mp4"]))
    files["silent.mp4"] = root / "silent.mp4"
    _ffmpeg(*video, "-t", "1", *x264, str(files["silent.mp4"]))
    files["clip.mov"] = root / "clip.mov"
    _ffmpeg("-i", str(files["clip.mp4"]), "-c", "copy", "-f", "mov", str(files["clip.mov"]))
    files["clip.webm"] = root / "clip.webm"
    _ffmpeg(
        *video, *sound, "-t", "1", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
        "-c:a", "libopus", "-shortest", str(files["clip.webm"]),
    )  # fmt: skip
    files["sound.wav"] = root / "sound.wav"
    _ffmpeg(*sound, "-t", "1.5", "-ac", "1", str(files["sound.wav"]))
    files["sound.mp3"] = root / "sound.mp3"
    _ffmpeg(*sound, "-t", "1.5", "-c:a", "libmp3lame", "-b:a", "64k", str(files["sound.mp3"]))
    files["sound.m4a"] = root / "sound.m4a"
    _ffmpeg(*sound, "-t", "1.5", "-c:a", "aac", str(files["sound.m4a"]))
    files["blip.wav"] = root / "blip.wav"
    _ffmpeg(*sound, "-t", "0.04", str(files["blip.wav"]))
    for fmt, ext in (("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")):
        path = root / f"picture.{ext}"
        Image.new("RGB", (64, 36), (30, 90, 160)).save(path, fmt)
        files[f"picture.{ext}"] = path
    return files


def upload(path: Path, name: str | None = None, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=content_type)


def named(data: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def truncated(path: Path, name: str | None = None) -> SimpleUploadedFile:
    data = path.read_bytes()
    return SimpleUploadedFile(name or path.name, data[: len(data) * 2 // 3], content_type="video/mp4")


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG header promising a huge picture (a decompression bomb) with a tiny body:
    what matters is that it is refused from its header, before anything is decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    # A few rows of zeros: each decompressed row is `width` bytes of nothing.
    idat = zlib.compress(b"\x00" * (width + 1) * 8, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def sparse_file(path: Path, size: int, head: bytes = b"") -> Path:
    """A file of `size` bytes that costs no disk and no time: a hole after `head`."""
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def picture_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 36), colour=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()
