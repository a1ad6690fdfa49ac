"""The captions of a "words" video, end to end: the storyboard stores each phrase's word times
from the voice, the rendered WebVTT carries them, and in a real browser (Debian's chromium
driven by Playwright, the ASGI app under daphne) the player offers the captions track, off
while the captions are burned in, and its switch shows it."""

# ruff: noqa: F811 - the browser fixtures come from test_browser.py and are named as arguments
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from mediakit.phrases import caption_words
from videos.models import Video
from videos.tests.test_browser import _orm_beside_playwright, browser  # noqa: F401 - fixtures
from videos.tests.test_browser_pages import PASSWORD, _log_in, _shot, shots  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

# One scene (a quick render); a date and an amount, whose words are not the spoken ones.
SCRIPT = "On March 3, 2024, the city paid $4.2 million for the bridge."


def test_the_player_offers_the_word_timed_captions_track(daphne_server, browser, make_rendered_video, shots):
    owner = get_user_model().objects.create_user("cora", password=PASSWORD)
    # espeak-ng: quick, and the voice whose word times come from its own pauses.
    video = make_rendered_video(
        owner, script=SCRIPT, aspect="9:16", caption_style="words", voice="en-us", title="Bridge"
    )
    assert video.status == Video.Status.READY and video.caption_style == Video.CaptionStyle.WORDS
    words = 0
    for scene in video.scenes.all():
        for text, start, end, timed in scene.narration_phrases:
            assert [word for word, _at in timed] == [token for token, _space in caption_words(text)]
            times = [at for _word, at in timed]
            assert times == sorted(times) and start <= times[0] < end and times[-1] < end
            words += len(timed)
    vtt = default_storage.open(video.captions_vtt.name).read().decode()
    assert vtt.count("<00:") >= words - video.scenes.count(), vtt  # a first word may open its cue

    context, page = _log_in(browser, daphne_server, "cora")
    page.goto(f"/videos/{video.code}/")
    page.wait_for_function("document.querySelector('#player').textTracks.length === 1")
    track = "document.querySelector('#player').textTracks[0]"
    assert page.evaluate(f"[{track}.kind, {track}.label]") == ["captions", "English"]
    # Burned in: the track is offered but not shown over the picture's own captions.
    assert page.evaluate(f"{track}.mode") != "showing"
    switch = page.get_by_test_id("captions-switch")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(f"{track}.mode === 'showing' && {track}.cues && {track}.cues.length > 0")
    first = video.scenes.order_by("position").first().narration_phrases[0][0]
    cue = page.evaluate(f"{track}.cues[0].text")
    assert first.split()[1] in cue and "<00:" in cue  # the cue's text keeps the words' times
    _shot(page, shots, "19-captions-track")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(f"{track}.mode") == "hidden"
    assert page.errors == []
    context.close()
