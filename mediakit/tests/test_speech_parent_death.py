"""Speech children die with their worker: a parent process starts piper (or the resampling
FFmpeg) through mediakit.speech, is SIGKILLed (no clean-up runs), and within 2 s the child is
gone, as the render's FFmpeg is (test_runner_parent_death.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]

# Far more phrases than the test lets piper speak.
PARENT_PIPER = textwrap.dedent(
    """
    from pathlib import Path
    from mediakit.speech import DEFAULT_VOICE, VOICES, piper_synthesize
    texts = ["The keeper climbed the long spiral stairs at dusk, as he did every night."] * 400
    piper_synthesize(VOICES[DEFAULT_VOICE], texts, 165, Path({work!r}))
    """
)

# The helper every speech child goes through (piper, espeak-ng, the resampling FFmpeg), with
# an FFmpeg of about 60 s at real-time speed.
PARENT_FFMPEG = textwrap.dedent(
    """
    from mediakit.speech import _run
    _run(["ffmpeg", "-re", "-f", "lavfi", "-i", "sine=frequency=440:duration=60", "-f", "null", "-"], 120, "FFmpeg")
    """
)


def _start_parent(code: str, is_child) -> tuple[subprocess.Popen, psutil.Process]:
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for child in psutil.Process(parent.pid).children(recursive=True):
            try:
                if is_child(child):
                    return parent, child
            except psutil.Error:
                continue
        assert parent.poll() is None, "the parent exited before starting its speech child"
        time.sleep(0.05)
    parent.kill()
    pytest.fail("the speech child did not start")


def _gone_within(child: psutil.Process, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


def _kill_parent_and_check(parent: subprocess.Popen, child: psutil.Process) -> None:
    try:
        time.sleep(0.3)  # the child is working, not starting
        assert child.is_running()
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert _gone_within(child, 2.0), f"{child.cmdline()[:4]} (pid {child.pid}) outlived its parent"
    finally:
        try:
            child.kill()
        except psutil.Error:
            pass


def test_piper_dies_when_its_worker_is_killed(tmp_path):
    parent, piper = _start_parent(
        PARENT_PIPER.format(work=str(tmp_path / "speech")),
        lambda p: any("piper.http_server" in part for part in p.cmdline()[1:3]),
    )
    _kill_parent_and_check(parent, piper)


def test_a_speech_ffmpeg_dies_when_its_worker_is_killed():
    parent, ffmpeg = _start_parent(PARENT_FFMPEG, lambda p: p.name() == "ffmpeg")
    _kill_parent_and_check(parent, ffmpeg)
