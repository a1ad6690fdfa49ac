"""The only place that starts FFmpeg and ffprobe processes.

Each process runs in its own session (process group) so that cancelling or
timing out kills FFmpeg and anything it started, whatever runs the caller
(a django-q worker only terminates its own process on timeout).
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

import psutil

from mediakit import config
from mediakit.deathsig import with_parent_death_signal
from mediakit.errors import FFmpegCanceled, FFmpegError, FFmpegTimeout

STDERR_TAIL_LINES = 200
_KILL_GRACE_S = 1.0


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stderr_tail: str
    elapsed_s: float


def _resolve(argv: list[str]) -> list[str]:
    if not argv:
        raise ValueError("empty argv")
    tools = config.current()
    head = {"ffmpeg": tools.ffmpeg, "ffprobe": tools.ffprobe}.get(argv[0], argv[0])
    return [head, *argv[1:]]


def _niced(argv: list[str]) -> list[str]:
    """argv behind `nice -n N` (config.ffmpeg_nice): FFmpeg and all its threads run at a
    lower CPU priority than the web process. A missing program is left to fail as before."""
    niceness = config.current().ffmpeg_nice
    nice = shutil.which("nice")
    if niceness <= 0 or nice is None or shutil.which(argv[0]) is None:
        return argv
    return [nice, "-n", str(min(niceness, 19)), *argv]


def _live_members(pgid: int) -> list[int]:
    """Processes of a group that are still running (zombies awaiting their reaper do not count)."""
    live = []
    for proc in psutil.process_iter(["status"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                live.append(proc.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return live


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole group, SIGKILL whatever is left after a grace period, and wait."""
    pgid = proc.pid  # start_new_session: the leader's pid is the group id
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + _KILL_GRACE_S
    try:
        proc.wait(timeout=_KILL_GRACE_S)
    except subprocess.TimeoutExpired:
        pass
    # The leader may be gone while children it started linger in the group.
    while _live_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    # SIGKILL is delivered at once, but exiting takes the kernel a moment.
    deadline = time.monotonic() + _KILL_GRACE_S
    while _live_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.01)


_KNOWN_ERRORS = (
    "Invalid data found when processing input|No such file or directory|Permission denied|"
    "Is a directory|Invalid argument|End of file|Operation not permitted|"
    "Decoder not found|Encoder not found|Protocol not found|Immediate exit requested"
)
# "scene_3.png: Invalid data found when processing input"
_PATH_ERROR = re.compile(rf"^(?P<path>.+?): (?P<error>{_KNOWN_ERRORS})\s*$")
# "Error while decoding stream #0:0: Invalid data found when processing input"
_STREAM_ERROR = re.compile(r"^Error while (?:decoding|processing) stream #(?P<input>\d+):\d+: (?P<error>.+?)\s*$")
_CONTEXT_PREFIX = re.compile(r"^\[[^\]]+ @ 0x[0-9a-f]+\]\s*")
_ERRORISH = re.compile(
    r"(error|invalid|no such|not found|unable|cannot|could not|failed|unknown|"
    r"not supported|mismatch|corrupt|does not|do not|too big|too large)",
    re.IGNORECASE,
)
# Knock-on lines FFmpeg prints after the real cause.
_CONSEQUENCE = re.compile(
    r"^(Conversion failed!|Error marking filters as finished|Error reinitializing filters!|"
    r"Failed to inject frame into filter network.*|Error while processing the decoded data.*|"
    r"Cannot determine format of input stream.*|Error while filtering.*|"
    r"Error initializing complex filters.*|Exiting normally.*|Failed to configure output pad.*|"
    r"Nothing was written into output file.*)$"
)


def _input_paths(argv: Iterable[str]) -> list[str]:
    args = list(argv)
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "-i"]


def describe_failure(stderr_lines: Iterable[str], argv: Iterable[str] = ()) -> str:
    """A one-line, human-readable reason for a failure, taken from FFmpeg's stderr.

    E.g. "Invalid data found when processing input: scene_3.png". Inputs named by
    stream index ("stream #2:0") are named by file, using the -i arguments of argv.
    """
    inputs = _input_paths(argv)
    lines = [_CONTEXT_PREFIX.sub("", line).strip() for line in stderr_lines if line.strip()]
    for line in lines:
        match = _STREAM_ERROR.match(line)
        if match:
            index = int(match["input"])
            name = os.path.basename(inputs[index]) if index < len(inputs) else f"input #{index}"
            return f"{match['error']}: {name}"
        match = _PATH_ERROR.match(line)
        if match and not match["path"].startswith("Error"):
            return f"{match['error']}: {os.path.basename(match['path']) or match['path']}"
    for line in lines:
        if _ERRORISH.search(line) and not _CONSEQUENCE.match(line):
            return line
    for line in reversed(lines):
        if not _CONSEQUENCE.match(line):
            return line
    return "FFmpeg failed without an error message"


