"""`manage.py storage_sweep`: lists stored files no row references, and with --delete
removes them and the staged outputs of lost workers; referenced, staged-in-flight, cached
(samples) and young files stay."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from jobs.models import Job, StagedFile
from jobs.services import job_claim
from videos.models import VideoJobKind


def _put(name: str) -> str:
    return default_storage.save(name, ContentFile(b"data"))


def test_storage_sweep_lists_then_deletes_only_unreferenced_files(make_video, owner, media_root, settings):
    settings.CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS = 0
    video = make_video(owner)
    picture = video.scenes.exclude(picture=None).first().picture.file.name  # referenced by a MediaAsset row
    master = _put("videos/x/master-1.mp4")
    video.master = master
    video.save(update_fields=["master"])
    stray = _put("videos/x/master-stray.mp4")
    sample = _put("samples/v1/voice-x.wav")
    running = job_claim(job_id=Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER).pk)
    in_flight = _put("videos/x/poster-inflight.jpg")
    StagedFile.objects.create(name=in_flight, job=running, claim=running.attempts)
    dead = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.EXPORT, status=Job.Status.FAILED)
    left = _put("videos/x/export-left.webm")
    StagedFile.objects.create(name=left, job=dead, claim=1)

    out = StringIO()
    call_command("storage_sweep", stdout=out)
    listed = out.getvalue().splitlines()
    assert stray in listed
    assert master not in listed and picture not in listed and sample not in listed
    assert in_flight not in listed and left not in listed  # staged: its records decide
    assert default_storage.exists(stray)  # listing deletes nothing

    out = StringIO()
    call_command("storage_sweep", "--delete", stdout=out)
    assert "Deleted 1 unreferenced files and 1 leftover staged outputs." in out.getvalue()
    assert not default_storage.exists(stray) and not default_storage.exists(left)
    assert not StagedFile.objects.filter(name=left).exists()
    for kept in (master, picture, sample, in_flight):
        assert default_storage.exists(kept), kept


def test_storage_sweep_spares_files_younger_than_the_grace(db, media_root, settings):
    settings.CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS = 3600
    young = _put("uploads/young.bin")
    call_command("storage_sweep", "--delete", stdout=StringIO())
    assert default_storage.exists(young)
    settings.CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS = 0
    assert default_storage.get_modified_time(young) <= timezone.now() + timedelta(seconds=1)
    call_command("storage_sweep", "--delete", stdout=StringIO())
    assert not default_storage.exists(young)
