"""The speech normaliser, round two: phone numbers, codes, fractions, signs, versions, units
without a number, days and months abbreviated, and ranges of times, dates, years and
percentages (issue 20). One case a test, the written text and what the narrator says."""

from __future__ import annotations

import pytest

from mediakit.speech_text import normalize_for_speech

CASES: list[tuple[str, str]] = [
    ("Sales rose in Q3.", "Sales rose in Q three."),
    ("Q4 2024 was better.", "Q four twenty twenty-four was better."),
    ("Call 555-0134 today.", "Call five five five, zero one three four today."),
    ("Call (555) 123-4567.", "Call five five five, one two three, four five six seven."),
    ("Call +1 555 123 4567.", "Call plus one, five five five, one two three, four five six seven."),
    ("Call 1-800-555-0199 now.", "Call one, eight hundred, five five five, zero one nine nine now."),
    (
        "Our London office: +44 20 7946 0958.",
        "Our London office: plus four four, two zero, seven nine four six, zero nine five eight.",
    ),
    ("Phone 555-1234 for tickets.", "Phone five five five, one two three four for tickets."),
    ("Pages 300-1200 are missing.", "Pages three hundred to twelve hundred are missing."),
    ("About 1/3 of us.", "About one third of us."),
    ("It is 2/3 full.", "It is two thirds full."),
    ("Add 3/8 cup of milk.", "Add three eighths cup of milk."),
    ("One slice is 1/10th of the pie.", "One slice is one tenth of the pie."),
    ("5/16 of an inch.", "five sixteenths of an inch."),
    ("Open 24/7.", "Open twenty-four seven."),
    ("A 50/50 chance.", "A fifty-fifty chance."),
    ("Half is 1/2 and a quarter is 1/4.", "Half is one half and a quarter is one quarter."),
    ("It was -5°C outside.", "It was minus five degrees Celsius outside."),
    ("Temperatures of −12 °C at night.", "Temperatures of minus twelve degrees Celsius at night."),
    ("Gains of +3% this year.", "Gains of plus three percent this year."),
    ("Losses of -3.5% this year.", "Losses of minus three point five percent this year."),
    ("Accurate to ±2 mm.", "Accurate to plus or minus two millimeters."),
    ("It fell -40 points.", "It fell minus forty points."),
    ("Version 2.0.1 is out.", "Version two point zero point one is out."),
    ("Update to v2.1 today.", "Update to version two point one today."),
    ("Python 3.11 is faster.", "Python three point eleven is faster."),
    ("iOS 17.2 fixed it.", "iOS seventeen point two fixed it."),
    ("Release 10.4.12 shipped.", "Release ten point four point twelve shipped."),
    ("We use km instead of mi.", "We use kilometers instead of miles."),
    ("Weights in kg or lbs.", "Weights in kilograms or pounds."),
    ("Speed in mph, not km/h.", "Speed in miles per hour, not kilometers per hour."),
    ("A 5-km run.", "A five-kilometer run."),
    ("A 10-mi hike.", "A ten-mile hike."),
    ("Open Mon. to Fri.", "Open Monday to Friday."),
    ("Open Mon.–Fri.", "Open Monday to Friday."),
    ("Open Mon-Fri 9-5.", "Open Monday to Friday nine to five."),
    ("Closed on Sun.", "Closed on Sunday."),
    ("See you Tue. and Wed.", "See you Tuesday and Wednesday."),
    ("We saw the Sun. It was bright.", "We saw the Sun. It was bright."),
    ("Due by Jan. next year.", "Due by January next year."),
    ("From 9am-5pm daily.", "From nine AM to five PM daily."),
    ("At 5:30-6:30 pm.", "At five thirty to six thirty PM."),
    ("From 10:00-11:30.", "From ten o'clock to eleven thirty."),
    ("The 1st-3rd floors.", "The first to third floors."),
    ("Up 5-10% since May.", "Up five to ten percent since May."),
    ("From March 3-5 only.", "From March third to fifth only."),
    ("Between 1990-2000 sales doubled.", "Between nineteen ninety and two thousand sales doubled."),
    ("The war of 1914–18.", "The war of nineteen fourteen to eighteen."),
    ("A 16:9 video.", "A sixteen by nine video."),
    ("Odds of 3:1 against.", "Odds of three to one against."),
    ("H2O is water.", "H two O is water."),
    ("MP3 files play anywhere.", "MP three files play anywhere."),
    ("A 4K screen.", "A four K screen."),
    ("The 3D printer.", "The three D printer."),
    ("B2B sales grew.", "B two B sales grew."),
    ("The G20 met.", "The G twenty met."),
    ("Turn on 2FA now.", "Turn on two FA now."),
    ("PM2.5 levels rose.", "PM two point five levels rose."),
    ("She finished 3rd.", "She finished third."),
    ("It is 21st-century work.", "It is twenty-first-century work."),
    ("Run 5 km.", "Run five kilometers."),
    ("It weighs 2.5 kg.", "It weighs two point five kilograms."),
    ("Mix 250 ml of water.", "Mix two hundred fifty milliliters of water."),
    ("It was 3.5-4.5 m.", "It was three point five to four point five meters."),
    ("Meet at 5 p.m. Then go home.", "Meet at five PM. Then go home."),
    ("Between 10-20 people came.", "Between ten and twenty people came."),
    ("Read pages 10-20.", "Read pages ten to twenty."),
    ("Dated 2024-03-05.", "Dated March fifth, twenty twenty-four."),
    ("Closed Sat.-Sun.", "Closed Saturday to Sunday."),
    ("A 2-3 day trip.", "A two to three day trip."),
    ("Storms on Thurs. and Fri.", "Storms on Thursday and Friday."),
    ("It is 1 mi away.", "It is one mile away."),
    ("Store it below 4 °F.", "Store it below four degrees Fahrenheit."),
    ("The speed of light, ~300,000 km/s.", "The speed of light, about three hundred thousand kilometers per second."),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[written for written, _ in CASES])
def test_it_is_read_as_a_narrator_would_say_it(written: str, spoken: str) -> None:
    assert normalize_for_speech(written) == spoken


def test_a_plain_range_of_numbers_is_not_a_phone_number() -> None:
    assert normalize_for_speech("Aim for 300-1200 words.") == "Aim for three hundred to twelve hundred words."


def test_two_numbers_side_by_side_are_not_one_phone_number() -> None:
    assert normalize_for_speech("Of 120 1500 came.") == "Of one hundred twenty one thousand five hundred came."


def test_other_languages_are_left_to_espeak_ng() -> None:
    assert normalize_for_speech("Rufen Sie 555-0134 an.", lang="de") == "Rufen Sie 555-0134 an."
