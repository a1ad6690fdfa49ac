"""Offline pictures that show the scene: artwork from the offline library (Openclipart,
Fluent Emoji, Twemoji) chosen for the senses the scene reader finds in the prompt, or a
data card for a "chart:" prompt, drawn by ``mediakit.illustration`` with the artwork's
credit and what it depicts in the result. Without the library installed it falls back to
the keyword card.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from .base import GeneratedPicture, GenerationError, PictureLayers
from .files import atomic_path, content_digest
from .offline import PICTURE_MAX_SIDE, PICTURE_MIN_SIDE, OfflinePictureProvider

__all__ = ["IllustratedPictureProvider"]

# Bumped when the drawing changes, so a stored file name never stands for two pictures.
_DESIGN_VERSION = "2"


class IllustratedPictureProvider:
    """Scene illustrations at no cost. ``palette_seed`` (the video's code) gives all of a
    video's scenes one palette; without it the palette follows the scene's seed."""

    name = "illustrated"

    # The storyboard may pin the drawing a creator chose (``artwork=``).
    accepts_artwork = True

    def __init__(
        self, *, palette_seed: str | int | None = None, style: str | None = None, topics: Sequence[str] = ()
    ) -> None:
        self.palette_seed = palette_seed
        # What the whole script is about: shown where a scene's own things have no drawing.
        self.topics = tuple(topics)
        # One artwork style for the whole video (see mediakit.illustration.choose_style).
        self.style = style
        # Drawings already shown by this video's scenes, and the subject each showed: a
        # drawing comes back only for a scene about the same thing.
        self._shown: dict[str, str] = {}

    def price_per_picture(self) -> Decimal:
        return Decimal(0)

    def generate(
        self, *, prompt: str, width: int, height: int, seed: int, out_dir: Path, artwork: str = ""
    ) -> GeneratedPicture:
        for side in (width, height):
            if not PICTURE_MIN_SIDE <= side <= PICTURE_MAX_SIDE:
                raise GenerationError(
                    f"Pictures must be between {PICTURE_MIN_SIDE} and {PICTURE_MAX_SIDE} pixels "
                    f"on each side, not {width}x{height}."
                )
        # Imported on the first picture: the drawing loads NumPy, the art library and
        # WordNet, which a process that draws nothing (a worker start, `make_video --help`)
        # never needs.
        from mediakit.illustration import render_illustration

        palette_seed = self.palette_seed if self.palette_seed is not None else seed
        result = render_illustration(
            prompt=prompt,
            width=width,
            height=height,
            seed=seed,
            palette_seed=palette_seed,
            style=self.style,
            artwork=artwork,
            topics=self.topics,
            shown=self._shown,
        )
        if result is None:
            # The artwork is not installed (scripts/setup.sh installs it): the card still works.
            return OfflinePictureProvider().generate(
                prompt=prompt, width=width, height=height, seed=seed, out_dir=out_dir
            )
        for placed in result.pictograms:
            self._shown.setdefault(placed.artwork.id, placed.about)
        key = (
            f"{self.name}{_DESIGN_VERSION}\0{prompt}\0{seed}\0{palette_seed}\0{width}x{height}\0{self.style}\0{artwork}"
        )
        digest = content_digest(key)[:20]
        path = Path(out_dir) / f"illustration-{digest}.png"
        with atomic_path(path) as tmp:
            result.image.save(tmp, format="PNG", compress_level=3)
        layers = None
        if result.layers is not None:
            background = Path(out_dir) / f"illustration-{digest}-background.png"
            hero = Path(out_dir) / f"illustration-{digest}-hero.png"
            with atomic_path(background) as tmp:
                result.layers.background.save(tmp, format="PNG", compress_level=3)
            with atomic_path(hero) as tmp:
                result.layers.hero.save(tmp, format="PNG", compress_level=3)
            steps = []
            for k, step in enumerate(result.layers.steps):
                steps.append(Path(out_dir) / f"illustration-{digest}-step-{k:02d}.png")
                with atomic_path(steps[-1]) as tmp:
                    step.save(tmp, format="PNG", compress_level=3)
            layers = PictureLayers(background, hero, *result.layers.hero_at, steps=tuple(steps))
        return GeneratedPicture(
            path=path,
            width=width,
            height=height,
            mime="image/png",
            cost_usd=Decimal(0),
            credit=result.credit,
            licence=result.licence,
            source_url=result.source_url,
            depicts=result.depicts,
            layers=layers,
        )
