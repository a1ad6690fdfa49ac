"""What a scene shows, as the encoder's table reads it (videos.credits.scene_content)."""

from __future__ import annotations

import pytest

from assets.models import MediaAsset
from videos.credits import scene_content
from videos.models import Scene


def _picture(source: str, generator: str = "", credit: dict | None = None) -> MediaAsset:
    return MediaAsset(kind=MediaAsset.Kind.IMAGE, source=source, generator=generator, credit=credit or {})


@pytest.mark.parametrize(
    ("picture", "content"),
    [
        (_picture("generated", "illustrated", {"source": "data card"}), "card"),
        (_picture("generated", "illustrated", {"source": "openclipart", "text": "Openclipart"}), "illustration"),
        (_picture("generated", "offline-card"), "illustration"),
        (_picture("generated", "replicate:flux-schnell"), "photo"),
        (_picture("online", "pexels", {"provider": "pexels"}), "photo"),
        # An upload may be a photo or a drawing: not known, so the setting safe for all.
        (_picture("uploaded"), ""),
    ],
)
def test_a_scene_counts_as_what_its_picture_is(picture: MediaAsset, content: str) -> None:
    assert scene_content(Scene(picture=picture)) == content


def test_a_scene_with_a_clip_counts_as_a_clip() -> None:
    scene = Scene(picture=_picture("generated", "offline-card"), clip_id=1)
    assert scene_content(scene) == "clip"


def test_a_scene_without_a_picture_is_not_known() -> None:
    assert scene_content(Scene()) == ""
