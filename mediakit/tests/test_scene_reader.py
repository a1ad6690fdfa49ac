"""The scene reader: word senses in context, multiword terms, no puns, other languages."""

from __future__ import annotations

import pytest

from mediakit.lexicon import lexicon_available
from mediakit.scene_reader import SceneReading, read_scene, script_topics


def subject(text: str, **kwargs) -> str:
    reading = read_scene(text, **kwargs)
    return reading.subject.text if reading.subject else ""


def sense_of(word: str, text: str) -> str:
    """The sense the reader gives ``word`` in ``text`` (as subject, setting or other)."""
    for concept in read_scene(text).concepts:
        if word in concept.text and concept.sense is not None:
            return concept.sense.name
    return ""


def test_wordnet_is_installed_by_setup() -> None:
    assert lexicon_available()


@pytest.mark.parametrize(
    ("word", "text", "expected"),
    [
        # bank: the river's edge, not the money house
        ("bank", "We sat on the grassy bank of the river and watched the water.", "bank.n.01"),
        # bat: the animal in a cave, the club in a game of cricket
        ("bat", "A bat flew out of the dark cave at sunset.", "bat.n.01"),
        ("bat", "He swung the cricket bat and hit the ball over the fence.", "cricket_bat.n.01"),
    ],
)
def test_a_word_with_several_senses_is_read_in_its_context(word: str, text: str, expected: str) -> None:
    assert sense_of(word, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Replace the light bulb in the hallway.", "light bulb"),
        ("We moved every file into cloud storage last week.", "server"),
        ("The city painted new bike lanes on every street.", "bicycle"),
    ],
)
def test_a_multiword_term_is_one_thing(text: str, expected: str) -> None:
    assert subject(text) == expected


def test_no_picture_word_is_a_pun() -> None:
    # rows of a spreadsheet are no rowing boat, "minded" no mind, units no flag
    assert subject("Nobody minded the delay.") == ""
    assert subject("Add three rows of numbers.") == ""
    assert subject("We sold twelve units.") == ""
    concepts = {c.text for c in read_scene("We moved the data from a spreadsheet with forty thousand rows.").concepts}
    assert "spreadsheet" in concepts and "row" not in concepts


def test_a_verb_is_not_read_as_a_thing() -> None:
    reading = read_scene("The keeper climbs the steps and trims the wick.")
    assert reading.subject is not None and reading.subject.text == "keeper"
    assert "climb" not in {c.text for c in reading.concepts}


def test_the_setting_and_the_mood_are_read() -> None:
    reading = read_scene("A small boat rocks in the harbour at night.")
    assert reading.subject is not None and reading.subject.text == "small boat"
    assert reading.setting is not None and reading.setting.text == "harbour"
    assert reading.mood == "night"
    assert reading.description() == "small boat in a harbour, night"


def test_the_description_reads_back_to_the_same_subject() -> None:
    reading = read_scene("On the edge of the northern coast stands an old stone lighthouse.")
    again = read_scene(reading.description())
    assert again.subject is not None and reading.subject is not None
    assert again.subject.sense == reading.subject.sense


def test_a_named_person_is_shown_as_what_they_were() -> None:
    assert subject("Neil Armstrong climbed down the ladder onto the Moon.") == "astronaut"


def test_a_scene_with_nothing_drawable_shows_the_scripts_topic() -> None:
    script = "The old lighthouse stands on the cliff. Ships pass the lighthouse at night. Nobody minded."
    topics = script_topics(script)
    assert topics[0] == "lighthouse"
    assert subject("Nobody minded.", context=script, topics=topics) == "lighthouse"


def test_german_is_read_through_the_localised_names() -> None:
    reading = read_scene("Die Katze schläft in der Sonne neben dem alten Baum.", language="de")
    assert reading.subject is not None and reading.subject.text == "cat"
    assert reading.warning == ""


def test_a_language_with_no_known_word_says_so() -> None:
    # "Welcome, all of you, thank you" ("... to the video" now finds the video camera).
    reading = read_scene("مرحبا بكم جميعا، شكرا لكم", language="ar")
    assert reading.subject is None
    assert "language" in reading.warning


