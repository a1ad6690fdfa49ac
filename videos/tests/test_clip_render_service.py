"""A video whose scene shows an uploaded clip renders through the service (tiny: a clip
of 0.8 s looped to its scene, its sound mixed in)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mediakit.tests import test_clip_render
from videos.models import Video
from videos.services import render_request, scene_upload_clip, storyboard_approve
from videos.services.render import _render_inputs


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    # The clip the composition tests render: 0.8 s with a tone.
    return test_clip_render.make_clip_inputs(tmp_path_factory.mktemp("clip-inputs"))


@pytest.mark.django_db
def test_a_video_with_an_uploaded_clip_renders_through_the_service(
    owner, make_approved_video, inputs, django_capture_on_commit_callbacks, tmp_path
):
    video = make_approved_video(owner)
    scene = video.scenes.select_related("video").get(position=0)
    upload = SimpleUploadedFile("waves.mp4", inputs["clip"].read_bytes(), content_type="video/mp4")
    scene_upload_clip(scene=scene, upload=upload, audio="mix")
    video = storyboard_approve(video=video, user=owner)
    spec = _render_inputs(video, tmp_path)
    assert spec.scenes[0].clip.endswith("-clip.mp4")
    assert (spec.scenes[0].clip_ms, spec.scenes[0].clip_audio) == (800, "mix")
    assert all(scene.clip is None for scene in spec.scenes[1:])

    with django_capture_on_commit_callbacks(execute=True):
        job = render_request(video=video, user=owner)

    job.refresh_from_db()
    video.refresh_from_db()
    assert (job.status, video.status) == ("succeeded", Video.Status.READY), job.error_message
    expected = sum(s.duration_ms for s in video.scenes.all()) - 500 * (video.scenes.count() - 1)
    assert abs(video.duration_ms - expected) <= 50
