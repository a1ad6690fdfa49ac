"""A creator's recording of the whole script (mediakit.voiceover), on a real recording made
here by espeak-ng at another pace than our narration, heard by the bundled Whisper model
(transcribed once for the module): scenes cut in the pauses between them, words after a
pause starting within 60 ms of the sound coming back, a recording of other words named
where it leaves the script."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from mediakit import voiceover

SCENES = [
    "The keeper climbs the stairs at dusk, and lights the lamp.",
    "Far below, the waves break on the rocks. Ships keep away.",
]
QUIET = 10 ** (-40 / 20)  # the onset measure of test_word_onsets.py: -40 dBFS after 100 ms below it
PAUSE_MS = 100
WINDOW_MS = 5


def _record(text: str, path: Path) -> tuple[voiceover.Samples, int]:
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "135", "-w", str(raw), text], check=True)
    return voiceover.read_wav(voiceover.decode_mono(raw, path, rate=voiceover.ANALYSIS_RATE))


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> tuple[voiceover.Samples, int, list[voiceover.HeardWord]]:
    samples, rate = _record(" ".join(SCENES), tmp_path_factory.mktemp("voiceover") / "take.wav")
    return samples, rate, voiceover.transcribe(samples)


def _onsets_after_pauses(samples: voiceover.Samples, rate: int) -> list[float]:
    size = rate * WINDOW_MS // 1000
    onsets, run = [], PAUSE_MS // WINDOW_MS
    for index in range(len(samples) // size):
        if float(np.abs(samples[index * size : (index + 1) * size]).max()) < QUIET:
            run += 1
            continue
        if run * WINDOW_MS >= PAUSE_MS:
            sample = index * size
            while abs(float(samples[sample])) < QUIET:
                sample += 1
            onsets.append(sample * 1000 / rate)
        run = 0
    return onsets


def test_words_after_a_pause_start_within_60_ms_of_the_sound(recording) -> None:
    samples, rate, heard = recording
    pieces = voiceover.plan_voiceover(scenes=SCENES, samples=samples, rate=rate, heard=heard)

    onsets = _onsets_after_pauses(samples, rate)
    words = [word for piece in pieces for word in piece.words]
    # Said after a comma or a full stop, or first: keeper's "The", "and", "Far", "the", "Ships".
    after_pause = [words[i] for i in (0, 7, 11, 13, 19)]
    assert [w for w, _ in after_pause] == ["the", "and", "far", "the", "ships"]
    errors = {word: min(abs(at - onset) for onset in onsets) for word, at in after_pause}
    assert max(errors.values()) <= 60, errors
    starts = [at for _, at in words]
    assert starts == sorted(starts)


def test_scenes_are_cut_in_the_pause_between_them_with_their_captions(recording) -> None:
    samples, rate, heard = recording
    first, second = voiceover.plan_voiceover(scenes=SCENES, samples=samples, rate=rate, heard=heard)

    assert first.end_ms == second.start_ms
    cut = first.end_ms * rate // 1000
    # The cut falls in silence, before the second scene's first word.
    assert float(np.abs(samples[cut - 160 : cut + 160]).max()) < QUIET
    assert first.end_ms <= second.words[0][1]
    # Captions: the scene's words, timed from the piece's own start, inside it.
    text, start, end, timed = second.phrases[0]
    assert text.startswith("Far below")
    assert timed[0] == ("Far", second.words[0][1] - second.start_ms)
    assert 0 <= start < end <= second.end_ms - second.start_ms


def test_a_recording_of_other_words_names_the_scene_where_it_diverges(tmp_path: Path, recording) -> None:
    samples, rate, heard = recording
    other = [*SCENES, "The market opens at nine and the bakers sell warm bread to the early crowd."]

    with pytest.raises(voiceover.VoiceoverMismatch) as caught:
        voiceover.plan_voiceover(scenes=other, samples=samples, rate=rate, heard=heard)

    assert caught.value.scene == 3
    assert str(caught.value).startswith(
        "The recording diverges from the script at scene 3: “the market opens at nine and the bakers …” was not heard"
    )


def test_a_silent_recording_is_refused_before_it_is_heard() -> None:
    silence = np.zeros(voiceover.ANALYSIS_RATE * 2, dtype=np.float32)

    with pytest.raises(voiceover.VoiceoverSilent, match="The recording is silent"):
        voiceover.plan_voiceover(scenes=SCENES, samples=silence, rate=voiceover.ANALYSIS_RATE, hear=pytest.fail)


@pytest.mark.parametrize("owner", [[0, 0, 0, 1], [0, 1, 1, 1]])
def test_a_pause_is_put_where_the_script_ends_a_clause(owner: list[int]) -> None:
    # "... night without fail. The keeper": Whisper's times put "The" before the pause, or
    # "fail." after it; the stretch changes after "fail." all the same.
    clause_ends = voiceover._clause_ends("without fail. The keeper", 4)
    assert clause_ends == [False, True, False, False]

    voiceover._boundaries_at_clause_ends(owner, clause_ends)

    assert owner == [0, 0, 1, 1]
