from __future__ import annotations

import colorsys
import math
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from assets.generators.base import GenerationError, NarrationProvider, PictureProvider
from assets.generators.catalog import get_narration_provider, get_picture_provider
from assets.generators.offline import OfflinePictureProvider, card_palette

PROMPT = "lighthouse, storm, coast, night, cinematic illustration"


def card(out_dir: Path, *, prompt: str = PROMPT, width: int = 640, height: int = 360, seed: int = 1) -> Path:
    return OfflinePictureProvider().generate(prompt=prompt, width=width, height=height, seed=seed, out_dir=out_dir).path


# --- pictures -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080)])
def test_a_card_is_an_rgb_png_of_exactly_the_requested_size(tmp_path: Path, size: tuple[int, int]) -> None:
    width, height = size
    picture = OfflinePictureProvider().generate(prompt=PROMPT, width=width, height=height, seed=7, out_dir=tmp_path)
    assert (picture.width, picture.height, picture.mime) == (width, height, "image/png")
    assert picture.cost_usd == Decimal(0)
    assert picture.path.parent == tmp_path
    with Image.open(picture.path) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", size)


def test_the_same_prompt_seed_and_size_give_identical_bytes(tmp_path: Path) -> None:
    first = card(tmp_path / "a").read_bytes()
    second = card(tmp_path / "b").read_bytes()
    assert first == second


def test_another_seed_gives_another_picture(tmp_path: Path) -> None:
    assert card(tmp_path, seed=1).read_bytes() != card(tmp_path, seed=2).read_bytes()


def test_different_prompts_get_different_palettes() -> None:
    prompts = [
        f"{word}, cinematic illustration" for word in "storm forest city desert robot garden castle galaxy".split()
    ]
    palettes = [card_palette(prompt) for prompt in prompts]
    assert len(set(palettes)) == len(prompts)
    # The hues spread round the colour wheel rather than bunching up.
    assert len({int(palette.hue * 6) for palette in palettes}) >= 4


def test_a_card_is_painted_in_its_prompts_palette(tmp_path: Path) -> None:
    prompts = ["storm", "forest", "city", "desert", "robot", "garden"]
    # Two prompts whose hues are far apart on the wheel...
    first, second = max(
        ((a, b) for a in prompts for b in prompts),
        key=lambda pair: _hue_distance(card_palette(pair[0]).hue, card_palette(pair[1]).hue),
    )
    means = []
    for prompt in (first, second):
        with Image.open(card(tmp_path, prompt=prompt)) as image:
            means.append(ImageStat.Stat(image).mean)
            r, g, b = (channel / 255 for channel in means[-1])
        # ...give cards whose average colour has the palette's hue.
        assert _hue_distance(colorsys.rgb_to_hsv(r, g, b)[0], card_palette(prompt).hue) < 0.1
    assert math.dist(*means) > 15


def _hue_distance(a: float, b: float) -> float:
    return min(abs(a - b), 1 - abs(a - b))


def test_the_title_is_light_on_a_dark_background(tmp_path: Path) -> None:
    with Image.open(card(tmp_path, width=1280, height=720)) as image:
        band = image.convert("L").crop((128, 216, 1152, 504))  # the middle, where the title is
    assert sum(band.histogram()[230:]) > 2000  # the letters
    assert ImageStat.Stat(band).median[0] < 70  # what is around them


def test_a_prompt_of_style_words_only_gets_a_card_without_title(tmp_path: Path) -> None:
    with Image.open(card(tmp_path, prompt="cinematic illustration", width=1280, height=720)) as image:
        assert image.convert("L").getextrema()[1] < 180


def test_a_long_prompt_still_fits_inside_the_margins(tmp_path: Path) -> None:
    prompt = "extraordinarily, overwhelmingly, incomprehensibilities, counterrevolutionaries, uncharacteristically"
    with Image.open(card(tmp_path, prompt=prompt, width=360, height=640)) as image:
        grey = image.convert("L")
    left_margin = grey.crop((0, 0, 18, 640))
    right_margin = grey.crop((342, 0, 360, 640))
    assert left_margin.getextrema()[1] < 200
    assert right_margin.getextrema()[1] < 200


@pytest.mark.parametrize("size", [(0, 100), (100, 9000)])
def test_it_refuses_an_impossible_size(tmp_path: Path, size: tuple[int, int]) -> None:
    with pytest.raises(GenerationError, match="between 16 and 8192 pixels"):
        card(tmp_path, width=size[0], height=size[1])


def test_output_files_are_readable_by_other_processes(tmp_path: Path) -> None:
    mode = card(tmp_path / "out").stat().st_mode
    assert mode & stat.S_IRGRP and mode & stat.S_IROTH
    assert [p.name for p in (tmp_path / "out").iterdir()] == [card(tmp_path / "out").name]


# --- registries ---------------------------------------------------------------------------


def test_the_registries_return_the_offline_providers() -> None:
    picture, narration = get_picture_provider(), get_narration_provider()
    assert isinstance(picture, PictureProvider) and isinstance(
        get_picture_provider("offline-card"), OfflinePictureProvider
    )
    assert isinstance(narration, NarrationProvider)
    assert (picture.name, narration.name) == ("illustrated", "piper")
    assert picture.price_per_picture() == narration.price_per_second() == Decimal(0)


@pytest.mark.parametrize("getter", [get_picture_provider, get_narration_provider])
def test_an_unknown_provider_name_is_a_value_error(getter) -> None:
    with pytest.raises(ValueError, match="Unknown .* provider 'replicate'"):
        getter("replicate")
