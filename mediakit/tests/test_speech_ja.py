"""Japanese narration with kanji: the Kokoro voice really runs (a short line, ~4 s with the
model load) and its sound and word times are measured."""

from __future__ import annotations

import math
import subprocess
from array import array

import pytest

from mediakit import speech, speech_ja
from mediakit.speech import DEFAULT_VOICE, SAMPLE_RATE, read_wav, synthesize_narration, window_rms
from mediakit.speech_ja import char_starts

LINE = "東京は日本の首都です。"


@pytest.fixture(scope="module")
def narration(tmp_path_factory: pytest.TempPathFactory) -> speech.Narration:
    # The video's voice is the English default: the Japanese line goes to the Japanese voice.
    return synthesize_narration(
        phrases=[LINE], voice=DEFAULT_VOICE, rate_wpm=165, out_dir=tmp_path_factory.mktemp("ja")
    )


def test_a_kanji_line_is_spoken_by_the_japanese_neural_voice(narration: speech.Narration) -> None:
    assert narration.voices == ("ja_JP-kokoro-alpha",)
    assert narration.warnings == ()
    # Ten characters said at a natural pace (the model's own pace was 1.3-1.7 s trimmed).
    assert 1000 <= narration.duration_ms <= 3000, narration.duration_ms


def test_the_line_is_sound_from_end_to_end_at_the_common_speech_level(narration: speech.Narration) -> None:
    samples, rate = read_wav(narration.wav_path)
    assert rate == SAMPLE_RATE
    levels = window_rms(samples, rate)
    loud = sum(1 for level in levels if level > speech.SILENCE_RMS)
    assert loud >= 0.8 * len(levels), (loud, len(levels))
    rms_db = 20 * math.log10(speech.active_rms(samples, rate) / 32768)
    peak_db = 20 * math.log10(max(map(abs, samples)) / 32768)
    assert abs(rms_db - speech.TARGET_RMS_DBFS) <= 1.0 or peak_db >= speech.PEAK_CEILING_DBFS - 0.1
    assert peak_db <= speech.PEAK_CEILING_DBFS + 0.05
    # FFmpeg finds no silence of 250 ms or more anywhere in it.
    report = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(narration.wav_path), "-af",
         "silencedetect=n=-40dB:d=0.25", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    assert "silence_start" not in report


def test_each_character_starts_when_the_model_says_it(narration: speech.Narration) -> None:
    ((_, start, end),) = narration.phrases
    (words,) = narration.words
    assert [token for token, _ in words] == ["東", "京", "は", "日", "本", "の", "首", "都", "で", "す。"]
    starts = [at for _, at in words]
    assert starts[0] <= start + 40
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert starts[-1] < end - 80  # "す" is said before the line's sound ends
    samples, rate = read_wav(narration.wav_path)
    # Every character starts on sound (within 30 ms), not in a pause.
    for token, at in words:
        window = samples[max(0, (at - 30) * rate // 1000) : (at + 30) * rate // 1000]
        assert max(map(abs, window)) > 32768 * 10 ** (-40 / 20), token


def test_numbers_are_read_with_their_counters(narration: speech.Narration) -> None:
    # The program is already running (the narration above); nothing is synthesised.
    reading = speech_ja.phonemes("3月3日、1.5キロ。25%です。")
    assert "saŋɡaʦɨ mʲiʔka" in reading  # さんがつ みっか, not "san tsuki san nichi"
    assert "iʔteɴ ɡo kʲiɾo" in reading  # いってんご キロ: one sentence, not two
    assert "paːsento" in reading


def test_characters_share_their_words_phonemes() -> None:
    # です = d e s ɨ: す starts at "s", however long the final vowel is.
    assert char_starts([("東京", 4), ("です", 4)], [0, 10, 20, 30, 40, 50, 60, 400]) == [
        ("東", 0),
        ("京", 20),
        ("で", 40),
        ("す", 60),
    ]
    # Punctuation says nothing; counts that disagree with the phonemes are scaled.
    assert char_starts([("は", 2), ("。", 1)], [0, 5, 9, 12, 15, 18]) == [("は", 0)]
    assert char_starts([], [0, 1]) == []


def test_kanji_go_to_the_neural_voice_in_a_video_set_to_espeak_japanese() -> None:
    # espeak-ng's Japanese voice would name each kanji ("Chinese letter") instead of reading it.
    (plan,) = speech._plan(["人工知能は漢字です。"], speech.VOICES["ja"])
    assert [segment.voice.id for segment in plan.segments] == ["ja_JP-kokoro-alpha"]
    assert plan.warnings == []


def test_kanji_alone_are_japanese_in_a_japanese_narration() -> None:
    # Without kana the script alone would say Chinese (and the Mandarin voice).
    (plan,) = speech._plan(["人工知能。"], speech.VOICES["ja_JP-kokoro-kumo"])
    assert [segment.voice.id for segment in plan.segments] == ["ja_JP-kokoro-kumo"]
    (english,) = speech._plan(["人工知能。"], speech.VOICES[DEFAULT_VOICE])
    assert [segment.voice.id for segment in english.segments] == ["cmn-latn-pinyin"]


def test_a_word_after_a_pause_starts_when_the_sound_comes_back() -> None:
    rate = SAMPLE_RATE
    tone = array("h", [6000 if (i // 20) % 2 else -6000 for i in range(rate * 3 // 10)])
    samples = tone + array("h", bytes(2 * (rate // 5))) + tone  # sound, 200 ms pause, sound
    onset = 500  # ms
    words = [("で", 0), ("、", 280), ("世", onset + 60), ("界", onset + 160)]
    assert speech._snapped_to_onsets(words, samples) == [("で", 0), ("、", 280), ("世", onset), ("界", onset + 160)]
