"""videos.services.scene_media: a scene's clip and recorded narration, from the creator's media or
the stock library; the approval is withdrawn; uploads survive, generated media does not."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from assets.models import MediaAsset
from assets.services import asset_ingest_upload
from assets.tests.media_files import upload
from mediakit.spec import scene_duration_for
from videos import services as scene_media
from videos.models import Scene, Video
from videos.services import scene_update, storyboard_approve


@pytest.fixture
def video(owner, make_video) -> Video:
    video = make_video(owner)
    return storyboard_approve(video=video, user=owner)


@pytest.fixture
def scene(video) -> Scene:
    return video.scenes.select_related("video").get(position=0)


def _asset(owner, media_files, name: str, **kw) -> MediaAsset:
    return asset_ingest_upload(owner=owner, upload=upload(media_files[name]), **kw)


def test_a_clip_of_mine_is_shown_in_the_scene_with_its_sound_mixed(owner, scene, media_files):
    clip = _asset(owner, media_files, "clip.mp4")

    scene_media.scene_use_clip(scene=scene, asset=clip, audio="mix")

    scene.refresh_from_db()
    assert (scene.clip_id, scene.clip_audio) == (clip.pk, "mix")
    assert scene.picture_id is not None  # the picture stays: poster and thumbnail
    assert Video.objects.get(pk=scene.video_id).approval == Video.Approval.NONE


def test_mixing_the_sound_of_a_silent_clip_is_refused(owner, scene, media_files):
    clip = _asset(owner, media_files, "silent.mp4")
    with pytest.raises(ValidationError) as caught:
        scene_media.scene_use_clip(scene=scene, asset=clip, audio="mix")
    assert caught.value.message_dict["clip_audio"] == ["That clip has no sound to mix in; choose “drop”."]
    scene.refresh_from_db()
    assert scene.clip_id is None


def test_a_strangers_clip_cannot_be_used(stranger, scene, media_files):
    theirs = _asset(stranger, media_files, "clip.mp4")
    with pytest.raises(ValidationError):
        scene_media.scene_use_clip(scene=scene, asset=theirs)
    scene.refresh_from_db()
    assert scene.clip_id is None


def test_a_stock_clip_can_be_used_by_any_creator(staff, scene, media_files):
    stock = _asset(staff, media_files, "clip.webm", source="stock", tags="sea")
    scene_media.scene_use_stock(scene=scene, asset=stock)
    scene.refresh_from_db()
    assert scene.clip_id == stock.pk


def test_an_uploaded_clip_with_mix_asked_but_no_sound_is_kept_with_its_sound_dropped(scene, media_files):
    scene_media.scene_upload_clip(scene=scene, upload=upload(media_files["silent.mp4"]), audio="mix")
    scene.refresh_from_db()
    assert (scene.clip.kind, scene.clip_audio) == ("video", "drop")


def test_removing_the_clip_keeps_the_file_in_my_media(owner, scene, media_files):
    clip = _asset(owner, media_files, "clip.mp4")
    scene_media.scene_use_clip(scene=scene, asset=clip)
    scene_media.scene_remove_clip(scene=scene)
    scene.refresh_from_db()
    assert scene.clip_id is None
    assert MediaAsset.objects.filter(pk=clip.pk).exists()


def test_a_recording_replaces_the_speech_and_the_scene_takes_its_length(owner, scene, media_files):
    speech = scene.narration_audio
    recording = _asset(owner, media_files, "sound.mp3")

    scene_media.scene_use_narration(scene=scene, asset=recording)

    scene.refresh_from_db()
    assert (scene.narration_audio_id, scene.narration_source) == (recording.pk, "upload")
    assert scene.narration_ms == recording.duration_ms
    assert scene.duration_ms == scene_duration_for(recording.duration_ms, transition_ms=500)
    assert not MediaAsset.objects.filter(pk=speech.pk).exists()  # generated speech is deleted


def test_editing_the_text_keeps_an_uploaded_recording(owner, scene, media_files):
    recording = _asset(owner, media_files, "sound.wav")
    scene_media.scene_use_narration(scene=scene, asset=recording)

    scene_update(scene=Scene.objects.get(pk=scene.pk), narration="New words for the caption.")

    scene.refresh_from_db()
    assert (scene.narration, scene.narration_audio_id) == ("New words for the caption.", recording.pk)


def test_going_back_to_speech_makes_new_speech_and_keeps_the_recording(
    owner, scene, media_files, django_capture_on_commit_callbacks
):
    recording = _asset(owner, media_files, "sound.wav")
    scene_media.scene_use_narration(scene=scene, asset=recording)

    with django_capture_on_commit_callbacks(execute=True):
        scene_media.scene_use_speech(scene=Scene.objects.select_related("video").get(pk=scene.pk))

    scene.refresh_from_db()
    assert scene.narration_source == "speech"
    assert scene.narration_audio.source == "generated" and scene.narration_audio.generator == "piper"
    assert MediaAsset.objects.filter(pk=recording.pk).exists()


def test_a_clip_is_not_a_recording(owner, scene, media_files):
    with pytest.raises(ValidationError) as caught:
        scene_media.scene_upload_narration(scene=scene, upload=upload(media_files["clip.mp4"]))
    assert "This needs a sound file (MP3, WAV or M4A), but that file is a video clip." in str(caught.value)
    assert not MediaAsset.objects.filter(kind="video").exists()
