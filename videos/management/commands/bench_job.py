"""Benchmark the whole job, script to validated master, against the encoder alone.

What a creator waits for is not the composition (``make bench``) but the whole job:
narration, pictures, caption images, music, composition, validation, saving. Each run is
``manage.py make_video`` itself (the same services, defaults and options: the default
voice, offline pictures, the default music), run in a child process of its own on a
throwaway SQLite database, MEDIA_ROOT and temp dir under the scratch directory (migrated
once, untimed, and copied for every run), never the site's.

Per stage, wall and CPU seconds (this process's threads plus its ended children: piper,
FFmpeg), charged by wrapping the service functions that do each stage for the run; work
that overlaps (the soundtrack and the poster while the video encodes) counts in the stage
it overlaps, except a stage the job runs in a thread of its own (the narration, alongside
the pictures): that one gets the CPU of everything but the job's thread while it runs, and
its wall is reported apart, not added to the whole job's (see StageClock). "Django start-up" is the child process from its start to the command's first
line (interpreter, settings, apps, system checks); "other" is the rest (creating the
storyboard, database rows, job bookkeeping, fetching the scene files to the temp dir).

Each run is paired with the floor run right after it: x264 with the master's own settings
(mediakit.builder.x264_args) encoding the master's own frames, decoded once to raw yuv
(untimed), then x264 at the fixed reference (mediakit.encoding.REFERENCE, veryfast crf 23)
on the same frames: the whole job's target is set against that, whatever setting the
master took from the table, and the same reference setting on 10 s of FFmpeg's testsrc2 at the
job's size and rate (the yardstick issue 22 measured the job against). The report gives the
medians of the paired ratios and the
load average with every pair, as bench_render does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from io import StringIO
from pathlib import Path
from typing import Any

import psutil
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mediakit import builder
from mediakit.encoding import REFERENCE
from mediakit.measuring import (
    RssSampler,
    cpu_seconds,
    decode_raw_frames,
    encode_raw_frames,
    testsrc_raw_frames,
    tree_cpu_seconds,
)
from mediakit.spec import QUALITIES, StoryboardSpec

# Imported here, so that in the child, as under `manage.py make_video`, loading the command
# counts as start-up.
from videos.management.commands import make_video as _make_video  # noqa: F401

# Fixed scripts: the same words every run, so figures compare across commits. About 30 s
# and 60 s with the default voice at its default rate.
SCRIPTS = {
    30: (
        "Every city keeps a map of its rivers under the streets.\n\n"
        "Bakers start before dawn, so the bread is ready by seven.\n\n"
        "A bridge is a promise written in steel and stone.\n\n"
        "Bees dance to tell each other where the flowers are.\n\n"
        "The oldest trees remember summers we have forgotten.\n\n"
        "Night trains carry letters across sleeping borders, and arrive before the sun.\n\n"
        "A lighthouse keeper once counted every ship that passed for forty years.\n"
    ),
    60: (
        "Every city keeps a map of its rivers under the streets.\n\n"
        "Bakers start before dawn, so the bread is ready by seven.\n\n"
        "A bridge is a promise written in steel and stone.\n\n"
        "Bees dance to tell each other where the flowers are.\n\n"
        "The oldest trees remember summers we have forgotten.\n\n"
        "Night trains carry letters across sleeping borders, and arrive before the sun.\n\n"
        "A lighthouse keeper once counted every ship that passed for forty years.\n\n"
        "Mountains grow a few millimetres each year, and the rain wears them down again.\n\n"
        "The first maps of the sea were drawn by sailors who had never seen the coast.\n\n"
        "An orchestra tunes to a single note before a thousand people hold their breath.\n\n"
        "Snow falls on the desert once in a decade, and the sand keeps its print for an hour.\n\n"
        "Old libraries keep the smell of paper, dust and the rain of a hundred winters.\n\n"
        "A child learns to whistle long before she learns why the kettle sings.\n\n"
        "At the end of the day, the harbour lights come on one by one.\n"
    ),
}

# Seconds of FFmpeg's testsrc2 encoded at the fixed reference in every pair (issue 22's own
# yardstick: "x264 veryfast crf 23 encoding 10 s of 1080p30 testsrc2 frames").
TESTSRC_S = 10

# The stages, in the order the job reaches them (the report's rows).
STARTUP = "Django start-up"
STAGES = (
    STARTUP,
    "scene split",
    "narration",
    "pictures",
    "caption images",
    "music",
    "composition",
    "validation",
    "saving",
    "storyboard job, rest",
    "render job, rest",
    "other",
)

# Where the job does each stage: (module, attribute, stage). The wrappers are set for the
# child's run only; a name that is gone fails the benchmark rather than measure nothing.
WRAPPED = (
    # Cutting the script into scenes reads it for its pictures' subjects (WordNet).
    ("videos.services.creation", "split_script", "scene split"),
    ("videos.services.storyboard_job", "_narrate", "narration"),
    ("videos.services.storyboard_job", "storyboard_make_pictures", "pictures"),
    ("videos.services.render", "render_caption_frames", "caption images"),
    ("videos.services.render", "render_phrase_pngs", "caption images"),
    ("videos.services.render", "music_bed", "music"),
    ("videos.services.render", "job_storage_save", "saving"),
    ("videos.management.commands.make_video", "_copy_out", "saving"),
    ("videos.management.commands.make_video", "storyboard_file_write", "saving"),
    # What these calls do besides the stages above (rows, job bookkeeping, fetching
    # the scene files to the temp dir): the jobs run inside them (make_video runs the queue
    # in its own process).
    ("videos.management.commands.make_video", "video_create", "storyboard job, rest"),
    ("videos.management.commands.make_video", "render_request", "render job, rest"),
)

# Variables that would point the child at the site's database, storage, queue or online
# providers: the benchmark is offline on its own files.
_SITE_ENV = re.compile(
    r"^(DATABASE_URL|REDIS_URL|STORAGE_BACKEND|AWS_.*|REPLICATE_.*|PEXELS_.*|PIXABAY_.*|"
    r"SQLITE_PATH|SQLITE_TEST_PATH|MEDIA_ROOT|CONTENTIZER_TMP_DIR|CONTENTIZER_CHANGE_STAMPS_FILE|"
    r"PROMETHEUS_MULTIPROC_DIR|Q_SYNC)$"
)


class StageClock:
    """Wall and CPU seconds charged to the stage in progress (a stack: a wrapped call inside
    another is its own stage), for the job's thread (the one that made the clock).

    A stage entered from another thread runs *alongside* the job's thread (the narration,
    made while the pictures are drawn): while it runs, the job thread's stage is charged
    that thread's own CPU only and the stage alongside everything else (its thread, the
    voice program, any other thread); its wall is its own and overlaps the job's stages, so
    it is kept apart (``alongside_wall``) and not added to the whole job's."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.alongside_wall: dict[str, float] = {}
        self.stack = ["other"]
        self._owner = threading.get_native_id()
        self._alongside: dict[int, list[str]] = {}
        self._lock = threading.RLock()
        self._mark = self._now()

    def _now(self) -> tuple[float, float, float]:
        return time.monotonic(), tree_cpu_seconds(), _thread_cpu_seconds(self._owner)

    def _charge(self) -> None:
        with self._lock:
            now = self._now()
            wall, cpu, own = (now[i] - self._mark[i] for i in range(3))
            self._mark = now
            label = self.stack[-1]
            self.wall[label] = self.wall.get(label, 0.0) + wall
            alongside = [stack[-1] for stack in self._alongside.values()]
            if not alongside:
                self.cpu[label] = self.cpu.get(label, 0.0) + cpu
                return
            self.cpu[label] = self.cpu.get(label, 0.0) + own
            for other in alongside:
                self.cpu[other] = self.cpu.get(other, 0.0) + max(0.0, cpu - own) / len(alongside)

    @contextmanager
    def stage(self, label: str) -> Iterator[None]:
        if threading.get_native_id() != self._owner:
            with self._stage_alongside(label):
                yield
            return
        self._charge()
        self.stack.append(label)
        try:
            yield
        finally:
            self._charge()
            self.stack.pop()

    @contextmanager
    def _stage_alongside(self, label: str) -> Iterator[None]:
        tid = threading.get_native_id()
        with self._lock:
            self._charge()
            self._alongside.setdefault(tid, []).append(label)
        started = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._charge()
                stack = self._alongside[tid]
                stack.pop()
                if not stack:
                    del self._alongside[tid]
                self.alongside_wall[label] = self.alongside_wall.get(label, 0.0) + time.monotonic() - started

    def switch(self, label: str) -> None:
        """The stage in progress becomes `label` (composition -> validation)."""
        if self.stack[-1] != label:
            self._charge()
            self.stack[-1] = label

    def close(self) -> None:
        self._charge()


