"""/healthz, /readyz and /metrics: anonymous probes a load balancer can use by IP over plain
HTTP, and Prometheus series (contentizer_site/metrics.py; more in test_metrics.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from assets.models import MediaAsset
from core.api_tokens import api_token_create
from core.testing import assert_error, create_cache_table
from jobs.models import Job, WebhookAttempt, WebhookDelivery
from jobs.services import job_finished
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_table(db):
    create_cache_table()


def samples(response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} from an exposition body."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


# --- /healthz, /readyz ------------------------------------------------------------------------


def test_healthz_answers_200_anonymously(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_probes_work_by_ip_over_plain_http_in_production(settings, cache_table):
    # A load balancer probing 10.1.2.3:8000: neither an allowed host nor HTTPS.
    settings.ALLOWED_HOSTS = ["contentizer.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    probe = Client(HTTP_HOST="10.1.2.3:8000")
    assert probe.get("/healthz").status_code == 200
    assert probe.get("/readyz/").status_code == 200
    # ... while the site itself still refuses that host (400) and redirects to HTTPS.
    assert probe.get("/accounts/login/").status_code == 400
    assert Client(HTTP_HOST="contentizer.example.com").get("/accounts/login/").status_code == 301


def all_ok(settings) -> dict:
    """/readyz's body when everything answers: the broker is checked when it is Redis."""
    checks = {"database": "ok", "cache": "ok", "storage": "ok"}
    if settings.Q_CLUSTER.get("redis"):
        checks["broker"] = "ok"
    return {"status": "ok", "checks": checks, "failed": []}


def test_readyz_is_200_when_database_cache_and_storage_answer(client, settings, cache_table):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == all_ok(settings)


def test_readyz_is_503_naming_the_cache_when_it_is_down(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["checks"]["database"] == "ok" and body["checks"]["storage"] == "ok"
    assert body["checks"]["cache"] == "ConnectionError"


def test_readyz_is_503_naming_storage_when_files_cannot_be_written(client, settings, cache_table, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]
    assert str(tmp_path) not in response.content.decode()  # no server paths for anonymous callers


# Nothing listens on port 1 of this machine: a dependency that is down, found at once.
CLOSED = "127.0.0.1:1"


class DatabaseOutage:
    """Points the default connection where no database answers (a closed port, or for
    SQLite a directory, which it cannot open), and back; the shared servers are left alone."""

    def __init__(self, not_a_database: Path) -> None:
        self.connection = connections["default"]
        self.saved = dict(self.connection.settings_dict)
        self.not_a_database = not_a_database

    def start(self) -> None:
        self.connection.close()
        if self.connection.vendor == "sqlite":
            self.connection.settings_dict["NAME"] = str(self.not_a_database)
        else:
            host, port = CLOSED.split(":")
            self.connection.settings_dict.update(HOST=host, PORT=port)

    def end(self) -> None:
        self.connection.close()
        self.connection.settings_dict.clear()
        self.connection.settings_dict.update(self.saved)


@pytest.fixture
def database_outage(transactional_db, tmp_path: Path):
    # Transactional: a connection closed inside a test's atomic block cannot reconnect.
    (tmp_path / "not-a-database").mkdir()
    outage = DatabaseOutage(tmp_path / "not-a-database")
    try:
        yield outage
    finally:
        outage.end()


def test_readyz_is_503_naming_the_database_while_it_is_down_and_200_after(client, settings, database_outage, tmp_path):
    create_cache_table()
    database_outage.start()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert "database" in body["failed"] and body["checks"]["database"] == "OperationalError"
    assert str(tmp_path) not in response.content.decode() and CLOSED not in response.content.decode()

    database_outage.end()
    assert client.get("/readyz").json() == all_ok(settings)


def test_readyz_is_503_naming_the_broker_when_the_queue_redis_is_down(client, settings, cache_table):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": f"redis://{CLOSED}/0"}
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"] and body["checks"]["broker"] == "ConnectionError"
    assert "redis://" not in response.content.decode()


def test_pages_and_the_api_answer_503_not_500_while_the_database_is_down(database_outage, owner):
    create_cache_table()
    browser = Client(raise_request_exception=False)
    browser.force_login(owner)
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {api_token_create(user=owner).key}")

    database_outage.start()
    page = browser.get("/")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert "Briefly unavailable" in page.content.decode()
    body = assert_error(api.get("/api/v1/videos"), 503, "service_unavailable")
    assert "try again" in body["message"]

    database_outage.end()  # back: the same requests succeed
    assert browser.get("/").status_code == 200
    assert api.get("/api/v1/videos").status_code == 200


def test_the_api_answers_503_not_500_while_the_cache_redis_is_down(owner, settings, cache_table):
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {api_token_create(user=owner).key}")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://{CLOSED}/0"}
    }
    # The creation throttle counts in the cache: the request stops there, and makes nothing.
    response = api.post("/api/v1/videos", {"script": "A short script."}, content_type="application/json")
    body = assert_error(response, 503, "service_unavailable")
    assert response["Retry-After"] == "30" and "redis" not in body["message"].lower()
    assert not Video.objects.exists()


