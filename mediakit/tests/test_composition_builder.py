"""The pure builder: storyboards -> FFmpeg argv, asserted without running anything."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

import pytest

from mediakit import audio_mix, builder, loudness, output
from mediakit.encoding import setting_for
from mediakit.spec import FRAME_SIZES, SceneSpec, StoryboardSpec
from mediakit.timeline import BODY, TRANSITION, group_pieces, plan

MEASURED = {
    "input_i": -22.47,
    "input_tp": -4.78,
    "input_lra": 5.7,
    "input_thresh": -32.52,
    "output_i": -17.06,
    "output_tp": -1.5,
    "output_lra": 4.7,
    "output_thresh": -27.1,
    "normalization_type": "dynamic",
    "target_offset": 1.06,
}


def storyboard(
    durations: tuple[int, ...] = (3000, 3000, 3000),
    *,
    size: tuple[int, int] = (1280, 720),
    fps: int = 30,
    transition: str = "fade",
    captions: bool = True,
    music: bool = True,
    narrated: bool = True,
) -> StoryboardSpec:
    scenes = tuple(
        SceneSpec(
            picture=f"/in/scene_{i}.png",
            duration_ms=d,
            narration=f"/in/voice_{i}.wav" if narrated else None,
            narration_ms=min(1200, d - 1000) if narrated else 0,
            caption_text=f"Words of scene {i}",
            caption_png=f"/in/caption_{i}.png" if captions else None,
        )
        for i, d in enumerate(durations)
    )
    return StoryboardSpec(
        scenes=scenes,
        width=size[0],
        height=size[1],
        fps=fps,
        transition=transition,
        transition_ms=0 if transition == "cut" else 500,
        music="/in/music.mp3" if music else None,
        captions=captions,
    )


def graph_of(argv: list[str]) -> str:
    return argv[argv.index("-filter_complex") + 1]


def filters_of(argv: list[str]) -> list[str]:
    # ffmpeg-python escapes ';' inside arguments, so a bare ';' separates filters.
    parts = re.split(r"(?<!\\);", graph_of(argv))
    return [re.sub(r"(\[[^\]]+\])+$", "", re.sub(r"^(\[[^\]]+\])+", "", part)) for part in parts]


def args_of(filter_text: str) -> dict[str, str]:
    _, _, rest = filter_text.partition("=")
    rest = re.sub(r"(\[[^\]]+\])+$", "", rest)
    pairs = re.split(r"(?<!\\):", rest)
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def named(argv: list[str], name: str) -> list[dict[str, str]]:
    return [args_of(f) for f in filters_of(argv) if f.split("=", 1)[0] == name]


def output_options(argv: list[str]) -> list[str]:
    """Everything after the last -map (the output options), minus the output path and -y."""
    last_map = max(i for i, a in enumerate(argv) if a == "-map")
    tail = [a for a in argv[last_map + 2 :] if a != "-y"]
    return tail[:-1]


def option_pairs(options: list[str]) -> dict[str, str | None]:
    """-key value pairs; a key followed by another key (e.g. -an) maps to None."""
    pairs: dict[str, str | None] = {}
    i = 0
    while i < len(options):
        key = options[i]
        following = options[i + 1] if i + 1 < len(options) else None
        if following is None or (following.startswith("-") and not re.match(r"^-\d", following)):
            pairs[key] = None
            i += 1
        else:
            pairs[key] = following
            i += 2
    return pairs


def inputs_of(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == "-i"]


STORYBOARDS = {
    "one scene": storyboard((2500,)),
    "two scenes": storyboard((3000, 4000)),
    "seven scenes": storyboard((2000, 2500, 3100, 2333, 4000, 2000, 5000)),
    "odd 25 fps": storyboard((2333, 2333, 2333), fps=25),
    "cut": storyboard((2000, 2400, 2000), transition="cut"),
    "no captions": storyboard(captions=False),
    "no music": storyboard(music=False),
    "silent": storyboard(music=False, narrated=False),
    "dissolve 9:16": storyboard(size=FRAME_SIZES[("9:16", "720p")], transition="dissolve"),
    "wipeleft 1:1": storyboard(size=FRAME_SIZES[("1:1", "480p")], transition="wipeleft"),
    "slideleft 16:9": storyboard(size=FRAME_SIZES[("16:9", "1080p")], transition="slideleft"),
}
ALL = pytest.mark.parametrize("spec", list(STORYBOARDS.values()), ids=list(STORYBOARDS))


@ALL
def test_every_piece_is_an_ffmpeg_argv_writing_its_own_mp4(spec: StoryboardSpec) -> None:
    timeline = plan(spec)
    for piece in timeline.pieces:
        argv = builder.piece_argv(spec, timeline, piece, f"/out/piece_{piece.index}.mp4")
        assert argv[0] == "ffmpeg"
        assert all(isinstance(a, str) for a in argv)
        assert argv[-2:] == [f"/out/piece_{piece.index}.mp4", "-y"]
        assert "-an" in argv


def moves(argv: list[str]) -> list[tuple[str, int]]:
    """Each still's move in a piece, in graph order: ("zoom", frames) or ("pan", frames)."""
    found = []
    for f in filters_of(argv):
        name = f.split("=", 1)[0]
        if name == "zoompan":
            found.append(("zoom", int(args_of(f)["d"])))
        elif name == "loop":
            found.append(("pan", int(args_of(f)["loop"]) + 1))
    return found


