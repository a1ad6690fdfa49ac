from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from videos.storyboard import (
    STOPWORDS,
    VISUAL_STYLE,
    ScriptError,
    estimate_seconds,
    normalize_script,
    split_script,
    split_sentences,
)

# A target this small gives every short sentence a scene of its own.
ONE_SENTENCE_PER_SCENE = 0.01

STORY = """
# The Keeper of Cape Rain

Every evening, Mara climbed the ninety-nine steps of the old lighthouse on Cape Rain.
The lamp at the top was older than the town below it. Her grandfather had polished its
brass for forty years; her mother had kept its logbook through two wars. Now the work was
hers. Ships still passed the headland at night, and the rocks still waited under the
water. When the storm came in October, the power failed across the whole coast. Mara lit
the emergency lantern, wound the clockwork by hand, and kept the beam turning until dawn.
At sunrise, a fishing boat limped into the harbour. The captain walked up the hill with
his crew. They did not say much. They simply left a basket of bread and fish at her door.
The town still tells the story. Children draw the lighthouse with a small figure at the
window, waving at the sea. Visitors ask to climb the steps, and sometimes Mara lets them.
The lamp is electric now and switches itself on at dusk. But
every evening Mara still climbs the stairs, checks the lens, and writes one line in the
logbook. Some habits are worth keeping. Some lights are worth keeping too. And on nights
when the wind howls around the
tower and the rain runs sideways down the glass, that is enough for her. She makes tea,
opens the logbook, and waits for the ships. One by one their lights appear on the dark
water, small and brave. She counts them in and counts them out. By morning, the harbour is
full, the storm has passed, and the gulls are arguing on the rocks again. Mara closes the
book, locks the door, and walks home for breakfast. Tomorrow she will climb the steps again.
"""


def narrations(script: str, **kwargs: float) -> list[str]:
    return [scene.narration for scene in split_script(script, **kwargs)]


def test_it_refuses_an_empty_script() -> None:
    with pytest.raises(ScriptError, match="^The script is empty: write at least one sentence.$"):
        split_script("")


def test_it_refuses_a_whitespace_only_script() -> None:
    with pytest.raises(ScriptError, match="The script is empty"):
        split_script(" \n\t\u00a0\r\n  ")


def test_it_refuses_a_script_of_markdown_markers_only() -> None:
    with pytest.raises(ScriptError, match="The script is empty"):
        split_script("#\n\n- \n* \n---\n")


def test_script_error_is_a_value_error() -> None:
    assert issubclass(ScriptError, ValueError)


def test_it_refuses_an_over_long_script_with_both_lengths_in_the_message() -> None:
    script = ("word " * 5000)[:23_456]
    with pytest.raises(ScriptError) as excinfo:
        split_script(script)
    assert str(excinfo.value) == "The script is 23,456 characters; the limit is 20,000."


def test_it_accepts_a_script_at_the_limit() -> None:
    script = ("Go now. " * 3000)[:20_000]
    assert split_script(script, max_scenes=1000)


def test_it_refuses_a_script_that_makes_too_many_scenes() -> None:
    with pytest.raises(ScriptError, match=r"makes 12 scenes; the limit is 10\."):
        split_script("One two three. " * 12, target_seconds=ONE_SENTENCE_PER_SCENE, max_scenes=10)


def test_it_does_not_split_after_abbreviations() -> None:
    script = (
        "Dr. Smith met Mr. Jones at St. Mary's, e.g. in the garden. "
        "They joined the U.S. Army in Jan. 1942 with J. R. Tolkien's cousin."
    )
    assert split_sentences(script) == [
        "Dr. Smith met Mr. Jones at St. Mary's, e.g. in the garden.",
        "They joined the U.S. Army in Jan. 1942 with J. R. Tolkien's cousin.",
    ]


def test_it_splits_after_an_initialism_when_a_new_sentence_starts() -> None:
    script = "She moved to the U.S. The move was hard."
    assert split_sentences(script) == [
        "She moved to the U.S.",
        "The move was hard.",
    ]


def test_it_does_not_split_decimals() -> None:
    script = "Inflation rose 3.5 percent in 2023. Prices fell by 0.25 points."
    assert split_sentences(script) == [
        "Inflation rose 3.5 percent in 2023.",
        "Prices fell by 0.25 points.",
    ]


def test_it_splits_after_quotes_and_brackets_that_follow_the_stop() -> None:
    script = 'He shouted "Run!" Nobody moved. (They were tired.) Then the bell rang…'
    assert split_sentences(script) == [
        'He shouted "Run!"',
        "Nobody moved.",
        "(They were tired.)",
        "Then the bell rang…",
    ]


