"""Video services: creation validates before writing; storyboard, approval, edits."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assets.models import MediaAsset
from core.errors import Conflict
from jobs.models import Job
from videos.models import Scene, Video, VideoJobKind
from videos.services import (
    render_request,
    scene_delete,
    scene_move,
    scene_refine_picture,
    scene_update,
    storyboard_approve,
    video_create,
)


@pytest.mark.parametrize(
    ("field", "options"),
    [
        ("script", {"script": ""}),
        ("script", {"script": "   \n\t  "}),
        ("script", {"script": "word " * 5000}),
        ("title", {"title": "  "}),
        ("aspect", {"aspect": "4:3"}),
        ("quality", {"quality": "4k"}),
        ("fps", {"fps": 60}),
        ("voice", {"voice": "klingon"}),
        ("speech_rate", {"speech_rate": 5}),
        ("music", {"music": "upload"}),
        ("transition", {"transition": "spin"}),
    ],
)
def test_video_create_refuses_bad_input_and_creates_nothing(owner, field, options):
    kwargs = {"owner": owner, "title": "T", "script": "One sentence here.", **options}
    with pytest.raises(ValidationError) as excinfo:
        video_create(**kwargs)
    assert field in excinfo.value.message_dict
    assert excinfo.value.message_dict[field][0]
    assert not Video.objects.exists() and not Job.objects.exists() and not Scene.objects.exists()


def test_empty_script_message_says_what_to_do(owner):
    with pytest.raises(ValidationError) as excinfo:
        video_create(owner=owner, title="T", script="")
    assert "empty" in excinfo.value.message_dict["script"][0].lower()


def test_storyboard_job_gives_every_scene_narration_picture_and_duration(make_video, owner):
    video = make_video(owner, script="First sentence is here. " * 3 + "And a final one closes it.")
    job = video.jobs.get(kind=VideoJobKind.STORYBOARD)
    assert job.status == Job.Status.SUCCEEDED, job.error_message
    assert video.status == Video.Status.STORYBOARD
    scenes = list(video.scenes.all())
    assert scenes
    for scene in scenes:
        assert scene.picture.kind == MediaAsset.Kind.IMAGE
        assert (scene.picture.width, scene.picture.height) == (854, 480)
        assert scene.narration_audio.kind == MediaAsset.Kind.AUDIO
        assert scene.narration_ms > 300
        # the scene holds its narration plus air and the crossfade into the next one
        assert scene.duration_ms >= scene.narration_ms + 500


def test_same_script_gives_the_same_storyboard(make_video, owner):
    a = make_video(owner, script="Alpha beta gamma. Delta epsilon zeta! Eta theta?")
    b = make_video(owner, script="Alpha beta gamma. Delta epsilon zeta! Eta theta?")
    assert [(s.narration, s.visual_prompt) for s in a.scenes.all()] == [
        (s.narration, s.visual_prompt) for s in b.scenes.all()
    ]


def test_render_is_refused_until_the_storyboard_is_approved(make_video, owner):
    video = make_video(owner)
    with pytest.raises(PermissionDenied):
        render_request(video=video, user=owner)
    assert not video.jobs.filter(kind=VideoJobKind.RENDER).exists()


def test_editing_an_approved_storyboard_withdraws_the_approval(make_video, owner, django_capture_on_commit_callbacks):
    video = make_video(owner)
    storyboard_approve(video=video, user=owner)
    scene = video.scenes.first()
    with django_capture_on_commit_callbacks(execute=True):
        scene_update(scene=scene, narration="A new line of narration.")
    video.refresh_from_db()
    scene.refresh_from_db()
    assert video.approval == Video.Approval.NONE
    # the storyboard job made the new narration at once
    assert scene.narration_audio is not None and scene.narration_ms > 0


def test_refinements_stop_at_the_limit_with_a_clear_message(
    make_video, owner, settings, django_capture_on_commit_callbacks
):
    settings.CONTENTIZER_MAX_REFINEMENTS = 2
    video = make_video(owner)
    scene = video.scenes.first()
    first_picture = scene.picture_id
    with django_capture_on_commit_callbacks(execute=True):
        scene_refine_picture(scene=scene)
        scene_refine_picture(scene=Scene.objects.get(pk=scene.pk))
    scene.refresh_from_db()
    assert scene.picture_id not in (None, first_picture)
    with pytest.raises(Conflict, match="all 2 picture refinements"):
        scene_refine_picture(scene=scene)
    video.refresh_from_db()
    assert video.refinements_used == 2


def test_move_and_delete_keep_positions_contiguous(make_video, owner):
    video = make_video(owner, script="One one one. Two two two two two two two two two two two two two two. " * 3)
    scenes = list(video.scenes.all())
    assert len(scenes) >= 3
    scene_move(scene=scenes[0], offset=1)
    order = list(video.scenes.values_list("pk", flat=True))
    assert order[:2] == [scenes[1].pk, scenes[0].pk]
    scene_delete(scene=Scene.objects.get(pk=scenes[1].pk))
    assert list(video.scenes.values_list("position", flat=True)) == list(range(len(scenes) - 1))


def test_the_last_scene_cannot_be_deleted(make_video, owner):
    video = make_video(owner, script="Only one sentence.")
    with pytest.raises(Conflict):
        scene_delete(scene=video.scenes.get())
    assert video.scenes.count() == 1