@ALL
def test_the_moves_of_all_pieces_add_up_to_the_timeline(spec: StoryboardSpec) -> None:
    timeline = plan(spec)
    total = 0
    for piece in timeline.pieces:
        argv = builder.piece_argv(spec, timeline, piece, "/out/p.mp4")
        assert sorted(frames for _, frames in moves(argv)) == sorted(part.frames for part in piece.slices)
        panning = [
            part
            for part in piece.slices
            if builder.scene_pan(part.scene, spec.width, spec.height, timeline.scene_frames[part.scene])
        ]
        assert [kind for kind, _ in moves(argv)].count("pan") == len(panning)
        for zoom in named(argv, "zoompan"):
            assert zoom["s"] == f"{spec.width}x{spec.height}"
            assert zoom["fps"] == str(spec.fps)
        for crop in named(argv, "crop"):
            if "exact" in crop:  # a pan's crop: the frame's size, whole pixels
                assert crop["exact"] == "1"
        total += piece.frames  # both sides of a crossfade become the same frames
    assert total == timeline.total_frames


def test_scenes_take_turns_panning_forward_and_back_and_long_ones_zoom_instead() -> None:
    assert [builder.scene_pan(i, 1920, 1080, 150).forward for i in range(4)] == [True, False] * 2
    forward, back = builder.scene_pan(0, 1920, 1080, 150), builder.scene_pan(1, 1920, 1080, 150)
    assert forward == builder.Pan(horizontal=True, step_px=1, travel_px=149, forward=True)
    assert back == builder.Pan(horizontal=True, step_px=1, travel_px=149, forward=False)
    # Portrait pans down the long side; a short scene steps more than a pixel a frame.
    assert builder.scene_pan(0, 1080, 1920, 60) == builder.Pan(horizontal=False, step_px=3, travel_px=177, forward=True)
    assert builder.pan_still_size(1080, 1920, builder.scene_pan(0, 1080, 1920, 60)) == (1080, 2098)
    # A pan that would travel more than a third of the side (a long scene at 480p) zooms
    # instead: in for a forward turn, out for a back one.
    assert builder.scene_pan(0, 854, 480, 30 * 12) is None
    assert builder.zoom_expression(0, 0, 360) == "1+0.1*(on+0)/360"
    assert builder.zoom_expression(1, 0, 360) == "1.1-0.1*(on+0)/360"
    long_scene = storyboard((12000,), size=(854, 480))
    frames = plan(long_scene).scene_frames[0]
    assert builder.scene_still_size(long_scene, plan(long_scene), 0) == builder.still_size(854, 480, frames)


@ALL
def test_xfade_appears_only_in_transition_pieces(spec: StoryboardSpec) -> None:
    timeline = plan(spec)
    for piece in timeline.pieces:
        argv = builder.piece_argv(spec, timeline, piece, "/out/p.mp4")
        xfades = named(argv, "xfade")
        if piece.kind == TRANSITION:
            assert xfades
            for xfade in xfades:
                assert xfade["transition"] == spec.transition
                assert Fraction(xfade["duration"]) == Fraction(piece.frames, spec.fps).limit_denominator(10**6)
                assert xfade["offset"] == "0"
            # Back to 4:2:0 straight after the crossfade.
            assert filters_of(argv)[-1] in ("format=yuv420p", "mergeplanes=0x001020:yuv420p")
        else:
            assert xfades == []


