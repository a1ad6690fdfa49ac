"""Several aspects in the pages: chosen on the new-video page, each master shown and
downloadable on the video page, to its owner only."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from videos.models import Video, VideoMaster

pytestmark = pytest.mark.django_db

SCRIPT = "The keeper climbs the stairs at dusk. Far below, the waves break on the rocks."


def test_the_new_video_page_makes_the_other_aspects_chosen(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    page = client.get(reverse("videos-new")).content.decode()
    assert 'name="other_aspects" value="9:16"' in page
    form = {
        "title": "Keeper",
        "script": SCRIPT,
        "aspect": "9:16",
        "other_aspects": ["1:1", "16:9", "9:16"],  # its own aspect among them: made once
        "quality": "480p",
        "fps": "30",
        "voice": "en-us",
        "speech_rate": "165",
        "music": "none",
        "caption_style": "classic",
        "transition": "fade",
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("videos-new"), form)
    assert response.status_code == 302
    video = Video.objects.get()
    assert video.aspects == ["9:16", "16:9", "1:1"]
    assert VideoMaster.objects.filter(video=video).count() == 2


def test_the_video_page_shows_and_serves_each_rendered_master_to_its_owner(
    client, owner, stranger, make_approved_video
):
    video = make_approved_video(owner, aspects=["16:9", "1:1", "9:16"])
    square = video.other_masters.get(aspect="1:1")
    square.file = default_storage.save(f"videos/{owner.pk}/{video.code.hex}/master-1x1-t.mp4", ContentFile(b"m" * 64))
    square.width = square.height = 480
    square.duration_ms, square.size_bytes = 5000, 64
    square.save()
    client.force_login(owner)
    html = client.get(reverse("videos-detail", kwargs={"code": video.code})).content.decode()
    assert 'data-testid="other-masters"' in html
    download = reverse("videos-master-download", kwargs={"code": video.code, "aspect": "1x1"})
    assert download in html
    # 9:16 is not rendered yet: no player, no download.
    assert reverse("videos-master-download", kwargs={"code": video.code, "aspect": "9x16"}) not in html
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"m" * 64
    assert 'filename="lighthouse-1x1.mp4"' in response["Content-Disposition"]
    ranged = client.get(
        reverse("videos-master-stream", kwargs={"code": video.code, "aspect": "1x1"}), HTTP_RANGE="bytes=0-9"
    )
    assert ranged.status_code == 206 and ranged["Content-Range"] == "bytes 0-9/64"
    client.force_login(stranger)
    assert client.get(download).status_code == 404
    assert client.get(reverse("videos-detail", kwargs={"code": video.code})).status_code == 404


def test_the_video_page_adds_an_aspect_and_queues_its_render_alone(
    client, owner, make_approved_video, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner)
    client.force_login(owner)
    response = client.post(reverse("videos-aspects", kwargs={"code": video.code}), {"other_aspects": ["9:16"]})
    assert response.status_code == 302
    assert video.aspects == ["16:9", "9:16"]
    html = client.get(reverse("videos-detail", kwargs={"code": video.code})).content.decode()
    render_url = reverse("videos-master-render", kwargs={"code": video.code, "aspect": "9x16"})
    assert render_url in html
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(render_url).status_code == 302
    assert list(video.jobs.filter(kind="aspect").values_list("status", flat=True)) == ["queued"]
    assert not video.jobs.filter(kind="render").exists()
    # A bad aspect changes nothing and says why.
    page = client.post(reverse("videos-aspects", kwargs={"code": video.code}), {"other_aspects": ["4:3"]}, follow=True)
    assert "Unknown aspect" in page.content.decode()
    assert video.aspects == ["16:9", "9:16"]


def test_staff_see_each_other_aspects_master_and_its_render_in_admin(
    staff_client, owner, make_approved_video, django_capture_on_commit_callbacks
):
    from videos.services import render_request

    video = make_approved_video(owner, aspects=["16:9", "1:1"])
    with django_capture_on_commit_callbacks(execute=False):
        render_request(video=video, user=owner)
    job = video.other_masters.get().job
    html = staff_client.get(reverse("admin:videos_video_change", args=[video.pk])).content.decode()
    assert "masters of other aspects" in html.lower()
    assert reverse("admin:jobs_job_change", args=[job.pk]) in html


def test_another_aspects_render_page_names_its_aspect(
    client, owner, make_approved_video, django_capture_on_commit_callbacks
):
    from videos.services import render_request

    video = make_approved_video(owner, aspects=["16:9", "9:16"])
    with django_capture_on_commit_callbacks(execute=False):
        render_request(video=video, user=owner)
    client.force_login(owner)
    html = client.get(reverse("videos-job", kwargs={"code": video.other_masters.get().job.code})).content.decode()
    assert "Rendering</span>" in html and "9:16 portrait · 480p" in html


def test_the_storyboard_and_video_pages_say_which_other_aspects_are_made(client, owner, make_video):
    video = make_video(owner, aspects=["9:16", "16:9", "1:1"])
    client.force_login(owner)
    for name in ("videos-storyboard", "videos-detail"):
        html = client.get(reverse(name, kwargs={"code": video.code})).content.decode()
        assert "9:16 portrait (also 16:9, 1:1)" in html, name
