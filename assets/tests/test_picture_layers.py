"""A picture's layers are stored with it, counted with it and deleted with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from assets.models import GenerationJobKind, MediaAsset, PictureLayer
from assets.services import asset_create_from_path, asset_delete_if_unused, job_asset_create, picture_layers_add
from jobs.models import Job, StagedFile
from jobs.services import JobClaimLost, job_claim
from jobs.storage_sweep import storage_sweep
from quotas.services import storage_use

pytestmark = pytest.mark.django_db


def _png(path: Path, size: tuple[int, int], mode: str = "RGB") -> Path:
    Image.new(mode, size, (10, 20, 30, 255)[: len(mode)]).save(path)
    return path


@pytest.fixture
def running_job(owner) -> Job:
    """A stand-alone picture job this worker holds the claim of: layers are a job's output."""
    job = Job.objects.create(owner=owner, kind=GenerationJobKind.PICTURE)
    claimed = job_claim(job_id=job.pk)
    assert claimed is not None
    return claimed


def _layered_picture(owner, tmp_path: Path, job: Job) -> MediaAsset:
    picture = asset_create_from_path(
        owner=owner,
        kind=MediaAsset.Kind.IMAGE,
        source=MediaAsset.Source.GENERATED,
        path=_png(tmp_path / "picture.png", (320, 180)),
        mime="image/png",
        width=320,
        height=180,
    )
    picture_layers_add(
        job=job,
        picture=picture,
        background=_png(tmp_path / "background.png", (320, 180)),
        hero=_png(tmp_path / "hero.png", (60, 50), "RGBA"),
        hero_x=130,
        hero_y=90,
    )
    return picture


def test_the_layers_are_stored_beside_their_picture_with_the_hero_s_box(owner, tmp_path, running_job):
    picture = _layered_picture(owner, tmp_path, running_job)
    layers = {layer.role: layer for layer in picture.layers.all()}
    background, hero = layers["background"], layers["hero"]
    assert (background.width, background.height, background.x, background.y) == (320, 180, 0, 0)
    assert (hero.width, hero.height, hero.x, hero.y) == (60, 50, 130, 90)
    assert hero.file.name.startswith(f"assets/{owner.pk}/{picture.code.hex}-")
    with default_storage.open(hero.file.name) as fh, Image.open(fh) as image:
        assert image.mode == "RGBA" and image.size == (60, 50)
    assert hero.size_bytes == (tmp_path / "hero.png").stat().st_size


def test_the_layers_count_in_their_owner_s_storage(owner, tmp_path, running_job):
    picture = _layered_picture(owner, tmp_path, running_job)
    layer_bytes = sum(layer.size_bytes for layer in picture.layers.all())
    assert layer_bytes > 0
    assert storage_use(user=owner).parts["assets"] == picture.size_bytes + layer_bytes


def test_deleting_the_picture_deletes_its_layers_and_their_files(owner, tmp_path, running_job):
    picture = _layered_picture(owner, tmp_path, running_job)
    names = [picture.file.name, *(layer.file.name for layer in picture.layers.all())]
    assert all(default_storage.exists(name) for name in names)
    assert asset_delete_if_unused(asset=picture)
    assert not PictureLayer.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_the_storage_sweep_keeps_layers_and_removes_those_whose_picture_is_gone(owner, tmp_path, settings, running_job):
    settings.CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS = 0
    picture = _layered_picture(owner, tmp_path, running_job)
    names = [layer.file.name for layer in picture.layers.all()]
    assert storage_sweep(delete=True).unreferenced == []
    # A row deleted behind the services' back (the owner's account, by CASCADE): the files
    # nobody points at any more are the sweep's to remove.
    MediaAsset.objects.filter(pk=picture.pk).delete()
    report = storage_sweep(delete=True)
    assert set(names) <= set(report.deleted)
    assert not any(default_storage.exists(name) for name in names)


