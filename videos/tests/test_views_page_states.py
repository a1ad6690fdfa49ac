"""What the pages say follows the state of the work: messages and headings that change when
a job ends, status badges that tell rejected and waiting storyboards apart, a cancel that
asks first, a player the shape of its video, and a storyboard toolbar that keeps to one row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.django_db

ON_ITS_WAY = "Your storyboard is on its way"


def _new_video(client) -> Video:
    client.post(
        reverse("videos-new"),
        {
            "title": "Harbour",
            "script": "Boats rest in the harbour. The tide comes in slowly.",
            "aspect": "16:9",
            "quality": "480p",
            "fps": "30",
            "voice": "en-us",
            "speech_rate": "165",
            "music": "none",
            "caption_style": "classic",
            "transition": "fade",
        },
    )
    return Video.objects.get()


def test_the_on_its_way_message_shows_while_the_storyboard_is_being_made(client, owner):
    client.force_login(owner)
    video = _new_video(client)

    html = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()

    assert ON_ITS_WAY in html
    assert "data-until-job-finished>" + ON_ITS_WAY in html


def test_the_on_its_way_message_is_dropped_when_the_storyboard_is_already_done(client, owner):
    client.force_login(owner)
    video = _new_video(client)
    video.jobs.update(status=Job.Status.SUCCEEDED, progress=100)

    html = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()

    assert ON_ITS_WAY not in html


def test_the_job_heading_says_rendering_while_it_runs_and_names_what_it_becomes(client, owner, make_approved_video):
    video = make_approved_video(owner)
    job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING)
    client.force_login(owner)

    html = client.get(reverse("videos-job", kwargs={"code": job.code})).content.decode()

    assert 'data-on-job-done="Rendered">Rendering</span>' in html


def test_the_job_heading_says_rendered_once_the_render_is_done(client, owner, make_approved_video):
    video = make_approved_video(owner)
    job = Job.objects.create(
        owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.SUCCEEDED, progress=100
    )
    client.force_login(owner)

    html = client.get(reverse("videos-job", kwargs={"code": job.code})).content.decode()

    assert ">Rendered</span> “" in html
    assert "Rendering" not in html


def test_the_video_fragment_brings_the_header_badge_up_to_date(client, owner, make_approved_video):
    video = make_approved_video(owner)
    Video.objects.filter(pk=video.pk).update(status=Video.Status.READY)
    client.force_login(owner)

    html = client.get(reverse("videos-detail", kwargs={"code": video.code}), HTTP_HX_REQUEST="true").content.decode()

    assert 'id="video-status" class="badge badge--ready" data-testid="video-status" hx-swap-oob="true">Ready<' in html


def test_cancelling_a_job_asks_for_confirmation_first(client, owner, make_approved_video):
    video = make_approved_video(owner)
    job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING)
    client.force_login(owner)

    html = client.get(reverse("videos-job", kwargs={"code": job.code})).content.decode()

    assert 'hx-confirm="Cancel this render? Nothing from this run is kept."' in html


def test_a_storyboard_waiting_for_staff_reads_awaiting_review_in_the_library(client, owner, make_video):
    video = make_video(owner)
    Video.objects.filter(pk=video.pk).update(status=Video.Status.STORYBOARD, approval=Video.Approval.PENDING)
    client.force_login(owner)

    html = client.get(reverse("videos-library")).content.decode()

    assert '<span class="badge badge--pending" data-testid="video-status">Awaiting review</span>' in html


def test_a_portrait_video_plays_in_a_box_of_its_own_shape(client, owner):
    video = Video.objects.create(
        owner=owner,
        title="Tall",
        script="Up.",
        aspect="9:16",
        status=Video.Status.READY,
        master="videos/x/master.mp4",
        width=720,
        height=1280,
        duration_ms=5960,
    )
    client.force_login(owner)

    html = client.get(reverse("videos-detail", kwargs={"code": video.code})).content.decode()

    assert 'style="--ratio: 720 / 1280" data-testid="player-box"' in html
    assert '<dd data-testid="meta-duration">0:05.9</dd>' in html


def test_the_scene_toolbar_keeps_moving_and_editing_in_view_and_the_rest_under_more(client, owner, make_video):
    video = make_video(owner)
    client.force_login(owner)

    html = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()
    scene = html.split('<li class="scene', 2)[1]
    bar, menu = scene.split('<div class="scene__menu">', 1)

    for control in (
        'class="btn btn--small btn--icon scene__handle" role="button" tabindex="0" draggable="true"',
        'value="up"',
        'value="down"',
        ">Edit</button>",
    ):
        assert control in bar
    assert "New picture" in bar
    for control in ("Upload a picture", "Upload a clip", "Use my recording", "Delete this scene"):
        assert control in menu and control not in bar
    assert 'aria-label="Reorder scene 1: drag it, or press Alt+Arrow Up or Down"' in bar


def test_a_rendering_storyboard_shows_the_live_render_progress_so_it_unlocks_when_done(
    client, owner, make_approved_video
):
    video = make_approved_video(owner)
    job = Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING, progress=30)
    client.force_login(owner)

    html = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()

    assert "Rendering now; the storyboard is locked until it finishes." in html
    assert f'id="job-live-{job.code.hex}"' in html
    assert "detail.kind=='render'" in html  # the body refetches itself when that job ends
