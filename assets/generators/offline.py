"""Providers that need no network and cost nothing: Pillow title cards and procedural
music beds. (Offline narration, piper and espeak-ng alike, is `assets.generators.piper`
over `mediakit.speech`.)

Everything here is deterministic: the same inputs give byte-identical files, so output names
are derived from the inputs and a re-run (tasks are at-least-once) overwrites a file with
itself. Files are written under a temporary name and renamed into place.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
import re
import sys
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from operator import add, floordiv, mod, mul, sub, truediv
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .base import (
    GeneratedAudio,
    GeneratedPicture,
    GenerationError,
)
from .files import atomic_path, content_digest

__all__ = [
    "FONT_PATH",
    "MUSIC_BEDS",
    "MUSIC_CHANNELS",
    "MUSIC_LOOP_MS",
    "MUSIC_MAX_MS",
    "MUSIC_SAMPLE_RATE",
    "CardPalette",
    "OfflinePictureProvider",
    "card_palette",
    "render_card",
    "render_music_bed",
]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- pictures -----------------------------------------------------------------------------

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
PICTURE_MIN_SIDE, PICTURE_MAX_SIDE = 16, 8192

# Rendering-style words say nothing about the scene, so they stay off the card.
_STYLE_WORDS = _word_set(
    """
    cinematic illustration illustrated photo photograph photorealistic realistic render
    rendering style styled art artwork digital painting concept detailed highly lighting
    4k 8k hd uhd high quality masterpiece trending artstation octane unreal engine
    """
)
_TITLE_STOPWORDS = _word_set(
    """
    a an and are as at be by for from in into is it its of on or over the their this to
    under was were with
    """
)
_TITLE_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_MAX_TITLE_WORDS = 6
_MAX_TITLE_LINES = 3
_MAX_TITLE_WORD_CHARS = 24
_TITLE_SEPARATOR = " · "
# The background and shapes are drawn this small, blurred, then scaled up: soft by design
# and far cheaper than drawing at full size.
_SKETCH_LONG_SIDE = 320


class OfflinePictureProvider:
    """A designed title card: a gradient and soft shapes in a palette derived from the
    prompt, with the prompt's key words as the title."""

    name = "offline-card"

    def price_per_picture(self) -> Decimal:
        return Decimal(0)

    def generate(self, *, prompt: str, width: int, height: int, seed: int, out_dir: Path) -> GeneratedPicture:
        for side in (width, height):
            if not PICTURE_MIN_SIDE <= side <= PICTURE_MAX_SIDE:
                raise GenerationError(
                    f"Pictures must be between {PICTURE_MIN_SIDE} and {PICTURE_MAX_SIDE} pixels "
                    f"on each side, not {width}x{height}."
                )
        image = render_card(prompt=prompt, width=width, height=height, seed=seed)
        digest = content_digest(f"{self.name}\0{prompt}\0{seed}\0{width}x{height}")[:20]
        path = Path(out_dir) / f"card-{digest}.png"
        with atomic_path(path) as tmp:
            # Level 3: a fifth of level 6's encoding time for a slightly larger file.
            image.save(tmp, format="PNG", compress_level=3)
        return GeneratedPicture(
            path=path,
            width=width,
            height=height,
            mime="image/png",
            cost_usd=Decimal(0),
        )


def render_card(*, prompt: str, width: int, height: int, seed: int) -> Image.Image:
    """The card as an RGB image (exposed for previews; ``generate`` writes it as PNG)."""
    palette = card_palette(prompt)
    rng = random.Random(content_digest(f"{seed}\0{prompt}"))
    scale = _SKETCH_LONG_SIDE / max(width, height)
    sketch_size = (max(8, round(width * scale)), max(8, round(height * scale)))
    sketch = _background(sketch_size, palette, rng)
    image = sketch.resize((width, height), Image.Resampling.BICUBIC)
    _draw_title(image, _title_words(prompt), palette)
    return image


RGB = tuple[int, int, int]


@dataclass(frozen=True)
class CardPalette:
    hue: float  # 0..1, the base hue the other colours are derived from
    deep: RGB  # the dark end of the background gradient
    glow: RGB  # its lighter end, an analogous hue
    accent: RGB  # shapes and the bar over the title
    ink: RGB  # the title


