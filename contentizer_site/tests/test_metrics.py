"""/metrics as an operator reads it: job duration histograms, failures by stage, cost and
cost over estimate, stuck jobs, provider errors, HTTP requests and the poll cache; and a
scrape whose query count does not grow with the job table."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from assets.models import GenerationJobKind
from assets.stock_online.http import HttpSettings, RetryPolicy, StockHttp
from core.api_tokens import api_token_create
from core.testing import WebhookReceiver
from jobs.models import Job, WebhookDelivery
from jobs.registry import job_kind_choices
from jobs.services import job_finished
from jobs.webhooks import webhook_deliver
from videos.models import VideoJobKind

pytestmark = pytest.mark.django_db


def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of one /metrics scrape."""
    response = Client().get("/metrics")
    assert response.status_code == 200
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def ended_job(owner, *, kind=VideoJobKind.RENDER, status=Job.Status.SUCCEEDED, seconds=45.0, **fields) -> Job:
    """A job as a worker leaves it, ended through job_finished (when /metrics learns of it)."""
    start = timezone.now() - timedelta(minutes=10)
    job = Job.objects.create(
        owner=owner,
        kind=kind,
        status=status,
        started_at=start,
        finished_at=start + timedelta(seconds=seconds),
        **fields,
    )
    job_finished(job_id=job.pk)
    return job


def test_job_durations_are_a_cumulative_histogram_per_kind_and_outcome(owner):
    ended_job(owner, kind=GenerationJobKind.PICTURE, seconds=4)
    ended_job(owner, kind=GenerationJobKind.PICTURE, seconds=45)
    found = scrape()
    series = (("kind", "picture"), ("status", "succeeded"))
    bucket = lambda le: found[("contentizer_job_duration_seconds_bucket", (*series[:1], ("le", le), *series[1:]))]  # noqa: E731
    assert (bucket("1.0"), bucket("5.0"), bucket("30.0"), bucket("60.0"), bucket("+Inf")) == (0, 1, 1, 2, 2)
    assert found[("contentizer_job_duration_seconds_sum", series)] == pytest.approx(49.0)
    assert found[("contentizer_job_duration_seconds_count", series)] == 2


def test_failures_are_counted_by_kind_and_the_stage_that_failed(owner):
    ended_job(
        owner, kind=GenerationJobKind.NARRATION, status=Job.Status.FAILED, error_stage="voice", error_message="no"
    )
    found = scrape()
    assert found[("contentizer_job_failures_total", (("kind", "narration"), ("stage", "voice")))] == 1
    assert found[("contentizer_job_duration_seconds_count", (("kind", "narration"), ("status", "failed")))] == 1


def test_cost_is_summed_in_dollars_and_a_run_over_the_estimate_is_counted(owner):
    ended_job(owner, kind=GenerationJobKind.PICTURE, estimated_cost=Decimal("0.0030"), actual_cost=Decimal("0.0030"))
    ended_job(owner, kind=GenerationJobKind.PICTURE, estimated_cost=Decimal("0.0030"), actual_cost=Decimal("0.0037"))
    found = scrape()
    assert found[("contentizer_job_cost_dollars_total", (("kind", "picture"),))] == pytest.approx(0.0067)
    assert found[("contentizer_job_estimated_cost_dollars_total", (("kind", "picture"),))] == pytest.approx(0.006)
    # 0.0037 is 23 % over 0.0030; 0.0030 is not over at all.
    assert found[("contentizer_job_cost_over_estimate_total", (("kind", "picture"),))] == 1


def test_cost_reads_zero_for_every_kind_before_anything_is_spent(db):
    found = scrape()
    for kind, _label in job_kind_choices():
        assert found[("contentizer_job_cost_dollars_total", (("kind", kind),))] == 0


