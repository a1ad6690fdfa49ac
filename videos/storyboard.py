"""Split a creator's script into scene drafts (narration + visual prompt).

Pure Python: no Django, no I/O. The same script always gives the same storyboard.

Pipeline: ``normalize_script`` turns pasted text or Markdown into blocks (paragraphs,
headings, list items), each ending in punctuation; every block is split into sentences;
sentences longer than ~1.6x the target are cut at clause boundaries, then at word
boundaries; finally consecutive pieces are grouped into scenes of about ``target_seconds``
of speech.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from mediakit.lexicon import lexicon_available
from mediakit.speech_text import normalize_for_speech
from mediakit.words import STOPWORDS as _SHARED_STOPWORDS

__all__ = [
    "STOPWORDS",
    "VISUAL_STYLE",
    "SceneDraft",
    "ScriptError",
    "estimate_seconds",
    "normalize_script",
    "split_script",
    "split_sentences",
    "visual_prompt_for",
]

VISUAL_STYLE = "cinematic illustration"

# A sentence longer than this many targets is cut at clause or word boundaries.
_LONG_SENTENCE_FACTOR = 1.6
# Several pieces are only grouped into one scene while it stays this short.
_MERGE_CAP_FACTOR = 1.3
# A scene shorter than this many targets is only kept where nothing can join it.
_SHORT_SCENE_FACTOR = 0.6
# What joining two paragraphs in one scene costs, in squared seconds off the target: a
# scene follows the script's paragraphs unless a paragraph is too short to stand alone.
_PARAGRAPH_JOIN_COST = 6.0
# Pieces produced by cutting a long sentence are at least this many words long.
_MIN_PIECE_WORDS = 3
_MAX_PROMPT_WORDS = 8

_TERMINATORS = ".!?…。！？"
# Closing quotes and brackets that may follow the stop: `He said "Go." Then...`
_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'“‘«([{"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words whose trailing dot never ends a sentence (titles, references, "e.g.").
_ABBREVIATIONS = _word_set(
    """
    mr mrs ms dr prof sr jr st mt ft rev gen col lt sgt capt cmdr gov sen rep hon pres
    vs e.g eg i.e ie cf al approx ca est dept univ assn bros inc ltd co corp
    no nos fig figs vol vols ch chap sec pp p para ed eds op
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    """
)
# Words that end a sentence only when the next word plainly starts a new one
# ("... and so on, etc. The next ..."), since they also occur mid-sentence.
_AMBIGUOUS_ABBREVIATIONS = frozenset({"etc", "a.m", "p.m", "am", "pm"})
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_SINGLE_INITIAL = re.compile(r"^[A-Z]\.$")

_STRONG_CLAUSE_ENDS = (";", ":", "—", "–")
_DASHES = frozenset({"—", "–", "-", "--"})
_CONJUNCTIONS = _word_set(
    """
    and but or nor so yet because although though while whereas which who whom whose
    where when until unless since after before then however therefore
    """
)

# Function words and very common verbs/adverbs: shared with stock search queries.
STOPWORDS = _SHARED_STOPWORDS

_HEADING = re.compile(r"^#{1,6}\s*(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(?:[-*+•·▪‣]|\d{1,2}[.)])\s+(.*)$")
_BLOCKQUOTE = re.compile(r"^(?:>\s?)+")
_RULE = re.compile(r"^(?:[-*_=]\s*){3,}$")
_FENCE = re.compile(r"^(?:```|~~~)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<!\w)_{1,3}(?=\S)(.+?)(?<=\S)_{1,3}(?!\w)")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_WHITESPACE = re.compile(r"\s+")
_WORD_CHARS = re.compile(r"\w", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")
_PROMPT_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class SceneDraft:
    narration: str
    visual_prompt: str


class ScriptError(ValueError):
    """The script cannot be turned into a storyboard; the message is shown to the creator."""


def split_script(
    script: str,
    *,
    rate_wpm: int = 175,
    target_seconds: float = 5.0,
    max_chars: int = 20000,
    max_scenes: int = 120,
    language: str = "",
    title: str = "",
) -> list[SceneDraft]:
    """Split ``script`` into scenes of about ``target_seconds`` of narration each.

    Joining the narrations with single spaces gives back ``normalize_script(script)``.
    Raises ``ScriptError`` for an empty, over-long or too fragmented script.
    """
    if rate_wpm <= 0 or target_seconds <= 0:
        raise ValueError("rate_wpm and target_seconds must be positive")
    length = len(script.strip())
    if length > max_chars:
        raise ScriptError(f"The script is {length:,} characters; the limit is {max_chars:,}.")
    blocks = _blocks(script)
    if not any(_WORD_CHARS.search(block) for block in blocks):
        raise ScriptError("The script is empty: write at least one sentence.")

    words_per_target = target_seconds * rate_wpm / 60
    max_piece_words = max(_MIN_PIECE_WORDS, int(words_per_target * _LONG_SENTENCE_FACTOR))
    pieces: list[list[str]] = []
    paragraph_of: list[int] = []
    for number, block in enumerate(blocks):
        for sentence in _split_sentences(block.split(" ")):
            for piece in _split_long(sentence, max_words=max_piece_words):
                pieces.append(piece)
                paragraph_of.append(number)

    scenes = _group(
        pieces,
        seconds=[_speech_seconds(piece, rate_wpm) for piece in pieces],
        target=target_seconds,
        cap=target_seconds * _MERGE_CAP_FACTOR,
        floor=target_seconds * _SHORT_SCENE_FACTOR,
        paragraph_of=paragraph_of,
    )
    if len(scenes) > max_scenes:
        raise ScriptError(
            f"The script makes {len(scenes):,} scenes; the limit is {max_scenes:,}. "
            "Shorten it or split it into several videos."
        )

    all_words = [word for piece in pieces for word in piece]
    # Names are recognised across the whole script, so "Mara" keeps its capital even
    # in a scene where it starts the sentence.
    proper_nouns = _proper_nouns(all_words)
    fallback = _keywords(all_words, proper_nouns=proper_nouns)
    whole = " ".join(all_words)
    english = language[:2] in ("", "en")
    # Imported on first use, as in visual_prompt_for.
    from mediakit.scene_reader import script_topics

    topics = tuple(script_topics(whole, title=title)) if english and lexicon_available() else ()
    return [
        SceneDraft(
            narration=" ".join(scene),
            visual_prompt=visual_prompt_for(
                " ".join(scene),
                fallback=fallback,
                proper_nouns=proper_nouns,
                context=whole,
                topics=topics,
                language=language,
            ),
        )
        for scene in scenes
    ]


def normalize_script(script: str) -> str:
    """The script as narrated: Markdown markers removed, whitespace collapsed, and every
    paragraph, heading and list item ending in punctuation."""
    return " ".join(_blocks(script))


def split_sentences(script: str) -> list[str]:
    """The sentences of ``normalize_script(script)``; headings and list items end one."""
    return [" ".join(sentence) for block in _blocks(script) for sentence in _split_sentences(block.split(" "))]


def estimate_seconds(text: str, *, rate_wpm: int = 175) -> float:
    """Seconds of speech for ``text`` at ``rate_wpm`` (words that carry letters or digits)."""
    return _speech_seconds(text.split(), rate_wpm)


def visual_prompt_for(
    text: str,
    *,
    fallback: tuple[str, ...] = (),
    proper_nouns: frozenset[str] | None = None,
    context: str = "",
    topics: tuple[str, ...] = (),
    language: str = "",
) -> str:
    """What the scene's picture should show, in words the creator can read and edit, plus
    the house style: "lighthouse on a cliff, night, cinematic illustration".

    The scene reader (``mediakit.scene_reader``) reads ``text`` in the light of the whole
    script (``context``); a scene whose point is a number becomes a data card ("chart:" and
    the sentence); a scene with no drawable thing of its own is read as about the script's
    topic (``topics``). Without WordNet installed, the salient words of ``text`` stand in
    (``fallback`` when it has none; ``proper_nouns`` keep their capital)."""
    # Imported on the first scene: the data cards load NumPy and the drawing code, the
    # scene reader WordNet's tables; a process that splits no script (a worker start,
    # `make_video --help`) never needs them.
    from mediakit.data_card import figure_is_the_point, find_figure
    from mediakit.illustration import FIGURE_PREFIX
    from mediakit.scene_reader import read_scene

    figure = find_figure(text) if language[:2] in ("", "en") else None
    if figure is not None and figure_is_the_point(figure, text):
        return f"{FIGURE_PREFIX} {' '.join(text.split())[:300]}"
    if lexicon_available():
        reading = read_scene(text, context=context, topics=topics, language=language)
        described = reading.description()
        if described:
            return f"{described}, {VISUAL_STYLE}"
    words = text.split()
    if proper_nouns is None:
        proper_nouns = _proper_nouns(words)
    keywords = _keywords(words, proper_nouns=proper_nouns)
    return f"{', '.join(keywords or fallback or ('abstract', 'shapes'))}, {VISUAL_STYLE}"


# --- normalisation ------------------------------------------------------------------------


def _blocks(script: str) -> list[str]:
    text = unicodedata.normalize("NFC", script).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[str] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            _add_block(blocks, " ".join(paragraph))
            paragraph.clear()

    for raw_line in text.split("\n"):
        line = _BLOCKQUOTE.sub("", raw_line.strip()).strip()
        if not line or _RULE.match(line) or _FENCE.match(line):
            end_paragraph()
            continue
        # A heading or a list item is a block of its own, whatever its punctuation.
        marker = (_HEADING.match(line) if line.startswith("#") else None) or _BULLET.match(line)
        if marker:
            end_paragraph()
            _add_block(blocks, marker.group(1))
            continue
        paragraph.append(line)
    end_paragraph()
    return blocks


def _add_block(blocks: list[str], text: str) -> None:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS_UNDERSCORE.sub(r"\1", text)
    text = text.replace("*", "").replace("`", "")
    text = _WHITESPACE.sub(" ", text).strip()
    if not _WORD_CHARS.search(text):
        return
    core = text.rstrip(_CLOSERS)
    if core[-1] == ",":
        text = core[:-1] + "." + text[len(core) :]
    elif core[-1] not in _TERMINATORS + ":;":
        text += "."
    blocks.append(text)


# --- sentences ----------------------------------------------------------------------------


def _split_sentences(words: list[str]) -> list[list[str]]:
    sentences: list[list[str]] = []
    current: list[str] = []
    for index, word in enumerate(words):
        current.append(word)
        following = words[index + 1] if index + 1 < len(words) else None
        if following is None or _ends_sentence(word, following):
            sentences.append(current)
            current = []
    return sentences


def _ends_sentence(word: str, following: str) -> bool:
    core = word.rstrip(_CLOSERS)
    if not core or core[-1] not in _TERMINATORS:
        return False
    next_core = following.lstrip(_OPENERS)
    # "Wait... what?" / "“Help!” she cried." / "e.g. the" continue the sentence.
    if not next_core or not next_core[0].isupper() and not next_core[0].isdigit():
        return False
    if core[-1] != "." or core.endswith(".."):
        return True
    stem = core.lstrip(_OPENERS)[:-1]
    lowered = stem.lower()
    if lowered in _ABBREVIATIONS or _SINGLE_INITIAL.match(stem + "."):
        return False
    if lowered in _AMBIGUOUS_ABBREVIATIONS or _INITIALISM.match(stem + "."):
        # "the U.S. Army" goes on; "moved to the U.S. Then it..." ends.
        return next_core.lower().strip(_CLOSERS + ",;:") in STOPWORDS
    return True


def _split_long(words: list[str], *, max_words: int) -> list[list[str]]:
    if _spoken_words(words) <= max_words:
        return [words]
    cut = _best_cut(words)
    if cut is None:
        count = -(-len(words) // max_words)
        size = -(-len(words) // count)
        return [words[start : start + size] for start in range(0, len(words), size)]
    return _split_long(words[:cut], max_words=max_words) + _split_long(words[cut:], max_words=max_words)


def _best_cut(words: list[str]) -> int | None:
    """Index of the first word of the second half, at the strongest clause boundary
    nearest the middle; None when the sentence has no usable clause boundary."""
    best: tuple[int, float, int] | None = None
    middle = len(words) / 2
    for cut in range(_MIN_PIECE_WORDS, len(words) - _MIN_PIECE_WORDS + 1):
        before, after = words[cut - 1], words[cut]
        stripped = before.rstrip(_CLOSERS)
        if stripped.endswith(_STRONG_CLAUSE_ENDS) or before in _DASHES or after in _DASHES:
            strength = 3
        elif stripped.endswith(","):
            strength = 2
        elif after.lower() in _CONJUNCTIONS:
            strength = 1
        else:
            continue
        key = (-strength, abs(cut - middle), cut)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


# --- scenes -------------------------------------------------------------------------------


def _group(
    pieces: list[list[str]],
    *,
    seconds: list[float],
    target: float,
    cap: float,
    floor: float = 0.0,
    paragraph_of: list[int] | None = None,
) -> list[list[str]]:
    """Group consecutive pieces into scenes, minimising the squared distance of each
    scene's length from ``target``; a scene of several pieces stays within ``cap``. A
    scene under ``floor`` costs extra, and so does each paragraph break inside a scene
    (``paragraph_of``: the paragraph of each piece), so scenes follow paragraphs."""
    count = len(pieces)
    paragraph_of = paragraph_of or [0] * count
    best_cost = [0.0] + [float("inf")] * count
    start_of = [0] * (count + 1)
    for end in range(1, count + 1):
        length = 0.0
        for start in range(end - 1, -1, -1):
            length += seconds[start]
            if start < end - 1 and length > cap:
                break
            joins = paragraph_of[end - 1] - paragraph_of[start]
            short = max(floor - length, 0.0)
            cost = best_cost[start] + (length - target) ** 2 + 2 * short**2 + _PARAGRAPH_JOIN_COST * joins
            # Strict "<" plus the fixed scan order keeps ties deterministic.
            if cost < best_cost[end]:
                best_cost[end] = cost
                start_of[end] = start
    scenes: list[list[str]] = []
    end = count
    while end > 0:
        start = start_of[end]
        scenes.append([word for piece in pieces[start:end] for word in piece])
        end = start
    scenes.reverse()
    return scenes


# Chinese and Japanese are written without spaces: a whole paragraph is one "word". Their
# speech takes about half an English word's time per character (Japanese at a normal pace,
# six characters a second, against 175 words a minute).
_CJK_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_WORDS_PER_CJK_CHAR = 0.5


def _spoken_words(words: list[str]) -> float:
    total = 0.0
    for word in words:
        cjk = len(_CJK_CHARS.findall(word))
        if cjk:
            total += cjk * _WORDS_PER_CJK_CHAR
        elif _WORD_CHARS.search(word):
            total += 1
    return total


def _speech_seconds(words: list[str], rate_wpm: int) -> float:
    # Counted as spoken: "$4.2 million" is five words, a URL a few, not one each.
    spoken = normalize_for_speech(" ".join(words)).split()
    return _spoken_words(spoken) * 60 / rate_wpm


# --- visual prompts -----------------------------------------------------------------------


def _tokens(words: list[str]) -> Iterator[tuple[str, bool]]:
    """Each word-like token (possessive "'s" dropped) and whether it starts a sentence."""
    sentence_start = True
    for index, word in enumerate(words):
        # A capital after an opening quote starts a sentence, not a name.
        sentence_start = sentence_start or word[:1] in _OPENERS
        for token in _PROMPT_TOKEN.findall(word):
            yield _POSSESSIVE.sub("", token), sentence_start
            sentence_start = False
        following = words[index + 1] if index + 1 < len(words) else ""
        sentence_start = sentence_start or _ends_sentence(word, following)


def _proper_nouns(words: list[str]) -> frozenset[str]:
    """Words (lowercased) written with a capital mid-sentence and never in lowercase."""
    capitalised: set[str] = set()
    lowercase: set[str] = set()
    for token, at_start in _tokens(words):
        if token[0].islower():
            lowercase.add(token.lower())
        elif token[0].isupper() and not at_start:
            capitalised.add(token.lower())
    return frozenset(capitalised - lowercase)


def _keywords(words: list[str], *, proper_nouns: frozenset[str]) -> tuple[str, ...]:
    candidates: list[tuple[int, str]] = []
    seen: set[str] = set()
    for token, _ in _tokens(words):
        lowered = token.lower()
        if len(token) < 3 or token.isdigit() or lowered in seen or lowered.replace("’", "'") in STOPWORDS:
            continue
        seen.add(lowered)
        if lowered in proper_nouns:
            candidates.append((len(token) + 3, token))
        elif token.isupper():  # an acronym: NASA, UN
            candidates.append((len(token) + 3, token))
        else:
            candidates.append((len(token), lowered))
    # The most salient words (longer, names), shown in the order they were said.
    ranked = sorted(range(len(candidates)), key=lambda i: (-candidates[i][0], i))
    chosen = sorted(ranked[:_MAX_PROMPT_WORDS])
    return tuple(candidates[i][1] for i in chosen)
