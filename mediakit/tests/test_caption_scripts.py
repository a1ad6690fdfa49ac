"""Captions in any script: per-glyph font fallback, right-to-left order, emoji, long words."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from mediakit import caption_images, config
from mediakit.caption_images import (
    _faces,
    _runs,
    has_glyph,
    min_font_size,
    render_caption_png,
    render_phrase_pngs,
)

SCRIPTS = {
    "japanese": "東京は日本の首都です。",
    "chinese": "中国是世界上人口最多的国家之一",
    "korean": "안녕하세요 세계",
    "arabic": "مرحبا بكم في برنامجنا",
    "hebrew": "שלום עולם",
    "hindi": "नमस्ते दुनिया",
    "thai": "สวัสดีครับ",
    "french": "Où est la bibliothèque ? À côté, déjà.",
    "russian": "Ёжик в тумане",
    "emoji": "🎉🎂👍🏽",
}


def _ink(path: Path) -> Image.Image:
    return Image.open(path).getchannel("A")


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_character_is_drawn_by_a_font_that_has_it(name: str) -> None:
    text = SCRIPTS[name]
    faces = _faces("ja" if name == "japanese" else "zh" if name == "chinese" else "en")
    for run in _runs(text, faces):
        assert run.face is not None
        for ch in run.text:
            if ch.isspace() or ch in "\u200d\ufe0f" or 0x1F3FB <= ord(ch) <= 0x1F3FF:
                continue
            if not ch.isalnum() and not 0x1F000 <= ord(ch):
                continue  # combining marks are shaped with their letter
            assert has_glyph(run.face, ch), (name, ch, run.face.path)


@pytest.mark.parametrize("name", ["japanese", "chinese", "arabic", "hebrew", "emoji"])
def test_a_caption_in_another_script_is_ink_not_notdef_boxes(name: str, tmp_path: Path) -> None:
    text = SCRIPTS[name]
    out = tmp_path / f"{name}.png"
    render_caption_png(text, width=1280, height=720, style="classic", out_path=out)
    image = Image.open(out)
    alpha = image.getchannel("A")
    assert alpha.getbbox() is not None
    # The same caption with every character replaced by one no font has: .notdef boxes,
    # drawn by the same renderer. Tofu would look just like it.
    boxes_path = tmp_path / "boxes.png"
    boxes_text = "".join(ch if ch.isspace() else "\U0010ffff" for ch in text)
    render_caption_png(boxes_text, width=1280, height=720, style="classic", out_path=boxes_path)
    boxes = _ink(boxes_path)
    drawn = alpha.resize(boxes.size)
    changed = sum(1 for v in ImageChops.difference(drawn, boxes).get_flattened_data() if v > 64)
    assert changed / (boxes.width * boxes.height) > 0.2, f"{name} looks like .notdef boxes"


def test_emoji_are_drawn_in_colour(tmp_path: Path) -> None:
    out = tmp_path / "emoji.png"
    render_caption_png("Party 🎉", width=1280, height=720, style="classic", out_path=out)
    image = Image.open(out).convert("RGBA")
    coloured = [px for px in image.get_flattened_data() if px[3] > 200 and max(px[:3]) - min(px[:3]) > 80]
    assert len(coloured) > 50  # the white text with its black outline has no saturated pixels


def test_arabic_is_shaped_joined_letters_are_narrower_than_isolated_ones() -> None:
    faces = _faces("ar")
    (run,) = _runs("مرحبا", faces)
    font = ImageFont.truetype(run.face.path, 40, layout_engine=ImageFont.Layout.RAQM)
    joined = font.getlength("مرحبا", direction="rtl")
    isolated = sum(font.getlength(ch, direction="rtl") for ch in "مرحبا")
    assert run.rtl
    assert joined < isolated


def test_mixed_arabic_and_english_runs_are_in_visual_order() -> None:
    faces = _faces("en")
    # Left-to-right paragraph: "Done!" on the left, the Arabic words on the right, in RTL order.
    runs = _runs("Done! تم الانتهاء", faces)
    assert runs[0].text.startswith("Done!") and not runs[0].rtl
    assert runs[-1].rtl and "تم" in runs[-1].text
    # Right-to-left paragraph: the first Arabic word is the rightmost; "Done" sits to its left.
    runs = _runs("تم الانتهاء Done!", faces)
    assert runs[-1].rtl and runs[-1].text.startswith("تم")
    assert any(r.text.strip().startswith("Done") and not r.rtl for r in runs[:-1])
    # Numbers inside Arabic keep their digits left to right.
    runs = _runs("العدد 2024 هنا", faces)
    assert [r.text for r in runs if "2024" in r.text] == ["2024"]
    assert runs[-1].text.startswith("العدد")


def test_a_right_to_left_caption_draws_its_first_word_on_the_right(tmp_path: Path) -> None:
    # Hebrew reads right to left: the image of "שלום עולם" ends (on the right) with "שלום".
    whole, first = tmp_path / "whole.png", tmp_path / "first.png"
    render_caption_png("שלום עולם", width=1280, height=720, style="classic", out_path=whole)
    render_caption_png("שלום", width=1280, height=720, style="classic", out_path=first)
    a, b = _ink(whole), _ink(first)
    right = a.crop((a.width - b.width, 0, a.width, a.height))
    left = a.crop((0, 0, b.width, a.height))
    target = b.crop((0, 0, b.width, a.height))

    def diff(x: Image.Image) -> int:
        return sum(ImageChops.difference(x, target).get_flattened_data())

    assert diff(right) < diff(left) / 2


def test_a_huge_word_is_broken_at_the_floor_size_into_two_lines(tmp_path: Path) -> None:
    out = tmp_path / "long.png"
    width, height = render_caption_png("x" * 300, width=854, height=480, style="classic", out_path=out)
    floor = min_font_size(854, 480)
    assert width <= 854
    # Two lines of at least the floor size (the old renderer shrank it to a few pixels).
    assert height >= 2 * floor
    rows = [any(_ink(out).crop((0, y, width, y + 1)).get_flattened_data()) for y in range(height)]
    bands = sum(1 for i in range(1, len(rows)) if rows[i] and not rows[i - 1]) + rows[0]
    assert bands == 2


def test_explicit_lines_are_kept_and_phrase_pngs_follow_the_cue_lines(tmp_path: Path) -> None:
    paths = render_phrase_pngs(
        ["The lighthouse keeper climbed the stairs every evening,", "and the light came on."],
        width=1280,
        height=720,
        style="classic",
        out_dir=tmp_path,
    )
    assert len(paths) == 2
    two, one = Image.open(paths[0]), Image.open(paths[1])
    # wrap_caption splits the first phrase into two balanced lines, as its subtitle cue does.
    assert two.height > 1.8 * one.height
    assert two.width < 1280 * 0.6


def test_portrait_frames_keep_the_size_floor(tmp_path: Path) -> None:
    text = "The lighthouse keeper climbed the stairs every\nevening, counting each step he took"
    _, height = render_caption_png(text, width=480, height=854, style="classic", out_path=tmp_path / "p.png")
    assert height >= 2 * min_font_size(480, 854)


def test_missing_fallback_fonts_are_skipped(tmp_path: Path) -> None:
    before = config.current()
    try:
        config.configure(fallback_fonts=("/nonexistent/font.ttf", *before.fallback_fonts))
        render_caption_png("東京", width=640, height=360, style="classic", out_path=tmp_path / "x.png")
    finally:
        config.configure(fallback_fonts=before.fallback_fonts)
    assert caption_images._faces("ja")[0].path == before.caption_font
