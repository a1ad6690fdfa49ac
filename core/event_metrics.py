"""Counters and histograms kept in the database, for events that happen anywhere.

A job ends in a worker on another machine; a provider error happens in a worker; a
download happens in one of several web processes. Each adds to a row of MetricCounter
(`UPDATE ... SET value = value + n`, atomic in every database), and /metrics, in whichever
process Prometheus scrapes, reads the whole small table: a scrape costs one query however
many jobs there are, and no process's counts are lost when it restarts.

Histograms are stored as one row per bucket (not cumulative: one UPDATE per observation)
plus `_sum` and `_count`; the collector adds the buckets up when it writes them out.

Counting is best effort: a failure is logged and never breaks the job or the request.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.db.models import F

from core.models import MetricCounter

logger = logging.getLogger(__name__)

# Job durations (s): fine where pictures and narrations end, coarse where renders do; 600
# is an edge so the "p95 over 600 s" alert is exact.
DURATION_BUCKETS: tuple[float, ...] = (1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600)


def labels_text(labels: Mapping[str, object]) -> str:
    """The canonical `a="x",b="y"` form (sorted keys, exposition escaping)."""

    def escape(value: object) -> str:
        return str(value).replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")

    return ",".join(f'{key}="{escape(labels[key])}"' for key in sorted(labels))


def labels_parse(text: str) -> dict[str, str]:
    """The inverse of labels_text."""
    found: dict[str, str] = {}
    i = 0
    while i < len(text):
        eq = text.index("=", i)
        key = text[i:eq]
        j = eq + 2
        value = []
        while text[j] != '"':
            if text[j] == "\\":
                j += 1
                value.append({"n": "\n"}.get(text[j], text[j]))
            else:
                value.append(text[j])
            j += 1
        found[key] = "".join(value)
        i = j + 2  # past the closing quote and the comma
    return found


def _add(name: str, labels: str, amount: float) -> None:
    updated = MetricCounter.objects.filter(name=name, labels=labels).update(value=F("value") + amount)
    if updated:
        return
    try:
        with transaction.atomic():
            MetricCounter.objects.create(name=name, labels=labels, value=amount)
    except IntegrityError:
        # Another process made the row between our UPDATE and INSERT: add to it.
        MetricCounter.objects.filter(name=name, labels=labels).update(value=F("value") + amount)


def metric_count(name: str, labels: Mapping[str, object] | None = None, amount: float = 1) -> None:
    """Add `amount` to the counter `name` (without `_total`) with these labels."""
    if amount == 0:
        return
    try:
        _add(name, labels_text(labels or {}), float(amount))
    except Exception:  # noqa: BLE001 - counting must never break the work it counts
        logger.warning("metrics: could not count %s", name, exc_info=True)


def metric_observe(
    name: str,
    value: float,
    labels: Mapping[str, object] | None = None,
    buckets: Iterable[float] = DURATION_BUCKETS,
) -> None:
    """Record one observation of the histogram `name`."""
    base = dict(labels or {})
    le = next((edge for edge in buckets if value <= edge), math.inf)
    try:
        _add(f"{name}_bucket", labels_text({**base, "le": _le_text(le)}), 1)
        _add(f"{name}_sum", labels_text(base), float(value))
        _add(f"{name}_count", labels_text(base), 1)
    except Exception:  # noqa: BLE001
        logger.warning("metrics: could not observe %s", name, exc_info=True)


def _le_text(edge: float) -> str:
    return "+Inf" if math.isinf(edge) else repr(float(edge))


def metric_rows() -> list[tuple[str, str, float]]:
    """Every stored series as (name, labels text, value): one query."""
    return list(MetricCounter.objects.order_by("name", "labels").values_list("name", "labels", "value"))
