"""Benchmark the job status poll against a static file served by the same server.

Starts daphne on a free loopback port against a temporary database (migrated fresh, with
a user, an API token and a running render job), then runs `wrk` (a C load generator,
Debian package `wrk`) with a fixed number of connections for a bounded time against
(a) a static file served through Django's static handler and (b) `GET /api/v1/jobs/<code>`
with the token, back to back, repeated. Prints req/s, p50, p99, errors, the server's CPU
per request, and the median of the per-repeat ratios poll/static. Then the same while a
render runs on the machine (`make_video` of a ~30 s 1080p script, looped in a
subprocess).

`--tree DIR` runs the server (and the render) from another copy of the project, e.g. the
code as it was before a change: `git archive <commit> | tar -x -C /tmp/base`. It must
share this virtualenv's packages. Figures only: nothing is asserted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

STATIC_PATH = "/static/css/app.css"

# Run in the server's tree with its own models: a creator, a token and a job that is running.
SETUP_CODE = """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from jobs.models import Job
from videos.models import Video
user = get_user_model().objects.create_user("bench", "bench@example.com", "bench-password-1")
token = Token.objects.create(user=user)
video = Video.objects.create(owner=user, title="Bench", script="Boats.", status=Video.Status.RENDERING)
now = timezone.now()
job = Job.objects.create(owner=user, video=video, kind=VideoJobKind.RENDER, status=Job.Status.RUNNING,
    stage="video", progress=42, attempts=1, started_at=now, heartbeat_at=now)
print("BENCH " + json.dumps({"token": token.key, "job": str(job.code)}))
"""

# About 30 s of narration at 165 words a minute.
RENDER_SCRIPT = """# Harbour

The harbour wakes before the town does, with gulls and engines and the smell of salt.

Fishing boats come home heavy, and the market fills with voices and ice and silver.

By noon the water is quiet again, and the old cranes stand still against the sky.

