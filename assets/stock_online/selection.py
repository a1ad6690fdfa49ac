"""Choosing one stock item per scene of a video.

For each scene, in order, its search terms are tried most specific first, and for each
term the providers in the order given. What a scene takes, in order of preference:
1. a clip at least as long as the scene (when clips were asked for),
2. a photo (Ken Burns makes it move),
3. a shorter clip, which the compositor loops (`StockPick.loops`).
Every item must suit the frame's orientation and cover its size, and no item is used
twice in one video. The same inputs and the same search answers always give the same
picks. Search answers are remembered for the call, so scenes sharing a term cost one
request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from assets.stock_online.base import (
    Kind,
    StockAuthError,
    StockCandidate,
    StockError,
    StockProvider,
    StockQuery,
    orientation_fits,
)
from assets.stock_online.queries import stock_queries_for


@dataclass(frozen=True)
class StockPick:
    candidate: StockCandidate | None
    # Why nothing was picked (a scene warning), or "" when something was.
    reason: str = ""
    # A clip shorter than its scene: the compositor loops it.
    loops: bool = False
    # Problems met on the way even when something was picked ("Pixabay is rate limiting...").
    notes: tuple[str, ...] = ()


@dataclass
class _Tally:
    # Each result seen for the scene (provider, id, kind) -> why it was turned down last.
    rejected: dict[tuple[str, str, str], str] = field(default_factory=dict)


def _why_not(candidate: StockCandidate, query: StockQuery, used: set[tuple[str, str]]) -> str | None:
    if candidate.key in used:
        return "already used in this video"
    if not orientation_fits(candidate.width, candidate.height, query.orientation):
        return f"not {query.orientation}"
    if candidate.width < query.min_width or candidate.height < query.min_height:
        return f"smaller than {query.min_width}x{query.min_height}"
    return None


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


class _Picker:
    """The state one `pick_for_scenes` call shares across its scenes."""

    def __init__(self, providers: Sequence[StockProvider], base: StockQuery, used: set[tuple[str, str]]) -> None:
        self.providers = providers
        self.base = base
        self.used = used
        self.cache: dict[tuple[str, str, str], list[StockCandidate]] = {}
        self.failed: set[str] = set()  # providers that refused the key: not asked again

    def results(self, provider: StockProvider, term: str, kind: Kind, notes: list[str]) -> list[StockCandidate]:
        key = (provider.name, term, kind)
        if key in self.cache:
            return self.cache[key]
        if provider.name in self.failed:
            return []
        try:
            self.cache[key] = provider.search(self.base.with_terms(term).with_kind(kind))
        except StockAuthError as exc:
            self.failed.add(provider.name)
            notes.append(str(exc))
            return []
        except StockError as exc:
            # A rate limit or an outage on one term is not remembered: a later scene asks again.
            notes.append(str(exc))
            return []
        return self.cache[key]

    def first(
        self,
        kind: Kind,
        terms: list[str],
        accept: Callable[[StockCandidate], bool],
        tally: _Tally,
        notes: list[str],
    ) -> StockCandidate | None:
        for term in terms:
            for provider in self.providers:
                for candidate in self.results(provider, term, kind, notes):
                    why = _why_not(candidate, self.base, self.used)
                    if why is None and not accept(candidate):
                        why = "shorter than the scene"
                    if why is None:
                        return candidate
                    tally.rejected[(candidate.provider, candidate.id, candidate.kind)] = why
        return None

    def pick(self, terms: list[str], duration_ms: int) -> StockPick:
        notes: list[str] = []
        tally = _Tally()
        found: StockCandidate | None = None
        loops = False
        if terms and self.providers:
            if self.base.kind == "video":
                found = self.first("video", terms, lambda c: (c.duration_ms or 0) >= duration_ms, tally, notes)
            if found is None:
                found = self.first("photo", terms, lambda c: True, tally, notes)
            if found is None and self.base.kind == "video":
                found = self.first("video", terms, lambda c: (c.duration_ms or 0) > 0, tally, notes)
                loops = found is not None
        if found is None:
            return StockPick(None, reason=_reason(self.providers, terms, self.base, tally, notes))
        self.used.add(found.key)
        return StockPick(found, loops=loops, notes=tuple(dict.fromkeys(notes)))


def pick_for_scenes(
    providers: Sequence[StockProvider],
    scenes: Sequence[tuple[str, int]],
    base: StockQuery,
    *,
    queries_per_scene: int = 3,
    exclude: Iterable[tuple[str, str]] = (),
    queries_for: Callable[[str], list[str]] | None = None,
) -> list[StockPick]:
    """One pick per (text, duration_ms) scene, in order. `base` gives the kind ("video":
    clips preferred, photos as the fallback; "photo": photos only), orientation and
    minimum size; its terms are ignored. `exclude` holds (provider, id) keys already on
    other scenes of the video (when only some scenes are picked again). `queries_for`
    replaces `stock_queries_for` (e.g. to search on the prompt as well)."""
    picker = _Picker(providers, base, set(exclude))
    make_queries = queries_for or (lambda text: stock_queries_for(text, limit=queries_per_scene))
    return [picker.pick(make_queries(text), duration_ms) for text, duration_ms in scenes]


def _reason(
    providers: Sequence[StockProvider], terms: list[str], base: StockQuery, tally: _Tally, notes: list[str]
) -> str:
    if not providers:
        return "No stock provider is configured (set PEXELS_API_KEY or PIXABAY_API_KEY)."
    if not terms:
        return "The scene's words give nothing to search stock pictures for; edit the narration or the prompt."
    where = _join([p.label for p in providers])
    what = "clip or picture" if base.kind == "video" else "picture"
    quoted = _join([f"“{t}”" for t in terms])
    sentence = (
        f"No stock {what} on {where} fits {quoted}: {base.orientation}, "
        f"at least {base.min_width}x{base.min_height}, not used elsewhere in this video."
    )
    if tally.rejected:
        counts = Counter(tally.rejected.values())
        parts = ", ".join(f"{n} {why}" for why, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        total = len(tally.rejected)
        sentence += f" Of {total} result{'s' if total != 1 else ''}: {parts}."
    elif not notes:
        sentence += " The searches found nothing."
    for note in dict.fromkeys(notes):
        sentence += f" {note}"
    return sentence