def _thread_cpu_seconds(tid: int) -> float:
    """User + system CPU of one thread of this process (0 once it has ended)."""
    try:
        with open(f"/proc/self/task/{tid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass(frozen=True)
class JobRun:
    """One job (the child's report) and the floor run right after it."""

    wall: dict[str, float]
    cpu: dict[str, float]
    # Stages that ran alongside the job's thread: their own wall, inside the others'.
    alongside_wall: dict[str, float]
    composition_times: dict[str, float]
    video_s: float
    tree_wall_s: float
    tree_cpu_s: float
    peak_rss_mb: float
    floor_s: float
    floor_cpu_s: float
    # x264 at the fixed reference (mediakit.encoding.REFERENCE, veryfast crf 23) on the
    # same frames: what the whole job's target is set against, whatever the master's setting.
    reference_cpu_s: float
    # The same x264 setting on TESTSRC_S seconds of FFmpeg's testsrc2 at the job's size and
    # rate: the reference issue 22 measured its 1.40x against (CPU s per video s).
    testsrc_cpu_per_s: float
    load_before: float
    load_after: float

    @property
    def job_cpu_s(self) -> float:
        return sum(self.cpu.values())

    @property
    def job_wall_s(self) -> float:
        return sum(self.wall.values())

    @property
    def composition_cpu_s(self) -> float:
        return self.cpu.get("composition", 0.0) + self.cpu.get("validation", 0.0)

    @property
    def cpu_ratio(self) -> float:
        return self.job_cpu_s / self.floor_cpu_s

    @property
    def reference_ratio(self) -> float:
        return self.job_cpu_s / self.reference_cpu_s

    @property
    def testsrc_ratio(self) -> float:
        return self.job_cpu_s / self.video_s / self.testsrc_cpu_per_s

    @property
    def wall_ratio(self) -> float:
        return self.job_wall_s / self.floor_s

    @property
    def composition_cpu_ratio(self) -> float:
        return self.composition_cpu_s / self.floor_cpu_s


class Command(BaseCommand):
    help = "Time the whole job (make_video, script to validated master) per stage against x264 alone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lengths", default="30", help=f"Comma-separated fixed scripts by length, of {sorted(SCRIPTS)} seconds"
        )
        parser.add_argument("--script", type=Path, default=None, help="Time this script instead of the fixed ones")
        parser.add_argument("--quality", default="1080p", choices=QUALITIES)
        parser.add_argument(
            "--repeat", type=int, default=3, help="Pairs per script (a job, then x264 alone right after it)"
        )
        parser.add_argument("--workdir", type=Path, default=None, help="Scratch directory (default: a temp dir)")
        parser.add_argument("--keep", action="store_true", help="Keep the scratch directory")
        parser.add_argument(
            "--template-db",
            type=Path,
            default=None,
            help="A migrated SQLite database (with its cache table) to copy for each run instead of migrating one",
        )
        # Internal: the child process that runs one job and writes its figures as JSON.
        parser.add_argument("--child-result", type=Path, default=None, help="(internal) run one job, write figures")
        parser.add_argument("--child-out", type=Path, default=None, help="(internal) the job's MP4")

    def handle(self, *args: object, **opts: Any) -> None:
        if opts["child_result"] is not None:
            self._child(opts)
            return
        scripts = self._scripts(opts)
        root = Path(opts["workdir"] or tempfile.mkdtemp(prefix="bench-job-"))
        root.mkdir(parents=True, exist_ok=True)
        try:
            template = opts["template_db"] or self._template_db(root)
            self._bench(root, template, scripts, str(opts["quality"]), max(1, int(opts["repeat"])))
        finally:
            if not opts["keep"]:
                shutil.rmtree(root, ignore_errors=True)

    def _scripts(self, opts: dict[str, Any]) -> list[tuple[str, str]]:
        if opts["script"] is not None:
            try:
                return [(Path(opts["script"]).stem, Path(opts["script"]).read_text(encoding="utf-8"))]
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read {opts['script']}: {exc}") from exc
        try:
            lengths = [int(x) for x in str(opts["lengths"]).split(",") if x.strip()]
        except ValueError as exc:
            raise CommandError("--lengths takes whole seconds, e.g. 30,60") from exc
        unknown = [n for n in lengths if n not in SCRIPTS]
        if unknown or not lengths:
            raise CommandError(f"--lengths: fixed scripts exist for {sorted(SCRIPTS)} seconds")
        return [(f"{n}s", SCRIPTS[n]) for n in lengths]

    # --- the parent: scratch site, pairs, report ----------------------------------------

    def _child_env(self, site: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not _SITE_ENV.match(k)}
        env.update(
            SQLITE_PATH=str(site / "db.sqlite3"),
            MEDIA_ROOT=str(site / "media"),
            CONTENTIZER_TMP_DIR=str(site / "tmp"),
            PYTHONUNBUFFERED="1",
        )
        (site / "media").mkdir(parents=True, exist_ok=True)
        (site / "tmp").mkdir(parents=True, exist_ok=True)
        return env

    def _manage(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
        result = subprocess.run(argv, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True)
        if result.returncode:
            raise CommandError(f"`manage.py {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")
        return result

    def _template_db(self, root: Path) -> Path:
        """A migrated database with its cache table, made once (not timed)."""
        site = root / "template"
        env = self._child_env(site)
        self.stdout.write("migrating a throwaway database for the runs (not timed)...")
        self._manage("migrate", "--noinput", env=env)
        self._manage("createcachetable", env=env)
        return site / "db.sqlite3"

    def _bench(self, root: Path, template: Path, scripts: list[tuple[str, str]], quality: str, repeat: int) -> None:
        raw = root / "frames.yuv"
        testsrc = root / "testsrc2.yuv"
        testsrc_frames = 0
        results: list[tuple[str, list[JobRun]]] = []
        for name, text in scripts:
            script = root / f"{name}.txt"
            script.write_text(text, encoding="utf-8")
            runs: list[JobRun] = []
            raw_frames = 0
            for attempt in range(repeat):
                load_before = psutil.getloadavg()[0]
                self.stdout.write(
                    f"{name}, pair {attempt + 1}/{repeat}: make_video in a fresh process, then x264 alone "
                    f"on the master's own frames (load {load_before:.1f})"
                )
                site = root / f"run-{name}-{attempt}"
                child = self._run_job(template, site, script, quality)
                fps, width, height = child["fps"], child["width"], child["height"]
                master = Path(child["master"])
                if attempt == 0:
                    raw_frames = decode_raw_frames(master, raw, width=width, height=height)
                    testsrc_frames = testsrc_raw_frames(testsrc, seconds=TESTSRC_S, width=width, height=height, fps=fps)

                # x264 alone on raw frames at the job's size and rate: its floor (the master's
                # setting), the fixed reference on the same frames, and that on testsrc2.
                size = {"width": width, "height": height, "fps": fps, "out": root / "floor.mp4"}
                floor_s, floor_cpu_s = encode_raw_frames(
                    raw, raw_frames=raw_frames, frames=raw_frames, x264_args=child["x264_args"], **size
                )
                _, reference_cpu_s = encode_raw_frames(
                    raw, raw_frames=raw_frames, frames=raw_frames, x264_args=child["reference_args"], **size
                )
                _, testsrc_cpu_s = encode_raw_frames(
                    testsrc, raw_frames=testsrc_frames, frames=testsrc_frames, x264_args=child["reference_args"], **size
                )
                run = JobRun(
                    wall=child["wall"],
                    cpu=child["cpu"],
                    alongside_wall=child.get("alongside_wall", {}),
                    composition_times=child["composition_times"],
                    video_s=child["duration_ms"] / 1000,
                    tree_wall_s=child["tree_wall_s"],
                    tree_cpu_s=child["tree_cpu_s"],
                    peak_rss_mb=child["peak_rss_mb"],
                    floor_s=floor_s,
                    floor_cpu_s=floor_cpu_s,
                    reference_cpu_s=reference_cpu_s,
                    testsrc_cpu_per_s=testsrc_cpu_s / TESTSRC_S,
                    load_before=load_before,
                    load_after=psutil.getloadavg()[0],
                )
                runs.append(run)
                shutil.rmtree(site, ignore_errors=True)
                self.stdout.write(
                    f"    job {run.job_wall_s:.1f} s (cpu {run.job_cpu_s:.1f}) for {run.video_s:.1f} s of video, "
                    f"x264 alone {floor_s:.1f} s (cpu {floor_cpu_s:.1f}): cpu ratio {run.cpu_ratio:.2f}, "
                    f"composition cpu ratio {run.composition_cpu_ratio:.2f}; "
                    f"to x264 {REFERENCE.preset} crf {REFERENCE.crf} {run.reference_ratio:.2f} "
                    f"(on testsrc2 {run.testsrc_ratio:.2f}); peak RSS {run.peak_rss_mb:.0f} MB; "
                    f"load {run.load_after:.1f}"
                )
                self.stdout.write("    cpu: " + ", ".join(f"{stage} {run.cpu.get(stage, 0.0):.2f}" for stage in STAGES))
            raw.unlink(missing_ok=True)
            testsrc.unlink(missing_ok=True)
            results.append((name, runs))
        self._report(results)

    def _run_job(self, template: Path, site: Path, script: Path, quality: str) -> dict[str, Any]:
        env = self._child_env(site)
        # SQLite's backup API: a consistent copy whatever the template's WAL holds.
        with sqlite3.connect(template) as src, sqlite3.connect(site / "db.sqlite3") as dst:
            src.backup(dst)
        result = site / "result.json"
        argv = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "bench_job",
            "--child-result",
            str(result),
            "--child-out",
            str(site / "out" / "video.mp4"),
            "--script",
            str(script),
            "--quality",
            quality,
        ]
        cpu_before = cpu_seconds()
        with RssSampler() as sampler:
            started = time.monotonic()
            proc = subprocess.run(argv, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True)
            wall = time.monotonic() - started
        if proc.returncode:
            raise CommandError(f"the job failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        figures: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        # The child's whole tree as its parent sees it: a check on the per-stage sums.
        figures["tree_wall_s"] = wall
        figures["tree_cpu_s"] = cpu_seconds() - cpu_before - sampler.cpu_s
        figures["peak_rss_mb"] = sampler.peak_total / 2**20
        return figures

    def _report(self, results: list[tuple[str, list[JobRun]]]) -> None:
        w = self.stdout.write
        median = statistics.median
        for name, runs in results:
            video_s = median([r.video_s for r in runs])
            w("")
            w(f"{name}: {video_s:.1f} s of video, {len(runs)} pairs (medians; load {self._load(runs)})")
            w(f"{'stage':<20} {'wall s':>8} {'cpu s':>8} {'cpu s/video s':>14} {'share':>6}")
            total_cpu = median([r.job_cpu_s for r in runs])
            for stage in STAGES:
                cpu = median([r.cpu.get(stage, 0.0) for r in runs])
                wall = median([r.wall.get(stage, 0.0) + r.alongside_wall.get(stage, 0.0) for r in runs])
                w(f"{stage:<20} {wall:>8.2f} {cpu:>8.2f} {cpu / video_s:>14.3f} {cpu / total_cpu:>6.0%}")
            total_wall = median([r.job_wall_s for r in runs])
            w(f"{'whole job':<20} {total_wall:>8.2f} {total_cpu:>8.2f} {total_cpu / video_s:>14.3f} {1:>6.0%}")
            for stage in dict.fromkeys(k for r in runs for k in r.alongside_wall):
                w(
                    f"  ({stage} ran alongside in a thread of its own, "
                    f"{median([r.alongside_wall.get(stage, 0.0) for r in runs]):.2f} s wall: inside the other "
                    "stages' wall, not added to the whole job's; its CPU is what that thread and the "
                    "processes it asks used meanwhile)"
                )
            floor_cpu = median([r.floor_cpu_s for r in runs])
            w(
                f"{'x264 alone':<20} {median([r.floor_s for r in runs]):>8.2f} {floor_cpu:>8.2f} "
                f"{floor_cpu / video_s:>14.3f}"
            )
            names = list(dict.fromkeys(k for r in runs for k in r.composition_times))
            w(
                "composition's own stages, wall s (audio and poster run alongside the video): "
                + ", ".join(f"{k} {median([r.composition_times.get(k, 0.0) for r in runs]):.2f}" for k in names)
            )
            w(
                f"the child process as its parent saw it (the piper program, never waited for, left out): wall {median([r.tree_wall_s for r in runs]):.2f} s, "
                f"cpu {median([r.tree_cpu_s for r in runs]):.2f} s; peak RSS {max(r.peak_rss_mb for r in runs):.0f} MB"
            )
            reference_cpu = median([r.reference_cpu_s for r in runs])
            w(
                f"{'x264 ' + REFERENCE.preset + ' crf ' + str(REFERENCE.crf):<20} {'':>8} {reference_cpu:>8.2f} "
                f"{reference_cpu / video_s:>14.3f}  (the fixed reference, same frames)"
            )
            testsrc_cpu = median([r.testsrc_cpu_per_s for r in runs])
            w(
                f"{'  on testsrc2':<20} {'':>8} {testsrc_cpu * TESTSRC_S:>8.2f} "
                f"{testsrc_cpu:>14.3f}  (the same setting on {TESTSRC_S} s of testsrc2: issue 22's reference)"
            )
            w(
                f"result {name}: job cpu s per video s {total_cpu / video_s:.3f}; "
                f"x264 alone {floor_cpu / video_s:.3f}; "
                f"cpu ratio {median([r.cpu_ratio for r in runs]):.2f} "
                f"(range {min(r.cpu_ratio for r in runs):.2f}-{max(r.cpu_ratio for r in runs):.2f}); "
                f"wall ratio {median([r.wall_ratio for r in runs]):.2f}; "
                f"composition cpu ratio {median([r.composition_cpu_ratio for r in runs]):.2f}; "
                f"job to the {REFERENCE.preset} crf {REFERENCE.crf} reference "
                f"{median([r.reference_ratio for r in runs]):.2f} "
                f"(on testsrc2 {median([r.testsrc_ratio for r in runs]):.2f}); "
                f"wall s per video s {total_wall / video_s:.3f}"
            )
        w("(ratios: medians of the paired job / x264-alone ratios, both halves from the same moment)")
        w(f"load average now {psutil.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    @staticmethod
    def _load(runs: list[JobRun]) -> str:
        return ", ".join(f"{r.load_before:.1f}-{r.load_after:.1f}" for r in runs)

    # --- the child: one job, as make_video does it --------------------------------------

    def _child(self, opts: dict[str, Any]) -> None:
        # Everything this process did before its first line here is start-up.
        me = psutil.Process()
        startup_wall = time.time() - me.create_time()
        startup_cpu = cpu_seconds()
        clock = StageClock()
        captured: dict[str, Any] = {}
        out = Path(opts["child_out"])
        with _wrapped(clock, captured):
            call_command("make_video", str(opts["script"]), out=str(out), quality=opts["quality"], stdout=StringIO())
        clock.close()
        spec: StoryboardSpec = captured["spec"]
        info = captured["info"]
        wall = {STARTUP: startup_wall, **clock.wall}
        cpu = {STARTUP: startup_cpu, **clock.cpu}
        Path(opts["child_result"]).write_text(
            json.dumps(
                {
                    "wall": wall,
                    "cpu": cpu,
                    "alongside_wall": clock.alongside_wall,
                    "composition_times": captured["times"],
                    "master": str(out),
                    "duration_ms": info.duration_ms,
                    "width": spec.width,
                    "height": spec.height,
                    "fps": spec.fps,
                    "x264_args": builder.x264_args(spec),
                    "reference_args": builder.x264_args(
                        replace(spec, preset=REFERENCE.preset, crf=REFERENCE.crf, x264_params=REFERENCE.params)
                    ),
                }
            ),
            encoding="utf-8",
        )


def _timed(clock: StageClock, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        with clock.stage(label):
            return fn(*args, **kwargs)

    return timed


def _timed_render_master(clock: StageClock, captured: dict[str, Any], fn: Callable[..., Any]) -> Callable[..., Any]:
    """render_master with its stage times kept and its progress telling composition from
    validation; the spec is kept for the floor's encoder settings."""

    def timed(spec: StoryboardSpec, workdir: Path, *, on_progress: Any = None, **kwargs: Any) -> Any:
        captured["spec"] = spec
        times: dict[str, float] = {}
        captured["times"] = times

        def progress(name: str, fraction: float) -> None:
            clock.switch("validation" if name == "validate" else "composition")
            if on_progress is not None:
                on_progress(name, fraction)

        with clock.stage("composition"):
            out = fn(spec, workdir, on_progress=progress, stage_times=times, **kwargs)
        captured["info"] = out.info
        return out

    return timed


@contextmanager
def _wrapped(clock: StageClock, captured: dict[str, Any]) -> Iterator[None]:
    import importlib

    saved: list[tuple[Any, str, Any]] = []
    try:
        for module_name, attr, label in WRAPPED:
            module = importlib.import_module(module_name)
            if not hasattr(module, attr):
                raise CommandError(f"bench_job: {module_name}.{attr} is gone; say where the job does {label} now")
            saved.append((module, attr, getattr(module, attr)))
            setattr(module, attr, _timed(clock, label, getattr(module, attr)))
        render = importlib.import_module("videos.services.render")
        saved.append((render, "render_master", render.render_master))
        setattr(render, "render_master", _timed_render_master(clock, captured, render.render_master))  # noqa: B010
        yield
    finally:
        for module, attr, original in reversed(saved):
            setattr(module, attr, original)
