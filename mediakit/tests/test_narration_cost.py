"""The narration cost the benchmark prints is measured on real synthesis."""

from __future__ import annotations

import wave
from pathlib import Path

from mediakit.narration_cost import measure_narration_cost
from mediakit.speech import DEFAULT_VOICE


def test_the_cost_is_synthesis_time_over_the_seconds_of_speech_written(tmp_path: Path) -> None:
    cost = measure_narration_cost(["The keeper climbs the stairs.", "The lamp is lit at dusk."], out_dir=tmp_path)
    assert cost.voice == DEFAULT_VOICE and len(cost.narrations) == 2
    written = 0.0
    for narration in cost.narrations:
        with wave.open(str(narration.wav_path)) as wav:
            written += wav.getnframes() / wav.getframerate()
    assert abs(cost.speech_s - written) < 0.02
    # The synthesiser ran in a child process kept alive between calls (never waited for):
    # its CPU is counted all the same. Piper needs well over 0.05 s of CPU per second of
    # speech; counting only children that ended gave 0.004.
    assert cost.cpu_per_speech_s > 0.05 and cost.wall_s > 0
    assert cost.cpu_per_speech_s == cost.cpu_s / cost.speech_s
    assert f"{cost.cpu_per_speech_s:.3f} s CPU" in cost.line() and DEFAULT_VOICE in cost.line()
