"""A render whose segments are shared (render_master's SegmentShare): segments encoded by
another worker with render_segment and joined give the same master as one worker's render."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest

from mediakit.errors import FFmpegCanceled
from mediakit.render import render_master, render_segment, render_segments
from mediakit.tests.test_composition_render import assert_meets_the_contract, assets, storyboard  # noqa: F401
from mediakit.timeline import plan

SEGMENT_MS = 1000


class OtherWorker:
    """A SegmentShare whose odd segments another worker (a thread) encodes with render_segment."""

    def __init__(self, spec, tmp: Path) -> None:
        self.spec = spec
        self.count = len(render_segments(spec, plan(spec), segment_max_ms=SEGMENT_MS))
        self.tmp = tmp
        self.lock = threading.Lock()
        self.free = list(range(0, self.count, 2))
        self.frames: dict[int, int] = {}
        self.done: set[int] = set()
        self.progress_seen: list[int] = []
        self.made_elsewhere: dict[int, Path] = {}
        self.thread = threading.Thread(target=self._other)
        self.thread.start()

    def _other(self) -> None:
        for index in range(1, self.count, 2):
            out = self.tmp / f"other-{index}.mp4"
            frames = render_segment(
                self.spec,
                index,
                out,
                on_frames=lambda f, i=index: self._set(i, f),
                timeout_s=60,
                segment_max_ms=SEGMENT_MS,
            )
            with self.lock:
                self.frames[index] = frames
                self.made_elsewhere[index] = out
                self.done.add(index)

    def _set(self, index: int, frames: int) -> None:
        with self.lock:
            self.frames[index] = frames

    def claim(self) -> int | None:
        with self.lock:
            return self.free.pop(0) if self.free else None

    def progress(self, index: int, frames_done: int) -> None:
        self._set(index, frames_done)

    def finished(self, index: int) -> None:
        with self.lock:
            self.done.add(index)

    def frames_done(self) -> tuple[int, int]:
        with self.lock:
            return len(self.done), sum(self.frames.values())

    def fetch(self, index: int, dest: Path) -> Path:
        return Path(shutil.copy(self.made_elsewhere[index], dest))


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_a_master_from_shared_segments_is_the_one_workers_master(assets: dict, tmp_path: Path) -> None:  # noqa: F811
    spec = storyboard(assets, tmp_path, fps=24)
    alone = render_master(spec, tmp_path / "alone", timeout_s=120, segment_max_ms=SEGMENT_MS)
    share = OtherWorker(spec, tmp_path)
    assert share.count >= 3
    seen: list[float] = []
    shared = render_master(
        spec,
        tmp_path / "shared",
        timeout_s=120,
        segment_max_ms=SEGMENT_MS,
        shared=share,
        on_progress=lambda stage, fraction: seen.append(fraction),
    )
    share.thread.join()
    assert share.made_elsewhere, "the other worker encoded some segments"
    assert_meets_the_contract(shared.info, spec)
    assert _md5(shared.master_path) == _md5(alone.master_path)
    assert _md5(shared.poster_path) == _md5(alone.poster_path)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_a_shared_render_stops_when_the_share_says_so(assets: dict, tmp_path: Path) -> None:  # noqa: F811
    spec = storyboard(assets, tmp_path, fps=24)

    class Canceled(OtherWorker):
        def claim(self) -> int | None:
            raise FFmpegCanceled("the job was canceled")

    share = Canceled(spec, tmp_path)
    with pytest.raises(FFmpegCanceled):
        render_master(spec, tmp_path / "out", timeout_s=120, segment_max_ms=SEGMENT_MS, shared=share)
    share.thread.join()
    assert list((tmp_path / "out").iterdir()) == []
