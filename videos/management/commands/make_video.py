"""Render a script file into an MP4 from the command line, through the same services
the pages and the API call: create -> storyboard job -> approve -> render job."""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assets.generators import replicate_available
from assets.stock_online.configured import stock_providers_available
from core.errors import QuotaExceeded
from jobs.models import Job
from videos.models import Video, VideoJobKind
from videos.options import (
    CAPTION_SIZE_MAX,
    CAPTION_SIZE_MIN,
    MUSIC_VOLUME_MAX_DB,
    MUSIC_VOLUME_MIN_DB,
    VIDEO_OPTION_DEFAULTS,
    aspects_parse,
)
from videos.selectors import MasterFiles, batch_progress, batches_with_progress, video_masters
from videos.serializers import StoryboardSerializer
from videos.services import (
    BatchInvalid,
    batch_create_from_file,
    render_request,
    storyboard_approve,
    storyboard_document,
    video_create,
    video_delete,
    video_use_voiceover,
)
from videos.services.brand_kit import brand_kit_load_file, video_set_brand_kit


def _require_migrated_database() -> None:
    """Refuse, in words, a database that is not migrated (a fresh checkout before `make run`,
    or a pull that brought new migrations) instead of dying on "no such table: auth_user".

    Not migrated automatically: a render command that changes the schema would surprise an
    operator whose database is shared with a running site (`make run`, a worker, production on
    PostgreSQL, where migrating is a deploy step); the message names the one command to run."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        state = "has no tables yet" if not connection.introspection.table_names() else "is not up to date"
        raise CommandError(
            f"The database {state} ({len(pending)} migrations to apply). Run `make run` once "
            "(it sets everything up), or `.venv/bin/python manage.py migrate` and then "
            "`.venv/bin/python manage.py bootstrap`, and try again."
        )


def _visuals_offered() -> list[str]:
    """The visuals this site can make: no key, no option (as in the new-video form)."""
    hidden = set()
    if not replicate_available():
        hidden.add(Video.Visuals.REPLICATE)
    if not stock_providers_available():
        hidden.add(Video.Visuals.STOCK_ONLINE)
    return [v for v in Video.Visuals.values if v not in hidden]


class Command(BaseCommand):
    help = "Turn a script file into a finished MP4 (storyboard, narration, pictures, render)."
    # Django's system checks validate the site (URLs, admin, templates): loading every view
    # for them cost each render about 0.1 CPU s (issue 22). `manage.py check`, migrate,
    # runserver and qcluster run them; this command checks what it needs, a migrated database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("script", type=Path, nargs="?", help="A .txt or .md file with the script")
        parser.add_argument("--out", type=Path, help="Where to write the MP4 (one script)")
        parser.add_argument(
            "--batch",
            type=Path,
            help="A CSV or JSONL file: one video per row, with the options of POST /api/v1/videos",
        )
        parser.add_argument(
            "--out-dir",
            type=Path,
            help="With --batch: approve, render and write each video here (NN-title.mp4); "
            "without it the storyboards are made and the batch's progress printed",
        )
        parser.add_argument("--title", default="", help="Video title (default: the file name)")
        parser.add_argument(
            "--voiceover",
            type=Path,
            help="Your own recording of the whole script (MP3, WAV or M4A): it narrates the video, "
            "cut into the scenes at its pauses, with the captions timed to it",
        )
        defaults = VIDEO_OPTION_DEFAULTS
        parser.add_argument(
            "--aspect",
            default=defaults.aspect,
            help=f"{', '.join(Video.Aspect.values)}, or several from one storyboard, e.g. "
            "16:9,9:16,1:1: one master each, NAME.16x9.mp4, NAME.9x16.mp4, NAME.1x1.mp4 and their "
            f"captions (default {defaults.aspect}: NAME.mp4)",
        )
        parser.add_argument("--quality", default=defaults.quality, choices=Video.Quality.values)
        parser.add_argument("--fps", type=int, default=defaults.fps, choices=Video.Fps.values)
        parser.add_argument(
            "--voice", default=defaults.voice, help=f"A voice id (default {defaults.voice}, the neural voice)"
        )
        parser.add_argument("--rate", type=int, default=defaults.speech_rate, help="Speech rate in words per minute")
        parser.add_argument(
            "--music",
            default=defaults.music,
            choices=[m for m in Video.Music.values if m != Video.Music.UPLOAD],
            help="A mood of the offline music library, a synthesised bed, or none",
        )
        parser.add_argument(
            "--music-volume-db",
            type=int,
            default=defaults.music_volume_db,
            help=f"The music's level in dB before ducking, {MUSIC_VOLUME_MIN_DB} to {MUSIC_VOLUME_MAX_DB} "
            f"(default {defaults.music_volume_db}; 0: the library's reference loudness, -14 LUFS)",
        )
        parser.add_argument("--no-captions", action="store_true", help="Do not burn captions in")
        parser.add_argument(
            "--no-subtitle-files",
            action="store_true",
            help="Do not write NAME.vtt and NAME.srt beside NAME.mp4 (NAME.storyboard.json is always written)",
        )
        parser.add_argument("--caption-style", default=defaults.caption_style, choices=Video.CaptionStyle.values)
        parser.add_argument("--caption-font", default=defaults.caption_font, choices=Video.CaptionFont.values)
        parser.add_argument(
            "--caption-size",
            type=int,
            default=defaults.caption_size,
            help=f"Percent of the style's size, {CAPTION_SIZE_MIN} to {CAPTION_SIZE_MAX} (default {defaults.caption_size})",
        )
        parser.add_argument(
            "--caption-color",
            default=defaults.caption_color,
            help="The caption's letters, #rrggbb (default: the style's)",
        )
        parser.add_argument(
            "--caption-highlight-color",
            default=defaults.caption_highlight_color,
            help="The word being said in the words style, #rrggbb (default: yellow)",
        )
        parser.add_argument(
            "--caption-background", default=defaults.caption_background, choices=Video.CaptionBackground.values
        )
        parser.add_argument(
            "--caption-position",
            default=defaults.caption_position,
            choices=Video.CaptionPosition.values,
            help="Inside the aspect's safe area (default bottom)",
        )
        parser.add_argument(
            "--caption-preset",
            default="",
            help="The name of one of the owner's caption presets: its style and look replace the caption flags",
        )
        parser.add_argument("--transition", default=defaults.transition, choices=Video.Transition.values)
        parser.add_argument(
            "--visuals",
            default=defaults.visuals,
            choices=_visuals_offered(),
            help="Scene pictures (stock_online needs PEXELS_API_KEY or PIXABAY_API_KEY)",
        )
        parser.add_argument(
            "--owner",
            default="cli",
            help="Username that owns the video (created if missing)",
        )
        parser.add_argument(
            "--brand-kit",
            type=Path,
            default=None,
            help="A JSON file of the owner's brand kit (logo, intro/outro cards, colours, font); "
            "set before the video is made (docs/brand-kit.md)",
        )
        parser.add_argument(
            "--no-brand-kit", action="store_true", help="Render without the owner's brand kit, if they have one"
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
        _require_migrated_database()
        if opts["batch"] is not None:
            if opts["script"] is not None or opts["out"] is not None:
                raise CommandError("Give either a script and --out, or --batch FILE (with --out-dir), not both.")
            return self._batch(opts)
        if opts["script"] is None or opts["out"] is None:
            raise CommandError("Give a script file and --out FILE.mp4 (or --batch FILE).")
        if opts["voiceover"] is not None and not Path(opts["voiceover"]).is_file():
            raise CommandError(f"Cannot read the voiceover {opts['voiceover']}: no such file.")
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
        if opts["brand_kit"] is not None:
            try:
                brand_kit_load_file(owner=owner, path=opts["brand_kit"])
            except ValidationError as exc:
                raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
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
        aspects, problem = aspects_parse(opts["aspect"])
        if problem:
            raise CommandError(f"--aspect: {problem}")
        try:
            video = video_create(
                owner=owner,
                title=opts["title"] or script_path.stem.replace("_", " ").replace("-", " ").title(),
                script=script,
                aspects=aspects,
                quality=opts["quality"],
                fps=opts["fps"],
                voice=opts["voice"],
                speech_rate=opts["rate"],
                music=opts["music"],
                music_volume_db=opts["music_volume_db"],
                captions=not opts["no_captions"],
                caption_style=opts["caption_style"],
                caption_font=opts["caption_font"],
                caption_size=opts["caption_size"],
                caption_color=opts["caption_color"],
                caption_highlight_color=opts["caption_highlight_color"],
                caption_background=opts["caption_background"],
                caption_position=opts["caption_position"],
                caption_preset=opts["caption_preset"],
                transition=opts["transition"],
                visuals=opts["visuals"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        if opts["no_brand_kit"]:
            video_set_brand_kit(video=video, on=False)
        job = video.jobs.get(kind=VideoJobKind.STORYBOARD)
        self._follow(job, "storyboard", opts["wait_timeout"])
        video.refresh_from_db()
        self.stdout.write(f"Storyboard: {video.scenes.count()} scenes")
        if opts["voiceover"] is not None:
            self._voiceover(video, Path(opts["voiceover"]))
        storyboard_approve(video=video, user=owner)
        job = render_request(video=video, user=owner)
        self._follow(job, "render", opts["wait_timeout"])
        for master in video.other_masters.select_related("job"):
            self._follow(master.job, f"render {master.aspect}", opts["wait_timeout"])
        video.refresh_from_db()
        out = Path(opts["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        masters = video_masters(video)
        if len(masters) == 1:
            written = [self._write_master(masters[0], out, opts)]
        else:
            # One file set per aspect, named by it: NAME.16x9.mp4, NAME.16x9.vtt, ...
            written = [self._write_master(m, out.with_name(f"{out.stem}.{m.slug}.mp4"), opts) for m in masters]
        storyboard_file_write(video, out)
        for path, master in written:
            row = master.row
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {path} ({row.width}x{row.height}, {(row.duration_ms or 0) / 1000:.2f} s, "
                    f"{row.video_codec} + {row.audio_codec}, {(row.size_bytes or 0) / 1e6:.1f} MB)"
                )
            )

    def _write_master(self, master: MasterFiles, out: Path, opts: dict) -> tuple[Path, MasterFiles]:
        """One aspect's master to `out`, with its captions beside it (NAME.vtt, NAME.srt)."""
        _copy_out(master.file.name, out)
        if not opts["no_subtitle_files"]:
            # The cues of the video (burned in or not), for players and editors.
            for field, suffix in ((master.captions_vtt, ".vtt"), (master.captions_srt, ".srt")):
                if field:
                    _copy_out(field.name, out.with_suffix(suffix))
        return out, master

    def _voiceover(self, video: Video, path: Path) -> None:
        """Narrate the storyboard with the creator's recording (the same service as the page
        and the API). Refused: the video this command made is deleted again, and the reason
        is the command's error."""
        try:
            with open(path, "rb") as fh:
                video_use_voiceover(video=video, upload=File(fh, name=path.name))
        except ValidationError as exc:
            video_delete(video=video)
            raise CommandError(" ".join(exc.messages)) from exc
        video.refresh_from_db()
        self.stdout.write(f"Voiceover: {path.name} narrates the {video.scenes.count()} scenes")

    # --- --batch -------------------------------------------------------------------------------

    def _batch(self, opts: dict) -> None:
        path = Path(opts["batch"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        if not opts["queue"]:
            from django_q.conf import Conf

            Conf.SYNC = True
        owner, _ = get_user_model().objects.get_or_create(username=opts["owner"])
        self.progress = ProgressBar(self.stdout if _isatty(self.stdout) else None, self.stdout)
        try:
            batch = batch_create_from_file(owner=owner, data=data, filename=path.name, name=opts["title"])
        except BatchInvalid as exc:
            lines = [
                f"  row {e.row}, {e.field}: {e.message}" if e.row else f"  {e.field}: {e.message}" for e in exc.errors
            ]
            raise CommandError(
                f"{path} has {len(exc.errors)} problem(s); nothing was made:\n" + "\n".join(lines)
            ) from exc
        except QuotaExceeded as exc:
            raise CommandError(str(exc)) from exc
        progress = batch_progress(batches_with_progress().get(pk=batch.pk))
        self.stdout.write(f"Batch {batch.name!r} ({batch.code}): {progress.total} videos")
        out_dir = Path(opts["out_dir"]) if opts["out_dir"] is not None else None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        failures = 0
        for item in progress.videos:
            video = item.video
            label = f"{item.row:02d}"
            try:
                self._follow(video.jobs.get(kind=VideoJobKind.STORYBOARD), f"{label} story", opts["wait_timeout"])
                if out_dir is None:
                    continue
                storyboard_approve(video=video, user=owner)
                self._follow(render_request(video=video, user=owner), f"{label} render", opts["wait_timeout"])
                video.refresh_from_db()
                stem = "".join(c if c.isalnum() else "-" for c in video.title.lower()).strip("-")[:60] or "video"
                out = out_dir / f"{label}-{stem}.mp4"
                for master in video.other_masters.select_related("job"):
                    self._follow(master.job, f"{label} {master.aspect}", opts["wait_timeout"])
                self._copy_master(video, out)
                for master in video_masters(video)[1:]:
                    _copy_out(master.file.name, out.with_name(f"{out.stem}.{master.slug}.mp4"))
                storyboard_file_write(video, out)
                self.stdout.write(f"Wrote {out} ({video.duration_ms / 1000:.2f} s)")
            except CommandError as exc:
                failures += 1
                self.stderr.write(f"Row {item.row} ({video.title}): {exc}")
        progress = batch_progress(batches_with_progress().get(pk=batch.pk))
        counts = ", ".join(f"{count} {status}" for status, count in progress.counts.items() if count)
        self.stdout.write(f"Batch {batch.code}: {counts}")
        if failures:
            raise CommandError(f"{failures} of {progress.total} videos of the batch failed.")

    def _copy_master(self, video: Video, out: Path) -> None:
        tmp = out.with_name(f".{out.name}.part")
        with default_storage.open(video.master.name, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        tmp.replace(out)

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


def _copy_out(name: str, out: Path) -> None:
    """A stored file to a local path, never half-written (a temp name, then a rename)."""
    tmp = out.with_name(f".{out.name}.part")
    with default_storage.open(name, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
    tmp.replace(out)


def storyboard_file_write(video: Video, out: Path) -> Path:
    """NAME.storyboard.json beside NAME.mp4: the JSON of GET /api/v1/videos/<code>/storyboard
    (same function, same serializer), so a creator without the API sees what each scene
    shows and when. Always written: it is small and the MP4 alone cannot say it."""
    path = out.with_name(f"{out.stem}.storyboard.json")
    tmp = path.with_name(f".{path.name}.part")
    data = StoryboardSerializer(storyboard_document(video=video)).data
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
