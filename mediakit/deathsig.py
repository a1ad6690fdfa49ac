"""FFmpeg dies with the process that started it.

A worker killed with SIGKILL runs no clean-up, and FFmpeg, in its own session so that we
can kill its group, is re-parented to PID 1 and keeps encoding into a temp dir nobody
will read. Linux's parent-death signal (prctl PR_SET_PDEATHSIG) fixes that: the kernel
sends SIGKILL to FFmpeg when its parent goes.

We set it with util-linux's `setpriv --pdeathsig KILL` in front of the command (Debian 12:
util-linux 2.38, installed everywhere; it sets the flag and execs FFmpeg, same pid, about
2 ms per start measured here) rather than a `preexec_fn` calling prctl: preexec_fn runs
Python between fork and exec, which can deadlock in a process with threads (ours has the
pipe readers, Django, the ORM).

Two properties of the signal the runner relies on:
- It fires when the *thread* that forked exits, not only the process. The runner's caller
  thread blocks in `run_ffmpeg` until FFmpeg has ended, so that thread can only go away
  early when the whole process dies (or after the runner has killed FFmpeg itself).
- A parent that dies in the ~1 ms between fork and setpriv's prctl call is missed; the
  job's stale-heartbeat reaper remains the backstop for that window.

A program kept for the life of the process (the piper voice, loaded once per worker and
used by job after job, from whichever thread narrates) must not die with the thread that
happened to need it first: `popen_for_process` starts it from one thread that lives as long
as the process, so it dies with the process (SIGKILL included) and with nothing less.

Where setpriv is missing (not Linux), commands run unchanged.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any


@functools.cache
def _setpriv() -> str | None:
    return shutil.which("setpriv")


def with_parent_death_signal(argv: list[str]) -> list[str]:
    """argv, run so that the kernel SIGKILLs it when the thread that started it exits."""
    setpriv = _setpriv()
    if not setpriv or not argv or shutil.which(argv[0]) is None:
        # A missing program keeps failing as it always did: FileNotFoundError from Popen,
        # not an exit status from setpriv.
        return list(argv)
    return [setpriv, "--pdeathsig", "KILL", "--", *argv]


# The thread that starts the kept programs: one per process, idle between starts, ending
# only when the process does. A forked child has no copy of it (nor of a held lock).
_keeper: ThreadPoolExecutor | None = None
_keeper_lock = threading.Lock()


def _forget_keeper() -> None:
    global _keeper, _keeper_lock
    _keeper, _keeper_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_keeper)


def popen_for_process(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """subprocess.Popen(argv, **kwargs) for a program the process keeps between calls: the
    kernel SIGKILLs it when the process ends, not when the calling thread does (a job's
    narration thread, which ends with the job)."""
    global _keeper
    with _keeper_lock:
        if _keeper is None:
            _keeper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kept-programs")
        keeper = _keeper
    command = with_parent_death_signal(argv)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, **kwargs)

    return keeper.submit(start).result()
