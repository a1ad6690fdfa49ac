"""make_video --brand-kit FILE: the owner's kit set from a file, checked as the API checks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from PIL import Image

from videos.models import BrandKit, Video
from videos.services.brand_kit import brand_kit_load_file


def _kit_file(tmp_path: Path, **changes) -> Path:
    Image.new("RGBA", (160, 80), (230, 40, 90, 255)).save(tmp_path / "logo.png")
    data = {"logo": "logo.png", "intro_title": "Harbour Stories: {title}", "intro_ms": 2000, **changes}
    path = tmp_path / "kit.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_kit_file_sets_the_owners_kit_and_logo(owner, tmp_path) -> None:
    kit = brand_kit_load_file(owner=owner, path=_kit_file(tmp_path, logo_corner="bottom-left"))
    assert (kit.intro_title, kit.intro_ms, kit.logo_corner) == ("Harbour Stories: {title}", 2000, "bottom-left")
    assert (kit.logo.width, kit.logo.height) == (160, 80)


def test_a_bad_kit_file_stops_make_video_before_anything_is_made(db, tmp_path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("One sentence here.", encoding="utf-8")
    kit = _kit_file(tmp_path, card_background="navy", font="comic_sans")
    with pytest.raises(CommandError, match="card_background") as raised:
        call_command("make_video", str(script), "--out", str(tmp_path / "out.mp4"), "--brand-kit", str(kit))
    assert "font" in str(raised.value)
    owner = get_user_model().objects.get(username="cli")
    assert not BrandKit.objects.filter(owner=owner).exists() and not Video.objects.exists()
