"""Stand-alone pictures and narrations over the API: a job each (listed with the other
jobs, under the same quotas and webhooks), a picture at the aspect asked, a narration
as WAV and M4A with phrase timings that fall on its pauses."""

from __future__ import annotations

import io
import json
import math
import wave
from array import array

import pytest
from PIL import Image

from assets.models import Generation, GenerationJobKind
from core.testing import WebhookReceiver, assert_error, token_client
from jobs.models import Job
from jobs.webhooks import webhook_settings_update
from mediakit.probe import probe
from quotas.models import Quota

pytestmark = pytest.mark.usefixtures("cache_table")

TWO_SENTENCES = "The lighthouse keeper climbs the stairs at dusk. Far below, the waves break on the rocks."


@pytest.fixture
def make(api, django_capture_on_commit_callbacks):
    """POST and run the job it queues (inline), then read the resource again."""

    def post(url: str, body: dict):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(url, body, format="json")
        assert response.status_code == 202, response.content
        assert response["Location"] == response.json()["links"]["self"]
        return api.get(response["Location"]).json()

    return post


def _file(api, url: str) -> bytes:
    response = api.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _rms(frames: array, start: int, end: int) -> float:
    window = frames[max(start, 0) : end]
    return math.sqrt(sum(s * s for s in window) / max(len(window), 1))


def test_a_picture_is_drawn_by_its_job_at_the_aspect_asked(api, make):
    picture = make("/api/v1/pictures", {"prompt": "A lighthouse at dusk", "aspect": "9:16"})

    assert picture["status"] == "succeeded"
    assert (picture["prompt"], picture["aspect"], picture["provider"]) == ("A lighthouse at dusk", "9:16", "generated")
    assert (picture["picture"]["width"], picture["picture"]["height"]) == (1080, 1920)
    image = Image.open(io.BytesIO(_file(api, picture["links"]["file"])))
    assert image.size == (1080, 1920)
    assert picture["job"]["kind"] == "picture" and picture["job"]["video"] is None
    assert picture["job"]["links"]["video"] is None


def test_stand_alone_jobs_are_listed_with_the_other_jobs(api, make, owner, make_video):
    make_video(owner)
    make("/api/v1/pictures", {"prompt": "A boat"})

    kinds = sorted(job["kind"] for job in api.get("/api/v1/jobs").json()["results"])
    assert kinds == ["picture", "storyboard"]
    only = api.get("/api/v1/jobs", {"kind": "picture"}).json()["results"]
    assert [job["kind"] for job in only] == ["picture"]
    assert api.get("/api/v1/pictures").json()["count"] == 1


def test_a_narration_has_a_wav_an_m4a_and_phrase_timings_on_its_pauses(api, make, tmp_path):
    narration = make("/api/v1/narrations", {"text": TWO_SENTENCES, "voice": "en-gb", "speech_rate": 170})

    assert narration["status"] == "succeeded"
    first, second = narration["timings"]
    assert first["text"] == "The lighthouse keeper climbs the stairs at dusk."
    assert second["text"] == "Far below, the waves break on the rocks."
    assert first["start_ms"] == 0 and first["end_ms"] == second["start_ms"] < second["end_ms"]
    assert second["end_ms"] == narration["duration_ms"]

    wav_bytes = _file(api, narration["links"]["wav"])
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        rate = wav.getframerate()
        frames = array("h", wav.readframes(wav.getnframes()))
    assert abs(len(frames) * 1000 / rate - narration["duration_ms"]) <= 1
    # The boundary falls in the pause between the sentences: the 80 ms before it are
    # near-silent, while the middle of each phrase is speech.
    boundary = first["end_ms"] * rate // 1000
    pause = _rms(frames, boundary - rate * 80 // 1000, boundary)
    speech = _rms(frames, boundary // 2 - rate // 10, boundary // 2 + rate // 10)
    # The neural voice's pauses keep a breath of room tone: under a tenth of the speech.
    assert speech > 500 and pause < speech / 10, (speech, pause)

    m4a = _file(api, narration["links"]["m4a"])
    assert m4a[4:8] == b"ftyp"
    path = tmp_path / "narration.m4a"
    path.write_bytes(m4a)
    info = probe(path)
    assert info.audio.codec == "aac" and info.video is None
    assert abs(info.duration_ms - narration["duration_ms"]) < 120
    assert narration["m4a"]["mime"] == "audio/mp4" and narration["wav"]["mime"] == "audio/wav"


def test_a_job_event_describes_the_picture_with_absolute_links(api, make, owner, settings):
    settings.CONTENTIZER_PUBLIC_URL = "https://contentizer.example.com"
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    receiver = WebhookReceiver([200])
    try:
        webhook_settings_update(user=owner, callback_url=receiver.url)
        picture = make("/api/v1/pictures", {"prompt": "A harbour"})
        (event,) = receiver.events()
    finally:
        receiver.close()
    assert event["type"] == "job.succeeded"
    assert event["data"]["job"]["kind"] == "picture" and event["data"]["job"]["video"] is None
    described = event["data"]["picture"]
    assert described["code"] == picture["code"] and described["picture"]["width"] == 1920
    assert (
        described["links"]["file"] == f"https://contentizer.example.com/api/v1/assets/{picture['picture']['code']}/file"
    )
    assert event["data"]["job"]["links"]["self"].startswith("https://contentizer.example.com/api/v1/jobs/")


def test_a_stand_alone_job_counts_against_the_concurrent_jobs_quota(api, owner):
    Quota.objects.create(user=owner, concurrent_jobs=1)
    Job.objects.create(owner=owner, kind=GenerationJobKind.PICTURE, status=Job.Status.RUNNING)

    body = assert_error(api.post("/api/v1/narrations", {"text": "Hello there."}, format="json"), 429, "quota_exceeded")

    assert "1 of 1 jobs" in body["message"]
    assert not Generation.objects.exists()


def test_ai_pictures_need_a_replicate_token(api, settings):
    settings.REPLICATE_API_TOKEN = ""
    body = assert_error(api.post("/api/v1/pictures", {"prompt": "A cat", "provider": "replicate"}, format="json"), 400)
    assert "provider" in body["details"]


def test_a_strangers_picture_and_narration_are_not_found(make, stranger):
    picture = make("/api/v1/pictures", {"prompt": "A cat"})
    other = token_client(stranger)
    assert_error(other.get(picture["links"]["self"]), 404, "not_found")
    assert other.get("/api/v1/pictures").json()["count"] == 0
    assert other.get("/api/v1/jobs").json()["count"] == 0


def test_input_is_strict(api):
    body = assert_error(api.post("/api/v1/narrations", {"text": "Hi.", "rate": 200}, format="json"), 400)
    assert "rate" in body["details"]
    body = assert_error(api.post("/api/v1/pictures", {"prompt": 5}, format="json"), 400)
    assert "prompt" in body["details"]
    assert json.dumps(body)  # the one shape
