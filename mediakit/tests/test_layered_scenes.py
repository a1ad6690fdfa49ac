"""Pictures in layers: the hero moves apart from its background (parallax) and enters.

The builder's argv for layered scenes is asserted without running anything; the hero's
fit is checked against fit_still with Pillow alone; one tiny real render checks the
frames.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from mediakit import builder
from mediakit.render import fit_hero, fit_still, render_master
from mediakit.spec import SceneLayers, SceneSpec, StoryboardSpec
from mediakit.timeline import group_pieces, plan


def layers(i: int = 0, **changes: int) -> SceneLayers:
    base = SceneLayers(
        background=f"/in/background_{i}.png",
        hero=f"/in/hero_{i}.png",
        hero_x=700,
        hero_y=400,
        hero_width=500,
        hero_height=520,
        picture_width=1920,
        picture_height=1080,
    )
    return replace(base, **changes)


def storyboard(
    durations: tuple[int, ...] = (3000, 3000),
    *,
    size: tuple[int, int] = (1280, 720),
    layered: bool = True,
    transition: str = "fade",
) -> StoryboardSpec:
    scenes = tuple(
        SceneSpec(
            picture=f"/in/picture_{i}.png",
            duration_ms=d,
            narration=None,
            narration_ms=0,
            caption_text="",
            layers=layers(i) if layered else None,
        )
        for i, d in enumerate(durations)
    )
    return StoryboardSpec(
        scenes=scenes,
        width=size[0],
        height=size[1],
        fps=30,
        transition=transition,
        transition_ms=0 if transition == "cut" else 500,
        captions=False,
    )


def graph(spec: StoryboardSpec) -> tuple[str, list[str]]:
    timeline = plan(spec)
    argv = builder.segment_argv(spec, timeline, timeline.pieces, "/out/segment.mp4")
    inputs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-i"]
    return argv[argv.index("-filter_complex") + 1], inputs


def overlays(filters: str) -> list[str]:
    return re.findall(r"overlay=[^;\[]*", filters)


# --- the builder ------------------------------------------------------------------------


def test_a_layered_scene_pans_its_background_and_overlays_its_hero_not_the_picture() -> None:
    filters, inputs = graph(storyboard())
    assert inputs == ["/in/background_0.png", "/in/hero_0.png", "/in/background_1.png", "/in/hero_1.png"]
    assert "/in/picture_0.png" not in inputs
    # The background still pans a whole pixel a frame, as a flat picture does.
    assert "crop=1280:720:exact=1:x=1*(n+0):y=0" in filters
    # Each hero is converted once (BT.709, with alpha) and split between its slices.
    assert filters.count("format=yuva420p") == 2
    # Blended in 4:2:0 over the hero's box: the frame is never converted for it.
    assert all("format=yuv420:" in o for o in overlays(filters))
    assert len(overlays(filters)) == 4  # body 0, both sides of the crossfade, body 1


def test_the_hero_moves_faster_than_the_background_in_even_steps_along_the_pan() -> None:
    spec = storyboard()
    timeline = plan(spec)
    forward, back = builder.hero_motion(spec, timeline, 0), builder.hero_motion(spec, timeline, 1)
    pan = builder.scene_pan(0, 1280, 720, timeline.scene_frames[0])
    assert forward is not None and back is not None and pan is not None and pan.step_px == 1
    # Forward: the crop moves right, so the picture moves left; the nearer hero more so.
    assert forward.velocity == -2 and back.velocity == 2
    assert forward.horizontal and forward.start % 2 == 0 and forward.across % 2 == 0
    filters, _ = graph(spec)
    assert f"x={forward.start}-2*(n+0):y={forward.across}" in filters
    # The body after the crossfade continues the path from the scene's 15th frame.
    assert f"x={back.start}+2*(n+15):y={back.across}" in filters


def test_the_hero_is_on_its_place_in_the_picture_at_the_middle_of_the_scene() -> None:
    spec = storyboard()
    timeline = plan(spec)
    for scene in (0, 1):
        motion = builder.hero_motion(spec, timeline, scene)
        pan = builder.scene_pan(scene, 1280, 720, timeline.scene_frames[scene])
        assert motion is not None and pan is not None
        middle = (timeline.scene_frames[scene] - 1) / 2
        crop = pan.step_px * middle if pan.forward else pan.travel_px - pan.step_px * middle
        hero_at_middle = motion.start + motion.velocity * middle
        assert hero_at_middle == pytest.approx(motion.fit.x - crop, abs=1.5)


def test_the_hero_enters_fading_in_and_rising_eased_out_except_in_the_opening_scene() -> None:
    spec = storyboard()
    timeline = plan(spec)
    opening, second = builder.hero_motion(spec, timeline, 0), builder.hero_motion(spec, timeline, 1)
    assert opening is not None and opening.entrance_frames == 0  # the poster shows the whole picture
    assert second is not None and second.entrance_frames == 15 and second.rise_px == round(0.04 * 720)
    filters, _ = graph(spec)
    assert filters.count("fade=alpha=1:nb_frames=15:start_frame=0:type=in") == 1
    rise = f"y={second.across}+{second.rise_px}*pow(max(0\\,1-(n+0)/15)\\,2)"
    assert rise in filters
    # Once risen the hero stays at its height.
    assert f"x={second.start}+2*(n+15):y={second.across}[" in filters + "["


def test_a_slice_starting_inside_the_entrance_drops_the_faded_frames_before_it() -> None:
    # A cut: the body of scene 1 starts at its frame 0; with ENTRANCE_MS longer than the
    # crossfade, a body starting at frame 15 still has the entrance's last frames.
    spec = storyboard()
    timeline = plan(spec)
    body = next(p for p in timeline.pieces if p.slices[0].scene == 1 and p.kind == "body")
    motion = replace(builder.hero_motion(spec, timeline, 1), entrance_frames=20, rise_px=30)
    assert motion.rise_expression(body.slices[0].first_frame) == "+30*pow(max(0,1-(n+15)/20),2)"
    assert motion.rise_expression(20) == ""


def test_portrait_pans_vertically_and_moves_the_hero_up_and_down() -> None:
    spec = storyboard(size=(720, 1280))
    timeline = plan(spec)
    motion = builder.hero_motion(spec, timeline, 1)
    assert motion is not None and not motion.horizontal and motion.velocity == 2
    filters, _ = graph(spec)
    assert "crop=720:1280:exact=1:x=0:y=1*(n+0)" in filters
    assert f"x={motion.across}:y={motion.start}+2*(n+0)+{motion.rise_px}*pow(" in filters


def test_a_long_scene_zooms_its_composite_picture_as_before() -> None:
    spec = storyboard((3000, 30_000), size=(640, 360))
    timeline = plan(spec)
    assert builder.scene_pan(1, 640, 360, timeline.scene_frames[1]) is None
    assert builder.hero_motion(spec, timeline, 1) is None
    filters, inputs = graph(spec)
    assert "/in/picture_1.png" in inputs and "/in/hero_1.png" not in inputs
    assert filters.count("zoompan") == 2  # its side of the crossfade, and its body
    assert len(overlays(filters)) == 2  # scene 0 only


def test_a_picture_without_layers_renders_exactly_as_before() -> None:
    flat = storyboard(layered=False)
    filters, inputs = graph(flat)
    assert inputs == ["/in/picture_0.png", "/in/picture_1.png"]
    assert "overlay" not in filters and "yuva420p" not in filters


def test_a_clip_scene_ignores_its_picture_s_layers() -> None:
    spec = storyboard()
    clip = replace(spec.scenes[1], clip="/in/clip.mp4", clip_ms=5000)
    spec = replace(spec, scenes=(spec.scenes[0], clip))
    _, inputs = graph(spec)
    assert "/in/hero_1.png" not in inputs and "/in/background_1.png" not in inputs


def test_a_hero_whose_path_would_leave_the_title_safe_area_is_kept_inside_it() -> None:
    # At the picture's right edge: the parallax would carry it out of the frame.
    spec = storyboard()
    spec = replace(
        spec, scenes=tuple(replace(s, layers=layers(i, hero_x=1500, hero_width=400)) for i, s in enumerate(spec.scenes))
    )
    timeline = plan(spec)
    for scene in (0, 1):
        motion = builder.hero_motion(spec, timeline, scene)
        assert motion is not None
        frames = timeline.scene_frames[scene]
        ends = (motion.start, motion.start + motion.velocity * (frames - 1))
        assert min(ends) >= round(0.05 * 1280)
        assert max(ends) + motion.fit.width <= 1280 - round(0.05 * 1280)


def test_a_hero_too_wide_to_travel_inside_the_safe_area_holds_still_on_its_place() -> None:
    # A data card's figure and chart: two thirds of the frame wide. Moving faster than the
    # ground it would slide out of the frame (seen in a render: the "12%" bar cut off).
    spec = storyboard((6000, 6000), size=(854, 480))
    spec = replace(
        spec,
        scenes=tuple(replace(s, layers=layers(i, hero_x=300, hero_width=1300)) for i, s in enumerate(spec.scenes)),
    )
    timeline = plan(spec)
    for scene in (0, 1):
        motion = builder.hero_motion(spec, timeline, scene)
        assert motion is not None and motion.velocity == 0
        assert round(0.05 * 854) <= motion.start
        assert motion.start + motion.fit.width <= 854 - round(0.05 * 854)
        # At the frame's own scale, where its picture laid it out: not grown by the pan's
        # travel (a card's figure then reached 0.97-0.99 of the width in a 720p render).
        frame_scale = 854 / 1920
        assert motion.fit.scale == pytest.approx(frame_scale)
        assert abs(motion.fit.width - 1300 * frame_scale) <= 4
        assert abs(motion.start - 300 * frame_scale) <= 4


def test_a_wide_hero_stays_in_the_safe_area_across_the_pan_too() -> None:
    # A 9:16 data card: the figure laid out 37 px from the picture's left edge, 596 of 720
    # wide. The vertical pan scales the picture up, the figure with it: it reached x = 6 in
    # a render, past the 36 px margin; across the pan it is now kept inside it, or centred.
    spec = storyboard((5000, 5000), size=(720, 1280))
    spec = replace(
        spec,
        scenes=tuple(
            replace(
                s,
                layers=layers(
                    i, hero_x=37, hero_y=350, hero_width=596, hero_height=201, picture_width=720, picture_height=1280
                ),
            )
            for i, s in enumerate(spec.scenes)
        ),
    )
    timeline = plan(spec)
    margin = round(0.05 * 720)
    for scene in (0, 1):
        motion = builder.hero_motion(spec, timeline, scene)
        assert motion is not None and not motion.horizontal
        assert motion.fit.x < margin  # where the scaled picture has it
        left, right = motion.across, 720 - motion.across - motion.fit.width
        assert motion.across % 2 == 0
        if motion.fit.width <= 720 - 2 * margin:
            assert left >= margin and right >= margin
        else:
            assert abs(left - right) <= 2  # wider than the safe area: centred


# --- the hero's fit, with Pillow ---------------------------------------------------------


def _layered_picture(tmp_path: Path) -> tuple[Path, Path, Path, SceneLayers]:
    """A 3:2 picture (so the fit scales and crops) and its layers: a striped background and
    a hero (a disc with a soft shadow) at (430, 250)."""
    background = Image.new("RGB", (1200, 800), (60, 110, 170))
    draw = ImageDraw.Draw(background)
    for x in range(0, 1200, 37):
        draw.line([(x, 0), (x + 200, 800)], fill=(200, 180, 90), width=5)
    hero = Image.new("RGBA", (221, 203), (0, 0, 0, 0))
    hdraw = ImageDraw.Draw(hero)
    hdraw.ellipse([20, 170, 200, 200], fill=(0, 0, 0, 110))
    hdraw.ellipse([30, 0, 190, 160], fill=(220, 40, 40, 255))
    picture = background.copy()
    picture.paste(hero, (430, 250), hero)
    paths = tmp_path / "background.png", tmp_path / "hero.png", tmp_path / "picture.png"
    background.save(paths[0])
    hero.save(paths[1])
    picture.save(paths[2])
    return *paths, SceneLayers(str(paths[0]), str(paths[1]), 430, 250, 221, 203, 1200, 800)


@pytest.mark.parametrize("still", [(1382, 720), (480, 954), (1200, 800)])
def test_the_fitted_hero_on_the_fitted_background_is_the_fitted_picture(tmp_path: Path, still) -> None:
    background, hero, picture, layered = _layered_picture(tmp_path)
    fit = builder.hero_fit(layered, *still)
    assert fit.x % 2 == 0 and fit.y % 2 == 0
    whole = np.asarray(Image.open(fit_still(str(picture), *still, tmp_path / "p.bmp")), dtype=float)
    composed = Image.open(fit_still(str(background), *still, tmp_path / "b.bmp")).convert("RGBA")
    canvas = Image.open(fit_hero(str(hero), fit, tmp_path / "h.tif"))
    assert canvas.size == (fit.width, fit.height)
    composed.alpha_composite(canvas, (fit.x, fit.y))
    difference = np.abs(np.asarray(composed.convert("RGB"), dtype=float) - whole)
    # Registered: the same picture but for resampling at the hero's edge.
    assert difference.mean() < 0.3
    assert np.percentile(difference, 99.9) < 40


# --- one real render ---------------------------------------------------------------------

W, H = 320, 180
BAR_X = 100  # a black bar in the background, 4 px wide
HERO_AT, HERO_SIZE = (150, 70), 40  # a red square, the hero


def _red_mask(frame: np.ndarray) -> np.ndarray:
    r, g, b = frame[..., 0].astype(int), frame[..., 1].astype(int), frame[..., 2].astype(int)
    return (r > 160) & (g < 90) & (b < 90)


def _bar_x(frame: np.ndarray) -> float:
    # The background's black bar, on a row the hero never reaches.
    row = frame[20].astype(int).sum(axis=1)
    return float(np.flatnonzero(row < 120).mean())


def _frames(master: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(master), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, H, W, 3)


def test_a_real_render_moves_the_hero_against_its_background_and_brings_it_in(tmp_path: Path) -> None:
    scenes = []
    for i in range(2):
        background = Image.new("RGB", (W, H), (128, 128, 128))
        ImageDraw.Draw(background).rectangle([BAR_X, 0, BAR_X + 3, H], fill=(0, 0, 0))
        hero = Image.new("RGBA", (HERO_SIZE, HERO_SIZE), (220, 30, 30, 255))
        picture = background.copy()
        picture.paste(hero, HERO_AT, hero)
        for name, image in (("background", background), ("hero", hero), ("picture", picture)):
            image.save(tmp_path / f"{name}_{i}.png")
        scenes.append(
            SceneSpec(
                picture=str(tmp_path / f"picture_{i}.png"),
                duration_ms=1500,
                narration=None,
                narration_ms=0,
                caption_text="",
                layers=SceneLayers(
                    str(tmp_path / f"background_{i}.png"),
                    str(tmp_path / f"hero_{i}.png"),
                    *HERO_AT,
                    HERO_SIZE,
                    HERO_SIZE,
                    W,
                    H,
                ),
            )
        )
    spec = StoryboardSpec(scenes=tuple(scenes), width=W, height=H, fps=30, transition="cut", transition_ms=0)
    timeline = plan(spec)
    assert len(group_pieces(timeline, 10_000)) == 1
    out = render_master(spec, tmp_path / "out", timeout_s=120)
    assert out.info.video is not None and (out.info.video.width, out.info.video.height) == (W, H)
    frames = _frames(out.master_path)
    assert len(frames) == timeline.total_frames == 90
    start = timeline.scene_start_frames[1]

    # The opening scene shows its hero from its first frame (the poster), registered at
    # its middle: where the picture has it relative to the bar, times the fit's scale.
    still_w, still_h = builder.scene_still_size(spec, timeline, 0)
    scale = max(still_w / W, still_h / H)
    middle = frames[22]
    assert _red_mask(frames[0]).sum() > 0.8 * (HERO_SIZE * scale) ** 2
    hero_x = float(np.flatnonzero(_red_mask(middle).any(axis=0)).mean())
    picture_gap = (HERO_AT[0] + HERO_SIZE / 2) - (BAR_X + 2)
    assert hero_x - _bar_x(middle) == pytest.approx(picture_gap * scale, abs=2.5)

    # Scene 2: no hero at its very first frame; there once it has come in.
    assert _red_mask(frames[start]).sum() == 0
    early, late = frames[start + 20], frames[start + 40]
    assert _red_mask(early).sum() > 0.8 * (HERO_SIZE * scale) ** 2
    # It moves the same way as the background (a back pan: to the right), twice as far.
    bar_moved = _bar_x(late) - _bar_x(early)
    hero_moved = float(
        np.flatnonzero(_red_mask(late).any(axis=0)).mean() - np.flatnonzero(_red_mask(early).any(axis=0)).mean()
    )
    assert bar_moved == pytest.approx(20, abs=1)
    assert hero_moved == pytest.approx(40, abs=1)
