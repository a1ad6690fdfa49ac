"""When each word of a caption phrase is spoken. Pure: no I/O, no processes.

piper reports how many samples each phoneme of its output lasts (its alignments, read through
its own HTTP program: piper is GPL-3.0 and never imported here). Its phoneme stream puts a space
between words, except where espeak-ng, which phonemises for it, runs short function words into
the next word ("of the" -> "ʌvðə"): such a group is split by the words' own phoneme lengths
(espeak-ng phonemising each word on its own line).

The phrase's caption tokens (the script's words, "$4.2") are then matched to the spoken words
("four point two million dollars") by a monotone alignment, so each token starts when its first
spoken word does.

Where a voice reports no timing (espeak-ng's command line has no word events, a recording), the
words of a phrase share its speech by their phoneme or letter counts: `starts_by_length`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = [
    "phoneme_length",
    "spoken_words",
    "starts_by_length",
    "token_starts",
    "word_starts_from_alignments",
]

_STRESS = "ˈˌ"
_LENGTH_MARKS = "ːˑ"
# Alignment entries that are no phoneme of a word: piper's sentence start and end, punctuation.
_NOT_PHONEMES = frozenset('^$_.,;:!?¡¿—…"«»“”()-')


def phoneme_length(phonemes: str) -> int:
    """Phonemes in an IPA string, not counting stress or length marks."""
    return sum(1 for ch in phonemes if ch not in _STRESS and ch not in _LENGTH_MARKS and not ch.isspace())


def spoken_words(spoken: str) -> list[str]:
    """The words a voice says for `spoken` (already normalised for speech), punctuation dropped."""
    words = []
    for raw in spoken.split():
        word = raw.strip(".,;:!?¡¿—–…\"'“”‘’«»()[]{}")
        if any(ch.isalnum() for ch in word):
            words.append(word)
    return words


def _groups(alignments: Sequence[tuple[str, int]]) -> list[tuple[int, list[tuple[str, int]]]]:
    """(start sample, phonemes with their sample counts) of each space-separated group."""
    groups: list[tuple[int, list[tuple[str, int]]]] = []
    position = 0
    current: list[tuple[str, int]] | None = None
    for phoneme, samples in alignments:
        if phoneme.isspace() or phoneme in _NOT_PHONEMES:
            current = None
        elif phoneme in _STRESS or phoneme in _LENGTH_MARKS:
            if current is not None:
                current.append((phoneme, samples))
            else:
                # A stress mark opens a word: the word starts with it.
                current = [(phoneme, samples)]
                groups.append((position, current))
        else:
            if current is None:
                current = []
                groups.append((position, current))
            current.append((phoneme, samples))
        position += samples
    return groups


def _align_groups(word_lengths: Sequence[int], group_lengths: Sequence[int]) -> list[tuple[int, int, int, int]] | None:
    """Monotone match of words to phoneme groups: (first word, word count, first group, group
    count) runs, each one word to one group, several words run into one group, or one word
    spoken as several groups. None if nothing matches."""
    inf = float("inf")
    n, m = len(word_lengths), len(group_lengths)
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for words, groups in ((1, 1), (2, 1), (3, 1), (4, 1), (1, 2), (1, 3)):
                if i + words > n or j + groups > m:
                    continue
                want = sum(word_lengths[i : i + words])
                got = sum(group_lengths[j : j + groups])
                step = abs(want - got) / max(1, want) + 0.35 * (words - 1 + groups - 1)
                if cost[i][j] + step < cost[i + words][j + groups]:
                    cost[i + words][j + groups] = cost[i][j] + step
                    back[i + words][j + groups] = (words, groups)
    if cost[n][m] == inf:
        return None
    runs = []
    i, j = n, m
    while i or j:
        move = back[i][j]
        assert move is not None
        words, groups = move
        i, j = i - words, j - groups
        runs.append((i, words, j, groups))
    return runs[::-1]


def word_starts_from_alignments(
    word_phonemes: Sequence[str], alignments: Sequence[tuple[str, int]]
) -> list[int] | None:
    """The start sample of each word, from piper's (phoneme, samples) alignments and each
    word's own phonemes (`word_phonemes`, from espeak-ng one word at a time). None when the
    two cannot be matched (then time the words by length)."""
    if not word_phonemes:
        return []
    groups = _groups(alignments)
    if not groups:
        return None
    group_lengths = [phoneme_length("".join(p for p, _ in phonemes)) for _, phonemes in groups]
    word_lengths = [max(1, phoneme_length(p)) for p in word_phonemes]
    runs = _align_groups(word_lengths, group_lengths)
    if runs is None:
        return None
    starts: list[int] = []
    for first_word, words, first_group, _groups_count in runs:
        start, phonemes = groups[first_group]
        starts.append(start)
        if words == 1:
            continue
        # Words run together: each later word starts after the phonemes of the ones before it.
        lengths = word_lengths[first_word : first_word + words]
        total = sum(lengths)
        real = sum(1 for p, _ in phonemes if p not in _STRESS and p not in _LENGTH_MARKS)
        position, counted, index, done = start, 0, 0, 0
        for length in lengths[:-1]:
            done += length
            # The group's phonemes that belong to the words so far, by their share.
            until = round(done * real / total)
            while index < len(phonemes) and counted < until:
                phoneme, samples = phonemes[index]
                position += samples
                index += 1
                if phoneme not in _STRESS and phoneme not in _LENGTH_MARKS:
                    counted += 1
            starts.append(position)
    return starts


def starts_by_length(lengths: Sequence[int], start: int, end: int) -> list[int]:
    """Start of each word when `lengths` share the span start..end in proportion."""
    weights = [max(1, n) for n in lengths]
    total = sum(weights)
    out, done = [], 0
    for weight in weights:
        out.append(start + round((end - start) * done / total))
        done += weight
    return out


_WORDISH = re.compile(r"[\W_]+", re.UNICODE)


def _key(word: str) -> str:
    return _WORDISH.sub("", word.lower())


def token_starts(
    tokens: Sequence[str],
    spoken: Sequence[str],
    spoken_starts: Sequence[int],
    normalise: Callable[[str], str],
    end: int,
) -> list[int]:
    """Start of each caption token, given the spoken words and their starts.

    Each token is normalised on its own ("$4.2" -> "four point two dollars") to say how many
    spoken words it should cover and which one it starts with; a monotone alignment then
    tolerates what context changes ("$4.2 million" is said "four point two million dollars").
    A token that says nothing (a dash, an emoji) starts with the token after it.
    """
    n, m = len(tokens), len(spoken)
    if n == 0:
        return []
    if m == 0:
        return [end] * n
    expected = [spoken_words(normalise(token)) for token in tokens]
    keys = [_key(word) for word in spoken]
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n):
        want = expected[i]
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for take in range(0, min(m - j, len(want) + 3) + 1):
                # A token's first word said as written counts most; how many words it
                # became depends on its neighbours ("$4.2 million": "... million dollars").
                step = 0.5 * abs(take - len(want))
                if take and want and _key(want[0]) != keys[j]:
                    step += 2.0
                if take == 0 and want:
                    step += 1.0
                if cost[i][j] + step < cost[i + 1][j + take]:
                    cost[i + 1][j + take] = cost[i][j] + step
                    back[i + 1][j + take] = take
    firsts: list[int | None] = [None] * n
    j = m
    for i in range(n, 0, -1):
        take = back[i][j]
        j -= take
        firsts[i - 1] = j if take else None
    starts: list[int] = []
    following = end
    for i in range(n - 1, -1, -1):
        first = firsts[i]
        if first is not None:
            following = spoken_starts[first]
        starts.append(following)
    starts.reverse()
    # Never earlier than the token before (ties allowed: a dash and its word start together).
    for i in range(1, n):
        starts[i] = max(starts[i], starts[i - 1])
    return starts
