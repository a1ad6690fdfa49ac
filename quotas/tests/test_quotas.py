"""Quotas: videos per day, render minutes per month, storage, concurrent jobs; enforced
when work is requested, atomically under racing requests, with a clear refusal."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assets.models import MediaAsset
from core.errors import Conflict
from jobs.models import Job
from quotas.models import Quota, QuotaCharge, SiteSettings
from quotas.services import (
    CONCURRENT_JOBS,
    RENDER_MINUTES_PER_MONTH,
    STORAGE_BYTES,
    VIDEOS_PER_DAY,
    QuotaExceeded,
    quota_check,
    quota_check_storage,
    quota_usage,
)
from videos.models import Export, Scene, Video, VideoJobKind
from videos.selectors import video_duration_ms
from videos.services import export_request, render_request, video_create

SCRIPT = "The keeper climbs the stairs. The waves break below."


@pytest.fixture
def queue_only(monkeypatch):
    """Jobs are queued on the ORM broker and stay there: no worker runs them, so they
    count as concurrent jobs (conftest runs them inline otherwise)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


def _limits(user, **limits) -> Quota:
    quota, _ = Quota.objects.update_or_create(user=user, defaults=limits)
    return quota


def _charge_videos(user, count: int, *, when=None) -> None:
    for _ in range(count):
        QuotaCharge.objects.create(user=user, kind=QuotaCharge.Kind.VIDEO, amount=1, created_at=when or timezone.now())


def _asset(owner, *, kind=MediaAsset.Kind.IMAGE, size: int = 0) -> MediaAsset:
    return MediaAsset.objects.create(
        owner=owner,
        kind=kind,
        source=MediaAsset.Source.GENERATED,
        file=f"assets/{owner.pk}/dummy.bin",
        mime="application/octet-stream",
        size_bytes=size,
        checksum="0" * 64,
    )


def _storyboard(owner, *, scene_ms: list[int], approved: bool = True, transition: str = "fade") -> Video:
    """A complete storyboard made directly (no generation): scenes with media and lengths."""
    video = Video.objects.create(
        owner=owner,
        title="Board",
        script=SCRIPT,
        status=Video.Status.STORYBOARD,
        transition=transition,
        approval=Video.Approval.APPROVED if approved else Video.Approval.NONE,
    )
    picture = _asset(owner)
    voice = _asset(owner, kind=MediaAsset.Kind.AUDIO)
    for i, ms in enumerate(scene_ms):
        Scene.objects.create(
            video=video,
            position=i,
            narration=f"Scene {i}.",
            visual_prompt="sea",
            duration_ms=ms,
            narration_ms=ms,
            picture=picture,
            narration_audio=voice,
        )
    return video


