"""The music bed under the voice: planned ducking (no pumping), loops at musical boundaries,
fades with the video. Pure tests of the plan and the argv, and one real mix measured."""

from __future__ import annotations

import math
import subprocess
import wave
from array import array
from pathlib import Path

import pytest

from mediakit import audio_mix
from mediakit.spec import SceneSpec, StoryboardSpec
from mediakit.timeline import plan


def _scene(duration_ms: int, phrases: tuple[tuple[str, int, int], ...] = (), narration_ms: int = 0) -> SceneSpec:
    narrated = bool(narration_ms or phrases)
    return SceneSpec(
        picture="/in/p.png",
        duration_ms=duration_ms,
        narration="/in/voice.wav" if narrated else None,
        narration_ms=narration_ms or (phrases[-1][2] if phrases else 0),
        caption_text="words",
        phrases=phrases,
    )


def _spec(*scenes: SceneSpec, music: str | None = "/in/music.opus", **options) -> StoryboardSpec:
    return StoryboardSpec(scenes=scenes, width=320, height=180, fps=30, transition="cut", transition_ms=0,
                          music=music, **options)  # fmt: skip


def _evaluate(expression: str, t: float) -> float:
    """The value of one of our FFmpeg expressions at t, read by Python (if, lt, pow, + - * /)."""
    python = expression.replace("if(", "_if(").replace("lt(", "_lt(")
    return eval(python, {"_if": lambda c, a, b: a if c else b, "_lt": lambda a, b: a < b, "pow": pow, "t": t})


# --- the plan ----------------------------------------------------------------------------


def test_pauses_shorter_than_the_hold_keep_one_passage_of_speech() -> None:
    phrases = (("One,", 0, 900), ("two.", 1300, 2000), ("Three.", 3100, 3800))
    spec = _spec(_scene(5000, phrases))
    # 400 ms pause: held; 1100 ms pause: the bed may come back.
    assert audio_mix.speech_spans(spec, plan(spec)) == [(250, 2250), (3350, 4050)]


def test_pauses_between_scenes_are_held_like_pauses_between_phrases() -> None:
    spec = _spec(_scene(2000, narration_ms=1200), _scene(2000, narration_ms=1200))
    # The first narration ends at 1450 ms, the second starts at 2250 ms: 800 ms apart.
    assert audio_mix.speech_spans(spec, plan(spec)) == [(250, 3450)]


def test_a_narration_without_phrases_is_speech_from_start_to_end() -> None:
    spec = _spec(_scene(4000, narration_ms=3000))
    assert audio_mix.speech_spans(spec, plan(spec)) == [(250, 3250)]


def test_the_bed_is_down_when_the_first_word_starts_and_back_after_the_last() -> None:
    phrases = (("One.", 0, 1000), ("Two.", 3000, 4000))
    spec = _spec(_scene(6000, phrases))
    points = audio_mix.duck_points(spec, plan(spec))
    expression = audio_mix._piecewise_linear(points)
    duck, attack, release = audio_mix.DUCK_DB, audio_mix.DUCK_ATTACK_MS / 1000, audio_mix.DUCK_RELEASE_MS / 1000
    # Speech 0.25-1.25 s and 3.25-4.25 s.
    assert _evaluate(expression, 0.25 - attack - 0.01) == 0
    assert _evaluate(expression, 0.25) == pytest.approx(duck)
    assert _evaluate(expression, 1.25) == pytest.approx(duck)
    assert _evaluate(expression, 1.25 + release / 2) == pytest.approx(duck / 2)
    assert _evaluate(expression, 2.2) == 0
    assert _evaluate(expression, 3.25 - attack / 2) == pytest.approx(duck / 2)
    assert _evaluate(expression, 3.5) == pytest.approx(duck)
    assert _evaluate(expression, 5.9) == 0


def test_a_gap_just_over_the_hold_goes_down_again_from_where_the_release_got_to() -> None:
    phrases = (("One.", 0, 1000), ("Two.", 2050, 3000))
    spec = _spec(_scene(4000, phrases))
    points = audio_mix.duck_points(spec, plan(spec))
    times = [t for t, _ in points]
    assert times == sorted(times)
    expression = audio_mix._piecewise_linear(points)
    # 1050 ms gap: release (600 ms) and attack (200 ms) fit, so the bed is fully up between them.
    assert _evaluate(expression, 1.25 + 0.6 + 0.1) == 0
    # Every value stays between 0 dB and the full duck.
    assert all(audio_mix.DUCK_DB <= _evaluate(expression, k / 100) <= 0 for k in range(0, 400))


def test_the_expression_is_a_balanced_tree_however_many_passages() -> None:
    scenes = [_scene(3000, narration_ms=500) for _ in range(200)]
    spec = _spec(*scenes)
    points = audio_mix.duck_points(spec, plan(spec))
    assert len(points) == 800
    expression = audio_mix._piecewise_linear(points)
    # Nesting depth grows with log2 of the points, not with their number.
    depth = max_depth = 0
    for char in expression:
        depth += char == "("
        depth -= char == ")"
        max_depth = max(max_depth, depth)
    assert max_depth <= 3 * math.ceil(math.log2(len(points) + 1)) + 4
    assert _evaluate(expression, 3000 * 100 / 1000 + 0.5) == pytest.approx(audio_mix.DUCK_DB)