def test_wordnet_answers_threads_reading_at_once() -> None:
    # The API creates videos in parallel threads; NLTK's reader shares file handles.
    from concurrent.futures import ThreadPoolExecutor

    from mediakit import lexicon

    words = [f"{w}" for w in "boat river lamp fox bicycle coffee server garden window tower".split()] * 4
    lexicon.noun_senses.cache_clear()
    lexicon.pos_counts.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda w: (lexicon.noun_senses(w), lexicon.pos_counts(w)), words))
    lexicon.noun_senses.cache_clear()
    lexicon.pos_counts.cache_clear()
    assert together == [(lexicon.noun_senses(w), lexicon.pos_counts(w)) for w in words]


def test_a_verb_after_an_adverb_is_not_read_as_a_thing() -> None:
    # "now guard" is what the volunteers do: no Buckingham guard in the picture.
    reading = read_scene("Volunteers now guard the nests with fences along the coast.")
    assert "guard" not in {c.text for c in reading.concepts}
    assert reading.subject is not None and reading.subject.text == "nest"


FOX_STORY = (
    "Late one winter night, a hungry fox crept out of the forest towards the farm. "
    "The farmer's old dog was asleep by the fire in the kitchen. "
    "In the barn, the chickens sat on their perches, fast asleep in the straw. "
    "An owl in the oak tree hooted a warning, and the dog woke up barking."
)


def test_a_living_thing_that_acts_is_not_its_meat() -> None:
    # The chickens sit and sleep: the birds. A chicken one roasts is the meat.
    line = "In the barn, the chickens sat on their perches, fast asleep in the straw."
    chicken = next(c for c in read_scene(line, context=FOX_STORY).concepts if c.text.startswith("chicken"))
    assert chicken.sense is not None and chicken.sense.lexname == "noun.animal"
    assert sense_of("chicken", "Roast the chicken for an hour.") == "chicken.n.01"
    # What it reads back from its own description is the same bird.
    description = read_scene(line, context=FOX_STORY).description()
    assert read_scene(description).subject.sense.lexname == "noun.animal"


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # "light up" is what the lanterns do: no "lanterns light" (a light of some kind).
        ("In the evening, watch the lanterns light up.", "lantern", "light"),
        # After the clause's verb a plural is its object: "build wax combs", not "combs" the verb.
        ("Inside the hive, thousands of worker bees build wax combs.", "worker bee", "build"),
        # WordNet writes it as one word: "tea houses" are teahouses, "serve" is the verb.
        ("The old tea houses of Gion serve green tea.", "teahouse", "serve"),
        # A plural, what they do (a word as often a noun), a plural they do it to.
        ("Scientists place sensors on the slopes to measure every small earthquake.", "scientist", "place"),
    ],
)
def test_verbs_and_nouns_are_told_apart_in_context(text: str, present: str, absent: str) -> None:
    texts = [c.text for c in read_scene(text).concepts]
    assert present in texts
    assert not any(t.split()[-1] == absent for t in texts)


def test_the_scripts_own_thing_names_the_kind() -> None:
    # In a coffee script the fresh beans are coffee beans, and a cup a coffee cup.
    script = "Three minutes to a better cup. Start with fresh beans. Coffee loses its aroma. Weigh the coffee."
    reading = read_scene("Three minutes to a better cup. Start with fresh beans.", context=script)
    names = {c.sense.name for c in reading.concepts if c.sense is not None}
    assert {"coffee_bean.n.01", "coffee_cup.n.01"} <= names
    # Alone, beans are what WordNet says first: no coffee in them.
    assert "coffee_bean.n.01" not in {c.sense.name for c in read_scene("Start with fresh beans.").concepts}
    # A closed compound is not built from the script's words: a lighthouse story's ships
    # are ships, though "light" is said often.
    story = "The light turns. The light flashes. Ships far out at sea watch for the light."
    assert subject("Ships far out at sea watch for its signal.", context=story) == "ship"


def test_a_general_word_is_the_kind_the_script_named_before() -> None:
    # After "small pots", "a large container" is a pot, not an envelope (another container).
    script = (
        "Start the seeds indoors in small pots. Move the seedlings to a sunny bed or a large container. "
        "By late summer a single plant can give you four kilograms of fruit."
    )
    scene = "Move the seedlings to a sunny bed or a large container."

    def pots(reading: SceneReading) -> set[str]:
        return {c.text for c in reading.concepts if c.sense and "flowerpot" in c.sense.lemmas}

    assert pots(read_scene(scene, context=script))
    assert not pots(read_scene(scene))
    # Only a general word (not "restaurant" after a teahouse), never people, never stuff
    # measured out ("kilograms of fruit" stays fruit).
    last = read_scene("By late summer a single plant can give you four kilograms of fruit.", context=script)
    assert "fruit" in {c.text for c in last.concepts}
    people = "The baker lights the oven. Most people still sleep."
    assert "baker" not in {c.text for c in read_scene("Most people still sleep.", context=people).concepts}


