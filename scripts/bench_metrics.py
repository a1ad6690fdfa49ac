"""What one /metrics scrape costs on a big job table (issue 25), measured.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/obs_metrics_bench \\
        .venv/bin/python scripts/bench_metrics.py [--jobs 1000000] [--runs 5]

Creates the PostgreSQL database if it does not exist, migrates it, fills `jobs_job` up to
--jobs rows (one INSERT ... SELECT generate_series: kinds, states, costs and times spread
like a busy site's; 10 running, some failed and canceled) and ends 1,000 jobs through
job_metrics_record_end (as job_finished does) so the counter table holds what a real
site's would. Then times whole scrapes
(contentizer_site.metrics.metrics_text) and prints the median and the worst. Use a database
of its own: it is left in place for the next run (drop it when done).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contentizer_site.settings")

SEED = """
INSERT INTO jobs_job (code, owner_id, video_id, kind, status, stage, progress, attempts, crashes,
  error_stage, error_message, cancel_requested, estimated_cost, actual_cost, heartbeat_at, task_id,
  enqueued_at, created_at, started_at, finished_at)
SELECT md5(%(salt)s || i::text)::uuid, %(owner)s, NULL,
  (ARRAY['storyboard','render','export','picture','narration'])[1 + i %% 5],
  CASE WHEN i %% 100 = 0 THEN 'failed' WHEN i %% 250 = 1 THEN 'canceled'
       WHEN i > %(n)s - 10 THEN 'running' ELSE 'succeeded' END,
  'done', 100, 1, 0, CASE WHEN i %% 100 = 0 THEN 'compose' ELSE '' END,
  CASE WHEN i %% 100 = 0 THEN 'FFmpeg failed: x' ELSE '' END, false, 0.01, 0.011,
  now() - interval '1 minute', '', now() - (i || ' seconds')::interval,
  now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval,
  now() - (i || ' seconds')::interval + interval '30 seconds'
FROM generate_series(1, %(n)s) AS i
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of the benchmark's own.")
    _create_database(url)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from contentizer_site.metrics import metrics_text
    from core.models import MetricCounter
    from jobs.job_metrics import job_metrics_record_end
    from jobs.models import Job
    from jobs.registry import job_kind_choices

    owner, _ = get_user_model().objects.get_or_create(username="metrics-bench")
    have = Job.objects.count()
    if have < args.jobs:
        print(f"adding {args.jobs - have:,} jobs ...", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(SEED, {"salt": str(time.time()), "owner": owner.pk, "n": args.jobs - have})
            cursor.execute("ANALYZE jobs_job")
    if not MetricCounter.objects.exists():
        # What a site's counters hold after many job endings (the table stays small: one
        # row per series, however many jobs).
        start = timezone.now() - timezone.timedelta(minutes=5)
        kinds = [name for name, _label in job_kind_choices()]
        for i in range(1000):
            job = Job.objects.create(
                owner=owner,
                kind=kinds[i % len(kinds)],
                status=Job.Status.FAILED if i % 20 == 0 else Job.Status.SUCCEEDED,
                error_stage="compose" if i % 20 == 0 else "",
                started_at=start,
                finished_at=start + timezone.timedelta(seconds=1 + i % 700),
            )
            job_metrics_record_end(job)
    print(f"{Job.objects.count():,} jobs, {MetricCounter.objects.count()} counter rows", flush=True)
    metrics_text()  # warm: connections, imports
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        body = metrics_text()
        times.append((time.perf_counter() - began) * 1000)
    print(
        f"scrape: median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms "
        f"over {args.runs} runs; {len(body):,} bytes"
    )


def _create_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
