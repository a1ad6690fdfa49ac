"""videos.services.video_use_voiceover: one recording narrates the whole storyboard, each
scene its own stretch of it with captions timed to its words; a recording that is silent,
not sound at all, of other words, too big or too long is refused and leaves nothing stored."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from assets.models import MediaAsset
from assets.tests.media_files import named, upload
from videos.models import Scene, Video
from videos.services import video_use_voiceover

SCRIPT = "The keeper climbs the stairs at dusk, and lights the lamp. Far below, the waves break on the rocks."


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("voiceovers")
    made = {}
    for name, text in {
        "take.wav": SCRIPT,
        "other.wav": "The market opens at nine and the bakers sell warm bread.",
    }.items():
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(folder / name), text], check=True)
        made[name] = folder / name
    silent = folder / "silent.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", "3", str(silent)], check=True
    )
    made["silent.wav"] = silent
    return made


@pytest.fixture
def video(owner, make_video, piper_cached):
    """A storyboard made by its job: narrated by synthesised speech, which the voiceover replaces."""
    video = make_video(owner, script=SCRIPT)
    assert video.scenes.count() == 2
    return video


@pytest.fixture
def bare_video(owner) -> Video:
    """Two scenes written directly (the refusals need only their words; no storyboard job)."""
    video = Video.objects.create(owner=owner, title="Lighthouse", script=SCRIPT)
    for position, sentence in enumerate(SCRIPT.split(". ")):
        Scene.objects.create(video=video, position=position, narration=sentence, visual_prompt="lighthouse")
    return video


def _stored(media_root: Path) -> tuple[int, set[str]]:
    return MediaAsset.objects.count(), {str(p) for p in media_root.rglob("*") if p.is_file()}


def test_a_recording_narrates_each_scene_with_its_stretch_and_timed_words(video, recordings):
    speech = list(video.scenes.values_list("narration_audio__file", flat=True))

    video_use_voiceover(video=video, upload=upload(recordings["take.wav"]))

    first, second = video.scenes.order_by("position")
    for scene in (first, second):
        assert scene.narration_source == Scene.NarrationSource.UPLOAD
        assert scene.narration_audio.generator == "voiceover"
        assert scene.narration_ms == scene.narration_audio.duration_ms > 1000
    # The synthesised speech it replaces is gone from storage.
    assert not any(default_storage.exists(name) for name in speech)
    # The pieces are the recording, cut once, in the pause between the scenes.
    recording = MediaAsset.objects.get(owner=video.owner, source=MediaAsset.Source.UPLOADED)
    assert recording.duration_ms - 400 <= first.narration_ms + second.narration_ms <= recording.duration_ms
    text, start, end, words = second.narration_phrases[0]
    assert text.startswith("Far below")
    assert [w for w, _ in words][:2] == ["Far", "below,"]
    assert 0 <= start == words[0][1] < words[1][1] < end <= second.narration_ms


REFUSALS = {
    "other.wav": "The recording diverges from the script at scene 1: “keeper climbs the stairs at dusk” was not heard",
    "silent.wav": "The recording is silent",
    "notes.wav": "That file is text, not a picture, clip or sound; nothing was stored.",
}


# The upload limits are the site's own (assets.services), set low here for the take.
LIMITS = {
    "CONTENTIZER_UPLOAD_MAX_BYTES": ("The file is ", 100_000),
    "CONTENTIZER_UPLOAD_MAX_SECONDS": ("The sound lasts 0.1 min; the limit is", 3),
}


def test_a_refused_recording_leaves_nothing_stored(bare_video, recordings, media_root, settings):
    video = bare_video
    before = _stored(media_root)
    scenes_before = list(video.scenes.values_list("narration_audio_id", "narration_source", "narration_phrases"))
    cases = [(name, message, None) for name, message in REFUSALS.items()]
    cases += [("take.wav", message, (setting, value)) for setting, (message, value) in LIMITS.items()]
    for name, message, limit in cases:
        file = upload(recordings[name]) if name in recordings else named(b"my voiceover notes\n", name)
        saved = {key: getattr(settings, key) for key in LIMITS}
        if limit:
            setattr(settings, *limit)

        with pytest.raises(ValidationError) as caught:
            video_use_voiceover(video=video, upload=file)

        for key, value in saved.items():
            setattr(settings, key, value)
        assert caught.value.message_dict["voiceover"][0].startswith(message), caught.value.message_dict
        assert _stored(media_root) == before, name
        assert list(video.scenes.values_list("narration_audio_id", "narration_source", "narration_phrases")) == (
            scenes_before
        )
