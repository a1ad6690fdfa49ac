"""Text made ready for a speech engine: numbers, money, dates, units, abbreviations, URLs.

Applied to what is spoken only; captions show the script as written. espeak-ng (and piper,
which phonemises through espeak-ng) reads "$4.2 million" as "dollar four point two million",
"1990s" as "nineteen hundred ninety z", "i.e." as "eye ee" and a URL letter by letter, so
English text is rewritten into the words a narrator would say. Numbers are spelled out here
(`number_words`, `year_words`, `ordinal_words`) so that nothing is left to the engine's guesses.

Other languages are left to espeak-ng's own rules for that language (it reads numbers in
German, French, ... correctly); only whitespace is tidied for them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = ["normalize_for_speech", "number_words", "ordinal_words", "year_words"]

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_IRREGULAR = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def _under_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
    if rest or not hundreds:
        if rest < 20:
            parts.append(_ONES[rest])
        else:
            tens, ones = divmod(rest, 10)
            parts.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    return " ".join(parts)


def number_words(n: int) -> str:
    """4 -> "four", 1234 -> "one thousand two hundred thirty-four", -5 -> "minus five"."""
    if n < 0:
        return f"minus {number_words(-n)}"
    if n < 1000:
        return _under_thousand(n)
    if n >= 10**15:  # beyond any sensible narration: read the digits
        return " ".join(_ONES[int(d)] for d in str(n))
    parts = []
    for scale, name in _SCALES:
        if n >= scale:
            count, n = divmod(n, scale)
            parts.append(f"{number_words(count)} {name}")
    if n:
        parts.append(_under_thousand(n))
    return " ".join(parts)


def ordinal_words(n: int) -> str:
    """1 -> "first", 22 -> "twenty-second", 100 -> "one hundredth"."""
    words = number_words(n)
    head, sep, last = words.rpartition(" ")
    prefix, dash, unit = last.rpartition("-")
    if unit in _ORDINAL_IRREGULAR:
        unit = _ORDINAL_IRREGULAR[unit]
    elif unit.endswith("y"):
        unit = unit[:-1] + "ieth"
    else:
        unit += "th"
    return f"{head}{sep}{prefix}{dash}{unit}"


def year_words(year: int) -> str:
    """1990 -> "nineteen ninety", 1905 -> "nineteen oh five", 2007 -> "two thousand seven",
    2024 -> "twenty twenty-four", 1900 -> "nineteen hundred"."""
    if not 1000 <= year <= 9999:
        return number_words(year)
    high, low = divmod(year, 100)
    if 2000 <= year <= 2009 or year % 1000 == 0:
        return number_words(year)
    if low == 0:
        return f"{number_words(high)} hundred"
    if low < 10:
        return f"{number_words(high)} oh {_ONES[low]}"
    return f"{number_words(high)} {number_words(low)}"


def _plural_words(words: str) -> str:
    """ "nineteen ninety" -> "nineteen nineties", "two thousand" -> "two thousands"."""
    if words.endswith("y"):
        return words[:-1] + "ies"
    if words.endswith("x"):
        return words + "es"
    return words + "s"


def _digits(text: str) -> str:
    return " ".join(_ONES[int(d)] for d in text)


def _decimal_words(text: str) -> str:
    """ "4.2" -> "four point two", "1,250.75" -> "one thousand two hundred fifty point seven five"."""
    text = text.replace(",", "")
    whole, _, fraction = text.partition(".")
    words = number_words(int(whole or "0"))
    if fraction:
        words += " point " + _digits(fraction)
    return words


# --- tables -------------------------------------------------------------------------------

_MONTHS = "January February March April May June July August September October November December".split()
_MONTH_ABBREVIATIONS = {m[:3]: m for m in _MONTHS} | {"Sept": "September"}

_CURRENCIES = {
    # symbol: (singular, plural, cent singular, cent plural)
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "sen", "sen"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
}
_MAGNITUDES = {
    "thousand": "thousand",
    "k": "thousand",
    "K": "thousand",
    "million": "million",
    "m": "million",
    "M": "million",
    "mn": "million",
    "billion": "billion",
    "bn": "billion",
    "b": "billion",
    "B": "billion",
    "trillion": "trillion",
    "tn": "trillion",
    "T": "trillion",
}

# unit: (singular, plural). Matched only right after a number.
_UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"),
    "km/s": ("kilometer per second", "kilometers per second"),
    "km²": ("square kilometer", "square kilometers"),
    "m²": ("square meter", "square meters"),
    "sq ft": ("square foot", "square feet"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "nm": ("nanometer", "nanometers"),
    "m": ("meter", "meters"),
    "mi": ("mile", "miles"),
    "ft": ("foot", "feet"),
    "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"),
    "g": ("gram", "grams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "L": ("liter", "liters"),
    "l": ("liter", "liters"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "kW": ("kilowatt", "kilowatts"),
    "MW": ("megawatt", "megawatts"),
    "W": ("watt", "watts"),
    "V": ("volt", "volts"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "KB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "ms": ("millisecond", "milliseconds"),
    "s": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "yr": ("year", "years"),
    "yrs": ("year", "years"),
}

# Abbreviations that read the same wherever they are. Keys are matched case-sensitively as
# whole tokens; the trailing dot is part of the key.
_ABBREVIATIONS = {
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Ms.": "Miz",
    "Prof.": "Professor",
    "Sr.": "Senior",
    "Jr.": "Junior",
    "Mt.": "Mount",
    "Ave.": "Avenue",
    "Rd.": "Road",
    "Blvd.": "Boulevard",
    "Gen.": "General",
    "Capt.": "Captain",
    "Sgt.": "Sergeant",
    "Gov.": "Governor",
    "Sen.": "Senator",
    "Rep.": "Representative",
    "Inc.": "Incorporated",
    "Ltd.": "Limited",
    "Corp.": "Corporation",
    "Co.": "Company",
    "Dept.": "Department",
    "Univ.": "University",
    "approx.": "approximately",
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs.": "versus",
    "vs": "versus",
    "cf.": "compare",
    "viz.": "namely",
    # Capitals without dots are read letter by letter ("US" -> "you ess").
    "U.S.A.": "USA",
    "U.S.": "US",
    "U.K.": "UK",
    "U.N.": "UN",
    "E.U.": "EU",
    "D.C.": "DC",
    "a.k.a.": "also known as",
    "aka": "also known as",
    "No.": "number",
    "no.": "number",
}

_TLD_WORDS = {"io": "I O", "ai": "AI", "uk": "UK", "eu": "EU", "us": "US"}

# --- passes -------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|ai|dev|app|edu|gov|co|uk|de|fr)"
    r"(?:/[^\s<>\"']*)?(?![\w.@-]*@)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\b")


def _spoken_name(part: str) -> str:
    """One piece of a host, path or mailbox: words kept, separators said."""
    part = part.replace("-", " dash ").replace("_", " underscore ")
    part = re.sub(r"\d+", lambda m: f" {_digits(m.group())} " if len(m.group()) > 4 else f" {m.group()} ", part)
    return " ".join(part.split())


def _host_words(host: str) -> str:
    labels = host.lower().split(".")
    if labels and labels[0] == "www":
        labels = labels[1:]
    spoken = [_spoken_name(label) for label in labels[:-1]]
    spoken.append(_TLD_WORDS.get(labels[-1], _spoken_name(labels[-1])) if labels else "")
    return " dot ".join(spoken)


def _url_words(match: re.Match[str]) -> str:
    url = match.group()
    trailing = ""
    while url and url[-1] in ".,;:!?)":
        trailing = url[-1] + trailing
        url = url[:-1]
    url = re.sub(r"^https?://", "", url, flags=re.IGNORECASE)
    host, _, path = url.partition("/")
    words = _host_words(host)
    segments = [s for s in re.split(r"[/?#=&]+", path) if s]
    for segment in segments:
        segment = re.sub(r"\.(html?|php|aspx?)$", "", segment)
        # Path words are words: "about-us" is "about us", not "about dash us".
        segment = re.sub(r"[-_+]+", " ", segment)
        words += " slash " + " dot ".join(_spoken_name(p) for p in segment.split(".") if p)
    return f" {words}{trailing} "


def _email_words(match: re.Match[str]) -> str:
    user, host = match.groups()
    user_words = " dot ".join(_spoken_name(p) for p in user.split(".") if p)
    return f" {user_words} at {_host_words(host)} "


def _money(match: re.Match[str]) -> str:
    symbol, amount, magnitude = match.group("cur"), match.group("amt"), match.group("mag")
    singular, plural, cent, cents = _CURRENCIES[symbol]
    plain = amount.replace(",", "")
    if magnitude:
        scale = _MAGNITUDES[magnitude]
        return f"{_decimal_words(plain)} {scale} {plural}"
    whole, _, fraction = plain.partition(".")
    units = int(whole or "0")
    if fraction and len(fraction) == 2:
        hundredths = int(fraction)
        if units == 0 and hundredths:
            return f"{number_words(hundredths)} {cent if hundredths == 1 else cents}"
        unit_words = f"{number_words(units)} {singular if units == 1 else plural}"
        if hundredths:
            return f"{unit_words} and {number_words(hundredths)} {cent if hundredths == 1 else cents}"
        return unit_words
    if fraction:
        return f"{_decimal_words(plain)} {plural}"
    return f"{number_words(units)} {singular if units == 1 else plural}"


_YEAR_CONTEXT = (
    "in since from by until till to of year years around circa before after during early late mid "
    "and or between the spring summer autumn fall winter january february march april may june july "
    "august september october november december"
).split()


def _is_year(value: int, before: str, after: str) -> bool:
    if not 1100 <= value <= 2099:
        return False
    previous = re.findall(r"[\w'-]+", before[-20:].lower())
    if previous and (previous[-1] in _YEAR_CONTEXT or re.fullmatch(r"\d{4}", previous[-1])):
        return True
    if re.match(r"\s*(?:BC|BCE|AD|CE)\b", after):
        return True
    # Sentence-initial "1990 was ...": a count would say what it counts next ("1500 people").
    following = re.match(r"[\s,]*([A-Za-z]+)", after)
    return following is None or following.group(1).lower() in {"was", "is", "saw", "brought", "had", "marked"}


def _time(match: re.Match[str]) -> str:
    hours, minutes = int(match.group("h")), int(match.group("m"))
    meridiem = match.group("ap")
    if hours > 24 or minutes > 59:
        return match.group()
    words = number_words(hours)
    if minutes == 0:
        words += " o'clock" if not meridiem else ""
        if meridiem is None and hours > 12:
            words = f"{number_words(hours)} hundred"
    elif minutes < 10:
        words += f" oh {_ONES[minutes]}"
    else:
        words += " " + number_words(minutes)
    if meridiem:
        words += " AM" if meridiem[0].lower() == "a" else " PM"
    return words + _ends_sentence(match)


def _date_words(month: int, day: int, year: str | None) -> str:
    words = f"{_MONTHS[month - 1]} {ordinal_words(day)}"
    if year:
        words += f", {year_words(int(year))}"
    return words


def _month_date(match: re.Match[str]) -> str:
    name = match.group("mon").rstrip(".")
    month = _MONTHS.index(_MONTH_ABBREVIATIONS.get(name[:4] if name == "Sept" else name[:3], name))
    day = int(match.group("day"))
    if not 1 <= day <= 31:
        return match.group()
    return _date_words(month + 1, day, match.group("year"))


def _numeric_date(match: re.Match[str]) -> str:
    month, day, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group()
    if len(year) == 2:
        year = ("20" if int(year) < 50 else "19") + year
    return _date_words(month, day, year)


def _unit(match: re.Match[str]) -> str:
    amount, unit = match.group("n"), match.group("u")
    singular, plural = _UNITS[unit]
    value = amount.replace(",", "")
    words = _decimal_words(value) if "." in value else number_words(int(value))
    return f"{words} {singular if value in {'1', '-1'} else plural}"


def _saint_or_street(match: re.Match[str]) -> str:
    before, after = match.group("before"), match.group("after")
    word = match.group("abbr")
    # "St. Louis", "Dr. Smith": a title before a capitalised name; "Main St.", "Elm Dr.": a
    # street after a name or a house number.
    title, street = ("Saint", "Street") if word.startswith("St") else ("Doctor", "Drive")
    if after and after[0].isupper() and not (before and (before[0].isupper() or before[0].isdigit())):
        return f"{before}{title} {after}"
    if before and (before[0].isupper() or before[0].isdigit()):
        # The abbreviation's dot may also have ended the sentence.
        end = "." if not after or after[0].isupper() else ""
        return f"{before}{street}{end}{' ' + after if after else ''}"
    return f"{before}{title if after and after[0].isupper() else street}{' ' + after if after else ''}"


# Abbreviations whose dot may also end the sentence: keep a full stop there for the pause.
_MAY_END_SENTENCE = frozenset({"etc.", "Inc.", "Ltd.", "Co.", "Corp.", "Jr.", "Sr.", "U.S.", "U.K.", "U.S.A.", "D.C."})


def _abbreviation(match: re.Match[str]) -> str:
    word = match.group(1)
    spoken = _ABBREVIATIONS[word]
    rest = match.string[match.end() :]
    if word in _MAY_END_SENTENCE and (not rest.strip() or re.match(r"\s+[A-Z]", rest) and word == "etc."):
        return spoken + "."
    return spoken


def _cardinal(match: re.Match[str]) -> str:
    text = match.group()
    start, string = match.start(), match.string
    before, after = string[:start], string[match.end() :]
    plain = text.replace(",", "")
    if "." in plain:
        return _decimal_words(plain)
    value = int(plain)
    if "," not in text and len(plain) == 4 and _is_year(value, before, after):
        return year_words(value)
    if len(plain) > 1 and plain.startswith("0"):  # codes, "007": the digits
        return _digits(plain)
    return number_words(value)


_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (_EMAIL, _email_words),
    (_URL, _url_words),
    # Money before anything else eats the digits.
    (
        re.compile(
            r"(?P<cur>US\$|[$£€¥₹])\s?(?P<amt>"
            + _NUM
            + r")(?:\s?(?P<mag>thousand|million|billion|trillion|mn|bn|tn|[kKmMbBT])\b)?"
        ),
        _money,
    ),
    # Times: 3:30 p.m., 14:05, 9am.
    (
        re.compile(r"\b(?P<h>\d{1,2}):(?P<m>\d{2})(?:\s?(?P<ap>[aApP]\.?[mM]\.?))?(?=\W|$)"),
        _time,
    ),
    (
        re.compile(r"\b(?P<h>\d{1,2})(?P<m>)\s?(?P<ap>[aApP]\.[mM]\.|[aApP][mM]\b)"),
        lambda m: f"{number_words(int(m.group('h')))} {'AM' if m.group('ap')[0] in 'aA' else 'PM'}{_ends_sentence(m)}",
    ),
    # Dates: March 3, 2024 / Mar. 3rd / 3/4/2024 (month first, as in the US).
    (
        re.compile(
            r"\b(?P<mon>(?:January|February|March|April|May|June|July|August|September|October|November|December)"
            r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)\s(?P<day>\d{1,2})(?:st|nd|rd|th)?"
            r"(?:,?\s(?P<year>\d{4}))?\b"
        ),
        _month_date,
    ),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b"), _numeric_date),
    # Ordinals: 1st, 22nd, 103rd.
    (re.compile(r"\b(\d+)(?:st|nd|rd|th)\b"), lambda m: ordinal_words(int(m.group(1)))),
    # Percentages and ranges of them.
    (re.compile(r"(" + _NUM + r")\s?%"), lambda m: f"{_cardinal_text(m.group(1))} percent"),
    (
        re.compile(r"(?<![\w.])(" + _NUM + r")\s?(?:percent|per cent)\b"),
        lambda m: f"{_cardinal_text(m.group(1))} percent",
    ),
    # Multipliers: 3x faster.
    (re.compile(r"\b(\d+(?:\.\d+)?)x\b"), lambda m: f"{_cardinal_text(m.group(1))} times"),
]


def _cardinal_text(text: str) -> str:
    plain = text.replace(",", "")
    return _decimal_words(plain) if "." in plain else number_words(int(plain))


# Decades: 1990s, 1990's, '90s, 90s.
_DECADE = re.compile(r"(?P<apo>['’])(?P<short>\d0)s\b|\b(?P<d>\d{3}0|\d0)['’]?s\b")

_UNIT_NAMES = sorted(_UNITS, key=len, reverse=True)
_UNIT = re.compile(
    r"(?<![\w.])(?P<n>-?" + _NUM + r")\s?(?P<u>" + "|".join(re.escape(u) for u in _UNIT_NAMES) + r")(?![\w²/])"
)
_ABBREVIATION = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(a) for a in sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")(?=\W|$)"
)
_ST_DR = re.compile(r"(?P<before>(?:\b[\w]+\s)?)(?P<abbr>St|Dr)\.(?:\s(?P<after>[\w]+))?")
_RANGE = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)\s?[-–]\s?(\d+(?:\.\d+)?)(?![\w,/]|\.\d)")
_NEGATIVE = re.compile(r"(?<![\w.])[-−](?=\d)")
_NUMBER = re.compile(_NUM)
_FRACTION = re.compile(r"(?<![\w/])(1)/(2)(?![\w/])|(?<![\w/])(\d)/(4)(?![\w/])")

_SYMBOLS = [
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"(?<=\w)\s*\+\s*(?=\w)"), " plus "),
    (re.compile(r"(?<![\w+])\+(?=\d)"), "plus "),
    (re.compile(r"\s*=\s*"), " equals "),
    (re.compile(r"#(?=\d)"), "number "),
    (re.compile(r"#(?=\w)"), "hashtag "),
    (re.compile(r"(?<![\w.])@(?=\w)"), "at "),
    (re.compile(r"\s@\s"), " at "),
    (re.compile(r"(?<=\d)\s*[×x]\s*(?=\d)"), " by "),
    (re.compile(r"\s~\s?(?=\d)|^~(?=\d)"), " about "),
    (re.compile(r"(?<=[A-Za-z])/(?=[A-Za-z])"), " or "),
    (re.compile(r"\s*—\s*|\s+–\s+|\s+-\s+"), ", "),
    (re.compile(r"[*_~^`|<>{}\[\]]"), " "),
]


def _replace_decades(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        digits = match.group("short") or match.group("d")
        if match.group("apo"):
            return _plural_words(number_words(int(digits)))
        value = int(digits)
        if len(digits) == 2:
            return _plural_words(number_words(value))
        return _plural_words(year_words(value))

    return _DECADE.sub(repl, text)


def _fraction(match: re.Match[str]) -> str:
    if match.group(1):
        return "one half"
    top = int(match.group(3))
    return f"{number_words(top)} {'quarter' if top == 1 else 'quarters'}"


# --- round two: phones, versions, codes, fractions, signs, ranges, days, bare units ---------

# A phone number: 555-0134, (555) 123-4567, 555-123-4567, +1 555 123 4567, 1-800-555-0199,
# +44 20 7946 0958. Without an area or country code, NNN-NNNN is a phone number only where it
# cannot be a range: its second group starts with 0, or a word before it says so.
_PHONE = re.compile(
    r"(?<![\w.,/+-])(?:(?P<cc>\+\d{1,3}|1)[\s.-])?"
    r"(?:\((?P<area>\d{2,4})\)\s?|(?P<area2>\d{2,4})[\s.-](?=\d{3,4}[\s.-]\d{4}\b))?"
    r"(?P<a>\d{3,4})(?P<sep>[-.\s])(?P<b>\d{4})(?![\w,/-]|\.\d)"
)
_PHONE_WORDS = re.compile(
    r"\b(?:call|calls|called|calling|phone|tel|telephone|dial|text|fax|number|line|hotline|ring|whatsapp)\W*$", re.I
)


def _phone_group(group: str) -> str:
    # A toll-free or round area code is read as people say it: "eight hundred".
    if len(group) == 3 and group.endswith("00") and group[0] != "0":
        return number_words(int(group))
    return _digits(group)


def _phone(match: re.Match[str]) -> str:
    cc, area = match.group("cc"), match.group("area") or match.group("area2")
    if not (cc or area):
        before = match.string[: match.start()][-30:]
        if match.group("sep") == " " or not (match.group("b").startswith("0") or _PHONE_WORDS.search(before)):
            return match.group()
    groups = [g for g in (area, match.group("a"), match.group("b")) if g]
    words = ", ".join(_phone_group(g) for g in groups)
    if cc:
        words = f"{'plus ' + _digits(cc[1:]) if cc.startswith('+') else 'one'}, {words}"
    return words


# Versions: 2.0.1 (three parts or more) anywhere; 3.11 after "version", "v" or a product whose
# versions are read so. Each part is a number: "three point eleven", not "point one one".
_VERSION = re.compile(
    r"(?:(?<![\w.])(?P<v>[vV])(?=\d)"
    r"|(?P<name>\b(?:[Vv]ersion|[Rr]elease|iOS|iPadOS|macOS|Android|Python|Django|Node|Java|PHP|Ruby|Perl)\s)"
    r"|(?<![\w.]))(?P<num>\d+(?:\.\d+)+)(?![\w]|\.\d)"
)


# Year ranges: 1990-2000, 1914–18.
_YEAR_RANGE = re.compile(r"(?<![\w.,])(1[1-9]\d\d|20\d\d)\s?[-–]\s?(1[1-9]\d\d|20\d\d|\d\d)(?![\w,]|\.\d)")


def _range_word(match: re.Match[str]) -> str:
    """ "between 10 and 20", "from 10 to 20"."""
    return "and" if re.search(r"\bbetween\s+$", match.string[: match.start()], re.I) else "to"


def _year_range(match: re.Match[str]) -> str:
    first, last = match.group(1), match.group(2)
    end = int(first[:2] + last) if len(last) == 2 else int(last)
    if end <= int(first):
        return match.group()
    last_words = year_words(end) if len(last) == 4 else number_words(int(last))
    return f"{year_words(int(first))} {_range_word(match)} {last_words}"


def _version(match: re.Match[str]) -> str:
    if not (match.group("v") or match.group("name")) and match.group("num").count(".") < 2:
        return match.group()
    words = " point ".join(number_words(int(part)) for part in match.group("num").split("."))
    if match.group("v"):
        return f"version {words}"
    return f"{match.group('name') or ''}{words}"


# Codes of capitals and digits: Q3, MP3, H2O, A4, B2B, 4K, 3D, FY2024: read letter, number.
_CODE = re.compile(r"(?<![\w.$£€¥₹])(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*\d)[A-Z0-9]{2,8}(?![\w])")


def _code(match: re.Match[str]) -> str:
    return " ".join(re.findall(r"[A-Z]+|\d+", match.group()))


# Ratios that are not times (a time's minutes have two digits): 16:9, 4:3, 3:1.
_RATIO = re.compile(r"(?<![\w:.])(\d{1,2}):(\d{1,2})(?![\d:])")
_ASPECT_RATIOS = frozenset({"16:9", "9:16", "4:3", "3:4", "1:1", "21:9", "4:5", "3:2", "2:3"})


def _ratio(match: re.Match[str]) -> str:
    left, right = number_words(int(match.group(1))), number_words(int(match.group(2)))
    return f"{left} {'by' if match.group() in _ASPECT_RATIOS else 'to'} {right}"


# Fractions: 1/3 -> one third, 3/8 -> three eighths, 1/10th -> one tenth; 24/7 and 50/50 as said.
_ANY_FRACTION = re.compile(r"(?<![\w/.])(\d{1,3})/(\d{1,3})(?:st|nd|rd|th|ths)?(?![\w/]|\.\d)")
_ORDINAL_FRACTION = re.compile(r"(?<![\w/.])(\d{1,3})/(\d{1,3})(?:st|nd|rd|th|ths)(?![\w/])")
_SAID_FRACTIONS = {"24/7": "twenty-four seven", "50/50": "fifty-fifty", "9/11": "nine eleven"}


def _any_fraction(match: re.Match[str]) -> str:
    top, bottom = int(match.group(1)), int(match.group(2))
    plain = f"{match.group(1)}/{match.group(2)}"
    if plain in _SAID_FRACTIONS:
        return _SAID_FRACTIONS[plain]
    if not 0 < top < bottom <= 100:
        return f"{number_words(top)} over {number_words(bottom)}"
    if bottom == 2:
        name = "half"
    elif bottom == 4:
        name = "quarter"
    else:
        name = ordinal_words(bottom)
    if top > 1:
        name = "halves" if name == "half" else name + "s"
    return f"{number_words(top)} {name}"


# Signs before a number: -5°C, −12, +3%, ±2. Not a hyphen inside a word or between numbers.
_SIGNS = [
    (re.compile(r"±\s?(?=\d)"), "plus or minus "),
    (re.compile(r"(?:(?<=\s)|^)~\s?(?=\d)"), "about "),
    (re.compile(r"(?<![\w)+])\+(?=\d)"), "plus "),
    (re.compile(r"(?<![\w.)\-−–])[-−](?=\d)"), "minus "),
]

# Ranges written with a dash whose ends are not plain numbers: times, ordinals, percentages,
# dates in one month.
_MONTH_NAMES = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_MERIDIEM = r"\s?[aApP]\.?[mM]\.?"
_RANGES = [
    (re.compile(r"(\b\d{1,2}(?::\d{2})?(?:" + _MERIDIEM + r")?)\s?[-–]\s?(?=\d{1,2}:\d{2})"), r"\1 to "),
    (re.compile(r"(\b\d{1,2}:\d{2}(?:" + _MERIDIEM + r")?)\s?[-–]\s?(?=\d{1,2}(?:" + _MERIDIEM + r")?\b)"), r"\1 to "),
    (re.compile(r"(\b\d{1,2}" + _MERIDIEM + r")\s?[-–]\s?(?=\d{1,2}(?:" + _MERIDIEM + r")?\b)"), r"\1 to "),
    (re.compile(r"(\b\d+(?:st|nd|rd|th))\s?[-–]\s?(?=\d+(?:st|nd|rd|th)\b)"), r"\1 to "),
    (re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)\s?[-–]\s?(?=\d+(?:\.\d+)?\s?%)"), r"\1 to "),
    (re.compile(r"(?<![\w.,])(\d+\.\d+)\s?[-–]\s?(?=\d+(?:\.\d+)?(?![\w.]|\.\d))"), r"\1 to "),
]
_DATE_RANGE = re.compile(
    r"\b(?P<mon>" + _MONTH_NAMES + r")\s(?P<a>\d{1,2})(?:st|nd|rd|th)?\s?[-–]\s?(?P<b>\d{1,2})(?:st|nd|rd|th)?\b"
)


# ISO dates: 2024-03-05.
_ISO_DATE = re.compile(r"(?<![\w.-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")


def _numeric_date_parts(month: int, day: int, year: str, written: str) -> str:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return written
    return _date_words(month, day, year)


def _date_range(match: re.Match[str]) -> str:
    name = match.group("mon").rstrip(".")
    month = _MONTH_ABBREVIATIONS.get(name[:4] if name == "Sept" else name[:3], name)
    first, last = int(match.group("a")), int(match.group("b"))
    if not 1 <= first < last <= 31:
        return match.group()
    return f"{month} {ordinal_words(first)} to {ordinal_words(last)}"


# Days of the week, abbreviated: "Mon." anywhere but after "the"; "Mon" without its dot only
# in a range ("Mon-Fri"). Months abbreviated with a dot where no day follows: "Jan." -> January.
_DAYS = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Tues": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Thur": "Thursday",
    "Thurs": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}
_DAY_NAMES = "|".join(sorted(_DAYS, key=len, reverse=True))
_DAY_RANGE = re.compile(r"\b(" + _DAY_NAMES + r")\.?\s?[-–]\s?(" + _DAY_NAMES + r")\b\.?")
_DAY = re.compile(r"(?<![Tt]he )\b(" + _DAY_NAMES + r")\.(?=\s|$|[,;:!?)])")
_MONTH_ALONE = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.(?=\s|$|[,;:!?)])")


def _ends_sentence(match: re.Match[str]) -> str:
    """A full stop to keep after an expanded abbreviation whose dot also ended the sentence."""
    rest = match.string[match.end() :]
    return "." if match.group().endswith(".") and (not rest.strip() or re.match(r"\s+[A-Z]", rest)) else ""


def _day_range(match: re.Match[str]) -> str:
    return f"{_DAYS[match.group(1)]} to {_DAYS[match.group(2)]}{_ends_sentence(match)}"


def _day(match: re.Match[str]) -> str:
    rest = match.string[match.end() :]
    # "Open Mon. to Fri." keeps its last full stop; "Mon. to Fri." reads on through the first.
    keep = (
        "."
        if not rest.strip() or (re.match(r"\s+[A-Z]", rest) and not re.match(r"\s+(?:" + _DAY_NAMES + r")\b", rest))
        else ""
    )
    return _DAYS[match.group(1)] + keep


def _month_alone(match: re.Match[str]) -> str:
    name = match.group(1)
    return _MONTH_ABBREVIATIONS.get(name[:4] if name == "Sept" else name[:3], name) + _ends_sentence(match)


# Units with no number before them ("km instead of mi"): only those that cannot be a word.
_BARE_UNITS = ("km/h", "kph", "mph", "km", "cm", "mm", "mi", "kg", "mg", "lbs", "lb", "oz", "ml", "mL", "kWh",
               "kW", "MW", "GHz", "MHz", "kHz", "Hz", "KB", "MB", "hrs", "yrs")  # fmt: skip
_BARE_UNIT = re.compile(r"(?<![\w./-])(" + "|".join(re.escape(u) for u in _BARE_UNITS) + r")(?![\w/²-])")
# A number and unit joined into an adjective: "a 5-km run" -> "a five-kilometer run".
_UNIT_ADJECTIVE = re.compile(
    r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)-(?P<u>"
    + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
    + r")(?![\w²/])"
)


def _unit_adjective(match: re.Match[str]) -> str:
    return f"{_cardinal_text(match.group('n'))}-{_UNITS[match.group('u')][0]}"


def normalize_for_speech(text: str, *, lang: str = "en") -> str:
    """What a narrator would say for `text`. English is rewritten; other languages are only
    tidied (espeak-ng knows their numbers)."""
    text = " ".join(text.split())
    if not lang.lower().startswith("en") or not text:
        return _without_pictographs(text)
    for pattern, repl in _RULES[:2]:  # e-mail addresses and URLs keep their digits
        text = pattern.sub(repl, text)
    text = _PHONE.sub(_phone, text)
    text = _VERSION.sub(_version, text)
    for pattern, repl in _SIGNS:
        text = pattern.sub(repl, text)
    text = _ISO_DATE.sub(lambda m: _numeric_date_parts(int(m.group(2)), int(m.group(3)), m.group(1), m.group()), text)
    text = _DATE_RANGE.sub(_date_range, text)
    text = _YEAR_RANGE.sub(_year_range, text)
    text = _ORDINAL_FRACTION.sub(_any_fraction, text)
    for pattern, repl in _RANGES:
        text = pattern.sub(repl, text)
    for pattern, repl in _RULES[2:7]:
        text = pattern.sub(repl, text)
    text = _CODE.sub(_code, text)
    text = _RATIO.sub(_ratio, text)
    text = _DAY_RANGE.sub(_day_range, text)
    text = _DAY.sub(_day, text)
    text = _MONTH_ALONE.sub(_month_alone, text)
    text = _UNIT_ADJECTIVE.sub(_unit_adjective, text)
    text = _replace_decades(text)
    text = _ST_DR.sub(_saint_or_street, text)
    text = _ABBREVIATION.sub(_abbreviation, text)
    text = _UNIT.sub(_unit, text)
    text = _BARE_UNIT.sub(lambda m: _UNITS[m.group(1)][1], text)
    for pattern, repl in _RULES[7:]:
        text = pattern.sub(repl, text)
    text = _FRACTION.sub(_fraction, text)
    text = _ANY_FRACTION.sub(_any_fraction, text)
    text = _RANGE.sub(lambda m: f"{m.group(1)} {_range_word(m)} {m.group(2)}", text)
    for pattern, repl in _SYMBOLS:
        text = pattern.sub(repl, text)
    text = _NEGATIVE.sub("minus ", text)
    text = _NUMBER.sub(_cardinal, text)
    # A full stop left after an expanded abbreviation at a sentence end ("et cetera.") is fine;
    # doubled ones ("etc..") are not.
    text = re.sub(r"\.{2}(?!\.)", ".", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return _without_pictographs(text)


def _without_pictographs(text: str) -> str:
    """Emoji and other pictographs removed: espeak-ng would read out their names ("party popper")."""
    kept = "".join(
        " " if unicodedata.category(ch) == "So" else ch
        for ch in text
        if ch not in "\u200d\ufe0f\ufe0e" and not 0x1F3FB <= ord(ch) <= 0x1F3FF
    )
    kept = re.sub(r"\s+([,.;:!?])", r"\1", kept)
    return " ".join(kept.split())
