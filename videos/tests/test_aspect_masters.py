"""Several aspects from one storyboard: one master and one render job each, charged to the
render quota each, the narration and pictures shared (videos.models.VideoMaster)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from assets.models import MediaAsset
from core.errors import QuotaExceeded
from jobs.models import Job
from jobs.services import job_cancel, job_retry
from jobs.tasks import run_job
from mediakit.probe import probe
from quotas.models import Quota, QuotaCharge
from quotas.services import quota_usage, storage_use
from videos.models import Video, VideoJobKind, VideoMaster
from videos.selectors import video_duration_ms, video_masters
from videos.services import master_render_request, render_request, video_aspects_set, video_create, video_delete

THREE = ["16:9", "9:16", "1:1"]


def _local(name: str) -> Path:
    return Path(default_storage.path(name))


def test_each_aspect_is_its_own_master_from_the_one_storyboard(make_rendered_video, owner):
    video = make_rendered_video(owner, aspects=THREE)
    assets_after_storyboard = set(MediaAsset.objects.values_list("pk", flat=True))
    assert video.aspect == "16:9" and video.aspects == THREE
    jobs = list(video.jobs.filter(kind__in=(VideoJobKind.RENDER, VideoJobKind.RENDER_ASPECT)))
    assert sorted(job.kind for job in jobs) == ["aspect", "aspect", "render"]
    assert all(job.status == Job.Status.SUCCEEDED for job in jobs), [j.error_message for j in jobs]
    sizes = {}
    for master in video_masters(video):
        info = probe(_local(master.file.name))
        sizes[master.aspect] = (info.video.width, info.video.height)
        assert info.audio is not None and info.audio.codec == "aac"
        assert abs(info.duration_ms - video.duration_ms) <= 40
        assert (master.width, master.height, master.state) == (info.video.width, info.video.height, "ready")
        assert master.captions_vtt and master.poster
    assert sizes == {"16:9": (854, 480), "9:16": (480, 854), "1:1": (480, 480)}
    # One narration and one set of pictures: the renders stored no scene media of their own.
    assert set(MediaAsset.objects.values_list("pk", flat=True)) == assets_after_storyboard
    vtts = {master.aspect: default_storage.open(master.captions_vtt.name).read() for master in video_masters(video)}
    assert vtts["9:16"] == vtts["16:9"] == vtts["1:1"]
    # Every master counts against the owner's storage, and goes with the video.
    assert storage_use(user=owner).parts["aspect_masters"] == sum(
        m.size_bytes for m in video_masters(video) if not m.primary
    )
    files = [name for m in video_masters(video) for name in (m.file.name, m.poster.name, m.captions_srt.name)]
    video_delete(video=video)
    assert not any(default_storage.exists(name) for name in files)


def test_every_master_is_charged_to_the_render_quota(make_approved_video, owner, django_capture_on_commit_callbacks):
    video = make_approved_video(owner, aspects=["9:16", "1:1"])
    with django_capture_on_commit_callbacks(execute=False):
        job = render_request(video=video, user=owner)
    master = VideoMaster.objects.get(video=video)
    charges = QuotaCharge.objects.filter(kind=QuotaCharge.Kind.RENDER, video=video)
    assert sorted(charges.values_list("job_id", flat=True)) == sorted([job.pk, master.job_id])
    assert list(charges.values_list("amount", flat=True)) == [video_duration_ms(video)] * 2
    assert quota_usage(user=owner).render_this_month.used == 2 * video_duration_ms(video)
    assert quota_usage(user=owner).jobs.used == 2


def test_a_render_whose_masters_do_not_all_fit_the_quota_is_refused_whole(
    make_approved_video, owner, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner, aspects=THREE)
    one = video_duration_ms(video)
    # Room for one master of this length this month, not three.
    Quota.objects.update_or_create(user=owner, defaults={"render_minutes_per_month": 1})
    QuotaCharge.objects.create(user=owner, kind=QuotaCharge.Kind.RENDER, amount=60_000 - 2 * one)
    with django_capture_on_commit_callbacks(execute=False), pytest.raises(QuotaExceeded):
        render_request(video=video, user=owner)
    video.refresh_from_db()
    assert video.status == Video.Status.STORYBOARD
    assert not video.jobs.filter(kind__in=(VideoJobKind.RENDER, VideoJobKind.RENDER_ASPECT)).exists()
    assert not VideoMaster.objects.filter(video=video, job__isnull=False).exists()


def test_a_canceled_aspect_gives_its_minutes_back_and_is_retried_alone(
    make_approved_video, owner, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner, aspects=["16:9", "9:16"])
    with django_capture_on_commit_callbacks(execute=False):
        job = render_request(video=video, user=owner)
    master = VideoMaster.objects.get(video=video)
    per_master = QuotaCharge.objects.get(job=job).amount
    job_cancel(job=master.job)
    assert run_job(job.pk) == "succeeded"
    video.refresh_from_db()
    # The video's own aspect is ready; the canceled one neither blocks it nor counts.
    assert video.status == Video.Status.READY
    assert quota_usage(user=owner).render_this_month.used == per_master
    assert [m.state for m in video_masters(video)] == ["ready", "canceled"]
    with django_capture_on_commit_callbacks(execute=False):
        job_retry(job=master.job)
    assert run_job(master.job_id) == "succeeded"
    master.refresh_from_db()
    assert (probe(_local(master.file.name)).video.width, master.height) == (480, 854)
    assert quota_usage(user=owner).render_this_month.used == 2 * per_master
    # Still one render job of the video's own aspect: the retry made no other.
    assert video.jobs.filter(kind=VideoJobKind.RENDER).count() == 1


@pytest.mark.parametrize(
    ("aspects", "words"),
    [
        ([], "at least one aspect"),
        (["16:9", "4:3"], "Unknown aspect '4:3'"),
        (["9:16", "1:1", "9:16"], "9:16 is listed twice"),
        ("16:9,,1:1", "Unknown aspect ''"),
    ],
)
def test_a_bad_list_of_aspects_is_refused_in_words_and_makes_nothing(owner, aspects, words):
    with pytest.raises(ValidationError) as caught:
        video_create(owner=owner, title="Kite", script="A red kite rides the wind.", aspects=aspects)
    assert words in caught.value.message_dict["aspects"][0]
    assert not Video.objects.exists() and not VideoMaster.objects.exists() and not Job.objects.exists()


def test_the_storyboard_stays_locked_while_another_aspect_renders(
    make_approved_video, owner, django_capture_on_commit_callbacks
):
    from core.errors import Conflict
    from videos.services.scenes import storyboard_require_editable

    video = make_approved_video(owner, aspects=["16:9", "1:1"])
    with django_capture_on_commit_callbacks(execute=False):
        job = render_request(video=video, user=owner)
    assert run_job(job.pk) == "succeeded"
    with pytest.raises(Conflict):
        storyboard_require_editable(video)


def test_an_aspect_added_later_renders_alone(make_rendered_video, owner, django_capture_on_commit_callbacks):
    video = make_rendered_video(owner)
    video_aspects_set(video=video, aspects=["16:9", "9:16"])
    with django_capture_on_commit_callbacks(execute=True):
        job = master_render_request(video=video, aspect="9:16", user=owner)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    master = VideoMaster.objects.get(video=video)
    assert (probe(_local(master.file.name)).video.width, master.height) == (480, 854)
    # The 16:9 was not rendered again.
    assert video.jobs.filter(kind=VideoJobKind.RENDER).count() == 1
    assert QuotaCharge.objects.filter(kind=QuotaCharge.Kind.RENDER, video=video).count() == 2
    # Left out again, it goes with its files; the video's own aspect cannot be left out.
    name = master.file.name
    with django_capture_on_commit_callbacks(execute=True):
        video_aspects_set(video=video, aspects=["16:9"])
    assert not VideoMaster.objects.exists() and not default_storage.exists(name)
    with pytest.raises(ValidationError, match="own aspect"):
        video_aspects_set(video=video, aspects=["9:16"])
    assert not VideoMaster.objects.exists()


def test_batch_rows_ask_for_several_aspects_and_a_bad_row_makes_nothing(owner, django_capture_on_commit_callbacks):
    from videos.services import BatchInvalid, batch_create_from_file

    csv = 'title,script,aspects\nKite,A red kite rides the wind.,"9:16,1:1"\nBoat,A boat leaves the harbour.,\n'
    with django_capture_on_commit_callbacks(execute=False):
        batch_create_from_file(owner=owner, data=csv.encode(), filename="rows.csv")
    assert {v.title: v.aspects for v in Video.objects.all()} == {"Kite": ["9:16", "1:1"], "Boat": ["16:9"]}
    Video.objects.all().delete()
    jsonl = '{"script": "A red kite.", "aspects": ["16:9", "16:9"]}\n{"script": "A boat.", "aspects": ["2:1"]}\n'
    with pytest.raises(BatchInvalid) as caught:
        batch_create_from_file(owner=owner, data=jsonl.encode(), filename="rows.jsonl")
    assert {(e.row, e.field) for e in caught.value.errors} == {(1, "aspects"), (2, "aspects")}
    assert not Video.objects.exists() and not VideoMaster.objects.exists()
