"""Choose x264's operating point by measurement: per content type and quality, the cheapest
setting whose quality is at least today's (mediakit.encoding.REFERENCE) on the same frames.

For each quality and each content type a short storyboard is rendered by the render itself
(render_master: fitted stills, pans, heroes in layers, captions, crossfades), near-losslessly
(veryfast crf SOURCE_CRF), and decoded once to raw yuv420p: those are the source frames.
  - illustration: two scenes of examples/eval/science-bees.txt drawn by mediakit.illustration
    (Openclipart / emoji artwork in layers), their narration's captions burned in;
  - card: two data cards of examples/eval/business-results.txt ("chart:" prompts), counting up;
  - photo: two photo-like stills (bench_render.make_picture: gradients, shapes, grain);
  - clip: two clip scenes, FFmpeg's mandelbrot zoom and a photo-like still filmed hand-held
    (a drifting crop with fresh grain every frame).
Then every candidate setting encodes the same raw frames with the render's own options
(builder.x264_args: profile, GOP, colour tags, threads), REPEAT rounds in a rotating order.
CPU seconds are the FFmpeg child's rusage; each round pairs every candidate with the
reference encoded in that same round, and the report gives the median of those paired
ratios. Size (kbit/s), PSNR-Y and SSIM (all planes) come from the first round, FFmpeg's psnr
and ssim filters against the raw source (x264 gives the same bits every round).

A candidate keeps the quality for a content type and quality when its SSIM and PSNR-Y are at
least the reference's (the reference always does); mediakit.encoding then takes the cheapest
one at no more than encoding.MAX_BITRATE_RATIO of the reference's bitrate for a video's kinds
of content. The output ends with those settings, their CPU and bitrate as shares of the
reference's, as Python for mediakit.encoding.QUALITY_KEPT.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mediakit import builder
from mediakit.caption_images import render_caption_png
from mediakit.encoding import (
    CONTENT_TYPES,
    FAST_SEARCH,
    MAX_BITRATE_RATIO,
    MBTREE,
    REFERENCE,
    Measured,
    X264Setting,
)
from mediakit.illustration import FIGURE_PREFIX, render_illustration
from mediakit.measuring import cpu_seconds, decode_raw_frames
from mediakit.render import render_master
from mediakit.runner import run_ffmpeg
from mediakit.spec import QUALITIES, SceneLayers, SceneSpec, StoryboardSpec, frame_size
from videos.management.commands.bench_render import make_narration, make_picture

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "eval"
FPS = 30
SCENE_MS = 2000
TRANSITION_MS = 500
# The source frames: the render's own, through x264 at this near-lossless crf.
SOURCE_CRF = 4
CANDIDATES: tuple[X264Setting, ...] = (
    REFERENCE,
    *(X264Setting("veryfast", crf) for crf in (24, 25)),
    # veryfast with superfast's motion search (diamond, subpixel refinement 1).
    *(X264Setting("veryfast", crf, FAST_SEARCH) for crf in range(22, 26)),
    *(X264Setting("superfast", crf, MBTREE) for crf in range(21, 27)),
    *(X264Setting("superfast", crf) for crf in range(22, 27)),
    X264Setting("ultrafast", 23),
)


@dataclass(frozen=True)
class Figures:
    setting: X264Setting
    cpu_s: float  # median over the rounds
    cpu_ratio: float  # median of the paired ratios to the reference
    kbps: float
    psnr_y: float
    ssim: float


def keeps_quality(candidate: Figures, reference: Figures) -> bool:
    """At least the reference's quality on both measures."""
    return candidate.ssim >= reference.ssim and candidate.psnr_y >= reference.psnr_y


def _sentences(name: str) -> list[str]:
    return [line.strip() for line in (EXAMPLES / name).read_text().splitlines() if line.strip()]


def _illustrated_scene(prompt: str, seed: int, width: int, height: int, out: Path) -> tuple[str, SceneLayers | None]:
    result = render_illustration(prompt=prompt, width=width, height=height, seed=seed, palette_seed=7)
    if result is None:
        raise CommandError("The artwork library is not installed (scripts/setup.sh installs it).")
    picture = out.with_suffix(".png")
    result.image.save(picture)
    layers = None
    if result.layers is not None:
        background, hero = out.with_name(out.name + "-bg.png"), out.with_name(out.name + "-hero.png")
        result.layers.background.save(background)
        result.layers.hero.save(hero)
        steps = []
        for k, step in enumerate(result.layers.steps):
            steps.append(str(out.with_name(f"{out.name}-step{k}.png")))
            step.save(steps[-1])
        x, y = result.layers.hero_at
        layers = SceneLayers(
            str(background), str(hero), x, y, *result.layers.hero.size, width, height, hero_steps=tuple(steps)
        )
    return str(picture), layers


