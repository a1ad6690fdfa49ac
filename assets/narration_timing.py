"""Narration with phrase timings: one WAV and where each phrase starts and ends in it.

`timed_narration_synthesizer()` is the one switch: today it answers
`sentence_timed_narration`, which asks the offline narration provider (piper, with
espeak-ng for other languages) for one sentence at a time, measures each WAV and joins
them, so every phrase's times are measured, not estimated. To use mediakit.speech's own
phrase timing instead, point the switch at it; the stand-alone narration job and its API
do not change.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assets.generators.base import GenerationError
from assets.generators.catalog import get_narration_provider

# A sentence ends at . ! ? or … followed by space (closing quotes and brackets stay with it).
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")


@dataclass(frozen=True)
class Phrase:
    text: str
    start_ms: int
    end_ms: int

    def as_dict(self) -> dict:
        return {"text": self.text, "start_ms": self.start_ms, "end_ms": self.end_ms}


@dataclass(frozen=True)
class TimedNarration:
    path: Path  # a WAV
    duration_ms: int
    phrases: tuple[Phrase, ...]
    generator: str
    cost_usd: Decimal


TimedSynthesizer = Callable[..., TimedNarration]


def sentences(text: str) -> list[str]:
    """The text's sentences, whitespace collapsed; a text without an ending is one sentence."""
    flat = " ".join(text.split())
    parts = [p.strip() for p in _SENTENCE_END.split(flat)]
    return [p for p in parts if p]


def sentence_timed_narration(*, text: str, voice: str, rate_wpm: int, out_dir: Path) -> TimedNarration:
    """Speak each sentence on its own with the current narration provider and join the
    WAVs: phrase i spans exactly the frames of sentence i's own recording."""
    provider = get_narration_provider()
    parts = sentences(text)
    if not parts:
        raise GenerationError("There is no text to narrate.")
    out_dir = Path(out_dir)
    out = out_dir / "narration.wav"
    phrases: list[Phrase] = []
    params = None
    frames_so_far = 0
    cost = Decimal(0)
    with wave.open(str(out), "wb") as joined:
        for index, sentence in enumerate(parts):
            piece_dir = out_dir / f"phrase-{index:04d}"
            piece_dir.mkdir(parents=True, exist_ok=True)
            audio = provider.synthesize(text=sentence, voice=voice, rate_wpm=rate_wpm, out_dir=piece_dir)
            cost += audio.cost_usd
            with wave.open(str(audio.path), "rb") as piece:
                here = (piece.getnchannels(), piece.getsampwidth(), piece.getframerate())
                if params is None:
                    params = here
                    joined.setnchannels(here[0])
                    joined.setsampwidth(here[1])
                    joined.setframerate(here[2])
                elif here != params:
                    raise GenerationError("The narration's sentences came back in different audio formats.")
                count = piece.getnframes()
                joined.writeframes(piece.readframes(count))
            rate = params[2]
            start_ms = round(frames_so_far * 1000 / rate)
            frames_so_far += count
            phrases.append(Phrase(text=sentence, start_ms=start_ms, end_ms=round(frames_so_far * 1000 / rate)))
            audio.path.unlink(missing_ok=True)
    duration_ms = phrases[-1].end_ms
    return TimedNarration(
        path=out, duration_ms=duration_ms, phrases=tuple(phrases), generator=provider.name, cost_usd=cost
    )


def timed_narration_synthesizer() -> TimedSynthesizer:
    """The synthesizer stand-alone narrations use (the switch for mediakit.speech)."""
    return sentence_timed_narration
