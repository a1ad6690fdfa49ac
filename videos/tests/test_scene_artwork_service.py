"""scene_artwork_choose through the storyboard job: the pinned artwork reaches a picture
provider that accepts one, and what the new picture shows is stored with it."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from assets.generators.base import GeneratedPicture
from assets.generators.offline import OfflinePictureProvider
from videos import services
from videos.models import Scene
from videos.tests.artwork_fakes import art_library  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("piper_cached", "art_library")

LIGHTHOUSE = "openclipart:buildings/lighthouse_01"


class _Provider:
    """The picture provider boundary: draws an offline card and says what it was asked."""

    name = "spy"

    def __init__(self) -> None:
        self.asked: list[dict] = []

    def price_per_picture(self) -> Decimal:
        return Decimal(0)

    def generate(self, *, prompt: str, width: int, height: int, seed: int, out_dir: Path) -> GeneratedPicture:
        self.asked.append({"prompt": prompt})
        return OfflinePictureProvider().generate(prompt=prompt, width=width, height=height, seed=seed, out_dir=out_dir)


class _ArtworkProvider(_Provider):
    accepts_artwork = True

    def generate(self, *, prompt, width, height, seed, out_dir, artwork: str = "") -> GeneratedPicture:  # type: ignore[override]
        picture = super().generate(prompt=prompt, width=width, height=height, seed=seed, out_dir=out_dir)
        self.asked[-1]["artwork"] = artwork
        return dataclasses.replace(picture, depicts=("lighthouse", "building") if artwork else ())


def _choose(provider, monkeypatch, owner, make_video, django_capture_on_commit_callbacks) -> Scene:
    video = make_video(owner, script="The old lighthouse stands on the cliff.")
    monkeypatch.setattr("videos.services.pictures.picture_provider_for", lambda *a, **kw: provider)
    scene = video.scenes.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.scene_artwork_choose(scene=scene, artwork=LIGHTHOUSE)
    return Scene.objects.select_related("picture").get(pk=scene.pk)


def test_the_pinned_artwork_reaches_a_provider_that_draws_it(
    monkeypatch, owner, make_video, django_capture_on_commit_callbacks
):
    provider = _ArtworkProvider()
    scene = _choose(provider, monkeypatch, owner, make_video, django_capture_on_commit_callbacks)
    assert provider.asked == [{"prompt": scene.visual_prompt, "artwork": LIGHTHOUSE}]
    assert scene.picture is not None and scene.artwork == LIGHTHOUSE
    assert scene.picture.credit["depicts"] == ["lighthouse", "building"]
    shown = services.storyboard_document(video=scene.video)["scenes"][0]["picture"]
    assert shown["depicts"] == ["lighthouse", "building"]


def test_a_provider_without_artwork_is_not_given_one(
    monkeypatch, owner, make_video, django_capture_on_commit_callbacks
):
    provider = _Provider()
    scene = _choose(provider, monkeypatch, owner, make_video, django_capture_on_commit_callbacks)
    assert provider.asked == [{"prompt": scene.visual_prompt}]
    assert scene.picture is not None
    assert "depicts" not in scene.picture.credit
