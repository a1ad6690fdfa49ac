"""manage.py make_video --aspect 16:9,9:16,1:1: one storyboard, three probed masters."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mediakit.probe import probe
from videos.models import Video


@pytest.mark.django_db(transaction=True)
def test_make_video_writes_one_master_and_its_captions_per_aspect(tmp_path: Path):
    script = tmp_path / "kite.txt"
    script.write_text("A red kite rides the wind above the valley.")
    out = tmp_path / "out" / "kite.mp4"
    call_command("make_video", str(script), out=str(out), quality="480p", aspect="16:9,9:16,1:1", stdout=StringIO())
    sizes = {}
    lengths = set()
    for slug in ("16x9", "9x16", "1x1"):
        info = probe(out.with_name(f"kite.{slug}.mp4"))
        assert info.audio is not None and info.audio.codec == "aac"
        sizes[slug] = (info.video.width, info.video.height)
        lengths.add(round(info.duration_ms / 100))
        assert out.with_name(f"kite.{slug}.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
        assert "-->" in out.with_name(f"kite.{slug}.srt").read_text(encoding="utf-8")
    assert sizes == {"16x9": (854, 480), "9x16": (480, 854), "1x1": (480, 480)}
    assert len(lengths) == 1  # one narration: every master as long as the others
    assert out.with_name("kite.storyboard.json").exists()
    assert not out.exists()  # several aspects: no unnamed NAME.mp4
    assert Video.objects.get().scenes.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("aspects", "words"), [("16:9,5:4", "Unknown aspect '5:4'"), ("1:1,1:1", "listed twice")])
def test_make_video_refuses_a_bad_aspect_list_before_making_anything(tmp_path: Path, aspects, words):
    script = tmp_path / "kite.txt"
    script.write_text("A red kite rides the wind.")
    with pytest.raises(CommandError, match=words):
        call_command("make_video", str(script), out=str(tmp_path / "k.mp4"), aspect=aspects, stdout=StringIO())
    assert not Video.objects.exists()
    assert not list(tmp_path.glob("k.*"))