def test_a_description_says_the_plain_word_when_it_reads_back() -> None:
    # The creator reads and edits these words: "battery" (today's usual sense reads back),
    # "tyre" in a bicycle script, not "battery device" or "tyre hoop"; a made-up pair only
    # where no plain word reads back ("server computer").
    assert read_scene("The battery charges in one hour.").description().split(", ")[0] == "battery"
    bike = "Fixing a flat tyre takes ten minutes. Run your fingers around the inside of the tyre."
    described = read_scene("Run your fingers around the inside of the tyre.", context=bike).description()
    assert "tyre" in described.split(", ") and "hoop" not in described
    business = "We moved our records into cloud storage. Nobody minded, because the servers now answer twice as fast."
    servers = read_scene("Nobody minded, because the servers now answer twice as fast.", context=business)
    assert servers.description() == "server computer"


def test_todays_usual_senses_are_preferred() -> None:
    assert sense_of("phone", "The bottle connects to an app on your phone.") == "cellular_telephone.n.01"
    assert sense_of("battery", "The battery charges in one hour.") == "battery.n.02"


def test_a_plural_then_a_plain_verb_is_what_they_do() -> None:
    reading = read_scene("Puffins nest on the sea cliffs every summer, and whales feed in the cold bays.")
    assert reading.subject is not None and reading.subject.text == "puffin"
    assert "nest" not in [c.text.split()[-1] for c in reading.concepts]
    # The whale is the animal: WordNet's one tagged use is of a big man.
    assert sense_of("whale", "Whales feed in the cold bays.") == "whale.n.02"


def test_every_word_of_a_description_reads_back_to_its_sense() -> None:
    from mediakit.scene_reader import reads_back

    for line in (
        "Start your morning at a quiet temple, where monks sweep the stone paths under maple trees.",
        "Buses will also get priority at traffic lights, and two new bridges will cross the river.",
        "In the barn, the chickens sat on their perches, fast asleep in the straw.",
    ):
        reading = read_scene(line)
        description = reading.description()
        again = {c.sense.name for c in read_scene(description).concepts if c.sense is not None}
        for concept in (reading.subject, *reading.others[:2]):
            if concept is not None and reads_back(concept.text, concept.sense):
                assert concept.sense.name in again, (line, description)


def test_it_at_the_start_is_the_scripts_main_thing() -> None:
    topics = ["water bottle", "bottle"]
    line = "It keeps water cold for twenty four hours, even in a hot car in summer."
    assert subject(line, topics=topics) == "water bottle"
    # Not the "it" of the weather, nor an "it was" of time.
    assert subject("It is raining over the harbour.", topics=topics) != "water bottle"
    assert subject("It was late when the ferry left.", topics=topics) == "ferry"


def test_it_after_a_verb_is_the_main_thing_unless_a_thing_came_first() -> None:
    topics = ["lighthouse", "keeper"]
    called = read_scene("Sailors call it the heartbeat of the coast.", topics=topics)
    assert called.subject.text == "sailor"
    assert [c.text for c in called.concepts[:2]] == ["sailor", "lighthouse"]
    # "pump it up": "it" is the tyre the sentence named, not the script's bicycle.
    pumped = read_scene("Push the tyre back onto the rim and pump it up.", topics=["bicycle"])
    assert "bicycle" not in [c.text for c in pumped.concepts]


def test_who_moves_is_drawn_only_when_nothing_is_moved_and_no_thing_moves() -> None:
    # "run slowly": a runner; but no runner for fingers run round a tyre, nor lanes that run.
    assert read_scene("Then run slowly for one minute.").subject.sense.name == "runner.n.02"
    for line in ("Run your fingers carefully around the inside of the tyre.", "The lanes will run along the river."):
        assert all(c.sense.name != "runner.n.02" for c in read_scene(line).concepts), line


def test_a_capital_that_opens_a_sentence_names_nobody_and_a_plural_noun_is_the_thing() -> None:
    # "Farmers" is no farmer by name (James Farmer); "Berlin" opening a sentence is still the city.
    assert "farmer" in script_topics("Farmers return after a few years. The farmers plant rice.")
    assert read_scene("Berlin is a green city.").subject.sense.name == "city.n.01"
    # "shoes" are shoes, not "a particular situation" (in someone's shoes).
    assert read_scene("Put on comfortable shoes and go outside.").subject.sense.name == "shoe.n.01"


