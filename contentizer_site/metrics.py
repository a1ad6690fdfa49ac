"""Prometheus metrics for /metrics: cheap at scrape time however big the job table is.

Three sources, each correct across every process (web, each worker, several machines):
- **the database counters** (core/event_metrics.py): what happens when a job ends (duration
  histogram, failures by kind and stage, cost, cost over estimate), provider errors,
  downloads, storyboard reviews. Written once per event by whichever process saw it; read
  here in one query over a table of a few hundred rows.
- **a few indexed reads of the job table** for what is true now: active jobs by kind and
  state, stuck jobs (status + heartbeat/enqueue stamp, both on the (status, heartbeat_at)
  index's leading column), the worker heartbeats and free disk.
- **the web processes' own counters** (core/request_metrics.py): HTTP requests and latency,
  the poll cache; added up over daphne processes through PROMETHEUS_MULTIPROC_DIR.

Counters (`_total`) only go up (a reset is a process restart or a wiped table, which
rate() handles). `manage.py metrics_bench` measures a scrape.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from core import request_metrics
from core.event_metrics import labels_parse, metric_rows
from jobs.models import Job, WebhookDelivery, stale_running
from jobs.registry import job_kind_choices

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# The database counters by name (without `_total`), with their help text. A counter stored
# under a name not listed here is still exposed, with a generic help.
COUNTERS = {
    "contentizer_job_failures": "Jobs that failed, by kind and the stage that failed",
    "contentizer_ffmpeg_failures": "Failed jobs whose error came from FFmpeg, by kind and stage",
    "contentizer_job_cost_dollars": "Actual cost of the jobs that ended (USD; Replicate prices, 0 offline)",
    "contentizer_job_estimated_cost_dollars": "Estimated cost of the jobs that ended (USD)",
    "contentizer_job_cost_over_estimate": "Jobs whose actual cost ran more than 20 % over their estimate",
    "contentizer_jobs_ended_unstarted": "Jobs that ended without running (canceled while queued)",
    "contentizer_provider_errors": "Errors from outside providers (Replicate, Pexels, Pixabay), by provider and kind",
    "contentizer_downloads": "Downloads of rendered videos (master) and exports, by what and format",
    "contentizer_render_seconds": "Wall-clock seconds of the render jobs that succeeded",
    "contentizer_rendered_video_seconds": "Seconds of video those render jobs produced",
    "contentizer_storyboard_reviews": "Storyboard approvals and rejections, by decision",
    "contentizer_webhook_delivered": "Webhook deliveries the receiver accepted (2xx)",
    "contentizer_webhook_failed_attempts": "Webhook POSTs that failed (no answer, or a status other than 2xx)",
    "contentizer_webhook_gave_up": "Webhook deliveries abandoned after the last attempt",
}
# Counters labelled by kind alone, exposed for every kind (0 until something is counted).
PER_KIND = (
    "contentizer_job_cost_dollars",
    "contentizer_job_estimated_cost_dollars",
    "contentizer_job_cost_over_estimate",
)
# Counters without labels, exposed as 0 until their first event.
UNLABELLED = (
    "contentizer_render_seconds",
    "contentizer_rendered_video_seconds",
    "contentizer_webhook_delivered",
    "contentizer_webhook_failed_attempts",
    "contentizer_webhook_gave_up",
)
HISTOGRAMS = {
    "contentizer_job_duration_seconds": "Job run time from claim to end, by kind and outcome",
}


class ContentizerCollector:
    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("contentizer_database_up", "1 when the metrics could be read from the database")
        try:
            families = list(self._from_database())
        except Exception:  # noqa: BLE001 - a scrape must say "down", not fail with a 500
            logger.exception("metrics: the database could not be read")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families
        yield from _workers()
        yield from _disks()

    def _from_database(self) -> Iterator[Metric]:
        yield from _active_jobs()
        yield from _stored_counters()
        yield from _webhooks()


def _kinds() -> list[str]:
    # Read generically: whatever kinds the apps registered (jobs.registry).
    return [name for name, _label in job_kind_choices()]


def _active_jobs() -> Iterator[Metric]:
    now = timezone.now()
    # Only the active states: they are few, and the (status, heartbeat_at) index finds them.
    # How jobs ended is the duration histogram's _count (by kind and status).
    counts = {
        (row["kind"], row["status"]): row["n"]
        for row in Job.objects.order_by().filter(status__in=Job.ACTIVE).values("kind", "status").annotate(n=Count("id"))
    }
    jobs = GaugeMetricFamily(
        "contentizer_jobs", "Active jobs by kind and state (queued, running)", labels=["kind", "state"]
    )
    for kind in sorted(set(_kinds()) | {kind for kind, _state in counts}):
        for state in Job.ACTIVE:
            jobs.add_metric([kind, state], counts.get((kind, state), 0))
    yield jobs
    queued = sum(n for (_kind, state), n in counts.items() if state == Job.Status.QUEUED)
    running = sum(n for (_kind, state), n in counts.items() if state == Job.Status.RUNNING)
    yield GaugeMetricFamily("contentizer_queue_depth", "Jobs queued and waiting for a worker", value=queued)
    yield GaugeMetricFamily("contentizer_jobs_running", "Jobs a worker is running now", value=running)

    grace = now - timedelta(seconds=settings.CONTENTIZER_QUEUED_GRACE_SECONDS)
    stuck = GaugeMetricFamily(
        "contentizer_jobs_stuck",
        "Jobs running with a stale heartbeat, or queued past the grace period",
        labels=["reason"],
    )
    stuck.add_metric(["stale_heartbeat"], Job.objects.filter(stale_running(now)).count())
    stuck.add_metric(
        ["queued_past_grace"],
        Job.objects.filter(
            Q(status=Job.Status.QUEUED) & (Q(enqueued_at__lt=grace) | Q(enqueued_at__isnull=True, created_at__lt=grace))
        ).count(),
    )
    yield stuck


def _stored_counters() -> Iterator[Metric]:
    counters: dict[str, list[tuple[dict[str, str], float]]] = defaultdict(list)
    # histogram base name -> its labels but `le` (sorted pairs) -> {"buckets": {le: n}, "sum": x, "count": n}
    histograms: dict[str, dict[tuple[tuple[str, str], ...], dict[str, Any]]] = defaultdict(
        lambda: defaultdict(lambda: {"buckets": {}})
    )
    for name, label_text, value in metric_rows():
        base, _, part = name.rpartition("_")
        if base in HISTOGRAMS and part in ("bucket", "sum", "count"):
            parsed = labels_parse(label_text)
            le = parsed.pop("le", None)
            key = tuple(sorted(parsed.items()))
            series = histograms[base][key]
            if part == "bucket":
                series["buckets"][le] = value
            else:
                series[part] = value
        else:
            counters[name].append((labels_parse(label_text), value))

    totals: dict[str, float] = {}
    kinds = _kinds()
    for name in sorted(set(COUNTERS) | set(counters)):
        rows = counters.get(name, [])
        if name in UNLABELLED and not rows:
            rows = [({}, 0.0)]
        if name in PER_KIND:
            # Every kind, spent or not: "cost a day" reads 0 on an offline site, not "no data".
            seen = {labels.get("kind") for labels, _ in rows}
            rows = rows + [({"kind": kind}, 0.0) for kind in kinds if kind not in seen]
        label_names = sorted({key for labels, _ in rows for key in labels})
        family = CounterMetricFamily(name, COUNTERS.get(name, name.replace("_", " ")), labels=label_names)
        for labels, value in rows:
            family.add_metric([labels.get(key, "") for key in label_names], value)
        totals[name] = sum(value for _, value in rows)
        yield family

    for base, help_text in HISTOGRAMS.items():
        series_by_key = histograms.get(base, {})
        label_names = sorted({key for key_items in series_by_key for key, _ in key_items})
        histogram = HistogramMetricFamily(base, help_text, labels=label_names)
        for key_items, series in sorted(series_by_key.items()):
            series_labels = dict(key_items)
            edges = sorted(((math.inf if le == "+Inf" else float(le)), n) for le, n in series["buckets"].items())
            buckets, running = [], 0.0
            for edge in _bucket_edges(edges):
                running += dict(edges).get(edge, 0.0)
                buckets.append(("+Inf" if math.isinf(edge) else _edge_text(edge), running))
            histogram.add_metric(
                [series_labels.get(key, "") for key in label_names], buckets, sum_value=series.get("sum", 0.0)
            )
        yield histogram

    render, video = totals.get("contentizer_render_seconds", 0.0), totals.get("contentizer_rendered_video_seconds", 0.0)
    if video > 0:
        yield GaugeMetricFamily(
            "contentizer_render_seconds_per_video_second",
            "Render time per second of video made, all time (lower is faster; 1.0 is real time)",
            value=render / video,
        )


def _bucket_edges(stored: list[tuple[float, float]]) -> list[float]:
    """Every edge of the standard buckets plus any stored one, ending with +Inf."""
    from core.event_metrics import DURATION_BUCKETS

    return sorted({*map(float, DURATION_BUCKETS), *(edge for edge, _ in stored), math.inf})


def _edge_text(edge: float) -> str:
    return repr(float(edge))


def _webhooks() -> Iterator[Metric]:
    # Deliveries still owed an attempt, from the (status, next_attempt_at) index; how the
    # others ended is counted when they end (contentizer_webhook_delivered_total, ..._gave_up_total).
    active = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING)
    by_state = dict(
        WebhookDelivery.objects.order_by()
        .filter(status__in=active)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    deliveries = GaugeMetricFamily(
        "contentizer_webhook_deliveries", "Webhook deliveries still owed an attempt, by state", labels=["state"]
    )
    for state in active:
        deliveries.add_metric([state], by_state.get(state, 0))
    yield deliveries


def _workers() -> Iterator[Metric]:
    """The django-q2 clusters whose heartbeat the broker holds (a cluster that stops
    beating drops out within seconds)."""
    try:
        from django_q.brokers import get_broker
        from django_q.status import Stat

        stats = Stat.get_all(broker=get_broker())
    except Exception:  # noqa: BLE001 - a broker that does not answer reads as no workers
        logger.warning("metrics: the worker heartbeats could not be read", exc_info=True)
        stats = []
    yield GaugeMetricFamily("contentizer_worker_clusters", "Worker clusters with a live heartbeat", value=len(stats))
    yield GaugeMetricFamily(
        "contentizer_worker_processes",
        "Worker processes in those clusters",
        value=sum(len(s.workers or []) for s in stats),
    )
    if stats:
        newest = max(s.timestamp for s in stats)
        yield GaugeMetricFamily(
            "contentizer_worker_heartbeat_age_seconds",
            "Seconds since the newest worker heartbeat",
            value=max(0.0, (timezone.now() - newest).total_seconds()),
        )


def _disks() -> Iterator[Metric]:
    from jobs.system_status import disks

    free = GaugeMetricFamily(
        "contentizer_disk_free_bytes", "Free bytes where this process keeps files", labels=["disk"]
    )
    size = GaugeMetricFamily("contentizer_disk_size_bytes", "Size in bytes of those disks", labels=["disk"])
    for disk in disks():
        if disk.error:
            continue
        label = "media" if disk.label.startswith("Media") else "tmp"
        free.add_metric([label], disk.free)
        size.add_metric([label], disk.total)
    yield free
    yield size


def metrics_text() -> bytes:
    """The exposition text for one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ContentizerCollector())
    shared = request_metrics.multiprocess_dir()
    if shared:
        MultiProcessCollector(registry, path=shared)
        text = generate_latest(registry)
    else:
        text = generate_latest(registry) + generate_latest(request_metrics.REGISTRY)
    return text
