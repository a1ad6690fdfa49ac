"""Subtitle files (WebVTT, SubRip) from the timeline's caption cues. Pure text.

Readability rule: at most two lines of at most 42 characters on screen. A phrase
cue (timed by the narration, see mediakit.speech) fits by construction. Any other
cue whose text does not fit is split into consecutive cues, its time shared in
proportion to the characters of each part.

A phrase cue whose words were timed by the voice carries them into the WebVTT as inline
timestamps (``one <00:00:01.234>two``), the time each word is said: players and editors can
highlight the word being spoken. SubRip has no such timestamps.
"""

from __future__ import annotations

from collections.abc import Iterable

from mediakit.phrases import caption_words, wrap_caption
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
    blocks: list[tuple[int, int, list[str]]] = []
    for cue in cues:
        blocks.extend(part for part in split_cue(cue) if part[1] > part[0])
    return blocks


def _vtt_escape(line: str) -> str:
    # Cue text is parsed for tags and entities; "-->" would end the cue early.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _timed_lines(start: int, end: int, lines: list[str], words: tuple[tuple[str, int], ...]) -> list[str]:
    """The cue's lines with a timestamp before each word said after the cue starts; the lines
    as they are when the words do not match them one to one."""
    tokens = [caption_words(line) for line in lines]
    if not words or sum(map(len, tokens)) != len(words):
        return [_vtt_escape(line) for line in lines]
    out = []
    index = 0
    previous = start
    for line_tokens in tokens:
        text = ""
        for token, space in line_tokens:
            at = words[index][1]
            index += 1
            stamp = ""
            # WebVTT: each timestamp after the cue's start and the one before, before its end.
            if previous < at < end:
                stamp = f"<{_timestamp(at, '.')}>"
                previous = at
            text += (" " if text and space else "") + stamp + _vtt_escape(token)
        out.append(text)
    return out


def to_vtt(cues: Iterable[Cue]) -> str:
    out = ["WEBVTT", ""]
    for cue in cues:
        parts = [part for part in split_cue(cue) if part[1] > part[0]]
        for start, end, lines in parts:
            out.append(f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}")
            if len(parts) == 1 and cue.words:
                out.extend(_timed_lines(start, end, lines, cue.words))
            else:
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