def card_palette(prompt: str) -> CardPalette:
    """The colours of the card for ``prompt``: a hash of the prompt picks the hue."""
    key = hashlib.sha256(prompt.strip().lower().encode()).digest()
    hue = int.from_bytes(key[:2], "big") / 65536
    glow_shift = (0.06, 0.09, -0.07)[key[2] % 3]
    # Complementary, split-complementary or analogous: one harmonious family either way.
    accent_shift = (0.5, 0.42, -0.12, 0.1)[key[3] % 4]
    saturation = 0.5 + key[4] / 255 * 0.3

    def rgb(h: float, lightness: float, s: float) -> RGB:
        r, g, b = colorsys.hls_to_rgb(h % 1.0, lightness, s)
        return round(r * 255), round(g * 255), round(b * 255)

    # A dark background and near-white ink: the title reads on any hue.
    return CardPalette(
        hue=hue,
        deep=rgb(hue, 0.1, saturation),
        glow=rgb(hue + glow_shift, 0.3, saturation),
        accent=rgb(hue + accent_shift, 0.58, 0.65),
        ink=rgb(hue, 0.96, 0.35),
    )


def _background(size: tuple[int, int], palette: CardPalette, rng: random.Random) -> Image.Image:
    w, h = size
    angle = rng.uniform(0, 360)
    # A rotated linear gradient, cropped to the part the rotation leaves fully covered.
    gradient = Image.linear_gradient("L").rotate(angle, resample=Image.Resampling.BICUBIC)
    gradient = gradient.crop((38, 38, 218, 218)).resize(size, Image.Resampling.BICUBIC)
    image = Image.composite(
        Image.new("RGB", size, palette.glow),
        Image.new("RGB", size, palette.deep),
        gradient,
    )

    # Transparent pixels carry the glow colour so that blurring does not darken edges.
    shapes = Image.new("RGBA", size, (*palette.glow, 0))
    draw = ImageDraw.Draw(shapes)
    short = min(w, h)
    for _ in range(rng.randint(3, 5)):
        radius = rng.uniform(0.18, 0.45) * short
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        colour = rng.choice((palette.accent, palette.glow, palette.ink))
        # Ink-coloured shapes are near-white: keep them faint.
        alpha = rng.randint(12, 24) if colour == palette.ink else rng.randint(40, 80)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*colour, alpha))
    # One diagonal band of light across the frame.
    band_y, band_h, tilt = (
        rng.uniform(0.1, 0.9) * h,
        rng.uniform(0.08, 0.2) * h,
        rng.uniform(-0.4, 0.4) * h,
    )
    draw.polygon(
        [
            (0, band_y - tilt),
            (w, band_y + tilt),
            (w, band_y + tilt + band_h),
            (0, band_y - tilt + band_h),
        ],
        fill=(*palette.accent, 26),
    )
    shapes = shapes.filter(ImageFilter.GaussianBlur(short * 0.02))
    # A dark pool behind the title keeps it readable whatever the shapes did.
    pool = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(pool).ellipse((w * 0.1, h * 0.28, w * 0.9, h * 0.72), fill=(0, 0, 0, 90))
    pool = pool.filter(ImageFilter.GaussianBlur(short * 0.08))
    image = Image.alpha_composite(Image.alpha_composite(image.convert("RGBA"), shapes), pool)
    image = image.convert("RGB")

    vignette = Image.radial_gradient("L").resize(size, Image.Resampling.BICUBIC)
    vignette = vignette.point(lambda v: min(255, max(0, (v - 110) * 2)))
    return Image.composite(Image.new("RGB", size, (0, 0, 0)), image, vignette.point(lambda v: v * 0.55))


def _title_words(prompt: str) -> list[str]:
    words: list[str] = []
    seen: set[str] = set()
    for token in _TITLE_TOKEN.findall(prompt):
        lowered = token.lower()
        if lowered in _STYLE_WORDS or lowered in _TITLE_STOPWORDS or lowered in seen:
            continue
        seen.add(lowered)
        if len(token) > _MAX_TITLE_WORD_CHARS:  # keeps a freak "word" inside the margins
            token = token[: _MAX_TITLE_WORD_CHARS - 1] + "…"
        words.append(token[:1].upper() + token[1:])
        if len(words) == _MAX_TITLE_WORDS:
            break
    return words