@pytest.mark.parametrize("transition", ["fade", "wipeleft", "slideleft"])
def test_planewise_transitions_crossfade_y_u_v_separately_in_4_2_0(transition: str) -> None:
    spec = storyboard(transition=transition)
    timeline = plan(spec)
    argv = builder.piece_argv(spec, timeline, timeline.pieces[1], "/o.mp4")
    assert filters_of(argv).count("extractplanes=y+u+v") == 2
    assert len(named(argv, "xfade")) == 3
    assert filters_of(argv)[-1] == "mergeplanes=0x001020:yuv420p"
    assert "format=yuv444p" not in filters_of(argv)


def test_dissolve_crossfades_whole_frames() -> None:
    spec = storyboard(transition="dissolve")
    timeline = plan(spec)
    argv = builder.piece_argv(spec, timeline, timeline.pieces[1], "/o.mp4")
    assert len(named(argv, "xfade")) == 1
    assert "extractplanes=y+u+v" not in filters_of(argv)
    assert filters_of(argv)[-1] == "format=yuv420p"


@ALL
def test_encoder_settings_are_identical_in_every_piece(spec: StoryboardSpec) -> None:
    timeline = plan(spec)
    options = {
        tuple(output_options(builder.piece_argv(spec, timeline, piece, "/out/p.mp4"))) for piece in timeline.pieces
    }
    assert len(options) == 1
    pairs = option_pairs(list(options.pop()))
    assert pairs["-c:v"] == "libx264"
    # These storyboards do not say what their pictures are: the setting safe for every kind.
    setting = setting_for((), spec.width, spec.height)
    assert pairs["-preset"] == setting.preset
    assert pairs["-crf"] == str(setting.crf)
    assert pairs["-profile:v"] == "high"
    assert pairs["-pix_fmt"] == "yuv420p"
    assert pairs["-r"] == str(spec.fps)
    assert pairs["-f"] == "mp4"
    assert "-an" in pairs


@ALL
def test_each_still_is_fitted_larger_than_the_frame_before_its_move(spec: StoryboardSpec) -> None:
    timeline = plan(spec)
    for piece in timeline.pieces:
        argv = builder.piece_argv(spec, timeline, piece, "/out/p.mp4")
        names = [f.split("=", 1)[0] for f in filters_of(argv)]
        first_move = min(names.index(n) for n in ("zoompan", "loop") if n in names)
        assert names.index("scale") < names.index("crop") < names.index("format") < first_move
        for part in piece.slices:
            frames = timeline.scene_frames[part.scene]
            pan = builder.scene_pan(part.scene, spec.width, spec.height, frames)
            if pan is None:
                w, h = builder.still_size(spec.width, spec.height, frames)
                # zoompan only ever scales down: its widest crop (1/1.1 of the still) covers the frame.
                assert w / (1 + builder.ZOOM_RANGE) >= spec.width - 1
                assert h / (1 + builder.ZOOM_RANGE) >= spec.height - 1
            else:
                w, h = builder.pan_still_size(spec.width, spec.height, pan)
                # The pan's last frame is still inside the still.
                assert (w - spec.width if pan.horizontal else h - spec.height) >= pan.travel_px
            assert (w, h) == builder.scene_still_size(spec, timeline, part.scene)
            assert f"crop={w}:{h}" in filters_of(argv)
        for zoom in named(argv, "zoompan"):
            assert zoom["s"] == f"{spec.width}x{spec.height}"
        scale = named(argv, "scale")[0]
        assert scale["force_original_aspect_ratio"] == "increase"
        # RGB -> YUV with the BT.709 matrix, in limited range.
        assert (scale["out_color_matrix"], scale["out_range"]) == ("bt709", "tv")
        assert f"setpts=N/({spec.fps}*TB)" in filters_of(argv)
        assert "setsar=1" in filters_of(argv)


