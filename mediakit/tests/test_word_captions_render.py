"""The "words" caption style in a rendered 9:16 video: the word being said is highlighted
from the frame nearest its start, the caption stays clear of the apps' buttons (bottom 20 %,
right 12 %), and its letters keep one size from page to page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from mediakit.caption_images import caption_band_top, render_caption_frames
from mediakit.render import render_master
from mediakit.runner import run_ffmpeg
from mediakit.spec import SceneSpec, StoryboardSpec
from mediakit.timeline import plan

W, H, FPS = 360, 640, 30
BACKGROUND = (30, 40, 90)
# A long phrase (two pages at this size) and a short one; word starts as a voice gave them.
PHRASES = (
    ("On March 3, 2024, the city paid $4.2 million for a bridge.", 0, 2600),
    ("Shoppers got 20% off.", 2900, 3900),
)
WORDS = (
    (
        ("On", 0),
        ("March", 150),
        ("3,", 500),
        ("2024,", 800),
        ("the", 1250),
        ("city", 1400),
        ("paid", 1650),
        ("$4.2", 1900),
        ("million", 2150),
        ("for", 2300),
        ("a", 2400),
        ("bridge.", 2450),
    ),
    (("Shoppers", 2900), ("got", 3300), ("20%", 3450), ("off.", 3700)),
)


def _frames(path: Path) -> np.ndarray:
    raw = path.with_suffix(".rgb")
    run_ffmpeg(
        ["ffmpeg", "-y", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", str(raw)],
        total_ms=None,
        timeout_s=60,
    )
    return np.fromfile(raw, np.uint8).reshape(-1, H, W, 3)


def _highlight(frame: np.ndarray) -> tuple[int, int] | None:
    """(left, top) of the highlighted word's yellow ink, None without one."""
    yellow = (frame[:, :, 0] > 190) & (frame[:, :, 1] > 160) & (frame[:, :, 2] < 100)
    ys, xs = np.nonzero(yellow)
    return (int(xs.min()), int(ys.min())) if len(xs) > 10 else None


def _moved(before: tuple[int, int] | None, after: tuple[int, int] | None) -> bool:
    """The highlight is on another word (more than coding noise of a pixel or two)."""
    if after is None:
        return False
    return before is None or abs(after[0] - before[0]) > 3 or abs(after[1] - before[1]) > 3


def test_words_are_highlighted_on_time_inside_the_portrait_safe_area(tmp_path: Path) -> None:
    picture = tmp_path / "plain.png"
    Image.new("RGB", (W, H), BACKGROUND).save(picture)
    narration = tmp_path / "n.wav"
    run_ffmpeg(
        ["ffmpeg", "-y", "-f", "lavfi", "-i", "sine=f=220:d=4:r=48000", str(narration)], total_ms=None, timeout_s=60
    )
    frames_of = tuple(
        render_caption_frames(
            text,
            WORDS[i],
            start_ms=start,
            end_ms=end,
            width=W,
            height=H,
            style="words",
            out_dir=tmp_path,
            prefix=f"c{i}",
        )
        for i, (text, start, end) in enumerate(PHRASES)
    )
    assert len(frames_of[0]) == len(WORDS[0]) and len(frames_of[1]) == len(WORDS[1])
    scene = SceneSpec(
        picture=str(picture),
        duration_ms=4200,
        narration=str(narration),
        narration_ms=4000,
        caption_text=" ".join(p[0] for p in PHRASES),
        phrases=PHRASES,
        phrase_words=WORDS,
        caption_frames=frames_of,
    )
    spec = StoryboardSpec(scenes=(scene,), width=W, height=H, fps=FPS, transition="cut", captions=True)
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    video = _frames(out.master_path)
    lead = plan(spec).cues[0].start_ms  # where the narration starts on the video
    marks = [_highlight(frame) for frame in video]

    # Every word after the first of its phrase: the highlight moves on the frame nearest its start.
    changes = [i for i in range(1, len(marks)) if _moved(marks[i - 1], marks[i])]
    starts = [lead + at for words in WORDS for _word, at in words]
    assert len(changes) == len(starts), (changes, starts)
    for frame_number, start in zip(changes, starts, strict=True):
        assert abs(frame_number * 1000 / FPS - start) <= 1000 / FPS / 2 + 1

    # Ink only above 80 % of the height and left of 88 % of the width.
    ink = np.zeros((H, W), bool)
    for frame_number in changes:
        frame = video[frame_number].astype(np.int16)
        ink |= np.abs(frame - np.array(BACKGROUND)).sum(axis=2) > 60
    ys, xs = np.nonzero(ink)
    assert (ys.max() + 1) / H <= 0.80 and (xs.max() + 1) / W <= 0.88, (xs.min(), ys.min(), xs.max(), ys.max())
    assert xs.min() / W >= 0.12
    # Pictures keep their text above caption_band_top: the captions do stay below it.
    assert ys.min() / H >= caption_band_top(W, H) >= 0.6
    # One letter size: every caption image is one of two heights (one line or two).
    heights = {Image.open(image).height for frames in frames_of for image, _at in frames}
    assert len(heights) <= 2, heights