# --- the argv ----------------------------------------------------------------------------


def _filters(argv: list[str]) -> str:
    return argv[argv.index("-filter_complex") + 1]


def test_a_track_that_loops_at_a_bar_repeats_one_crossfaded_cycle_until_the_video_ends() -> None:
    spec = _spec(_scene(20_000, narration_ms=3000), music_loop_ms=8000, music_crossfade_ms=500)
    argv = audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav")
    graph = _filters(argv)
    assert "-stream_loop" not in argv
    # The track to its loop point, then one 8 s cycle held and repeated (memory flat in the
    # video's length): the bar after the loop point fading into the start, then the rest.
    assert "asplit=4" in graph
    assert "atrim=end=8.000000:start=0.000000" in graph
    assert "atrim=end=8.500000:start=8.000000" in graph and "atrim=end=0.500000:start=0.000000" in graph
    assert "atrim=end=8.000000:start=0.500000" in graph
    assert graph.count("acrossfade=c1=tri:c2=tri:d=0.500000") == 1
    assert "aloop=loop=-1:size=384000" in graph


def test_a_video_shorter_than_the_loop_plays_the_track_once() -> None:
    spec = _spec(_scene(5000, narration_ms=3000), music_loop_ms=8000, music_crossfade_ms=500)
    graph = _filters(audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav"))
    assert "aloop" not in graph and "acrossfade" not in graph


def test_the_music_fades_in_and_out_with_the_last_scene() -> None:
    spec = _spec(_scene(10_000, narration_ms=3000), _scene(2000, narration_ms=1000))
    graph = _filters(audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav"))
    assert "afade=d=0.300:t=in" in graph
    # The last scene lasts 2 s (shorter than MUSIC_FADE_OUT_MS): the fade takes all of it.
    assert "afade=d=2.000:st=10.000000:t=out" in graph


def test_a_loop_needs_a_crossfade_shorter_than_itself() -> None:
    with pytest.raises(ValueError, match="music_crossfade_ms"):
        _spec(_scene(3000), music_loop_ms=1000, music_crossfade_ms=1000)


# --- a real mix, measured -----------------------------------------------------------------


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=60)


def _rms_db(samples: array, rate: int, start_s: float, end_s: float) -> float:
    chunk = samples[int(start_s * rate) * 2 : int(end_s * rate) * 2]
    return 10 * math.log10(sum(x * x for x in chunk) / len(chunk))


def test_a_real_mix_keeps_the_bed_down_in_short_pauses_and_brings_it_back_in_long_ones(tmp_path: Path) -> None:
    # The "voice": a 1 kHz tone in three phrases, 400 ms and 1.6 s apart; the bed: a 200 Hz tone.
    voice, music = tmp_path / "voice.wav", tmp_path / "music.wav"
    _ffmpeg(
        "-f", "lavfi", "-i", "sine=f=1000:r=48000:d=4.0",
        "-af", "volume='between(t,0,1)+between(t,1.4,2.0)+between(t,3.6,4.0)':eval=frame", str(voice),
    )  # fmt: skip
    _ffmpeg("-f", "lavfi", "-i", "sine=f=200:r=48000:d=10", "-ac", "2", str(music))
    phrases = (("One,", 0, 1000), ("two.", 1400, 2000), ("Three.", 3600, 4000))
    spec = _spec(
        SceneSpec(picture="/in/p.png", duration_ms=9000, narration=str(voice), narration_ms=4000,
                  caption_text="One, two. Three.", phrases=phrases),
        music=str(music), music_volume_db=0,
    )  # fmt: skip
    mix = tmp_path / "mix.wav"
    _ffmpeg(*audio_mix.audio_mix_argv(spec, plan(spec), str(mix))[1:])
    # Only the bed: a band-stop around the voice's 1 kHz.
    bed = tmp_path / "bed.wav"
    _ffmpeg("-i", str(mix), "-af", "lowpass=f=400,lowpass=f=400,lowpass=f=400", "-c:a", "pcm_s16le", str(bed))
    with wave.open(str(bed)) as w:
        rate = w.getframerate()
        samples = array("h", w.readframes(w.getnframes()))
    # Speech (from 0.25 s): 0.25-1.25, 1.65-2.25, 3.85-4.25 s.
    up = _rms_db(samples, rate, 2.9, 3.6)  # the long gap, after the release and before the attack
    under = _rms_db(samples, rate, 0.5, 1.0)
    in_pause = _rms_db(samples, rate, 1.3, 1.6)
    assert under - up == pytest.approx(audio_mix.DUCK_DB, abs=1.0)
    assert in_pause - up == pytest.approx(audio_mix.DUCK_DB, abs=1.0)
    # After the voice the bed comes back, then fades out over the (only) scene's last 3 s.
    assert _rms_db(samples, rate, 8.9, 9.0) < up - 20
