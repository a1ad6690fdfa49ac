"""Pure functions: the soundtrack's loudness, measured and planned (EBU R128).

FFmpeg argv that measure a mix (ebur128, see loudness_argv for why not loudnorm's own
first pass), the parser of what it prints, and the limiter and gain that bring the mix to
LOUDNORM_TARGET (mediakit.output.soundtrack_argv applies them). No I/O, as in mediakit.builder.
"""

from __future__ import annotations

import math
import re

import ffmpeg

LOUDNORM_TARGET = {"I": -16.0, "TP": -1.5, "LRA": 11.0}


def limiter(stream: ffmpeg.nodes.FilterableStream, limit_db: float) -> ffmpeg.nodes.FilterableStream:
    # Look-ahead sample-peak limiter; latency compensated so the voice stays on the picture,
    # no auto level so it never raises anything.
    return stream.filter("alimiter", limit=f"{10 ** (limit_db / 20):.6f}", attack=5, release=50, level=0, latency=1)


def loudness_argv(in_wav: str, *, limit_db: float | None = None) -> list[str]:
    """EBU R128 measurement (ebur128, true peak) of a soundtrack, optionally after limit_db's limiter.

    The render measures with this rather than loudnorm's first pass: the second
    pass is linear (a gain), which needs only I, LRA, threshold and true peak;
    loudnorm's first pass also runs its whole dynamic normaliser at 192 kHz
    (0.9 s per 30 s of audio against 0.17 s here).
    """
    stream = ffmpeg.input(in_wav).audio
    if limit_db is not None:
        stream = limiter(stream, limit_db)
    # framelog=verbose keeps the per-100 ms lines out of the log at the default level.
    stream = stream.filter("ebur128", peak="true", framelog="verbose")
    argv: list[str] = ffmpeg.output(stream, "-", f="null").compile()
    return argv


_EBUR128_VALUES = {
    "integrated_lufs": re.compile(r"^\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.MULTILINE),
    "threshold_lufs": re.compile(r"^\s*I:.*\n\s*Threshold:\s*(-?[\d.]+|-inf)\s*LUFS", re.MULTILINE),
    "lra": re.compile(r"^\s*LRA:\s*(-?[\d.]+|-inf)\s*LU\s*$", re.MULTILINE),
    "true_peak_dbtp": re.compile(r"^\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.MULTILINE),
}


def parse_ebur128_summary(stderr: str) -> dict[str, float]:
    """integrated_lufs, threshold_lufs, lra and true_peak_dbtp from ebur128's closing summary."""
    summary_at = stderr.rfind("Summary:")
    if summary_at < 0:
        raise ValueError("no ebur128 summary in FFmpeg output")
    summary = stderr[summary_at:]
    values = {}
    for key, pattern in _EBUR128_VALUES.items():
        match = pattern.search(summary)
        if not match:
            raise ValueError(f"ebur128 summary has no {key}")
        values[key] = float(match.group(1))
    return values


def loudnorm_measurement(summary: dict[str, float]) -> dict[str, float | str]:
    """An ebur128 summary in the shape of loudnorm's first-pass JSON, for soundtrack_argv."""
    return {
        "input_i": summary["integrated_lufs"],
        "input_tp": summary["true_peak_dbtp"],
        "input_lra": summary["lra"],
        "input_thresh": summary["threshold_lufs"],
        "target_offset": 0.0,
    }


# Headroom under loudnorm's true-peak target (-1.5) that the limiter aims for,
# before the gain: limiting lowers the loudness a little (0.3-0.6 LU on espeak
# narration), so the gain measured after the limiter is that much larger and the
# peaks land that much higher than aimed.
PEAK_MARGIN_DB = 1.0


def limiter_ceiling_db(measured: dict[str, float | str]) -> float | None:
    """Sample-peak ceiling (dBFS, before gain) so that the linear gain keeps peaks under the target.

    None when the peaks already fit (no limiter needed).
    """
    gain = LOUDNORM_TARGET["I"] - float(measured["input_i"])
    # alimiter accepts limits from -24 dBFS to 0 dBFS.
    ceiling = min(0.0, max(-24.0, LOUDNORM_TARGET["TP"] - PEAK_MARGIN_DB - gain))
    if float(measured["input_tp"]) + gain <= LOUDNORM_TARGET["TP"]:
        return None
    return ceiling


# Below the true-peak target that a soundtrack found over it after encoding is aimed again.
OVERSHOOT_MARGIN_DB = 0.5


def ceiling_for_overshoot(measured: dict[str, float | str], limit_db: float | None, carried_tp: float) -> float | None:
    """A lower limiter ceiling (dBFS, before the gain) when the encoded soundtrack's true peak
    (carried_tp, what the master carries) is over the target; None when it is not.

    AAC can overshoot a sharp onset after quiet: a plosive at a scene's first word came out
    1.3 dB over the limited signal's peak (-1.8 -> -0.5 dBTP). The ceiling goes down by the
    excess and OVERSHOOT_MARGIN_DB; with no limiter yet, from where the peaks are now."""
    excess = carried_tp - LOUDNORM_TARGET["TP"]
    if excess <= 0 or not usable_measurement(measured):
        return None
    current = limit_db if limit_db is not None else min(0.0, float(measured["input_tp"]))
    return max(-24.0, current - excess - OVERSHOOT_MARGIN_DB)


def usable_measurement(measured: dict[str, float | str]) -> bool:
    """False for digital silence (and anything else loudnorm cannot be given)."""
    keys = ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")
    values = [measured.get(k) for k in keys]
    if not all(isinstance(v, float) and math.isfinite(v) for v in values):
        return False
    # Digital silence (or near it) measures as -inf / -70: nothing to normalise.
    return float(measured["input_i"]) > -70.0


def loudness_gain_db(measured: dict[str, float | str]) -> float | None:
    """The gain that brings a measured soundtrack to LOUDNORM_TARGET's integrated loudness.

    None for digital silence (nothing to normalise).
    """
    if not usable_measurement(measured):
        return None
    # The same gain limiter_ceiling_db plans the peaks for.
    return LOUDNORM_TARGET["I"] - float(measured["input_i"])
