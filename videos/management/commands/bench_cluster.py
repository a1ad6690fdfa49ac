"""Benchmark one long render on one worker against the same render shared by two workers.

    manage.py bench_cluster [--minutes 10] [--quality 1080p] [--pairs 3] [--scratch DIR]

Issue 22's target: a long video on two workers pinned to one core each takes at most 0.6x
the wall time of one worker. Everything runs on a throwaway site under the scratch dir
(SQLite, the ORM broker, local storage, its own temp dir), never the site's:

1. migrate it, then make one storyboard (the fixed 60 s script of bench_job repeated to
   about --minutes, as far as the 120-scene limit allows: about 9 minutes; the default voice,
   offline pictures, no music) and approve it (untimed);
2. each pair renders that storyboard twice, in alternating order: "one" is one `qcluster`
   with one worker pinned to core 0 (`taskset -c 0`) and CONTENTIZER_PART_HELPERS=0; "two"
   is two `qcluster`s of one worker each, pinned to cores 0 and 1 (two machines sharing
   the database and the storage), whose render shares its segments (jobs.parts). The
   clusters are started and ready before the job is created, and stopped after it ends;
3. the wall time of a render is the job row's started_at to finished_at (claim to
   success: fetching, captions, every segment, the join, validation, the save).

Printed: every pair's walls, its ratio two/one and the load average before it, then the
medians. Needs two cores and `taskset` (util-linux).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from videos.management.commands.bench_job import SCRIPTS

_SITE_ENV = re.compile(
    r"^(DATABASE_URL|REDIS_URL|STORAGE_BACKEND|AWS_.*|REPLICATE_.*|PEXELS_.*|PIXABAY_.*|"
    r"SQLITE_PATH|SQLITE_TEST_PATH|MEDIA_ROOT|CONTENTIZER_TMP_DIR|CONTENTIZER_CHANGE_STAMPS_FILE|"
    r"PROMETHEUS_MULTIPROC_DIR|Q_SYNC|Q_WORKERS|CONTENTIZER_PART_HELPERS)$"
)
TARGET = 0.6


class Command(BaseCommand):
    help = "One long render on one worker against two workers pinned to a core each (paired, medians)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=float, default=10.0, help="About how long the video is (default 10)")
        parser.add_argument("--quality", default="1080p", choices=["480p", "720p", "1080p"])
        parser.add_argument("--pairs", type=int, default=3)
        parser.add_argument("--scratch", type=Path, help="Scratch dir (default: a new temp dir, removed after)")
        # Internal: the steps run in a child on the scratch site.
        parser.add_argument("--_prepare", dest="prepare", action="store_true", help="(internal)")
        parser.add_argument("--_request", dest="request", type=int, help="(internal)")

    def handle(self, *args, **options) -> None:
        if options["prepare"]:
            return self._prepare(options["minutes"], options["quality"])
        if options["request"]:
            return self._request(options["request"])
        if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
            raise CommandError("bench_cluster needs `taskset` and at least two cores")
        keep = options["scratch"] is not None
        site = options["scratch"] or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
        try:
            self._run(site, options["minutes"], options["quality"], options["pairs"])
        finally:
            if not keep:
                shutil.rmtree(site, ignore_errors=True)

    # --- children on the scratch site ---------------------------------------------------

    def _prepare(self, minutes: float, quality: str) -> None:
        from django.contrib.auth import get_user_model
        from django.core.exceptions import ValidationError

        from videos.selectors import video_duration_ms
        from videos.services import storyboard_approve, video_create

        # The fixed script lasts about 65 s; as many times as fit the storyboard's scene limit
        # (120 scenes: eight times, about 9 minutes, for a --minutes of 10).
        repeats = max(1, round(minutes * 60 / 65))
        user = get_user_model().objects.create_user("bench", password="x")
        while True:
            script = "\n\n".join([SCRIPTS[60].strip()] * repeats)
            try:
                video = video_create(owner=user, script=script, title="Bench", quality=quality, music="none")
                break
            except ValidationError:
                if repeats == 1:
                    raise
                repeats -= 1
        video.refresh_from_db()
        if not video.is_approved:
            video = storyboard_approve(video=video, user=user)
        self.stdout.write(f"video {video.pk} {video_duration_ms(video)}")

    def _request(self, video_id: int) -> None:
        from jobs.services import job_create
        from videos.models import Video, VideoJobKind

        video = Video.objects.get(pk=video_id)
        # Past the quota on purpose: a benchmark renders the same video again and again.
        job = job_create(owner=video.owner, video=video, kind=VideoJobKind.RENDER)
        self.stdout.write(f"job {job.pk}")

    # --- the parent -------------------------------------------------------------------------

    def _env(self, site: Path, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not _SITE_ENV.match(k)}
        env.update(
            SQLITE_PATH=str(site / "db.sqlite3"),
            MEDIA_ROOT=str(site / "media"),
            CONTENTIZER_TMP_DIR=str(site / "tmp"),
            STORAGE_BACKEND="local",
            PYTHONUNBUFFERED="1",
            **extra,
        )
        (site / "media").mkdir(parents=True, exist_ok=True)
        (site / "tmp").mkdir(parents=True, exist_ok=True)
        return env

    def _manage(self, *args: str, env: dict[str, str]) -> str:
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
        result = subprocess.run(argv, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True)
        if result.returncode:
            raise CommandError(f"`manage.py {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def _clusters(self, site: Path, cores: list[int], helpers: int, log: Path) -> list[subprocess.Popen[bytes]]:
        env = self._env(site, Q_WORKERS="1", Q_SYNC="0", CONTENTIZER_PART_HELPERS=str(helpers))
        procs = []
        for core in cores:
            out = open(log.with_suffix(f".{core}.log"), "wb")
            procs.append(
                subprocess.Popen(
                    [
                        "taskset",
                        "-c",
                        str(core),
                        sys.executable,
                        str(Path(settings.BASE_DIR) / "manage.py"),
                        "qcluster",
                    ],
                    env=env,
                    cwd=settings.BASE_DIR,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
            out.close()
        deadline = time.monotonic() + 60
        while not all(b"ready for work" in log.with_suffix(f".{c}.log").read_bytes() for c in cores):
            if time.monotonic() > deadline:
                raise CommandError(f"the clusters did not start; see {log.parent}")
            time.sleep(0.2)
        return procs

    def _stop(self, procs: list[subprocess.Popen[bytes]]) -> None:
        for proc in procs:
            descendants = psutil.Process(proc.pid).children(recursive=True)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            _gone, alive = psutil.wait_procs(descendants, timeout=10)
            for child in alive:
                child.kill()

    def _render(self, site: Path, video_id: int, mode: str, number: int) -> float:
        from datetime import datetime

        cores, helpers = ([0], 0) if mode == "one" else ([0, 1], 1)
        procs = self._clusters(site, cores, helpers, site / f"qcluster-{number}-{mode}")
        try:
            job_id = int(self._manage("bench_cluster", "--_request", str(video_id), env=self._env(site)).split()[-1])
            db = site / "db.sqlite3"
            while True:
                time.sleep(1)
                row = _job_row(db, job_id)
                if row[0] in ("succeeded", "failed", "canceled"):
                    break
            if row[0] != "succeeded":
                raise CommandError(f"the {mode} render ended {row[0]}: {row[3]}")
            return (datetime.fromisoformat(row[2]) - datetime.fromisoformat(row[1])).total_seconds()
        finally:
            self._stop(procs)

    def _run(self, site: Path, minutes: float, quality: str, pairs: int) -> None:
        w = self.stdout.write
        self._manage("migrate", "--no-input", env=self._env(site))
        self._manage("createcachetable", env=self._env(site))
        w(f"Scratch site {site}: making the storyboard (untimed) ...")
        prepared = self._manage(
            "bench_cluster",
            "--_prepare",
            "--minutes",
            str(minutes),
            "--quality",
            quality,
            env=self._env(site, Q_SYNC="1"),
        )
        _, video_id, duration_ms = prepared.split()[-3:]
        w(f"{int(duration_ms) / 1000:.0f} s video at {quality}, {pairs} pairs, segments of {_segment_s()} s")
        w(f"{'pair':>4} {'order':>8} {'load':>5} {'one s':>8} {'two s':>8} {'two/one':>8}")
        ratios, ones, twos = [], [], []
        for number in range(pairs):
            order = ("one", "two") if number % 2 == 0 else ("two", "one")
            load = psutil.getloadavg()[0]
            walls = {mode: self._render(site, int(video_id), mode, number) for mode in order}
            ratio = walls["two"] / walls["one"]
            ones.append(walls["one"])
            twos.append(walls["two"])
            ratios.append(ratio)
            w(
                f"{number + 1:>4} {'/'.join(order):>8} {load:>5.1f} {walls['one']:>8.1f} {walls['two']:>8.1f} {ratio:>8.3f}"
            )
        median = statistics.median(ratios)
        w(
            f"median: one {statistics.median(ones):.1f} s, two {statistics.median(twos):.1f} s, "
            f"ratio {median:.3f} (target at most {TARGET}: {'met' if median <= TARGET else 'NOT met'})"
        )
        w(f"load average now {psutil.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _segment_s() -> float:
    return settings.CONTENTIZER_RENDER_SEGMENT_MS / 1000


def _job_row(db: Path, job_id: int) -> tuple[str, str, str, str]:
    import sqlite3

    with sqlite3.connect(db, timeout=20) as conn:
        status, started, finished, error = conn.execute(
            "SELECT status, started_at, finished_at, error_message FROM jobs_job WHERE id = ?", (job_id,)
        ).fetchone()
    return status, started or "", finished or "", error or ""
