"""The music bed under the narration, measured (no Django needed).

    .venv/bin/python scripts/bench_music.py [--music calm|bright|pulse|MOOD|FILE ...] [--render DIR]

Narrates a three-scene script with the default voice, mixes it over each music bed exactly as
a render does (audio_mix.audio_mix_argv), mixes the voice alone the same way, and subtracts:
what is left is the bed as the listener hears it. Its level (RMS over 50 ms windows, dBFS,
before loudness normalisation) is then read where the voice speaks, in the pauses between
phrases and scenes, and where nobody speaks (before the first word, after the last).
With --render, each bed is also composed into a small MP4 in DIR and its loudness read.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from mediakit import audio_mix, loudness  # noqa: E402
from mediakit.music import TRACKS  # noqa: E402
from mediakit.phrases import caption_phrases  # noqa: E402
from mediakit.runner import run_ffmpeg  # noqa: E402
from mediakit.spec import TRANSITION_MS, SceneSpec, StoryboardSpec, scene_duration_for  # noqa: E402
from mediakit.speech import DEFAULT_VOICE, RATE_DEFAULT, synthesize_narrations  # noqa: E402
from mediakit.timeline import plan  # noqa: E402

SCENES = (
    "The old lighthouse stands on a rock, far from the shore. Every night, for a hundred years, "
    "its lamp has turned, slowly, over the dark water.",
    "Ships once counted on it. Today, the keeper's house is a museum, and the light, still "
    "working, guides small boats home.",
    "Come and see it in summer, when the sea is calm, the path is open, and the view goes on for miles.",
)
WINDOW_MS = 50
SHORT_PAUSE_MS = 1000


def _read_f32(path: Path) -> np.ndarray:
    """A float WAV as written by audio_mix_argv (pcm_f32le stereo), mono-summed."""
    data = path.read_bytes()
    offset = data.index(b"data") + 8
    samples = np.frombuffer(data[offset:], dtype="<f4")
    return samples[: len(samples) // 2 * 2].reshape(-1, 2).mean(axis=1)


def _db(rms: float) -> float:
    return 20 * math.log10(rms) if rms > 0 else -120.0


def _window_levels(signal: np.ndarray, start_ms: int, end_ms: int) -> list[float]:
    rate = audio_mix.AUDIO_RATE
    step = WINDOW_MS * rate // 1000
    levels = []
    for at in range(start_ms * rate // 1000, end_ms * rate // 1000 - step + 1, step):
        chunk = signal[at : at + step]
        levels.append(_db(float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2)))))
    return levels


def _mix(spec: StoryboardSpec, out: Path) -> np.ndarray:
    run_ffmpeg(audio_mix.audio_mix_argv(spec, plan(spec), str(out)), total_ms=None, timeout_s=300)
    return _read_f32(out)


def _music_path(choice: str, work: Path, duration_ms: int) -> str:
    if Path(choice).is_file():
        return choice
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contentizer_site.settings")
    django.setup()
    from assets.generators.music_beds import render_music_bed
    from mediakit.music_synth import MUSIC_BEDS

    if choice in MUSIC_BEDS:
        return str(render_music_bed(bed=choice, duration_ms=duration_ms, out_dir=work).path)
    from mediakit.music import library_track

    track = library_track(choice, seed=0)
    if track is None:
        raise SystemExit(f"{choice}: not a file, a procedural bed or a mood of the installed music library")
    return track.path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--music", nargs="+", default=["calm"])
    parser.add_argument("--volume-db", type=float, default=None, help="The bed's level (the spec's default if absent)")
    parser.add_argument("--render", type=Path, default=None, help="Also compose an MP4 per bed into this folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-music-"))
    narrations = synthesize_narrations(
        scenes=[caption_phrases(text) for text in SCENES], voice=DEFAULT_VOICE, rate_wpm=RATE_DEFAULT, out_dir=work
    )
    Image.new("RGB", (320, 180), (20, 20, 60)).save(work / "dark.png")
    scenes = tuple(
        SceneSpec(
            picture=str(work / "dark.png"),
            duration_ms=scene_duration_for(n.duration_ms, transition_ms=TRANSITION_MS),
            narration=str(n.wav_path),
            narration_ms=n.duration_ms,
            caption_text=text,
            phrases=n.phrases,
        )
        for n, text in zip(narrations, SCENES, strict=True)
    )
    # A 3 s scene nobody speaks in, before the last: a long gap, where the bed comes back.
    gap = SceneSpec(picture=str(work / "dark.png"), duration_ms=3000, narration=None, narration_ms=0, caption_text="")
    scenes = (*scenes[:-1], gap, scenes[-1])
    quiet = StoryboardSpec(scenes=scenes, width=320, height=180, fps=30)
    timeline = plan(quiet)
    voice = _mix(quiet, work / "voice.wav")

    # Where the voice speaks, and the gaps between, from the phrases' own times.
    spoken: list[tuple[int, int, int]] = []  # (start, end, scene)
    for index, (scene, start) in enumerate(zip(scenes, timeline.narration_start_ms, strict=True)):
        spoken += [(start + a, start + b, index) for _, a, b in scene.phrases]
    inside = [(a[1], b[0]) for a, b in zip(spoken, spoken[1:], strict=False) if a[2] == b[2]]
    between = [
        (a[1], b[0]) for a, b in zip(spoken, spoken[1:], strict=False) if a[2] != b[2] and b[0] - a[1] < SHORT_PAUSE_MS
    ]
    long_gaps = [(a[1], b[0]) for a, b in zip(spoken, spoken[1:], strict=False) if b[0] - a[1] >= SHORT_PAUSE_MS]
    edges = [(0, spoken[0][0]), (spoken[-1][1], timeline.duration_ms)]
    print(
        f"{len(spoken)} phrases over {timeline.duration_ms / 1000:.1f} s; pauses inside scenes "
        f"{min(b - a for a, b in inside)}-{max(b - a for a, b in inside)} ms, between scenes "
        f"{', '.join(str(b - a) for a, b in between)} ms, a long gap of {', '.join(str(b - a) for a, b in long_gaps)} ms; before the first word {edges[0][1]} ms, "
        f"after the last {edges[1][1] - edges[1][0]} ms"
    )

    for choice in args.music:
        music = _music_path(choice, work, timeline.duration_ms)
        volume = StoryboardSpec.music_volume_db if args.volume_db is None else args.volume_db
        options: dict[str, float | int] = {"music_volume_db": volume}
        track = next((t for t in TRACKS if t.path == music), None)
        if track is not None:
            # As the render service does: at the reference loudness, looped at a phrase.
            options = {
                "music_volume_db": volume + track.gain_db,
                "music_loop_ms": track.loop_ms,
                "music_crossfade_ms": track.crossfade_ms,
            }
        spec = StoryboardSpec(scenes=scenes, width=320, height=180, fps=30, music=music, **options)
        mix = _mix(spec, work / "mix.wav")
        bed = mix[: len(voice)] - voice[: len(mix)]
        # The same bed with nobody speaking: the level the ducking starts from, window by window.
        silent = tuple(replace(s, narration=None, narration_ms=0, phrases=()) for s in scenes)
        alone = _mix(replace(spec, scenes=silent), work / "alone.wav")

        def gains(
            spans: list[tuple[int, int]], margin: int = 0, bed: np.ndarray = bed, alone: np.ndarray = alone
        ) -> list[float]:
            out: list[float] = []
            for a, b in spans:
                ducked = _window_levels(bed, a + margin, b - margin)
                out += [d - u for d, u in zip(ducked, _window_levels(alone, a + margin, b - margin), strict=True)]
            return out

        voice_levels = [v for a, b, _ in spoken for v in _window_levels(voice, a + 50, b - 50)]
        g_under = gains([(a, b) for a, b, _ in spoken], margin=50)
        g_short = gains([(a, b) for a, b in inside + between if b - a < SHORT_PAUSE_MS])

        def levels(spans: list[tuple[int, int]], margin: int = 0, bed: np.ndarray = bed) -> list[float]:
            out: list[float] = []
            for a, b in spans:
                out += _window_levels(bed, a + margin, b - margin)
            return out

        under = levels([(a, b) for a, b, _ in spoken], margin=50)
        short = levels([(a, b) for a, b in inside + between if b - a < SHORT_PAUSE_MS])
        scenes_gap = levels(between)
        open_ = _window_levels(bed, 0, max(WINDOW_MS, edges[0][1] - 300))
        close = _window_levels(bed, edges[1][0], edges[1][1])
        print(
            f"{Path(music).name[:28]:28s} bed dBFS (50 ms RMS): under speech median {statistics.median(under):6.1f}, "
            f"short pauses median {statistics.median(short):6.1f} max {max(short):6.1f}, between scenes max "
            f"{max(scenes_gap):6.1f}, before the voice {statistics.median(open_):6.1f}, after it "
            f"{statistics.median(close):6.1f}; rise in short pauses "
            f"{max(short) - statistics.median(under):+.1f} dB"
        )
        print(
            f"{'':28s} ducking (bed minus the same bed alone): under speech median {statistics.median(g_under):+.1f} dB "
            f"(least {max(g_under):+.1f}), short pauses median {statistics.median(g_short):+.1f} dB "
            f"(least {max(g_short):+.1f}), between scenes {statistics.median(gains(between)):+.1f} dB "
            f"(least {max(gains(between)):+.1f}), voice over bed under speech "
            f"{statistics.median(voice_levels) - statistics.median(under):.1f} dB, in the middle of the long gap {statistics.median(gains([(a + 1000, b - 1000) for a, b in long_gaps])):+.1f} dB; unducked bed median {statistics.median(_window_levels(alone, 1000, timeline.duration_ms - 3000)):.1f} dBFS"
        )
        if args.render is not None:
            from mediakit.render import render_master

            args.render.mkdir(parents=True, exist_ok=True)
            result = render_master(spec, args.render / Path(music).stem, timeout_s=600)
            report = run_ffmpeg(
                ["ffmpeg", "-i", str(result.master_path), "-af", "ebur128=peak=true", "-f", "null", "-"],
                total_ms=None,
                timeout_s=120,
            ).stderr_tail
            summary = loudness.parse_ebur128_summary(report)
            print(f"{'':28s} master {result.master_path}: {summary}")


if __name__ == "__main__":
    main()
