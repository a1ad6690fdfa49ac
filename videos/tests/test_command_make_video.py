"""manage.py make_video: a script file in, a probed MP4 out, through the services."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jobs.models import Job
from mediakit.probe import probe
from videos.models import Video, VideoJobKind


@pytest.mark.django_db(transaction=True)
def test_make_video_writes_a_valid_video_through_the_services(tmp_path: Path):
    script = tmp_path / "kite.txt"
    script.write_text("A red kite rides the wind. It drops toward the river and is gone.")
    out = tmp_path / "out" / "kite.mp4"
    stdout = StringIO()
    call_command(
        "make_video", str(script), out=str(out), quality="480p", aspect="1:1", music="pulse", fps=25, stdout=stdout
    )
    info = probe(out)
    assert (info.video.codec, info.video.width, info.video.height) == ("h264", 480, 480)
    assert info.audio is not None and info.audio.codec == "aac"
    assert abs(info.video.fps - 25) < 0.01
    video = Video.objects.get()
    assert video.status == Video.Status.READY and video.approval == Video.Approval.APPROVED
    assert set(video.jobs.values_list("kind", "status")) == {
        (VideoJobKind.STORYBOARD, Job.Status.SUCCEEDED),
        (VideoJobKind.RENDER, Job.Status.SUCCEEDED),
    }
    assert "Wrote" in stdout.getvalue()
    assert not list(out.parent.glob(".*.part"))
    # The subtitles beside it: the video's own cues, timed within it.
    vtt = out.with_suffix(".vtt").read_text(encoding="utf-8")
    srt = out.with_suffix(".srt").read_text(encoding="utf-8")
    # (Each word carries its start as an inline timestamp.)
    assert vtt.startswith("WEBVTT") and "A red kite rides the wind." in re.sub(r"<[^>]+>", "", vtt)
    assert srt.startswith("1\n") and "-->" in srt
    last_end = srt.strip().split("\n\n")[-1].split("\n")[1].split(" --> ")[1]
    h, m, rest = last_end.split(":")
    assert int(h) * 3600 + int(m) * 60 + float(rest.replace(",", ".")) <= info.duration_ms / 1000 + 0.05


@pytest.mark.django_db(transaction=True)
def test_make_video_can_leave_out_the_subtitle_files(tmp_path: Path):
    script = tmp_path / "kite.txt"
    script.write_text("A red kite rides the wind.")
    out = tmp_path / "kite.mp4"
    call_command("make_video", str(script), out=str(out), quality="480p", no_subtitle_files=True, stdout=StringIO())
    assert out.exists() and probe(out).duration_ms > 1000
    assert not out.with_suffix(".vtt").exists() and not out.with_suffix(".srt").exists()


@pytest.mark.django_db(transaction=True)
def test_make_video_refuses_an_empty_script_with_the_reason(tmp_path: Path):
    script = tmp_path / "empty.txt"
    script.write_text("   \n")
    with pytest.raises(CommandError, match="script: The script is empty"):
        call_command("make_video", str(script), out=str(tmp_path / "x.mp4"))
    assert not Video.objects.exists()
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.django_db(transaction=True)
def test_make_video_reports_a_missing_file(tmp_path: Path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("make_video", str(tmp_path / "nope.txt"), out=str(tmp_path / "x.mp4"))


def _fresh_checkout_env(tmp_path: Path) -> dict[str, str]:
    """The embedded default on a database file nobody has migrated (a fresh checkout)."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "STORAGE_BACKEND")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "contentizer_site.settings",
            "SQLITE_PATH": str(tmp_path / "fresh.sqlite3"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "CONTENTIZER_TMP_DIR": str(tmp_path),
        }
    )
    return env


def test_on_a_database_never_migrated_it_says_to_run_make_run_or_migrate(tmp_path: Path):
    import subprocess
    import sys

    from django.conf import settings

    script = tmp_path / "kite.txt"
    script.write_text("A red kite rides the wind.")
    result = subprocess.run(
        [sys.executable, "manage.py", "make_video", str(script), "--out", str(tmp_path / "kite.mp4")],
        cwd=settings.BASE_DIR,
        env=_fresh_checkout_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "no such table" not in result.stderr and "Traceback" not in result.stderr
    assert "The database has no tables yet" in result.stderr
    assert "Run `make run` once" in result.stderr and "manage.py migrate" in result.stderr
    assert not (tmp_path / "kite.mp4").exists()
