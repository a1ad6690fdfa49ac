"""A render whose worker lost the claim (stopped past the stale limit, the job taken over)
writes nothing: no Video update, no outputs left in storage, no staged record, and the
job row is left to its new holder. An export likewise."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import F

from jobs.models import Job, StagedFile
from jobs.tasks import run_job
from videos.models import Export, Video
from videos.services import export_request, render_request


def _steal(job_id: int) -> None:
    # What the reaper and a second worker do to a silent worker's job: a new claim token.
    Job.objects.filter(pk=job_id).update(attempts=F("attempts") + 1, stage="taken over")


def _video_files(media_root: Path) -> list[Path]:
    return [p for p in (media_root / "videos").rglob("*") if p.is_file()] if (media_root / "videos").exists() else []


@pytest.mark.parametrize("when", ["before the save", "inside the final transaction"])
def test_a_render_that_lost_its_claim_writes_nothing(
    when, make_approved_video, owner, media_root, job_tmp_root, monkeypatch, django_capture_on_commit_callbacks
):
    import jobs.services as job_services
    import videos.services.render as render

    video = make_approved_video(owner)
    with django_capture_on_commit_callbacks(execute=False):
        job = render_request(video=video, user=owner)
    if when == "before the save":
        real_update = job_services.JobReporter.update

        def update(self, stage, fraction):
            if stage == "save":
                _steal(self.job.pk)
            real_update(self, stage, fraction)

        monkeypatch.setattr(job_services.JobReporter, "update", update)
    else:
        # Taken over after the last output was written, and the reporter's own checks are
        # blind: only the claim check inside the final transaction can refuse.
        real_save = render.job_storage_save

        def save(**kwargs):
            name = real_save(**kwargs)
            if StagedFile.objects.count() == 4:  # master, poster, vtt, srt: all staged
                _steal(kwargs["job"].pk)
            return name

        monkeypatch.setattr(render, "job_storage_save", save)
        monkeypatch.setattr(job_services.JobReporter, "check_cancel", lambda self: None)

    assert run_job(job.pk) == "claim lost"
    video.refresh_from_db()
    assert not video.master and video.status == Video.Status.RENDERING
    assert _video_files(media_root) == []
    assert not StagedFile.objects.exists()
    row = Job.objects.get(pk=job.pk)
    assert row.status == Job.Status.RUNNING and row.stage == "taken over" and not row.cancel_requested
    assert list(job_tmp_root.iterdir()) == []


def test_an_export_that_lost_its_claim_writes_nothing(
    make_rendered_video, owner, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    import videos.services.render as render

    video = make_rendered_video(owner)
    before = sorted(p.name for p in _video_files(media_root))
    with django_capture_on_commit_callbacks(execute=False):
        export = export_request(video=video, format="webm", quality="480p")
    real_save = render.job_storage_save

    def save(**kwargs):
        name = real_save(**kwargs)
        _steal(kwargs["job"].pk)
        return name

    monkeypatch.setattr(render, "job_storage_save", save)
    assert run_job(export.job_id) == "claim lost"
    export = Export.objects.get(pk=export.pk)
    assert not export.file
    assert sorted(p.name for p in _video_files(media_root)) == before
    assert not StagedFile.objects.exists()
