"""Cues from phrase timings: planned, written to VTT, burned in, and heard, all at the same times."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from mediakit import builder
from mediakit.caption_images import render_phrase_pngs
from mediakit.captions import _timestamp, split_cue, to_vtt
from mediakit.phrases import caption_phrases, wrap_caption
from mediakit.render import render_master
from mediakit.runner import run_ffmpeg
from mediakit.spec import SceneSpec, StoryboardSpec, scene_duration_for
from mediakit.speech import synthesize_narration
from mediakit.timeline import Cue, plan

PHRASES = (("First words,", 0, 800), ("then more words.", 1020, 2100), ("The end.", 2550, 3000))


def _scene(**changes) -> SceneSpec:
    fields = dict(
        picture="p.png",
        duration_ms=4000,
        narration="n.wav",
        narration_ms=3000,
        caption_text="First words, then more words. The end.",
        phrases=PHRASES,
    )
    fields.update(changes)
    return SceneSpec(**fields)


def _spec(*scenes: SceneSpec, **changes) -> StoryboardSpec:
    return StoryboardSpec(scenes=scenes, width=320, height=180, fps=30, **changes)


def test_each_phrase_is_a_cue_at_its_own_time_after_the_narration_lead() -> None:
    timeline = plan(_spec(_scene(), _scene()))
    first, second = timeline.narration_start_ms
    assert timeline.cues[:3] == tuple(
        Cue(start_ms=first + s, end_ms=first + e, text=t, scene=0, phrase=i) for i, (t, s, e) in enumerate(PHRASES)
    )
    assert [c.start_ms - second for c in timeline.cues[3:]] == [0, 1020, 2550]
    assert all(c.scene == 1 for c in timeline.cues[3:])


def test_scenes_without_phrases_keep_one_cue_for_the_narration() -> None:
    timeline = plan(_spec(_scene(phrases=())))
    assert timeline.cues == (Cue(start_ms=250, end_ms=3250, text="First words, then more words. The end.", scene=0),)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phrases": (("a", 0, 500), ("b", 400, 900))}, "increasing"),
        ({"phrases": (("a", 0, 3500),)}, "after the narration"),
        ({"phrase_pngs": ("one.png",)}, "1 phrase images for 3 phrases"),
        ({"narration": None, "narration_ms": 0}, "without narration"),
    ],
)
def test_bad_phrase_timings_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _scene(**changes)


def test_a_phrase_cue_is_written_on_its_balanced_lines_and_never_split() -> None:
    text = "The lighthouse keeper climbed the stairs every evening,"
    cue = Cue(start_ms=0, end_ms=2000, text=text, phrase=0)
    assert split_cue(cue) == [(0, 2000, wrap_caption(text))]
    assert to_vtt([cue]).splitlines()[3:5] == wrap_caption(text)


def test_every_phrase_image_is_overlaid_during_its_cue() -> None:
    spec = _spec(_scene(phrase_pngs=("a.png", "b.png", "c.png")))
    timeline = plan(spec)
    argv = builder.piece_argv(spec, timeline, timeline.pieces[0], "out.mp4")
    graph = argv[argv.index("-filter_complex") + 1]
    windows = re.findall(r"enable=between\\?\(t\\?,([\d.]+)\\?,([\d.]+)\\?\)", graph)
    assert [(float(a), float(b)) for a, b in windows] == [((c.start_ms) / 1000, c.end_ms / 1000) for c in timeline.cues]
    for image in ("a.png", "b.png", "c.png"):
        assert image in argv
    # Title-safe: a tenth of the frame height above the bottom edge.
    assert f"H-h-{round(180 * 0.10)}" in graph


def _silences(path: Path) -> list[tuple[float, float]]:
    report = run_ffmpeg(
        ["ffmpeg", "-i", str(path), "-af", "silencedetect=n=-40dB:d=0.1", "-f", "null", "-"],
        total_ms=None,
        timeout_s=60,
    ).stderr_tail
    starts = [float(v) * 1000 for v in re.findall(r"silence_start: (-?[\d.]+)", report)]
    ends = [float(v) * 1000 for v in re.findall(r"silence_end: ([\d.]+)", report)]
    return list(zip(starts, ends, strict=False))


def test_a_render_shows_hears_and_writes_each_phrase_at_the_same_time(tmp_path: Path) -> None:
    text = "The keeper climbed the stairs, and the light came on. Ships passed safely."
    phrases = caption_phrases(text, max_chars=30, line_chars=30)
    assert len(phrases) == 3
    narration = synthesize_narration(phrases=phrases, voice="en-us", rate_wpm=200, out_dir=tmp_path)
    pngs = render_phrase_pngs(phrases, width=320, height=180, style="classic", out_dir=tmp_path)
    Image.new("RGB", (320, 180), (20, 20, 60)).save(tmp_path / "dark.png")
    scene = SceneSpec(
        picture=str(tmp_path / "dark.png"),
        duration_ms=scene_duration_for(narration.duration_ms, transition_ms=0),
        narration=str(narration.wav_path),
        narration_ms=narration.duration_ms,
        caption_text=text,
        phrases=narration.phrases,
        phrase_pngs=pngs,
    )
    spec = StoryboardSpec(scenes=(scene,), width=320, height=180, fps=30, transition="cut", captions=True)
    out = render_master(spec, tmp_path / "out", timeout_s=300)
    lead = plan(spec).narration_start_ms[0]

    # The subtitle file: one cue per phrase, at the phrase's times.
    cues = re.findall(r"^(\S+) --> (\S+)$", out.vtt_text, re.MULTILINE)
    assert cues == [(_timestamp(lead + s, "."), _timestamp(lead + e, ".")) for _, s, e in narration.phrases]

    # Heard: every onset of speech after a pause is within 150 ms of a cue start, and no cue
    # starts inside a pause.
    silences = [(s, e) for s, e in _silences(out.master_path) if e - s >= 100]
    onsets = [e for _, e in silences]
    starts = [lead + s for _, s, _ in narration.phrases]
    assert len([o for o in onsets if o > lead + 50]) >= 2  # the two pauses between the three phrases
    for onset in onsets:
        if onset < out.info.duration_ms - 50:
            assert min(abs(onset - s) for s in starts) <= 150, (onset, starts)
    for start in starts:
        assert not any(s + 60 < start < e - 60 for s, e in silences), start

    # Seen: the caption is on screen in the middle of each cue and gone in the pauses.
    def bright_bottom(ms: int) -> int:
        frame = tmp_path / f"f{ms}.png"
        run_ffmpeg(
            ["ffmpeg", "-y", "-ss", f"{ms / 1000:.3f}", "-i", str(out.master_path), "-frames:v", "1", str(frame)],
            total_ms=None,
            timeout_s=30,
        )
        return max(Image.open(frame).convert("L").crop((0, 90, 320, 180)).get_flattened_data())

    for (_, s, e), (_, next_s, _) in zip(narration.phrases, narration.phrases[1:], strict=False):
        assert bright_bottom(lead + (s + e) // 2) > 200
        assert bright_bottom(lead + (e + next_s) // 2) < 100
