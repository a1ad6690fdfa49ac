"""A video's music: a mood of the offline library (a synthesised bed where it is missing), its
volume at every entry point with one default, and its credit."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from assets.music import music_bed
from core.testing import assert_error, token_client
from mediakit import music as library
from videos.credits import credits_text, video_credits
from videos.forms import VideoForm
from videos.management.commands.make_video import Command
from videos.models import Video
from videos.options import VIDEO_OPTION_DEFAULTS, music_volume_error
from videos.services import BatchInvalid, batch_create
from videos.services.creation import video_create

VOLUME_MESSAGE = "Music volume must be a whole number of dB between -30 and 0."


def test_a_mood_is_a_library_track_looped_at_a_phrase_at_the_reference_loudness(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    bed = music_bed(choice="nostalgic", key="a video", duration_ms=40_000, out_dir=out)
    assert bed.track is not None and bed.track.mood == "nostalgic"
    assert bed.path.suffix == ".opus" and bed.path.is_file()
    assert (bed.loop_ms, bed.crossfade_ms) == (bed.track.loop_ms, bed.track.crossfade_ms)
    assert bed.gain_db == pytest.approx(library.REFERENCE_LUFS - bed.track.lufs, abs=0.05)
    assert list(out.iterdir()) == []  # the package's file is mixed in place, not copied


def test_without_the_library_a_mood_falls_back_to_a_synthesised_bed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(library, "installed", lambda: False)
    bed = music_bed(choice="energetic", key="a video", duration_ms=3000, out_dir=tmp_path)
    assert bed.track is None and bed.loop_ms == 0 and bed.credit == {}
    assert bed.path.name == "music-pulse-3000ms.wav"


def test_every_entry_point_takes_the_music_volume_with_one_default_and_one_wording(owner) -> None:
    assert Video._meta.get_field("music_volume_db").default == VIDEO_OPTION_DEFAULTS.music_volume_db == -12
    parser = Command().create_parser("manage.py", "make_video")
    assert parser.parse_args(["s.txt", "--music-volume-db", "-20"]).music_volume_db == -20
    assert music_volume_error(1) == music_volume_error(-31) == VOLUME_MESSAGE
    assert music_volume_error(-30) == music_volume_error(0) == ""
    with pytest.raises(ValidationError) as refused:
        video_create(owner=owner, title="T", script="One sentence.", music="calm", music_volume_db=3)
    assert refused.value.message_dict["music_volume_db"] == [VOLUME_MESSAGE]
    form = VideoForm({"title": "T", "script": "One.", "music_volume_db": -40}, owner=owner)
    assert not form.is_valid() and form.errors["music_volume_db"] == [VOLUME_MESSAGE]
    kept = video_create(owner=owner, title="T", script="One sentence.", music="tender", music_volume_db=-20)
    assert (kept.music, kept.music_volume_db) == ("tender", -20)


def test_the_api_takes_and_shows_the_music_volume(owner, django_capture_on_commit_callbacks) -> None:
    api = token_client(owner)
    body = {"title": "T", "script": "One sentence here.", "music": "happy", "music_volume_db": 5}
    body_error = assert_error(api.post("/api/v1/videos", body, format="json"), 400)
    assert body_error["details"]["music_volume_db"] == [VOLUME_MESSAGE]
    with django_capture_on_commit_callbacks(execute=False):
        created = api.post("/api/v1/videos", {**body, "music_volume_db": -18}, format="json")
    assert created.status_code == 202, created.content
    assert created.json()["video"]["music_volume_db"] == -18 and created.json()["video"]["music"] == "happy"


def test_a_library_track_is_credited_and_a_synthesised_bed_is_not(owner) -> None:
    video = video_create(owner=owner, title="Sea", script="One sentence here.", music="calm")
    (item,) = [i for i in video_credits(video) if i.role == "music"]
    assert item.credit["licence"] == "MIT" and "immich-memories-music" in item.credit["text"]
    lines = credits_text(video).splitlines()
    (line,) = [line for line in lines if line.startswith("  Music:")]
    assert line.startswith("  Music: “Calm (") and line.endswith("(MIT)")
    assert "  MIT: https://opensource.org/license/mit" in lines
    synth = video_create(owner=owner, title="Sea", script="One sentence here.", music="pulse")
    assert [i for i in video_credits(synth) if i.role == "music"] == []


def test_a_batch_row_takes_the_music_volume_and_a_bad_one_is_named(owner) -> None:
    rows = [{"script": "One sentence here.", "music": "calm", "music_volume_db": 1}]
    with pytest.raises(BatchInvalid) as caught:
        batch_create(owner=owner, rows=rows)
    assert caught.value.message_dict["rows.1.music_volume_db"] == [VOLUME_MESSAGE]
    batch = batch_create(owner=owner, rows=[{**rows[0], "music_volume_db": -6}, {"script": "Another one here."}])
    assert list(batch.videos.order_by("pk").values_list("music_volume_db", flat=True)) == [-6, -12]
