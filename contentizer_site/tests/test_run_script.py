"""`make run` (scripts/run.sh) says "Contentizer is up" only once daphne answers, on the port
it was given. Run for real (migrate, bootstrap, a qcluster, daphne) on a fresh SQLite file,
in a copy of the checkout whose setup step is a no-op (setup.sh is tested by CI itself)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration
REPO = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _checkout(tmp_path: Path) -> Path:
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "run.sh", checkout / "scripts" / "run.sh")
    (checkout / "scripts" / "setup.sh").write_text("#!/usr/bin/env bash\nexit 0\n")
    (checkout / "scripts" / "setup.sh").chmod(0o755)
    shutil.copy(REPO / "manage.py", checkout / "manage.py")
    return checkout


def _embedded_env(tmp_path: Path, port: int) -> dict[str, str]:
    drop = ("DATABASE_URL", "REDIS_URL", "STORAGE_BACKEND", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("AWS_")}
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "VENV": str(REPO / ".venv"),
            "PORT": str(port),
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "CONTENTIZER_TMP_DIR": str(tmp_path),
            "Q_WORKERS": "1",
        }
    )
    return env


def test_make_run_says_it_is_up_only_when_daphne_answers_on_port(tmp_path):
    checkout = _checkout(tmp_path)
    port = _free_port()
    env = _embedded_env(tmp_path, port)
    run = subprocess.Popen(
        ["bash", str(checkout / "scripts" / "run.sh")],
        cwd=checkout,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group: the test stops everything it started
    )
    try:
        seen: list[str] = []
        deadline = time.monotonic() + 180
        up = None
        while time.monotonic() < deadline and up is None:
            line = run.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "Contentizer is up" in line:
                up = line
        assert up is not None, "".join(seen[-20:])
        # Right now, with no retry: the line promised a listening server.
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        assert f"http://127.0.0.1:{port}/" in up
    finally:
        try:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_make_run_refuses_a_port_that_something_else_serves(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        checkout = _checkout(tmp_path)
        result = subprocess.run(
            ["bash", str(checkout / "scripts" / "run.sh")],
            cwd=checkout,
            env=_embedded_env(tmp_path, port),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert f"Something already serves on 127.0.0.1:{port}" in result.stderr
    assert "Contentizer is up" not in result.stdout
