"""The artwork library index: what is in it, how it is searched, how a picture is drawn.

These run against the real index ``scripts/setup.sh`` builds (Openclipart from Debian, Twemoji
and Fluent Emoji from npm): the test command runs setup first.
"""

from __future__ import annotations

from pathlib import Path

from PIL import ImageStat

from mediakit import config
from mediakit.art_library import (
    OPENCLIPART_DIR,
    STYLES,
    _has_text,
    artwork_by_id,
    artwork_image,
    library_available,
    library_counts,
    library_search,
)

LIGHTHOUSE = "openclipart:buildings/homes/lighthouse_matthew_gates_"  # drawn on a 210mm x 297mm page
CLOCK_WITH_NUMBERS = "recreation/sports/cronometro_mauro_olivo_01"  # <text>30</text>, <text>60</text>
CUP_WITH_OUTLINED_WORDS = "food/beverages/coffe_tea_01"  # "Coffe, tea?" as paths


def search(term: str, **kwargs):
    return library_search([(term, 1.0)], **kwargs)


def test_the_index_is_built_by_setup_with_every_source() -> None:
    assert library_available()
    counts = library_counts()
    assert set(counts) == set(STYLES)
    assert counts["openclipart"] > 2500 and counts["twemoji"] > 1500 and counts["fluent"] > 1200


def test_a_lighthouse_is_found_by_its_own_title() -> None:
    top = search("lighthouse", style="openclipart")[0]
    assert top.via == "title"
    assert top.artwork.names[0] == "lighthouse"
    assert top.matched == ("lighthouse",)


def test_a_title_match_outranks_every_tag_match() -> None:
    for term in ("cat", "car", "tree", "boat"):
        vias = [m.via for m in search(term, limit=60)]
        assert "title" in vias and ("tag" in vias or "broader" in vias), (term, vias)
        first_weak = next((i for i, via in enumerate(vias) if via not in ("title", "head", "synonym")), len(vias))
        assert all(via not in ("title", "head") for via in vias[first_weak:]), (term, vias)


def test_light_bulb_as_a_phrase_finds_a_bulb_not_a_light() -> None:
    for style in STYLES:
        matches = library_search([("light bulb", 1.0)], style=style, limit=3)
        assert matches, style
        for match in matches:
            assert "bulb" in " ".join((*match.artwork.names[:2], *match.artwork.alike)), (style, match.artwork.id)
            assert "sun" not in match.artwork.names


def test_a_word_never_matches_as_part_of_a_title() -> None:
    # "garden" is a keyword of "house with garden", never its title or what it shows.
    match = next(m for m in search("garden", style="twemoji", limit=50) if m.artwork.id == "twemoji:1f3e1")
    assert match.via == "tag"
    # "mind" is only the idea in "mind blown": the exploding head is the weakest evidence.
    assert {m.via for m in search("mind")} == {"loose"}


def test_many_tags_do_not_make_an_entry_win() -> None:
    rowing = [m for m in search("row", limit=20) if "rowing" in m.artwork.names[0]]
    titled = search("boat", limit=1)[0]
    assert rowing and all(m.score < titled.score / 4 for m in rowing)


def test_colour_ranks_above_black_and_white_for_the_same_title() -> None:
    titled = [m for m in search("coffee", style="openclipart", limit=20) if m.via == "title"]
    colours = [m.artwork.colour for m in titled]
    assert True in colours and False in colours
    assert colours == sorted(colours, reverse=True)


def test_a_style_filter_returns_only_that_source() -> None:
    for style in STYLES:
        matches = search("house", style=style, limit=12)
        assert matches and {m.artwork.source for m in matches} == {style}


def test_excluded_ids_are_not_returned() -> None:
    first = search("lighthouse")[0].artwork.id
    assert first not in {m.artwork.id for m in search("lighthouse", exclude={first})}


def test_a_country_flag_is_found_by_its_country() -> None:
    top = search("germany", style="twemoji")[0]
    assert top.artwork.id == "twemoji:1f1e9-1f1ea"
    assert top.via == "head"


def test_an_openclipart_drawing_sized_in_millimetres_renders_cropped() -> None:
    svg = (Path(OPENCLIPART_DIR) / "buildings/homes/lighthouse_matthew_gates_.svg").read_text()
    assert 'width="210mm"' in svg  # what resvg refuses as is
    image = artwork_image(artwork_by_id(LIGHTHOUSE), 160)
    assert image is not None and image.mode == "RGBA"
    assert max(image.size) == 160 and image.height > image.width  # a tall tower, cropped to it
    # Cropped to the drawing: no empty margin on any side.
    alpha = image.getchannel("A")
    assert alpha.getbbox() == (0, 0, *image.size)
    red = ImageStat.Stat(image.convert("RGB"), mask=alpha.point(lambda a: 255 if a > 200 else 0)).mean
    assert red[0] > red[2]  # red and white stripes, not grey


