"""A storyboard scene's narration plays in a real browser (Debian's chromium driven by
Playwright) against the real ASGI app under daphne: the creator presses the scene's play
control and the page's audio element really plays the stored narration. The file is
streamed with Range and only to its owner."""

# ruff: noqa: F811 - the browser fixtures come from test_browser.py and are named as arguments
from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from conftest import wait_for
from videos.tests.test_browser import _orm_beside_playwright, browser  # noqa: F401 - fixtures
from videos.tests.test_browser_pages import PASSWORD, _log_in

pytestmark = pytest.mark.slow

SCRIPT = "The old lighthouse keeper climbs the spiral stairs slowly every evening at dusk."


def _audio(page, expression: str):
    return page.evaluate(
        "(() => { const a = document.querySelector('[data-testid=scene-narration] audio'); return "
        + expression
        + "; })()"
    )


def test_a_storyboard_scene_narration_plays_when_its_play_control_is_pressed(daphne_server, browser, make_video):
    owner = get_user_model().objects.create_user("maya", password=PASSWORD)
    get_user_model().objects.create_user("stranger", password=PASSWORD)
    video = make_video(owner, script=SCRIPT, title="The lighthouse keeper")
    scene = video.scenes.order_by("position").first()
    assert scene.narration_audio is not None and scene.narration_ms > 1000
    context, page = _log_in(browser, daphne_server, "maya")
    page.goto(f"/videos/{video.code}/storyboard/")
    audio = page.locator("[data-testid=scene-narration] audio").first
    expect(audio).to_be_visible()
    assert _audio(page, "a.paused") is True
    # A real click on the native control's play button (the left end of the bar).
    audio.scroll_into_view_if_needed()
    box = audio.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + box["height"] / 2)
    wait_for(lambda: _audio(page, "a.currentTime") > 0.3, timeout=20, message="the narration playing")
    assert _audio(page, "a.paused") is False
    assert _audio(page, "a.error") is None
    duration = _audio(page, "a.duration")
    assert abs(duration - scene.narration_ms / 1000) < 0.1, (duration, scene.narration_ms)
    Path(settings.BASE_DIR, "test-artifacts", "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(settings.BASE_DIR, "test-artifacts", "screenshots", "narration-playing.png")))
    src = _audio(page, "a.currentSrc")

    # The same request the browser makes for a piece of the file: 206 with the bytes asked for.
    ranged = page.request.get(src, headers={"Range": "bytes=0-99"})
    assert ranged.status == 206
    assert ranged.headers["content-range"].startswith("bytes 0-99/")
    assert len(ranged.body()) == 100
    context.close()

    # A stranger signed in gets 404 for that URL; nobody signed in gets no audio either.
    other, other_page = _log_in(browser, daphne_server, "stranger")
    response = other_page.request.get(src)
    assert response.status == 404
    assert b"RIFF" not in response.body()[:16]
    other.close()
    anonymous = urllib.request.urlopen(src, timeout=10)  # follows the redirect to the login page
    assert not anonymous.headers.get("Content-Type", "").startswith("audio")
