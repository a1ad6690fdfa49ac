"""Japanese with kanji is spoken by the Japanese neural voice (Kokoro), whatever the video's
voice; a script line no installed voice can read (Punjabi) is shown in the captions, left
silent in the narration (never spelled out character by character) and leaves a visible
warning on its scene."""

from __future__ import annotations

from django.urls import reverse

from mediakit.speech import DEFAULT_VOICE, read_wav

SCRIPT = "The keeper waved to the visitors from the top of the tower.\n\n東京は日本の首都です。\n\nਸਤ ਸ੍ਰੀ ਅਕਾਲ ਜੀ।"


def _phrase(scenes, needle):
    found = [(s, p) for s in scenes for p in s.narration_phrases if needle in p[0]]
    assert len(found) == 1, found
    return found[0]


def test_kanji_are_spoken_and_only_an_unreadable_line_warns(client, owner, make_video) -> None:
    video = make_video(owner, script=SCRIPT, title="Tokyo")
    scenes = list(video.scenes.order_by("position"))
    assert video.voice == DEFAULT_VOICE

    # The Japanese line: sound under its whole cue, no warning about it.
    scene, (_, start_ms, end_ms, *_words) = _phrase(scenes, "東京")
    assert "東京" not in scene.warning and "Japanese" not in scene.warning, scene.warning
    samples, rate = read_wav(scene.narration_audio.file.path)
    assert max(map(abs, samples[start_ms * rate // 1000 : end_ms * rate // 1000])) > 8000
    assert end_ms - start_ms >= 1000

    # The Punjabi line keeps its cue (the caption shows it) over a silent stretch.
    scene, (_, start_ms, end_ms, *_words) = _phrase(scenes, "ਸਤ")
    assert "shown but not spoken" in scene.warning, scene.warning
    assert end_ms - start_ms >= 1200
    samples, rate = read_wav(scene.narration_audio.file.path)
    assert max(map(abs, samples[start_ms * rate // 1000 : end_ms * rate // 1000])) == 0

    # The English line is spoken (by the neural voice), whichever scene it landed in.
    english, (_, start_ms, end_ms, *_words) = _phrase(scenes, "keeper")
    samples, rate = read_wav(english.narration_audio.file.path)
    assert max(map(abs, samples[start_ms * rate // 1000 : end_ms * rate // 1000])) > 8000

    client.force_login(owner)
    page = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()
    assert page.count('data-testid="scene-warning"') == 1
    assert "is shown but not spoken" in page