def _handheld_clip(still: Path, width: int, height: int, out: Path) -> None:
    """A still filmed hand-held: the frame drifts over a larger picture, fresh grain each frame."""
    run_ffmpeg(
        [
            "ffmpeg",
            "-y",
            "-loop",
            "1",
            "-framerate",
            str(FPS),
            "-i",
            str(still),
            "-t",
            "2.5",
            "-vf",
            f"scale={int(width * 1.2) // 2 * 2}:-2,"
            f"crop={width}:{height}:x='(iw-ow)/2+(iw-ow)/3*sin(t*1.7)':y='(ih-oh)/2+(ih-oh)/3*sin(t*2.3+1)',"
            "noise=alls=8:allf=t,format=yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            str(SOURCE_CRF),
            str(out),
        ],  # fmt: skip
        total_ms=None,
        timeout_s=300,
    )


def _mandelbrot_clip(width: int, height: int, out: Path) -> None:
    run_ffmpeg(
        [
            "ffmpeg",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"mandelbrot=size={width}x{height}:rate={FPS}",
            "-t",
            "2.5",
            "-vf",
            "format=yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            str(SOURCE_CRF),
            str(out),
        ],  # fmt: skip
        total_ms=None,
        timeout_s=300,
    )


def content_scenes(content: str, width: int, height: int, tmp: Path) -> list[SceneSpec]:
    """Two scenes of one content type, as the render would be given them."""
    scenes = []
    if content in ("illustration", "card"):
        lines = _sentences("science-bees.txt" if content == "illustration" else "business-results.txt")
        chosen = lines[:2] if content == "illustration" else [lines[0], lines[1]]
        for k, text in enumerate(chosen):
            prompt = f"{FIGURE_PREFIX} {text}" if content == "card" else text
            picture, layers = _illustrated_scene(prompt, k + 1, width, height, tmp / f"{content}-{k}")
            narration = tmp / f"{content}-{k}.wav"
            narration_ms = min(make_narration(text, narration), SCENE_MS - 250)
            caption = tmp / f"{content}-{k}-caption.png"
            render_caption_png(text, width=width, height=height, style="classic", out_path=caption)
            scenes.append(
                SceneSpec(
                    picture=picture,
                    duration_ms=SCENE_MS,
                    narration=str(narration),
                    narration_ms=narration_ms,
                    caption_text=text,
                    caption_png=str(caption),
                    layers=layers,
                    content=content,
                )
            )
        return scenes
    for k in range(2):
        still = tmp / f"photo-{k}.png"
        make_picture(k, still)
        if content == "photo":
            scenes.append(
                SceneSpec(
                    picture=str(still),
                    duration_ms=SCENE_MS,
                    narration=None,
                    narration_ms=0,
                    caption_text="",
                    content=content,
                )
            )
            continue
        clip = tmp / f"clip-{k}.mp4"
        if k == 0:
            _mandelbrot_clip(width, height, clip)
        else:
            _handheld_clip(still, width, height, clip)
        scenes.append(
            SceneSpec(
                picture=str(still),
                duration_ms=SCENE_MS,
                narration=None,
                narration_ms=0,
                caption_text="",
                clip=str(clip),
                clip_ms=2500,
            )  # fmt: skip
        )
    return scenes


_PSNR = re.compile(r"PSNR y:([\d.]+|inf)")
_SSIM = re.compile(r"SSIM .*All:([\d.]+)")


