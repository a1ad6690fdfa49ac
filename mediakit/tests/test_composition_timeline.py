"""Planning a storyboard on the frame grid: pure, no FFmpeg."""

from __future__ import annotations

import pytest

from mediakit.spec import (
    FRAME_SIZES,
    SceneSpec,
    StoryboardSpec,
    frame_size,
    scene_duration_for,
)
from mediakit.timeline import (
    BODY,
    TRANSITION,
    Cue,
    frames_to_ms,
    group_pieces,
    ms_to_frames,
    plan,
)


def _scene(duration_ms: int, *, narration_ms: int = 0, text: str = "words") -> SceneSpec:
    return SceneSpec(
        picture="/in/picture.png",
        duration_ms=duration_ms,
        narration="/in/voice.wav" if narration_ms else None,
        narration_ms=narration_ms,
        caption_text=text,
    )


def _spec(*durations: int, fps: int = 30, transition: str = "fade", **scene_kw: int) -> StoryboardSpec:
    return StoryboardSpec(
        scenes=tuple(_scene(d, **scene_kw) for d in durations),
        width=1280,
        height=720,
        fps=fps,
        transition=transition,
    )


def _assert_pieces_tile_the_timeline(timeline) -> None:
    position = 0
    for index, piece in enumerate(timeline.pieces):
        assert piece.index == index
        assert piece.start_frame == position
        assert piece.frames > 0
        position = piece.end_frame
    assert position == timeline.total_frames


def test_frames_round_half_up() -> None:
    assert ms_to_frames(2333, 25) == 58  # 58.325
    assert ms_to_frames(500, 25) == 13  # 12.5 rounds up, not to even
    assert ms_to_frames(500, 30) == 15
    assert ms_to_frames(1020, 25) == 26  # 25.5
    assert frames_to_ms(1, 30) == 33
    assert frames_to_ms(2, 30) == 67


def test_one_scene_is_one_body_piece_without_transitions() -> None:
    timeline = plan(_spec(2000))
    assert timeline.transition_frames == 0
    assert timeline.total_frames == 60
    assert [p.kind for p in timeline.pieces] == [BODY]
    assert timeline.pieces[0].slices[0].first_frame == 0
    assert timeline.pieces[0].slices[0].frames == 60


def test_two_scenes_overlap_by_the_transition() -> None:
    timeline = plan(_spec(3000, 4000))
    assert timeline.scene_frames == (90, 120)
    assert timeline.transition_frames == 15
    assert timeline.scene_start_frames == (0, 75)
    assert timeline.total_frames == 90 + 120 - 15
    assert timeline.duration_ms == 6500
    assert [(p.kind, p.start_frame, p.frames) for p in timeline.pieces] == [
        (BODY, 0, 75),
        (TRANSITION, 75, 15),
        (BODY, 90, 105),
    ]
    _assert_pieces_tile_the_timeline(timeline)


def test_transition_piece_crossfades_the_tail_of_one_scene_with_the_head_of_the_next() -> None:
    timeline = plan(_spec(3000, 4000))
    outgoing, incoming = timeline.pieces[1].slices
    assert (outgoing.scene, outgoing.first_frame, outgoing.frames) == (0, 75, 15)
    assert (incoming.scene, incoming.first_frame, incoming.frames) == (1, 0, 15)
    # The body of scene 1 resumes where its transition slice stopped.
    assert timeline.pieces[2].slices[0].first_frame == 15


def test_seven_scenes_make_seven_bodies_and_six_transitions() -> None:
    durations = (2000, 2500, 3100, 2333, 4000, 2000, 5000)
    timeline = plan(_spec(*durations))
    frames = [ms_to_frames(d, 30) for d in durations]
    assert timeline.total_frames == sum(frames) - 6 * 15
    assert [p.kind for p in timeline.pieces].count(BODY) == 7
    assert [p.kind for p in timeline.pieces].count(TRANSITION) == 6
    _assert_pieces_tile_the_timeline(timeline)
    # Every frame of every scene is in exactly one piece.
    seen = {i: 0 for i in range(7)}
    for piece in timeline.pieces:
        for part in piece.slices:
            seen[part.scene] += part.frames
    assert [seen[i] for i in range(7)] == frames


def test_odd_durations_at_25_fps() -> None:
    timeline = plan(_spec(2333, 2333, 2333, fps=25))
    assert timeline.scene_frames == (58, 58, 58)
    assert timeline.transition_frames == 13
    assert timeline.total_frames == 3 * 58 - 2 * 13
    assert timeline.duration_ms == 5920
    _assert_pieces_tile_the_timeline(timeline)


