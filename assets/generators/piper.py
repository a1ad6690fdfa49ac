"""Neural narration, offline: the media layer's phrase-by-phrase synthesis behind the
NarrationProvider interface.

The scene's text is cut into caption phrases, each spoken on its own (piper for the neural
default, espeak-ng for other languages and the robotic voices) and joined with pauses, so
the result carries the time of every phrase: the caption cues of the scene. piper-tts is
GPL-3.0 and runs as its own program; nothing here imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from mediakit.phrases import caption_phrases
from mediakit.speech import (
    DEFAULT_VOICE,
    Narration,
    SpeechError,
    speech_rate_error,
    synthesize_narrations,
    voice_error,
)

from .base import GeneratedAudio, GenerationError

__all__ = ["GeneratedNarration", "PiperNarrationProvider"]

NARRATION_MAX_CHARS = 25_000


@dataclass(frozen=True)
class GeneratedNarration(GeneratedAudio):
    # (caption text, start_ms, end_ms) relative to the start of the WAV: store them on the
    # scene and pass them to SceneSpec.phrases.
    phrases: tuple[tuple[str, int, int], ...] = ()
    # Each phrase's caption words and the ms each starts, in the WAV's time (Narration.words).
    words: tuple[tuple[tuple[str, int], ...], ...] = ()
    # Phrases no installed voice could speak (shown, not spoken): a scene warning.
    warnings: tuple[str, ...] = ()


class PiperNarrationProvider:
    """Any voice of mediakit.speech.VOICES; the neural piper voice is the default."""

    name = "piper"
    default_voice = DEFAULT_VOICE

    def price_per_second(self) -> Decimal:
        return Decimal(0)

    def synthesize(self, *, text: str, voice: str, rate_wpm: int, out_dir: Path) -> GeneratedNarration:
        (audio,) = self.synthesize_many(texts=[text], voice=voice, rate_wpm=rate_wpm, out_dir=out_dir)
        return audio

    def synthesize_many(
        self, *, texts: list[str], voice: str, rate_wpm: int, out_dir: Path
    ) -> list[GeneratedNarration]:
        """One narration per scene text, all from one piper run (the model loads once)."""
        if problem := voice_error(voice) or speech_rate_error(rate_wpm):
            raise GenerationError(problem)
        scenes = []
        for text in texts:
            if len(text) > NARRATION_MAX_CHARS:
                raise GenerationError(
                    f"The narration is {len(text):,} characters; the limit is {NARRATION_MAX_CHARS:,}."
                )
            phrases = caption_phrases(text)
            if not phrases:
                raise GenerationError("There is no text to narrate.")
            scenes.append(phrases)
        try:
            narrations = synthesize_narrations(scenes=scenes, voice=voice, rate_wpm=rate_wpm, out_dir=Path(out_dir))
        except SpeechError as exc:
            raise GenerationError(str(exc)) from exc
        return [_generated(narration) for narration in narrations]


def _generated(narration: Narration) -> GeneratedNarration:
    return GeneratedNarration(
        path=narration.wav_path,
        duration_ms=narration.duration_ms,
        mime="audio/wav",
        cost_usd=Decimal(0),
        phrases=narration.phrases,
        words=narration.words,
        warnings=narration.warnings,
    )
