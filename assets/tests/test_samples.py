"""Voice and music samples on the new-video form: real synthesis, measured, owner-only pages."""

from __future__ import annotations

import io
import wave
from array import array

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from assets.samples import SAMPLE_VERSION
from mediakit.speech import DEFAULT_VOICE

pytestmark = pytest.mark.django_db


def _wav(body: bytes) -> tuple[float, float, int]:
    """(seconds, RMS of the whole file, sample rate)."""
    with wave.open(io.BytesIO(body)) as w:
        frames = w.readframes(w.getnframes())
        rate, width, frames_count = w.getframerate(), w.getsampwidth(), w.getnframes()
    assert width == 2
    samples = array("h", frames)
    rms = (sum(s * s for s in samples[::50]) / max(len(samples[::50]), 1)) ** 0.5
    return frames_count / rate, rms, rate


def _get(client, response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_voice_sample_is_real_speech_of_that_voice(client, owner):
    client.force_login(owner)
    response = client.get(reverse("assets-voice-sample", args=[DEFAULT_VOICE]))
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    seconds, rms, rate = _wav(_get(client, response))
    assert 3.0 < seconds < 15.0  # one sentence, numbers spelled out, not letter by letter
    assert rms > 300  # not silence
    assert rate == 22050  # the neural voice's own rate


def test_a_sample_is_made_once_and_then_read_from_storage(client, owner):
    client.force_login(owner)
    url = reverse("assets-voice-sample", args=["en-gb"])
    first = _get(client, client.get(url))
    folder = f"samples/v{SAMPLE_VERSION}"
    name = next(iter(default_storage.listdir(folder)[1]))
    stamp = default_storage.get_modified_time(f"{folder}/{name}")
    assert _get(client, client.get(url)) == first
    assert default_storage.get_modified_time(f"{folder}/{name}") == stamp


def test_a_sample_answers_a_range_request(client, owner):
    client.force_login(owner)
    response = client.get(reverse("assets-music-sample", args=["calm"]), HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and len(_get(client, response)) == 100


def test_a_music_sample_is_twelve_seconds_of_sound(client, owner):
    client.force_login(owner)
    seconds, rms, rate = _wav(_get(client, client.get(reverse("assets-music-sample", args=["pulse"]))))
    assert abs(seconds - 12.0) < 0.05 and rms > 100 and rate == 48000


def test_a_mood_sample_is_the_opening_of_a_library_track_at_the_videos_level(client, owner):
    client.force_login(owner)
    seconds, rms, rate = _wav(_get(client, client.get(reverse("assets-music-sample", args=["nostalgic"]))))
    # Brought to the reference loudness (-14 LUFS): louder than the -6 dBFS-peak synth beds.
    assert abs(seconds - 12.0) < 0.05 and rms > 2000 and rate == 48000


def test_an_unknown_voice_or_bed_is_a_404(client, owner):
    client.force_login(owner)
    assert client.get(reverse("assets-voice-sample", args=["klingon"])).status_code == 404
    assert client.get(reverse("assets-music-sample", args=["polka"])).status_code == 404


def test_samples_need_an_account(client):
    response = client.get(reverse("assets-voice-sample", args=[DEFAULT_VOICE]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
