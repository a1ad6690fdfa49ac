"""Pure functions: storyboard + timeline -> FFmpeg argv of the soundtrack's mix.

Each narration at its scene's start over the music bed (looped, faded, ducked on a
curve planned from the words' times) and the clips' own sound, exactly as long as the
video. No I/O, as in mediakit.builder; the level is set afterwards (mediakit.loudness,
mediakit.output.soundtrack_argv).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

import ffmpeg

from mediakit.spec import StoryboardSpec
from mediakit.timeline import Timeline

AUDIO_RATE = 48000


def audio_mix_argv(spec: StoryboardSpec, timeline: Timeline, out_wav: str, *, measure: bool = False) -> list[str]:
    """Narrations at their start times over a looped, ducked music bed, exactly as long as the video.

    measure=True also runs ebur128 on the mix (summary on stderr, as loudness.loudness_argv).

    Written as 32-bit float WAV: voice plus music can exceed full scale before
    loudnorm brings the level down, and float keeps those peaks unclipped.
    """
    samples = timeline.audio_samples
    fmt = {"sample_fmts": "fltp", "sample_rates": AUDIO_RATE, "channel_layouts": "stereo"}

    placed = [
        (scene.narration, start_ms)
        for scene, start_ms in zip(spec.scenes, timeline.narration_start_ms, strict=True)
        if scene.narration is not None and start_ms is not None
    ]
    # One input per file; a file placed twice is split (ffmpeg-python merges identical chains).
    sources: dict[str, list[ffmpeg.nodes.FilterableStream]] = {}
    for path in dict.fromkeys(path for path, _ in placed):
        count = sum(1 for p, _ in placed if p == path)
        stream = ffmpeg.input(path).audio.filter("aformat", **fmt)
        if count == 1:
            sources[path] = [stream]
        else:
            split = stream.filter_multi_output("asplit", count)
            sources[path] = [split[i] for i in range(count)]

    voices = []
    for path, start_ms in placed:
        voice = sources[path].pop(0)
        if start_ms > 0:
            # adelay with all=1 emits the leading silence without buffering it.
            voice = voice.filter("adelay", delays=start_ms, all=1)
        voices.append(voice)

    if len(voices) > 1:
        voice_bus = ffmpeg.filter(
            voices, "amix", inputs=len(voices), duration="longest", dropout_transition=0, normalize=0
        )
    elif voices:
        voice_bus = voices[0]
    else:
        voice_bus = None

    music = _music_bed(spec, timeline, fmt) if spec.music else None

    clip_sounds = _clip_sounds(spec, timeline, fmt)
    if clip_sounds:
        # The clips' own sound joins the music bed, so the voice ducks it too. The looped
        # music never ends: with it first, the bed lasts as long as the music does.
        bed = [music, *clip_sounds] if music is not None else clip_sounds
        if len(bed) == 1:
            music = bed[0]
        else:
            music = ffmpeg.filter(
                bed,
                "amix",
                inputs=len(bed),
                duration="first" if spec.music else "longest",
                dropout_transition=0,
                normalize=0,
            )

    if voice_bus is not None and music is not None:
        voice_out = voice_bus.filter("apad", whole_len=samples)
        ducked = music
        points = duck_points(spec, timeline)
        if points:
            # The bed is pulled down on a planned curve (duck_points), not by a compressor
            # listening to the voice: one follows the words and rose in every pause.
            ducked = music.filter("asetnsamples", n=DUCK_FRAME_SAMPLES, p=0).filter(
                "volume", volume=f"pow(10,({_piecewise_linear(points)})/20)", eval="frame"
            )
        mix = ffmpeg.filter(
            [voice_out, ducked],
            "amix",
            inputs=2,
            duration="first",
            dropout_transition=0,
            normalize=0,
        )
    elif voice_bus is not None:
        mix = voice_bus
    elif music is not None:
        mix = music
    else:
        mix = ffmpeg.input(f"anullsrc=r={AUDIO_RATE}:cl=stereo", f="lavfi").audio

    mix = mix.filter("apad", whole_len=samples).filter("atrim", end_sample=samples)
    wav_options = {"acodec": "pcm_f32le", "ar": AUDIO_RATE, "ac": 2, "f": "wav"}
    if not measure:
        argv: list[str] = ffmpeg.output(mix, out_wav, **wav_options).overwrite_output().compile()
        return argv
    # The loudness measurement rides along: one process instead of writing and re-reading the mix.
    split = mix.asplit()
    wav = ffmpeg.output(split[0], out_wav, **wav_options)
    loudness = ffmpeg.output(split[1].filter("ebur128", peak="true", framelog="verbose"), "-", f="null")
    argv = ffmpeg.merge_outputs(wav, loudness).overwrite_output().compile()
    return argv


# --- the music bed under the voice ---------------------------------------------------------

# How far the bed goes down, below its own level (spec.music_volume_db), while someone speaks:
# as deep as the compressor went under words (median -12.3 dB measured), the voice then 12-16 dB
# over the bed as before (medians of 50 ms RMS windows, scripts/bench_music.py).
DUCK_DB = -12.0
# A pause shorter than this keeps the bed down. A compressor keyed on the voice let the bed
# rise 17-18 dB in every 0.3-0.5 s pause between phrases and scenes and fall again: pumping.
DUCK_HOLD_MS = 1000
# The words' times are known in advance, so the bed is already down when the first one starts
# (a compressor can only react to it) and comes back slowly after the last one of a passage.
DUCK_ATTACK_MS = 200
DUCK_RELEASE_MS = 600
# The volume filter sets one gain per audio frame: 5 ms frames keep a ramp's steps under 1 dB.
DUCK_FRAME_SAMPLES = 240
# The bed starts without a click and ends with the video: it fades out over the last scene's
# last seconds (never longer than the scene).
MUSIC_FADE_IN_MS = 300
MUSIC_FADE_OUT_MS = 3000


def speech_spans(spec: StoryboardSpec, timeline: Timeline) -> list[tuple[int, int]]:
    """When someone speaks, in ms of the video: each caption phrase of each narration (the
    whole narration where it has no phrases, e.g. a creator's recording), pauses shorter than
    DUCK_HOLD_MS closed up."""
    spans: list[tuple[int, int]] = []
    for scene, start in zip(spec.scenes, timeline.narration_start_ms, strict=True):
        if scene.narration is None or start is None or not scene.narration_ms:
            continue
        if scene.phrases:
            spans += [(start + a, start + b) for _, a, b in scene.phrases]
        else:
            spans.append((start, start + scene.narration_ms))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a - merged[-1][1] < DUCK_HOLD_MS:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def duck_points(spec: StoryboardSpec, timeline: Timeline) -> list[tuple[int, float]]:
    """The bed's gain in dB at ms of the video, linear in between and held beyond the ends:
    DUCK_DB through each passage of speech, 0 dB in the gaps of DUCK_HOLD_MS or more."""
    points: list[tuple[int, float]] = []
    for a, b in speech_spans(spec, timeline):
        down_from = a - DUCK_ATTACK_MS
        if points and down_from <= points[-1][0]:
            # A gap just over the hold: the release has not finished, go down from where it is.
            t0, d0 = points[-2]
            t1, d1 = points[-1]
            at = max(t0, down_from)
            points[-1] = (at, d0 + (d1 - d0) * (at - t0) / (t1 - t0))
        else:
            points.append((down_from, 0.0))
        points += [(a, DUCK_DB), (b, DUCK_DB), (b + DUCK_RELEASE_MS, 0.0)]
    return points


def _piecewise_linear(points: Sequence[tuple[int, float]]) -> str:
    """An FFmpeg expression of t (seconds) through (ms, value) points, as a balanced tree of
    if(lt(t, ...)) so that each evaluation costs log(points), however long the video."""

    def region(k: int) -> str:
        # Region 0 is before the first point, region len(points) after the last.
        if k == 0:
            return f"{points[0][1]:g}"
        if k == len(points):
            return f"{points[-1][1]:g}"
        (t0, d0), (t1, d1) = points[k - 1], points[k]
        if d0 == d1 or t1 == t0:
            return f"{d1:g}"
        slope = (d1 - d0) / ((t1 - t0) / 1000)
        return f"{d0:g}+{slope:.6g}*(t-{t0 / 1000:g})"

    def tree(lo: int, hi: int) -> str:
        if lo == hi:
            return region(lo)
        mid = (lo + hi + 1) // 2
        return f"if(lt(t,{points[mid - 1][0] / 1000:g}),{tree(lo, mid - 1)},{tree(mid, hi)})"

    return tree(0, len(points))


def _music_bed(spec: StoryboardSpec, timeline: Timeline, fmt: dict[str, object]) -> ffmpeg.nodes.FilterableStream:
    """The music file at its level, looped to the video's length, faded in and out with it."""
    assert spec.music is not None
    total_s = timeline.audio_samples / AUDIO_RATE
    if spec.music_loop_ms:
        music = _music_loop(spec.music, spec.music_loop_ms, spec.music_crossfade_ms, total_s, fmt)
    else:
        music = ffmpeg.input(spec.music, stream_loop=-1).audio.filter("aformat", **fmt)
    last_scene_s = float(Fraction(timeline.scene_frames[-1], timeline.fps))
    fade_out = min(MUSIC_FADE_OUT_MS / 1000, last_scene_s, total_s / 2)
    fade_in = min(MUSIC_FADE_IN_MS / 1000, total_s / 4)
    return (
        music.filter("volume", f"{spec.music_volume_db:g}dB")
        .filter("afade", t="in", d=f"{fade_in:.3f}")
        .filter("afade", t="out", st=f"{total_s - fade_out:.6f}", d=f"{fade_out:.3f}")
    )


def _music_loop(
    path: str, loop_ms: int, crossfade_ms: int, total_s: float, fmt: dict[str, object]
) -> ffmpeg.nodes.FilterableStream:
    """A track played to its loop point (a musical boundary: whole bars), then one cycle
    repeated for as long as the video lasts: the bar after the loop point fading out over
    crossfade_ms while the track's start fades in, then the rest up to the loop point.

    aloop holds one cycle (loop_ms of audio, ~5-10 MB) however long the video: memory stays
    flat, where a crossfaded copy per repeat buffered every copy's audio from the start."""
    loop_s, crossfade_s = loop_ms / 1000, crossfade_ms / 1000
    source = ffmpeg.input(path).audio.filter("aformat", **fmt)
    if total_s <= loop_s:
        return source
    split = source.filter_multi_output("asplit", 4)

    def part(index: int, start: float, end: float) -> ffmpeg.nodes.FilterableStream:
        return split[index].filter("atrim", start=f"{start:.6f}", end=f"{end:.6f}").filter("asetpts", "N/SR/TB")

    head = part(0, 0, loop_s)
    joint = ffmpeg.filter(
        [part(1, loop_s, loop_s + crossfade_s), part(2, 0, crossfade_s)],
        "acrossfade",
        d=f"{crossfade_s:.6f}",
        c1="tri",
        c2="tri",
    )
    cycle = ffmpeg.concat(joint, part(3, crossfade_s, loop_s), v=0, a=1)
    # aloop counts samples; the cycle is exactly loop_ms long.
    repeated = cycle.filter("aloop", loop=-1, size=loop_ms * AUDIO_RATE // 1000).filter("asetpts", "N/SR/TB")
    return ffmpeg.concat(head, repeated, v=0, a=1)


# Short fades where a clip's sound starts and stops: no clicks at scene changes.
CLIP_SOUND_FADE_S = 0.05


def _clip_sounds(
    spec: StoryboardSpec, timeline: Timeline, fmt: dict[str, object]
) -> list[ffmpeg.nodes.FilterableStream]:
    """The sound of each scene whose clip is mixed in: from the clip's start, looped, cut
    to the whole scene (its transitions included), placed at the scene's start."""
    mixed = [
        (i, scene.clip) for i, scene in enumerate(spec.scenes) if scene.clip is not None and scene.clip_audio == "mix"
    ]
    # One input per clip file; a file mixed in several scenes is split (ffmpeg-python
    # merges identical inputs and would otherwise refuse the fan-out).
    sources: dict[str, list[ffmpeg.nodes.FilterableStream]] = {}
    for path, count in Counter(clip for _, clip in mixed).items():
        stream = ffmpeg.input(path, stream_loop=-1).audio.filter("aformat", **fmt)
        if count == 1:
            sources[path] = [stream]
        else:
            split = stream.filter_multi_output("asplit", count)
            sources[path] = [split[i] for i in range(count)]
    sounds = []
    for index, clip in mixed:
        seconds = Fraction(timeline.scene_frames[index], timeline.fps)
        fade = min(CLIP_SOUND_FADE_S, float(seconds) / 4)
        sound = (
            sources[clip]
            .pop(0)
            .filter("atrim", duration=f"{float(seconds):.6f}")
            .filter("asetpts", "N/SR/TB")
            .filter("afade", t="in", d=f"{fade:.3f}")
            .filter("afade", t="out", st=f"{float(seconds) - fade:.6f}", d=f"{fade:.3f}")
        )
        start_ms = timeline.scene_start_ms(index)
        if start_ms > 0:
            sound = sound.filter("adelay", delays=start_ms, all=1)
        sounds.append(sound)
    return sounds
