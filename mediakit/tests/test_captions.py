"""WebVTT and SubRip text from caption cues, and the burned-in caption images."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from mediakit.caption_images import CAPTION_STYLES, render_caption_png
from mediakit.captions import split_cue, to_srt, to_vtt, wrap_words
from mediakit.timeline import Cue

CUES = [
    Cue(start_ms=250, end_ms=2100, text="Hello world", scene=0),
    Cue(start_ms=3_725_007, end_ms=3_726_500, text="An hour in", scene=1),
]


def test_vtt_has_a_header_and_dot_millisecond_timestamps() -> None:
    assert to_vtt(CUES) == (
        "WEBVTT\n\n00:00:00.250 --> 00:00:02.100\nHello world\n\n01:02:05.007 --> 01:02:06.500\nAn hour in\n"
    )


def test_srt_is_numbered_with_comma_millisecond_timestamps() -> None:
    assert to_srt(CUES) == (
        "1\n00:00:00,250 --> 00:00:02,100\nHello world\n\n2\n01:02:05,007 --> 01:02:06,500\nAn hour in\n"
    )


def test_long_text_wraps_to_two_lines_of_at_most_42_characters() -> None:
    cue = Cue(start_ms=0, end_ms=4000, text="The quick brown fox jumps over the lazy dog and runs far away")
    assert to_srt([cue]) == (
        "1\n00:00:00,000 --> 00:00:04,000\nThe quick brown fox jumps over the lazy\ndog and runs far away\n"
    )


def test_text_longer_than_two_lines_becomes_consecutive_cues_sharing_the_time() -> None:
    words = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    cue = Cue(start_ms=1000, end_ms=9000, text=f"{words} {words}")
    parts = split_cue(cue)
    assert len(parts) == 3
    assert parts[0][0] == 1000
    assert parts[-1][1] == 9000
    for before, after in zip(parts, parts[1:], strict=False):
        assert before[1] == after[0]  # back to back, no gap, no overlap
    # Time is shared by characters: the short last part gets the shortest slot.
    assert parts[2][1] - parts[2][0] < parts[0][1] - parts[0][0]
    for _, _, lines in parts:
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= 42 for line in lines)
    assert " ".join(line for _, _, lines in parts for line in lines) == f"{words} {words}"
    vtt = to_vtt([cue])
    assert vtt.count(" --> ") == 3


def test_a_word_longer_than_a_line_is_broken() -> None:
    assert wrap_words("x" * 50) == ["x" * 42, "x" * 8]


def test_vtt_escapes_markup_and_arrows() -> None:
    vtt = to_vtt([Cue(start_ms=0, end_ms=1000, text="a < b & c --> d")])
    assert "a &lt; b &amp; c --&gt; d" in vtt
    assert vtt.count("-->") == 1


def test_no_cues_is_a_valid_empty_file() -> None:
    assert to_vtt([]) == "WEBVTT\n"
    assert to_srt([]) == ""


# --- burned-in caption images ------------------------------------------------


@pytest.mark.parametrize("style", CAPTION_STYLES)
def test_caption_png_fits_the_frame_and_clips_no_descenders(style: str, tmp_path: Path) -> None:
    out = tmp_path / "caption.png"
    size = render_caption_png("Quickly jumping gypsy frogs, gjpqy", width=1280, height=720, style=style, out_path=out)
    image = Image.open(out)
    assert image.mode == "RGBA"
    assert image.size == size
    assert size[0] <= 1280
    alpha = image.getchannel("A")
    left, top, right, bottom = alpha.getbbox()
    if style == "boxed":
        assert alpha.getpixel((size[0] // 2, 1)) > 0  # the box fills the image
    else:
        # Ink never touches the edges: nothing (descenders, outline) was cut off.
        assert left > 0 and top > 0 and right < size[0] and bottom < size[1]
    assert size[0] < 1280 * 0.9  # one line, centred by the overlay


def test_caption_height_is_the_fonts_line_so_descenders_fit_and_cues_share_a_baseline(tmp_path: Path) -> None:
    flat = tmp_path / "flat.png"
    deep = tmp_path / "deep.png"
    render_caption_png("HHHH", width=1280, height=720, style="classic", out_path=flat)
    render_caption_png("gggg", width=1280, height=720, style="classic", out_path=deep)
    flat_image, deep_image = Image.open(flat), Image.open(deep)
    # Changed with phrase cues: the line box is the font's ascent + descent, not the ink, so
    # consecutive cues placed bottom-centre keep one baseline (the text no longer jumps up
    # when a phrase has a descender). The g's still end in clear pixels.
    assert deep_image.size[1] == flat_image.size[1]
    assert flat_image.getchannel("A").getbbox()[3] < deep_image.getchannel("A").getbbox()[3]
    ink = deep_image.getchannel("A").getbbox()
    assert ink[3] < deep_image.size[1]
    last_row = deep_image.getchannel("A").crop((0, deep_image.size[1] - 1, deep_image.size[0], deep_image.size[1]))
    assert last_row.getextrema() == (0, 0)


def test_long_captions_wrap_within_the_side_margins(tmp_path: Path) -> None:
    out = tmp_path / "caption.png"
    text = "This sentence is long enough that it must wrap onto a second and maybe a third line on screen"
    width, height = render_caption_png(text, width=854, height=480, style="classic", out_path=out)
    one_line = render_caption_png("This sentence", width=854, height=480, style="classic", out_path=tmp_path / "o.png")
    assert width <= 854 * 0.9
    assert height >= 2 * one_line[1] * 0.9


def test_font_size_follows_the_frame_height(tmp_path: Path) -> None:
    small = render_caption_png("Scale me", width=854, height=480, style="classic", out_path=tmp_path / "a.png")
    large = render_caption_png("Scale me", width=1920, height=1080, style="classic", out_path=tmp_path / "b.png")
    assert 2.0 < large[1] / small[1] < 2.5


def test_bold_captions_are_larger_and_yellow(tmp_path: Path) -> None:
    classic = render_caption_png("Bold", width=1280, height=720, style="classic", out_path=tmp_path / "c.png")
    bold = render_caption_png("Bold", width=1280, height=720, style="bold", out_path=tmp_path / "b.png")
    assert bold[1] > classic[1]
    image = Image.open(tmp_path / "b.png").convert("RGBA")
    colours = {px[:3] for px in image.get_flattened_data() if px[3] == 255}
    assert (255, 214, 0) in colours


def test_a_word_wider_than_the_frame_is_shrunk_not_clipped(tmp_path: Path) -> None:
    out = tmp_path / "caption.png"
    width, _ = render_caption_png(
        "Pneumonoultramicroscopicsilicovolcanoconiosis", width=480, height=854, style="bold", out_path=out
    )
    alpha = Image.open(out).getchannel("A")
    left, _, right, _ = alpha.getbbox()
    assert width <= 480
    assert left > 0 and right < width


def test_unknown_style_and_empty_text_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown caption style"):
        render_caption_png("x", width=640, height=360, style="neon", out_path=tmp_path / "x.png")
    with pytest.raises(ValueError, match="empty"):
        render_caption_png("  ", width=640, height=360, style="classic", out_path=tmp_path / "x.png")
