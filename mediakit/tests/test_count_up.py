"""A data card's figure counts up as it comes in: its steps (data_card.data_card_count_up) are
shown one after the other over builder.COUNT_UP_MS, then the final card.

The builder's graph is asserted without running anything; real renders check the frames: the
ring is shorter while the count runs, and once it has run the frames are today's (the same
storyboard without steps).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mediakit import builder
from mediakit.data_card import Figure, data_card_count_up, data_card_layers
from mediakit.render import render_master
from mediakit.spec import SceneLayers, SceneSpec, StoryboardSpec
from mediakit.timeline import plan

W, H = 640, 360
NAVY, ORANGE, PAPER = (40, 60, 120), (250, 180, 60), (255, 255, 255)
WIND = Figure(37.0, "37%", "percent", "of energy from wind", fraction=0.37)
STEPS = tuple(f"/in/step_{k}.png" for k in range(12))


def _layers(i: int, steps: tuple[str, ...] = ()) -> SceneLayers:
    return SceneLayers(f"/in/ground_{i}.png", f"/in/figure_{i}.png", 60, 50, 500, 220, W, H, hero_steps=steps)


def _storyboard(steps: tuple[str, ...] = STEPS, *, transition: str = "fade") -> StoryboardSpec:
    scenes = tuple(
        SceneSpec(
            picture=f"/in/card_{i}.png",
            duration_ms=2000,
            narration=None,
            narration_ms=0,
            caption_text="",
            layers=_layers(i, steps),
        )
        for i in range(2)
    )
    return StoryboardSpec(
        scenes=scenes,
        width=W,
        height=H,
        fps=30,
        transition=transition,
        transition_ms=0 if transition == "cut" else 500,
        captions=False,
    )


def _graph(spec: StoryboardSpec) -> tuple[str, list[str]]:
    timeline = plan(spec)
    argv = builder.segment_argv(spec, timeline, timeline.pieces, "/out/segment.mp4")
    inputs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-i"]
    return argv[argv.index("-filter_complex") + 1], inputs


# --- the builder ------------------------------------------------------------------------


def test_the_steps_are_shown_in_turn_over_the_count_up_then_the_figure() -> None:
    spec = _storyboard(transition="cut")
    timeline = plan(spec)
    body = next(p.slices[0] for p in timeline.pieces if p.slices[0].scene == 1)
    shots = builder.hero_shots(spec, timeline, body)
    count_up = builder.hero_motion(spec, timeline, 1).count_up_frames  # type: ignore[union-attr]
    assert count_up == 30  # COUNT_UP_MS at 30 fps
    assert [shot.picture for shot in shots] == [*STEPS, "/in/figure_1.png"]
    # End to end from the scene's first frame, each step two or three frames.
    assert [(a.end, b.first) for a, b in zip(shots, shots[1:], strict=False)] == [(a.end, a.end) for a in shots[:-1]]
    assert shots[0].first == 0 and shots[-1].first == count_up and shots[-1].end == timeline.scene_frames[1]
    assert {shot.end - shot.first for shot in shots[:-1]} == {2, 3}


def test_each_step_is_read_once_and_joined_before_the_entrance_fades_it_in() -> None:
    filters, inputs = _graph(_storyboard(transition="cut"))
    assert inputs.count("/in/step_0.png") == 1 and all(step in inputs for step in STEPS)
    # Read in the hero's box and with alpha, as the hero is.
    assert filters.count("format=yuva420p") == 2 + len(STEPS)
    assert re.search(
        r"concat=a=0:n=13:v=1\[s\d+\];\[s\d+\]setpts=N/\(30\*TB\)\[s\d+\];\[s\d+\]fade=alpha=1:nb_frames=15", filters
    )


def test_the_opening_scene_shows_its_final_figure_from_the_first_frame() -> None:
    # No entrance there (the poster is the video's first frame), so no count-up either.
    spec = _storyboard(transition="cut")
    timeline = plan(spec)
    assert builder.hero_motion(spec, timeline, 0).count_up_frames == 0  # type: ignore[union-attr]
    opening = timeline.pieces[0].slices[0]
    assert [shot.picture for shot in builder.hero_shots(spec, timeline, opening)] == ["/in/figure_0.png"]


def test_across_a_crossfade_each_slice_takes_only_the_steps_it_shows() -> None:
    spec = _storyboard()
    timeline = plan(spec)
    incoming, body = (
        part for piece in timeline.pieces for part in piece.slices if part.scene == 1 and part.first_frame < 30
    )
    assert (incoming.first_frame, body.first_frame) == (0, 15)
    first = builder.hero_shots(spec, timeline, incoming)
    rest = builder.hero_shots(spec, timeline, body)
    assert first[-1].end == 15 and all(shot.first >= 15 for shot in rest)
    # The body starts where the entrance has ended: no fade, no frames made to be dropped.
    assert (first[-1].picture, rest[0].picture) == ("/in/step_5.png", "/in/step_6.png")
    filters, _ = _graph(spec)
    assert filters.count("fade=alpha=1") == 1 and "trim=start_frame" not in filters


def test_a_hero_without_steps_only_enters() -> None:
    filters, inputs = _graph(_storyboard(()))
    assert inputs == ["/in/ground_0.png", "/in/figure_0.png", "/in/ground_1.png", "/in/figure_1.png"]
    assert filters.count("concat=") == 1  # the video's slices, end to end
    assert filters.count("fade=alpha=1") == 1


# --- real renders ------------------------------------------------------------------------


def _card_scene(tmp_path: Path, i: int, *, steps: bool) -> SceneSpec:
    drawn = data_card_layers(WIND, width=W, height=H, background=NAVY, accent=ORANGE, ink=PAPER)
    assert drawn is not None
    card, ground, figure, (x, y) = drawn
    paths = {name: tmp_path / f"{name}_{i}.png" for name in ("card", "ground", "figure")}
    card.save(paths["card"])
    ground.save(paths["ground"])
    figure.save(paths["figure"])
    step_paths: list[str] = []
    if steps:
        box = (x, y, x + figure.width, y + figure.height)
        for k, step in enumerate(
            data_card_count_up(WIND, width=W, height=H, background=NAVY, accent=ORANGE, ink=PAPER, box=box)
        ):
            step.save(tmp_path / f"step_{i}_{k}.png")
            step_paths.append(str(tmp_path / f"step_{i}_{k}.png"))
    layers = SceneLayers(
        str(paths["ground"]), str(paths["figure"]), x, y, figure.width, figure.height, W, H, tuple(step_paths)
    )
    return SceneSpec(
        picture=str(paths["card"]), duration_ms=2000, narration=None, narration_ms=0, caption_text="", layers=layers
    )


def _render(tmp_path: Path, *, steps: bool) -> tuple[np.ndarray, int]:
    spec = StoryboardSpec(
        scenes=tuple(_card_scene(tmp_path, i, steps=steps) for i in range(2)),
        width=W,
        height=H,
        fps=30,
        transition="fade",
        transition_ms=500,
        captions=False,
    )
    out = render_master(spec, tmp_path / "out", timeout_s=120)
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(out.master_path), "-fps_mode", "passthrough", "-f", "rawvideo"]
        + ["-pix_fmt", "rgb24", "-"],
        check=True,
        capture_output=True,
    ).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, H, W, 3)
    timeline = plan(spec)
    assert len(frames) == timeline.total_frames
    return frames, timeline.scene_start_frames[1]


def _ring(frame: np.ndarray) -> int:
    """Pixels of the accent (the ring's arc): the card's ground and ink are navy and white."""
    r, g, b = (frame[..., c].astype(int) for c in range(3))
    return int(((r > 200) & (g > 130) & (g < 220) & (b < 120)).sum())


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, np.ndarray, int]:
    counted, start = _render(tmp_path_factory.mktemp("counted"), steps=True)
    plain, plain_start = _render(tmp_path_factory.mktemp("plain"), steps=False)
    assert start == plain_start
    return counted, plain, start


def test_while_the_count_runs_the_ring_is_shorter_than_on_the_final_card(renders) -> None:
    counted, plain, start = renders
    # Frame 17 of the scene: fully in (the entrance is 15 frames), the count at step 6 of 12.
    early, final = counted[start + 17], counted[start + 45]
    assert _ring(early) < 0.93 * _ring(final)
    # Without steps the same frame already shows the whole ring: it is the count that differs.
    assert _ring(plain[start + 17]) > 0.97 * _ring(plain[start + 45])
    # And the figure itself: the number region changes between the two renders at that frame.
    assert np.abs(early.astype(int) - plain[start + 17].astype(int)).max() > 100


def test_once_the_count_has_run_the_frames_are_the_card_as_today(renders) -> None:
    counted, plain, start = renders
    for frame in (start + 31, start + 45, len(counted) - 1):
        difference = np.abs(counted[frame].astype(float) - plain[frame].astype(float))
        # The same pictures encoded after other frames: x264's noise, nothing drawn differently.
        assert difference.mean() < 1.0 and np.percentile(difference, 99.9) < 24
    # The opening scene (no count-up there) is the same throughout.
    assert np.abs(counted[:start].astype(float) - plain[:start].astype(float)).mean() < 1.0
