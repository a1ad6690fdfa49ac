"""What narration costs: seconds of synthesis per second of speech.

Used by ``manage.py bench_render`` and ``scripts/bench_narration.py``. Each text is one
scene narrated by its own call to :func:`mediakit.speech.synthesize_narration`, as a
worker does: the first call starts the piper program and loads its model (in the figure),
later ones reuse it. CPU is that of this process and its descendants, the piper program
kept running included (``measuring.tree_cpu_seconds``: it is never waited for, so its CPU
never reaches RUSAGE_CHILDREN), which a shared machine's contention does not inflate as it
does the wall clock.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mediakit.measuring import tree_cpu_seconds
from mediakit.phrases import caption_phrases
from mediakit.speech import DEFAULT_VOICE, RATE_DEFAULT, Narration, synthesize_narration

# Three short scenes of the kind a script has (a number, a quote, a plain sentence).
SAMPLE_TEXTS = (
    "Every city keeps a map of its rivers under the streets, about 12% of them still open.",
    "“A bridge is a promise,” the engineer said, “written in steel and stone.”",
    "Night trains carry letters across sleeping borders, and arrive before dawn.",
)


@dataclass(frozen=True)
class NarrationCost:
    voice: str
    speech_s: float
    wall_s: float
    cpu_s: float
    narrations: tuple[Narration, ...] = ()

    @property
    def wall_per_speech_s(self) -> float:
        return self.wall_s / self.speech_s

    @property
    def cpu_per_speech_s(self) -> float:
        return self.cpu_s / self.speech_s

    def line(self) -> str:
        return (
            f"narration cost ({self.voice}, model load included): {self.wall_per_speech_s:.3f} s wall and "
            f"{self.cpu_per_speech_s:.3f} s CPU of synthesis per second of speech "
            f"({self.wall_s:.1f} s wall, {self.cpu_s:.1f} s CPU for {self.speech_s:.1f} s of speech)"
        )


def measure_narration_cost(
    texts: Sequence[str] = SAMPLE_TEXTS,
    *,
    voice: str = DEFAULT_VOICE,
    rate_wpm: int = RATE_DEFAULT,
    out_dir: Path | None = None,
) -> NarrationCost:
    """Narrate each text (split into caption phrases) as one scene and time the synthesis.
    The WAVs stay in `out_dir` if given (a fresh temporary folder otherwise, removed)."""
    if not texts:
        raise ValueError("no texts to narrate")
    work = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="narration-cost-"))
    narrations = []
    wall = cpu = 0.0
    try:
        for text in texts:
            phrases = caption_phrases(text)
            cpu_before, wall_before = tree_cpu_seconds(), time.perf_counter()
            narrations.append(synthesize_narration(phrases=phrases, voice=voice, rate_wpm=rate_wpm, out_dir=work))
            wall += time.perf_counter() - wall_before
            cpu += tree_cpu_seconds() - cpu_before
    finally:
        if out_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    speech = sum(n.duration_ms for n in narrations) / 1000
    return NarrationCost(voice=voice, speech_s=speech, wall_s=wall, cpu_s=cpu, narrations=tuple(narrations))