def _s3_at(settings, endpoint: str) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "contentizer-down",
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "signature_version": "s3v4",
                "addressing_style": "path",
                "file_overwrite": False,
            },
        },
    }


def test_the_api_answers_503_not_500_while_the_s3_endpoint_is_down(owner, settings, cache_table):
    api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {api_token_create(user=owner).key}")
    _s3_at(settings, f"http://{CLOSED}")
    response = api.post("/api/v1/assets", {"file": _png_upload()})
    body = assert_error(response, 503, "service_unavailable")
    assert response["Retry-After"] == "30" and CLOSED not in response.content.decode()
    assert "try again" in body["message"]
    assert not MediaAsset.objects.exists()


def test_readyz_is_503_naming_storage_while_the_s3_endpoint_is_down(client, settings, cache_table):
    _s3_at(settings, f"http://{CLOSED}")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]
    assert CLOSED not in response.content.decode()


def _png_upload():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "green.png"
    return buffer


def test_readyz_does_not_need_a_worker(client, cache_table):
    # No qcluster runs in this test: readiness is about this process's dependencies.
    assert client.get("/readyz").status_code == 200


def test_the_probes_only_answer_get_and_head(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


# --- /metrics ---------------------------------------------------------------------------------


@pytest.fixture
def activity(owner, make_video):
    """Jobs in known states, with exact times, ended through job_finished as workers end
    them (that is when /metrics learns of them), and webhook outcomes."""
    video = make_video(owner)  # its storyboard job succeeded
    video.duration_ms = 6000
    video.save(update_fields=["duration_ms"])
    start = timezone.now() - timedelta(minutes=5)
    ended = [
        Job.objects.create(
            owner=owner,
            video=video,
            kind=VideoJobKind.RENDER,
            status=Job.Status.SUCCEEDED,
            started_at=start,
            finished_at=start + timedelta(seconds=12),
        ),
        Job.objects.create(
            owner=owner,
            video=video,
            kind=VideoJobKind.RENDER,
            status=Job.Status.FAILED,
            error_stage="compose",
            error_message="FFmpeg failed: Invalid data found when processing input: scene_1.png",
            started_at=start,
            finished_at=start + timedelta(seconds=3),
        ),
        Job.objects.create(
            owner=owner,
            video=video,
            kind=VideoJobKind.EXPORT,
            status=Job.Status.FAILED,
            error_stage="prepare",
            error_message="This export was deleted before it could be made.",
            started_at=start,
            finished_at=start + timedelta(seconds=1),
        ),
    ]
    Job.objects.create(owner=owner, video=video, kind=VideoJobKind.RENDER, status=Job.Status.QUEUED)
    Job.objects.create(owner=owner, video=video, kind=VideoJobKind.EXPORT, status=Job.Status.QUEUED)
    for job in ended:
        job_finished(job_id=job.pk)
    gave_up = WebhookDelivery.objects.create(
        owner=owner,
        event_id="msg_a",
        event_type="job.failed",
        url="https://example.com/h",
        payload="{}",
        status=WebhookDelivery.Status.FAILED,
    )
    for number in (1, 2):
        WebhookAttempt.objects.create(
            delivery=gave_up, number=number, started_at=start, status_code=500, error="The receiver answered HTTP 500."
        )
    ok = WebhookDelivery.objects.create(
        owner=owner,
        event_id="msg_b",
        event_type="job.succeeded",
        url="https://example.com/h",
        payload="{}",
        status=WebhookDelivery.Status.SUCCEEDED,
    )
    WebhookAttempt.objects.create(delivery=ok, number=1, started_at=start, status_code=200)
    return video


def test_metrics_are_open_to_local_clients_and_count_jobs_by_kind_and_state(client, activity):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    found = samples(response)
    assert found[("contentizer_jobs", (("kind", "render"), ("state", "queued")))] == 1
    assert found[("contentizer_jobs", (("kind", "export"), ("state", "running")))] == 0
    ended = {labels: v for (name, labels), v in found.items() if name == "contentizer_job_duration_seconds_count"}
    assert ended[(("kind", "render"), ("status", "succeeded"))] == 1
    assert ended[(("kind", "storyboard"), ("status", "succeeded"))] == 1
    assert found[("contentizer_queue_depth", ())] == 2
    assert found[("contentizer_jobs_running", ())] == 0
    assert found[("contentizer_database_up", ())] == 1


def test_metrics_report_render_seconds_and_their_ratio_to_video_seconds(client, activity):
    found = samples(client.get("/metrics"))
    assert found[("contentizer_render_seconds_total", ())] == pytest.approx(12.0)
    assert found[("contentizer_rendered_video_seconds_total", ())] == pytest.approx(6.0)
    assert found[("contentizer_render_seconds_per_video_second", ())] == pytest.approx(2.0)


def test_metrics_count_ffmpeg_failures_by_kind_and_stage(client, activity):
    found = samples(client.get("/metrics"))
    ffmpeg = {labels: v for (name, labels), v in found.items() if name == "contentizer_ffmpeg_failures_total"}
    assert ffmpeg == {(("kind", "render"), ("stage", "compose")): 1}  # the export failure was not FFmpeg's
    # Webhook outcomes are counted when they happen (test_metrics.py); rows made as the
    # fixture makes them are not attempts, and none is still owed one.
    assert found[("contentizer_webhook_deliveries", (("state", "pending"),))] == 0


def test_every_series_is_prefixed_contentizer(client, activity):
    names = {name for name, _labels in samples(client.get("/metrics"))}
    assert names and all(name.startswith("contentizer_") for name in names)


@pytest.mark.parametrize("peer", ["::1", "::ffff:127.0.0.1", "127.0.0.2"])
def test_metrics_are_open_to_every_loopback_spelling(db, peer):
    assert Client(REMOTE_ADDR=peer).get("/metrics").status_code == 200


def test_metrics_are_not_found_from_elsewhere_without_a_token(db, settings):
    settings.CONTENTIZER_METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="203.0.113.5").get("/metrics").status_code == 404


def test_a_local_proxy_relaying_a_remote_client_is_not_a_local_client(db, settings):
    settings.CONTENTIZER_METRICS_TOKEN = ""
    relayed = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert relayed.get("/metrics").status_code == 404


def test_metrics_from_elsewhere_need_the_bearer_token(db, settings):
    settings.CONTENTIZER_METRICS_TOKEN = "s3cret-metrics-token"
    remote = Client(REMOTE_ADDR="203.0.113.5")
    missing = remote.get("/metrics")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert remote.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    good = remote.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert good.status_code == 200
    assert b"contentizer_jobs" in good.content