def test_cut_has_no_overlap_and_no_transition_pieces() -> None:
    timeline = plan(_spec(2000, 2500, 3000, transition="cut"))
    assert timeline.transition_frames == 0
    assert timeline.total_frames == 60 + 75 + 90
    assert all(p.kind == BODY for p in timeline.pieces)
    assert timeline.scene_start_frames == (0, 60, 135)


def test_narration_starts_after_the_lead_and_cues_follow_the_narration() -> None:
    timeline = plan(_spec(3000, 3000, 3000, narration_ms=1500))
    assert timeline.narration_start_ms == (250, 2750, 5250)
    assert timeline.cues == (
        Cue(start_ms=250, end_ms=1750, text="words", scene=0),
        Cue(start_ms=2750, end_ms=4250, text="words", scene=1),
        Cue(start_ms=5250, end_ms=6750, text="words", scene=2),
    )


def test_a_silent_scene_with_words_shows_them_until_its_outgoing_transition() -> None:
    spec = StoryboardSpec(
        scenes=(_scene(3000, text="Title card"), _scene(3000, narration_ms=1000)),
        width=640,
        height=360,
        fps=30,
    )
    timeline = plan(spec)
    assert timeline.narration_start_ms == (None, 2750)
    assert timeline.cues[0] == Cue(start_ms=250, end_ms=2500, text="Title card", scene=0)


def test_scenes_without_words_have_no_cue() -> None:
    timeline = plan(_spec(3000, 3000, narration_ms=1000, text="   "))
    assert timeline.cues == ()


def test_a_scene_shorter_than_its_transitions_is_refused() -> None:
    with pytest.raises(ValueError, match="scene 1 lasts 20 frames"):
        plan(_spec(3000, 667, 3000))


def test_group_pieces_keeps_order_and_balances_the_groups() -> None:
    timeline = plan(_spec(*([5000] * 12)))  # 1635 frames
    groups = group_pieces(timeline, 450)
    assert [p for group in groups for p in group] == list(timeline.pieces)
    assert len(groups) == 4  # ceil(1635 / 450)
    sizes = [sum(p.frames for p in group) for group in groups]
    longest_piece = max(p.frames for p in timeline.pieces)
    assert all(size <= 450 + longest_piece // 2 for size in sizes)
    assert max(sizes) - min(sizes) <= longest_piece


def test_group_pieces_of_one_frame_each_is_every_piece_alone() -> None:
    timeline = plan(_spec(*([2000] * 4)))
    assert group_pieces(timeline, 1) == tuple((p,) for p in timeline.pieces)
    assert group_pieces(timeline, 10_000) == (timeline.pieces,)


def test_scene_duration_leaves_room_for_lead_tail_and_transition() -> None:
    assert scene_duration_for(3000) == 250 + 3000 + 250 + 500
    assert scene_duration_for(0) == 2000
    assert scene_duration_for(3000, transition_ms=0, lead_ms=100, tail_ms=100, min_ms=0) == 3200


def test_scene_duration_keeps_narration_clear_of_the_next_scene() -> None:
    narrations = [1234, 3999, 2500]
    spec = StoryboardSpec(
        scenes=tuple(_scene(scene_duration_for(n), narration_ms=n) for n in narrations),
        width=640,
        height=360,
        fps=30,
    )
    timeline = plan(spec)
    for i in range(len(narrations) - 1):
        narration_end = timeline.narration_start_ms[i] + narrations[i]
        assert narration_end <= timeline.scene_start_ms(i + 1)
        assert narration_end <= timeline.narration_start_ms[i + 1]


def test_frame_sizes_cover_every_aspect_and_quality() -> None:
    assert frame_size("16:9", "1080p") == (1920, 1080)
    assert frame_size("9:16", "720p") == (720, 1280)
    assert frame_size("1:1", "480p") == (480, 480)
    assert frame_size("16:9", "480p") == (854, 480)
    assert len(FRAME_SIZES) == 9
    assert all(w % 2 == 0 and h % 2 == 0 for w, h in FRAME_SIZES.values())


def test_unknown_frame_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown frame size"):
        frame_size("4:3", "1080p")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"transition": "spin"}, "unknown transition"),
        ({"width": 855}, "even"),
        ({"scenes": ()}, "at least one scene"),
        ({"fps": 0}, "fps"),
    ],
)
def test_invalid_storyboards_are_refused(changes: dict, message: str) -> None:
    base = {"scenes": (_scene(2000),), "width": 854, "height": 480, "fps": 30}
    with pytest.raises(ValueError, match=message):
        StoryboardSpec(**{**base, **changes})
