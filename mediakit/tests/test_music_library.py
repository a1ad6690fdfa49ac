"""The offline music library: its table matches the installed package, every track loops at
a musical boundary clear of its ending, and a looped track plays on without a hole."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from mediakit import audio_mix, music
from mediakit.spec import SceneSpec, StoryboardSpec
from mediakit.timeline import plan


def test_the_library_is_installed_with_five_moods_and_every_file_is_in_the_table() -> None:
    assert music.installed()
    files = {p.stem: p.parent.name for p in music.tracks_dir().glob("*/*.opus")}
    assert files == {t.name: t.mood for t in music.TRACKS}
    assert set(music.MOODS) == set(files.values()) and len(music.MOODS) >= 5


def _opus_duration_ms(path: str) -> float:
    """An Ogg Opus file's length from its last page's granule position (at 48 kHz): what
    ffprobe reports (6.5 ms of decoder pre-skip included), without starting 28 processes."""
    data = Path(path).read_bytes()
    return int.from_bytes(data[data.rindex(b"OggS") + 6 :][:8], "little") / 48


def test_every_track_is_as_long_as_the_table_says() -> None:
    for track in music.TRACKS:
        assert _opus_duration_ms(track.path) == pytest.approx(track.duration_ms, abs=5)


@pytest.mark.parametrize("track", music.TRACKS, ids=lambda t: t.name)
def test_each_loop_is_whole_two_bar_phrases_give_or_take_half_a_beat_and_clear_of_the_ending(track) -> None:
    phrase = music.BEATS_PER_PHRASE * track.beat_ms
    phrases = round(track.loop_ms / phrase)
    assert phrases >= 1
    assert abs(track.loop_ms - phrases * phrase) <= track.beat_ms / 2
    assert track.loop_ms + track.crossfade_ms <= track.duration_ms - music.ENDING_MS
    assert track.crossfade_ms == round(60_000 / track.bpm)


def test_a_mood_gives_the_same_track_for_the_same_seed_and_none_for_an_unknown_mood() -> None:
    first = music.library_track("tender", seed=7)
    assert first is not None and first.mood == "tender"
    assert music.library_track("tender", seed=7) == first
    assert {music.library_track("happy", seed=s).name for s in range(12)} == {
        t.name for t in music.TRACKS if t.mood == "happy"
    }
    assert music.library_track("polka", seed=1) is None


def test_every_track_is_credited_with_its_package_and_licence() -> None:
    credit = music.TRACKS[0].credit()
    assert "immich-memories-music 0.1.0" in credit["text"] and credit["licence"] == "MIT"


def _levels(path: Path, window_s: float) -> list[float]:
    report = subprocess.run(
        ["ffmpeg", "-v", "info", "-nostats", "-i", str(path), "-af",
         f"asetnsamples=n={int(48000 * window_s)},astats=metadata=1:reset=1,"
         "ametadata=print:key=lavfi.astats.Overall.RMS_level", "-f", "null", "-"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return [float(v) for v in re.findall(r"RMS_level=(-?[\d.]+|-inf)", report.stderr)]


def test_a_looped_track_plays_through_its_joins_without_a_hole(tmp_path: Path) -> None:
    track = next(t for t in music.TRACKS if t.name == "energetic_electronic_s411")
    scene = SceneSpec(picture="/in/p.png", duration_ms=27_000, narration=None, narration_ms=0, caption_text="")
    spec = StoryboardSpec(
        scenes=(scene,), width=64, height=36, fps=30, transition="cut", transition_ms=0, music=track.path,
        music_volume_db=track.gain_db, music_loop_ms=track.loop_ms, music_crossfade_ms=track.crossfade_ms,
    )  # fmt: skip
    mix = tmp_path / "mix.wav"
    subprocess.run(audio_mix.audio_mix_argv(spec, plan(spec), str(mix)), capture_output=True, check=True, timeout=60)
    levels = _levels(mix, 0.2)  # 0.2 s windows
    assert len(levels) == 27_000 // 200
    # Joins at 12.8 s and 25.6 s: around each, the level stays within 4 dB of the second before.
    join = round(track.loop_ms / 200)
    before = sorted(levels[join - 6 : join - 1])[2]
    assert min(levels[join - 1 : join + 2]) > before - 4
    # No window is silent until the fade-out with the last scene (its last 3 s).
    assert min(levels[2:-16]) > -40
    assert levels[-1] < min(levels[2:-16]) - 10