def _drain_lines(stream: IO[bytes], sink: Callable[[str], None]) -> None:
    # Reading to EOF in a thread keeps the pipe from filling up and blocking FFmpeg.
    for raw in iter(stream.readline, b""):
        sink(raw.decode("utf-8", "replace").rstrip("\r\n"))
    stream.close()


def run_ffmpeg(
    argv: list[str],
    *,
    total_ms: int | None,
    on_progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    timeout_s: float,
    poll_s: float = 0.25,
) -> RunResult:
    """Run FFmpeg to completion, reporting progress as a 0..1 fraction of total_ms.

    on_progress and should_cancel are called from the calling thread only (so a
    Django callback may touch the ORM), every poll_s at most.
    """
    argv = _resolve(argv)
    full = [argv[0], "-nostdin", "-hide_banner", "-nostats", "-progress", "pipe:1", *argv[1:]]
    tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
    state = {"fraction": 0.0}
    lock = threading.Lock()

    def on_progress_line(line: str) -> None:
        key, _, value = line.partition("=")
        if key == "out_time_us" and total_ms:
            try:
                us = int(value)
            except ValueError:  # "N/A" before the first packet
                return
            with lock:
                state["fraction"] = max(state["fraction"], min(1.0, us / (total_ms * 1000)))
        elif key == "progress" and value == "end":
            with lock:
                state["fraction"] = 1.0

    started = time.monotonic()
    proc = subprocess.Popen(
        with_parent_death_signal(_niced(full)),  # FFmpeg dies with this worker, even on SIGKILL
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    readers = [
        threading.Thread(target=_drain_lines, args=(proc.stdout, on_progress_line), daemon=True),
        threading.Thread(target=_drain_lines, args=(proc.stderr, tail.append), daemon=True),
    ]
    for reader in readers:
        reader.start()

    reported = -1.0
    try:
        while True:
            try:
                proc.wait(timeout=poll_s)
                break
            except subprocess.TimeoutExpired:
                pass
            if should_cancel is not None and should_cancel():
                _kill_group(proc)
                raise FFmpegCanceled("rendering was canceled")
            if time.monotonic() - started > timeout_s:
                _kill_group(proc)
                raise FFmpegTimeout(f"FFmpeg did not finish within {timeout_s:g} s")
            if on_progress is not None:
                with lock:
                    fraction = state["fraction"]
                if fraction > reported:
                    reported = fraction
                    on_progress(fraction)
    except BaseException:
        # Whatever interrupted us (including KeyboardInterrupt or a callback raising),
        # never leave FFmpeg running.
        if proc.poll() is None:
            _kill_group(proc)
        raise
    finally:
        for reader in readers:
            reader.join(timeout=5)

    elapsed = time.monotonic() - started
    stderr_tail = "\n".join(tail)
    if proc.returncode != 0:
        raise FFmpegError(describe_failure(tail, full), proc.returncode, stderr_tail)
    if on_progress is not None and reported < 1.0:
        on_progress(1.0)
    return RunResult(returncode=proc.returncode, stderr_tail=stderr_tail, elapsed_s=elapsed)


def run_ffprobe(argv: list[str], *, timeout_s: float) -> str:
    """Run ffprobe and return its stdout (ffprobe's output is small, so communicate() is fine)."""
    argv = _resolve(argv)
    proc = subprocess.Popen(
        with_parent_death_signal([argv[0], "-hide_banner", *argv[1:]]),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise FFmpegTimeout(f"ffprobe did not finish within {timeout_s:g} s") from None
    except BaseException:
        if proc.poll() is None:
            _kill_group(proc)
        raise
    if proc.returncode != 0:
        lines = err.decode("utf-8", "replace").splitlines()[-STDERR_TAIL_LINES:]
        raise FFmpegError(describe_failure(lines, argv), proc.returncode, "\n".join(lines))
    return out.decode("utf-8", "replace")
