"""Samples a creator can hear before choosing: each voice reading one sentence, each music
bed for a few seconds. Made offline on first request and kept in storage (the same bytes
for everyone), so later plays cost a file read."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from assets.generators.base import GenerationError
from assets.generators.catalog import get_narration_provider
from assets.music import MUSIC_CHOICES, music_bed
from core.storage import storage_save
from mediakit.runner import run_ffmpeg
from mediakit.speech import RATE_DEFAULT, VOICES

# Bump when the sample text or length changes, so an old file never stands for a new sample.
SAMPLE_VERSION = 3
MUSIC_SAMPLE_MS = 12_000
# What each voice says: its own language where we have a line for it, numbers included so
# the creator hears how they are read.
_SAMPLE_TEXT = {
    "en": "Hello! This is how your narration will sound. On March 3rd, 2024, it cost $4.20.",
    "de": "Hallo! So klingt deine Erzählung. Am 3. März kostete sie 4,20 Euro.",
    "fr": "Bonjour ! Voici la voix de votre narration. Le 3 mars, elle coûtait 4,20 euros.",
    "es": "¡Hola! Así sonará tu narración. El 3 de marzo costaba 4,20 euros.",
    "it": "Ciao! Ecco come suonerà la tua narrazione. Il 3 marzo costava 4,20 euro.",
    "pt": "Olá! É assim que a sua narração vai soar. Em 3 de março custava 4,20 euros.",
    "nl": "Hallo! Zo klinkt je vertelling. Op 3 maart kostte het 4,20 euro.",
    "ja": "こんにちは。これがナレーションの声です。3月3日には420円でした。",
}


# Samples are a cache no row references (storage_sweep keeps them: assets/apps.py).
SAMPLES_PREFIX = "samples/"


class SampleUnavailable(LookupError):
    """No such voice or music bed."""


def voice_sample(*, voice: str) -> str:
    """The storage name of a short sample of `voice` (made now if missing)."""
    if voice not in VOICES:
        raise SampleUnavailable(f"There is no voice {voice!r}.")
    name = f"{SAMPLES_PREFIX}v{SAMPLE_VERSION}/voice-{voice}.wav"
    if default_storage.exists(name):
        return name
    text = _SAMPLE_TEXT.get(VOICES[voice].language.split("-")[0], _SAMPLE_TEXT["en"])
    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR) as tmp:
        try:
            audio = get_narration_provider().synthesize(
                text=text, voice=voice, rate_wpm=RATE_DEFAULT, out_dir=Path(tmp)
            )
        except GenerationError as exc:
            raise SampleUnavailable(str(exc)) from exc
        return _keep(name, audio.path)


def music_sample(*, bed: str) -> str:
    """The storage name of a few seconds of a music choice, a mood of the library or a
    synthesised bed (made now if missing)."""
    if bed not in MUSIC_CHOICES:
        raise SampleUnavailable(f"There is no music {bed!r}.")
    name = f"{SAMPLES_PREFIX}v{SAMPLE_VERSION}/music-{bed}.wav"
    if default_storage.exists(name):
        return name
    with tempfile.TemporaryDirectory(dir=settings.CONTENTIZER_TMP_DIR) as tmp:
        music = music_bed(choice=bed, key="sample", duration_ms=MUSIC_SAMPLE_MS, out_dir=Path(tmp))
        if music.track is None:
            return _keep(name, music.path)
        # A library track's opening at the level a video gets, faded out at the end.
        cut = Path(tmp) / "sample.wav"
        seconds = MUSIC_SAMPLE_MS / 1000
        run_ffmpeg(
            ["ffmpeg", "-v", "error", "-i", str(music.path), "-t", f"{seconds:g}", "-af",
             f"volume={music.gain_db:g}dB,afade=t=out:st={seconds - 1:g}:d=1", "-ac", "2", "-ar", "48000",
             "-c:a", "pcm_s16le", "-y", str(cut)],
            total_ms=None,
            timeout_s=60,
        )  # fmt: skip
        return _keep(name, cut)


def _keep(name: str, path: Path) -> str:
    saved = storage_save(name=name, path=path)
    if saved != name:
        # Another request made the same sample meanwhile: keep one.
        default_storage.delete(saved)
    return name
