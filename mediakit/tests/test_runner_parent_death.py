"""FFmpeg dies with its worker: a parent process runs a long FFmpeg through the runner, is
SIGKILLed (no clean-up runs), and within 2 s nothing of FFmpeg's process group is alive."""

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

from mediakit.deathsig import with_parent_death_signal

REPO = Path(__file__).resolve().parents[2]
# About 60 s of work at real-time speed (-re): far longer than the test.
LONG_FFMPEG = ["ffmpeg", "-re", "-f", "lavfi", "-i", "sine=frequency=440:duration=60", "-f", "null", "-"]

PARENT_VIA_RUNNER = textwrap.dedent(
    """
    import sys, threading
    from mediakit.runner import run_ffmpeg
    argv = {argv!r}
    def work():
        run_ffmpeg(argv, total_ms=60000, timeout_s=120)
    if {in_thread!r}:
        # The runner called from a worker thread, as a thread pool would.
        t = threading.Thread(target=work)
        t.start()
        t.join()
    else:
        work()
    """
)

PARENT_PLAIN_POPEN = textwrap.dedent(
    """
    import subprocess, time
    subprocess.Popen({argv!r}, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(120)
    """
)


def _alive_in_group(pgid: int) -> list[int]:
    alive = []
    for proc in psutil.process_iter(["status"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(proc.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return alive


def _start_parent(code: str) -> tuple[subprocess.Popen, int]:
    """The parent and the pid of the FFmpeg it started (the leader of FFmpeg's group)."""
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = [c for c in psutil.Process(parent.pid).children(recursive=True) if c.name() == "ffmpeg"]
        if children:
            return parent, children[0].pid
        assert parent.poll() is None, "the parent exited before starting FFmpeg"
        time.sleep(0.05)
    parent.kill()
    pytest.fail("FFmpeg did not start")


def _gone_within(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive_in_group(pgid):
            return True
        time.sleep(0.05)
    return not _alive_in_group(pgid)


@pytest.mark.parametrize("in_thread", [False, True], ids=["main-thread", "worker-thread"])
def test_ffmpeg_started_by_the_runner_dies_when_its_parent_is_killed(in_thread):
    parent, ffmpeg_pid = _start_parent(PARENT_VIA_RUNNER.format(argv=LONG_FFMPEG, in_thread=in_thread))
    try:
        assert os.getpgid(ffmpeg_pid) == ffmpeg_pid  # its own session, as the runner wants
        time.sleep(0.3)  # FFmpeg is encoding, not starting
        assert _alive_in_group(ffmpeg_pid) == [ffmpeg_pid]

        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)

        assert _gone_within(ffmpeg_pid, 2.0), f"FFmpeg group {ffmpeg_pid} still alive: {_alive_in_group(ffmpeg_pid)}"
    finally:
        for pid in _alive_in_group(ffmpeg_pid):
            os.kill(pid, signal.SIGKILL)


def test_without_the_death_signal_ffmpeg_would_outlive_its_parent():
    # The control: the same kill against a plain Popen in its own session, as the runner
    # did before. It shows the check above can fail.
    parent, ffmpeg_pid = _start_parent(PARENT_PLAIN_POPEN.format(argv=LONG_FFMPEG))
    try:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        assert not _gone_within(ffmpeg_pid, 2.0)
    finally:
        try:
            os.killpg(ffmpeg_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_missing_program_still_fails_as_file_not_found():
    assert with_parent_death_signal(["no-such-ffmpeg-here", "-version"]) == ["no-such-ffmpeg-here", "-version"]
    with pytest.raises(FileNotFoundError):
        subprocess.Popen(with_parent_death_signal(["no-such-ffmpeg-here", "-version"]))


def test_the_command_is_run_under_setpriv_with_the_same_pid():
    argv = with_parent_death_signal(["ffmpeg", "-hide_banner", "-version"])
    assert argv[1:4] == ["--pdeathsig", "KILL", "--"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True).stdout
    assert out.startswith("ffmpeg version")