def _draw_title(image: Image.Image, words: list[str], palette: CardPalette) -> None:
    if not words:
        return
    width, height = image.size
    short = min(width, height)
    max_width = width * 0.8
    size = round(short * 0.085)
    while True:
        font = _font(size)
        lines = _wrap(words, font, max_width)
        fits = len(lines) <= _MAX_TITLE_LINES and all(font.getlength(line) <= max_width for line in lines)
        if fits or size <= short * 0.03:
            lines = lines[:_MAX_TITLE_LINES]
            break
        size = max(1, round(size * 0.88))

    line_height = size * 1.3
    top = height / 2 - line_height * (len(lines) - 1) / 2
    centres = [(width / 2, top + i * line_height) for i in range(len(lines))]

    # The shadow is drawn at a quarter size and blurred: it only needs to be soft.
    factor = 4
    offset = max(1.0, short * 0.004)
    shadow = Image.new("L", (max(1, width // factor), max(1, height // factor)), 0)
    shadow_draw = ImageDraw.Draw(shadow)
    small_font = _font(max(1, round(size / factor)))
    for (x, y), line in zip(centres, lines, strict=True):
        shadow_draw.text(
            ((x + offset) / factor, (y + offset) / factor),
            line,
            font=small_font,
            fill=150,
            anchor="mm",
        )
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(1.0, size / factor * 0.12)))
    image.paste((0, 0, 0), (0, 0), shadow.resize(image.size, Image.Resampling.BILINEAR))

    draw = ImageDraw.Draw(image)
    bar_w, bar_h = width * 0.06, max(2.0, short * 0.008)
    bar_y = top - line_height * 0.75
    draw.rounded_rectangle(
        (
            width / 2 - bar_w / 2,
            bar_y - bar_h / 2,
            width / 2 + bar_w / 2,
            bar_y + bar_h / 2,
        ),
        radius=bar_h / 2,
        fill=palette.accent,
    )
    for (x, y), line in zip(centres, lines, strict=True):
        draw.text((x, y), line, font=font, fill=palette.ink, anchor="mm")


def _wrap(words: list[str], font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[list[str]] = [[]]
    for word in words:
        candidate = _TITLE_SEPARATOR.join([*lines[-1], word])
        if lines[-1] and font.getlength(candidate) > max_width:
            lines.append([word])
        else:
            lines[-1].append(word)
    return [_TITLE_SEPARATOR.join(line) for line in lines]


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT_PATH, size)
    except OSError as exc:
        raise GenerationError(f"The title font {FONT_PATH} cannot be loaded: {exc}.") from exc


# --- music beds ---------------------------------------------------------------------------

MUSIC_BEDS: dict[str, str] = {
    "calm": "Calm: slow, soft chords",
    "bright": "Bright: light arpeggio",
    "pulse": "Pulse: soft kick and bass",
}
MUSIC_SAMPLE_RATE = 48_000
MUSIC_CHANNELS = 2
# Each bed is a seamless 16 s loop; render_music_bed repeats it to the requested length.
MUSIC_LOOP_MS = 16_000
MUSIC_MAX_MS = 30 * 60 * 1000
_MUSIC_PEAK = 0.5  # -6 dBFS: headroom for the mix, and well clear of clipping
_FADE_IN_MS, _FADE_OUT_MS = 1_000, 2_500
# Beds are synthesised at 16 kHz (nothing in them is above ~3 kHz) and interpolated to
# 48 kHz at the end: a third of the work for pure Python.
_SYNTH_RATE = 16_000
_UPSAMPLE = MUSIC_SAMPLE_RATE // _SYNTH_RATE


def render_music_bed(*, bed: str, duration_ms: int, out_dir: Path) -> GeneratedAudio:
    """A 48 kHz stereo 16-bit WAV of exactly ``duration_ms``: the bed's seamless 16 s loop
    repeated, faded in at the start and out at the end. The composer needs no looping."""
    if bed not in MUSIC_BEDS:
        known = ", ".join(MUSIC_BEDS)
        raise GenerationError(f"Unknown music bed {bed!r}; choose one of {known}.")
    if not 0 < duration_ms <= MUSIC_MAX_MS:
        raise GenerationError(
            f"A music bed must last between 1 ms and {MUSIC_MAX_MS // 60_000} minutes, not {duration_ms} ms."
        )
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
    if sys.byteorder == "big":
        pcm.byteswap()

    path = Path(out_dir) / f"music-{bed}-{duration_ms}ms.wav"
    with atomic_path(path) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(MUSIC_CHANNELS)
        wav.setsampwidth(2)
        wav.setframerate(MUSIC_SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())
    return GeneratedAudio(
        path=path,
        duration_ms=frames * 1000 // MUSIC_SAMPLE_RATE,
        mime="audio/wav",
        cost_usd=Decimal(0),
    )


def _fade(pcm: array, *, fade_in_ms: int, fade_out_ms: int) -> None:
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
def _music_loop(bed: str) -> array:
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

    def to_pcm(self, *, peak: float) -> array:
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


def _pad_chords(score: _Score, chords: list[tuple[int, ...]], *, chord_s: float, level: float) -> None:
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