def test_only_the_drawn_part_is_drawn_and_it_is_the_same_drawing() -> None:
    # The lighthouse sits small on an A4 page: the drawing is found on a small render and
    # only its part of the page drawn at the size asked; the same picture as the whole page
    # drawn at the zoom that makes it that size.
    from PIL import Image, ImageChops

    from mediakit.art_library import _crop_svg, _render_cropped_whole, _svg_text

    artwork = artwork_by_id(LIGHTHOUSE)
    svg = _svg_text(artwork.path)
    assert _crop_svg(svg, (182, 256), (60, 20, 120, 240)) is not None
    part, whole = artwork_image(artwork, 300), _render_cropped_whole(svg, 300)
    assert part is not None and whole is not None
    assert abs(part.width - whole.width) <= 2 and part.height == whole.height == 300

    def on_white(image):
        return Image.alpha_composite(Image.new("RGBA", part.size, "white"), image.resize(part.size)).convert("RGB")

    difference = ImageChops.difference(on_white(part), on_white(whole))
    assert max(ImageStat.Stat(difference).mean) < 10  # the edges a sub-pixel apart


def test_an_emoji_renders_square_ish_at_the_asked_size() -> None:
    for id in ("twemoji:1f3e0", "fluent:house-with-garden"):
        image = artwork_image(artwork_by_id(id), 96)
        assert image is not None and max(image.size) == 96 and min(image.size) > 60, id


def test_text_bearing_drawings_are_not_in_the_index() -> None:
    for rel in (CLOCK_WITH_NUMBERS, CUP_WITH_OUTLINED_WORDS):
        assert _has_text((Path(OPENCLIPART_DIR) / f"{rel}.svg").read_text(errors="replace"))
        assert artwork_by_id(f"openclipart:{rel}") is None


def test_icon_sets_and_symlinked_duplicates_are_not_in_the_index() -> None:
    assert (Path(OPENCLIPART_DIR) / "buildings/lighthouse_matthew_gates_.svg").is_symlink()
    assert artwork_by_id("openclipart:buildings/lighthouse_matthew_gates_") is None
    assert artwork_by_id(LIGHTHOUSE) is not None
    assert not [m for m in search("folder", limit=50) if "computer/icons/" in m.artwork.id]


def test_ids_are_stable_names_of_the_source_files() -> None:
    assert artwork_by_id("twemoji:1f3e0").title == "house"
    assert artwork_by_id("fluent:house-with-garden").title == "house with garden"
    assert artwork_by_id(LIGHTHOUSE).title == "Lighthouse"
    assert artwork_by_id("twemoji:nothing") is None


def test_the_credit_names_the_author_and_the_licence() -> None:
    lighthouse = artwork_by_id(LIGHTHOUSE)
    assert lighthouse.author == "Matthew Gates"
    assert lighthouse.credit == "Lighthouse by Matthew Gates, Openclipart (public domain)"
    assert "CC BY 4.0" in artwork_by_id("twemoji:1f3e0").credit
    fluent = artwork_by_id("fluent:house-with-garden")
    assert "Microsoft" in fluent.credit and fluent.licence == "MIT"


def test_without_an_index_the_library_is_unavailable(tmp_path: Path) -> None:
    before = config.current()
    config.configure(artwork_dir=str(tmp_path / "node_modules"))
    try:
        assert not library_available()
        assert library_search([("lighthouse", 1.0)]) == []
        assert not (tmp_path / "library.json").exists()  # never built at run time
    finally:
        config.configure(**{"artwork_dir": before.artwork_dir})


def test_a_word_mostly_used_for_an_idea_still_names_its_drawn_sense() -> None:
    # WordNet's "book" is mostly the text, but a drawing titled "Closed Book" shows the object.
    closed = [m for m in search("book", style="openclipart", limit=20) if m.artwork.title == "Closed Book"]
    assert closed and closed[0].via == "head"


def test_an_emoji_with_words_in_it_is_not_a_picture() -> None:
    # The "white flower" is a Japanese teacher's stamp reading "very well done": a flower
    # scene must not carry its text.
    from mediakit.art_library import library_search

    found = [m.artwork for m in library_search([("white flower", 1.0), ("flower", 1.0)], limit=40)]
    assert found and not [a for a in found if a.id in ("twemoji:1f4ae", "fluent:white-flower")]


def test_a_drawing_titled_as_another_picture_is_left_out() -> None:
    from mediakit.art_library import artwork_by_id

    # "The Mad Little ship" is a ship in a bottle: no scene of ships at sea may get it.
    assert artwork_by_id("openclipart:transportation/vehicles/the_mad_little_ship_core_01") is None
    assert artwork_by_id("openclipart:transportation/boating/sailboat_illustration") is not None
