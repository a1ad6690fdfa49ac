"""manage.py make_video writes NAME.storyboard.json beside NAME.mp4: the API's storyboard."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core.testing import token_client
from mediakit.probe import probe
from videos.models import Video

pytestmark = pytest.mark.usefixtures("piper_cached")


@pytest.mark.django_db(transaction=True)
def test_it_writes_the_storyboard_the_api_answers_beside_the_video(tmp_path: Path, cache_table):
    script = tmp_path / "kite.txt"
    script.write_text("A red kite rides the wind. It drops toward the river and is gone.")
    out = tmp_path / "out" / "kite.mp4"
    call_command("make_video", str(script), out=str(out), quality="480p", fps=25, stdout=StringIO())
    path = out.with_name("kite.storyboard.json")
    written = json.loads(path.read_text(encoding="utf-8"))
    video = Video.objects.get()
    assert written == token_client(video.owner).get(f"/api/v1/videos/{video.code}/storyboard").json()
    assert [s["narration"] for s in written["scenes"]] == list(
        video.scenes.order_by("position").values_list("narration", flat=True)
    )
    # Its times are the MP4's: the last scene ends where the file ends.
    assert abs(written["scenes"][-1]["end_ms"] - probe(out).duration_ms) <= 50
    assert all(scene["picture"] is not None for scene in written["scenes"])
    assert not list(out.parent.glob(".*.part"))


@pytest.mark.django_db(transaction=True)
def test_it_writes_the_storyboard_even_without_subtitle_files(tmp_path: Path):
    script = tmp_path / "kite.txt"
    script.write_text("A red kite rides the wind.")
    out = tmp_path / "kite.mp4"
    call_command("make_video", str(script), out=str(out), quality="480p", no_subtitle_files=True, stdout=StringIO())
    assert not out.with_suffix(".vtt").exists()
    written = json.loads((tmp_path / "kite.storyboard.json").read_text(encoding="utf-8"))
    assert written["video"] == str(Video.objects.get().code)
    assert len(written["scenes"]) == 1 and written["scenes"][0]["start_ms"] == 0
