"""WordNet's parsed index, written at setup and read instead of parsing (mediakit.lexicon)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mediakit import lexicon


@pytest.fixture
def wordnet_copy(tmp_path: Path) -> Path:
    """A private copy of the WordNet folder (without its written index), so these tests
    never touch the one setup made."""
    copy = tmp_path / "wordnet"
    shutil.copytree(lexicon.wordnet_dir(), copy, ignore=shutil.ignore_patterns(lexicon.INDEX_CACHE_NAME))
    return copy


def test_the_written_index_reads_as_the_parsed_one(wordnet_copy: Path) -> None:
    assert lexicon.index_cache_build(wordnet_copy) is True
    assert lexicon.index_cache_build(wordnet_copy) is False  # current: not written again
    cached = lexicon._new_reader(str(wordnet_copy))
    parsed = lexicon._new_reader(str(wordnet_copy), use_cache=False)
    assert cached._lemma_pos_offset_map == parsed._lemma_pos_offset_map
    assert cached.satellite_offsets == parsed.satellite_offsets
    assert len(cached._lemma_pos_offset_map) > 140_000
    # What the scene reader asks gets the same answers: senses, satellites, unknown words.
    for word in ("bank", "spring", "light_bulb", "quickly", "zzzzqx"):
        for pos in (None, "n", "v", "a", "s", "r"):
            assert [s.name() for s in cached.synsets(word, pos)] == [s.name() for s in parsed.synsets(word, pos)]


def test_a_stale_or_damaged_index_is_parsed_again_never_trusted(wordnet_copy: Path) -> None:
    lexicon.index_cache_build(wordnet_copy)
    index = wordnet_copy / lexicon.INDEX_CACHE_NAME
    assert lexicon._read_index_cache(str(wordnet_copy)) is not None
    # A source file changed after the index was written: stale.
    noun = wordnet_copy / "index.noun"
    noun.write_bytes(noun.read_bytes() + b"zzzzqx n 1 0 1 0 00001740  \n")
    assert lexicon._read_index_cache(str(wordnet_copy)) is None
    reader = lexicon._new_reader(str(wordnet_copy))
    assert "zzzzqx" in reader._lemma_pos_offset_map  # parsed from the files themselves
    # Rebuilt, then cut short: unreadable, so parsed.
    assert lexicon.index_cache_build(wordnet_copy) is True
    index.write_bytes(index.read_bytes()[:1000])
    assert lexicon._read_index_cache(str(wordnet_copy)) is None
    assert "zzzzqx" in lexicon._new_reader(str(wordnet_copy))._lemma_pos_offset_map
