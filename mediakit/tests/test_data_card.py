"""Data cards: which number a scene is about (and which numbers it is not), and the card drawn
for it: size, caption band, animation, contrast and the digits themselves."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from mediakit.data_card import (
    Figure,
    card_layout,
    contrast_ratio,
    figure_is_the_point,
    find_figure,
    render_data_card,
)

NAVY = (22, 30, 54)
ORANGE = (255, 170, 60)
PAPER = (245, 245, 240)


# ----------------------------------------------------------------------------- find_figure


@pytest.mark.parametrize(
    ("text", "display", "kind", "change"),
    [
        ("37% of the country's energy now comes from wind.", "37%", "percent", None),
        ("Next year we plan to cut our delivery times in half.", "-50%", "percent", "down"),
        # A small count that something grew to is still the point of the sentence.
        ("Our team grew to 58 people, and we opened a second office in Berlin.", "58", "count", "up"),
        ("Nearly 37 percent of adults never exercise.", "37%", "percent", None),
        ("A third of adults sleep less than six hours.", "1/3", "percent", None),
        ("One in five adults lives alone.", "1 in 5", "percent", None),
        ("The startup raised $4.2 million in its first round.", "$4.2M", "money", None),
        ("A ticket costs €30.", "€30", "money", None),
        ("Britain spent £1.5bn on the new line.", "£1.5B", "money", None),
        ("The repair cost him 4,000 dollars.", "$4,000", "money", None),
        ("The average rent in Berlin is now €1,200 a month.", "€1,200", "money", None),
        ("Every day 1,200 riders use the new bike lane.", "1,200", "count", None),
        ("12,000 people signed the petition.", "12,000", "count", None),
        ("Over 12,000 people signed the petition.", "12,000+", "count", None),
        ("The app now has three million users.", "3M", "count", None),
        ("The population of Tokyo is 37.4 million.", "37.4M", "count", None),
        ("More than 50 countries signed the treaty.", "50+", "count", None),
        ("Tonight it will drop to -5°C in the valley.", "-5°C", "temperature", None),
        ("Temperatures hit 40 degrees in Madrid last week.", "40°", "temperature", None),
        ("It was 2 degrees below zero in winter.", "-2°", "temperature", None),
        ("The water boils at 100 degrees Celsius.", "100°C", "temperature", None),
        ("In 1969, Apollo 11 landed on the Moon.", "1969", "year", None),
        ("By 2030, half of all new cars will be electric.", "2030", "year", None),
        ("In the 1960s, rock music took over.", "1960s", "year", None),
        ("Wind power rose from 12% to 31% in a decade.", "31%", "percent", "up"),
        ("Revenue grew from $2 million to $5.5 million.", "$5.5M", "money", "up"),
        ("Sales doubled after the redesign.", "2×", "multiple", "up"),
        ("Electric car sales grew tenfold in five years.", "10×", "multiple", "up"),
        ("Coffee prices fell by 40% this year.", "-40%", "percent", "down"),
        ("Ticket sales are up 20% on last year.", "+20%", "percent", "up"),
        ("Unemployment fell to 4% in March.", "4%", "percent", "down"),
    ],
)
def test_it_finds_the_figure_a_scene_is_about(text: str, display: str, kind: str, change: str | None) -> None:
    figure = find_figure(text)
    assert figure is not None
    assert (figure.display, figure.kind, figure.change) == (display, kind, change)


@pytest.mark.parametrize(
    "text",
    [
        "Step 2: Mix the flour and the eggs.",
        "Step 3: Add 200 grams of sugar.",
        "First, open the settings menu.",
        "Preheat the oven to 180 degrees.",
        "Meet me at 7:30 in the lobby.",
        "The meeting starts at 9 am sharp.",
        "Two friends walked into the forest.",
        "We hired 12 engineers and three designers.",
        "Then cut the apple in half.",
        "I bought 3 apples and 2 pears.",
        "Call us at 555-123-4567 to book.",
        "Update to version 2.0.1 before you start.",
        "She lives at 221 Baker Street.",
        "Turn the wheel 90 degrees to the left.",
        "Apollo 11 carried three astronauts.",
        "He finished 2nd in the race.",
        "The match ended 3-1.",
        "Chapter 4 explains the rest.",
        "Read page 12 first.",
        "We walked 10 miles.",
        "The lighthouse keeper climbed the stairs every night.",
        "",
    ],
)
def test_it_refuses_numbers_that_are_not_the_point(text: str) -> None:
    assert find_figure(text) is None


def test_a_change_keeps_its_from_value_for_the_bar_pair() -> None:
    figure = find_figure("Wind power rose from 12% to 31% in a decade.")
    assert figure is not None
    assert (figure.value, figure.before, figure.label) == (31.0, 12.0, "Wind power")


def test_a_percentage_carries_its_fraction_for_the_ring() -> None:
    figure = find_figure("37% of the country's energy now comes from wind.")
    assert figure is not None
    assert figure.fraction == pytest.approx(0.37)


def test_the_span_points_at_the_number_in_the_text() -> None:
    text = "The startup raised $4.2 million in its first round."
    figure = find_figure(text)
    assert figure is not None
    assert text[figure.span[0] : figure.span[1]] == "$4.2 million"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("37% of the country's energy now comes from wind.", "of the country's energy"),
        ("Every day 1,200 riders use the new bike lane.", "riders"),
        ("1,200 riders a day use the new bike lane.", "riders a day"),
        ("Coffee prices fell by 40% this year.", "Coffee prices"),
        ("The population of Tokyo is 37.4 million.", "population of Tokyo"),
        ("Temperatures hit 40 degrees in Madrid last week.", "in Madrid"),
    ],
)
def test_the_label_is_a_few_words_from_the_sentence(text: str, label: str) -> None:
    figure = find_figure(text)
    assert figure is not None
    assert figure.label == label


def test_a_label_stays_short_and_ends_on_a_content_word() -> None:
    figure = find_figure("By 2030, half of all the new cars sold in the country will be electric.")
    assert figure is not None
    assert len(figure.label) <= 32
    assert figure.label.split()[-1].lower() not in {"the", "of", "in", "will", "be", "a"}


def test_a_change_wins_over_a_year_in_the_same_sentence() -> None:
    figure = find_figure("In 2020, sales rose by 40% across Europe.")
    assert figure is not None
    assert (figure.display, figure.change) == ("+40%", "up")


# ----------------------------------------------------------------------------- the card

PERCENT = Figure(37.0, "37%", "percent", "of energy from wind", fraction=0.37)
CHANGE = Figure(5.5e6, "$5.5M", "money", "revenue", change="up", before=2e6)
COUNT = Figure(1200.0, "1,200", "count", "riders a day")
ASPECTS = [(1920, 1080), (1080, 1920), (1080, 1080), (854, 480)]


def _card(figure: Figure, width: int = 1280, height: int = 720, **kw) -> np.ndarray:
    image = render_data_card(figure, width=width, height=height, background=NAVY, accent=ORANGE, ink=PAPER, **kw)
    assert image.mode == "RGB"
    return np.asarray(image, dtype=np.float32)


@pytest.mark.parametrize(("width", "height"), ASPECTS)
def test_the_card_has_exactly_the_frame_size(width: int, height: int) -> None:
    image = render_data_card(PERCENT, width=width, height=height, background=NAVY, accent=ORANGE, ink=PAPER)
    assert image.size == (width, height)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920), (1080, 1080)])
@pytest.mark.parametrize("figure", [PERCENT, CHANGE, COUNT])
def test_the_caption_band_is_left_plain(width: int, height: int, figure: Figure) -> None:
    pixels = _card(figure, width, height)
    portrait = height > width
    band = pixels[round(height * (0.78 if portrait else 0.76)) :, :]
    assert band.std(axis=(0, 1)).max() < 3.0
    if portrait:
        right = pixels[:, round(width * 0.9) :]
        assert right.std(axis=(0, 1)).max() < 12.0  # only the soft gradient, no ink


def test_the_background_is_a_gradient_not_flat() -> None:
    pixels = _card(COUNT)
    assert abs(pixels[5, 5].mean() - pixels[-5, 5].mean()) > 8


@pytest.mark.parametrize("figure", [PERCENT, CHANGE, COUNT, Figure(-5, "-5°C", "temperature", "in the valley")])
def test_the_final_frame_has_more_chart_than_the_first(figure: Figure) -> None:
    layout = card_layout(figure, width=1280, height=720)
    start, end = _card(figure, progress=0.0), _card(figure, progress=1.0)
    assert np.abs(start - end).max() > 100
    area = layout.chart or (layout.figure[0], layout.figure[3], layout.figure[2], layout.label[1])
    x0, y0, x1, y1 = area

    def accent_ink(pixels: np.ndarray) -> int:
        region = pixels[y0:y1, x0:x1]
        return int((np.abs(region - np.array(ORANGE, np.float32)).max(axis=2) < 60).sum())

    assert accent_ink(end) > accent_ink(start) + 100


def test_the_number_counts_up_in_the_final_format() -> None:
    half = _card(CHANGE, progress=0.5)
    final = _card(CHANGE, progress=1.0)
    layout = card_layout(CHANGE, width=1280, height=720)
    x0, y0, x1, y1 = layout.figure
    assert np.abs(half[y0:y1, x0:x1] - final[y0:y1, x0:x1]).max() > 100


@pytest.mark.parametrize("ink", [PAPER, (90, 95, 120)])
def test_the_figure_contrasts_at_least_4_5_to_1_with_its_background(ink: tuple[int, int, int]) -> None:
    # a dim ink on navy would fail: the card must lighten it, measured on the pixels drawn
    image = render_data_card(PERCENT, width=1280, height=720, background=NAVY, accent=ORANGE, ink=ink)
    pixels = np.asarray(image, dtype=np.float32)
    x0, y0, x1, y1 = card_layout(PERCENT, width=1280, height=720).figure
    region = pixels[y0:y1, x0:x1].reshape(-1, 3)
    bg = pixels[y0 - 4, x0 - 30]
    far = region[np.argmax(np.abs(region - bg).sum(axis=1))]
    drawn = tuple(int(v) for v in far)
    assert contrast_ratio(drawn, tuple(int(v) for v in bg)) >= 4.5


def test_the_digits_of_the_display_are_drawn() -> None:
    other = Figure(81.0, "81%", "percent", "of energy from wind", fraction=0.37)  # same ring
    a, b = _card(PERCENT), _card(other)
    x0, y0, x1, y1 = card_layout(PERCENT, width=1280, height=720).figure
    assert np.abs(a[y0:y1, x0:x1] - b[y0:y1, x0:x1]).mean() > 10
    chart = card_layout(PERCENT, width=1280, height=720).chart
    assert chart is not None
    cx0, cy0, cx1, cy1 = chart
    assert np.abs(a[cy0:cy1, cx0:cx1] - b[cy0:cy1, cx0:cx1]).max() == 0  # only the text differs


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1080)])
def test_the_figure_is_at_least_18_percent_of_the_short_side_high(width: int, height: int) -> None:
    pixels = _card(PERCENT, width, height)
    x0, y0, x1, y1 = card_layout(PERCENT, width=width, height=height).figure
    region = pixels[:, x0:x1]
    inked = np.where((np.abs(region - np.array(PAPER, np.float32)).max(axis=2) < 30).any(axis=1))[0]
    assert inked.max() - inked.min() >= 0.18 * min(width, height)


@pytest.mark.parametrize(("width", "height"), ASPECTS)
@pytest.mark.parametrize(
    "figure", [PERCENT, CHANGE, COUNT, Figure(1969, "1969", "year", "Apollo 11 landed on the Moon")]
)
def test_every_part_sits_inside_the_safe_area(width: int, height: int, figure: Figure) -> None:
    layout = card_layout(figure, width=width, height=height)
    left, top, right, bottom = layout.safe
    for box in filter(None, (layout.chart, layout.figure, layout.label)):
        assert left <= box[0] and box[2] <= right and top <= box[1] and box[3] <= bottom, box


def test_an_icon_is_drawn_on_the_card() -> None:
    icon = Image.new("RGBA", (64, 64), (0, 200, 120, 255))
    with_icon = _card(COUNT, icon=icon)
    assert (np.abs(with_icon - np.array((0, 200, 120), np.float32)).max(axis=2) < 10).sum() > 1000


def test_reported_speech_labels_what_was_reported_not_who_said_it() -> None:
    figure = find_figure("The mayor said that cycling to work has grown by 35% in the last three years.")
    assert figure is not None and figure.display == "+35%"
    assert figure.label.startswith("cycling")


def test_an_amount_of_something_is_labelled_with_that_something() -> None:
    figure = find_figure("Our company closed the year with revenue of $4.2 million.")
    assert figure is not None and (figure.display, figure.label) == ("$4.2M", "revenue")


def test_the_cards_layers_composite_back_to_the_card() -> None:
    from mediakit.data_card import data_card_layers

    figure = find_figure("Sales rose from 12% to 31% last year.")
    assert figure is not None
    drawn = data_card_layers(
        figure, width=640, height=360, background=(40, 60, 120), accent=(250, 180, 60), ink=(255, 255, 255)
    )
    assert drawn is not None
    card, ground, content, (x, y) = drawn
    assert content.mode == "RGBA" and content.width < 640 and content.height < 360
    whole = ground.convert("RGBA")
    whole.alpha_composite(content, (x, y))
    difference = np.abs(np.asarray(whole.convert("RGB"), int) - np.asarray(card, int))
    assert difference.max() <= 2
    # The ground alone carries no figure: the content layer is what comes in.
    assert np.abs(np.asarray(ground, int) - np.asarray(card, int)).max() > 100


@pytest.mark.parametrize("figure", [PERCENT, CHANGE, COUNT])
def test_the_count_up_steps_are_the_animation_drawn_in_the_final_layer_s_box(figure: Figure) -> None:
    from mediakit.data_card import data_card_count_up, data_card_layers

    width, height = 854, 480
    colours = {"background": NAVY, "accent": ORANGE, "ink": PAPER}
    drawn = data_card_layers(figure, width=width, height=height, **colours)
    assert drawn is not None
    _card, ground, content, (x, y) = drawn
    box = (x, y, x + content.width, y + content.height)
    steps = data_card_count_up(figure, width=width, height=height, box=box, **colours)
    assert len(steps) == 12 and all(step.size == content.size and step.mode == "RGBA" for step in steps)
    for k in (0, 5, 11):
        frame = render_data_card(figure, width=width, height=height, progress=k / 12, **colours)
        # Nothing the animation draws falls outside the final layer's box (it would be cut off).
        outside = np.abs(np.asarray(frame, int) - np.asarray(ground, int))
        outside[y : box[3], x : box[2]] = 0
        assert outside.max() <= 2
        whole = ground.crop(box).convert("RGBA")
        whole.alpha_composite(steps[k])
        assert np.abs(np.asarray(whole.convert("RGB"), int) - np.asarray(frame.crop(box), int)).max() <= 2
    # The count starts lower than it ends: the first step is not the final card.
    assert np.abs(np.asarray(steps[0], int) - np.asarray(content, int)).max() > 100


def test_a_decimal_said_in_words_is_the_figure() -> None:
    # As a narration says "$4.2 million": never "$2M" labelled "four point".
    figure = find_figure("It cost four point two million dollars.")
    assert figure is not None and (figure.display, figure.label) == ("$4.2M", "")
    assert find_figure("Sales rose by twelve point five percent.").display == "+12.5%"
    assert find_figure("The fever reached thirty eight point six degrees.").value == 38.6
    # "At one point" is no decimal.
    late = find_figure("At one point two hundred people came.")
    assert late is None or late.value != 120


@pytest.mark.parametrize(
    ("text", "display", "label", "point"),
    [
        # A yield, a weight, a length said as the point of the scene: a card.
        ("By late summer a single plant can give you four kilograms of fruit.", "4 kg", "fruit", True),
        ("A blue whale weighs up to 150 tonnes.", "150 t", "blue whale", True),
        ("The new bridge stretches 1.2 km across the bay.", "1.2 km", "new bridge", True),
        ("The marathon is 42 kilometres long.", "42 km", "marathon", True),
        # A size in passing, or an instruction's amount: no card.
        ("When the seedlings are fifteen centimetres tall, move them outside.", None, None, False),
        ("Use about sixty grams of coffee for every litre of water.", None, None, False),
    ],
)
def test_a_weight_or_length_is_a_card_when_it_is_the_point(
    text: str, display: str | None, label: str | None, point: bool
) -> None:
    figure = find_figure(text)
    if display is None:
        assert figure is None
        return
    assert figure is not None and (figure.kind, figure.display, figure.label) == ("measure", display, label)
    assert figure_is_the_point(figure, text) is point
