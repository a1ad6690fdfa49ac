"""A video's music choice as a file to mix: a track of the offline music library for a mood
(mediakit.music), or a procedural bed (mediakit.music_synth) where the library is not
installed or the choice is one of the synthesised beds. The render, the credits and the
samples a creator hears all go through here, so they agree on the track."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

from assets.generators.base import GenerationError
from assets.generators.music_beds import render_music_bed
from mediakit.music import MOODS, Track, library_track
from mediakit.music_synth import MUSIC_BEDS

# The procedural bed that stands in for a mood when the library is missing.
FALLBACK_BEDS = {"calm": "calm", "happy": "bright", "energetic": "pulse", "tender": "calm", "nostalgic": "calm"}
MUSIC_CHOICES: tuple[str, ...] = tuple(dict.fromkeys((*MOODS, *MUSIC_BEDS)))
MIT_URL = "https://opensource.org/license/mit"


@dataclass(frozen=True)
class MusicBed:
    path: Path
    # As StoryboardSpec.music_loop_ms / music_crossfade_ms (0: the file is as long as asked).
    loop_ms: int = 0
    crossfade_ms: int = 0
    # Added to the creator's music volume: brings a library track to the reference loudness.
    gain_db: float = 0.0
    track: Track | None = None
    credit: dict[str, str] = field(default_factory=dict)


def music_seed(key: str) -> int:
    """Which track of a mood a video gets: the same for every render of the same video."""
    return zlib.crc32(key.encode("utf-8"))


def music_track(choice: str, *, key: str) -> Track | None:
    """The library track a mood plays for `key` (a video's code); None for a synthesised
    bed or where the library is not installed."""
    return library_track(choice, seed=music_seed(key)) if choice in MOODS else None


def music_credit(track: Track) -> dict[str, str]:
    return {
        "provider": "immich-memories-music",
        "provider_label": "Music library (immich-memories-music)",
        **track.credit(),
        "licence_url": MIT_URL,
    }


def music_bed(*, choice: str, key: str, duration_ms: int, out_dir: Path) -> MusicBed:
    """The music for `choice` (a mood or a bed name), `duration_ms` long once mixed."""
    track = music_track(choice, key=key)
    if track is not None:
        return MusicBed(
            path=Path(track.path),
            loop_ms=track.loop_ms,
            crossfade_ms=track.crossfade_ms,
            gain_db=track.gain_db,
            track=track,
            credit=music_credit(track),
        )
    bed = FALLBACK_BEDS.get(choice, choice)
    if bed not in MUSIC_BEDS:
        raise GenerationError(f"Unknown music {choice!r}; choose one of {', '.join(MUSIC_CHOICES)}.")
    return MusicBed(path=render_music_bed(bed=bed, duration_ms=duration_ms, out_dir=out_dir).path)
