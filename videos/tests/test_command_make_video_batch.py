"""manage.py make_video --batch: a CSV in, a batch of ordinary videos, each written to
the output directory as a probed MP4; a bad file is refused with every problem."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mediakit.probe import probe
from videos.models import Batch, Video

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_batch_file_is_rendered_into_one_mp4_per_row(tmp_path: Path):
    rows = tmp_path / "kites.csv"
    rows.write_text(
        "title,script,aspect,quality\n"
        'Red kite,"A red kite rides the wind.",1:1,480p\n'
        'River,"It drops toward the river and is gone.",9:16,480p\n'
    )
    out = tmp_path / "out"
    stdout = StringIO()

    call_command("make_video", batch=str(rows), out_dir=str(out), stdout=stdout, stderr=StringIO())

    written = sorted(out.glob("*.mp4"))
    assert [p.name for p in written] == ["01-red-kite.mp4", "02-river.mp4"]
    sizes = [(probe(p).video.width, probe(p).video.height) for p in written]
    assert sizes == [(480, 480), (480, 854)]  # 480p square and portrait
    for path, video in zip(written, Video.objects.order_by("pk"), strict=True):
        info = probe(path)
        assert info.video.codec == "h264" and info.audio.codec == "aac"
        assert abs(info.duration_ms - video.duration_ms) < 100 and video.status == Video.Status.READY
    batch = Batch.objects.get()
    assert batch.name == "kites" and batch.videos.count() == 2
    assert f"Batch {batch.code}: 2 ready" in stdout.getvalue()


def test_without_an_output_dir_the_storyboards_are_made_and_the_progress_printed(tmp_path: Path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"script": "A red kite rides the wind."}\n{"script": "It is gone."}\n')
    stdout = StringIO()

    call_command("make_video", batch=str(rows), stdout=stdout, stderr=StringIO())

    assert set(Video.objects.values_list("status", flat=True)) == {Video.Status.STORYBOARD}
    assert "2 storyboard" in stdout.getvalue()


def test_a_bad_batch_file_lists_every_problem_and_makes_nothing(tmp_path: Path):
    rows = tmp_path / "bad.csv"
    rows.write_text('script,fps\n"One.",thirty\n"",24\n')

    with pytest.raises(CommandError) as caught:
        call_command("make_video", batch=str(rows), stdout=StringIO())

    message = str(caught.value)
    assert "2 problem(s); nothing was made" in message
    assert "row 1, fps: Must be a whole number." in message and "row 2, script:" in message
    assert not Video.objects.exists()
