"""The offline providers by name: the default picture and voice when no online provider
is chosen (pictures: pictogram illustrations, the keyword card as the last fallback)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .base import NarrationProvider, PictureProvider
from .illustrated import IllustratedPictureProvider
from .offline import OfflinePictureProvider
from .piper import PiperNarrationProvider

DEFAULT_PICTURE_PROVIDER = IllustratedPictureProvider.name
DEFAULT_NARRATION_PROVIDER = PiperNarrationProvider.name

PICTURE_PROVIDERS: dict[str, Callable[..., PictureProvider]] = {
    IllustratedPictureProvider.name: IllustratedPictureProvider,
    OfflinePictureProvider.name: OfflinePictureProvider,
}
NARRATION_PROVIDERS: dict[str, Callable[[], NarrationProvider]] = {
    PiperNarrationProvider.name: PiperNarrationProvider,
}


def get_picture_provider(
    name: str = DEFAULT_PICTURE_PROVIDER,
    *,
    palette_seed: str | None = None,
    style: str | None = None,
    topics: Sequence[str] = (),
) -> PictureProvider:
    """An offline picture provider; `palette_seed` (the video) keeps one video's scenes in one
    palette, `style` in one artwork style."""
    try:
        factory = PICTURE_PROVIDERS[name]
    except KeyError:
        raise ValueError(f"Unknown picture provider {name!r}; known: {', '.join(sorted(PICTURE_PROVIDERS))}.") from None
    if factory is IllustratedPictureProvider:
        return IllustratedPictureProvider(palette_seed=palette_seed, style=style, topics=topics)
    return factory()


def get_narration_provider(name: str = DEFAULT_NARRATION_PROVIDER) -> NarrationProvider:
    try:
        factory = NARRATION_PROVIDERS[name]
    except KeyError:
        raise ValueError(
            f"Unknown narration provider {name!r}; known: {', '.join(sorted(NARRATION_PROVIDERS))}."
        ) from None
    return factory()
