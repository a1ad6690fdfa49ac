"""Pure planning of a storyboard on a frame grid.

Scenes overlap by the transition: scene i+1 starts T frames before scene i
ends, so the video lasts sum(scene frames) - (n - 1) * T frames. The video is
rendered as a sequence of bounded pieces, in timeline order:

    body 0 | transition 0->1 | body 1 | transition 1->2 | ... | body n-1

A body piece holds the frames of one scene that are not inside any transition;
a transition piece crossfades the last T frames of scene i with the first T
frames of scene i+1. Consecutive pieces are grouped into segments of bounded
length (group_pieces), each encoded by one FFmpeg process, so memory does not
grow with the length of the video.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from mediakit.spec import StoryboardSpec

BODY = "body"
TRANSITION = "transition"


def ms_to_frames(ms: int, fps: int) -> int:
    """round(ms * fps / 1000), halves rounded up (not to even) so it is predictable."""
    return (2 * ms * fps + 1000) // 2000


def frames_to_ms(frames: int, fps: int) -> int:
    """Start time of a frame in whole milliseconds, halves rounded up."""
    return (2 * frames * 1000 + fps) // (2 * fps)


@dataclass(frozen=True)
class SceneSlice:
    """A run of frames of one scene: frames [first_frame, first_frame + frames)."""

    scene: int
    first_frame: int
    frames: int


@dataclass(frozen=True)
class Piece:
    index: int
    kind: str  # BODY or TRANSITION
    start_frame: int  # first frame of the piece on the video timeline
    frames: int
    slices: tuple[SceneSlice, ...]  # one for a body, (outgoing, incoming) for a transition

    @property
    def end_frame(self) -> int:
        return self.start_frame + self.frames


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    scene: int = 0
    # Index into the scene's phrases when the cue is one phrase (its image is phrase_pngs[i]);
    # None for a cue of a whole scene.
    phrase: int | None = None
    # (word, start_ms) of the cue's words on the video's timeline, when the voice timed them.
    words: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Timeline:
    fps: int
    width: int
    height: int
    scene_frames: tuple[int, ...]
    transition_frames: int
    scene_start_frames: tuple[int, ...]
    total_frames: int
    narration_start_ms: tuple[int | None, ...]
    cues: tuple[Cue, ...]
    pieces: tuple[Piece, ...]

    @property
    def duration(self) -> Fraction:
        """Exact length in seconds."""
        return Fraction(self.total_frames, self.fps)

    @property
    def duration_ms(self) -> int:
        return frames_to_ms(self.total_frames, self.fps)

    @property
    def audio_samples(self) -> int:
        """Length of the soundtrack in samples at 48 kHz, rounded to the nearest sample."""
        return round(self.duration * 48000)

    def scene_start_ms(self, scene: int) -> int:
        return frames_to_ms(self.scene_start_frames[scene], self.fps)


def plan(spec: StoryboardSpec) -> Timeline:
    fps = spec.fps
    n = len(spec.scenes)
    scene_frames = tuple(ms_to_frames(s.duration_ms, fps) for s in spec.scenes)
    t = 0 if spec.transition == "cut" or n == 1 else ms_to_frames(spec.transition_ms, fps)

    for i, frames in enumerate(scene_frames):
        overlapped = (t if i > 0 else 0) + (t if i < n - 1 else 0)
        if frames < max(1, overlapped):
            raise ValueError(
                f"scene {i} lasts {frames} frames, shorter than its transitions "
                f"({overlapped} frames); make it longer or the transition shorter"
            )

    starts: list[int] = []
    pos = 0
    for frames in scene_frames:
        starts.append(pos)
        pos += frames - t
    total = sum(scene_frames) - (n - 1) * t

    narration_start: list[int | None] = []
    for i, scene in enumerate(spec.scenes):
        if scene.narration is None:
            narration_start.append(None)
        else:
            narration_start.append(frames_to_ms(starts[i], fps) + spec.narration_lead_ms)

    total_ms = frames_to_ms(total, fps)
    cues: list[Cue] = []
    for i, scene in enumerate(spec.scenes):
        text = " ".join(scene.caption_text.split())
        if not text:
            continue
        scene_start_ms = frames_to_ms(starts[i], fps)
        start = scene_start_ms + spec.narration_lead_ms
        if scene.phrases:
            # Timing by construction: each phrase was spoken on its own, so its cue is its words.
            for index, (phrase, phrase_start, phrase_end) in enumerate(scene.phrases):
                phrase_text = " ".join(phrase.split())
                cue_start, cue_end = start + phrase_start, min(start + phrase_end, total_ms)
                timed = scene.phrase_words[index] if scene.phrase_words else ()
                words = tuple((word, start + at) for word, at in timed if start + at < cue_end)
                if phrase_text and cue_end > cue_start:
                    cues.append(
                        Cue(start_ms=cue_start, end_ms=cue_end, text=phrase_text, scene=i, phrase=index, words=words)
                    )
            continue
        if scene.narration is not None and scene.narration_ms > 0:
            end = start + scene.narration_ms
        else:
            # A silent scene with words: show them until its outgoing transition.
            outgoing = t if i < n - 1 else 0
            end = frames_to_ms(starts[i] + scene_frames[i] - outgoing, fps)
        end = min(end, total_ms)
        if end > start:
            cues.append(Cue(start_ms=start, end_ms=end, text=text, scene=i))

    pieces: list[Piece] = []
    for i in range(n):
        head = t if i > 0 else 0
        tail = t if i < n - 1 else 0
        body_frames = scene_frames[i] - head - tail
        if body_frames > 0:
            pieces.append(
                Piece(
                    index=len(pieces),
                    kind=BODY,
                    start_frame=starts[i] + head,
                    frames=body_frames,
                    slices=(SceneSlice(scene=i, first_frame=head, frames=body_frames),),
                )
            )
        if tail:
            pieces.append(
                Piece(
                    index=len(pieces),
                    kind=TRANSITION,
                    start_frame=starts[i + 1],
                    frames=t,
                    slices=(
                        SceneSlice(scene=i, first_frame=scene_frames[i] - t, frames=t),
                        SceneSlice(scene=i + 1, first_frame=0, frames=t),
                    ),
                )
            )

    return Timeline(
        fps=fps,
        width=spec.width,
        height=spec.height,
        scene_frames=scene_frames,
        transition_frames=t,
        scene_start_frames=tuple(starts),
        total_frames=total,
        narration_start_ms=tuple(narration_start),
        cues=tuple(cues),
        pieces=tuple(pieces),
    )


def group_pieces(timeline: Timeline, max_frames: int) -> tuple[tuple[Piece, ...], ...]:
    """Consecutive pieces in as few groups as keep each near max_frames, balanced in length.

    Each group is encoded by one FFmpeg process: larger groups pay the
    encoder's start-up and drain less often, smaller ones hold fewer stills in
    memory. A piece goes to the group its middle frame falls in, so a group can
    pass max_frames by at most half a piece.
    """
    if max_frames < 1:
        raise ValueError("max_frames must be >= 1")
    count = max(1, -(-timeline.total_frames // max_frames))
    groups: list[list[Piece]] = [[] for _ in range(count)]
    for piece in timeline.pieces:
        middle = 2 * piece.start_frame + piece.frames  # twice the middle frame, to stay in integers
        index = min(count - 1, middle * count // (2 * timeline.total_frames))
        groups[index].append(piece)
    return tuple(tuple(group) for group in groups if group)
