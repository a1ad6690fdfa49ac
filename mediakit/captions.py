"""Subtitle files (WebVTT, SubRip) from the timeline's caption cues. Pure text.

Readability rule: at most two lines of at most 42 characters on screen. A phrase
cue (timed by the narration, see mediakit.speech) fits by construction. Any other
cue whose text does not fit is split into consecutive cues, its time shared in
proportion to the characters of each part.
"""

from __future__ import annotations

from collections.abc import Iterable

from mediakit.phrases import wrap_caption
from mediakit.timeline import Cue

MAX_LINE_CHARS = 42
MAX_LINES = 2


def wrap_words(text: str, width: int = MAX_LINE_CHARS) -> list[str]:
    """Greedy word wrap; a word longer than the width is broken."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def split_cue(cue: Cue) -> list[tuple[int, int, list[str]]]:
    """(start_ms, end_ms, lines) parts of a cue, each at most MAX_LINES lines.

    A phrase cue is never split: it fits by construction, on the same balanced lines as its
    burned-in image (phrases.wrap_caption).
    """
    if cue.phrase is not None:
        try:
            return [(cue.start_ms, cue.end_ms, wrap_caption(cue.text, MAX_LINE_CHARS))]
        except ValueError:
            pass  # longer than a cue should be: shared out below like any other text
    lines = wrap_words(cue.text)
    if not lines:
        return []
    groups = [lines[i : i + MAX_LINES] for i in range(0, len(lines), MAX_LINES)]
    if len(groups) == 1:
        return [(cue.start_ms, cue.end_ms, groups[0])]
    weights = [sum(len(line) for line in group) for group in groups]
    total = sum(weights)
    span = cue.end_ms - cue.start_ms
    parts = []
    start = cue.start_ms
    done = 0
    for group, weight in zip(groups, weights, strict=True):
        done += weight
        end = cue.start_ms + round(span * done / total)
        parts.append((start, end, group))
        start = end
    return parts


def _timestamp(ms: int, separator: str) -> str:
    if ms < 0:
        raise ValueError(f"negative cue time {ms} ms")
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _blocks(cues: Iterable[Cue]) -> list[tuple[int, int, list[str]]]:
    blocks = []
    for cue in cues:
        blocks.extend(part for part in split_cue(cue) if part[1] > part[0])
    return blocks


def _vtt_escape(line: str) -> str:
    # Cue text is parsed for tags and entities; "-->" would end the cue early.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: Iterable[Cue]) -> str:
    out = ["WEBVTT", ""]
    for start, end, lines in _blocks(cues):
        out.append(f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}")
        out.extend(_vtt_escape(line) for line in lines)
        out.append("")
    return "\n".join(out)


def to_srt(cues: Iterable[Cue]) -> str:
    out = []
    for number, (start, end, lines) in enumerate(_blocks(cues), start=1):
        out.append(str(number))
        out.append(f"{_timestamp(start, ',')} --> {_timestamp(end, ',')}")
        out.extend(lines)
        out.append("")
    return "\n".join(out)
