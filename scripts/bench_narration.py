"""Narration cost, caption sync and word error rate, measured on three scripts (no Django needed).

    .venv/bin/python scripts/bench_narration.py [--render] [--voice ID] [--rate WPM]
    .venv/bin/python scripts/bench_narration.py --wer [SCRIPT ...] [--voice ID] [--rate WPM]

Prints, per script, the seconds of synthesis per second of speech (wall clock, and CPU
seconds of the synthesiser processes, which contention on a shared machine does not
inflate). With --render, each script is composed into a small MP4 without music and the
audio is measured: every onset of speech after a pause against the nearest cue start.

With --wer, the word error rate of our narration instead: each script (by default
examples/lighthouse.txt, examples/coffee.md, examples/eval/business-results.txt) is narrated
as a video narrates it (Markdown read by `videos.storyboard.normalize_script`, one scene per
paragraph, each scene's caption phrases spoken by `mediakit.speech`, the scenes joined with
0.5 s of silence) by --voice (the default neural voice) and by espeak-ng `en-us`, resampled to
16 kHz and transcribed once, whole, by the bundled recogniser (`mediakit.voiceover.transcribe`:
Whisper tiny.en, greedy, English). The reference is the script's spoken form, what the
normaliser tells the voice to say (`normalize_for_speech` of each phrase: "$4.2 million" is
"four point two million dollars"). The recogniser's words are joined into its text (a word
that starts with punctuation continues the one before: "$4" ".2" is "$4.2"). Both sides are
then scored the same way:
1. `normalize_for_speech` again (the recogniser writes figures: its "104" becomes "one hundred
   four"; the reference is unchanged by it);
2. lowercase; hyphens, dashes and slashes split words; apostrophes dropped ("it's" -> "its");
   every other character that is not a letter or digit dropped;
3. numbers compared in words: "and" between two number words dropped ("one hundred and four" =
   "one hundred four"), "a" before hundred/thousand/million/billion read as "one";
4. British and American spellings folded (`_SPELLING`: "litre" = "liter").
The words are aligned by Levenshtein distance (substitution, deletion, insertion each cost 1)
and WER = (S + D + I) / reference words. Printed per script and voice: the reference words,
S/D/I, the WER, and the worst misheard stretches (runs of errors, most errors first, with what
was heard there); then the pooled WER per voice. Transcripts are kept in the work folder.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from mediakit import voiceover  # noqa: E402
from mediakit.caption_images import render_phrase_pngs  # noqa: E402
from mediakit.narration_cost import measure_narration_cost  # noqa: E402
from mediakit.phrases import caption_phrases, display_width, wrap_caption  # noqa: E402
from mediakit.render import render_master  # noqa: E402
from mediakit.runner import run_ffmpeg  # noqa: E402
from mediakit.spec import SceneSpec, StoryboardSpec, scene_duration_for  # noqa: E402
from mediakit.speech import DEFAULT_VOICE, RATE_DEFAULT, synthesize_narrations  # noqa: E402
from mediakit.speech_text import normalize_for_speech  # noqa: E402
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


# --- word error rate ------------------------------------------------------------------------

_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
WER_SCRIPTS = (_EXAMPLES / "lighthouse.txt", _EXAMPLES / "coffee.md", _EXAMPLES / "eval" / "business-results.txt")
WER_OTHER_VOICE = "en-us"
SCENE_GAP_S = 0.5
_NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion trillion point""".split()
)
_SCALE_WORDS = frozenset({"hundred", "thousand", "million", "billion", "trillion"})
_SPELLING = {
    "litre": "liter",
    "litres": "liters",
    "metre": "meter",
    "metres": "meters",
    "colour": "color",
    "colours": "colors",
    "grey": "gray",
    "storey": "story",
    "centre": "center",
    "favourite": "favorite",
}


def scoring_words(text: str) -> list[str]:
    """`text` as the words scored (the module's docstring, steps 1-4)."""
    text = normalize_for_speech(text).lower()
    text = re.sub(r"[-‐‑–—/]", " ", text)
    text = re.sub(r"['’]", "", text)
    words = [_SPELLING.get(w, w) for w in re.sub(r"[^\w\s]|_", " ", text).split()]
    out: list[str] = []
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word == "and" and out and out[-1] in _NUMBER_WORDS and following in _NUMBER_WORDS:
            continue
        out.append("one" if word == "a" and following in _SCALE_WORDS else word)
    return out


