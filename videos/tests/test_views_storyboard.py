"""The storyboard page, approving it and asking for a render."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jobs.models import Job
from videos.models import Video, VideoJobKind
from videos.templatetags.video_tags import duration_text

pytestmark = pytest.mark.django_db

SCRIPT = (
    "The old lighthouse keeper climbs the spiral stairs slowly every single evening at dusk. "
    "Far below him the grey winter waves break hard against the black rocks of the cape. "
    "At the very top he lights the great lamp and watches the ships pass safely home."
)


def _url(name: str, video: Video) -> str:
    return reverse(name, kwargs={"code": video.code})


def test_the_owner_sees_the_scenes_in_order_with_pictures_text_and_durations(client, owner, make_video):
    video = make_video(owner, script=SCRIPT)
    client.force_login(owner)

    response = client.get(_url("videos-storyboard", video))

    html = response.content.decode()
    assert response.status_code == 200
    scenes = list(video.scenes.order_by("position"))
    assert len(scenes) == 3
    positions = [html.index(f'id="scene-{s.code}"') for s in scenes]
    assert positions == sorted(positions)
    for scene in scenes:
        assert scene.narration in html
        assert scene.visual_prompt in html
        assert reverse("videos-scene-image", kwargs={"code": scene.code}) in html
        assert duration_text(scene.duration_ms) in html
    assert "Estimated cost" in html and "$0.00" in html
    assert "0 of 5" in html  # refinements used
    assert "Approve the storyboard" in html


def test_a_stranger_gets_a_404_and_staff_can_look(client, owner, stranger, staff, make_video):
    video = make_video(owner)

    client.force_login(stranger)
    assert client.get(_url("videos-storyboard", video)).status_code == 404
    client.force_login(staff)
    assert client.get(_url("videos-storyboard", video)).status_code == 200


def test_while_the_storyboard_is_being_made_the_page_shows_live_progress_and_cannot_approve(
    client, owner, django_capture_on_commit_callbacks
):
    from videos.services import video_create

    with django_capture_on_commit_callbacks(execute=False):
        video = video_create(owner=owner, title="Pending", script=SCRIPT, quality="480p")
    job = video.jobs.get()
    client.force_login(owner)

    html = client.get(_url("videos-storyboard", video)).content.decode()

    assert f'ws-connect="/ws/jobs/{job.code}/"' in html
    assert f'id="job-{job.code.hex}"' in html
    assert "Making the picture…" in html
    assert 'type="submit" disabled>Approve the storyboard' in html


def test_an_htmx_request_gets_only_the_storyboard_body(client, owner, make_video):
    video = make_video(owner)
    client.force_login(owner)

    response = client.get(_url("videos-storyboard", video), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="storyboard-body"')
    assert "<html" not in html


def test_approving_marks_the_storyboard_approved_and_offers_render(client, owner, make_video):
    video = make_video(owner)
    client.force_login(owner)

    response = client.post(_url("videos-approve", video), headers={"HX-Request": "true"})

    video.refresh_from_db()
    assert response.status_code == 200
    assert video.approval == Video.Approval.APPROVED
    assert video.approved_by == owner
    html = response.content.decode()
    assert "✓ Approved" in html
    assert "Render the video" in html
    assert _url("videos-render", video) in html


def test_approving_without_javascript_redirects_back_to_the_storyboard(client, owner, make_video):
    video = make_video(owner)
    client.force_login(owner)

    response = client.post(_url("videos-approve", video))

    assert response.status_code == 302
    assert response.url.startswith(_url("videos-storyboard", video))


def test_approving_an_unfinished_storyboard_says_why_and_changes_nothing(
    client, owner, django_capture_on_commit_callbacks
):
    from videos.services import video_create

    with django_capture_on_commit_callbacks(execute=False):
        video = video_create(owner=owner, title="Pending", script=SCRIPT, quality="480p")
    client.force_login(owner)

    response = client.post(_url("videos-approve", video), headers={"HX-Request": "true"})

    assert response.status_code == 409
    assert "still being made" in response.content.decode()
    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE


def test_a_stranger_cannot_approve(client, owner, stranger, make_video):
    video = make_video(owner)
    client.force_login(stranger)

    response = client.post(_url("videos-approve", video))

    assert response.status_code == 404
    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE


def test_rendering_an_unapproved_storyboard_is_forbidden(client, owner, make_video):
    video = make_video(owner)
    client.force_login(owner)

    response = client.post(_url("videos-render", video))

    assert response.status_code == 403
    assert not video.jobs.filter(kind=VideoJobKind.RENDER).exists()


def test_rendering_an_approved_storyboard_queues_a_render_and_opens_its_progress(
    client, owner, make_approved_video, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(_url("videos-render", video))

    job = video.jobs.get(kind=VideoJobKind.RENDER)
    assert job.status == Job.Status.QUEUED
    assert response.status_code == 302
    assert response.url == reverse("videos-job", kwargs={"code": job.code})
    video.refresh_from_db()
    assert video.status == Video.Status.RENDERING


def test_a_stranger_cannot_render(client, owner, stranger, make_approved_video):
    video = make_approved_video(owner)
    client.force_login(stranger)

    response = client.post(_url("videos-render", video))

    assert response.status_code == 404
    assert not video.jobs.filter(kind=VideoJobKind.RENDER).exists()


def test_while_rendering_the_storyboard_is_locked(
    client, owner, make_approved_video, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(_url("videos-render", video))

    html = client.get(_url("videos-storyboard", video)).content.decode()

    assert "the storyboard is locked" in html
    assert "Save scene" not in html


def test_approving_without_a_csrf_token_is_refused(owner, make_video):
    video = make_video(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(_url("videos-approve", video))

    assert response.status_code == 403
    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE


@pytest.fixture
def staff_approval_required(db):
    from quotas.models import SiteSettings

    site = SiteSettings.load()
    site.require_staff_approval = True
    site.save()
    return site


def test_where_staff_must_approve_the_creator_sends_the_storyboard_for_approval(
    client, owner, make_video, staff_approval_required
):
    video = make_video(owner)
    client.force_login(owner)

    before = client.get(_url("videos-storyboard", video)).content.decode()
    response = client.post(_url("videos-approve", video), headers={"HX-Request": "true"})

    assert "Send for approval" in before
    html = response.content.decode()
    assert "Sent for approval" in html
    assert "Render the video" not in html
    video.refresh_from_db()
    assert video.approval == Video.Approval.PENDING
    assert client.post(_url("videos-render", video)).status_code == 403


def test_staff_approve_a_pending_storyboard_from_its_page(client, owner, staff, make_video, staff_approval_required):
    video = make_video(owner)
    client.force_login(owner)
    client.post(_url("videos-approve", video))
    client.force_login(staff)

    page = client.get(_url("videos-storyboard", video)).content.decode()
    client.post(_url("videos-approve", video))

    assert "Approve the storyboard" in page
    video.refresh_from_db()
    assert (video.approval, video.approved_by) == (Video.Approval.APPROVED, staff)


def test_each_scene_offers_its_narration_to_hear_and_only_to_its_owner(client, owner, stranger, make_video):
    video = make_video(owner)
    client.force_login(owner)
    html = client.get(_url("videos-storyboard", video)).content.decode()
    scene = video.scenes.select_related("narration_audio").order_by("position").first()
    audio_url = reverse("assets-file", args=[scene.narration_audio.code])
    assert f'<audio src="{audio_url}"' in html
    played = client.get(audio_url, HTTP_RANGE="bytes=0-43")
    assert played.status_code == 206 and b"".join(played.streaming_content).startswith(b"RIFF")
    other = Client()
    other.force_login(stranger)
    assert other.get(audio_url).status_code == 404


def test_the_new_video_form_offers_a_sample_of_the_voice_and_the_music(client, owner):
    client.force_login(owner)
    html = client.get(reverse("videos-new")).content.decode()
    assert 'data-sample-for="id_voice"' in html and reverse("assets-voice-sample", args=["VOICE"]) in html
    assert 'data-sample-for="id_music"' in html and reverse("assets-music-sample", args=["BED"]) in html


def test_a_scene_credit_is_one_short_line_with_its_details_on_demand(client, owner, make_video):
    video = make_video(owner)
    picture = video.scenes.get(position=0).picture
    picture.credit = {
        "provider": "illustrated",
        "provider_label": "Illustrations",
        "text": "lighthouse by Franck Doucet, Openclipart (public domain); arranged into a scene by Contentizer.",
        "licence": "Public domain",
        "source_url": "https://openclipart.org/",
    }
    picture.save(update_fields=["credit"])
    client.force_login(owner)

    html = client.get(_url("videos-storyboard", video)).content.decode()

    start = html.index('<details class="scene__credit" data-testid="scene-credit">')
    credit = html[start : html.index("</details>", start)]
    summary = credit[credit.index("<summary>") + len("<summary>") : credit.index("</summary>")]
    assert summary == "<span>Picture</span> Illustrations · Public domain"
    details = credit[credit.index("</summary>") :]
    assert "lighthouse by Franck Doucet, Openclipart (public domain)" in details
    assert '<a href="https://openclipart.org/"' in details
