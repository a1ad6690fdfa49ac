"""The offline music library: real tracks by mood, from the `immich-memories-music` package.

28 tracks of about 30 s in five moods (MIT, made with ACE-Step 1.5, no attribution required;
we credit them anyway). Each track's tempo comes from the package's LICENSE-MUSIC; its length
and loudness were measured here (ffprobe, ebur128) and are checked against the installed files
by the tests. A track is looped at a musical boundary: a whole number of two-bar phrases from
its start, clear of its ending, each repeat crossfading in over one beat (audio_mix._music_loop).

Without the package, `library_track` returns None and the caller uses a procedural bed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "immich-memories-music"
PACKAGE_VERSION = "0.1.0"
LICENCE = "MIT"
SOURCE_URL = "https://github.com/sdumont/immich-video-memory-generator"

MOODS: tuple[str, ...] = ("calm", "happy", "energetic", "tender", "nostalgic")

# Every track ends with a few seconds of ending (hits decaying, a final chord): the loop
# stays this far clear of the end.
ENDING_MS = 6000
# The loop's unit: two bars of four beats. Looping on it keeps the downbeat where it was.
BEATS_PER_PHRASE = 8
# Every track is brought to this loudness before spec.music_volume_db applies, the level of
# the procedural beds (calm measured -14.2 LUFS): one volume means the same in every mood.
REFERENCE_LUFS = -14.0


@dataclass(frozen=True)
class Track:
    name: str  # file stem, e.g. "calm_acoustic_1"
    mood: str
    style: str  # acoustic or electronic
    bpm: int
    key: str
    duration_ms: int
    lufs: float
    # Where the loop starts again: a whole number of two-bar phrases (at the nominal tempo)
    # from the start, moved by up to half a beat to where the track's onsets line up best
    # with its first 6 s (generated music drifts from its tempo): measured here once.
    loop_ms: int

    @property
    def path(self) -> str:
        return str(tracks_dir() / self.mood / f"{self.name}.opus")

    @property
    def beat_ms(self) -> float:
        return 60_000 / self.bpm

    @property
    def crossfade_ms(self) -> int:
        return round(self.beat_ms)

    @property
    def gain_db(self) -> float:
        return round(REFERENCE_LUFS - self.lufs, 1)

    @property
    def title(self) -> str:
        return f"{self.mood.title()} ({self.style}, {self.bpm} bpm, {self.key}), {self.name}"

    def credit(self) -> dict[str, str]:
        return {
            "text": f"“{self.title}” from {PACKAGE} {PACKAGE_VERSION}, generated with ACE-Step 1.5",
            "licence": LICENCE,
            "source_url": SOURCE_URL,
        }


def _t(name: str, bpm: int, key: str, duration_ms: int, lufs: float, loop_ms: int) -> Track:
    mood, style, _ = name.split("_", 2)
    return Track(
        name=name, mood=mood, style=style, bpm=bpm, key=key, duration_ms=duration_ms, lufs=lufs, loop_ms=loop_ms
    )


TRACKS: tuple[Track, ...] = (
    _t("calm_acoustic_1", 68, "C major", 32306, -13.1, 21170),
    _t("calm_acoustic_s411", 68, "C major", 31956, -12.3, 20750),
    _t("calm_acoustic_s522", 68, "C major", 29606, -10.9, 14140),
    _t("calm_electronic_s411", 72, "D major", 30956, -13.2, 13710),
    _t("calm_electronic_s522", 72, "D major", 32206, -12.3, 13430),
    _t("energetic_acoustic_1", 132, "D minor", 30556, -13.8, 21620),
    _t("energetic_acoustic_2", 132, "D minor", 31656, -13.9, 21660),
    _t("energetic_acoustic_s522", 132, "D minor", 31656, -12.6, 21660),
    _t("energetic_electronic_2", 150, "G minor", 31706, -11.8, 12800),
    _t("energetic_electronic_s411", 150, "E minor", 32006, -10.7, 12800),
    _t("happy_acoustic_1", 110, "E major", 32656, -13.1, 21820),
    _t("happy_acoustic_2", 110, "E major", 29456, -13.4, 17470),
    _t("happy_acoustic_s411", 110, "E major", 31706, -11.6, 13120),
    _t("happy_electronic_1", 123, "A major", 31456, -13.1, 15610),
    _t("happy_electronic_2", 123, "A major", 32606, -11.9, 23220),
    _t("happy_electronic_s411", 123, "F major", 31556, -13.8, 23610),
    _t("nostalgic_acoustic_1", 78, "F minor", 32656, -11.3, 24410),
    _t("nostalgic_acoustic_s411", 78, "F minor", 30906, -11.8, 12280),
    _t("nostalgic_acoustic_s522", 78, "F minor", 32706, -11.3, 24620),
    _t("nostalgic_electronic_2", 84, "Bb minor", 31106, -10.8, 22590),
    _t("nostalgic_electronic_s411", 84, "G minor", 31356, -12.5, 11400),
    _t("nostalgic_electronic_s522", 84, "G minor", 32106, -13.6, 22590),
    _t("tender_acoustic_1", 90, "G major", 32006, -10.8, 10660),
    _t("tender_acoustic_2", 90, "G major", 32006, -13.4, 21330),
    _t("tender_acoustic_s411", 90, "G major", 32006, -14.3, 16000),
    _t("tender_electronic_1", 99, "C major", 30106, -14.2, 19200),
    _t("tender_electronic_2", 99, "C major", 30806, -12.5, 23990),
    _t("tender_electronic_s411", 99, "A major", 29506, -11.9, 19200),
)


def installed() -> bool:
    return importlib.util.find_spec("immich_memories_music") is not None


def tracks_dir() -> Path:
    import immich_memories_music

    return Path(immich_memories_music.tracks_dir())


def library_track(mood: str, *, seed: int) -> Track | None:
    """One track of `mood`, the same for the same seed (a video's re-renders sound alike);
    None when the package is not installed or the mood is not one of MOODS."""
    if mood not in MOODS or not installed():
        return None
    choices = [t for t in TRACKS if t.mood == mood]
    return choices[seed % len(choices)]
