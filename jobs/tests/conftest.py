"""Fixtures for the crash tests: real `manage.py qcluster` subprocesses with short stale and
grace limits, started when the test says so, and their worker processes."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from conftest import _subprocess_env

CRASH_STALE_SECONDS = 10
CRASH_QUEUED_GRACE_SECONDS = 10


class Cluster:
    def __init__(self, proc: subprocess.Popen, log_path: Path) -> None:
        self.proc = proc
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def workers(self) -> list[psutil.Process]:
        """The worker processes (the ones that run tasks and start FFmpeg)."""
        try:
            procs = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [p for p in procs if _is_python(p)]

    def worker_running_ffmpeg(self) -> tuple[psutil.Process, list[psutil.Process]] | None:
        for worker in self.workers():
            try:
                # direct children only: the sentinel above the workers has them as grandchildren
                ffmpegs = [c for c in worker.children() if c.name() == "ffmpeg"]
            except psutil.NoSuchProcess:
                continue
            if ffmpegs:
                return worker, ffmpegs
        return None


def _is_python(proc: psutil.Process) -> bool:
    try:
        return "python" in proc.name().lower() or "manage.py" in " ".join(proc.cmdline())
    except psutil.Error:
        return False


@pytest.fixture
def start_cluster(transactional_db, settings, monkeypatch, tmp_path):
    """Call start_cluster(workers=1) to start a real cluster on the test database and
    storage; from then on the test's own enqueues go through the ORM broker. The stale limit
    and the queued grace are 10 s in the cluster and in the test process."""
    from django.conf import settings as dj_settings
    from django_q.conf import Conf

    settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS = CRASH_STALE_SECONDS
    settings.CONTENTIZER_QUEUED_GRACE_SECONDS = CRASH_QUEUED_GRACE_SECONDS
    started: list[Cluster] = []

    def start(*, workers: int = 1, env: dict[str, str] | None = None) -> Cluster:
        """env: extra variables (the outage trials point a dependency through a proxy)."""
        monkeypatch.setattr(Conf, "SYNC", False)
        env = {
            **_subprocess_env(settings),
            "Q_WORKERS": str(workers),
            "CONTENTIZER_HEARTBEAT_STALE_SECONDS": str(CRASH_STALE_SECONDS),
            "CONTENTIZER_QUEUED_GRACE_SECONDS": str(CRASH_QUEUED_GRACE_SECONDS),
            **(env or {}),
        }
        log_path = tmp_path / f"qcluster-{len(started)}.log"
        log = open(log_path, "w")
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=Path(dj_settings.BASE_DIR),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        cluster = Cluster(proc, log_path)
        started.append(cluster)
        return cluster

    try:
        yield start
    finally:
        for cluster in started:
            for worker in cluster.workers():
                try:
                    worker.send_signal(signal.SIGCONT)  # a stopped worker cannot stop
                except psutil.Error:
                    pass
            # Its sentinel and workers, found while still its own: none may outlive it.
            try:
                descendants = psutil.Process(cluster.proc.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                descendants = []
            cluster.proc.send_signal(signal.SIGTERM)
            try:
                cluster.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                cluster.proc.kill()
                cluster.proc.wait(timeout=10)
            _gone, alive = psutil.wait_procs(descendants, timeout=10)
            for child in alive:
                try:
                    child.kill()
                except psutil.NoSuchProcess:
                    pass
            psutil.wait_procs(alive, timeout=10)