In the evening the lighthouse turns its patient eye across the bay until morning.
"""

# A shell loop (no Python of ours between renders): one render after another until killed.
RENDER_LOOP = (
    'while true; do "$0" manage.py make_video "$1" --out "$2" --quality 1080p --owner render >/dev/null 2>&1; done'
)


@dataclass(frozen=True)
class WrkFigures:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_ms_per_request: float


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise CommandError(f"cannot read a latency from wrk: {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str) -> tuple[float, float, float, int, int]:
    """(req/s, p50 ms, p99 ms, requests, errors) from `wrk --latency` output; errors are
    socket errors plus non-2xx/3xx responses."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M)[1])
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M)[1])
    requests = int(re.search(r"(\d+) requests in", output)[1])
    errors = 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sock:
        errors += sum(int(n) for n in sock.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx[1])
    return rps, p50, p99, requests, errors


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = (
        "Job status poll vs a static file under daphne, with wrk: req/s, p50, p99, errors (idle, then during a render)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=int, default=10, help="Length of each wrk run")
        parser.add_argument("--repeats", type=int, default=3, help="Static/poll pairs per phase")
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--threads", type=int, default=2, help="wrk threads")
        parser.add_argument("--no-render", action="store_true", help="Skip the phase with a render running")
        parser.add_argument(
            "--render-warmup", type=float, default=8.0, help="Seconds between starting the render and measuring"
        )
        parser.add_argument(
            "--tree", type=Path, default=None, help="Run the server from this project tree (default: this one)"
        )

    def handle(self, *args, **opts) -> None:
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("wrk is not installed (Debian: apt-get install wrk; scripts/setup.sh installs it)")
        tree = (opts["tree"] or Path(settings.BASE_DIR)).resolve()
        if not (tree / "manage.py").exists():
            raise CommandError(f"{tree} is not a project tree (no manage.py)")
        self.wrk = wrk
        self.opts = opts
        tmp = Path(tempfile.mkdtemp(prefix="contentizer-bench-poll-"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "contentizer_site.settings",
            "SQLITE_PATH": str(tmp / "db.sqlite3"),
            "MEDIA_ROOT": str(tmp / "media"),
            "CONTENTIZER_TMP_DIR": str(tmp),
            "Q_SYNC": "1",
            "LOG_LEVEL": "WARNING",
        }
        for name in ("REDIS_URL", "DATABASE_URL", "STORAGE_BACKEND"):
            self.env.pop(name, None)
        self.tree = tree
        daphne = None
        render = None
        try:
            self._manage("migrate", "--noinput")
            self._manage("createcachetable")
            setup = self._manage("shell", "-c", SETUP_CODE)
            line = next(line for line in setup.splitlines() if line.startswith("BENCH "))
            data = json.loads(line[len("BENCH ") :])
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            daphne = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "contentizer_site.asgi:application",
                ],
                cwd=tree,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=open(tmp / "daphne.log", "w"),  # noqa: SIM115 - lives as long as daphne
            )
            self.server = psutil.Process(daphne.pid)
            self._wait_up(base + STATIC_PATH, daphne, tmp)
            self.static_url = base + STATIC_PATH
            self.poll_url = f"{base}/api/v1/jobs/{data['job']}"
            self.token = data["token"]
            self._check_poll()
            self.stdout.write(
                f"tree {tree}; daphne pid {daphne.pid}; {opts['connections']} connections, "
                f"{opts['seconds']} s per run, {opts['repeats']} pairs; cores {os.cpu_count()}; "
                f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
            )
            self._phase("idle")
            if not opts["no_render"]:
                script = tmp / "render.md"
                script.write_text(RENDER_SCRIPT)
                render = subprocess.Popen(
                    ["/bin/sh", "-c", RENDER_LOOP, sys.executable, str(script), str(tmp / "render.mp4")],
                    cwd=tree,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                time.sleep(opts["render_warmup"])
                self.ffmpeg_seen: dict[int, int] = {}
                self._phase("render running", sample_render=render.pid)
                seen = ", ".join(f"pid {pid} nice {nice}" for pid, nice in sorted(self.ffmpeg_seen.items()))
                self.stdout.write(
                    f"FFmpeg seen during the runs: {seen or 'none'}; "
                    f"renders finished meanwhile: {'yes' if (tmp / 'render.mp4').exists() else 'none yet'}; "
                    f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
                )
        finally:
            if render is not None:
                # The loop is in its own session: its group is the shell, make_video and FFmpeg.
                try:
                    os.killpg(render.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                render.wait()
            if daphne is not None:
                daphne.send_signal(signal.SIGTERM)
                try:
                    daphne.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    daphne.kill()
                    daphne.wait()
            shutil.rmtree(tmp, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------

    def _manage(self, *argv: str) -> str:
        proc = subprocess.run(
            [sys.executable, "manage.py", *argv], cwd=self.tree, env=self.env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise CommandError(f"manage.py {argv[0]} failed in {self.tree}:\n{proc.stderr[-3000:]}")
        return proc.stdout

    def _wait_up(self, url: str, proc: subprocess.Popen, tmp: Path) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                return
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise CommandError("daphne did not start:\n" + (tmp / "daphne.log").read_text()[-3000:]) from None
                time.sleep(0.2)

    def _check_poll(self) -> None:
        request = urllib.request.Request(self.poll_url, headers={"Authorization": f"Token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            body = json.loads(response.read())
        if body.get("status") != "running":
            raise CommandError(f"the poll did not answer the job: {body}")

    def _wrk(self, url: str, headers: list[str]) -> WrkFigures:
        o = self.opts
        argv = [
            self.wrk,
            f"-t{o['threads']}",
            f"-c{o['connections']}",
            f"-d{o['seconds']}s",
            "--latency",
            "--timeout",
            "5s",
        ]
        for header in headers:
            argv += ["-H", header]
        cpu_before = sum(self.server.cpu_times()[:2])
        proc = subprocess.run([*argv, url], capture_output=True, text=True, timeout=o["seconds"] + 30)
        cpu = sum(self.server.cpu_times()[:2]) - cpu_before
        if proc.returncode != 0:
            raise CommandError(f"wrk failed: {proc.stderr or proc.stdout}")
        rps, p50, p99, requests, errors = parse_wrk(proc.stdout)
        return WrkFigures(rps, p50, p99, requests, errors, 1000 * cpu / max(requests, 1))

    def _sample_ffmpeg(self, root_pid: int) -> None:
        try:
            for proc in psutil.Process(root_pid).children(recursive=True):
                if proc.name() == "ffmpeg":
                    self.ffmpeg_seen[proc.pid] = proc.nice()
        except psutil.Error:
            pass

    def _phase(self, name: str, sample_render: int | None = None) -> None:
        self.stdout.write(f"\n== {name}")
        self.stdout.write(f"{'run':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'cpu ms/req':>12}")
        statics, polls, ratios = [], [], []
        for repeat in range(1, self.opts["repeats"] + 1):
            static = self._wrk(self.static_url, [])
            if sample_render:
                self._sample_ffmpeg(sample_render)
            poll = self._wrk(self.poll_url, [f"Authorization: Token {self.token}"])
            if sample_render:
                self._sample_ffmpeg(sample_render)
            statics.append(static)
            polls.append(poll)
            ratios.append(poll.rps / static.rps if static.rps else 0.0)
            for label, f in (("static", static), ("poll", poll)):
                self.stdout.write(
                    f"{label + ' ' + str(repeat):<10}{f.rps:>9.1f}{f.p50_ms:>9.1f}{f.p99_ms:>9.1f}"
                    f"{f.errors:>8}{f.cpu_ms_per_request:>12.2f}"
                )
        for label, runs in (("static", statics), ("poll", polls)):
            self.stdout.write(
                f"{label + ' med':<10}{statistics.median(r.rps for r in runs):>9.1f}"
                f"{statistics.median(r.p50_ms for r in runs):>9.1f}{statistics.median(r.p99_ms for r in runs):>9.1f}"
                f"{sum(r.errors for r in runs):>8}{statistics.median(r.cpu_ms_per_request for r in runs):>12.2f}"
            )
        self.stdout.write(
            f"poll/static req/s: median of paired ratios {statistics.median(ratios):.2f} "
            f"({', '.join(f'{r:.2f}' for r in ratios)}); worst poll p99 {max(p.p99_ms for p in polls):.1f} ms; "
            f"poll errors {sum(p.errors for p in polls)}"
        )