def test_pans_continue_across_a_scene_s_pieces_and_a_long_scene_zooms_centred() -> None:
    spec = storyboard((3000, 3000, 3000))
    timeline = plan(spec)
    body0, trans01, body1, trans12, body2 = (builder.piece_argv(spec, timeline, p, "/o.mp4") for p in timeline.pieces)

    def pan_crops(argv: list[str]) -> list[dict[str, str]]:
        return [c for c in named(argv, "crop") if "exact" in c]

    # Scene 0 pans left to right a pixel a frame, scene 1 back (from its travel, 89 px), scene 2 forward again.
    assert pan_crops(body0) == [{"x": "1*(n+0)", "y": "0", "exact": "1"}]
    assert sorted(c["x"] for c in pan_crops(trans01)) == ["1*(n+75)", "89-1*(n+0)"]
    assert pan_crops(body1) == [{"x": "89-1*(n+15)", "y": "0", "exact": "1"}]
    assert sorted(c["x"] for c in pan_crops(trans12)) == ["1*(n+0)", "89-1*(n+75)"]
    assert pan_crops(body2) == [{"x": "1*(n+15)", "y": "0", "exact": "1"}]
    assert "crop=1280:720" in " ".join(filters_of(body1))
    assert all(named(argv, "zoompan") == [] for argv in (body0, trans01, body1, trans12, body2))

    # 20 s scenes at 480p would pan more than a third of the frame: they zoom, centred.
    spec = storyboard((20000, 20000), size=(854, 480))
    timeline = plan(spec)
    body0, trans01, body1 = (builder.piece_argv(spec, timeline, p, "/o.mp4") for p in timeline.pieces)
    frames = timeline.scene_frames[0]
    assert named(body0, "zoompan")[0]["z"] == f"1+0.1*(on+0)/{frames}"
    out0, in1 = sorted(named(trans01, "zoompan"), key=lambda z: z["z"])
    assert in1["z"].startswith("1.1-0.1*(on+0)/")  # scene 1 zooms out
    assert out0["z"] == f"1+0.1*(on+{timeline.pieces[1].slices[0].first_frame})/{frames}"
    for zoom in (named(body0, "zoompan")[0], out0, in1, *named(body1, "zoompan")):
        assert zoom["x"] == r"iw/2-(iw/zoom/2)"
        assert zoom["y"] == r"ih/2-(ih/zoom/2)"


def test_captions_are_overlaid_bottom_centre_during_the_cue_in_piece_time() -> None:
    spec = storyboard((3000, 3000, 3000))
    timeline = plan(spec)
    # Scene 1's cue: 2750..3950 ms on the timeline; its body starts at frame 90 (3.0 s).
    body1 = builder.piece_argv(spec, timeline, timeline.pieces[2], "/o.mp4")
    overlays = named(body1, "overlay")
    assert len(overlays) == 1
    assert overlays[0]["enable"] == r"between(t\,0.000\,0.950)"
    assert overlays[0]["x"] == "(W-w)/2"
    assert overlays[0]["y"] == f"H-h-{round(720 * builder.CAPTION_MARGIN)}"
    assert "/in/caption_1.png" in inputs_of(body1)
    # The transition 0->1 (2.5..3.0 s) shows scene 1's caption from 0.25 s on.
    trans = builder.piece_argv(spec, timeline, timeline.pieces[1], "/o.mp4")
    assert [o["enable"] for o in named(trans, "overlay")] == [r"between(t\,0.250\,1.450)"]


def test_without_captions_there_is_no_overlay_and_no_caption_input() -> None:
    spec = storyboard(captions=False)
    timeline = plan(spec)
    for piece in timeline.pieces:
        argv = builder.piece_argv(spec, timeline, piece, "/o.mp4")
        assert named(argv, "overlay") == []
        assert not any("caption" in path for path in inputs_of(argv))


def test_captions_off_ignores_caption_pngs() -> None:
    spec = storyboard()
    spec = StoryboardSpec(**{**spec.__dict__, "captions": False})
    timeline = plan(spec)
    assert all(named(builder.piece_argv(spec, timeline, p, "/o.mp4"), "overlay") == [] for p in timeline.pieces)


def test_a_caption_outside_the_piece_is_not_loaded() -> None:
    spec = storyboard((6000, 3000))
    timeline = plan(spec)
    # Scene 0's cue ends at 1.45 s; its transition starts at 5.5 s.
    trans = builder.piece_argv(spec, timeline, timeline.pieces[1], "/o.mp4")
    assert "/in/caption_0.png" not in inputs_of(trans)


def test_a_segment_reads_each_still_once_and_splits_it_between_its_chains() -> None:
    spec = storyboard((3000, 3000, 3000))
    timeline = plan(spec)
    (segment,) = group_pieces(timeline, 10_000)
    argv = builder.segment_argv(spec, timeline, segment, "/o.mp4")
    pictures = [p for p in inputs_of(argv) if "scene_" in p]
    assert sorted(pictures) == ["/in/scene_0.png", "/in/scene_1.png", "/in/scene_2.png"]
    # Scene 1 is in the 0->1 transition, its body and the 1->2 transition.
    assert "split=3" in filters_of(argv)
    concat = named(argv, "concat")
    assert concat == [{"a": "0", "n": "5", "v": "1"}]
    assert sum(frames for _, frames in moves(argv)) == timeline.total_frames + 2 * 15


