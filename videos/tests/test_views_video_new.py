"""New video: the form, creating a video with its storyboard job, and refusing bad input."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jobs.models import Job
from videos.models import Project, Video, VideoJobKind

pytestmark = pytest.mark.django_db

SCRIPT = (
    "The old lighthouse keeper climbs the spiral stairs slowly every single evening at dusk. "
    "Far below him the grey winter waves break hard against the black rocks of the cape. "
    "At the very top he lights the great lamp and watches the ships pass safely home."
)


def _form(**overrides) -> dict:
    data = {
        "title": "The keeper",
        "script": SCRIPT,
        "aspect": "16:9",
        "quality": "480p",
        "fps": "30",
        "voice": "en-us",
        "speech_rate": "165",
        "music": "calm",
        "captions": "on",
        "caption_style": "boxed",
        "transition": "dissolve",
    }
    data.update(overrides)
    return data


def test_the_form_offers_every_option(client, owner):
    client.force_login(owner)

    html = client.get(reverse("videos-new")).content.decode()

    for name in (
        "title",
        "script",
        "script_file",
        "aspect",
        "quality",
        "fps",
        "voice",
        "speech_rate",
        "music",
        "captions",
        "caption_style",
        "transition",
        "project",
        "new_project",
    ):
        assert f'name="{name}"' in html, name
    assert 'value="9:16"' in html and 'value="1080p"' in html and 'value="en-gb"' in html


def test_creating_a_video_makes_its_scenes_queues_the_storyboard_and_opens_it(
    client, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("videos-new"), _form())

    video = Video.objects.get(owner=owner)
    assert response.status_code == 302
    assert response.url == reverse("videos-storyboard", kwargs={"code": video.code})
    assert (video.title, video.quality, video.music, video.caption_style, video.transition) == (
        "The keeper",
        "480p",
        "calm",
        "boxed",
        "dissolve",
    )
    assert video.captions is True
    assert video.scenes.count() == 3
    job = video.jobs.get()
    assert (job.kind, job.status) == (VideoJobKind.STORYBOARD, Job.Status.QUEUED)
    assert len(callbacks) == 1  # the enqueue, sent at commit


def test_the_script_can_come_from_an_uploaded_text_file(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    upload = SimpleUploadedFile("keeper.md", SCRIPT.encode("utf-8"), content_type="text/markdown")

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("videos-new"), _form(script="", script_file=upload))

    assert response.status_code == 302
    assert Video.objects.get(owner=owner).script == SCRIPT


def test_a_new_project_is_made_and_used(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("videos-new"), _form(new_project="Coast stories"))

    video = Video.objects.get(owner=owner)
    assert video.project is not None
    assert (video.project.name, video.project.owner) == ("Coast stories", owner)


def _assert_refused(response, field_message: str) -> None:
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Video.objects.exists()
    assert not Job.objects.exists()


def test_an_empty_script_is_refused_with_a_message_on_the_script(client, owner):
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form(script="   "))

    _assert_refused(response, "field--error")
    assert "script" in response.context["form"].errors


def test_a_script_that_is_too_long_is_refused(client, owner, settings):
    settings.CONTENTIZER_SCRIPT_MAX_CHARS = 100
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form())

    _assert_refused(response, "field--error")
    assert "script" in response.context["form"].errors


def test_an_unknown_aspect_is_refused_with_a_message_on_the_aspect(client, owner):
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form(aspect="4:3"))

    _assert_refused(response, "Select a valid choice. 4:3 is not one of the available choices.")
    assert list(response.context["form"].errors) == ["aspect"]


def test_an_unknown_voice_is_refused(client, owner):
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form(voice="klingon"))

    _assert_refused(response, "klingon is not one of the available choices")


def test_a_speech_rate_out_of_range_is_refused(client, owner):
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form(speech_rate="900"))

    _assert_refused(response, "Speech rate must be between")


def test_an_empty_title_is_refused_and_the_script_is_kept_in_the_form(client, owner):
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form(title=""))

    _assert_refused(response, "This field is required.")
    assert "spiral stairs slowly" in response.content.decode()


def test_a_refused_video_leaves_no_new_project_behind(client, owner):
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form(script="", new_project="Never made"))

    _assert_refused(response, "field--error")
    assert not Project.objects.filter(name="Never made").exists()


def test_another_creators_project_cannot_be_chosen(client, owner, stranger):
    theirs = Project.objects.create(owner=stranger, name="Theirs")
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form(project=str(theirs.code)))

    _assert_refused(response, "Select a valid choice.")
    assert "project" in response.context["form"].errors


def test_a_script_file_that_is_not_utf8_text_is_refused(client, owner):
    client.force_login(owner)
    upload = SimpleUploadedFile("script.txt", b"\xff\xfe\x00\x00binary", content_type="text/plain")

    response = client.post(reverse("videos-new"), _form(script="", script_file=upload))

    _assert_refused(response, "The script file is not UTF-8 text.")


def test_a_script_file_with_another_extension_is_refused(client, owner):
    client.force_login(owner)
    upload = SimpleUploadedFile("script.pdf", SCRIPT.encode(), content_type="application/pdf")

    response = client.post(reverse("videos-new"), _form(script="", script_file=upload))

    _assert_refused(response, "Upload the script as a .txt or .md file.")


def test_creating_a_video_without_a_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form())

    assert response.status_code == 403
    assert not Video.objects.exists()


def test_a_used_up_daily_quota_is_explained_and_nothing_is_created(client, owner):
    from quotas.models import SiteSettings

    site = SiteSettings.load()
    site.videos_per_day = 0
    site.save()
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form())

    assert response.status_code == 409
    assert "spiral stairs slowly" in response.content.decode()  # the script is kept
    assert response.context["form"].non_field_errors()
    assert not Video.objects.exists()
