"""How the benchmarks measure (manage.py bench_render, bench_job): CPU seconds of this
process and its children, the peak memory of a process tree, and the encoder alone (x264
with the master's own settings on raw frames), the floor a render is measured against."""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path

from mediakit.errors import ProbeError
from mediakit.runner import run_ffmpeg

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """CPU time of this process (every thread) and of its children that have ended and been
    waited for (FFmpeg, piper, a whole child job process and its own children)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def tree_cpu_seconds() -> float:
    """cpu_seconds() plus what the descendants still running have used (theirs and their own
    ended children's): a helper kept alive across calls (the piper program is one per worker
    process) is never waited for, so its CPU never reaches RUSAGE_CHILDREN."""
    total = cpu_seconds()
    pending = _child_pids(os.getpid())
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/stat") as fh:
                # Fields after the parenthesised name: utime, stime, cutime, cstime are 14-17.
                fields = fh.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / _TICK
        except (OSError, IndexError, ValueError):
            continue
        pending.extend(_child_pids(pid))
    return total


def _child_pids(pid: int) -> list[int]:
    # /proc/<pid>/task/<tid>/children is a few small reads; psutil's children()
    # scans every process on the machine (2 ms a sample here, 4 % of a core at 50 ms).
    pids: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return pids
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                pids.extend(int(x) for x in fh.read().split())
        except OSError:
            continue
    return pids


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


class RssSampler:
    """Peak resident memory of this process and all its descendants, sampled from a thread."""

    def __init__(self, interval_s: float = 0.05) -> None:
        self.interval_s = interval_s
        self.peak_total = 0
        self.peak_children = 0
        # The sampler's own CPU time: the measuring is not the render's cost.
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._me = os.getpid()

    def _run(self) -> None:
        while not self._stop.is_set():
            children = 0
            pending = _child_pids(self._me)
            while pending:
                pid = pending.pop()
                children += _rss_bytes(pid)
                pending.extend(_child_pids(pid))
            self.peak_total = max(self.peak_total, _rss_bytes(self._me) + children)
            self.peak_children = max(self.peak_children, children)
            self.cpu_s = time.thread_time()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def decode_raw_frames(source: Path, raw: Path, *, width: int, height: int, timeout_s: float = 600) -> int:
    """Decode a video's frames to a raw yuv420p file (not a measurement: the encoder floor's
    input). Returns the number of frames written."""
    run_ffmpeg(
        ["ffmpeg", "-y", "-i", str(source), "-an", "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)],
        total_ms=None,
        timeout_s=timeout_s,
    )
    frames, rest = divmod(raw.stat().st_size, width * height * 3 // 2)
    if rest or not frames:
        raise ProbeError(f"{source} decoded to {raw.stat().st_size} bytes, not whole {width}x{height} frames")
    return frames


def testsrc_raw_frames(out: Path, *, seconds: int, width: int, height: int, fps: int, timeout_s: float = 600) -> int:
    """`seconds` of FFmpeg's testsrc2 pattern (moving, detailed: hard to encode) at width x
    height and fps, written as raw yuv420p for encode_raw_frames; its frame count."""
    run_ffmpeg(
        [
            "ffmpeg",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={width}x{height}:rate={fps}",
            "-t",
            str(seconds),
            "-pix_fmt",
            "yuv420p",
            "-f",
            "rawvideo",
            str(out),
        ],
        total_ms=None,
        timeout_s=timeout_s,
    )
    return out.stat().st_size // (width * height * 3 // 2)


def encode_raw_frames(
    raw: Path,
    *,
    width: int,
    height: int,
    fps: int,
    raw_frames: int,
    frames: int,
    x264_args: list[str],
    out: Path,
    timeout_s: float = 3600,
) -> tuple[float, float]:
    """The floor: x264 alone (no filters, no audio) encoding `frames` frames of a raw yuv420p
    file (looped when it holds fewer). Returns (wall s, CPU s); the output is deleted."""
    argv = [
        "ffmpeg",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-s",
        f"{width}x{height}",
        "-r",
        str(fps),
        *(["-stream_loop", "-1"] if frames > raw_frames else []),
        "-i",
        str(raw),
        "-frames:v",
        str(frames),
        *x264_args,
        "-an",
        "-f",
        "mp4",
        str(out),
    ]
    cpu_before = cpu_seconds()
    result = run_ffmpeg(argv, total_ms=None, timeout_s=timeout_s)
    cpu_s = cpu_seconds() - cpu_before
    out.unlink()
    return result.elapsed_s, cpu_s