def test_what_a_script_keeps_doing_names_the_kind_and_a_glass_of_water_holds_it() -> None:
    script = "Want to start running? Put on comfortable shoes. Then run slowly and walk. Run again tomorrow."
    shoes = read_scene("Put on comfortable shoes.", context=script, topics=script_topics(script))
    assert shoes.subject.sense.name == "running_shoe.n.01"
    glass = read_scene("Drink a glass of water when you come home.")
    assert any(c.sense.name == "glass.n.02" for c in glass.concepts)  # the container, not the stuff
    # A time named first is no thing that moves: the beginners run.
    late = read_scene("After four weeks, most beginners can run for twenty minutes.")
    assert any(c.sense.name == "runner.n.02" for c in late.concepts)


HARBOUR = (
    "Every morning the fishing boats return to the harbour at sunrise.\n\n"
    "The crew unload crates of fresh fish onto the wooden pier.\n\n"
    "Seagulls circle above the boats, waiting for scraps."
)


def test_an_idiom_of_a_describing_word_means_its_words_unless_the_text_is_about_it() -> None:
    # WordNet's "fresh fish" is a raw recruit and its "first base" a bag in baseball: in a
    # harbour or a Mars script the words mean fish and a base.
    crates = read_scene("The crew unload crates of fresh fish onto the wooden pier.", context=HARBOUR)
    assert "fish.n.01" in {c.sense.name for c in crates.concepts if c.sense}
    assert "cannon_fodder.n.01" not in {c.sense.name for c in crates.concepts if c.sense}
    mars = "Mars is the fourth planet from the sun. One day, astronauts may land on Mars and build the first base."
    assert "first_base.n.01" not in {c.sense.name for c in read_scene(mars, context=mars).concepts if c.sense}
    # A describing word that makes a kind of the thing stands: green tea is tea.
    assert read_scene("They serve green tea.").concepts[0].sense.name == "green_tea.n.01"


def test_the_script_names_the_kind_of_a_named_thing_and_a_later_head_is_the_same_thing() -> None:
    # "Mars" is no plural of "mar": in a script that calls it a planet, it is drawn as one.
    mars = "Mars is the fourth planet from the sun. One day, astronauts may land on Mars."
    assert script_topics(mars)[0] == "planet"
    assert "planet" in [c.text for c in read_scene("Astronauts may land on Mars.", context=mars).concepts]
    # A Saturn V rocket in a script of no planet is no planet.
    apollo = "The Saturn V rocket stood taller than a building. It carried three astronauts."
    assert "planet" not in [c.text for c in read_scene(apollo, context=apollo).concepts]
    # "the boats" after "fishing boats" are those boats: one topic, said twice, comes first.
    assert script_topics(HARBOUR)[0] == "fishing boat"


def test_what_a_thing_is_for_names_its_kind() -> None:
    # "charging stations" are stations of a kind (never a railway station's drawing), and the
    # words a creator reads back keep the kind.
    reading = read_scene("Cities are adding thousands of new charging stations along the streets.")
    assert "charging station" in [c.text for c in reading.concepts]
    assert "charging station" in [c.text for c in read_scene("city at a street, charging station").concepts]
    # A verb that opens a phrase is still a verb; a describing "-ing" of a living thing too.
    assert [c.text for c in read_scene("Building houses takes time.").concepts] == ["house"]
    assert "growing larva" not in [c.text for c in read_scene("The nurse bees feed the growing larvae.").concepts]


def test_a_text_that_names_kinds_of_a_thing_reads_the_word_as_that_thing() -> None:
    # WordNet lists the factory first; a gardening script names tomatoes and seedlings,
    # kinds of the organism: its "plant" is the organism (it read as the factory, a pun).
    script = (
        "Tomatoes need at least six hours of sun every day. "
        "Fill a large pot with compost and plant one seedling in the middle. "
        "Push a wooden stake into the soil beside the stem and tie the plant loosely."
    )
    reading = read_scene("Push a wooden stake into the soil beside the stem and tie the plant loosely.", context=script)
    senses = [c.sense for c in reading.concepts if c.sense is not None]
    assert not any(s.name == "plant.n.01" for s in senses)
    assert any(s.is_a("plant.n.02") for s in senses)
    # In a text about a factory, the plant is still the factory.
    factory = "The car plant employs 400 workers and runs three shifts on the assembly line."
    assert sense_of("plant", factory) == "plant.n.01"
