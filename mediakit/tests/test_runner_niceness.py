"""FFmpeg runs at a lower CPU priority than the process that starts it, every thread of it
(read from /proc while it runs), and the setting can turn that off."""

from __future__ import annotations

import os

import psutil
import pytest

from mediakit import config
from mediakit.runner import run_ffmpeg

# -re reads the test source at its own rate: about 2 s of FFmpeg to look at.
ARGV = [
    "ffmpeg",
    "-re",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=64x64:rate=25",
    "-t",
    "2",
    "-threads",
    "2",
    "-f",
    "null",
    "-",
]


def _nice_of(pid: int, tid: int) -> int:
    with open(f"/proc/{pid}/task/{tid}/stat") as fh:
        # Field 19 (after the parenthesised command name, which may hold spaces).
        return int(fh.read().rsplit(")", 1)[1].split()[16])


def _ffmpeg_threads_nice() -> list[int]:
    values = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.name() != "ffmpeg":
                continue
            values += [_nice_of(child.pid, int(tid)) for tid in os.listdir(f"/proc/{child.pid}/task")]
        except (psutil.Error, OSError):
            continue
    return values


@pytest.fixture
def niceness():
    before = config.current()

    def set_to(value: int) -> None:
        config.configure(ffmpeg_nice=value)

    yield set_to
    config.configure(ffmpeg_nice=before.ffmpeg_nice)


def _observed(niceness_value: int, set_to) -> set[int]:
    set_to(niceness_value)
    seen: set[int] = set()
    run_ffmpeg(ARGV, total_ms=2000, on_progress=lambda _f: seen.update(_ffmpeg_threads_nice()), timeout_s=60)
    return seen


def test_ffmpeg_and_all_its_threads_run_ten_nicer_than_the_caller(niceness):
    own = os.nice(0)
    seen = _observed(10, niceness)
    assert seen == {min(own + 10, 19)}


def test_niceness_zero_runs_ffmpeg_at_the_callers_priority(niceness):
    own = os.nice(0)
    seen = _observed(0, niceness)
    assert seen == {own}
