"""The pure builder with clip scenes: a scene's clip is read from where each slice
starts (looping), fitted to the frame at the video's frame rate, cut to the slice's
frames, with no zoompan; its sound is dropped or mixed in under the voice."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

import pytest

from mediakit import audio_mix, builder
from mediakit.spec import SceneSpec, StoryboardSpec
from mediakit.timeline import BODY, TRANSITION, SceneSlice, plan

CLIP = "/in/clip.mp4"


def storyboard(
    *, clip_scene: int = 1, clip_ms: int = 800, clip_audio: str = "drop", music: bool = False
) -> StoryboardSpec:
    scenes = []
    for i in range(3):
        scene = SceneSpec(
            picture=f"/in/scene_{i}.png",
            duration_ms=2000,
            narration=f"/in/voice_{i}.wav",
            narration_ms=1000,
            caption_text=f"Words of scene {i}",
        )
        if i == clip_scene:
            scene = replace(scene, clip=CLIP, clip_ms=clip_ms, clip_audio=clip_audio)
        scenes.append(scene)
    return StoryboardSpec(
        scenes=tuple(scenes),
        width=640,
        height=360,
        fps=24,
        transition="fade",
        transition_ms=500,
        music="/in/music.mp3" if music else None,
        captions=False,
    )


def _inputs(argv: list[str]) -> list[tuple[str, list[str]]]:
    """Each -i path with the input options just before it."""
    found, options = [], []
    args = iter(argv[1:])
    for arg in args:
        if arg == "-i":
            found.append((next(args), options))
            options = []
        elif arg.startswith("-") and arg not in ("-y",):
            options.append(arg)
            value = next(args)
            options.append(value)
            if arg == "-filter_complex":
                break
    return found


def _graph(argv: list[str]) -> str:
    return argv[argv.index("-filter_complex") + 1]


def _chains(argv: list[str]) -> str:
    """The filter graph with the link labels between consecutive filters written " -> "."""
    return re.sub(r"\[s\d+\];\[s\d+\]", " -> ", _graph(argv))


def _piece(spec: StoryboardSpec, kind: str, scene: int):
    timeline = plan(spec)
    for piece in timeline.pieces:
        if piece.kind == kind and piece.slices[-1].scene == scene:
            return timeline, piece
    raise AssertionError("no such piece")


def test_a_clip_scene_reads_its_clip_looped_fitted_and_cut_to_the_slice_with_no_zoompan():
    spec = storyboard()
    timeline, body = _piece(spec, BODY, 1)  # frames 12..36 of scene 1 (after its incoming fade)

    argv = builder.piece_argv(spec, timeline, body, "/out/piece.mp4")

    assert _inputs(argv) == [(CLIP, ["-ss", "0.500000", "-stream_loop", "-1"])]
    graph = _chains(argv)
    assert (
        "[0:v]fps=24 -> scale=640:360:force_original_aspect_ratio=increase:out_color_matrix=bt709:out_range=tv"
        " -> crop=640:360 -> setsar=1"
        " -> format=yuv420p -> trim=end_frame=24 -> setpts=N/(24*TB)"
    ) in graph
    assert "zoompan" not in graph
    assert "/in/scene_1.png" not in argv  # the picture is not read when the clip is shown


def test_where_a_slice_starts_in_its_clip_wraps_round_the_clips_length():
    assert builder.clip_start(SceneSlice(scene=0, first_frame=24, frames=12), 24, 800) == Fraction(1, 5)
    assert builder.clip_start(SceneSlice(scene=0, first_frame=36, frames=12), 24, 800) == Fraction(7, 10)
    assert builder.clip_start(SceneSlice(scene=0, first_frame=0, frames=12), 24, 800) == 0

    spec = storyboard(clip_ms=800)
    timeline, outgoing = _piece(spec, TRANSITION, 2)  # scene 1's last 12 frames (36..48) fade into scene 2
    argv = builder.piece_argv(spec, timeline, outgoing, "/out/piece.mp4")
    assert (CLIP, ["-ss", "0.700000", "-stream_loop", "-1"]) in _inputs(argv)


def test_a_transition_into_a_clip_scene_fades_a_panning_still_into_the_clip():
    spec = storyboard()
    timeline, incoming = _piece(spec, TRANSITION, 1)  # scene 0's end into scene 1's first 12 frames

    argv = builder.piece_argv(spec, timeline, incoming, "/out/piece.mp4")

    inputs = _inputs(argv)
    assert inputs[0][0] == "/in/scene_0.png"
    assert inputs[1] == (CLIP, ["-ss", "0.000000", "-stream_loop", "-1"])
    graph = _graph(argv)
    assert graph.count("loop=loop=") == 1 and "trim=end_frame=12" in graph and "xfade" in graph


def test_two_slices_from_the_same_point_of_a_clip_share_one_input():
    base = storyboard(clip_scene=0, clip_ms=1000)
    # Scenes 0 and 1 show the same 1 s clip: their bodies both start 0.5 s (12 frames) in.
    scenes = list(base.scenes)
    scenes[1] = replace(scenes[1], clip=CLIP, clip_ms=1000)
    spec = replace(base, scenes=tuple(scenes))
    timeline = plan(spec)
    # Body 0 and the incoming half of the 0->1 fade start at 0 s; the outgoing half of
    # that fade (1.5 s, wrapped) and body 1 start at 0.5 s.
    argv = builder.segment_argv(spec, timeline, timeline.pieces[:3], "/out/segment.mp4")

    starts = sorted(options[1] for path, options in _inputs(argv) if path == CLIP)
    assert starts == ["0.000000", "0.500000"]
    assert _graph(argv).count("split=2") == 2


def test_a_dropped_clip_sound_is_not_in_the_mix():
    spec = storyboard(clip_audio="drop")
    argv = audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav")
    assert CLIP not in argv


def test_a_mixed_clip_sound_is_looped_cut_to_its_scene_and_placed_at_its_start():
    spec = storyboard(clip_audio="mix")
    timeline = plan(spec)

    argv = audio_mix.audio_mix_argv(spec, timeline, "/out/mix.wav")

    assert (CLIP, ["-stream_loop", "-1"]) in _inputs(argv)
    graph = _chains(argv)
    assert timeline.scene_start_ms(1) == 1500
    assert (
        "aformat=channel_layouts=stereo:sample_fmts=fltp:sample_rates=48000 -> atrim=duration=2.000000"
        " -> asetpts=N/SR/TB -> afade=d=0.050:t=in -> afade=d=0.050:st=1.950000:t=out -> adelay=all=1:delays=1500"
    ) in graph
    # With no music the clip's sound is the bed the voice ducks.
    assert "asetnsamples=n=240:p=0 -> volume=eval=frame" in graph


def test_a_mixed_clip_sound_joins_the_music_bed_and_is_ducked_with_it():
    spec = storyboard(clip_audio="mix", music=True)

    graph = _graph(audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav"))

    assert "amix=dropout_transition=0:duration=first:inputs=2:normalize=0" in graph
    bed_at = graph.index("amix=dropout_transition=0:duration=first:inputs=2")
    assert bed_at < graph.index("volume=eval=frame")


def test_a_storyboard_without_clips_builds_the_same_argv_as_before():
    spec = storyboard(clip_scene=-1)
    timeline = plan(spec)
    graph = _graph(builder.segment_argv(spec, timeline, timeline.pieces, "/out/all.mp4"))
    # Three bodies and two fades of two scenes each, every one a pan.
    assert graph.count("zoompan") == 0 and graph.count("loop=loop=") == 7
    assert "-stream_loop" not in audio_mix.audio_mix_argv(spec, timeline, "/out/mix.wav")


@pytest.mark.parametrize(
    "changes",
    [
        {"clip_audio": "loud"},
        {"clip": None, "clip_ms": 0, "clip_audio": "mix"},
        {"clip": None, "clip_ms": 800},
        {"clip_ms": 0},
    ],
)
def test_a_clip_scene_must_make_sense(changes):
    scene = SceneSpec(
        picture="/in/p.png", duration_ms=2000, narration=None, narration_ms=0, caption_text="", clip=CLIP, clip_ms=800
    )
    with pytest.raises(ValueError):
        replace(scene, **changes)