def word_alignment(ref: list[str], hyp: list[str]) -> list[tuple[str | None, str | None]]:
    """Levenshtein alignment: (reference word, heard word) pairs, None where one side has none."""
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    pairs: list[tuple[str | None, str | None]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            i, j = i - 1, j - 1
            pairs.append((ref[i], hyp[j]))
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
            pairs.append((ref[i], None))
        else:
            j -= 1
            pairs.append((None, hyp[j]))
    return pairs[::-1]


def error_counts(pairs: list[tuple[str | None, str | None]]) -> tuple[int, int, int]:
    subs = sum(1 for r, h in pairs if r is not None and h is not None and r != h)
    dels = sum(1 for r, h in pairs if h is None)
    ins = sum(1 for r, h in pairs if r is None)
    return subs, dels, ins


def worst_stretches(pairs: list[tuple[str | None, str | None]], count: int = 3) -> list[str]:
    """The runs of errors with the most errors (one correct word of context each side):
    "said -> heard" lines."""
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(pairs):
        if pairs[index][0] == pairs[index][1]:
            index += 1
            continue
        start = index
        while index < len(pairs) and pairs[index][0] != pairs[index][1]:
            index += 1
        runs.append((start, index))
    runs.sort(key=lambda run: (-(run[1] - run[0]), run[0]))
    lines = []
    for start, end in runs[:count]:
        lo, hi = max(0, start - 1), min(len(pairs), end + 1)
        said = " ".join(r for r, _ in pairs[lo:hi] if r is not None)
        heard = " ".join(h for _, h in pairs[lo:hi] if h is not None)
        lines.append(f"{end - start} error{'s' * (end - start > 1)}: “{said}” -> “{heard}”")
    return lines


def _narrated_scenes(script: Path) -> list[list[str]]:
    """The script's scenes as a video narrates them: one per paragraph, each as its caption phrases."""
    from videos.storyboard import normalize_script  # pure Python, no Django

    paragraphs = [p for p in script.read_text().split("\n\n") if p.strip()]
    return [caption_phrases(normalize_script(p)) for p in paragraphs]


def _narrate_and_hear(scenes: list[list[str]], *, voice: str, rate: int, work: Path, name: str) -> str:
    """The scenes narrated by `voice`, joined with SCENE_GAP_S of silence, as the recogniser hears them."""
    narrations = synthesize_narrations(scenes=scenes, voice=voice, rate_wpm=rate, out_dir=work / name)
    parts = []
    for narration in narrations:
        samples, sample_rate = voiceover.read_wav(narration.wav_path)
        parts += [samples, np.zeros(int(sample_rate * SCENE_GAP_S), dtype=np.float32)]
    joined = voiceover.write_wav(work / f"{name}.wav", np.concatenate(parts), sample_rate)
    mono = voiceover.decode_mono(joined, work / f"{name}-16k.wav", rate=voiceover.ANALYSIS_RATE)
    samples, _ = voiceover.read_wav(mono)
    return heard_text([word.text for word in voiceover.transcribe(samples)])


def heard_text(words: list[str]) -> str:
    """The recogniser's words as text: a word that starts with punctuation continues the one
    before it (it splits "$4.2" into "$4" ".2", "40,000" into "40" ",000", "two-week" into
    "two" "-week")."""
    text = ""
    for word in words:
        joins = bool(text) and bool(word) and not word[0].isalnum() and word[0] not in "$£€¥\"“'‘("
        text += word if joins else f" {word}"
    return text.strip()


def measure_wer(scripts: list[Path], *, voices: list[str], rate: int, work: Path) -> None:
    totals = {voice: [0, 0, 0, 0] for voice in voices}
    transcripts: dict[str, dict[str, str]] = {}
    for script in scripts:
        scenes = _narrated_scenes(script)
        spoken = " ".join(normalize_for_speech(phrase) for phrases in scenes for phrase in phrases)
        reference = scoring_words(spoken)
        for voice in voices:
            heard = _narrate_and_hear(scenes, voice=voice, rate=rate, work=work, name=f"{script.stem}-{voice}")
            transcripts.setdefault(script.name, {"spoken": spoken})[voice] = heard
            pairs = word_alignment(reference, scoring_words(heard))
            subs, dels, ins = error_counts(pairs)
            for k, value in enumerate((len(reference), subs, dels, ins)):
                totals[voice][k] += value
            print(
                f"{script.name:24s} {voice:18s} {len(reference):4d} words  S {subs:2d}  D {dels:2d}  I {ins:2d}  "
                f"WER {(subs + dels + ins) / len(reference):6.1%}"
            )
            for line in worst_stretches(pairs):
                print(f"    {line}")
    for voice, (words, subs, dels, ins) in totals.items():
        print(f"all scripts {voice}: {words} words, S {subs} D {dels} I {ins}, WER {(subs + dels + ins) / words:.1%}")
    (work / "transcripts.json").write_text(json.dumps(transcripts, indent=1, ensure_ascii=False))
    print(f"transcripts: {work / 'transcripts.json'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voice", default=DEFAULT_VOICE)
    parser.add_argument("--rate", type=int, default=RATE_DEFAULT)
    parser.add_argument("--render", action="store_true")
    parser.add_argument("--wer", nargs="*", type=Path, metavar="SCRIPT", help="word error rate instead")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-narration-"))
    if args.wer is not None:
        voices = list(dict.fromkeys([args.voice, WER_OTHER_VOICE]))
        measure_wer(args.wer or list(WER_SCRIPTS), voices=voices, rate=args.rate, work=work)
        return
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
