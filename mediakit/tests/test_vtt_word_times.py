"""Word times in the WebVTT: a phrase cue whose words the voice timed carries an inline
timestamp before each word said after the cue starts; SubRip stays plain."""
# The narration starts at the video's narration lead (spec.narration_lead_ms, under 1 s).

from __future__ import annotations

from mediakit.captions import to_srt, to_vtt
from mediakit.spec import SceneSpec, StoryboardSpec
from mediakit.timeline import plan

PHRASE = "The city paid $4.2 million for a bridge over the river."
WORDS = (
    ("The", 20),
    ("city", 160),
    ("paid", 420),
    ("$4.2", 700),
    ("million", 1500),
    ("for", 1900),
    ("a", 2000),
    ("bridge", 2050),
    ("over", 2400),
    ("the", 2600),
    ("river.", 2700),
)


def _spec(words=(WORDS,)) -> StoryboardSpec:
    scene = SceneSpec(
        picture="p.png",
        duration_ms=4000,
        narration="n.wav",
        narration_ms=3200,
        caption_text=PHRASE,
        phrases=((PHRASE, 0, 3200),),
        phrase_words=words,
    )
    return StoryboardSpec(scenes=(scene,), width=1280, height=720, fps=30, transition="cut", captions=True)


def test_each_word_after_the_first_gets_its_time_in_the_vtt() -> None:
    spec = _spec()
    lead = spec.narration_lead_ms
    vtt = to_vtt(plan(spec).cues)
    cue_lines = vtt.split("\n\n")[1].splitlines()
    assert cue_lines[0].endswith(f"--> 00:00:0{(lead + 3200) // 1000}.{(lead + 3200) % 1000:03d}")
    text = " ".join(cue_lines[1:])
    assert text.startswith(f"<00:00:00.{lead + 20:03d}>The <00:00:00.{lead + 160:03d}>city")
    assert f"<00:00:0{(lead + 1500) // 1000}.{(lead + 1500) % 1000:03d}>million" in text
    assert text.count("<00:") == len(WORDS)  # "The" is said 20 ms after the cue starts
    # Stripped of its timestamps, the cue reads as the phrase, on at most two lines.
    assert len(cue_lines) - 1 <= 2
    plain = " ".join(part.split(">")[-1] for part in text.split(" "))
    assert plain == PHRASE


def test_without_word_times_the_vtt_has_no_inline_timestamps() -> None:
    vtt = to_vtt(plan(_spec(words=())).cues)
    assert "<00:" not in vtt and PHRASE.split()[0] in vtt


def test_srt_never_carries_word_times() -> None:
    srt = to_srt(plan(_spec()).cues)
    assert "<" not in srt and "million" in srt
