"""Other languages' picture words, read through emojibase's localised names and keywords:
what real sentences give, and what they must not (no game die in "die", no golf tee in
"Tee", no "world" in "tout le monde")."""

from __future__ import annotations

import re

import pytest

from mediakit.emoji_names import english_picture_words, supported_languages
from mediakit.scene_reader import read_scene


def found(text: str, language: str) -> set[str]:
    """The English things ``text`` names, without where ("at the window" is "window")."""
    english = english_picture_words(text, language=language)
    return {_PLACE.sub("", phrase.strip()) for phrase in english.split(",") if phrase.strip()}


_PLACE = re.compile(r"^\w+ the ")


# (language, sentence, what it must give, what it must not)
SENTENCES: list[tuple[str, str, set[str], set[str]]] = [
    # German: keywords ("Tee", "Regen"), verb forms, plurals with umlauts, compounds.
    ("de", "Am Abend regnet es, und alle trinken Tee am Fenster.", {"rain", "tea", "window"}, {"tee", "drink", "die"}),
    (
        "de",
        "Die Kinder fahren mit dem Fahrrad zum See und füttern die Enten.",
        {"bicycle", "duck"},
        {"automobile", "ferry", "game die", "die"},
    ),
    ("de", "Im Herbst fallen die Blätter von den Bäumen, und die Äpfel sind reif.", {"leaf", "tree", "apple"}, {"die"}),
    ("de", "Der Hund schläft vor dem Haus, während die Vögel im Baum singen.", {"dog", "house", "bird", "tree"}, set()),
    (
        "de",
        "Auf dem Tisch stehen eine Teetasse, ein Teller mit Erdbeeren und eine Kerze.",
        {"strawberry", "candle"},
        {"tee"},
    ),
    ("de", "Nachts leuchten der Mond und die Sterne über den Bergen.", {"night", "moon", "star", "mountain"}, set()),
    ("de", "Im Winter schneit es, und die Kinder bauen einen Schneemann.", {"snowman"}, set()),
    ("de", "Die Fischer fahren mit dem Boot hinaus aufs Meer.", {"boat", "ocean"}, {"automobile"}),
    ("de", "Sie kauft Brot, Käse und Tomaten auf dem Markt.", {"bread", "cheese", "tomato"}, set()),
    ("de", "Die Bienen fliegen von Blume zu Blume.", {"honeybee", "flower"}, {"fly"}),
    # French: plurals, keywords, "tout le monde" is no world.
    ("fr", "Le soir, il pleut et tout le monde boit du thé près de la fenêtre.", {"tea", "window"}, {"world", "the"}),
    ("fr", "Les enfants vont au lac à vélo et donnent du pain aux canards.", {"bicycle", "bread", "duck"}, set()),
    ("fr", "Le chat dort au soleil sous le vieil arbre.", {"cat", "sun", "tree"}, set()),
    ("fr", "Au printemps, les tulipes et les roses fleurissent dans le jardin.", {"tulip", "rose", "garden"}, set()),
    ("fr", "Sur la table, il y a des fraises, du fromage et une bougie.", {"strawberry", "cheese", "candle"}, set()),
    ("fr", "La nuit, la lune et les étoiles brillent au-dessus des montagnes.", {"moon", "star", "mountain"}, set()),
    ("fr", "Les pêcheurs partent en bateau sur la mer.", {"boat", "ocean"}, set()),
    (
        "fr",
        "Les abeilles volent de fleur en fleur, et les oiseaux chantent dans les arbres.",
        {"honeybee", "flower", "bird", "tree"},
        set(),
    ),
    ("fr", "Grand-mère prépare un gâteau aux pommes dans la cuisine.", {"apple"}, {"extinction"}),
    ("fr", "En hiver, il neige et les enfants font un bonhomme de neige.", {"snow", "snowman"}, set()),
    # Spanish: plurals that lose an accent ("tulipanes"), "Dado que" is no die.
    ("es", "Por la tarde llueve y todos beben té junto a la ventana.", {"tea", "window"}, set()),
    ("es", "Los niños van al lago en bicicleta y dan pan a los patos.", {"bicycle", "bread", "duck"}, set()),
    ("es", "El gato duerme al sol bajo el árbol viejo.", {"cat", "sun", "tree"}, set()),
    ("es", "En primavera florecen los tulipanes y las rosas en el jardín.", {"tulip", "rose"}, set()),
    ("es", "En la mesa hay fresas, queso y una vela.", {"strawberry", "cheese", "candle"}, set()),
    (
        "es",
        "De noche, la luna y las estrellas brillan sobre las montañas.",
        {"night", "star", "mountain"},
        {"envelope"},
    ),
    (
        "es",
        "Las abejas vuelan de flor en flor y los pájaros cantan en los árboles.",
        {"honeybee", "bird", "tree"},
        set(),
    ),
    ("es", "La abuela prepara un pastel de manzana en la cocina.", {"apple"}, set()),
    ("es", "Dado que hace frío, tomamos café con leche.", {"milk"}, {"game die", "die"}),
    # Japanese: no spaces, longest known words first; 今日 is no sun, 三月 no moon.
    ("ja", "夕方に雨が降り、みんなは窓のそばでお茶を飲みます。", {"rain", "window", "tea"}, set()),
    ("ja", "子供たちは自転車で湖に行き、アヒルにパンをあげます。", {"bicycle", "bread"}, set()),
    ("ja", "猫は古い木の下で日なたぼっこをしています。", {"cat", "tree"}, {"kitten", "forest"}),
    ("ja", "春になると、庭にチューリップとバラが咲きます。", {"garden", "tulip", "rose"}, {"fish cake with swirl"}),
    ("ja", "テーブルの上にいちごとチーズとろうそくがあります。", {"strawberry", "candle"}, set()),
    ("ja", "夜、月と星が山の上で輝いています。", {"night", "moon", "star", "mountain"}, set()),
    ("ja", "おばあさんは台所でりんごのケーキを焼きます。", {"cake"}, set()),
    ("ja", "冬には雪が降り、子供たちは雪だるまを作ります。", {"snow"}, set()),
    ("ja", "今日は日本の三月で、毎日とても寒いです。", set(), {"sun", "book", "moon", "bundle"}),
    # Arabic (CLDR's own names: emojibase has none): the article and "and" written onto the
    # word ("والشاي", "and the tea").
    ("ar", "تشرق الشمس على الصحراء.", {"sun", "desert"}, set()),
    ("ar", "في المساء يشرب الناس الشاي ويستمعون إلى الموسيقى.", {"tea", "music"}, set()),
    ("ar", "نخلة واحدة في الحديقة.", {"palm tree"}, set()),
    # Hebrew, likewise from CLDR.
    ("he", "החתול ישן ליד העץ.", {"cat"}, set()),
]