def test_it_keeps_a_sentence_together_when_the_next_word_is_lowercase() -> None:
    script = "Wait... what happened? “Help!” she cried."
    assert split_sentences(script) == [
        "Wait... what happened?",
        "“Help!” she cried.",
    ]


def test_it_merges_short_sentences_into_scenes_of_about_the_target() -> None:
    script = " ".join(f"The {name} boat sailed home." for name in "red blue green gold".split() * 3)
    scenes = split_script(script)
    seconds = [estimate_seconds(scene.narration) for scene in scenes]
    # Twelve 1.7 s sentences: three to a scene.
    assert len(scenes) == 4
    assert all(4.0 <= s <= 6.5 for s in seconds), seconds


def test_a_tiny_last_sentence_joins_the_scene_before_it() -> None:
    script = "The tide came in over the sand and covered the rocks by noon. The end."
    assert narrations(script) == [script]


def test_it_splits_a_long_sentence_at_a_clause_boundary() -> None:
    first = "The keeper climbed the spiral stairs of the old stone lighthouse every evening before the sun went down;"
    second = "the lamp had to be lit and the lens cleaned before the fishing fleet came back around the headland."
    assert narrations(f"{first} {second}") == [first, second]


def test_it_splits_a_long_sentence_at_a_comma_when_there_is_nothing_stronger() -> None:
    script = (
        "The fishermen pulled their heavy nets over the side of the narrow wooden boat, "
        "while gulls circled low above the water and the cold wind carried their cries "
        "far across the grey bay."
    )
    scenes = narrations(script)
    assert len(scenes) == 2
    assert scenes[0].endswith("boat,")


def test_it_splits_a_long_sentence_without_punctuation_at_word_boundaries() -> None:
    script = " ".join(["lighthouse"] * 60) + "."
    scenes = narrations(script)
    assert len(scenes) >= 3
    assert all(estimate_seconds(scene) <= 5.0 * 1.6 for scene in scenes)
    assert " ".join(scenes) == script


def test_no_scene_is_much_longer_than_the_target() -> None:
    for scene in split_script(STORY):
        assert estimate_seconds(scene.narration) <= 5.0 * 1.6


def test_a_300_word_script_makes_about_one_scene_per_five_seconds() -> None:
    words = normalize_script(STORY).split()
    assert len(words) == pytest.approx(300, abs=15)
    expected = len(words) * 60 / 175 / 5  # about 20 scenes
    assert len(split_script(STORY)) == pytest.approx(expected, rel=0.25)


def test_every_word_appears_in_exactly_one_scene_in_order() -> None:
    scenes = split_script(STORY)
    assert " ".join(scene.narration for scene in scenes) == normalize_script(STORY)
    assert all(scene.narration == scene.narration.strip() != "" for scene in scenes)


def test_it_is_deterministic_within_a_process() -> None:
    assert split_script(STORY) == split_script(STORY)


def test_it_is_deterministic_across_processes_with_different_hash_seeds() -> None:
    code = (
        "import json, sys; from videos.storyboard import split_script; "
        "print(json.dumps([[s.narration, s.visual_prompt] "
        "for s in split_script(sys.stdin.read())]))"
    )
    outputs = []
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=STORY,
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0] == [[s.narration, s.visual_prompt] for s in split_script(STORY)]


def test_visual_prompts_say_what_the_picture_shows_and_the_style() -> None:
    # The subject, where it is and the hour (before the weather), in words that read back
    # the same; no verb.
    [scene] = split_script("The lighthouse stood alone on the coast during the storm at night.")
    assert scene.visual_prompt == f"lighthouse by a coast, night, {VISUAL_STYLE}"


def test_visual_prompts_have_no_stopwords_and_at_most_eight_words() -> None:
    for scene in split_script(STORY):
        words = scene.visual_prompt.removesuffix(f", {VISUAL_STYLE}").split(", ")
        assert 1 <= len(words) <= 8
        assert not [word for word in words if word.lower() in STOPWORDS]
        assert len({word.lower() for word in words}) == len(words)


def test_named_cities_are_shown_as_a_city_not_a_pun_on_their_names() -> None:
    [scene] = split_script("We flew from Lisbon to Tokyo.")
    assert scene.visual_prompt == f"city, {VISUAL_STYLE}"


