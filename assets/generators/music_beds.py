"""The procedural music beds as files: mediakit.music_synth's samples written as a WAV.

Deterministic, as every offline generator: the same bed and length give a byte-identical
file under the same name, written under a temporary name and renamed into place.
"""

from __future__ import annotations

import sys
import wave
from decimal import Decimal
from pathlib import Path

from mediakit.music_synth import MUSIC_BEDS, MUSIC_CHANNELS, MUSIC_SAMPLE_RATE, bed_pcm

from .base import GeneratedAudio, GenerationError
from .files import atomic_path

MUSIC_MAX_MS = 30 * 60 * 1000


def render_music_bed(*, bed: str, duration_ms: int, out_dir: Path) -> GeneratedAudio:
    """A 48 kHz stereo 16-bit WAV of exactly ``duration_ms``: the bed's seamless 16 s loop
    repeated, faded in at the start and out at the end. The composer needs no looping."""
    if bed not in MUSIC_BEDS:
        known = ", ".join(MUSIC_BEDS)
        raise GenerationError(f"Unknown music bed {bed!r}; choose one of {known}.")
    if not 0 < duration_ms <= MUSIC_MAX_MS:
        raise GenerationError(
            f"A music bed must last between 1 ms and {MUSIC_MAX_MS // 60_000} minutes, not {duration_ms} ms."
        )
    pcm = bed_pcm(bed, duration_ms)
    frames = len(pcm) // MUSIC_CHANNELS
    if sys.byteorder == "big":
        pcm.byteswap()

    path = Path(out_dir) / f"music-{bed}-{duration_ms}ms.wav"
    with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(MUSIC_CHANNELS)
        wav.setsampwidth(2)
        wav.setframerate(MUSIC_SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())
    return GeneratedAudio(
        path=path,
        duration_ms=frames * 1000 // MUSIC_SAMPLE_RATE,
        mime="audio/wav",
        cost_usd=Decimal(0),
    )
