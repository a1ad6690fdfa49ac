"""Render a script file into an MP4 from the command line, through the same services
the pages and the API call: create -> storyboard job -> approve -> render job."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jobs.models import Job
from videos.models import Video
from videos.services import render_request, storyboard_approve, video_create


class Command(BaseCommand):
    help = "Turn a script file into a finished MP4 (storyboard, narration, pictures, render)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("script", type=Path, help="A .txt or .md file with the script")
        parser.add_argument("--out", type=Path, required=True, help="Where to write the MP4")
        parser.add_argument("--title", default="", help="Video title (default: the file name)")
        parser.add_argument("--aspect", default="16:9", choices=Video.Aspect.values)
        parser.add_argument("--quality", default="720p", choices=Video.Quality.values)
        parser.add_argument("--fps", type=int, default=30, choices=Video.Fps.values)
        parser.add_argument("--voice", default="en-us")
        parser.add_argument("--rate", type=int, default=165, help="Speech rate in words per minute")
        parser.add_argument(
            "--music",
            default="none",
            choices=[m for m in Video.Music.values if m != "upload"],
        )
        parser.add_argument("--no-captions", action="store_true", help="Do not burn captions in")
        parser.add_argument("--caption-style", default="classic", choices=Video.CaptionStyle.values)
        parser.add_argument("--transition", default="fade", choices=Video.Transition.values)
        parser.add_argument(
            "--owner",
            default="cli",
            help="Username that owns the video (created if missing)",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Send the jobs through the django-q2 queue and wait (needs a running `manage.py qcluster`)",
        )
        parser.add_argument(
            "--wait-timeout",
            type=int,
            default=1800,
            help="Seconds to wait for each job",
        )

    def handle(self, *args, **opts) -> None:
        script_path = Path(opts["script"])
        try:
            script = script_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {script_path}: {exc}") from exc
        if not opts["queue"]:
            # Run each job in this process, right when it is enqueued.
            from django_q.conf import Conf

            Conf.SYNC = True
        owner, _ = get_user_model().objects.get_or_create(username=opts["owner"])
        # The bar goes to stdout in plain style (stderr is Django's red error stream).
        self.progress = ProgressBar(self.stdout if _isatty(self.stdout) else None, self.stdout)
        quiet = QuietQueueLogs()
        watcher = None
        if not opts["queue"]:
            # Jobs run inside the service calls below; a watcher thread draws their
            # progress from the job rows meanwhile.
            watcher = JobWatcher(owner_id=owner.pk, bar=self.progress)
            watcher.start()
        try:
            with quiet:
                self._make(owner, script, script_path, opts)
        finally:
            if watcher is not None:
                watcher.stop()

    def _make(self, owner, script: str, script_path: Path, opts: dict) -> None:
        try:
            video = video_create(
                owner=owner,
                title=opts["title"] or script_path.stem.replace("_", " ").replace("-", " ").title(),
                script=script,
                aspect=opts["aspect"],
                quality=opts["quality"],
                fps=opts["fps"],
                voice=opts["voice"],
                speech_rate=opts["rate"],
                music=opts["music"],
                captions=not opts["no_captions"],
                caption_style=opts["caption_style"],
                transition=opts["transition"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        job = video.jobs.get(kind=Job.Kind.STORYBOARD)
        self._follow(job, "storyboard", opts["wait_timeout"])
        video.refresh_from_db()
        self.stdout.write(f"Storyboard: {video.scenes.count()} scenes")
        storyboard_approve(video=video, user=owner)
        job = render_request(video=video, user=owner)
        self._follow(job, "render", opts["wait_timeout"])
        video.refresh_from_db()
        out = Path(opts["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.part")
        with (
            default_storage.open(video.master.name, "rb") as src,
            open(tmp, "wb") as dst,
        ):
            shutil.copyfileobj(src, dst, 1024 * 1024)
        tmp.replace(out)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {out} ({video.width}x{video.height}, {video.duration_ms / 1000:.2f} s, "
                f"{video.video_codec} + {video.audio_codec}, {video.size_bytes / 1e6:.1f} MB)"
            )
        )

    def _follow(self, job: Job, label: str, timeout: int) -> None:
        """Poll the job row (the truth) until it ends, drawing a progress bar."""
        deadline = time.monotonic() + timeout
        waited_for_worker = False
        while True:
            job.refresh_from_db()
            self.progress.draw(label, job.progress, job.stage)
            if job.is_finished:
                break
            if job.status == Job.Status.QUEUED and not waited_for_worker and time.monotonic() > deadline - timeout + 15:
                self.stderr.write("\nStill queued after 15 s: is `python manage.py qcluster` running?")
                waited_for_worker = True
            if time.monotonic() > deadline:
                raise CommandError(f"The {label} job did not finish within {timeout} s (it is {job.status}).")
            time.sleep(0.3)
        self.progress.finish(label, job.status, job.progress)
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(f"The {label} job {job.status} at stage '{job.error_stage}': {job.error_message}")


class JobWatcher(threading.Thread):
    """Draws the newest job of an owner while this process runs jobs inline."""

    def __init__(self, *, owner_id: int, bar: ProgressBar) -> None:
        super().__init__(daemon=True)
        from django.utils import timezone

        self.owner_id = owner_id
        self.bar = bar
        self.since = timezone.now()
        self._stop_event = threading.Event()

    def run(self) -> None:
        from django.db import connection

        try:
            while not self._stop_event.wait(0.3):
                job = Job.objects.filter(owner_id=self.owner_id, created_at__gte=self.since).first()
                if job is not None and job.status == Job.Status.RUNNING:
                    self.bar.draw(job.kind, job.progress, job.stage)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def _isatty(stream) -> bool:
    target = getattr(stream, "_out", stream)  # Django's OutputWrapper wraps the real stream
    return bool(getattr(target, "isatty", None) and target.isatty())


class QuietQueueLogs:
    """While the command draws its bar, django-q2's INFO lines ("processing", "stopped
    doing work", ...) would break into it: only its warnings and errors get through."""

    def __init__(self, level: int = logging.WARNING) -> None:
        self.logger = logging.getLogger("django-q")
        self.level = level
        self.saved = self.logger.level

    def __enter__(self) -> QuietQueueLogs:
        self.saved = self.logger.level
        self.logger.setLevel(self.level)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.setLevel(self.saved)


class ProgressBar:
    """On a terminal, one line redrawn in place. Elsewhere (a log, a pipe, CI), one line per
    stage and a final line per job, so the output stays a few lines long."""

    def __init__(self, tty, plain) -> None:
        self.tty = tty
        self.plain = plain
        self.last = None
        self.last_stage = None
        # The watcher thread and the command both draw.
        self.lock = threading.Lock()

    def draw(self, label: str, percent: int, stage: str) -> None:
        with self.lock:
            state = (label, percent, stage)
            if state == self.last:
                return
            self.last = state
            if self.tty is not None:
                filled = percent * 30 // 100
                self.tty.write(
                    f"\r{label:<10} [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% {stage:<12}",
                    ending="",
                )
                self.tty.flush()
            elif (label, stage) != self.last_stage:
                self.last_stage = (label, stage)
                self.plain.write(f"{label}: {stage or 'waiting'} ({percent}%)")

    def finish(self, label: str = "", status: str = "", percent: int = 100) -> None:
        with self.lock:
            if self.tty is not None:
                self.tty.write("")
            elif label:
                self.plain.write(f"{label}: {status} ({percent}%)")
            self.last = None
            self.last_stage = None