def quality_against(encoded: Path, raw: Path, width: int, height: int) -> tuple[float, float]:
    """(PSNR-Y dB, SSIM all planes) of an encoded file against the raw frames it came from."""
    result = subprocess.run(
        [
            "ffmpeg",
            "-nostats",
            "-i",
            str(encoded),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            "-s",
            f"{width}x{height}",
            "-r",
            str(FPS),
            "-i",
            str(raw),
            "-lavfi",
            "[0:v]split[a][b];[1:v]split[c][d];[a][c]psnr;[b][d]ssim",
            "-f",
            "null",
            "-",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    psnr, ssim = _PSNR.search(result.stderr), _SSIM.search(result.stderr)
    if psnr is None or ssim is None:
        raise CommandError(f"no PSNR/SSIM in FFmpeg's output: {result.stderr[-400:]}")
    return float(psnr.group(1)), float(ssim.group(1))


def encode(raw: Path, spec: StoryboardSpec, setting: X264Setting, out: Path) -> float:
    """x264 alone encoding the raw frames with the render's options and `setting`; CPU s."""
    args = builder.x264_args(replace(spec, preset=setting.preset, crf=setting.crf, x264_params=setting.params))
    argv = [
        "ffmpeg", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{spec.width}x{spec.height}",
        "-r", str(spec.fps), "-i", str(raw), *args, "-an", "-f", "mp4", str(out),
    ]  # fmt: skip
    before = cpu_seconds()
    run_ffmpeg(argv, total_ms=None, timeout_s=600)
    return cpu_seconds() - before


def study(
    raw: Path, spec: StoryboardSpec, frames: int, repeat: int, candidates: tuple[X264Setting, ...], tmp: Path,
    log: Callable[[str], None],
) -> list[Figures]:  # fmt: skip
    cpu: dict[X264Setting, list[float]] = {c: [] for c in candidates}
    ratios: dict[X264Setting, list[float]] = {c: [] for c in candidates}
    quality: dict[X264Setting, tuple[float, float, float]] = {}
    for round_ in range(repeat):
        # Rotate the order so no setting always runs first (a cold cache) or last.
        shift = round_ * len(candidates) // max(repeat, 1)
        order = candidates[shift:] + candidates[:shift]
        spent: dict[X264Setting, float] = {}
        for setting in order:
            out = tmp / "candidate.mp4"
            spent[setting] = encode(raw, spec, setting, out)
            if setting not in quality:
                kbps = out.stat().st_size * 8 / (frames / spec.fps) / 1000
                quality[setting] = (kbps, *quality_against(out, raw, spec.width, spec.height))
            out.unlink()
        for setting, cpu_s in spent.items():
            cpu[setting].append(cpu_s)
            ratios[setting].append(cpu_s / spent[REFERENCE])
        log(f"    round {round_ + 1}/{repeat}: load {os.getloadavg()[0]:.2f}")
    return [Figures(c, statistics.median(cpu[c]), statistics.median(ratios[c]), *quality[c]) for c in candidates]


class Command(BaseCommand):
    help = "Measure x264 settings per content type and quality against veryfast crf 23 on the render's own frames."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--qualities", default=",".join(QUALITIES), help="Comma-separated, of 480p,720p,1080p")
        parser.add_argument("--contents", default=",".join(CONTENT_TYPES), help="Comma-separated content types")
        parser.add_argument("--repeat", type=int, default=2, help="Rounds of every candidate (paired, medians)")

    def handle(self, *args: object, **opts: object) -> None:
        qualities = [q for q in str(opts["qualities"]).split(",") if q]
        contents = [c for c in str(opts["contents"]).split(",") if c]
        for name in qualities:
            if name not in QUALITIES:
                raise CommandError(f"unknown quality {name!r}; one of {QUALITIES}")
        for name in contents:
            if name not in CONTENT_TYPES:
                raise CommandError(f"unknown content {name!r}; one of {CONTENT_TYPES}")
        repeat = int(str(opts["repeat"]))
        if repeat < 1:
            raise CommandError("--repeat must be at least 1")
        w = self.stdout.write
        w(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; reference {REFERENCE}; {repeat} rounds")
        kept: dict[tuple[str, str], list[Measured]] = {}
        for quality in qualities:
            width, height = frame_size("16:9", quality)
            for content in contents:
                with tempfile.TemporaryDirectory(prefix="encoder-study-") as name:
                    tmp = Path(name)
                    spec = StoryboardSpec(
                        scenes=tuple(content_scenes(content, width, height, tmp)),
                        width=width, height=height, fps=FPS, transition="fade", transition_ms=TRANSITION_MS,
                        captions=True, preset=REFERENCE.preset, crf=SOURCE_CRF,
                    )  # fmt: skip
                    master = render_master(spec, tmp / "source", timeout_s=1200).master_path
                    raw = tmp / "source.yuv"
                    frames = decode_raw_frames(master, raw, width=width, height=height)
                    w(f"{quality} {content}: {frames} frames of the render's own, {len(CANDIDATES)} settings")
                    results = study(raw, spec, frames, repeat, CANDIDATES, tmp, w)
                reference = next(f for f in results if f.setting == REFERENCE)
                w(f"  {'x264':<42} {'CPU s':>6} {'ratio':>6} {'kbit/s':>7} {'PSNR-Y':>7} {'SSIM':>7}  quality kept")
                for f in sorted(results, key=lambda f: f.cpu_ratio):
                    mark = ""
                    if keeps_quality(f, reference):
                        size = f.kbps / reference.kbps
                        mark = f"yes, size {size:.2f}" + (" (too large)" if size > MAX_BITRATE_RATIO else "")
                    w(
                        f"  {str(f.setting):<42} {f.cpu_s:>6.2f} {f.cpu_ratio:>6.2f} {f.kbps:>7.0f} "
                        f"{f.psnr_y:>7.2f} {f.ssim:>7.4f}  {mark}"
                    )
                # The reference always keeps its own quality: every row has a setting.
                kept[(content, quality)] = [
                    Measured(f.setting, round(f.cpu_ratio, 2), round(f.kbps / reference.kbps, 3))
                    for f in sorted(results, key=lambda f: f.cpu_ratio)
                    if keeps_quality(f, reference)
                ]
        w("\n# mediakit.encoding.QUALITY_KEPT")
        w("QUALITY_KEPT = {")
        for (content, quality), row in kept.items():
            w(f'    ("{content}", "{quality}"): (')
            for m in row:
                w(f"        {m!r},")
            w("    ),")
        w("}")