def test_a_scene_with_nothing_drawable_shows_the_scripts_topic() -> None:
    script = "Volcanoes shape islands over millions of years. " + "And then? " * 6
    scenes = split_script(script, target_seconds=ONE_SENTENCE_PER_SCENE)
    assert scenes[-1].narration == "And then?"
    assert scenes[-1].visual_prompt in {f"volcano, {VISUAL_STYLE}", f"island, {VISUAL_STYLE}"}


def test_a_scene_about_a_number_is_a_chart() -> None:
    [scene] = split_script("Sales rose from 12% to 31% last year.")
    assert scene.visual_prompt == "chart: Sales rose from 12% to 31% last year."
    # A small count is the point when it is what something grew to; not when said in passing.
    [grew] = split_script("Our team grew to 58 people.")
    assert grew.visual_prompt.startswith("chart: ")
    [hired] = split_script("We hired 12 engineers.")
    assert not hired.visual_prompt.startswith("chart: ")
    [climbs] = split_script("The keeper climbs one hundred and four steps at dusk.")
    assert not climbs.visual_prompt.startswith("chart: ")


def test_it_strips_markdown_and_ends_headings_and_items_with_a_stop() -> None:
    script = (
        "# Making bread\n\n"
        "You **need** only *three* things:\n"
        "- flour\n"
        "* water,\n"
        "1. a [hot oven](https://example.com)\n\n"
        "> Knead it\n"
        "> for ten minutes\n"
        "---\n"
        "Then `wait`."
    )
    assert normalize_script(script) == (
        "Making bread. You need only three things: flour. water. a hot oven. Knead it for ten minutes. Then wait."
    )


def test_headings_and_list_items_always_end_a_sentence() -> None:
    script = "# Ingredients\n- eggs\n- milk\n"
    assert split_sentences(script) == [
        "Ingredients.",
        "eggs.",
        "milk.",
    ]


def test_it_keeps_hyphens_and_dashes_inside_lines() -> None:
    script = "A well-known man - and a kind one - waved."
    assert normalize_script(script) == script


def test_estimate_seconds_counts_spoken_words_at_the_rate() -> None:
    assert estimate_seconds("one two three — four", rate_wpm=120) == pytest.approx(2.0)


PARAGRAPHS = """The ferry leaves the harbour at dawn. Gulls circle the mast.

By noon the coast is a grey line. The crew checks the charts and the engine, and the captain writes the log.

At night the lighthouse sweeps the water. Everyone on board sleeps except the helmsman, who watches the dark sea for the next light.

Home."""


def test_scenes_do_not_join_paragraphs_that_can_stand_alone():
    scenes = [d.narration for d in split_script(PARAGRAPHS, rate_wpm=165)]
    paragraphs = [p.replace("\n", " ") for p in PARAGRAPHS.split("\n\n")]
    for scene in scenes:
        # Every scene lies inside one paragraph, except a paragraph too short to stand alone.
        inside = [p for p in paragraphs if scene in p or scene.removesuffix(" Home.") in p]
        assert inside, scene
    assert scenes[0] == paragraphs[0]


def test_a_paragraph_too_short_for_a_scene_joins_its_neighbour():
    scenes = [d.narration for d in split_script(PARAGRAPHS, rate_wpm=165)]
    assert "Home." not in scenes
    assert scenes[-1].endswith("next light. Home.")


def test_a_script_written_without_spaces_is_timed_by_its_characters() -> None:
    # Japanese has no spaces between words: each paragraph was one "word" (a third of a
    # second), and three paragraphs made one 18.7 s scene.
    script = (
        "京都は千年以上にわたって日本の首都でした。多くの寺や神社が残っています。\n\n"
        "朝は静かなお寺から始めましょう。僧侶が石の道を掃いています。\n\n"
        "夜は川沿いの小さな店でラーメンを食べて、提灯が灯るのを見ましょう。"
    )
    scenes = [d.narration for d in split_script(script, language="ja")]
    assert scenes == [p for p in script.split("\n\n")]
    assert estimate_seconds("朝は静かなお寺から始めましょう。", rate_wpm=175) == pytest.approx(15 * 0.5 * 60 / 175)


def test_scenes_stay_between_about_three_and_eight_seconds():
    long = " ".join(["The river bends past the old mill where the miller once ground the wheat for the town."] * 12)
    for draft in split_script(f"{PARAGRAPHS}\n\n{long}", rate_wpm=165):
        assert 2.0 <= estimate_seconds(draft.narration, rate_wpm=165) <= 8.5, draft.narration
