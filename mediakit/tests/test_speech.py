"""Narration from phrases: real piper and espeak-ng runs, measured (never listened to)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import wave
from array import array
from pathlib import Path

import pytest

from mediakit import speech
from mediakit.speech import (
    DEFAULT_VOICE,
    SAMPLE_RATE,
    VOICES,
    SpeechError,
    pause_after,
    read_wav,
    speech_bounds,
    synthesize_narration,
    trim,
    window_rms,
)

PHRASES = [
    "The keeper climbed the stairs,",
    "and the light came on.",
    "It cost $4.2 million.",
]


@pytest.fixture(scope="module")
def narration(tmp_path_factory: pytest.TempPathFactory) -> speech.Narration:
    return synthesize_narration(
        phrases=PHRASES, voice=DEFAULT_VOICE, rate_wpm=165, out_dir=tmp_path_factory.mktemp("narration")
    )


def _probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)


def _rms(samples: array) -> float:
    return (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5


def test_the_default_voice_is_the_neural_piper_voice(narration: speech.Narration) -> None:
    voice = VOICES[DEFAULT_VOICE]
    assert voice.engine == "piper"
    assert voice.id == "en_US-joe-medium"
    assert list(VOICES)[0] == DEFAULT_VOICE  # listed first in forms
    assert narration.voices == (DEFAULT_VOICE,) * 3
    assert narration.warnings == ()


def test_existing_espeak_ids_stay_valid() -> None:
    listed = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout
    names = {line.split()[1] for line in listed.splitlines()[1:]}
    for vid in ("en-us", "en-gb"):
        assert VOICES[vid].engine == "espeak-ng"
    for voice in VOICES.values():
        if voice.engine == "espeak-ng":
            assert voice.name.split("+")[0] in names, voice.name


def test_the_wav_is_22050_hz_mono_and_as_long_as_reported(narration: speech.Narration) -> None:
    info = _probe(narration.wav_path)
    (stream,) = info["streams"]
    assert stream["codec_name"] == "pcm_s16le"
    assert int(stream["sample_rate"]) == SAMPLE_RATE == narration.sample_rate
    assert stream["channels"] == 1
    assert abs(float(info["format"]["duration"]) * 1000 - narration.duration_ms) <= 1


def test_phrases_are_in_order_and_fill_the_wav_from_first_word_to_last(narration: speech.Narration) -> None:
    texts = [text for text, _, _ in narration.phrases]
    assert texts == PHRASES  # the script's text, not the normalised words
    assert narration.phrases[0][1] == 0
    assert narration.phrases[-1][2] == narration.duration_ms
    for (_, start, end), (_, next_start, _) in zip(narration.phrases, narration.phrases[1:], strict=False):
        assert start < end < next_start


def test_every_word_starts_and_ends_with_its_phrase(narration: speech.Narration) -> None:
    samples, rate = read_wav(narration.wav_path)
    for text, start, end in narration.phrases:
        segment = samples[start * rate // 1000 : end * rate // 1000]
        bounds = speech_bounds(segment, rate)
        assert bounds is not None, text
        onset_ms, offset_ms = bounds[0] * 1000 // rate, (len(segment) - bounds[1]) * 1000 // rate
        # Only the pads are left around the speech (plus two windows: ours and the trimmer's
        # grids need not line up).
        assert onset_ms <= speech.LEAD_PAD_MS + 2 * speech.WINDOW_MS, (text, onset_ms)
        assert offset_ms <= speech.TAIL_PAD_MS + 2 * speech.WINDOW_MS, (text, offset_ms)
        # And the speech in the middle is loud: about -20 dBFS RMS for piper, far above silence.
        assert _rms(segment) > 20 * speech.SILENCE_RMS


def test_the_gaps_are_silence_of_the_planned_length(narration: speech.Narration) -> None:
    samples, rate = read_wav(narration.wav_path)
    gaps = []
    for (text, _, end), (_, next_start, _) in zip(narration.phrases, narration.phrases[1:], strict=False):
        # end_ms is rounded down: start one millisecond later to stay clear of the last sample.
        gap = samples[(end + 1) * rate // 1000 : next_start * rate // 1000]
        assert max(map(abs, gap)) == 0  # digital silence
        gaps.append(next_start - end)
        assert abs((next_start - end) - pause_after(text, 165)) <= 2
    assert gaps[1] > gaps[0]  # after a sentence longer than after a comma
    # FFmpeg agrees: a silence of 200 ms or more at every join, and nowhere else (piper's own
    # pauses inside a phrase are shortened to MAX_INNER_PAUSE_MS).
    report = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-i",
            str(narration.wav_path),
            "-af",
            "silencedetect=n=-40dB:d=0.2",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    starts = [float(v) * 1000 for v in re.findall(r"silence_start: ([\d.]+)", report)]
    ends = [float(v) * 1000 for v in re.findall(r"silence_end: ([\d.]+)", report)]
    assert len(starts) == len(narration.phrases) - 1
    for (_, _, end), (_, next_start, _) in zip(narration.phrases, narration.phrases[1:], strict=False):
        assert any(s <= end + 5 and e >= next_start - 5 for s, e in zip(starts, ends, strict=False)), (end, next_start)


def test_long_pauses_inside_a_phrase_are_shortened() -> None:
    rate = SAMPLE_RATE
    tone = array("h", [8000 if (i // 20) % 2 else -8000 for i in range(rate // 4)])
    gap = array("h", bytes(2 * rate // 2))  # 500 ms
    shortened = speech.shorten_pauses(tone + gap + tone, rate)
    window = rate * speech.WINDOW_MS // 1000  # quiet is found window by window
    assert abs(len(shortened) - (2 * len(tone) + rate * speech.MAX_INNER_PAUSE_MS // 1000)) <= 2 * window
    assert (
        speech.shorten_pauses(tone + array("h", bytes(2 * rate // 10)) + tone, rate)
        == tone + array("h", bytes(2 * rate // 10)) + tone
    )  # 100 ms: left alone


def test_piper_is_slower_at_a_lower_rate(tmp_path: Path) -> None:
    slow = synthesize_narration(
        phrases=["A slow and steady voice."], voice=DEFAULT_VOICE, rate_wpm=110, out_dir=tmp_path
    )
    fast = synthesize_narration(
        phrases=["A slow and steady voice."], voice=DEFAULT_VOICE, rate_wpm=220, out_dir=tmp_path
    )
    assert slow.duration_ms > 1.5 * fast.duration_ms


def test_rate_maps_to_length_scale() -> None:
    voice = VOICES[DEFAULT_VOICE]
    assert speech.length_scale(voice, voice.natural_wpm) == 1.0
    assert speech.length_scale(voice, voice.natural_wpm // 2) == pytest.approx(2.0, abs=0.01)


def test_another_language_goes_to_an_espeak_voice_that_has_it(tmp_path: Path) -> None:
    result = synthesize_narration(
        phrases=["Der Hund ist sehr müde und schläft.", "你好世界。", "Привет, как дела?"],
        voice="en-us",
        rate_wpm=165,
        out_dir=tmp_path,
    )
    assert result.voices == ("de", "cmn-latn-pinyin", "ru")
    assert result.warnings == ()
    samples, rate = read_wav(result.wav_path)
    for text, start, end in result.phrases:
        assert _rms(samples[start * rate // 1000 : end * rate // 1000]) > 10 * speech.SILENCE_RMS, text


def test_voices_are_levelled_to_one_speech_level(tmp_path: Path) -> None:
    result = synthesize_narration(
        phrases=["The keeper climbed the stairs at dusk.", "Le phare est magnifique.", "Добро пожаловать на маяк."],
        voice=DEFAULT_VOICE,
        rate_wpm=165,
        out_dir=tmp_path,
    )
    assert result.voices == (DEFAULT_VOICE, "fr-fr", "ru")
    samples, rate = read_wav(result.wav_path)
    for text, start, end in result.phrases:
        segment = samples[start * rate // 1000 : end * rate // 1000]
        rms_db = 20 * math.log10(speech.active_rms(segment, rate) / 32768)
        peak_db = 20 * math.log10(max(map(abs, segment)) / 32768)
        assert abs(rms_db - speech.TARGET_RMS_DBFS) <= 1.0 or peak_db >= speech.PEAK_CEILING_DBFS - 0.1, text
        assert peak_db <= speech.PEAK_CEILING_DBFS + 0.05, text


def test_characters_no_voice_reads_stay_silent_with_a_warning(tmp_path: Path) -> None:
    # No installed voice speaks Punjabi (Gurmukhi); Japanese kanji are voiced (test_speech_ja).
    result = synthesize_narration(
        phrases=["Amritsar.", "ਸਤ ਸ੍ਰੀ ਅਕਾਲ ਜੀ।"], voice=DEFAULT_VOICE, rate_wpm=165, out_dir=tmp_path
    )
    assert result.voices == (DEFAULT_VOICE, "")
    assert len(result.warnings) == 1 and "shown but not spoken" in result.warnings[0]
    samples, rate = read_wav(result.wav_path)
    _, start, end = result.phrases[1]
    assert max(map(abs, samples[start * rate // 1000 : end * rate // 1000])) == 0
    assert end - start >= 1200  # still on screen long enough to read


def test_a_robotic_voice_still_works_alone(tmp_path: Path) -> None:
    result = synthesize_narration(phrases=["Hello there,", "general."], voice="en-gb", rate_wpm=200, out_dir=tmp_path)
    with wave.open(str(result.wav_path)) as wav:
        assert wav.getframerate() == SAMPLE_RATE
    assert result.voices == ("en-gb", "en-gb")


def test_trim_keeps_the_speech_and_its_pads() -> None:
    rate = SAMPLE_RATE
    tone = array("h", [8000 if (i // 20) % 2 else -8000 for i in range(rate // 2)])
    padded = array("h", bytes(2 * rate)) + tone + array("h", bytes(rate))
    trimmed = trim(padded, rate)
    expected = len(tone) + rate * (speech.LEAD_PAD_MS + speech.TAIL_PAD_MS) // 1000
    assert abs(len(trimmed) - expected) <= rate * speech.WINDOW_MS // 1000
    assert len(trim(array("h", bytes(2000)), rate)) == 0
    assert max(window_rms(trimmed, rate)) > 7000


def test_bad_requests_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SpeechError):
        synthesize_narration(phrases=["x"], voice="nope", rate_wpm=165, out_dir=tmp_path)
    with pytest.raises(SpeechError):
        synthesize_narration(phrases=["x"], voice=DEFAULT_VOICE, rate_wpm=20, out_dir=tmp_path)
    with pytest.raises(SpeechError):
        synthesize_narration(phrases=["  "], voice=DEFAULT_VOICE, rate_wpm=165, out_dir=tmp_path)


def test_a_word_in_another_script_inside_a_phrase_is_spoken_by_its_own_voice(tmp_path: Path) -> None:
    # The neural English voice would name each character ("Chinese letter"); the run goes to
    # the Mandarin voice instead and is joined into the phrase after a short gap.
    result = synthesize_narration(
        phrases=["The word 東京 means eastern capital."], voice=DEFAULT_VOICE, rate_wpm=165, out_dir=tmp_path
    )
    assert result.voices == (f"{DEFAULT_VOICE}+cmn-latn-pinyin",)
    assert result.warnings == ()
    samples, rate = read_wav(result.wav_path)
    # Three runs, two joins: each join is a silence of at least the segment gap.
    levels = window_rms(samples, rate)
    quiet = [level <= speech.SILENCE_RMS for level in levels]
    runs_of_quiet = sum(1 for i in range(1, len(quiet)) if quiet[i] and not quiet[i - 1])
    assert runs_of_quiet >= 2


def test_several_scenes_share_one_piper_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = speech.piper_synthesize

    def counting(*args, **kwargs):
        calls.append(len(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(speech, "piper_synthesize", counting)
    first, second = speech.synthesize_narrations(
        scenes=[["The tide came in."], ["The tide went out,", "and the gulls came back."]],
        voice=DEFAULT_VOICE,
        rate_wpm=165,
        out_dir=tmp_path,
    )
    assert calls == [3]  # one process, one model load, three phrases
    assert first.wav_path != second.wav_path
    assert [len(first.phrases), len(second.phrases)] == [1, 2]
    for narration in (first, second):
        assert narration.phrases[0][1] == 0 and narration.phrases[-1][2] == narration.duration_ms
        with wave.open(str(narration.wav_path)) as wav:
            assert abs(wav.getnframes() * 1000 // wav.getframerate() - narration.duration_ms) <= 1


def test_the_piper_program_is_started_once_per_process_and_restarted_if_it_died(tmp_path: Path) -> None:
    # Loading and patching the model costs ~1.9 s: one program serves every call.
    voice = VOICES[DEFAULT_VOICE]
    first = speech.piper_synthesize(voice, ["One lamp."], 165, tmp_path / "a")
    model, _ = speech._piper_model(voice.package, voice.name)
    server = speech._piper_servers[model]
    second = speech.piper_synthesize(voice, ["Two lamps."], 165, tmp_path / "b")
    assert speech._piper_servers[model] is server and server.process.poll() is None
    assert all(w.stat().st_size > 1000 for w in (*first, *second))
    # Killed under it (as when the thread that started it ends): a new one speaks.
    server.process.kill()
    server.process.wait()
    third = speech.piper_synthesize(voice, ["Three lamps."], 165, tmp_path / "c")
    assert third[0].stat().st_size > 1000
    assert speech._piper_servers[model] is not server
