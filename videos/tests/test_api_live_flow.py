"""A whole API client session against the real app under daphne with a real qcluster,
over plain HTTP with a token: create, poll, approve, render, poll, stream a range,
download and probe the file; the signed webhooks arrive once per job end."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import wait_for
from core.api_tokens import api_token_create
from core.testing import WebhookReceiver, create_cache_table, verify_standard_webhook
from jobs.webhooks import webhook_settings_get
from mediakit.spec import frame_size

SCRIPT = (
    "The lighthouse keeper climbs the stairs at dusk. Far below, the waves break on the rocks. "
    "The lamp turns, and its beam sweeps the dark water."
)


def _http(method: str, url: str, token: str, body: dict | None = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _json(method: str, url: str, token: str, body: dict | None = None, expect: int = 200) -> dict:
    status, _, content = _http(method, url, token, body)
    assert status == expect, (status, content[:500])
    return json.loads(content)


def _wait_for_job(base: str, token: str, code: str, timeout: float) -> dict:
    def finished():
        job = _json("GET", f"{base}/api/v1/jobs/{code}", token)
        return job if job["status"] in ("succeeded", "failed", "canceled") else None

    job = wait_for(finished, timeout=timeout, interval=0.3, message=f"job {code} to finish")
    assert job["status"] == "succeeded", job
    return job


@pytest.fixture
def live_cache(transactional_db):
    """The shared cache table, made before the server and the cluster start using it."""
    create_cache_table()


@pytest.fixture
def receiver(settings):
    # On 127.0.0.1, which production refuses; the cluster and daphne get the setting by env.
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True
    server = WebhookReceiver([200])
    yield server
    server.close()


@pytest.mark.slow
def test_a_client_makes_a_video_over_http_with_a_token(
    live_cache, owner, staff, receiver, qcluster, daphne_server, tmp_path
):
    base = daphne_server
    token = api_token_create(user=owner).key

    # Create: 202 with the storyboard job; it runs on the cluster.
    created = _json(
        "POST",
        f"{base}/api/v1/videos",
        token,
        {"title": "Lighthouse", "script": SCRIPT, "quality": "480p", "callback_url": receiver.url},
        expect=202,
    )
    video_url = created["video"]["links"]["self"]
    assert video_url.startswith(f"{base}/api/v1/videos/")
    storyboard = _wait_for_job(base, token, created["job"]["code"], timeout=90)
    assert storyboard["kind"] == "storyboard" and storyboard["progress"] == 100
    scenes = _json("GET", created["video"]["links"]["scenes"], token)
    assert scenes["count"] >= 1 and all(s["ready"] for s in scenes["results"])

    # Render before approval is refused; approve; render.
    status, _, content = _http("POST", created["video"]["links"]["render"], token)
    assert status == 403 and json.loads(content)["code"] == "permission_denied"
    assert _json("POST", created["video"]["links"]["approve"], token)["approval"] == "approved"
    render = _json("POST", created["video"]["links"]["render"], token, expect=202)
    assert render["kind"] == "render"
    _wait_for_job(base, token, render["code"], timeout=180)

    video = _json("GET", video_url, token)
    assert video["status"] == "ready"
    width, height = frame_size("16:9", "480p")
    assert (video["width"], video["height"]) == (width, height)
    assert video["duration_ms"] > 1000

    # Stream a range: 206 with the bytes asked for.
    status, headers, chunk = _http("GET", video["links"]["stream"], token, headers={"Range": "bytes=0-1023"})
    assert status == 206
    assert headers["Content-Range"] == f"bytes 0-1023/{video['size_bytes']}"
    assert headers["Accept-Ranges"] == "bytes"
    assert len(chunk) == 1024 and chunk[4:8] == b"ftyp"

    # Download the whole file and probe it.
    status, headers, content = _http("GET", video["links"]["download"], token)
    assert status == 200
    assert headers["Content-Disposition"] == 'attachment; filename="Lighthouse.mp4"'
    assert len(content) == video["size_bytes"]
    assert content[:1024] == chunk
    path = tmp_path / "downloaded.mp4"
    path.write_bytes(content)
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    )
    streams = {s["codec_type"]: s for s in probe["streams"]}
    assert streams["video"]["codec_name"] == "h264"
    assert (streams["video"]["width"], streams["video"]["height"]) == (width, height)
    assert streams["audio"]["codec_name"] == "aac"
    assert abs(float(probe["format"]["duration"]) * 1000 - video["duration_ms"]) < 200

    # The webhooks: one signed event per job end, delivered by the cluster.
    wait_for(lambda: len(receiver.requests) >= 2, timeout=30, message="both webhook events")
    time.sleep(1.5)  # a duplicate would arrive within this time
    assert len(receiver.requests) == 2
    secret = webhook_settings_get(user=owner).secret
    for request in receiver.requests:
        verify_standard_webhook(secret, request["headers"], request["body"])
    events = receiver.events()
    assert [(e["type"], e["data"]["job"]["code"]) for e in events] == [
        ("job.succeeded", created["job"]["code"]),
        ("job.succeeded", render["code"]),
    ]

    # Operators: healthy with a worker heartbeat; the workers view sees the cluster.
    staff_token = api_token_create(user=staff).key
    health = _json("GET", f"{base}/api/v1/health", staff_token)
    assert health["ok"] is True, health
    assert health["checks"]["worker"]["ok"] is True
    workers = _json("GET", f"{base}/api/v1/workers", staff_token)
    assert len(workers["clusters"]) == 1 and workers["clusters"][0]["workers"] == 1
