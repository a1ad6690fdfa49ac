"""How well a creator's recording of the whole script is aligned (mediakit.voiceover).

    .venv/bin/python scripts/bench_voiceover.py [examples/lighthouse.txt ...] [--takes en-us:140 en-gb:175]

Records each script with espeak-ng (other voices and paces than our narration: the creator's
"own" recording; through libespeak-ng, which also says where each word starts), one scene per
paragraph, then aligns it as an upload would be and measures
- every word said after a pause (after a comma or full stop, or the first) against the
  recording's speech onsets: the first sample above -40 dBFS after at least 100 ms below it,
  the measure of mediakit/tests/test_word_onsets.py;
- every word against espeak-ng's own word events (where it began the word's sound).
Whisper's own word starts are measured the same way, for comparison. Then prints what a
recording of another script is told.
"""

from __future__ import annotations

import argparse
import ctypes
import difflib
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import numpy as np

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


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))
_WORD_EVENT = 1


class Espeak:
    """libespeak-ng, synchronous: the sound and, for each word, the sample it starts at."""

    def __init__(self) -> None:
        self.lib = ctypes.CDLL("libespeak-ng.so.1")
        self.rate = self.lib.espeak_Initialize(2, 500, None, 0)  # AUDIO_OUTPUT_SYNCHRONOUS
        self.chunks: list[np.ndarray] = []
        self.words: list[tuple[int, int, int]] = []
        self._callback = _CALLBACK(self._on_sound)
        self.lib.espeak_SetSynthCallback(self._callback)

    def _on_sound(self, wav, count, events) -> int:
        if count > 0:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        index = 0
        while events[index].type != 0:
            event = events[index]
            if event.type == _WORD_EVENT:
                self.words.append((event.text_position, event.length, event.sample))
            index += 1
        return 0

    def say(self, text: str, path: Path, *, voice: str, wpm: int) -> list[tuple[str, float]]:
        """Write `text` spoken to `path` (WAV); each word with its start (ms)."""
        self.lib.espeak_SetVoiceByName(voice.encode())
        self.lib.espeak_SetParameter(1, wpm, 0)  # espeakRATE
        data = text.encode()
        self.chunks, self.words = [], []
        self.lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, 0, None, None)
        self.lib.espeak_Synchronize()
        voiceover.write_wav(path, np.concatenate(self.chunks).astype(np.float32) / 32768, self.rate)
        return [
            (data[at - 1 : at - 1 + length].decode(), sample * 1000 / self.rate) for at, length, sample in self.words
        ]


def against_events(truth: list[tuple[str, float]], ours: list[tuple[str, int]]) -> list[tuple[float, int]]:
    """(the event's start, ours) for each word of both (matched by their spoken words)."""
    flat: list[tuple[str, float | None]] = []
    for word, at in truth:
        flat += [(key, at if k == 0 else None) for k, key in enumerate(voiceover._say(word))]
    matcher = difflib.SequenceMatcher(None, [k for k, _ in flat], [w for w, _ in ours], autojunk=False)
    pairs = []
    for block in matcher.get_matching_blocks():
        for d in range(block.size):
            at = flat[block.a + d][1]
            if at is not None:
                pairs.append((at, ours[block.b + d][1]))
    return pairs


def _figures(errors: list[float]) -> str:
    ordered = sorted(errors)
    within = sum(e <= 60 for e in errors) / len(errors)
    return (
        f"median {median(errors):.0f} ms, p90 {ordered[int(len(ordered) * 0.9)]:.0f}, max {ordered[-1]:.0f}, "
        f"{within:.0%} within 60 ms"
    )


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
    parser.add_argument("--takes", nargs="*", default=["en-us:140", "en-gb:175", "en-us:120"])
    args = parser.parse_args()
    espeak = Espeak()
    totals: dict[str, list[float]] = {"pause": [], "pause_whisper": [], "all": [], "all_whisper": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for take in args.takes:
            voice, wpm = take.split(":")
            for script in args.scripts:
                scenes = [" ".join(p.split()) for p in script.read_text().split("\n\n") if p.strip()]
                truth = espeak.say(" ".join(scenes), work / "take.wav", voice=voice, wpm=int(wpm))
                mono = voiceover.decode_mono(work / "take.wav", work / "take-16k.wav", rate=voiceover.ANALYSIS_RATE)
                samples, rate = voiceover.read_wav(mono)
                began = time.monotonic()
                heard = voiceover.transcribe(samples)
                heard_s = time.monotonic() - began
                pieces = voiceover.plan_voiceover(scenes=scenes, samples=samples, rate=rate, heard=heard)
                words = [w for piece in pieces for w in piece.words]

                def whisper(at: float, heard: list[voiceover.HeardWord] = heard) -> int:
                    return min(heard, key=lambda h: abs(h.start_ms - at)).start_ms

                onsets = onsets_after_pauses(samples, rate)
                pause, pause_whisper = [], []
                for scene, index in after_pause_indices(scenes):
                    at = pieces[scene].words[index][1]
                    pause.append(min(abs(at - o) for o in onsets))
                    pause_whisper.append(min(abs(whisper(at) - o) for o in onsets))
                pairs = against_events(truth, words)
                every = [abs(ours - event) for event, ours in pairs]
                every_whisper = [abs(whisper(ours) - event) for event, ours in pairs]
                print(
                    f"{script.name} ({voice}, {wpm} wpm, {len(samples) / rate:.1f} s, heard in {heard_s:.1f} s, "
                    f"{len(pieces)} scenes)\n"
                    f"  {len(pause)} words after a pause vs speech onsets: {_figures(pause)} "
                    f"(Whisper's: {_figures(pause_whisper)})\n"
                    f"  {len(every)} words vs espeak-ng's word events: {_figures(every)} "
                    f"(Whisper's: {_figures(every_whisper)})"
                )
                totals["pause"] += pause
                totals["pause_whisper"] += pause_whisper
                totals["all"] += every
                totals["all_whisper"] += every_whisper
        print(
            f"all: {len(totals['pause'])} words after a pause: {_figures(totals['pause'])} "
            f"(Whisper's: {_figures(totals['pause_whisper'])})\n"
            f"     {len(totals['all'])} words vs word events: {_figures(totals['all'])} "
            f"(Whisper's: {_figures(totals['all_whisper'])})"
        )
        # A recording that does not match: the first script's third scene says other words.
        scenes = [" ".join(p.split()) for p in args.scripts[0].read_text().split("\n\n") if p.strip()]
        wrong = [
            *scenes[:2],
            "The market opens at nine and the bakers sell warm bread to the early crowd.",
            *scenes[3:],
        ]
        espeak.say(" ".join(wrong), work / "wrong.wav", voice="en-us", wpm=140)
        samples, rate = voiceover.read_wav(
            voiceover.decode_mono(work / "wrong.wav", work / "wrong-16k.wav", rate=16_000)
        )
        try:
            voiceover.plan_voiceover(scenes=scenes, samples=samples, rate=rate)
        except voiceover.VoiceoverError as exc:
            print(f"mismatch: {exc}")
        else:
            print("mismatch: NOT DETECTED")


if __name__ == "__main__":
    main()
