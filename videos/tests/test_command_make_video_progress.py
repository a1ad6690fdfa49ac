"""make_video's progress output, from the outside: the command runs as a real process
(its own django-q2 sync worker, FFmpeg), once writing to a pipe and once to a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as dj_settings
from django.db import connection

SCRIPT = "A red kite rides the wind. It drops toward the river and is gone."


def _command(tmp_path: Path, settings) -> tuple[list[str], dict]:
    script = tmp_path / "kite.txt"
    script.write_text(SCRIPT)
    argv = [sys.executable, "manage.py", "make_video", str(script), "--out", str(tmp_path / "kite.mp4")]
    argv += ["--quality", "480p"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contentizer_site.settings",
        "SQLITE_PATH": str(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": settings.STORAGES["default"]["OPTIONS"]["location"],
        "CONTENTIZER_TMP_DIR": str(settings.CONTENTIZER_TMP_DIR),
    }
    return argv, env


@pytest.mark.django_db(transaction=True)
def test_without_a_terminal_it_prints_one_line_per_stage_and_no_queue_logs(tmp_path, settings):
    argv, env = _command(tmp_path, settings)

    done = subprocess.run(argv, cwd=dj_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=240)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "django-q" not in done.stdout + done.stderr
    assert done.stderr == ""  # nothing in Django's red error stream
    progress = [line for line in lines if re.match(r"^(storyboard|render): ", line)]
    # One line per stage: no stage repeats with another percentage.
    stages = [line.split(" (")[0] for line in progress]
    assert len(stages) == len(set(stages)), progress
    assert "render: succeeded (100%)" in lines and "storyboard: succeeded (100%)" in lines
    assert len(lines) <= 20, lines
    assert lines[-1].startswith("Wrote ")


@pytest.mark.django_db(transaction=True)
def test_on_a_terminal_the_bar_is_redrawn_in_place_in_plain_style(tmp_path, settings):
    argv, env = _command(tmp_path, settings)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(argv, cwd=dj_settings.BASE_DIR, env=env, stdout=terminal, stderr=terminal)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the command is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert proc.wait(timeout=240) == 0
    shown = b"".join(chunks).decode()

    assert "\r" in shown and re.search(r"render +\[#+\.*\] +\d+%", shown)
    assert "\x1b[31" not in shown and "\x1b[1;31" not in shown  # not drawn as an error
    assert "django-q" not in shown
    assert "Wrote " in shown