def _race(count: int, work) -> list:
    """Run `work()` in `count` threads released at once, each on its own DB connection.
    Returns what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes: list = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            outcome = work()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcome = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == count
    return outcomes


def _split(outcomes: list) -> tuple[list, list]:
    refused = [o for o in outcomes if isinstance(o, QuotaExceeded)]
    others = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, QuotaExceeded)]
    assert not others, others
    return [o for o in outcomes if not isinstance(o, Exception)], refused


# --- racing requests --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_racing_video_creations_against_three_left_let_exactly_three_through(owner, queue_only):
    _limits(owner, videos_per_day=5, concurrent_jobs=100)
    _charge_videos(owner, 2)

    passed, refused = _split(_race(20, lambda: video_create(owner=owner, title="Race", script=SCRIPT)))

    assert len(passed) == 3 and len(refused) == 17
    assert {r.kind for r in refused} == {VIDEOS_PER_DAY}
    assert Video.objects.filter(owner=owner).count() == 3
    assert QuotaCharge.objects.filter(user=owner, kind=QuotaCharge.Kind.VIDEO).count() == 5
    assert Job.objects.filter(owner=owner, kind=VideoJobKind.STORYBOARD).count() == 3
    assert quota_usage(user=owner).videos_today.used == 5


@pytest.mark.django_db(transaction=True)
def test_twenty_racing_requests_against_three_free_job_slots_start_exactly_three_jobs(owner, queue_only):
    _limits(owner, videos_per_day=100, concurrent_jobs=3)

    passed, refused = _split(_race(20, lambda: video_create(owner=owner, title="Race", script=SCRIPT)))

    assert len(passed) == 3 and len(refused) == 17
    assert {r.kind for r in refused} == {CONCURRENT_JOBS}
    assert Job.objects.filter(owner=owner, status__in=Job.ACTIVE).count() == 3


@pytest.mark.django_db(transaction=True)
def test_twenty_racing_renders_against_three_renders_of_minutes_left_queue_exactly_three(owner, queue_only):
    _limits(owner, render_minutes_per_month=1, concurrent_jobs=100)
    videos = [_storyboard(owner, scene_ms=[20_000]) for _ in range(20)]
    queue = list(videos)
    take = threading.Lock()

    def render_one():
        with take:
            video = queue.pop()
        return render_request(video=video, user=owner)

    passed, refused = _split(_race(20, render_one))

    assert len(passed) == 3 and len(refused) == 17
    assert {r.kind for r in refused} == {RENDER_MINUTES_PER_MONTH}
    assert Job.objects.filter(owner=owner, kind=VideoJobKind.RENDER).count() == 3
    assert Video.objects.filter(owner=owner, status=Video.Status.RENDERING).count() == 3
    assert quota_usage(user=owner).render_this_month.used == 60_000


@pytest.mark.django_db(transaction=True)
def test_twenty_racing_uploads_against_room_for_three_store_exactly_three(owner):
    _limits(owner, storage_bytes=1_000)
    _asset(owner, size=400)

    def upload():
        with transaction.atomic():
            quota_check_storage(user=owner, extra_bytes=200)
            return _asset(owner, size=200)

    passed, refused = _split(_race(20, upload))

    assert len(passed) == 3 and len(refused) == 17
    assert {r.kind for r in refused} == {STORAGE_BYTES}
    assert MediaAsset.objects.filter(owner=owner).count() == 4
    assert quota_usage(user=owner).storage.used == 1_000


# --- videos per day -----------------------------------------------------------------------


def test_a_video_over_the_daily_limit_is_refused_with_a_clear_message_and_nothing_created(owner):
    _limits(owner, videos_per_day=2)
    _charge_videos(owner, 2)

    with pytest.raises(QuotaExceeded) as excinfo:
        video_create(owner=owner, title="One too many", script=SCRIPT)

    assert str(excinfo.value) == "You have made 2 of 2 videos today; the limit resets at midnight UTC."
    assert not Video.objects.exists() and not Job.objects.exists() and not Scene.objects.exists()
    assert QuotaCharge.objects.filter(user=owner).count() == 2


def test_the_daily_refusal_says_when_to_retry(owner):
    _limits(owner, videos_per_day=0)
    with pytest.raises(QuotaExceeded) as excinfo:
        video_create(owner=owner, title="T", script=SCRIPT)
    exc = excinfo.value
    midnight = (timezone.now() + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert exc.resets_at == midnight
    assert 0 < exc.retry_after_seconds <= 86_400
    assert isinstance(exc, Conflict)


def test_videos_made_yesterday_do_not_count_today(owner):
    _limits(owner, videos_per_day=1)
    _charge_videos(owner, 5, when=timezone.now() - timedelta(days=1))

    video = video_create(owner=owner, title="Today", script=SCRIPT)

    assert video.pk is not None


def test_deleting_a_video_does_not_give_back_its_place_in_todays_count(owner, make_video):
    from videos.services import video_delete

    _limits(owner, videos_per_day=1)
    video_delete(video=make_video(owner))

    with pytest.raises(QuotaExceeded):
        video_create(owner=owner, title="Again", script=SCRIPT)


def test_the_site_default_applies_without_an_own_quota_and_an_own_quota_overrides_it(owner, stranger):
    site = SiteSettings.load()
    site.videos_per_day = 1
    site.save()
    video_create(owner=owner, title="First", script=SCRIPT)
    with pytest.raises(QuotaExceeded):
        video_create(owner=owner, title="Second", script=SCRIPT)

    _limits(owner, videos_per_day=3)
    video_create(owner=owner, title="Second", script=SCRIPT)
    video_create(owner=stranger, title="Theirs", script=SCRIPT)
    with pytest.raises(QuotaExceeded):
        video_create(owner=stranger, title="Theirs again", script=SCRIPT)


# --- render minutes -------------------------------------------------------------------------


def test_the_render_estimate_is_the_scenes_end_to_end_less_the_crossfades(owner):
    assert video_duration_ms(_storyboard(owner, scene_ms=[5_000, 6_000, 4_000])) == 14_000
    assert video_duration_ms(_storyboard(owner, scene_ms=[5_000, 6_000], transition="cut")) == 11_000


def test_a_render_longer_than_the_minutes_left_is_refused_and_nothing_queued(owner):
    _limits(owner, render_minutes_per_month=1)
    video = _storyboard(owner, scene_ms=[40_000, 30_500])

    with pytest.raises(QuotaExceeded) as excinfo:
        render_request(video=video, user=owner)

    assert str(excinfo.value).startswith(
        "This render is about 1.2 minutes and you have rendered 0 of 1 minutes this month; the limit resets on 1 "
    )
    video.refresh_from_db()
    assert video.status == Video.Status.STORYBOARD
    assert not Job.objects.filter(kind=VideoJobKind.RENDER).exists()
    assert not QuotaCharge.objects.filter(kind=QuotaCharge.Kind.RENDER).exists()


def test_asking_again_for_a_queued_render_does_not_charge_twice(owner):
    _limits(owner, render_minutes_per_month=1)
    video = _storyboard(owner, scene_ms=[40_000])

    first = render_request(video=video, user=owner)
    again = render_request(video=video, user=owner)

    assert first.pk == again.pk
    assert quota_usage(user=owner).render_this_month.used == 40_000


def test_a_failed_or_canceled_render_gives_its_minutes_back(owner):
    _limits(owner, render_minutes_per_month=1)
    first = _storyboard(owner, scene_ms=[40_000])
    job = render_request(video=first, user=owner)
    second = _storyboard(owner, scene_ms=[40_000])
    with pytest.raises(QuotaExceeded):
        render_request(video=second, user=owner)

    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)

    assert render_request(video=second, user=owner).kind == VideoJobKind.RENDER


def test_renders_of_last_month_do_not_count(owner):
    _limits(owner, render_minutes_per_month=1)
    QuotaCharge.objects.create(
        user=owner,
        kind=QuotaCharge.Kind.RENDER,
        amount=60_000,
        created_at=timezone.now().replace(day=1) - timedelta(days=1),
    )

    assert render_request(video=_storyboard(owner, scene_ms=[30_000]), user=owner)


# --- storage ---------------------------------------------------------------------------------


def test_a_full_storage_refuses_new_videos_renders_and_exports(owner):
    _limits(owner, storage_bytes=1_000)
    video = _storyboard(owner, scene_ms=[5_000])
    _asset(owner, size=1_000)

    with pytest.raises(QuotaExceeded) as created:
        video_create(owner=owner, title="T", script=SCRIPT)
    with pytest.raises(QuotaExceeded) as rendered:
        render_request(video=video, user=owner)

    assert created.value.kind == rendered.value.kind == STORAGE_BYTES
    assert str(created.value) == (
        "Your storage is full: you are using 1000\xa0bytes of your 1000\xa0bytes. Delete videos or files to make room."
    )
    Video.objects.filter(pk=video.pk).update(status=Video.Status.READY, master="videos/x/master.mp4")
    video.refresh_from_db()
    with pytest.raises(QuotaExceeded):
        export_request(video=video, format="webm", quality="480p")
    assert not Export.objects.exists()


def test_storage_counts_assets_masters_and_exports(owner, stranger):
    _asset(owner, size=100)
    video = _storyboard(owner, scene_ms=[1_000])
    Video.objects.filter(pk=video.pk).update(size_bytes=2_000)
    Export.objects.create(video=video, format="webm", quality="480p", size_bytes=30_000)
    _asset(stranger, size=999_999)

    assert quota_usage(user=owner).storage.used == 32_100


def test_an_upload_that_would_not_fit_is_refused_and_one_that_fits_exactly_passes(owner):
    _limits(owner, storage_bytes=1_000)
    _asset(owner, size=600)

    with transaction.atomic(), pytest.raises(QuotaExceeded) as excinfo:
        quota_check_storage(user=owner, extra_bytes=401)
    with transaction.atomic():
        quota_check_storage(user=owner, extra_bytes=400)

    assert "This 401\xa0bytes file does not fit: you are using 600\xa0bytes of your 1000\xa0bytes" in str(excinfo.value)
    assert excinfo.value.retry_after_seconds is None


@pytest.mark.django_db(transaction=True)
def test_the_quota_check_refuses_to_run_outside_a_transaction(owner):
    # Outside a transaction the row lock would be released at once: no atomicity.
    with pytest.raises(RuntimeError):
        quota_check(user=owner, videos=1)


# --- concurrent jobs ------------------------------------------------------------------------


def test_a_new_video_is_refused_while_the_job_slots_are_full_and_allowed_when_one_ends(owner, queue_only):
    _limits(owner, concurrent_jobs=1)
    first = video_create(owner=owner, title="First", script=SCRIPT)

    with pytest.raises(QuotaExceeded) as excinfo:
        video_create(owner=owner, title="Second", script=SCRIPT)
    assert str(excinfo.value) == (
        "You have 1 of 1 jobs queued or running at once; wait for one to finish or cancel one."
    )

    first.jobs.update(status=Job.Status.SUCCEEDED)
    assert video_create(owner=owner, title="Second", script=SCRIPT)


def test_an_export_is_refused_while_the_job_slots_are_full(owner, queue_only):
    _limits(owner, concurrent_jobs=1)
    video = _storyboard(owner, scene_ms=[1_000])
    Video.objects.filter(pk=video.pk).update(status=Video.Status.READY, master="videos/x/master.mp4", quality="720p")
    video.refresh_from_db()
    video_create(owner=owner, title="Busy", script=SCRIPT)

    with pytest.raises(QuotaExceeded) as excinfo:
        export_request(video=video, format="webm", quality="480p")

    assert excinfo.value.kind == CONCURRENT_JOBS
    assert not Export.objects.exists()


# --- use and limits for pages and the API -----------------------------------------------------


def test_quota_usage_reports_use_and_limits_of_each_kind(owner, queue_only):
    _limits(owner, videos_per_day=4, render_minutes_per_month=10, storage_bytes=10_000, concurrent_jobs=2)
    video_create(owner=owner, title="T", script=SCRIPT)
    _asset(owner, size=2_500)

    usage = quota_usage(user=owner)

    assert (usage.videos_today.used, usage.videos_today.limit) == (1, 4)
    assert (usage.render_this_month.used, usage.render_this_month.limit) == (0, 600_000)
    assert usage.render_this_month.limit_display == "10.0 min"
    assert (usage.storage.used, usage.storage.limit, usage.storage.percent) == (2_500, 10_000, 25)
    assert (usage.jobs.used, usage.jobs.limit) == (1, 2)
    assert [m.kind for m in usage.meters] == [VIDEOS_PER_DAY, RENDER_MINUTES_PER_MONTH, STORAGE_BYTES, CONCURRENT_JOBS]


def test_the_quota_fragment_shows_each_use_and_limit(owner):
    from django.template.loader import render_to_string

    _limits(owner, videos_per_day=3)
    _charge_videos(owner, 3)

    html = render_to_string("videos/_quota.html", {"quota": quota_usage(user=owner)})

    assert 'data-testid="quota-videos_per_day"' in html
    assert "<span>3 of 3</span>" in html
    assert "quota__meter--full" in html and "Used up until" in html
