"""The piper program is loaded once per worker process and dies with it: it outlives the job
thread that first needed it (the storyboard narrates in a thread of its own, one per job),
and a SIGKILL of the process ends it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil

from mediakit import speech
from mediakit.speech import DEFAULT_VOICE, VOICES

REPO = Path(__file__).resolve().parents[2]


def _in_a_thread_that_ends(work_dir: Path, text: str) -> int:
    """Narrate `text` from a thread of its own, as a job does; the thread has ended on return.
    The pid of the piper program that spoke."""
    voice = VOICES[DEFAULT_VOICE]
    model, _ = speech._piper_model(voice.package, voice.name)
    pids: list[int] = []

    def job() -> None:
        (wav,) = speech.piper_synthesize(voice, [text], 165, work_dir)
        assert wav.stat().st_size > 1000
        pids.append(speech._piper_servers[model].process.pid)

    thread = threading.Thread(target=job)
    thread.start()
    thread.join()
    assert not thread.is_alive() and len(pids) == 1
    return pids[0]


def test_two_jobs_narrated_from_threads_that_end_share_one_piper_program(tmp_path: Path) -> None:
    first = _in_a_thread_that_ends(tmp_path / "a", "One lamp.")
    # The parent-death signal fires when the thread that started a program ends: had the
    # first job's thread started piper, it would be gone now and the second would load it again.
    time.sleep(0.3)
    assert psutil.Process(first).status() != psutil.STATUS_ZOMBIE
    second = _in_a_thread_that_ends(tmp_path / "b", "Two lamps.")
    assert second == first


CHILD = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from mediakit import speech
    voice = speech.VOICES[speech.DEFAULT_VOICE]
    model, _ = speech._piper_model(voice.package, voice.name)
    def job():
        speech.piper_synthesize(voice, ["A lamp."], 165, Path(sys.argv[1]))
    thread = threading.Thread(target=job)
    thread.start()
    thread.join()
    print(speech._piper_servers[model].process.pid, flush=True)
    time.sleep(120)
    """
)


def test_the_piper_program_dies_when_its_worker_process_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "work")],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        assert line.strip().isdigit(), f"the child printed {line!r}"
        piper = psutil.Process(int(line))
        assert "piper" in " ".join(piper.cmdline())
        # Alive after the thread that needed it ended...
        time.sleep(0.3)
        assert piper.is_running() and piper.status() != psutil.STATUS_ZOMBIE
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        # ...and gone with the process, though no clean-up of ours ran.
        gone, _alive = psutil.wait_procs([piper], timeout=10)
        assert gone, "the piper program outlived its killed worker"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
