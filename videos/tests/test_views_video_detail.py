"""The video page: player, metadata, downloads, exports and delete."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from jobs.models import Job
from videos.models import Export, Video, VideoJobKind

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _store(name: str, data: bytes) -> str:
    return default_storage.save(name, ContentFile(data))


@pytest.fixture
def ready_video(owner):
    """A video in the state a render leaves it, with small stand-in files."""
    base = f"videos/{owner.pk}/test"
    return Video.objects.create(
        owner=owner,
        title="Harbour at night",
        script="Boats.",
        quality="720p",
        status=Video.Status.READY,
        approval=Video.Approval.APPROVED,
        master=_store(f"{base}/master-a.mp4", b"\x00\x00\x00\x18ftypisom" + b"m" * 1000),
        poster=_store(f"{base}/poster-a.jpg", b"\xff\xd8\xff poster"),
        captions_vtt=_store(f"{base}/captions-a.vtt", b"WEBVTT\n\n00:00.000 --> 00:02.000\nBoats.\n"),
        captions_srt=_store(f"{base}/captions-a.srt", b"1\n00:00:00,000 --> 00:00:02,000\nBoats.\n"),
        duration_ms=12_345,
        width=1280,
        height=720,
        video_codec="h264 (High)",
        audio_codec="aac",
        size_bytes=1_234_567,
    )


def _url(name: str, video: Video) -> str:
    return reverse(name, kwargs={"code": video.code})


def test_a_video_without_burned_in_captions_offers_them_as_a_captions_track(client, owner, ready_video):
    Video.objects.filter(pk=ready_video.pk).update(captions=False)
    client.force_login(owner)

    html = client.get(_url("videos-detail", ready_video)).content.decode()

    assert '<track kind="captions" src="' in html and 'srclang="en"' in html
    assert 'label="English" default>' in html  # nothing burned in: the track shows at once


def test_a_ready_video_has_a_player_with_poster_captions_metadata_and_downloads(client, owner, ready_video):
    client.force_login(owner)

    html = client.get(_url("videos-detail", ready_video)).content.decode()

    assert '<video id="player" controls preload="metadata"' in html
    assert f'src="{_url("videos-stream", ready_video)}?v=' in html
    assert f'poster="{_url("videos-poster", ready_video)}?v=' in html
    # Burned in, the captions are in the picture: the track is there (screen readers, the
    # words' times) but off until the viewer switches it on.
    assert '<track kind="captions" src="' in html and 'label="English">' in html
    assert 'data-captions-switch="player" aria-pressed="false"' in html
    assert "0:12.3" in html  # the one duration format (m:ss.t)
    assert "1280 × 720" in html
    assert "1.2\xa0MB" in html  # filesizeformat uses a no-break space
    assert "h264 (High)" in html and "aac" in html
    assert _url("videos-download", ready_video) in html
    assert reverse("videos-captions", kwargs={"code": ready_video.code, "fmt": "srt"}) + "?download=1" in html
    assert reverse("videos-captions", kwargs={"code": ready_video.code, "fmt": "vtt"}) + "?download=1" in html


def test_the_export_form_offers_sizes_up_to_the_masters(client, owner, ready_video):
    client.force_login(owner)

    html = client.get(_url("videos-detail", ready_video)).content.decode()

    assert '<option value="720p" selected>' in html
    assert 'value="480p"' in html
    assert 'value="1080p"' not in html
    assert 'value="webm"' in html and 'value="mov"' in html


def test_a_video_without_a_render_points_to_the_storyboard(client, owner, make_video):
    video = make_video(owner)
    client.force_login(owner)

    html = client.get(_url("videos-detail", video)).content.decode()

    assert "Not rendered yet" in html
    assert _url("videos-storyboard", video) in html
    assert "<video" not in html


def test_while_rendering_the_page_shows_the_live_render(client, owner, make_video):
    video = make_video(owner)
    job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING, progress=12)
    client.force_login(owner)

    html = client.get(_url("videos-detail", video)).content.decode()

    assert f'ws-connect="/ws/jobs/{job.code}/"' in html
    assert 'aria-valuenow="12"' in html
    assert "job-finished[detail.kind=='render' || detail.kind=='aspect']" in html


def test_a_failed_render_shows_why_and_offers_retry(client, owner, make_video):
    video = make_video(owner)
    job = Job.objects.create(
        owner=owner,
        video=video,
        kind=VideoJobKind.RENDER,
        status=Job.Status.FAILED,
        error_stage="validate",
        error_message="The rendered file did not pass its checks: no audio stream",
    )
    client.force_login(owner)

    html = client.get(_url("videos-detail", video)).content.decode()

    assert "Failed while checking the file." in html
    assert "no audio stream" in html
    assert reverse("videos-job-retry", kwargs={"code": job.code}) in html


def test_a_strangers_video_page_is_404(client, stranger, ready_video):
    client.force_login(stranger)

    assert client.get(_url("videos-detail", ready_video)).status_code == 404


def test_asking_for_an_export_queues_it_and_shows_its_live_progress(
    client, owner, ready_video, django_capture_on_commit_callbacks
):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            _url("videos-export-create", ready_video), {"format": "webm", "quality": "480p"}, headers=HTMX
        )

    assert response.status_code == 200
    export = Export.objects.get(video=ready_video)
    assert (export.format, export.quality, export.job.kind, export.job.status) == (
        "webm",
        "480p",
        VideoJobKind.EXPORT,
        Job.Status.QUEUED,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card exports" id="exports">')
    assert f'ws-connect="/ws/jobs/{export.job.code}/"' in html
    assert "WebM (VP9) 480p" in html


def test_asking_for_the_same_export_again_reuses_it(client, owner, ready_video, django_capture_on_commit_callbacks):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(_url("videos-export-create", ready_video), {"format": "mov", "quality": "720p"})
        response = client.post(_url("videos-export-create", ready_video), {"format": "mov", "quality": "720p"})

    assert response.status_code == 302
    assert response.url == f"{_url('videos-detail', ready_video)}#exports"
    assert Export.objects.filter(video=ready_video).count() == 1
    assert Job.objects.filter(video=ready_video, kind=VideoJobKind.EXPORT).count() == 1


def test_a_finished_export_has_a_download_link(client, owner, ready_video):
    export = Export.objects.create(
        video=ready_video,
        format="mp4",
        quality="480p",
        source_master=ready_video.master.name,
        file=_store("videos/x/export.mp4", b"exported"),
        width=854,
        height=480,
        size_bytes=8,
    )
    client.force_login(owner)

    html = client.get(_url("videos-detail", ready_video)).content.decode()

    assert reverse("videos-export-download", kwargs={"code": export.code}) in html
    assert "854 × 480" in html


def test_an_export_larger_than_the_master_is_refused_with_the_reason(client, owner, ready_video):
    client.force_login(owner)

    response = client.post(
        _url("videos-export-create", ready_video), {"format": "mp4", "quality": "1080p"}, headers=HTMX
    )

    assert response.status_code == 400
    assert "exports cannot be larger" in response.content.decode()
    assert not Export.objects.exists()


def test_an_unknown_export_format_is_refused(client, owner, ready_video):
    client.force_login(owner)

    response = client.post(_url("videos-export-create", ready_video), {"format": "avi", "quality": "480p"})

    assert response.status_code == 400
    assert "Select a valid choice. avi is not one of the available choices." in response.content.decode()
    assert not Export.objects.exists()


def test_exporting_a_video_that_is_not_rendered_says_so(client, owner, make_video):
    video = make_video(owner)
    client.force_login(owner)

    response = client.post(_url("videos-export-create", video), {"format": "mp4", "quality": "480p"}, headers=HTMX)

    assert response.status_code == 409
    assert "Render the video before exporting it." in response.content.decode()


def test_a_stranger_cannot_export(client, stranger, ready_video):
    client.force_login(stranger)

    response = client.post(_url("videos-export-create", ready_video), {"format": "mp4", "quality": "480p"})

    assert response.status_code == 404
    assert not Export.objects.exists()


def test_delete_asks_first(client, owner, ready_video):
    client.force_login(owner)

    response = client.get(_url("videos-delete", ready_video))

    assert response.status_code == 200
    assert "Delete “Harbour at night”?" in response.content.decode()
    assert Video.objects.filter(pk=ready_video.pk).exists()


def test_deleting_removes_the_video_and_its_files(client, owner, ready_video):
    names = [ready_video.master.name, ready_video.poster.name, ready_video.captions_vtt.name]
    client.force_login(owner)

    response = client.post(_url("videos-delete", ready_video))

    assert response.status_code == 302
    assert response.url == reverse("videos-library")
    assert not Video.objects.filter(pk=ready_video.pk).exists()
    assert not any(default_storage.exists(name) for name in names)


def test_a_stranger_cannot_delete(client, stranger, ready_video):
    client.force_login(stranger)

    assert client.get(_url("videos-delete", ready_video)).status_code == 404
    assert client.post(_url("videos-delete", ready_video)).status_code == 404
    assert Video.objects.filter(pk=ready_video.pk).exists()
    assert default_storage.exists(ready_video.master.name)


def test_delete_without_a_csrf_token_is_refused(owner, ready_video):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(_url("videos-delete", ready_video))

    assert response.status_code == 403
    assert Video.objects.filter(pk=ready_video.pk).exists()