def test_a_layer_that_cannot_be_read_stores_neither(owner, tmp_path, running_job):
    picture = asset_create_from_path(
        owner=owner,
        kind=MediaAsset.Kind.IMAGE,
        source=MediaAsset.Source.GENERATED,
        path=_png(tmp_path / "picture.png", (320, 180)),
        mime="image/png",
    )
    broken = tmp_path / "hero.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(OSError):
        picture_layers_add(
            job=running_job,
            picture=picture,
            background=_png(tmp_path / "bg.png", (320, 180)),
            hero=broken,
            hero_x=0,
            hero_y=0,
        )
    assert not PictureLayer.objects.exists()
    assert default_storage.listdir(f"assets/{owner.pk}")[1] == [Path(picture.file.name).name]


def test_a_hero_s_steps_are_stored_in_their_order_in_the_hero_s_box(owner, tmp_path, running_job):
    picture = _layered_picture(owner, tmp_path, running_job)
    picture.layers.all().delete()
    steps = [_png(tmp_path / f"step-{k}.png", (60, 50), "RGBA") for k in range(3)]
    picture_layers_add(
        job=running_job,
        picture=picture,
        background=_png(tmp_path / "bg.png", (320, 180)),
        hero=_png(tmp_path / "hero.png", (60, 50), "RGBA"),
        hero_x=130,
        hero_y=90,
        steps=steps,
    )
    stored = list(picture.layers.filter(role=PictureLayer.Role.STEP).order_by("order"))
    assert [(s.order, s.x, s.y, s.width, s.height) for s in stored] == [(k, 130, 90, 60, 50) for k in range(3)]
    assert [s.file.name for s in stored] == [f"assets/{owner.pk}/{picture.code.hex}-step-{k:02d}.png" for k in range(3)]
    assert all(default_storage.exists(s.file.name) for s in stored)


def test_a_step_that_cannot_be_read_stores_no_layer_at_all(owner, tmp_path, running_job):
    picture = asset_create_from_path(
        owner=owner,
        kind=MediaAsset.Kind.IMAGE,
        source=MediaAsset.Source.GENERATED,
        path=_png(tmp_path / "picture.png", (320, 180)),
        mime="image/png",
    )
    broken = tmp_path / "step-1.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(OSError):
        picture_layers_add(
            job=running_job,
            picture=picture,
            background=_png(tmp_path / "bg.png", (320, 180)),
            hero=_png(tmp_path / "hero.png", (60, 50), "RGBA"),
            hero_x=0,
            hero_y=0,
            steps=[_png(tmp_path / "step-0.png", (60, 50), "RGBA"), broken],
        )
    assert not PictureLayer.objects.exists()
    assert default_storage.listdir(f"assets/{owner.pk}")[1] == [Path(picture.file.name).name]


def _lose_the_claim(job: Job) -> None:
    # Another worker took the job over: the claim token moved on.
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)


def test_a_job_that_lost_its_claim_stores_no_layer(owner, tmp_path, running_job):
    picture = asset_create_from_path(
        owner=owner,
        kind=MediaAsset.Kind.IMAGE,
        source=MediaAsset.Source.GENERATED,
        path=_png(tmp_path / "picture.png", (320, 180)),
        mime="image/png",
    )
    _lose_the_claim(running_job)
    with pytest.raises(JobClaimLost):
        picture_layers_add(
            job=running_job,
            picture=picture,
            background=_png(tmp_path / "bg.png", (320, 180)),
            hero=_png(tmp_path / "hero.png", (60, 50), "RGBA"),
            hero_x=0,
            hero_y=0,
        )
    assert not PictureLayer.objects.exists() and not StagedFile.objects.exists()
    assert default_storage.listdir(f"assets/{owner.pk}")[1] == [Path(picture.file.name).name]


def test_a_job_that_lost_its_claim_stores_no_asset(owner, tmp_path, running_job):
    _lose_the_claim(running_job)
    with pytest.raises(JobClaimLost):
        job_asset_create(
            job=running_job,
            owner=owner,
            kind=MediaAsset.Kind.IMAGE,
            source=MediaAsset.Source.GENERATED,
            path=_png(tmp_path / "picture.png", (320, 180)),
            mime="image/png",
        )
    assert not MediaAsset.objects.exists() and not StagedFile.objects.exists()
    assert not default_storage.exists(f"assets/{owner.pk}") or default_storage.listdir(f"assets/{owner.pk}")[1] == []
