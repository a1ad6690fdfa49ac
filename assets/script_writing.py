"""A script from a topic: a first draft of narration, written by a Replicate language
model (REPLICATE_SCRIPT_MODEL), that the creator edits before the storyboard is made.

Offered only where the site has a Replicate token (`script_writing_available`); pages
hide the option and the API answers 404 otherwise. The model's text is cleaned into
plain narration (no headings, lists, stage directions or "Here is your script:").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from assets.generators.base import GenerationError
from assets.generators.replicate_provider import replicate_available, replicate_text

TONES = {
    "informative": "clear and informative",
    "friendly": "warm and friendly",
    "enthusiastic": "upbeat and enthusiastic",
    "calm": "calm and reassuring",
    "dramatic": "dramatic and suspenseful",
    "humorous": "light and humorous",
}
TOPIC_MAX_CHARS = 300
SECONDS_MIN, SECONDS_MAX = 10, 600
# Narration at the default 165 words per minute.
WORDS_PER_SECOND = 165 / 60

SYSTEM_PROMPT = (
    "You write narration scripts for short videos. Answer with the narration only: plain sentences "
    "in paragraphs, to be read aloud. No title, no headings, no lists, no scene numbers, no stage "
    "directions, no quotation marks around the text, nothing before or after it."
)

_PREAMBLE = re.compile(r"^(here('s| is)|sure|certainly|okay|ok)\b[^\n]*:\s*$", re.IGNORECASE)
_STAGE_DIRECTION = re.compile(r"^\s*[\[(][^\])]*[\])]\s*$")
_HEADING = re.compile(r"^\s*(#+\s+|\*\*[^*]+\*\*\s*$|(title|scene|narrator)\s*\d*\s*:)", re.IGNORECASE)
_LIST_MARK = re.compile(r"^\s*([-*•]|\d+[.)])\s+")


class ScriptWritingFailed(Exception):
    """The language model could not write a usable script; the message says why."""


@dataclass(frozen=True)
class WrittenScript:
    topic: str
    seconds: int
    tone: str
    script: str
    words: int
    model: str
    cost_usd: Decimal


def script_writing_available() -> bool:
    return replicate_available() and bool(settings.REPLICATE_SCRIPT_MODEL)


def script_clean(text: str) -> str:
    """The model's answer as plain narration: paragraphs of sentences, nothing else."""
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            lines.append("")
            continue
        if _PREAMBLE.match(line) or _STAGE_DIRECTION.match(line):
            continue
        if _HEADING.match(line):
            # "Narrator: text" keeps its text; a heading alone goes.
            _, _, rest = line.partition(":")
            line = rest.strip() if ":" in line and not line.startswith("#") else ""
            if not line:
                continue
        line = _LIST_MARK.sub("", line)
        line = line.replace("**", "").replace("__", "").strip().strip('"“”').strip()
        if line:
            lines.append(line)
    paragraphs = "\n".join(lines).split("\n\n")
    cleaned = [" ".join(p.split()) for p in paragraphs]
    return "\n\n".join(p for p in cleaned if p)


def script_from_topic(*, owner, topic: str, seconds: int, tone: str) -> WrittenScript:
    """About `seconds` of narration on `topic` in `tone`. Raises ValidationError for bad
    input, ScriptWritingFailed when the model fails or writes nothing usable."""
    errors: dict[str, str] = {}
    topic = " ".join((topic or "").split())
    if not topic:
        errors["topic"] = "Say what the video is about."
    elif len(topic) > TOPIC_MAX_CHARS:
        errors["topic"] = f"The topic is longer than {TOPIC_MAX_CHARS} characters."
    if not SECONDS_MIN <= seconds <= SECONDS_MAX:
        errors["seconds"] = f"The length must be between {SECONDS_MIN} and {SECONDS_MAX} seconds."
    if tone not in TONES:
        errors["tone"] = f"Unknown tone {tone!r}; choose one of {', '.join(TONES)}."
    if errors:
        raise ValidationError(errors)
    if not script_writing_available():
        raise ScriptWritingFailed("Script writing is not available on this site (it needs a Replicate token).")
    words = max(20, round(seconds * WORDS_PER_SECOND))
    model = settings.REPLICATE_SCRIPT_MODEL
    prompt = (
        f"Write the narration for a video of about {seconds} seconds (about {words} words) about: {topic}\n"
        f"The tone is {TONES[tone]}."
    )
    input = {
        "prompt": prompt,
        "system_prompt": SYSTEM_PROMPT,
        # A token is ~0.75 words; room for the whole script, not for an essay.
        "max_tokens": min(4096, round(words * 2) + 64),
        "temperature": 0.7,
        "top_p": 0.9,
    }
    try:
        text, cost = replicate_text(model=model, input=input)
    except GenerationError as exc:
        raise ScriptWritingFailed(str(exc)) from exc
    script = script_clean(text)[: settings.CONTENTIZER_SCRIPT_MAX_CHARS]
    if not re.search(r"\w", script):
        raise ScriptWritingFailed("The language model wrote nothing that can be narrated; try again.")
    return WrittenScript(
        topic=topic,
        seconds=seconds,
        tone=tone,
        script=script,
        words=len(script.split()),
        model=model,
        cost_usd=cost,
    )
