"""The "words" caption style through the services: the storyboard stores each phrase's word
times from the voice, the render's inputs burn one image per word at those times and its
WebVTT carries them; the API takes the style (202, the storyboard job queued)."""

from __future__ import annotations

from core.testing import token_client
from mediakit.captions import to_vtt
from mediakit.phrases import caption_words
from mediakit.timeline import plan
from videos.models import Video
from videos.services.render import _render_inputs


def test_a_words_storyboard_keeps_word_times_for_the_burned_captions_and_the_vtt(make_video, owner, tmp_path) -> None:
    # espeak-ng: quick, and it is the voice whose word times come from its own pauses.
    video = make_video(owner, aspect="9:16", caption_style="words", voice="en-us")
    scenes = list(video.scenes.order_by("position"))
    for scene in scenes:
        for text, start, end, words in scene.narration_phrases:
            assert [word for word, _at in words] == [token for token, _space in caption_words(text)]
            times = [at for _word, at in words]
            assert times == sorted(times) and start <= times[0] < end and times[-1] < end
    spec = _render_inputs(video, tmp_path)
    for scene, scene_spec in zip(scenes, spec.scenes, strict=True):
        # One burned-in image per word, each from its word's time (the first with its phrase).
        assert [[at for _image, at in frames] for frames in scene_spec.caption_frames] == [
            [start] + [at for _word, at in words[1:]] for _text, start, _end, words in scene.narration_phrases
        ]
    vtt = to_vtt(plan(spec).cues)
    words = sum(len(p[3]) for scene in scenes for p in scene.narration_phrases)
    assert vtt.count("<00:") == words, vtt


def test_the_api_takes_the_words_style(owner) -> None:
    response = token_client(owner).post(
        "/api/v1/videos",
        {"title": "Bridge", "script": "The bridge opened today.", "caption_style": "words"},
        format="json",
    )
    assert response.status_code == 202, response.content
    assert response.json()["video"]["caption_style"] == "words"
    assert Video.objects.get(code=response.json()["video"]["code"]).caption_style == Video.CaptionStyle.WORDS
