"""Narration cost and caption sync, measured on three scripts (no Django needed).

    .venv/bin/python scripts/bench_narration.py [--render] [--voice ID] [--rate WPM]

Prints, per script, the seconds of synthesis per second of speech (wall clock, and CPU
seconds of the synthesiser processes, which contention on a shared machine does not
inflate). With --render, each script is composed into a small MP4 without music and the
audio is measured: every onset of speech after a pause against the nearest cue start.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from mediakit.caption_images import render_phrase_pngs  # noqa: E402
from mediakit.narration_cost import measure_narration_cost  # noqa: E402
from mediakit.phrases import caption_phrases, display_width, wrap_caption  # noqa: E402
from mediakit.render import render_master  # noqa: E402
from mediakit.runner import run_ffmpeg  # noqa: E402
from mediakit.spec import SceneSpec, StoryboardSpec, scene_duration_for  # noqa: E402
from mediakit.speech import DEFAULT_VOICE, RATE_DEFAULT  # noqa: E402
from mediakit.timeline import plan  # noqa: E402

SCRIPTS = {
    "numbers": (
        "In 1990, the lighthouse cost $4.2 million to automate, about 12% of the budget. "
        "By March 3, 2024, it had guided 1,250,000 ships past the rocks, on 22nd-century charts. "
        "“It never failed,” said Dr. Smith, “not once in the ’90s.”"
    ),
    "web": (
        "Visit https://www.example.com/lighthouse for the timetable, or write to keeper@example.org. "
        "Tours start at 9:30 a.m. and 3:15 p.m., e.g. on weekends; the walk is 5 km and takes 2 hours. "
        "Tickets cost £8, kids go free & dogs too."
    ),
    "languages": (
        "The keeper greeted every visitor in their own language. "
        "Der Leuchtturm ist sehr alt und steht auf einem Felsen. "
        "Le phare est magnifique au coucher du soleil. "
        "Добро пожаловать на маяк. "
        "مرحبا بكم في المنارة. "
        "灯塔很古老，每天晚上都会亮起来。 "
        "He smiled, and the light came on."
    ),
}


def _silences(path: Path) -> list[tuple[float, float]]:
    report = run_ffmpeg(
        ["ffmpeg", "-i", str(path), "-af", "silencedetect=n=-40dB:d=0.2", "-f", "null", "-"],
        total_ms=None,
        timeout_s=120,
    ).stderr_tail
    starts = [float(v) * 1000 for v in re.findall(r"silence_start: (-?[\d.]+)", report)]
    ends = [float(v) * 1000 for v in re.findall(r"silence_end: ([\d.]+)", report)]
    return list(zip(starts, ends, strict=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voice", default=DEFAULT_VOICE)
    parser.add_argument("--rate", type=int, default=RATE_DEFAULT)
    parser.add_argument("--render", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-narration-"))
    total_wall = total_cpu = total_speech = 0.0
    offsets: list[float] = []
    for name, text in SCRIPTS.items():
        phrases = caption_phrases(text)
        cost = measure_narration_cost([text], voice=args.voice, rate_wpm=args.rate, out_dir=work)
        narration, wall, cpu, seconds = cost.narrations[0], cost.wall_s, cost.cpu_s, cost.speech_s
        total_wall, total_cpu, total_speech = total_wall + wall, total_cpu + cpu, total_speech + seconds
        print(
            f"{name:10s} {len(phrases):2d} phrases  {seconds:5.1f} s of speech  synthesis {wall:5.2f} s wall "
            f"({wall / seconds:.3f} s/s), {cpu:5.2f} s CPU ({cpu / seconds:.3f} s/s)  voices {set(narration.voices)}"
        )
        for warning in narration.warnings:
            print(f"           warning: {warning}")
        for phrase in phrases:
            lines = wrap_caption(phrase)
            assert len(lines) <= 2 and all(display_width(line) <= 42 for line in lines), lines
        if not args.render:
            continue
        pngs = render_phrase_pngs(phrases, width=320, height=180, style="classic", out_dir=work, prefix=name)
        Image.new("RGB", (320, 180), (20, 20, 60)).save(work / "dark.png")
        scene = SceneSpec(
            picture=str(work / "dark.png"),
            duration_ms=scene_duration_for(narration.duration_ms, transition_ms=0),
            narration=str(narration.wav_path),
            narration_ms=narration.duration_ms,
            caption_text=text,
            phrases=narration.phrases,
            phrase_pngs=pngs,
        )
        spec = StoryboardSpec(scenes=(scene,), width=320, height=180, fps=30, transition="cut")
        out = render_master(spec, work / name, timeout_s=600)
        timeline = plan(spec)
        starts = [cue.start_ms for cue in timeline.cues]
        silences = _silences(out.master_path)
        onsets = [end for _, end in silences if end < out.info.duration_ms - 50]
        script_offsets = [min(abs(onset - s) for s in starts) for onset in onsets]
        inside = [s for s in starts if any(a + 60 < s < b - 60 for a, b in silences)]
        # Every cue change (a cue's end, the next one's start) falls inside a pause.
        changes_outside = [
            cue.end_ms
            for cue, following in zip(timeline.cues, timeline.cues[1:], strict=False)
            if not any(a - 60 <= cue.end_ms and following.start_ms <= b + 60 for a, b in silences)
        ]
        offsets += script_offsets
        print(
            f"           {len(onsets)} onsets after a pause for {len(starts)} cues: median "
            f"{statistics.median(script_offsets):.0f} ms, max {max(script_offsets):.0f} ms from a cue start; "
            f"cues starting inside a pause: {len(inside)}; cue changes outside a pause: {len(changes_outside)}"
        )
    print(
        f"narration cost ({args.voice}): {total_wall / total_speech:.3f} s wall and "
        f"{total_cpu / total_speech:.3f} s CPU per second of speech ({total_speech:.1f} s of speech)"
    )
    if offsets:
        print(f"all scripts: median {statistics.median(offsets):.0f} ms, max {max(offsets):.0f} ms")


if __name__ == "__main__":
    main()
