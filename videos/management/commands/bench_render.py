"""Benchmark the composition pipeline against FFmpeg encoding the same frames alone.

For each length and each repeat, two runs back to back, a pair: (a) render_master
end to end on a procedurally made storyboard (6 scenes per 30 s, captions, music,
fades, each picture in layers: its hero overlaid with parallax and an entrance), sampling the peak RSS of this process plus all its descendants (FFmpeg
included) every 50 ms; (b) the floor: libx264 with the same settings encoding the
slideshow's own frames from a raw file, no filters. The raw frames are made once
from the 30 s storyboard (the render's own still fitting and filters, so the very
frames it encodes) and looped for longer lengths; making them is not timed.

Each pair gives a ratio (render / baseline, wall and CPU); the report is the
median of those paired ratios, so both halves of a ratio always come from the
same moment of a shared machine. The 1-minute load average is printed with
every pair: figures taken under load are noisy, the ratios less so.

Then the narration cost: seconds of synthesis (wall and CPU, the model's load included)
per second of speech with the default (neural) voice, from mediakit.narration_cost.

Uses only the composition package, Pillow, espeak-ng and the piper voice that ships as a
package (no downloads, no storage).
"""

from __future__ import annotations

import math
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from mediakit import builder
from mediakit.caption_images import render_caption_png
from mediakit.measuring import RssSampler, cpu_seconds, encode_raw_frames
from mediakit.narration_cost import measure_narration_cost
from mediakit.probe import probe
from mediakit.render import render_master, with_fitted_stills
from mediakit.runner import run_ffmpeg
from mediakit.spec import QUALITIES, SceneLayers, SceneSpec, StoryboardSpec, frame_size, scene_duration_for
from mediakit.timeline import group_pieces, plan

SCENES_PER_30S = 6
FPS = 30
TRANSITION_MS = 500
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

SENTENCES = [
    "Every city keeps a map of its rivers under the streets.",
    "Bakers start before dawn so the bread is ready by seven.",
    "A bridge is a promise written in steel and stone.",
    "Bees dance to tell each other where the flowers are.",
    "The oldest trees remember summers we have forgotten.",
    "Night trains carry letters across sleeping borders.",
]


@dataclass(frozen=True)
class PairFigures:
    """One render and the baseline run right after it."""

    render: RunFigures
    baseline_s: float
    baseline_cpu_s: float
    load_before: float
    load_after: float

    @property
    def ratio(self) -> float:
        return self.render.render_s / self.baseline_s

    @property
    def cpu_ratio(self) -> float:
        return self.render.render_cpu_s / self.baseline_cpu_s


@dataclass(frozen=True)
class RunFigures:
    length_s: int
    frames: int
    render_s: float
    baseline_s: float
    render_cpu_s: float
    baseline_cpu_s: float
    peak_rss_mb: float
    peak_ffmpeg_mb: float
    stages: dict[str, float]


