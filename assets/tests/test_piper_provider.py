"""The neural narration provider: a real piper run, measured."""

from __future__ import annotations

import wave
from decimal import Decimal
from pathlib import Path

import pytest

from assets.generators.base import GenerationError, NarrationProvider
from assets.generators.catalog import get_narration_provider
from assets.generators.piper import GeneratedNarration, PiperNarrationProvider
from mediakit.speech import DEFAULT_VOICE

TEXT = "The keeper climbed the stairs at dusk, and the light came on. It cost $4.2 million."


def test_the_provider_is_found_by_name_and_implements_the_interface() -> None:
    provider = get_narration_provider("piper")
    assert isinstance(provider, PiperNarrationProvider)
    assert isinstance(provider, NarrationProvider)
    assert provider.price_per_second() == Decimal(0)
    assert provider.default_voice == DEFAULT_VOICE


def test_narration_carries_its_phrase_times(tmp_path: Path) -> None:
    audio = PiperNarrationProvider().synthesize(text=TEXT, voice=DEFAULT_VOICE, rate_wpm=165, out_dir=tmp_path)
    assert isinstance(audio, GeneratedNarration)
    assert audio.mime == "audio/wav" and audio.path.parent == tmp_path
    with wave.open(str(audio.path)) as wav:
        assert abs(wav.getnframes() * 1000 // wav.getframerate() - audio.duration_ms) <= 1
    # A sentence that fits two caption lines is one phrase; the script's text, not the spoken words.
    assert [p[0] for p in audio.phrases] == [
        "The keeper climbed the stairs at dusk, and the light came on.",
        "It cost $4.2 million.",
    ]
    assert audio.phrases[-1][2] == audio.duration_ms
    assert audio.warnings == ()


def test_unknown_voices_and_rates_are_generation_errors(tmp_path: Path) -> None:
    provider = PiperNarrationProvider()
    with pytest.raises(GenerationError, match="Unknown voice"):
        provider.synthesize(text=TEXT, voice="robot", rate_wpm=165, out_dir=tmp_path)
    with pytest.raises(GenerationError, match="^Speech rate must be between 80 and 300"):
        provider.synthesize(text=TEXT, voice=DEFAULT_VOICE, rate_wpm=10, out_dir=tmp_path)
    with pytest.raises(GenerationError, match="no text"):
        provider.synthesize(text="   ", voice=DEFAULT_VOICE, rate_wpm=165, out_dir=tmp_path)


def test_a_storyboard_is_narrated_in_one_run(tmp_path: Path) -> None:
    first, second = PiperNarrationProvider().synthesize_many(
        texts=["Scene one.", "Scene two, and more."], voice=DEFAULT_VOICE, rate_wpm=165, out_dir=tmp_path
    )
    assert [p[0] for p in first.phrases] == ["Scene one."]
    assert [p[0] for p in second.phrases] == ["Scene two, and more."]
    assert first.path != second.path and first.duration_ms < second.duration_ms
