"""Claims are leases: only the current holder writes the job row or points rows at its
files; the reaper sends lost queued jobs again; user cancels are not crashes; retry obeys
the concurrent-jobs quota; leftovers (temp dirs, staged outputs) are swept."""

from __future__ import annotations

import errno
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from jobs.models import Job, StagedFile
from jobs.services import (
    JobClaimLost,
    JobFailure,
    JobReporter,
    instance_key,
    job_cancel,
    job_claim,
    job_claim_check,
    job_fail,
    job_mark_canceled,
    job_retry,
    job_staged_promote,
    job_storage_save,
    job_succeed,
    job_tempdir,
    jobs_reap_stale,
    jobs_sweep_staged,
    jobs_sweep_tempdirs,
    tempdir_instance_prefix,
)
from jobs.tasks import MAX_CRASHES, run_job
from videos.models import VideoJobKind


@pytest.fixture
def queued_job(make_video, owner):
    video = make_video(owner)
    return Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER)


def _make_stale(job: Job, settings) -> None:
    old = timezone.now() - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=old)


def _stolen(job: Job, settings) -> tuple[Job, Job]:
    """A worker claims `job`, goes silent past the stale limit, and another takes over."""
    first = job_claim(job_id=job.pk)
    _make_stale(first, settings)
    second = job_claim(job_id=job.pk)
    assert second is not None and second.attempts == first.attempts + 1
    return first, second


def test_a_worker_that_lost_the_claim_is_told_to_stop_and_writes_nothing(queued_job, settings):
    first, second = _stolen(queued_job, settings)
    reporter = JobReporter(job=first, min_interval_s=0)
    reporter.update("video", 0.5)
    assert reporter.should_cancel() is True
    second_row = Job.objects.get(pk=queued_job.pk)
    assert (second_row.stage, second_row.progress) == ("starting", 0)  # the old worker's progress was refused
    assert job_succeed(job=first) is False
    assert job_fail(job=first, stage="video", message="late") is False
    assert job_mark_canceled(job=first) is False
    row = Job.objects.get(pk=queued_job.pk)
    assert row.status == Job.Status.RUNNING and row.attempts == second.attempts and row.error_message == ""
    # The current holder still writes.
    live = JobReporter(job=second, min_interval_s=0)
    live.update("video", 0.3)
    assert live.should_cancel() is False
    assert Job.objects.get(pk=queued_job.pk).progress == 30
    assert job_succeed(job=second) is True


def test_the_claim_check_before_the_final_save_refuses_a_lost_claim(queued_job, settings):
    first, second = _stolen(queued_job, settings)
    with pytest.raises(JobClaimLost):
        job_claim_check(job=first)
    job_claim_check(job=second)  # the holder passes
    job_cancel(job=second)
    with pytest.raises(JobClaimLost):
        job_claim_check(job=second)  # a cancel came: the outputs must not be kept


def test_a_reaped_worker_that_wakes_up_has_lost_the_claim(queued_job, settings, django_capture_on_commit_callbacks):
    first = job_claim(job_id=queued_job.pk)
    _make_stale(first, settings)
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs_reap_stale() == 1
    reporter = JobReporter(job=first, min_interval_s=0)
    reporter.update("video", 0.9)
    assert reporter.should_cancel() is True
    row = Job.objects.get(pk=queued_job.pk)
    assert row.status == Job.Status.QUEUED and row.crashes == 1 and row.progress == 0


