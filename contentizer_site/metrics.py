"""Prometheus metrics, read from the database at scrape time.

The job table is the truth for every process (web, each worker), so one collector that
counts rows is correct however many processes there are, with no multiprocess files.
Counters (`_total`) are sums over rows: deleting videos (and their jobs) lowers them,
which Prometheus reads as a counter reset; rate() over them stays meaningful.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from jobs.models import Job, WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# A failed job whose error came from FFmpeg: the composition service words every such
# failure "FFmpeg failed: ..." or "FFmpeg took too long ...", and an output that fails its
# probe checks fails at the "validate" stage.
_FFMPEG_FAILURE = Q(status=Job.Status.FAILED) & (Q(error_message__startswith="FFmpeg") | Q(error_stage="validate"))


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

    def _from_database(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily("contentizer_jobs", "Jobs by kind and state", labels=["kind", "state"])
        counts = {
            (row["kind"], row["status"]): row["n"]
            for row in Job.objects.order_by().values("kind", "status").annotate(n=Count("id"))
        }
        for kind in Job.Kind.values:
            for state in Job.Status.values:
                jobs.add_metric([kind, state], counts.get((kind, state), 0))
        yield jobs

        queued = sum(n for (_kind, state), n in counts.items() if state == Job.Status.QUEUED)
        yield GaugeMetricFamily("contentizer_queue_depth", "Jobs queued and waiting for a worker", value=queued)
        running = sum(n for (_kind, state), n in counts.items() if state == Job.Status.RUNNING)
        yield GaugeMetricFamily("contentizer_jobs_running", "Jobs a worker is running now", value=running)

        elapsed = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
        renders = Job.objects.order_by().filter(
            kind=Job.Kind.RENDER,
            status=Job.Status.SUCCEEDED,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        totals = renders.aggregate(spent=Sum(elapsed), video_ms=Sum("video__duration_ms"))
        render_seconds = totals["spent"].total_seconds() if totals["spent"] else 0.0
        video_seconds = (totals["video_ms"] or 0) / 1000
        yield CounterMetricFamily(
            "contentizer_render_seconds",
            "Wall-clock seconds from start to end of the render jobs that succeeded",
            value=render_seconds,
        )
        yield CounterMetricFamily(
            "contentizer_rendered_video_seconds",
            "Seconds of video those render jobs produced",
            value=video_seconds,
        )
        if video_seconds > 0:
            yield GaugeMetricFamily(
                "contentizer_render_seconds_per_video_second",
                "Render time per second of video made (lower is faster; 1.0 is real time)",
                value=render_seconds / video_seconds,
            )

        ffmpeg = CounterMetricFamily(
            "contentizer_ffmpeg_failures", "Failed jobs whose error came from FFmpeg", labels=["kind", "stage"]
        )
        for row in Job.objects.order_by().filter(_FFMPEG_FAILURE).values("kind", "error_stage").annotate(n=Count("id")):
            ffmpeg.add_metric([row["kind"], row["error_stage"] or "unknown"], row["n"])
        yield ffmpeg

        deliveries = GaugeMetricFamily(
            "contentizer_webhook_deliveries", "Webhook deliveries by state", labels=["state"]
        )
        by_state = dict(
            WebhookDelivery.objects.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
        )
        for state in WebhookDelivery.Status.values:
            deliveries.add_metric([state], by_state.get(state, 0))
        yield deliveries
        yield CounterMetricFamily(
            "contentizer_webhook_failed_attempts",
            "Webhook POSTs that failed (no answer, or a status other than 2xx)",
            value=WebhookAttempt.objects.exclude(error="").count(),
        )
        yield CounterMetricFamily(
            "contentizer_webhook_gave_up",
            "Webhook deliveries abandoned after the last attempt",
            value=by_state.get(WebhookDelivery.Status.FAILED, 0),
        )


def metrics_text() -> bytes:
    """The exposition text for one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ContentizerCollector())
    return generate_latest(registry)