def test_one_picture_in_two_scenes_is_read_once_and_split_where_the_moves_match() -> None:
    spec = storyboard((3000, 3000, 6000))
    scenes = tuple(SceneSpec(**{**s.__dict__, "picture": "/in/same.png"}) for s in spec.scenes)
    spec = StoryboardSpec(**{**spec.__dict__, "scenes": scenes})
    timeline = plan(spec)
    (segment,) = group_pieces(timeline, 10_000)
    argv = builder.segment_argv(spec, timeline, segment, "/o.mp4")
    assert inputs_of(argv).count("/in/same.png") == 1
    # Scenes 0 and 1 pan the same distance over one still size (split between their 5
    # slices); the longer scene 2 pans farther over a longer still (its 2 slices).
    short, longer = (builder.scene_still_size(spec, timeline, i) for i in (0, 2))
    assert builder.scene_still_size(spec, timeline, 1) == short != longer
    assert {"split=5", "split=2"} <= set(filters_of(argv))
    assert f"crop={short[0]}:{short[1]}" in filters_of(argv)
    assert f"crop={longer[0]}:{longer[1]}" in filters_of(argv)


def test_segment_pieces_must_be_consecutive() -> None:
    spec = storyboard()
    timeline = plan(spec)
    with pytest.raises(ValueError, match="consecutive"):
        builder.segment_argv(spec, timeline, [timeline.pieces[0], timeline.pieces[2]], "/o.mp4")


# --- audio -------------------------------------------------------------------


def test_narrations_are_delayed_to_their_start_and_summed_without_normalising() -> None:
    spec = storyboard((3000, 3000, 3000))
    timeline = plan(spec)
    argv = audio_mix.audio_mix_argv(spec, timeline, "/out/mix.wav")
    assert inputs_of(argv)[:3] == ["/in/voice_0.wav", "/in/voice_1.wav", "/in/voice_2.wav"]
    assert [d["delays"] for d in named(argv, "adelay")] == ["250", "2750", "5250"]
    assert all(d["all"] == "1" for d in named(argv, "adelay"))
    voice_mix = named(argv, "amix")[0]
    assert voice_mix["inputs"] == "3"
    assert voice_mix["normalize"] == "0"


def test_one_narration_file_used_twice_is_read_once_and_split() -> None:
    spec = storyboard((3000, 3000, 3000))
    scenes = tuple(replace(s, narration="/in/same.wav") for s in spec.scenes)
    spec = replace(spec, scenes=scenes)
    argv = audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav")
    assert inputs_of(argv).count("/in/same.wav") == 1
    assert "asplit=3" in filters_of(argv)
    assert [d["delays"] for d in named(argv, "adelay")] == ["250", "2750", "5250"]


def test_music_is_looped_and_ducked_under_the_voice() -> None:
    spec = storyboard()
    timeline = plan(spec)
    argv = audio_mix.audio_mix_argv(spec, timeline, "/out/mix.wav")
    music_at = argv.index("/in/music.mp3")
    assert argv[music_at - 3 : music_at] == ["-stream_loop", "-1", "-i"]
    graph = graph_of(argv)
    music_label = f"[{inputs_of(argv).index('/in/music.mp3')}:a]"
    assert music_label in graph
    assert "volume=-12dB" in filters_of(argv)
    # The bed goes down on a planned curve (mediakit.audio_mix.duck_points), evaluated every 5 ms.
    assert named(argv, "sidechaincompress") == []
    assert named(argv, "asetnsamples") == [{"n": str(audio_mix.DUCK_FRAME_SAMPLES), "p": "0"}]
    (ducking,) = [d for d in named(argv, "volume") if d.get("eval") == "frame"]
    assert ducking["volume"].startswith("pow(10\\,(if(lt(t\\,")
    assert named(argv, "amix")[-1]["normalize"] == "0"


