"""A creator's caption look (font, size, colours, outline or box) and position, drawn and
rendered: in a real 9:16 render the caption's ink is where its position says, in its colour,
and always inside the platforms' safe area."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mediakit.caption_images import (
    CaptionLook,
    caption_y,
    render_caption_frames,
    render_caption_png,
    render_phrase_pngs,
)
from mediakit.render import render_master
from mediakit.runner import run_ffmpeg
from mediakit.spec import SceneSpec, StoryboardSpec

W, H, FPS = 360, 640, 30
BACKGROUND = (30, 40, 90)
RED = (255, 51, 0)
TEXT = "The bridge opened on March 3."


def _rgba(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGBA")).astype(np.int16)


def _near(pixels: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> np.ndarray:
    return np.abs(pixels[..., :3] - np.array(colour)).sum(axis=-1) <= tolerance


def test_the_default_look_draws_what_the_style_drew(tmp_path: Path) -> None:
    render_caption_png(TEXT, width=W, height=H, style="classic", out_path=tmp_path / "a.png")
    render_caption_png(
        TEXT, width=W, height=H, style="classic", out_path=tmp_path / "b.png", caption_look=CaptionLook()
    )
    assert np.array_equal(_rgba(tmp_path / "a.png"), _rgba(tmp_path / "b.png"))


def test_a_text_colour_paints_the_letters(tmp_path: Path) -> None:
    out = tmp_path / "c.png"
    render_caption_png(
        TEXT, width=W, height=H, style="classic", out_path=out, caption_look=CaptionLook(color="#ff3300")
    )
    pixels = _rgba(out)
    opaque = pixels[..., 3] > 250
    assert _near(pixels, RED)[opaque].sum() > 200
    assert _near(pixels, (255, 255, 255))[opaque].sum() == 0  # no white letters left


def test_the_size_scales_the_letters(tmp_path: Path) -> None:
    heights = []
    for percent in (75, 100, 150):
        out = tmp_path / f"s{percent}.png"
        render_caption_png(
            "Hi", width=W, height=H, style="classic", out_path=out, caption_look=CaptionLook(size_percent=percent)
        )
        heights.append(Image.open(out).height)
    assert heights[0] < heights[1] < heights[2]
    assert 1.35 <= heights[2] / heights[1] <= 1.65


def test_a_box_replaces_the_outline_and_an_outline_the_box(tmp_path: Path) -> None:
    boxed, outlined = tmp_path / "boxed.png", tmp_path / "outlined.png"
    render_caption_png(
        TEXT, width=W, height=H, style="classic", out_path=boxed, caption_look=CaptionLook(background="box")
    )
    render_caption_png(
        TEXT, width=W, height=H, style="boxed", out_path=outlined, caption_look=CaptionLook(background="outline")
    )
    box = _rgba(boxed)
    # The box: the image's middle row is semi-opaque dark everywhere between the letters.
    assert (box[box.shape[0] // 2, 5:-5, 3] > 100).all()
    line = _rgba(outlined)
    assert line[line.shape[0] // 2, 0, 3] == 0 and line[0, line.shape[1] // 2, 3] == 0  # no box corner fill
    assert (_near(line, (0, 0, 0), 30) & (line[..., 3] > 250)).sum() > 100  # black outline ink


def test_the_font_is_the_chosen_family(tmp_path: Path) -> None:
    drawn = {}
    for font in ("default", "dejavu_mono", "dejavu_condensed", "dejavu_serif", "noto_sans", "noto_serif"):
        out = tmp_path / f"{font}.png"
        render_caption_png(
            "Mill", width=W, height=H, style="classic", out_path=out, caption_look=CaptionLook(font=font)
        )
        drawn[font] = _rgba(out)
    # A monospaced "i" and "l" are as wide as an "M"; condensed letters are narrower.
    assert drawn["dejavu_condensed"].shape[1] < drawn["default"].shape[1] < drawn["dejavu_mono"].shape[1]
    # Six families, six different drawings.
    prints = {(image.shape, image.tobytes()) for image in drawn.values()}
    assert len(prints) == len(drawn)


def test_the_highlight_colour_marks_the_word_being_said(tmp_path: Path) -> None:
    frames = render_caption_frames(
        "Shoppers got off.",
        (("Shoppers", 0), ("got", 400), ("off.", 800)),
        start_ms=0,
        end_ms=1200,
        width=W,
        height=H,
        style="words",
        out_dir=tmp_path,
        prefix="w",
        caption_look=CaptionLook(highlight_color="#00e5ff"),
    )
    pixels = _rgba(Path(frames[1][0]))
    assert _near(pixels, (0, 229, 255)).sum() > 50
    assert _near(pixels, (255, 214, 0)).sum() == 0  # not the default yellow


@pytest.mark.parametrize(
    "look",
    [
        {"font": "comic_sans"},
        {"size_percent": 74},
        {"size_percent": 151},
        {"color": "red"},
        {"color": "#ff330"},
        {"highlight_color": "#gg0000"},
        {"background": "shadow"},
    ],
)
def test_a_bad_look_is_refused(look: dict) -> None:
    with pytest.raises(ValueError):
        CaptionLook(**look)


def test_positions_keep_each_aspects_safe_area() -> None:
    # 16:9 and 1:1: title-safe, 10 % from the top or bottom edge.
    assert caption_y(1280, 720, 100, "top") == 72
    assert caption_y(1280, 720, 100, "bottom") == 720 - 100 - 72
    assert caption_y(720, 720, 100, "middle") == 310
    # 9:16: the top below the apps' header (12 %), the bottom above their bottom 21 %.
    assert caption_y(1080, 1920, 200, "top") == round(1920 * 0.12)
    assert (caption_y(1080, 1920, 200, "bottom") + 200) / 1920 <= 0.80
    assert (caption_y(1080, 1920, 200, "middle") + 200) / 1920 <= 0.80
    with pytest.raises(ValueError):
        caption_y(1080, 1920, 200, "left")


def _render(tmp_path: Path, position: str, narration: Path) -> np.ndarray:
    picture = tmp_path / "plain.png"
    Image.new("RGB", (W, H), BACKGROUND).save(picture)
    pngs = render_phrase_pngs(
        [TEXT],
        width=W,
        height=H,
        style="classic",
        out_dir=tmp_path,
        prefix=f"cap-{position}",
        caption_look=CaptionLook(color="#ff3300", size_percent=125),
    )
    scene = SceneSpec(
        picture=str(picture),
        duration_ms=1000,
        narration=str(narration),
        narration_ms=900,
        caption_text=TEXT,
        phrases=((TEXT, 0, 900),),
        phrase_pngs=pngs,
    )
    spec = StoryboardSpec(
        scenes=(scene,), width=W, height=H, fps=FPS, transition="cut", captions=True, caption_position=position
    )
    out = render_master(spec, tmp_path / f"out-{position}", timeout_s=300)
    frame = tmp_path / f"{position}.png"
    run_ffmpeg(
        ["ffmpeg", "-y", "-v", "error", "-ss", "0.6", "-i", str(out.master_path), "-frames:v", "1", str(frame)],
        total_ms=None,
        timeout_s=60,
    )
    return np.asarray(Image.open(frame).convert("RGB")).astype(np.int16)


def test_rendered_captions_sit_at_their_position_in_their_colour(tmp_path: Path) -> None:
    narration = tmp_path / "n.wav"
    run_ffmpeg(
        ["ffmpeg", "-y", "-f", "lavfi", "-i", "sine=f=220:d=1:r=48000", str(narration)], total_ms=None, timeout_s=60
    )
    boxes = {}
    for position in ("top", "middle", "bottom"):
        frame = _render(tmp_path, position, narration)
        red = _near(frame, RED, 90)
        ys, xs = np.nonzero(red)
        assert len(ys) > 300, position  # the letters are drawn in the chosen colour
        ink = np.abs(frame - np.array(BACKGROUND)).sum(axis=2) > 60
        iys, ixs = np.nonzero(ink)
        boxes[position] = (ixs.min() / W, iys.min() / H, (ixs.max() + 1) / W, (iys.max() + 1) / H)
        # Every position: clear of the apps' bottom 20 % and right 12 % (and the left 12 %).
        left, top, right, bottom = boxes[position]
        assert bottom <= 0.80 and right <= 0.88 and left >= 0.12, (position, boxes[position])
    assert 0.11 <= boxes["top"][1] <= 0.14 and boxes["top"][3] <= 0.35, boxes
    middle = (boxes["middle"][1] + boxes["middle"][3]) / 2
    assert abs(middle - 0.5) <= 0.02, boxes
    assert 0.60 <= boxes["bottom"][1] and 0.76 <= boxes["bottom"][3] <= 0.80, boxes