def test_stuck_jobs_are_running_without_a_heartbeat_or_queued_past_the_grace(owner, settings):
    long_ago = timezone.now() - timedelta(hours=2)
    Job.objects.create(owner=owner, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING, heartbeat_at=long_ago)
    Job.objects.create(owner=owner, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    Job.objects.create(owner=owner, kind=VideoJobKind.EXPORT, status=Job.Status.QUEUED, enqueued_at=long_ago)
    Job.objects.create(owner=owner, kind=VideoJobKind.EXPORT, status=Job.Status.QUEUED, enqueued_at=timezone.now())
    found = scrape()
    assert found[("contentizer_jobs_stuck", (("reason", "stale_heartbeat"),))] == 1
    assert found[("contentizer_jobs_stuck", (("reason", "queued_past_grace"),))] == 1
    assert found[("contentizer_jobs", (("kind", "render"), ("state", "running")))] == 2


def test_a_scrape_costs_the_same_queries_with_many_jobs_as_with_one(owner, django_assert_max_num_queries):
    ended_job(owner)
    with django_assert_max_num_queries(12) as few:
        scrape()
    Job.objects.bulk_create(
        [Job(owner=owner, kind=GenerationJobKind.PICTURE, status=Job.Status.SUCCEEDED) for _ in range(300)]
    )
    for _ in range(20):
        ended_job(owner, kind=GenerationJobKind.PICTURE, seconds=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        scrape()


def test_provider_errors_are_counted_by_provider_and_kind(db):
    answers = iter([httpx.Response(503), httpx.Response(429), httpx.Response(200, json={"photos": []})])
    http = StockHttp(
        label="Pexels",
        settings=HttpSettings(retry=RetryPolicy(attempts=3, base_s=0, max_wait_s=0, budget_s=1, sleep=lambda s: None)),
    )
    http.client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    assert http.get_json("https://api.pexels.com/v1/search", params={}) == {"photos": []}
    found = scrape()
    assert found[("contentizer_provider_errors_total", (("kind", "server_error"), ("provider", "pexels")))] == 1
    assert found[("contentizer_provider_errors_total", (("kind", "rate_limited"), ("provider", "pexels")))] == 1


def test_http_requests_are_counted_by_view_and_status_with_their_latency(owner):
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=owner).key}")
    missing = ("contentizer_http_requests_total", (("method", "GET"), ("status", "404"), ("view", "unmatched")))
    listed = ("contentizer_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "api-jobs-list")))
    timed = ("contentizer_http_request_duration_seconds_count", (("method", "GET"), ("view", "api-jobs-list")))
    before = scrape()
    assert api.get("/api/v1/jobs").status_code == 200
    assert api.get("/no-such-page-here/").status_code == 404
    found = scrape()
    for series in (missing, listed, timed):
        assert found[series] - before.get(series, 0) == 1


def test_the_poll_cache_counts_its_hits_and_misses(owner):
    job = ended_job(owner, kind=GenerationJobKind.PICTURE)
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=owner).key}")
    before = scrape()
    for _ in range(3):
        assert api.get(f"/api/v1/jobs/{job.code}").status_code == 200
    found = scrape()
    hits = ("contentizer_poll_cache_requests_total", (("result", "hit"), ("source", "process")))
    misses = ("contentizer_poll_cache_requests_total", (("result", "miss"), ("source", "database")))
    assert found[hits] - before.get(hits, 0) >= 2
    assert found[misses] - before.get(misses, 0) <= 1


def test_several_web_processes_add_up_through_the_multiprocess_directory(db, tmp_path, monkeypatch):
    """Two daphne processes on one host (PROMETHEUS_MULTIPROC_DIR): a scrape of either one
    counts the requests both answered."""
    count_one = (
        "from core.request_metrics import HTTP_REQUESTS, HTTP_LATENCY;"
        "HTTP_REQUESTS.labels(view='home', method='GET', status='200').inc();"
        "HTTP_LATENCY.labels(view='home', method='GET').observe(0.02)"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # each its own process, as two daphnes are
        subprocess.run([sys.executable, "-c", count_one], env=env, cwd=settings.BASE_DIR, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    found = scrape()
    assert found[("contentizer_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "home")))] == 2
    assert found[("contentizer_http_request_duration_seconds_count", (("method", "GET"), ("view", "home")))] == 2
    assert found[("contentizer_database_up", ())] == 1


def test_webhook_outcomes_are_counted_when_they_happen(owner, settings):
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    settings.CONTENTIZER_WEBHOOK_MAX_ATTEMPTS = 2
    receiver = WebhookReceiver([500, 500, 200])
    try:
        refused, accepted = (
            WebhookDelivery.objects.create(
                owner=owner, event_id=f"msg_{i}", event_type="job.succeeded", url=receiver.url, payload="{}"
            )
            for i in range(2)
        )
        webhook_deliver(delivery_id=refused.pk)  # 500: a retry is scheduled
        WebhookDelivery.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now())  # now due
        webhook_deliver(delivery_id=refused.pk)  # 500 again: the last attempt
        webhook_deliver(delivery_id=accepted.pk)  # 200
    finally:
        receiver.close()
    found = scrape()
    assert found[("contentizer_webhook_failed_attempts_total", ())] == 2
    assert found[("contentizer_webhook_gave_up_total", ())] == 1
    assert found[("contentizer_webhook_delivered_total", ())] == 1
    assert found[("contentizer_webhook_deliveries", (("state", "pending"),))] == 0
