"""A scene's layered picture: stored with its layers, rendered from them, never stale."""

from __future__ import annotations

import wave
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from assets.generators.base import GeneratedPicture, PictureLayers
from assets.models import MediaAsset, PictureLayer
from assets.services import asset_create_from_path
from jobs.models import Job, StagedFile
from jobs.services import JobClaimLost, job_claim
from videos.models import Scene, Video, VideoJobKind
from videos.services import scene_replace_picture
from videos.services.pictures import _attach, _Outcome
from videos.services.render import _render_inputs

pytestmark = pytest.mark.django_db


def _generated(tmp_path: Path) -> GeneratedPicture:
    Image.new("RGB", (854, 480), (90, 120, 200)).save(tmp_path / "picture.png")
    Image.new("RGB", (854, 480), (90, 120, 200)).save(tmp_path / "background.png")
    Image.new("RGBA", (120, 150), (200, 40, 40, 255)).save(tmp_path / "hero.png")
    return GeneratedPicture(
        path=tmp_path / "picture.png",
        width=854,
        height=480,
        mime="image/png",
        cost_usd=Decimal(0),
        layers=PictureLayers(tmp_path / "background.png", tmp_path / "hero.png", 360, 280),
    )


def _scene(owner) -> Scene:
    video = Video.objects.create(owner=owner, title="Harbour", script="The harbour wakes.", quality="480p")
    return Scene.objects.create(
        video=video, position=0, narration="The harbour wakes.", visual_prompt="harbour", duration_ms=3000
    )


def _claimed_storyboard_job(scene: Scene) -> Job:
    """The video's storyboard job, claimed by this worker: the pictures are its output."""
    job = Job.objects.create(owner=scene.video.owner, video=scene.video, kind=VideoJobKind.STORYBOARD)
    claimed = job_claim(job_id=job.pk)
    assert claimed is not None
    return claimed


def _narrate(scene: Scene, tmp_path: Path) -> None:
    path = tmp_path / "voice.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(b"\0\0" * 22050)
    scene.narration_audio = asset_create_from_path(
        owner=scene.video.owner,
        kind=MediaAsset.Kind.AUDIO,
        source=MediaAsset.Source.GENERATED,
        path=path,
        mime="audio/wav",
        duration_ms=1000,
    )
    scene.narration_ms = 1000
    scene.save(update_fields=["narration_audio", "narration_ms"])


def test_a_generated_picture_is_stored_with_its_layers(owner, tmp_path):
    scene = _scene(owner)
    generated = _generated(tmp_path)
    _attach(_claimed_storyboard_job(scene), scene.video, _Outcome(scene, generated, "illustrated", ""))
    scene.refresh_from_db()
    layers = {layer.role: layer for layer in scene.picture.layers.all()}
    assert set(layers) == {"background", "hero"}
    assert (layers["hero"].x, layers["hero"].y, layers["hero"].width, layers["hero"].height) == (360, 280, 120, 150)
    # The provider's local files are gone; the stored ones are there.
    assert not any(path.exists() for path in (generated.path, generated.layers.background, generated.layers.hero))
    assert all(default_storage.exists(layer.file.name) for layer in layers.values())


def test_a_picture_made_for_a_scene_edited_meanwhile_goes_with_its_layers(owner, tmp_path):
    scene = _scene(owner)
    Scene.objects.filter(pk=scene.pk).update(visual_prompt="lighthouse")  # the creator's edit wins
    _attach(_claimed_storyboard_job(scene), scene.video, _Outcome(scene, _generated(tmp_path), "illustrated", ""))
    assert not MediaAsset.objects.filter(kind=MediaAsset.Kind.IMAGE).exists()
    assert not PictureLayer.objects.exists()
    assert default_storage.listdir(f"assets/{owner.pk}")[1] == []


def test_the_render_reads_the_scene_picture_s_own_layers_and_none_once_it_is_replaced(owner, tmp_path):
    scene = _scene(owner)
    _narrate(scene, tmp_path)
    _attach(_claimed_storyboard_job(scene), scene.video, _Outcome(scene, _generated(tmp_path / "."), "illustrated", ""))
    work = tmp_path / "work"
    work.mkdir()
    spec = _render_inputs(scene.video, work)
    layers = spec.scenes[0].layers
    assert layers is not None
    assert (layers.hero_x, layers.hero_y, layers.hero_width, layers.hero_height) == (360, 280, 120, 150)
    assert (layers.picture_width, layers.picture_height) == (854, 480)
    with Image.open(layers.hero) as hero:
        assert hero.mode == "RGBA" and hero.size == (120, 150)
    assert Path(layers.background).parent == work

    # An upload (or any other picture) replaces it: the scene shows that picture, flat.
    Image.new("RGB", (854, 480), "green").save(tmp_path / "upload.png")
    upload = asset_create_from_path(
        owner=owner,
        kind=MediaAsset.Kind.IMAGE,
        source=MediaAsset.Source.UPLOADED,
        path=tmp_path / "upload.png",
        mime="image/png",
    )
    scene_replace_picture(scene=Scene.objects.select_related("video", "picture").get(pk=scene.pk), asset=upload)
    # The generated picture it replaced is deleted, its layers and their files with it.
    assert not PictureLayer.objects.exists()
    work2 = tmp_path / "work2"
    work2.mkdir()
    spec = _render_inputs(Video.objects.get(pk=scene.video.pk), work2)
    assert spec.scenes[0].layers is None


def test_a_storyboard_job_that_lost_its_claim_attaches_no_picture(owner, tmp_path):
    scene = _scene(owner)
    job = _claimed_storyboard_job(scene)
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)  # another worker took it over
    with pytest.raises(JobClaimLost):
        _attach(job, scene.video, _Outcome(scene, _generated(tmp_path), "illustrated", ""))
    scene.refresh_from_db()
    assert scene.picture_id is None
    assert not MediaAsset.objects.exists() and not PictureLayer.objects.exists() and not StagedFile.objects.exists()
    assert default_storage.listdir(f"assets/{owner.pk}")[1] == []