def make_picture(index: int, path: Path) -> None:
    """A 'photo-like' still: gradient sky, soft shapes, a horizon, grain and a title."""
    rng = random.Random(index)
    w, h = 2400, 1600  # 3:2, so the builder has to scale and crop
    top = tuple(rng.randint(20, 120) for _ in range(3))
    bottom = tuple(rng.randint(120, 255) for _ in range(3))
    image = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(image)
    for y in range(h):
        mix = y / h
        draw.line([(0, y), (w, y)], fill=tuple(round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)))
    shapes = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    sdraw = ImageDraw.Draw(shapes)
    for _ in range(40):
        x, y = rng.randint(-200, w), rng.randint(-200, h)
        r = rng.randint(40, 420)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255), rng.randint(60, 200))
        if rng.random() < 0.5:
            sdraw.ellipse([x, y, x + r, y + r * rng.uniform(0.5, 1.5)], fill=colour)
        else:
            sdraw.polygon([(x + rng.randint(-r, r), y + rng.randint(-r, r)) for _ in range(5)], fill=colour)
    shapes = shapes.filter(ImageFilter.GaussianBlur(3))
    image.paste(shapes, (0, 0), shapes)
    horizon = [(0, h)]
    for x in range(0, w + 80, 80):
        horizon.append((x, int(h * 0.72 + 60 * math.sin(x / 210 + index) + rng.randint(-25, 25))))
    horizon.append((w, h))
    draw = ImageDraw.Draw(image)
    draw.polygon(horizon, fill=tuple(c // 3 for c in bottom))
    # Grain: the encoder must spend bits on texture, as with a real photo.
    noise = Image.effect_noise((w, h), 18).convert("RGB")
    image = Image.blend(image, noise, 0.08)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 150)
    draw.text((140, 180), f"Chapter {index + 1}", font=font, fill="white", stroke_width=6, stroke_fill="black")
    image.save(path, format="PNG")


HERO_SIZE = (760, 900)  # of the 2400x1600 picture: a subject about a third of the frame wide


def make_layered_picture(index: int, directory: Path) -> tuple[Path, SceneLayers]:
    """make_picture's still with a hero over it, in layers as the offline illustrations come
    (assets.generators.base.PictureLayers): the background, and the hero (a grainy figure
    with its soft contact shadow, RGBA) cropped to its box. Returns the composite and the layers."""
    background = directory / f"background_{index}.png"
    make_picture(index, background)
    rng = random.Random(1000 + index)
    w, h = HERO_SIZE
    hero = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(hero)
    draw.ellipse([60, h - 110, w - 60, h - 10], fill=(0, 0, 0, 120))
    colour = tuple(rng.randint(80, 255) for _ in range(3))
    draw.rounded_rectangle([150, 260, w - 150, h - 60], radius=120, fill=(*colour, 255))
    draw.ellipse([230, 20, w - 230, 320], fill=(*(c // 2 + 100 for c in colour), 255))
    hero = hero.filter(ImageFilter.GaussianBlur(2))
    # Grain inside the figure, as on the background: the encoder spends bits on it too.
    noise = Image.effect_noise((w, h), 18).convert("RGB")
    hero = Image.merge("RGBA", (*Image.blend(hero.convert("RGB"), noise, 0.08).split(), hero.getchannel("A")))
    hero_path = directory / f"hero_{index}.png"
    hero.save(hero_path, format="PNG")
    x, y = 820 + rng.randint(-200, 200), 1600 - h - rng.randint(20, 120)
    with Image.open(background) as image:
        picture = image.convert("RGB")
    picture.paste(hero, (x, y), hero)
    path = directory / f"picture_{index}.png"
    picture.save(path, format="PNG")
    return path, SceneLayers(str(background), str(hero_path), x, y, w, h, picture.width, picture.height)


def make_narration(text: str, path: Path) -> int:
    subprocess.run(["espeak-ng", "-s", "175", "-w", str(path), text], check=True, capture_output=True)
    info = probe(path)
    if info.duration_ms is None:
        raise CommandError(f"espeak-ng wrote an unreadable WAV for {text!r}")
    return info.duration_ms


def make_music(path: Path) -> None:
    # A soft chord with some noise, 20 s, looped by the pipeline.
    expr = "0.2*sin(2*PI*220*t)+0.15*sin(2*PI*277.18*t)+0.15*sin(2*PI*329.63*t)"
    run_ffmpeg(
        [
            "ffmpeg",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc={expr}:s=48000:d=20",
            "-f",
            "lavfi",
            "-i",
            "anoisesrc=c=pink:a=0.05:d=20:r=48000",
            "-filter_complex",
            "amix=inputs=2:normalize=0,tremolo=f=0.5:d=0.4",
            "-ac",
            "2",
            str(path),
        ],
        total_ms=None,
        timeout_s=60,
    )


class Command(BaseCommand):
    help = "Time render_master against a bare x264 encode of the same frames, and sample peak memory."
    # Only the composition package is exercised: do not depend on the rest of the project's checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lengths", default="30,60,180,600", help="Comma-separated video lengths in seconds")
        parser.add_argument("--quality", default="1080p", choices=QUALITIES)
        parser.add_argument("--workdir", type=Path, default=None, help="Scratch directory (default: a temp dir)")
        parser.add_argument("--keep", action="store_true", help="Keep the scratch directory")
        parser.add_argument(
            "--no-narration",
            action="store_true",
            help="Do not measure the narration cost (the default voice's synthesis per second of speech)",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=3,
            help="Pairs per length (a render, then the baseline right after it); "
            "the report gives the median of the paired ratios",
        )

    def handle(self, *args: object, **opts: object) -> None:
        try:
            lengths = [int(x) for x in str(opts["lengths"]).split(",") if x.strip()]
        except ValueError as exc:
            raise CommandError("--lengths takes whole seconds, e.g. 30,60,180") from exc
        if not lengths or min(lengths) < 10:
            raise CommandError("lengths must be at least 10 s")
        width, height = frame_size("16:9", str(opts["quality"]))
        root = Path(opts["workdir"] or tempfile.mkdtemp(prefix="bench-render-"))
        root.mkdir(parents=True, exist_ok=True)
        try:
            self._bench(root, lengths, width, height, max(1, int(opts["repeat"])))
            if not opts["no_narration"]:
                self.stdout.write("")
                self.stdout.write(measure_narration_cost(out_dir=root / "narration-cost").line())
        finally:
            if not opts["keep"]:
                shutil.rmtree(root, ignore_errors=True)

    def _spec(self, root: Path, length_s: int, width: int, height: int, assets: dict) -> StoryboardSpec:
        n = max(1, round(length_s / 30 * SCENES_PER_30S))
        # n scenes overlapping by n-1 transitions make length_s.
        duration_ms = round((length_s * 1000 + (n - 1) * TRANSITION_MS) / n)
        scenes = []
        for i in range(n):
            k = i % SCENES_PER_30S
            needed = scene_duration_for(assets["narration_ms"][k], transition_ms=TRANSITION_MS)
            if needed > duration_ms:
                raise CommandError(f"narration {k} needs {needed} ms, scenes are {duration_ms} ms")
            scenes.append(
                SceneSpec(
                    picture=str(assets["pictures"][k]),
                    layers=assets["layers"][k],
                    duration_ms=duration_ms,
                    narration=str(assets["narrations"][k]),
                    narration_ms=assets["narration_ms"][k],
                    caption_text=SENTENCES[k],
                    caption_png=str(assets["captions"][k]),
                )
            )
        return StoryboardSpec(
            scenes=tuple(scenes),
            width=width,
            height=height,
            fps=FPS,
            transition="fade",
            transition_ms=TRANSITION_MS,
            music=str(assets["music"]),
            captions=True,
        )

    def _bench(self, root: Path, lengths: list[int], width: int, height: int, repeat: int) -> None:
        assets_dir = root / "assets"
        assets_dir.mkdir(exist_ok=True)
        assets: dict = {"pictures": [], "layers": [], "narrations": [], "narration_ms": [], "captions": []}
        for k, sentence in enumerate(SENTENCES):
            picture, layers = make_layered_picture(k, assets_dir)
            assets["layers"].append(layers)
            narration = assets_dir / f"narration_{k}.wav"
            assets["narration_ms"].append(make_narration(sentence, narration))
            caption = assets_dir / f"caption_{k}.png"
            render_caption_png(sentence, width=width, height=height, style="classic", out_path=caption)
            assets["pictures"].append(picture)
            assets["narrations"].append(narration)
            assets["captions"].append(caption)
        assets["music"] = assets_dir / "music.wav"
        make_music(assets["music"])

        raw = root / "frames_30s.yuv"
        raw_frames = self._make_raw_frames(self._spec(root, 30, width, height, assets), root, raw)

        results: list[list[PairFigures]] = []
        for length in lengths:
            spec = self._spec(root, length, width, height, assets)
            timeline = plan(spec)
            pairs: list[PairFigures] = []
            for attempt in range(repeat):
                load_before = psutil.getloadavg()[0]
                self.stdout.write(
                    f"{length} s, pair {attempt + 1}/{repeat}: render ({len(spec.scenes)} scenes, "
                    f"{timeline.total_frames} frames), then x264 alone on the same number of raw frames "
                    f"(load {load_before:.1f})"
                )
                run = self._render_once(spec, root / f"render_{length}s", length, timeline.total_frames)
                baseline_s, baseline_cpu_s = self._baseline(
                    spec, raw, raw_frames, timeline.total_frames, root / "baseline.mp4"
                )
                pair = PairFigures(
                    render=run,
                    baseline_s=baseline_s,
                    baseline_cpu_s=baseline_cpu_s,
                    load_before=load_before,
                    load_after=psutil.getloadavg()[0],
                )
                pairs.append(pair)
                self.stdout.write(
                    f"    render {run.render_s:.1f} s (cpu {run.render_cpu_s:.1f}), "
                    f"baseline {baseline_s:.1f} s (cpu {baseline_cpu_s:.1f}): ratio {pair.ratio:.2f}, "
                    f"cpu ratio {pair.cpu_ratio:.2f}; peak RSS {run.peak_rss_mb:.0f} MB "
                    f"(FFmpeg {run.peak_ffmpeg_mb:.0f}); load {pair.load_after:.1f}"
                )
                self.stdout.write(
                    "    stages: " + ", ".join(f"{name} {seconds:.2f}" for name, seconds in run.stages.items())
                )
            results.append(pairs)
        self._report(results)

    def _render_once(self, spec: StoryboardSpec, work: Path, length: int, frames: int) -> RunFigures:
        stages: dict[str, float] = {}
        cpu_before = cpu_seconds()
        with RssSampler() as sampler:
            started = time.monotonic()
            render_master(spec, work, timeout_s=7200, stage_times=stages)
            render_s = time.monotonic() - started
        cpu_s = cpu_seconds() - cpu_before - sampler.cpu_s
        stages["other"] = render_s - sum(
            seconds
            for name, seconds in stages.items()
            if name in ("video", "audio_wait", "mux", "poster_wait", "validate")
        )
        shutil.rmtree(work, ignore_errors=True)
        return RunFigures(
            length_s=length,
            frames=frames,
            render_s=render_s,
            baseline_s=0.0,
            render_cpu_s=cpu_s,
            baseline_cpu_s=0.0,
            peak_rss_mb=sampler.peak_total / 2**20,
            peak_ffmpeg_mb=sampler.peak_children / 2**20,
            stages=stages,
        )

    def _make_raw_frames(self, spec: StoryboardSpec, root: Path, raw: Path) -> int:
        """The 30 s slideshow's frames, from the render's fitted stills through its filters, as raw yuv420p."""
        timeline = plan(spec)
        self.stdout.write(f"making {timeline.total_frames} raw frames for the baseline (not timed)...")
        part = root / "piece.yuv"
        stills = root / "baseline-stills"
        stills.mkdir(exist_ok=True)
        with open(raw, "wb") as out:
            for pieces in group_pieces(timeline, 1):
                # The stills fitted as render_master fits them (Pillow): made from the
                # original pictures, FFmpeg's resampling gave other frames (stills 36 dB
                # apart), though x264 took the same time on both (600 frames, paired).
                fitted = with_fitted_stills(spec, timeline, pieces, stills)
                run_ffmpeg(builder.segment_raw_argv(fitted, timeline, pieces, str(part)), total_ms=None, timeout_s=600)
                with open(part, "rb") as src:
                    shutil.copyfileobj(src, out, 16 * 2**20)
        part.unlink()
        shutil.rmtree(stills, ignore_errors=True)
        frame_bytes = spec.width * spec.height * 3 // 2
        frames = raw.stat().st_size // frame_bytes
        if frames != timeline.total_frames:
            raise CommandError(f"raw file holds {frames} frames, expected {timeline.total_frames}")
        return frames

    def _baseline(
        self, spec: StoryboardSpec, raw: Path, raw_frames: int, frames: int, out: Path
    ) -> tuple[float, float]:
        return encode_raw_frames(
            raw,
            width=spec.width,
            height=spec.height,
            fps=spec.fps,
            raw_frames=raw_frames,
            frames=frames,
            x264_args=builder.x264_args(spec),
            out=out,
        )

    def _report(self, results: list[list[PairFigures]]) -> None:
        w = self.stdout.write
        w("")
        w(
            f"{'length':>7} {'frames':>7} {'pairs':>5} {'render s':>9} {'baseline s':>11} {'ratio':>6} "
            f"{'cpu ratio':>9} {'ratio range':>12} {'peak RSS MB':>12} {'ffmpeg MB':>10} {'load':>5}"
        )
        for pairs in results:
            first = pairs[0].render
            ratios = [p.ratio for p in pairs]
            w(
                f"{first.length_s:>6}s {first.frames:>7} {len(pairs):>5} "
                f"{_median([p.render.render_s for p in pairs]):>9.1f} {_median([p.baseline_s for p in pairs]):>11.1f} "
                f"{_median(ratios):>6.2f} {_median([p.cpu_ratio for p in pairs]):>9.2f} "
                f"{min(ratios):>5.2f}-{max(ratios):<6.2f} "
                f"{max(p.render.peak_rss_mb for p in pairs):>12.0f} {max(p.render.peak_ffmpeg_mb for p in pairs):>10.0f} "
                f"{_median([(p.load_before + p.load_after) / 2 for p in pairs]):>5.1f}"
            )
        w("(ratio, cpu ratio: medians of paired render/baseline ratios; peak RSS: the worst pair, whole process tree)")
        w("")
        names = list(dict.fromkeys(name for pairs in results for p in pairs for name in p.render.stages))
        w("stage wall seconds (medians; audio and poster run alongside the video, *_wait is what was left to wait):")
        w(f"{'':>7} " + " ".join(f"{name:>11}" for name in names))
        for pairs in results:
            w(
                f"{pairs[0].render.length_s:>6}s "
                + " ".join(f"{_median([p.render.stages.get(name, 0.0) for p in pairs]):>11.2f}" for name in names)
            )
        if len(results) > 1:
            first, last = results[0], results[-1]
            first_rss = max(p.render.peak_rss_mb for p in first)
            last_rss = max(p.render.peak_rss_mb for p in last)
            w("")
            w(
                f"peak RSS {last[0].render.length_s}s / {first[0].render.length_s}s: "
                f"{last_rss / first_rss:.2f} (target <= 1.20)"
            )
            per_s = [_median([p.render.render_cpu_s for p in pairs]) / pairs[0].render.length_s for pairs in results]
            w(
                "render CPU seconds per video second: "
                + ", ".join(f"{pairs[0].render.length_s}s {v:.3f}" for pairs, v in zip(results, per_s, strict=True))
                + f" (growth {per_s[-1] / per_s[0]:.2f})"
            )
        worst = max(_median([p.cpu_ratio for p in pairs]) for pairs in results)
        w(f"worst median cpu ratio {worst:.2f} (target <= 1.15); load average now {psutil.getloadavg()[0]:.1f}")


def _median(values: list[float]) -> float:
    return statistics.median(values)