def test_the_reaper_sends_again_a_queued_job_the_broker_lost(queued_job, settings, django_capture_on_commit_callbacks):
    Job.objects.filter(pk=queued_job.pk).update(enqueued_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert jobs_reap_stale() == 0  # within the grace period: left alone
    assert not callbacks
    old = timezone.now() - timedelta(seconds=settings.CONTENTIZER_QUEUED_GRACE_SECONDS + 5)
    Job.objects.filter(pk=queued_job.pk).update(enqueued_at=old)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert jobs_reap_stale() == 1
        assert jobs_reap_stale() == 0  # stamped again: a second reaper does not send it twice
    assert [c.__qualname__ for c in callbacks].count("job_enqueue.<locals>._send") == 1
    with django_capture_on_commit_callbacks(execute=True):
        pass
    for callback in callbacks:
        callback()
    row = Job.objects.get(pk=queued_job.pk)
    # Sent for real (inline queue): the job ran once, and a crash was not counted.
    assert row.status in Job.FINISHED and row.attempts == 1 and row.crashes == 0
    assert row.enqueued_at is not None


def test_enqueue_records_when_the_job_was_sent(owner, make_video):
    video = make_video(owner)
    job = video.jobs.get()
    assert job.enqueued_at is not None


def test_user_cancels_and_retries_are_not_crashes(make_approved_video, owner, django_capture_on_commit_callbacks):
    video = make_approved_video(owner)
    job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER)
    for _ in range(MAX_CRASHES + 1):
        claimed = job_claim(job_id=job.pk)
        job_cancel(job=claimed)
        assert job_mark_canceled(job=claimed) is True
        with django_capture_on_commit_callbacks(execute=False):
            job_retry(job=claimed)
    job.refresh_from_db()
    assert job.attempts == MAX_CRASHES + 1 and job.crashes == 0
    with django_capture_on_commit_callbacks(execute=False):
        outcome = run_job(job.pk)
    job.refresh_from_db()
    assert outcome == "succeeded", job.error_message
    assert "stopped" not in job.error_message


def test_after_max_crashes_the_job_fails_with_the_crash_count(queued_job, settings):
    for _ in range(MAX_CRASHES):
        job_claim(job_id=queued_job.pk)
        _make_stale(queued_job, settings)
    assert run_job(queued_job.pk) == "failed"
    queued_job.refresh_from_db()
    assert queued_job.crashes == MAX_CRASHES
    assert queued_job.error_message.startswith(f"The worker stopped {MAX_CRASHES} times")


def test_retry_obeys_the_concurrent_jobs_quota(make_approved_video, owner, django_capture_on_commit_callbacks):
    from quotas.models import Quota
    from quotas.services import QuotaExceeded

    video = make_approved_video(owner)
    Quota.objects.update_or_create(user=owner, defaults={"concurrent_jobs": 1})
    busy = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.EXPORT)  # queued: uses the one slot
    failed = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.FAILED)
    with pytest.raises(QuotaExceeded) as caught:
        job_retry(job=failed)
    assert caught.value.kind == "concurrent_jobs"
    failed.refresh_from_db()
    assert failed.status == Job.Status.FAILED
    job_cancel(job=busy)
    with django_capture_on_commit_callbacks(execute=False):
        job_retry(job=failed)
    failed.refresh_from_db()
    assert failed.status == Job.Status.QUEUED


# --- leftovers -------------------------------------------------------------------------


def test_the_sweep_removes_temp_dirs_of_jobs_no_worker_holds(queued_job, owner, make_video, settings, job_tmp_root):
    other = Job.objects.create(owner=owner, video=queued_job.video, kind=VideoJobKind.EXPORT)
    live = job_claim(job_id=queued_job.pk)
    dead = job_claim(job_id=other.pk)
    _make_stale(dead, settings)
    with job_tempdir(job=live) as live_dir, job_tempdir(job=dead) as dead_dir:
        (dead_dir / "part.mp4").write_bytes(b"x" * 1000)
        finished_dir = job_tmp_root / f"{tempdir_instance_prefix()}{'0' * 12}-abc"
        finished_dir.mkdir()
        unrelated = job_tmp_root / "someone-else"
        unrelated.mkdir()
        assert jobs_sweep_tempdirs() == 2
        assert live_dir.is_dir() and unrelated.is_dir()
        assert not dead_dir.exists() and not finished_dir.exists()


