"""How well a creator's recording of the whole script is aligned (mediakit.voiceover).

    .venv/bin/python scripts/bench_voiceover.py [examples/lighthouse.txt ...] [--rate 140] [--voice en-us]

Records each script with espeak-ng (at another pace and voice than our narration: the
creator's "own" recording), one scene per paragraph, then aligns it as an upload would be
and measures every word said after a pause (after a comma or full stop, or a scene's first
word) against the recording's speech onsets: the first sample above -40 dBFS after at least
100 ms below it, the same measure as mediakit/tests/test_word_onsets.py. Whisper's own
word starts are measured the same way, for comparison. Also prints what a recording of
another script is told.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mediakit import voiceover  # noqa: E402

QUIET = 10 ** (-40 / 20)
PAUSE_MS = 100
WINDOW_MS = 5


def onsets_after_pauses(samples: voiceover.Samples, rate: int) -> list[float]:
    size = rate * WINDOW_MS // 1000
    onsets, run = [], PAUSE_MS // WINDOW_MS  # the file's start counts as a pause
    for index in range(0, len(samples) // size):
        window = samples[index * size : (index + 1) * size]
        if float(abs(window).max()) < QUIET:
            run += 1
            continue
        if run * WINDOW_MS >= PAUSE_MS:
            sample = index * size
            while sample < len(samples) and abs(float(samples[sample])) < QUIET:
                sample += 1
            onsets.append(sample * 1000 / rate)
        run = 0
    return onsets


def record(text: str, out: Path, *, rate: int, voice: str) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(out), text], check=True)
    return out


def after_pause_indices(scenes: list[str]) -> list[tuple[int, int]]:
    """(scene, word index in the scene's spoken words) of each word said after punctuation
    (or the recording's first word): where the voice pauses."""
    out = []
    previous = "."
    for number, text in enumerate(scenes):
        index = 0
        for raw in text.split():
            said = voiceover._say(raw)
            if said and previous.endswith((",", ".", ";", ":", "!", "?")):
                out.append((number, index))
            index += len(said)
            previous = raw if said else previous
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scripts", nargs="*", type=Path, default=[Path("examples/lighthouse.txt")])
    parser.add_argument("--rate", type=int, default=140)
    parser.add_argument("--voice", default="en-us")
    args = parser.parse_args()
    ours: list[float] = []
    whisper: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for script in args.scripts:
            scenes = [" ".join(p.split()) for p in script.read_text().split("\n\n") if p.strip()]
            raw = record(" ".join(scenes), work / f"{script.stem}.wav", rate=args.rate, voice=args.voice)
            mono = voiceover.decode_mono(raw, work / f"{script.stem}-16k.wav", rate=voiceover.ANALYSIS_RATE)
            samples, rate = voiceover.read_wav(mono)
            began = time.monotonic()
            heard = voiceover.transcribe(samples)
            heard_s = time.monotonic() - began
            pieces = voiceover.plan_voiceover(scenes=scenes, samples=samples, rate=rate, heard=heard)
            onsets = onsets_after_pauses(samples, rate)
            errors = []
            for scene, index in after_pause_indices(scenes):
                word, at = pieces[scene].words[index]
                errors.append((min(abs(at - o) for o in onsets), word))
            # Whisper's start for the same words: the heard word nearest our start.
            raw_errors = []
            for scene, index in after_pause_indices(scenes):
                _word, at = pieces[scene].words[index]
                nearest = min(heard, key=lambda h: abs(h.start_ms - at))
                raw_errors.append(min(abs(nearest.start_ms - o) for o in onsets))
            ours += [e for e, _ in errors]
            whisper += raw_errors
            seconds = len(samples) / rate
            print(
                f"{script.name}: {seconds:.1f} s at {args.rate} wpm, transcribed in {heard_s:.1f} s; "
                f"{len(errors)} words after a pause: ours median {median(e for e, _ in errors):.0f} ms, "
                f"max {max(e for e, _ in errors):.0f} ms ({max(errors)[1]!r}); Whisper's median "
                f"{median(raw_errors):.0f} ms, max {max(raw_errors):.0f} ms"
            )
            for n, piece in enumerate(pieces, start=1):
                print(f"  scene {n}: {piece.start_ms}-{piece.end_ms} ms, {len(piece.phrases)} phrases")
        if len(args.scripts) > 1:
            print(
                f"all: {len(ours)} words, ours median {median(ours):.0f} max {max(ours):.0f} ms; "
                f"Whisper median {median(whisper):.0f} max {max(whisper):.0f} ms"
            )
        # A recording that does not match: the first script's scenes, another script said.
        scenes = [" ".join(p.split()) for p in args.scripts[0].read_text().split("\n\n") if p.strip()]
        wrong = scenes[:2] + ["The market opens at nine and the bakers sell warm bread to the early crowd."]
        raw = record(" ".join(wrong + scenes[3:]), work / "wrong.wav", rate=args.rate, voice=args.voice)
        samples, rate = voiceover.read_wav(voiceover.decode_mono(raw, work / "wrong-16k.wav", rate=16_000))
        try:
            voiceover.plan_voiceover(scenes=scenes, samples=samples, rate=rate)
        except voiceover.VoiceoverError as exc:
            print(f"mismatch: {exc}")
        else:
            print("mismatch: NOT DETECTED")


if __name__ == "__main__":
    main()
