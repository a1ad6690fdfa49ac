"""Metrics counted in the web processes on every request: HTTP requests by view, method and
status with their latency, and the job poll's status cache hits and misses.

These happen far too often to write the database each time, so they live in the process
(prometheus_client). With several daphne processes on one host, set
PROMETHEUS_MULTIPROC_DIR to a directory they share (emptied when the service starts):
prometheus_client then keeps each process's values in a file there and a scrape of any
one process adds them all up (contentizer_site/metrics.py). Without it (one daphne, the
embedded default) the values are this process's own. Each host's web service is a
Prometheus target of its own, so hosts add up in PromQL (`sum by (...)`).
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram

# Exposed by this process when there is no multiprocess directory; in multiprocess mode the
# values go to files and the scrape reads them with a MultiProcessCollector instead.
REGISTRY = CollectorRegistry(auto_describe=True)

# Page views and API calls end well under a second; file downloads and uploads may take long.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

HTTP_REQUESTS = Counter(
    "contentizer_http_requests",
    "HTTP requests answered, by view (URL name), method and status code",
    ["view", "method", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "contentizer_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view",
    ["view", "method"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
POLL_CACHE = Counter(
    "contentizer_poll_cache_requests",
    "Job status reads by pollers (API poll, progress websocket): hit = no query, miss = the row was read",
    ["result", "source"],
    registry=REGISTRY,
)


def multiprocess_dir() -> str:
    """The shared directory of multiprocess mode ('' when off)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "") or os.environ.get("prometheus_multiproc_dir", "")


def poll_cache_counted(*, hit: bool, source: str) -> None:
    POLL_CACHE.labels(result="hit" if hit else "miss", source=source).inc()