def test_the_soundtrack_is_exactly_as_long_as_the_video_in_48k_stereo() -> None:
    for spec in STORYBOARDS.values():
        timeline = plan(spec)
        argv = audio_mix.audio_mix_argv(spec, timeline, "/out/mix.wav")
        samples = timeline.total_frames * 48000 // spec.fps
        assert named(argv, "atrim")[-1] == {"end_sample": str(samples)}
        assert named(argv, "apad")[-1] == {"whole_len": str(samples)}
        opts = output_options(argv)
        assert opts[opts.index("-ar") + 1] == "48000"
        assert opts[opts.index("-ac") + 1] == "2"
        assert opts[opts.index("-f") + 1] == "wav"
        assert opts[opts.index("-acodec") + 1].startswith("pcm_")


def test_without_music_there_is_no_ducking() -> None:
    spec = storyboard(music=False)
    argv = audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav")
    assert named(argv, "asetnsamples") == []
    assert "-stream_loop" not in argv


def test_the_mix_can_measure_its_own_loudness_in_the_same_process() -> None:
    spec = storyboard()
    argv = audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav", measure=True)
    assert named(argv, "ebur128") == [{"peak": "true", "framelog": "verbose"}]
    assert argv.count("-map") == 2
    assert "/out/mix.wav" in argv
    assert argv[-4:] == ["-f", "null", "-", "-y"]
    plain = audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav")
    assert named(plain, "ebur128") == []


def test_music_without_narration_is_just_the_music_bed() -> None:
    spec = storyboard(narrated=False)
    argv = audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav")
    assert inputs_of(argv) == ["/in/music.mp3"]
    assert named(argv, "asetnsamples") == []


def test_no_narration_and_no_music_is_still_a_silent_track() -> None:
    spec = storyboard(narrated=False, music=False)
    argv = audio_mix.audio_mix_argv(spec, plan(spec), "/out/mix.wav")
    assert inputs_of(argv) == ["anullsrc=r=48000:cl=stereo"]
    assert argv[argv.index("-i") - 2 : argv.index("-i")] == ["-f", "lavfi"]


def test_the_soundtrack_is_normalised_with_the_measurement_and_encoded_alone() -> None:
    argv = output.soundtrack_argv("/w/mix.wav", MEASURED, "/w/soundtrack.m4a", 9000)
    assert argv[:3] == ["ffmpeg", "-i", "/w/mix.wav"]
    # The linear correction is a plain gain to -16 LUFS at 48 kHz: no loudnorm, no 192 kHz round trip.
    assert filters_of(argv)[0] == "volume=6.47dB"
    names = [f.split("=", 1)[0] for f in filters_of(argv)]
    assert names == ["volume", "apad", "atrim"]
    assert named(argv, "atrim") == [{"end_sample": str(9000 * 48)}]
    pairs = option_pairs(output_options(argv))
    assert pairs["-c:a"] == "aac"
    assert pairs["-ar"] == "48000"
    assert pairs["-ac"] == "2"
    assert pairs["-f"] == "mp4"
    assert argv[-2:] == ["/w/soundtrack.m4a", "-y"]


def test_mux_copies_the_video_and_the_encoded_soundtrack() -> None:
    argv = output.mux_argv("/w/list.ffconcat", "/w/soundtrack.m4a", "/w/master.mp4")
    assert argv[:7] == ["ffmpeg", "-f", "concat", "-safe", "0", "-i", "/w/list.ffconcat"]
    assert "-filter_complex" not in argv  # nothing decoded, nothing encoded
    pairs = option_pairs(output_options(argv))
    assert pairs["-c:v"] == "copy"
    assert pairs["-c:a"] == "copy"
    assert pairs["-movflags"] == "+faststart"
    assert pairs["-f"] == "mp4"
    assert "-shortest" not in argv
    assert argv[argv.index("-map") + 1] == "0:v"


def test_the_mux_limits_peaks_before_the_gain_exactly_as_measured() -> None:
    ceiling = loudness.limiter_ceiling_db(MEASURED)
    # +6.47 dB of gain would take -4.78 dBTP to +1.69: limit to 1 dB under -1.5 before the gain.
    assert ceiling == pytest.approx(-1.5 - 1.0 - 6.47)
    measure = loudness.loudness_argv("/w/mix.wav", limit_db=ceiling)
    mux = output.soundtrack_argv("/w/mix.wav", MEASURED, "/w/soundtrack.m4a", 9000, limit_db=ceiling)
    # The soundtrack the gain applies to is the one that was measured.
    assert named(measure, "alimiter") == named(mux, "alimiter")
    (limiter,) = named(mux, "alimiter")
    assert float(limiter["limit"]) == pytest.approx(10 ** (ceiling / 20), rel=1e-5)
    assert limiter["level"] == "0"  # no automatic make-up gain
    assert limiter["latency"] == "1"  # no shift against the picture
    names = [f.split("=", 1)[0] for f in filters_of(mux)]
    assert names[:2] == ["alimiter", "volume"]
    assert [f.split("=", 1)[0] for f in filters_of(measure)] == ["alimiter", "ebur128"]


