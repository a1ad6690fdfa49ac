"""Word starts from the voice itself, against the speech onsets measured on the narration:
every word said after a pause (a comma, a full stop between phrases) starts within 60 ms of
the sound coming back, the median within 30 ms (piper's alignments; espeak-ng's pauses)."""

from __future__ import annotations

from pathlib import Path
from statistics import median

import pytest

from mediakit import speech

# Plain words only: each caption word is one spoken word, so every onset has its word.
SCRIPTS = (
    ["Red, green, blue, and yellow paint covered the walls."],
    ["First we wait.", "Then, at dawn, the boats go out to sea."],
    ["Bread, cheese, apples, and cold water", "were all the keeper had that winter."],
)
PAUSE_MS = 100  # silence before an onset: a pause, not a stop consonant's closure
WINDOW_MS = 5


def _onsets_after_pauses(path: Path) -> list[float]:
    samples, rate = speech.read_wav(path)
    size = rate * WINDOW_MS // 1000
    quiet = [max(map(abs, samples[i : i + size]), default=0) < speech.QUIET_PEAK for i in range(0, len(samples), size)]
    onsets, run = [], 0
    for index, is_quiet in enumerate(quiet):
        if is_quiet:
            run += 1
            continue
        if run * WINDOW_MS >= PAUSE_MS:
            sample = index * size
            while sample < len(samples) and abs(samples[sample]) < speech.QUIET_PEAK:
                sample += 1
            onsets.append(sample * 1000 / rate)
        run = 0
    return onsets


def _words_after_pauses(narration: speech.Narration) -> list[tuple[str, int]]:
    """The words said after punctuation or at a phrase's start (the narration's first aside)."""
    out = []
    previous = ""
    for words in narration.words:
        for index, (word, at) in enumerate(words):
            if previous and (index == 0 or previous.endswith((",", ".", ";", ":"))):
                out.append((word, at))
            previous = word
    return out


@pytest.mark.parametrize("voice", [speech.DEFAULT_VOICE, "en-us"])
def test_words_after_pauses_start_when_the_speech_does(tmp_path: Path, voice: str) -> None:
    narrations = speech.synthesize_narrations(scenes=SCRIPTS, voice=voice, rate_wpm=165, out_dir=tmp_path)
    errors = []
    for narration in narrations:
        starts = [at for words in narration.words for _word, at in words]
        assert len(starts) == sum(len(text.split()) for text, _s, _e in narration.phrases)
        assert starts == sorted(starts)
        onsets = _onsets_after_pauses(narration.wav_path)
        for word, at in _words_after_pauses(narration):
            errors.append((min(abs(at - onset) for onset in onsets), word))
    assert len(errors) == 10  # 3 + 3 + 4 words after a pause
    assert median(e for e, _ in errors) <= 30, errors
    assert max(e for e, _ in errors) <= 60, errors
