from __future__ import annotations

import math
import wave
from array import array
from decimal import Decimal
from pathlib import Path

import pytest

from assets.generators.base import GenerationError
from assets.generators.music_beds import render_music_bed
from mediakit import music_synth
from mediakit.music_synth import MUSIC_BEDS, MUSIC_LOOP_MS


def read_pcm(path: Path) -> tuple[wave._wave_params, array]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        samples = array("h", wav.readframes(params.nframes))
    return params, samples


@pytest.mark.parametrize("bed", list(MUSIC_BEDS))
def test_a_music_bed_is_48k_stereo_16_bit_of_the_exact_length(tmp_path: Path, bed: str) -> None:
    audio = render_music_bed(bed=bed, duration_ms=2_500, out_dir=tmp_path)
    params, _ = read_pcm(audio.path)
    assert (params.framerate, params.nchannels, params.sampwidth, params.nframes) == (48_000, 2, 2, 120_000)
    assert (audio.duration_ms, audio.mime, audio.cost_usd) == (2_500, "audio/wav", Decimal(0))


@pytest.mark.parametrize("bed", list(MUSIC_BEDS))
def test_a_music_bed_is_audible_and_well_below_full_scale(tmp_path: Path, bed: str) -> None:
    _, samples = read_pcm(render_music_bed(bed=bed, duration_ms=20_000, out_dir=tmp_path).path)
    middle = samples[len(samples) // 4 : len(samples) * 3 // 4]  # away from the fades
    rms = math.sqrt(sum(s * s for s in middle) / len(middle)) / 32768
    peak = max(map(abs, samples)) / 32768
    assert rms > 0.05
    assert peak < 0.9


@pytest.mark.parametrize("bed", list(MUSIC_BEDS))
def test_a_music_bed_is_deterministic(tmp_path: Path, bed: str) -> None:
    first = render_music_bed(bed=bed, duration_ms=3_000, out_dir=tmp_path / "a").path.read_bytes()
    music_synth._music_loop.cache_clear()  # synthesise again rather than reuse the loop
    second = render_music_bed(bed=bed, duration_ms=3_000, out_dir=tmp_path / "b").path.read_bytes()
    assert first == second


def test_beds_sound_different(tmp_path: Path) -> None:
    sounds = {render_music_bed(bed=bed, duration_ms=3_000, out_dir=tmp_path).path.read_bytes() for bed in MUSIC_BEDS}
    assert len(sounds) == len(MUSIC_BEDS)


def test_a_long_bed_repeats_its_loop_without_a_click(tmp_path: Path) -> None:
    duration_ms = MUSIC_LOOP_MS * 2 + 5_000
    params, samples = read_pcm(render_music_bed(bed="bright", duration_ms=duration_ms, out_dir=tmp_path).path)
    assert params.nframes == duration_ms * 48
    loop = MUSIC_LOOP_MS * 48 * 2  # interleaved samples per loop
    start = 3 * 48_000 * 2
    assert samples[start : start + 96_000] == samples[start + loop : start + loop + 96_000]
    left = samples[0::2]
    steps = sorted(abs(left[i + 1] - left[i]) for i in range(len(left) - 1))
    seam = MUSIC_LOOP_MS * 48
    assert abs(left[seam] - left[seam - 1]) <= steps[int(len(steps) * 0.999)]


def test_a_bed_fades_in_and_out(tmp_path: Path) -> None:
    _, samples = read_pcm(render_music_bed(bed="pulse", duration_ms=10_000, out_dir=tmp_path).path)
    assert max(map(abs, samples[:200])) < 300
    assert max(map(abs, samples[-200:])) < 300


def test_an_unknown_bed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GenerationError, match="Unknown music bed 'disco'; choose one of calm, bright, pulse"):
        render_music_bed(bed="disco", duration_ms=1_000, out_dir=tmp_path)


@pytest.mark.parametrize("duration_ms", [0, -5, 31 * 60 * 1000])
def test_an_impossible_bed_length_is_refused(tmp_path: Path, duration_ms: int) -> None:
    with pytest.raises(GenerationError, match="must last between"):
        render_music_bed(bed="calm", duration_ms=duration_ms, out_dir=tmp_path)