def test_no_limiter_when_the_gain_keeps_peaks_under_the_target() -> None:
    assert loudness.limiter_ceiling_db({**MEASURED, "input_tp": -9.0}) is None
    assert loudness.limiter_ceiling_db({**MEASURED, "input_i": -60.0}) == -24.0  # the filter's floor


def test_loudness_is_measured_with_ebur128_true_peak() -> None:
    argv = loudness.loudness_argv("/w/mix.wav")
    assert named(argv, "ebur128") == [{"peak": "true", "framelog": "verbose"}]
    assert named(argv, "alimiter") == []
    assert argv[-3:] == ["-f", "null", "-"]


def test_an_ebur128_summary_becomes_a_loudnorm_measurement() -> None:
    stderr = """[Parsed_ebur128_0 @ 0x55e82dd3b800] Summary:

  Integrated loudness:
    I:         -22.2 LUFS
    Threshold: -32.2 LUFS

  Loudness range:
    LRA:         4.6 LU
    Threshold: -42.2 LUFS
    LRA low:   -25.0 LUFS
    LRA high:  -20.4 LUFS

  True peak:
    Peak:       -4.8 dBFS
"""
    summary = loudness.parse_ebur128_summary(stderr)
    assert summary == {"integrated_lufs": -22.2, "threshold_lufs": -32.2, "lra": 4.6, "true_peak_dbtp": -4.8}
    assert loudness.loudnorm_measurement(summary) == {
        "input_i": -22.2,
        "input_tp": -4.8,
        "input_lra": 4.6,
        "input_thresh": -32.2,
        "target_offset": 0.0,
    }


def test_silence_is_not_normalised() -> None:
    # What ebur128 prints for digital silence.
    stderr = """Summary:

  Integrated loudness:
    I:         -70.0 LUFS
    Threshold:   0.0 LUFS

  Loudness range:
    LRA:         0.0 LU
    Threshold:   0.0 LUFS

  True peak:
    Peak:       -inf dBFS
"""
    measured = loudness.loudnorm_measurement(loudness.parse_ebur128_summary(stderr))
    assert measured["input_tp"] == float("-inf")
    assert not loudness.usable_measurement(measured)


def test_the_soundtrack_gets_no_gain_when_silent() -> None:
    silent = {**MEASURED, "input_i": float("-inf"), "input_tp": float("-inf")}
    argv = output.soundtrack_argv("/w/mix.wav", silent, "/w/soundtrack.m4a", 3000)
    assert named(argv, "volume") == [] and named(argv, "loudnorm") == []
    assert loudness.loudness_gain_db(silent) is None
    assert [f.split("=", 1)[0] for f in filters_of(argv)] == ["apad", "atrim"]


def test_concat_list_quotes_paths_and_pins_exact_durations() -> None:
    text = output.concat_list_text(
        ["/w/a.mp4", "/w/it's here.mp4", "/w/c.mp4"],
        durations=[Fraction(122, 30), Fraction(15, 30), Fraction(115, 30)],
    )
    assert text == (
        "ffconcat version 1.0\n"
        "file '/w/a.mp4'\n"
        "duration 4.066667\n"
        "file '/w/it'\\''s here.mp4'\n"
        "duration 0.500000\n"
        "file '/w/c.mp4'\n"
        "duration 3.833333\n"
    )


def test_concat_list_durations_do_not_accumulate_rounding() -> None:
    text = output.concat_list_text([f"/w/{i}.mp4" for i in range(300)], durations=[Fraction(1, 30)] * 300)
    micros = [int(line.split()[1].replace(".", "")) for line in text.splitlines() if line.startswith("duration")]
    assert sum(micros) == 10_000_000


def test_concat_list_refuses_newlines_in_paths() -> None:
    with pytest.raises(ValueError, match="newline"):
        output.concat_list_text(["/w/a\nb.mp4"])


def test_poster_takes_one_frame_at_the_given_time() -> None:
    argv = output.poster_argv("/w/master.mp4", 1500, "/w/poster.jpg")
    assert argv[0] == "ffmpeg"
    assert argv[argv.index("-ss") + 1] == "1.500"
    assert argv.index("-ss") < argv.index("-i")
    assert argv[argv.index("-frames:v") + 1] == "1"
    assert argv[-1] == "/w/poster.jpg"


