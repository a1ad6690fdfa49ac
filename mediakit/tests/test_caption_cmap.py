"""No tofu, checked against the fonts' own character maps: every character of the caption
lines in Japanese (kana and kanji), Arabic, French and German is drawn by a face whose
`cmap` table maps it to a real glyph (not glyph 0, .notdef). The cmap is read here from the
font file itself, independently of the renderer's own glyph test (which compares drawn
masks with .notdef)."""

from __future__ import annotations

import struct
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from mediakit import config
from mediakit.caption_images import _faces, _runs

LINES = {
    "japanese": ("ja", "こんにちは、灯台へようこそ。東京は日本の首都です。"),
    "arabic": ("ar", "مرحبا بكم في المنارة الجميلة!"),
    "french": ("fr", "Le café est très célèbre à Noël, déjà. Où ? « Ça, c’est l’été ! »"),
    "german": ("de", "Die Brücke über den Fluß ist größer als ich dachte. ẞ Ä Ö Ü"),
    "mixed": ("en", "Done! تم 完了 — café, straße"),
}


@lru_cache(maxsize=32)
def cmap_of(path: str, index: int) -> dict[int, int]:
    """Code point -> glyph id from the font's best Unicode cmap subtable (format 4 or 12)."""
    data = Path(path).read_bytes()
    base = 0
    if data[:4] == b"ttcf":
        base = struct.unpack_from(">I", data, 12 + 4 * index)[0]
    num_tables = struct.unpack_from(">H", data, base + 4)[0]
    tables = {}
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, base + 12 + 16 * i)
        tables[tag] = offset
    cmap = tables[b"cmap"]
    count = struct.unpack_from(">H", data, cmap + 2)[0]
    subtables = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        subtables[(platform, encoding)] = cmap + offset
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3)):
        if key in subtables:
            return _read_subtable(data, subtables[key])
    raise AssertionError(f"{path} has no Unicode cmap")


def _read_subtable(data: bytes, at: int) -> dict[int, int]:
    fmt = struct.unpack_from(">H", data, at)[0]
    mapping: dict[int, int] = {}
    if fmt == 12:
        groups = struct.unpack_from(">I", data, at + 12)[0]
        for g in range(groups):
            start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
            for cp in range(start, end + 1):
                mapping[cp] = glyph + cp - start
        return mapping
    assert fmt == 4, fmt
    seg_count = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = at + 14
    starts = ends + 2 * seg_count + 2
    deltas = starts + 2 * seg_count
    range_offsets = deltas + 2 * seg_count
    for s in range(seg_count):
        end = struct.unpack_from(">H", data, ends + 2 * s)[0]
        start = struct.unpack_from(">H", data, starts + 2 * s)[0]
        delta = struct.unpack_from(">h", data, deltas + 2 * s)[0]
        ro_at = range_offsets + 2 * s
        range_offset = struct.unpack_from(">H", data, ro_at)[0]
        for cp in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (cp + delta) & 0xFFFF
            else:
                glyph = struct.unpack_from(">H", data, ro_at + range_offset + 2 * (cp - start))[0]
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            mapping[cp] = glyph
    return mapping


def _drawn(ch: str) -> bool:
    """Characters that must have a glyph of their own (spaces and marks shape with others)."""
    return not ch.isspace() and not unicodedata.category(ch).startswith("M")


def test_the_cmap_reader_can_tell_a_missing_glyph() -> None:
    # The caption font (DejaVu) has Latin but no kana, kanji or Arabic: the check can be false.
    dejavu = cmap_of(config.current().caption_font, 0)
    assert dejavu.get(ord("é"), 0) and dejavu.get(ord("ß"), 0)
    assert not dejavu.get(ord("灯"), 0) and not dejavu.get(ord("こ"), 0)


@pytest.mark.parametrize("name", LINES)
def test_every_character_falls_on_a_face_whose_cmap_has_it(name: str) -> None:
    language, text = LINES[name]
    faces = _faces(language)
    missing = []
    for run in _runs(text, faces):
        table = cmap_of(run.face.path, run.face.index)
        missing += [ch for ch in run.text if _drawn(ch) and not table.get(ord(ch), 0)]
    assert not missing, f"{name}: drawn as .notdef boxes: {missing}"
