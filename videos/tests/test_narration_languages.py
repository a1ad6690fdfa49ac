"""A script line no installed voice can read (Japanese kanji: espeak-ng's Japanese reads kana
only) is shown in the captions, left silent in the narration (never spelled out character by
character) and leaves a visible warning on its scene."""

from __future__ import annotations

from django.urls import reverse

from mediakit.speech import DEFAULT_VOICE, read_wav

SCRIPT = "The keeper waved to the visitors from the top of the tower.\n\n東京は日本の首都です。"


def test_kanji_are_shown_not_spoken_and_the_scene_says_so(client, owner, make_video) -> None:
    video = make_video(owner, script=SCRIPT, title="Tokyo")
    scenes = list(video.scenes.order_by("position"))
    japanese = [s for s in scenes if "東京" in s.narration]
    assert len(japanese) == 1
    scene = japanese[0]
    assert "Japanese" in scene.warning and "shown but not spoken" in scene.warning, scene.warning
    # The phrase keeps its cue (the caption shows it) over a silent stretch of the narration.
    phrases = [p for p in scene.narration_phrases if "東京" in p[0]]
    assert len(phrases) == 1
    _, start_ms, end_ms, *_words = phrases[0]
    assert end_ms - start_ms >= 1200
    samples, rate = read_wav(scene.narration_audio.file.path)
    assert max(map(abs, samples[start_ms * rate // 1000 : end_ms * rate // 1000])) == 0
    # The English line is spoken (by the neural voice), whichever scene it landed in.
    spoken = [(s, p) for s in scenes for p in s.narration_phrases if "keeper" in p[0]]
    assert len(spoken) == 1
    english, (_, start_ms, end_ms, *_words) = spoken[0]
    samples, rate = read_wav(english.narration_audio.file.path)
    assert max(map(abs, samples[start_ms * rate // 1000 : end_ms * rate // 1000])) > 8000
    assert video.voice == DEFAULT_VOICE

    client.force_login(owner)
    page = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()
    assert 'data-testid="scene-warning"' in page
    assert "is shown but not spoken" in page
