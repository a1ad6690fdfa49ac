"""The runner with real FFmpeg: progress, errors, cancellation and timeouts."""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from mediakit import config, runner
from mediakit.errors import FFmpegCanceled, FFmpegError, FFmpegTimeout
from mediakit.runner import describe_failure, run_ffmpeg, run_ffprobe


def _use_binaries(monkeypatch: pytest.MonkeyPatch, **tools: str) -> None:
    """Point the media layer at wrapper scripts, as `configure` does at start-up."""
    monkeypatch.setattr(config, "_current", replace(config.current(), **tools))


# A source that would take minutes to encode: only cancel or timeout ends it early.
ENDLESS = [
    "ffmpeg",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=320x240:rate=30",
    "-t",
    "3600",
    "-c:v",
    "libx264",
    "-f",
    "null",
    "-",
]


# This process's children from before the run under test (a kept piper program, say): not
# the FFmpeg a test watches.
_EARLIER: set[int] = set()


@pytest.fixture(autouse=True)
def _note_earlier_children() -> None:
    _EARLIER.clear()
    _EARLIER.update(c.pid for c in psutil.Process().children(recursive=True))


def _group_is_gone(pgid: int) -> bool:
    """No running process left in the group (a killed orphan may linger as a zombie until init reaps it)."""
    for proc in psutil.process_iter(["status"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                return False
        except (ProcessLookupError, psutil.Error):
            continue
    return True


def _wrapper(tmp_path: Path, body: str) -> str:
    """An executable standing in for ffmpeg, for tests of what the runner does with a process."""
    script = tmp_path / "ffmpeg-wrapper.sh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_progress_climbs_to_one_and_the_run_succeeds() -> None:
    seen: list[float] = []
    result = run_ffmpeg(
        [
            "ffmpeg",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=30:duration=3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-f",
            "null",
            "-",
        ],
        total_ms=3000,
        on_progress=seen.append,
        timeout_s=60,
        poll_s=0.05,
    )
    assert result.returncode == 0
    assert result.elapsed_s > 0
    assert seen[-1] == pytest.approx(1.0)
    assert seen == sorted(seen)
    assert all(0.0 <= f <= 1.0 for f in seen)


def test_the_runner_adds_its_flags_after_the_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "argv.txt"
    _use_binaries(monkeypatch, ffmpeg=_wrapper(tmp_path, f'printf "%s\\n" "$@" > {record}\n'))
    run_ffmpeg(["ffmpeg", "-i", "in.png", "out.mp4"], total_ms=None, timeout_s=10)
    assert record.read_text().split("\n")[:-1] == [
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-progress",
        "pipe:1",
        "-i",
        "in.png",
        "out.mp4",
    ]


def test_a_corrupt_input_raises_ffmpeg_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "scene_3.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(3000))
    with pytest.raises(FFmpegError) as caught:
        run_ffmpeg(["ffmpeg", "-i", str(bad), "-f", "null", "-"], total_ms=None, timeout_s=30)
    assert caught.value.message == "Invalid data found when processing input: scene_3.png"
    assert caught.value.returncode != 0
    assert "scene_3.png" in str(caught.value)
    assert caught.value.stderr_tail


def test_a_missing_input_says_so(tmp_path: Path) -> None:
    with pytest.raises(FFmpegError, match=r"No such file or directory: missing\.wav"):
        run_ffmpeg(["ffmpeg", "-i", str(tmp_path / "missing.wav"), "-f", "null", "-"], total_ms=None, timeout_s=30)


def test_the_stderr_tail_is_bounded_and_a_chatty_process_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20k lines on each pipe: far more than a pipe buffer holds.
    body = (
        'i=0; while [ $i -lt 20000 ]; do echo "progress line $i"; echo "noise $i" >&2; i=$((i+1)); done\n'
        'echo "clip.mov: Invalid data found when processing input" >&2\n'
        "exit 1\n"
    )
    _use_binaries(monkeypatch, ffmpeg=_wrapper(tmp_path, body))
    with pytest.raises(FFmpegError) as caught:
        run_ffmpeg(["ffmpeg"], total_ms=None, timeout_s=120)
    lines = caught.value.stderr_tail.splitlines()
    assert len(lines) == runner.STDERR_TAIL_LINES
    assert lines[-1] == "clip.mov: Invalid data found when processing input"
    assert caught.value.message == "Invalid data found when processing input: clip.mov"


def test_cancel_kills_the_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The wrapper leaves a grandchild in the group, then becomes ffmpeg.
    _use_binaries(monkeypatch, ffmpeg=_wrapper(tmp_path, 'sleep 600 &\nexec ffmpeg "$@"\n'))
    started = threading.Event()
    pids: list[int] = []

    def should_cancel() -> bool:
        children = psutil.Process().children(recursive=True)
        pids.extend(c.pid for c in children if c.pid not in pids and c.pid not in _EARLIER)
        try:
            # Cancel once the wrapper has become FFmpeg (its grandchild is started by then).
            if any(c.name() == "ffmpeg" for c in children):
                started.set()
        except psutil.NoSuchProcess:
            pass
        return started.is_set()

    with pytest.raises(FFmpegCanceled):
        run_ffmpeg(ENDLESS, total_ms=None, should_cancel=should_cancel, timeout_s=600, poll_s=0.1)
    assert started.is_set()
    assert _group_is_gone(pids[0])
    assert len(pids) == 2  # ffmpeg and the grandchild, both in the group
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_a_process_that_ignores_sigterm_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_binaries(monkeypatch, ffmpeg=_wrapper(tmp_path, "trap '' TERM\nwhile true; do sleep 0.1; done\n"))
    pids: list[int] = []

    def should_cancel() -> bool:
        pids.extend(c.pid for c in psutil.Process().children() if c.pid not in pids and c.pid not in _EARLIER)
        return bool(pids)

    with pytest.raises(FFmpegCanceled):
        run_ffmpeg(["ffmpeg"], total_ms=None, should_cancel=should_cancel, timeout_s=600, poll_s=0.1)
    assert _group_is_gone(pids[0])


def test_timeout_kills_the_process_group() -> None:
    pids: list[int] = []

    def watch() -> bool:
        pids.extend(c.pid for c in psutil.Process().children() if c.pid not in pids and c.pid not in _EARLIER)
        return False

    with pytest.raises(FFmpegTimeout, match="did not finish within 1 s"):
        run_ffmpeg(ENDLESS, total_ms=None, should_cancel=watch, timeout_s=1, poll_s=0.1)
    assert pids
    assert _group_is_gone(pids[0])


def test_configured_binaries_replace_the_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_binaries(monkeypatch, ffprobe=_wrapper(tmp_path, 'echo "{\\"probe\\": \\"$#\\"}"\n'))
    assert run_ffprobe(["ffprobe", "a", "b"], timeout_s=10) == '{"probe": "3"}\n'


def test_ffprobe_errors_are_described() -> None:
    with pytest.raises(FFmpegError, match=r"No such file or directory: nothing\.mp4"):
        run_ffprobe(["ffprobe", "-v", "error", "/nowhere/nothing.mp4"], timeout_s=10)


def test_describe_failure_names_the_input_behind_a_stream_index() -> None:
    stderr = [
        "[png @ 0x55d5] Invalid PNG signature 0x776D787C215C4BFB.",
        "Error while decoding stream #1:0: Invalid data found when processing input",
        "Cannot determine format of input stream 1:0 after EOF",
        "Conversion failed!",
    ]
    argv = ["ffmpeg", "-i", "/w/scene_1.png", "-i", "/w/scene_2.png", "out.mp4"]
    assert describe_failure(stderr, argv) == "Invalid data found when processing input: scene_2.png"


def test_describe_failure_prefers_the_cause_over_knock_on_lines() -> None:
    stderr = [
        "[Parsed_xfade_4 @ 0x55d5] First input link main timebase (1/30) do not match the corresponding second input link xfade timebase (1/25)",
        "Failed to configure output pad on Parsed_xfade_4",
        "Error reinitializing filters!",
        "Conversion failed!",
    ]
    assert describe_failure(stderr).startswith("First input link main timebase")