def test_mp4_export_rescales_to_h264_high_and_keeps_the_aac_track() -> None:
    argv = output.export_argv("/w/m.mp4", "mp4", 854, 480, "/w/e.mp4", master_size=(1920, 1080))
    assert argv[argv.index("-vf") + 1] == (
        "scale=854:480:force_original_aspect_ratio=increase:in_color_matrix=bt709:out_color_matrix=bt709"
        ":out_range=tv,crop=854:480,setsar=1,format=yuv420p"
    )
    assert argv[argv.index("-c:v") + 1] == "libx264"
    assert argv[argv.index("-profile:v") + 1] == "high"
    assert argv[argv.index("-pix_fmt") + 1] == "yuv420p"
    assert argv[argv.index("-c:a") + 1] == "copy"
    assert argv[argv.index("-movflags") + 1] == "+faststart"


def test_mov_export_at_master_size_is_a_remux() -> None:
    argv = output.export_argv("/w/m.mp4", "mov", 1920, 1080, "/w/e.mov", master_size=(1920, 1080))
    assert argv[argv.index("-c") + 1] == "copy"
    assert "-vf" not in argv
    assert argv[argv.index("-f") + 1] == "mov"
    assert argv[argv.index("-movflags") + 1] == "+faststart"


def test_webm_export_is_realtime_vp9_with_opus() -> None:
    argv = output.export_argv("/w/m.mp4", "webm", 1280, 720, "/w/e.webm", master_size=(1920, 1080))
    assert argv[argv.index("-c:v") + 1] == "libvpx-vp9"
    assert argv[argv.index("-deadline") + 1] == "realtime"
    assert argv[argv.index("-cpu-used") + 1] == "8"
    assert argv[argv.index("-c:a") + 1] == "libopus"
    assert argv[argv.index("-f") + 1] == "webm"


def test_unknown_export_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        output.export_argv("/w/m.mp4", "avi", 640, 360, "/w/e.avi")


def test_builder_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the builder touched the file system")

    monkeypatch.setattr("builtins.open", forbidden)
    monkeypatch.setattr("os.stat", forbidden)
    spec = STORYBOARDS["seven scenes"]
    timeline = plan(spec)
    for piece in timeline.pieces:
        builder.piece_argv(spec, timeline, piece, "/does/not/exist.mp4")
    audio_mix.audio_mix_argv(spec, timeline, "/does/not/exist.wav")
    output.soundtrack_argv("/nope/mix.wav", MEASURED, "/nope/soundtrack.m4a", timeline.duration_ms)
    output.mux_argv("/nope/l.ffconcat", "/nope/soundtrack.m4a", "/nope/m.mp4")


@pytest.mark.parametrize("kind", [BODY, TRANSITION])
def test_raw_segment_argv_writes_the_same_frames_unencoded(kind: str) -> None:
    spec = storyboard()
    timeline = plan(spec)
    piece = next(p for p in timeline.pieces if p.kind == kind)
    encoded = builder.piece_argv(spec, timeline, piece, "/o.mp4")
    raw = builder.segment_raw_argv(spec, timeline, [piece], "/o.yuv")
    assert graph_of(raw) == graph_of(encoded)
    assert "libx264" not in raw
    assert raw[raw.index("-f") + 1] == "rawvideo"


def test_an_encoded_peak_over_the_target_lowers_the_ceiling_by_the_excess() -> None:
    # Limited at -8.1 dBFS before the gain, the encode carried -0.5 dBTP: 1.0 over -1.5.
    assert loudness.ceiling_for_overshoot(MEASURED, -8.1, -0.5) == pytest.approx(-8.1 - 1.0 - 0.5)
    # No limiter yet: from where the peaks are (-4.78 dBTP before the gain).
    assert loudness.ceiling_for_overshoot(MEASURED, None, -1.0) == pytest.approx(-4.78 - 0.5 - 0.5)
    # Under the target, or silence: nothing to do; never below alimiter's floor.
    assert loudness.ceiling_for_overshoot(MEASURED, -8.1, -1.6) is None
    assert loudness.ceiling_for_overshoot({**MEASURED, "input_i": float("-inf")}, None, 0.0) is None
    assert loudness.ceiling_for_overshoot(MEASURED, -23.0, 3.0) == -24.0
