from __future__ import annotations

from django.db import models


class MetricCounter(models.Model):
    """One Prometheus series counted in the database (core/event_metrics.py): events that
    happen in worker processes on other machines (a job ending, a provider error, a
    download) add to a row here, and /metrics, in any web process, reads this small table
    instead of counting over the job table at every scrape."""

    name = models.CharField(max_length=80)
    # The series' labels as canonical text: sorted `key="value"` pairs joined by commas
    # (a histogram bucket's `le` included), exactly as the exposition writes them.
    labels = models.CharField(max_length=300, blank=True)
    value = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "labels"], name="metric_counter_unique_series")]

    def __str__(self) -> str:
        return f"{self.name}{{{self.labels}}} {self.value}"
