"""Burned-in captions in Japanese, Arabic and accented Latin, seen in the rendered frames:
inside the title-safe area (the inner 90 % of the frame) in landscape and portrait."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

from mediakit.caption_images import render_phrase_pngs
from mediakit.render import render_master
from mediakit.runner import run_ffmpeg
from mediakit.spec import SceneSpec, StoryboardSpec
from mediakit.timeline import plan

PHRASES = (
    ("Die Brücke über den Fluß ist größer, déjà à Noël.", 0, 1400),
    ("こんにちは、灯台へようこそ。東京は日本の首都です。", 1600, 3000),
    ("مرحبا بكم في المنارة الجميلة!", 3200, 4600),
)
BACKGROUND = (30, 40, 90)


@pytest.mark.parametrize(("width", "height"), [(640, 360), (360, 640)])
def test_every_caption_frame_keeps_its_ink_in_the_title_safe_area(tmp_path: Path, width: int, height: int) -> None:
    picture = tmp_path / "plain.png"
    Image.new("RGB", (width, height), BACKGROUND).save(picture)
    narration = tmp_path / "n.wav"
    run_ffmpeg(
        ["ffmpeg", "-y", "-f", "lavfi", "-i", "sine=f=220:d=4.8:r=48000", str(narration)], total_ms=None, timeout_s=60
    )
    pngs = render_phrase_pngs(
        [p[0] for p in PHRASES], width=width, height=height, style="classic", out_dir=tmp_path, prefix="c"
    )
    scene = SceneSpec(
        picture=str(picture),
        duration_ms=5600,
        narration=str(narration),
        narration_ms=4800,
        caption_text=" ".join(p[0] for p in PHRASES),
        phrases=PHRASES,
        phrase_pngs=tuple(pngs),
    )
    spec = StoryboardSpec(scenes=(scene,), width=width, height=height, fps=30, transition="cut", captions=True)
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    for cue in plan(spec).cues:
        frame = tmp_path / f"frame-{cue.phrase}.png"
        at = (cue.start_ms + cue.end_ms) / 2000
        run_ffmpeg(
            ["ffmpeg", "-y", "-ss", f"{at:.3f}", "-i", str(out.master_path), "-frames:v", "1", str(frame)],
            total_ms=None,
            timeout_s=60,
        )
        image = Image.open(frame).convert("RGB")
        ink = ImageChops.difference(image, Image.new("RGB", image.size, BACKGROUND)).convert("L")
        box = ink.point(lambda v: 255 if v > 60 else 0).getbbox()
        assert box is not None, f"no caption in the frame of {cue.text!r}"
        left, top, right, bottom = box
        assert left >= 0.05 * width and right <= 0.95 * width, (cue.text, box)
        assert top >= 0.05 * height and bottom <= 0.95 * height, (cue.text, box)
        # The ink is a caption of some size, not a sliver.
        assert bottom - top >= 0.03 * height, (cue.text, box)
