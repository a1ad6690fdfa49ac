"""The illustrated picture provider: the offline default, with the artwork's credit."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from assets.generators.base import GeneratedPicture, GenerationError, PictureProvider
from assets.generators.catalog import get_picture_provider
from assets.generators.illustrated import IllustratedPictureProvider
from assets.generators.offline import OfflinePictureProvider
from mediakit import config

PROMPT = "ferry, leaves, harbour, dawn, cinematic illustration"


def make(out_dir: Path, **kwargs) -> GeneratedPicture:
    args = {"prompt": PROMPT, "width": 640, "height": 360, "seed": 4, "out_dir": out_dir} | kwargs
    return IllustratedPictureProvider(palette_seed="video-1").generate(**args)


def test_it_is_the_offline_default_and_the_card_stays_available() -> None:
    provider = get_picture_provider()
    assert isinstance(provider, IllustratedPictureProvider) and isinstance(provider, PictureProvider)
    assert (provider.name, provider.price_per_picture()) == ("illustrated", Decimal(0))
    assert isinstance(get_picture_provider("offline-card"), OfflinePictureProvider)


def test_it_writes_a_png_of_the_asked_size_with_the_credit(tmp_path: Path) -> None:
    picture = make(tmp_path)
    with Image.open(picture.path) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (640, 360), "RGB")
        assert max(ImageStat.Stat(image).stddev) > 25
    assert (picture.width, picture.height, picture.mime, picture.cost_usd) == (640, 360, "image/png", Decimal(0))
    # Whatever library the drawing comes from, it is credited and says what it shows.
    assert picture.credit and picture.licence and picture.source_url.startswith("https://")
    assert picture.depicts and all(isinstance(name, str) and name for name in picture.depicts)


def test_the_same_inputs_write_the_same_file(tmp_path: Path) -> None:
    first = make(tmp_path / "a")
    second = make(tmp_path / "b")
    assert first.path.name == second.path.name
    assert first.path.read_bytes() == second.path.read_bytes()


def test_the_palette_seed_changes_the_file(tmp_path: Path) -> None:
    names = {
        IllustratedPictureProvider(palette_seed=f"video-{n}")
        .generate(prompt=PROMPT, width=320, height=180, seed=4, out_dir=tmp_path)
        .path.name
        for n in range(3)
    }
    assert len(names) == 3


def test_a_portrait_picture_is_portrait(tmp_path: Path) -> None:
    picture = make(tmp_path, width=360, height=640)
    with Image.open(picture.path) as image:
        assert image.size == (360, 640)


@pytest.mark.parametrize(("width", "height"), [(8, 360), (640, 9000)])
def test_an_impossible_size_is_refused(tmp_path: Path, width: int, height: int) -> None:
    with pytest.raises(GenerationError, match="between 16 and 8192"):
        make(tmp_path, width=width, height=height)


@pytest.fixture
def no_artwork(tmp_path: Path) -> Iterator[None]:
    before = config.current()
    config.configure(artwork_dir=str(tmp_path / "nothing-here"))
    try:
        yield
    finally:
        config.configure(artwork_dir=before.artwork_dir)


def test_without_the_artwork_it_falls_back_to_the_card(tmp_path: Path, no_artwork) -> None:
    picture = make(tmp_path)
    assert picture.path.name.startswith("card-")
    assert picture.credit == ""
    with Image.open(picture.path) as image:
        assert image.size == (640, 360)