def test_the_sweep_leaves_another_instances_dirs_in_a_shared_temp_root(queued_job, settings, job_tmp_root):
    # A second checkout, `make run` beside `make test`, or staging beside production: the
    # same /tmp, another database. Its live job is not in our database, so only its own
    # workers may judge its dirs.
    from django.db import connection

    other_database = {**connection.settings_dict, "NAME": "/srv/other-checkout/db.sqlite3"}
    assert instance_key(other_database) != instance_key(connection.settings_dict)
    theirs = job_tmp_root / f"contentizer-job-{instance_key(other_database)}-{'2' * 12}-1-live"
    theirs.mkdir()
    (theirs / "part.mp4").write_bytes(b"x" * 1000)
    before_upgrade = job_tmp_root / f"contentizer-job-{'3' * 12}-1-old"  # no instance: not provably ours
    before_upgrade.mkdir()
    dead = job_claim(job_id=queued_job.pk)
    _make_stale(dead, settings)
    with job_tempdir(job=dead) as dead_dir:
        assert jobs_sweep_tempdirs() == 1
        assert not dead_dir.exists()
    assert (theirs / "part.mp4").read_bytes() == b"x" * 1000
    assert before_upgrade.is_dir()


def test_the_sweep_removes_a_dead_attempts_dir_when_the_job_is_already_claimed_again(
    queued_job, settings, job_tmp_root
):
    # On the Redis broker the re-queued job is claimed again at once: the killed attempt's
    # dir carries the same job code as the live attempt's, but not its claim token.
    first = job_claim(job_id=queued_job.pk)
    with job_tempdir(job=first) as dead_dir:
        _make_stale(first, settings)
        assert jobs_reap_stale() == 1
        second = job_claim(job_id=queued_job.pk)
        with job_tempdir(job=second) as live_dir:
            assert jobs_sweep_tempdirs() == 1
            assert live_dir.is_dir() and not dead_dir.exists()


def test_the_worker_start_sweeps_leftover_temp_dirs(db, job_tmp_root):
    from django_q.signals import post_spawn

    leftover = job_tmp_root / f"{tempdir_instance_prefix()}{'1' * 12}-x"
    leftover.mkdir()
    post_spawn.send(sender="django_q", proc_name="Worker-1")
    assert not leftover.exists()


def _local_file(tmp_path: Path, size: int = 2048) -> Path:
    path = tmp_path / "out.bin"
    path.write_bytes(b"\0" * size)
    return path


def test_an_output_is_staged_before_it_is_written_and_promoted_with_its_row(queued_job, tmp_path, media_root):
    job = job_claim(job_id=queued_job.pk)
    name = job_storage_save(job=job, name="videos/test/out.bin", path=_local_file(tmp_path))
    assert default_storage.exists(name)
    staged = StagedFile.objects.get(name=name)
    assert staged.job_id == job.pk and staged.claim == job.attempts
    assert jobs_sweep_staged() == 0  # its worker still holds the claim
    job_staged_promote(name)
    assert not StagedFile.objects.exists()
    assert default_storage.exists(name)


def test_a_staged_output_of_a_lost_worker_is_swept(queued_job, tmp_path, media_root, settings):
    first, second = _stolen(queued_job, settings)
    name = job_storage_save(job=first, name="videos/test/out.bin", path=_local_file(tmp_path))
    assert jobs_sweep_staged() == 1
    assert not default_storage.exists(name)
    assert not StagedFile.objects.exists()


def test_a_storage_error_deletes_what_was_written_and_names_no_path(queued_job, tmp_path, media_root, monkeypatch):
    job = job_claim(job_id=queued_job.pk)
    storage = type(default_storage._wrapped) if hasattr(default_storage, "_wrapped") else type(default_storage)
    real_save = storage._save

    def full_disk(self, name, content):
        written = real_save(self, name, content)  # a truncated file is on disk ...
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(self.path(written))))

    monkeypatch.setattr(storage, "_save", full_disk)
    with pytest.raises(JobFailure) as caught:
        job_storage_save(job=job, name="videos/test/out.bin", path=_local_file(tmp_path))
    assert "storage is full" in caught.value.message
    assert str(media_root) not in caught.value.message and "/" not in caught.value.message
    assert not StagedFile.objects.exists()
    assert not [p for p in (Path(media_root) / "videos").rglob("*") if p.is_file()]
