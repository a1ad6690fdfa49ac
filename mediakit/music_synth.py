"""Procedural music beds, synthesised in pure Python: no files, no FFmpeg, and the same bed
and length give the same samples (the shaker's noise has a fixed seed).

Each bed is a 16 s loop composed from wavetable tones (pads, plucks, a bell, a kick, bass
and a shaker), mixed at 16 kHz, interpolated to 48 kHz and repeated to the length asked
for. assets.generators.music_beds writes it as a WAV for the mix.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import repeat
from operator import add, floordiv, mod, mul, sub, truediv

MUSIC_BEDS: dict[str, str] = {
    "calm": "Calm: slow, soft chords",
    "bright": "Bright: light arpeggio",
    "pulse": "Pulse: soft kick and bass",
}
MUSIC_SAMPLE_RATE = 48_000
MUSIC_CHANNELS = 2
# Each bed is a seamless 16 s loop; bed_pcm repeats it to the requested length.
MUSIC_LOOP_MS = 16_000
_MUSIC_PEAK = 0.5  # -6 dBFS: headroom for the mix, and well clear of clipping
_FADE_IN_MS, _FADE_OUT_MS = 1_000, 2_500
# Beds are synthesised at 16 kHz (nothing in them is above ~3 kHz) and interpolated to
# 48 kHz at the end: a third of the work for pure Python.
_SYNTH_RATE = 16_000
_UPSAMPLE = MUSIC_SAMPLE_RATE // _SYNTH_RATE


def bed_pcm(bed: str, duration_ms: int) -> array[int]:
    """``duration_ms`` of the bed (one of MUSIC_BEDS), interleaved 16-bit stereo at 48 kHz in
    the machine's byte order: its seamless loop repeated, faded in at the start and out at
    the end. A composer needs no looping."""
    loop = _music_loop(bed)
    frames = duration_ms * MUSIC_SAMPLE_RATE // 1000
    samples = frames * MUSIC_CHANNELS
    repeats = -(-samples // len(loop))
    # Slicing copies, so the fades below never touch the cached loop.
    pcm = (loop * repeats)[:samples] if repeats > 1 else loop[:samples]
    _fade(
        pcm,
        fade_in_ms=min(_FADE_IN_MS, duration_ms // 4),
        fade_out_ms=min(_FADE_OUT_MS, duration_ms // 3),
    )
    return pcm


def _fade(pcm: array[int], *, fade_in_ms: int, fade_out_ms: int) -> None:
    for length_ms, at_end in ((fade_in_ms, False), (fade_out_ms, True)):
        frames = length_ms * MUSIC_SAMPLE_RATE // 1000
        if frames <= 0:
            continue
        curve = _fade_curve(frames)
        if at_end:
            curve = curve[::-1]
        gains = [0.0] * (frames * MUSIC_CHANNELS)
        for channel in range(MUSIC_CHANNELS):
            gains[channel::MUSIC_CHANNELS] = curve
        start = len(pcm) - len(gains) if at_end else 0
        segment = pcm[start : start + len(gains)]
        pcm[start : start + len(gains)] = array("h", map(int, map(mul, segment, gains)))


@lru_cache(maxsize=8)
def _fade_curve(frames: int) -> list[float]:
    """A quadratic rise from 0 towards 1: gentler at the start than a straight line."""
    line = list(map(truediv, range(frames), repeat(frames)))
    return list(map(mul, line, line))


@lru_cache(maxsize=len(MUSIC_BEDS))
def _music_loop(bed: str) -> array[int]:
    """One seamless loop, interleaved 16-bit stereo at 48 kHz. Notes that ring past the end
    of the loop wrap round to its start, so the loop joins itself without a click."""
    score = _Score(MUSIC_LOOP_MS * _SYNTH_RATE // 1000)
    {"calm": _compose_calm, "bright": _compose_bright, "pulse": _compose_pulse}[bed](score)
    return score.to_pcm(peak=_MUSIC_PEAK)


class _Score:
    """Left and right float buffers at the synthesis rate that sounds are mixed into,
    wrapping at the end.

    Pure Python stays fast by doing every per-sample step with C-level map/operator calls,
    and by building tones from periodic tables repeated with sequence multiplication."""

    def __init__(self, frames: int) -> None:
        self.frames = frames
        self.left = [0.0] * frames
        self.right = [0.0] * frames

    def mix(self, sound: list[float], *, at: int, left: float, right: float) -> None:
        for buffer, gain in ((self.left, left), (self.right, right)):
            if gain:
                scaled = sound if gain == 1 else list(map(mul, sound, repeat(gain)))
                self._add(buffer, scaled, at)

    def _add(self, buffer: list[float], sound: list[float], at: int) -> None:
        position, done = at % self.frames, 0
        while done < len(sound):
            chunk = min(len(sound) - done, self.frames - position)
            end = position + chunk
            buffer[position:end] = map(add, buffer[position:end], sound[done : done + chunk])
            done += chunk
            position = 0

    def to_pcm(self, *, peak: float) -> array[int]:
        loudest = max(max(map(abs, self.left)), max(map(abs, self.right)))
        scale = peak * 32767 / loudest
        stride = MUSIC_CHANNELS * _UPSAMPLE
        pcm = array("h", bytes(2 * stride * self.frames))
        for channel, buffer in enumerate((self.left, self.right)):
            now = list(map(int, map(mul, buffer, repeat(scale))))
            after = now[1:] + now[:1]  # the loop's last sample leads into its first
            rise = list(map(sub, after, now))
            pcm[channel::stride] = array("h", now)
            for phase in range(1, _UPSAMPLE):
                # Linear interpolation in integers: now + rise * phase / _UPSAMPLE.
                steps = map(mul, rise, repeat(phase)) if phase > 1 else rise
                values = map(add, now, map(floordiv, steps, repeat(_UPSAMPLE)))
                pcm[channel + MUSIC_CHANNELS * phase :: stride] = array("h", values)
        return pcm


def _seconds(s: float) -> int:
    return round(s * _SYNTH_RATE)


def _hz(midi_note: float) -> float:
    return 440.0 * 2 ** ((midi_note - 69) / 12)


_WAVETABLE_SIZE = 8192
# A tone table lasts a whole number of seconds and holds a whole number of cycles, so
# repeating it never clicks. Its frequency is rounded to 1/seconds Hz: pads, whose low
# notes sound together for long, use 2 s tables (at most ~4 cents off here); short
# sounds use 1 s tables, half the work.
_PAD_TABLE_SECONDS = 2


@lru_cache(maxsize=8)
def _wavetable(harmonics: tuple[float, ...]) -> tuple[float, ...]:
    """One cycle of a waveform with the given harmonic levels."""
    size = _WAVETABLE_SIZE
    return tuple(
        sum(level * math.sin(2 * math.pi * order * i / size) for order, level in enumerate(harmonics, start=1))
        for i in range(size)
    )


@lru_cache(maxsize=512)
def _tone_table(freq: float, harmonics: tuple[float, ...], seconds: int = 1) -> tuple[float, ...]:
    length = seconds * _SYNTH_RATE
    step = max(1, round(freq * seconds)) * _WAVETABLE_SIZE
    cycle = _wavetable(harmonics)
    # Sample k reads the cycle at k * cycles / length turns (nearest entry).
    positions = map(floordiv, range(0, length * step, step), repeat(length))
    return tuple(map(cycle.__getitem__, map(mod, positions, repeat(_WAVETABLE_SIZE))))


def _tiled(table: tuple[float, ...], length: int) -> tuple[float, ...]:
    return (table * (length // len(table) + 1))[:length]


@lru_cache(maxsize=64)
def _chord_table(notes: tuple[int, ...], harmonics: tuple[float, ...], detune: float) -> tuple[float, ...]:
    total: Iterable[float] = repeat(0.0)
    for note in notes:
        tone = _tone_table(_hz(note) + detune, harmonics, _PAD_TABLE_SECONDS)
        total = map(add, total, tone)
    level = 1 / len(notes)
    return tuple(map(mul, total, repeat(level)))


@lru_cache(maxsize=64)
def _swell(length: int, attack: int, release: int) -> tuple[float, ...]:
    """Raised-cosine attack, flat hold, raised-cosine release: no clicks, no pumping."""
    rise = [0.5 - 0.5 * math.cos(math.pi * i / attack) for i in range(attack)]
    fall = [0.5 + 0.5 * math.cos(math.pi * i / release) for i in range(release)]
    return tuple(rise + [1.0] * (length - attack - release) + fall)


@lru_cache(maxsize=64)
def _pluck_envelope(length: int, decay_s: float) -> tuple[float, ...]:
    attack, tail = _seconds(0.004), _seconds(0.02)
    env = [i / attack for i in range(attack)]
    env += [math.exp(-i / (decay_s * _SYNTH_RATE)) for i in range(length - attack)]
    for i in range(tail):  # the last samples go to exactly zero
        env[length - tail + i] *= 1 - i / tail
    return tuple(env)


def _shaped(sound: Iterable[float], envelope: tuple[float, ...]) -> list[float]:
    return list(map(mul, sound, envelope))


_PAD = (1.0, 0.12, 0.04)  # nearly sine: soft and round
_BELL = (1.0, 0.1)
_PLUCK = (1.0, 0.35, 0.15, 0.06)  # a few harmonics: present but not harsh
_BASS = (1.0, 0.45, 0.1)  # the 2nd harmonic keeps the bass audible on small speakers


def _pad_chords(score: _Score, chords: Sequence[tuple[int, ...]], *, chord_s: float, level: float) -> None:
    step = _seconds(chord_s)
    release = _seconds(min(2.0, chord_s * 0.5))
    length = step + release
    envelope = _swell(length, _seconds(min(1.5, chord_s * 0.4)), release)
    for index, notes in enumerate(chords):
        # The right channel is 0.5 Hz sharp: a slow, gentle stereo shimmer.
        for detune, left, right in ((0.0, level, 0.0), (0.5, 0.0, level)):
            table = _chord_table(notes, _PAD, detune)
            sound = _shaped(_tiled(table, length), envelope)
            score.mix(sound, at=index * step, left=left, right=right)


def _pluck(note: float, harmonics: tuple[float, ...], length: int, decay_s: float) -> list[float]:
    return _shaped(_tiled(_tone_table(_hz(note), harmonics), length), _pluck_envelope(length, decay_s))


def _compose_calm(score: _Score) -> None:
    # C maj7 - A m7 - F maj7 - G add9 at 60 bpm, one chord per 4 s.
    chords = [(48, 55, 59, 64), (45, 52, 55, 60), (41, 48, 52, 57), (43, 50, 57, 59)]
    _pad_chords(score, chords, chord_s=4.0, level=1.0)
    # A soft high bell just after each chord change, panned left then right.
    for index, notes in enumerate(chords):
        bell = _pluck(notes[-1] + 12, _BELL, _seconds(3.0), 0.9)
        pan = 0.35 if index % 2 == 0 else 0.65
        at = _seconds(4.0 * index + 0.5)
        score.mix(bell, at=at, left=0.12 * (1 - pan), right=0.12 * pan)


def _compose_bright(score: _Score) -> None:
    # G - D - E m - C at 120 bpm, two bars (4 s) per chord, eighth-note arpeggio on top.
    chords = [(55, 59, 62, 67), (50, 54, 57, 62), (52, 55, 59, 64), (48, 52, 55, 60)]
    _pad_chords(score, chords, chord_s=4.0, level=0.45)
    eighth = _seconds(0.25)
    pattern = (0, 1, 2, 3, 4, 3, 2, 1)  # up and down the chord, to two octaves up
    for index, notes in enumerate(chords):
        tones = [note + 12 for note in notes] + [notes[0] + 24]
        for step in range(16):
            note = tones[pattern[step % len(pattern)]]
            pluck = _pluck(note, _PLUCK, _seconds(0.5), 0.16)
            accent = 0.22 if step % 2 == 0 else 0.15
            pan = 0.3 if step % 2 == 0 else 0.7
            at = (index * 16 + step) * eighth
            score.mix(pluck, at=at, left=accent * (1 - pan), right=accent * pan)


def _compose_pulse(score: _Score) -> None:
    # A m - F - C - G at 120 bpm, two bars per chord: a soft kick on the beat, bass on the
    # off-beats (so it never masks the kick), a quiet pad and a faint shaker.
    chords = [(57, 60, 64), (53, 57, 60), (48, 55, 60), (50, 55, 59)]
    roots = [45, 41, 36, 43]
    _pad_chords(score, chords, chord_s=4.0, level=0.3)
    beat = _seconds(0.5)
    kick, shaker = _kick(), _shaker()
    bass_length = _seconds(0.24)
    bass_env = _swell(bass_length, _seconds(0.01), _seconds(0.12))
    for index, root in enumerate(roots):
        bass = _shaped(_tiled(_tone_table(_hz(root), _BASS), bass_length), bass_env)
        for beat_index in range(8):
            at = (index * 8 + beat_index) * beat
            score.mix(kick, at=at, left=0.55, right=0.55)
            score.mix(bass, at=at + beat // 2, left=0.32, right=0.32)
            score.mix(shaker, at=at + beat // 2, left=0.025, right=0.035)


@lru_cache(maxsize=1)
def _kick() -> list[float]:
    """A sine falling from ~130 Hz to 45 Hz with a quick decay: round, not clicky."""
    samples, phase = [], 0.0
    for i in range(_seconds(0.35)):
        t = i / _SYNTH_RATE
        phase += 2 * math.pi * (45 + 85 * math.exp(-t / 0.035)) / _SYNTH_RATE
        attack = min(1.0, i / _seconds(0.003))
        samples.append(math.sin(phase) * math.exp(-t / 0.11) * attack)
    return samples


@lru_cache(maxsize=1)
def _shaker() -> list[float]:
    """A short burst of high-passed noise from a fixed seed: the same every time."""
    rng = random.Random(20240517)
    samples, previous_in, previous_out = [], 0.0, 0.0
    for i in range(_seconds(0.05)):
        noise = rng.uniform(-1, 1)
        previous_out = 0.6 * (previous_out + noise - previous_in)
        previous_in = noise
        samples.append(previous_out * math.exp(-i / _seconds(0.012)))
    return samples