def test_the_languages_are_installed_by_setup() -> None:
    assert {"de", "fr", "es", "ja", "ar", "he", "fa", "el"} <= supported_languages()


@pytest.mark.parametrize(("language", "sentence", "expected", "never"), SENTENCES, ids=[s[1][:32] for s in SENTENCES])
def test_a_sentence_gives_its_things(language: str, sentence: str, expected: set[str], never: set[str]) -> None:
    words = found(sentence, language)
    assert expected <= words, words
    assert not (never & words), words


def test_every_language_has_five_sentences() -> None:
    for language in ("de", "fr", "es", "ja"):
        assert sum(1 for s in SENTENCES if s[0] == language) >= 5


def test_a_german_article_and_small_word_are_no_things() -> None:
    assert found("Die Kinder und die Katze.", "de") == {"cat"}
    # Nouns are capitalised: "fliegen" is what bees do, "Fliegen" are flies.
    assert "fly" not in found("Die Bienen fliegen.", "de")
    assert found("Im Stall summen die Fliegen.", "de") == {"fly"}


def test_a_keyword_is_read_as_its_english_word_not_as_itself() -> None:
    # "Tee" is a keyword of five drinks, whose English keyword is tea: no golf tee.
    assert found("Tee", "de") == {"tea"}
    assert found("Regen", "de") == {"rain"}
    assert found("Es regnet.", "de") == {"rain"}


def test_a_compound_is_the_thing_its_last_part_names() -> None:
    assert found("Ein Apfelkuchen.", "de") == {"pie"}
    assert found("Die Teekannen.", "de") == {"teapot"}


def test_a_name_goes_before_a_keyword() -> None:
    # "Fenster" is the window emoji's own name: its English name, not one of its keywords.
    assert found("Das Fenster.", "de") == {"window"}


def test_a_place_keeps_its_preposition_for_the_english_reader() -> None:
    garden = "Im Frühling blühen im Garten die ersten Tulpen und Rosen."
    assert english_picture_words(garden, language="de") == "in the garden, tulip, rose"
    assert english_picture_words("Der Hund schläft neben dem alten Baum.", language="de") == "dog, beside the tree"
    assert english_picture_words("Il boit du thé près de la fenêtre.", language="fr") == "tea, near the window"
    assert english_picture_words("El gato duerme bajo el árbol.", language="es") == "cat, under the tree"
    # Not a place: "by bike", "apple cake", a verb between.
    assert english_picture_words("Van al lago en bicicleta.", language="es") == "bicycle"
    assert english_picture_words("Un gâteau aux pommes.", language="fr") == "pastry, apple"
    assert english_picture_words("Am Abend regnet es.", language="de") == "rain"
    reading = read_scene(garden, language="de")
    assert reading.subject is not None and reading.subject.text == "tulip"
    assert reading.setting is not None and reading.setting.text == "garden"


def test_an_unknown_language_gives_nothing() -> None:
    assert english_picture_words("Hello there", language="xx") == ""


def test_a_german_evening_scene_reads_as_rain_and_tea() -> None:
    reading = read_scene("Am Abend regnet es, und alle trinken Tee am Fenster.", language="de")
    texts = {concept.text for concept in reading.concepts}
    assert {"tea", "window"} <= texts
    assert reading.mood == "rain"
    assert reading.warning == ""
    tea = next(c for c in reading.concepts if c.text == "tea")
    assert tea.sense is not None and tea.sense.name.startswith("tea.n.")
