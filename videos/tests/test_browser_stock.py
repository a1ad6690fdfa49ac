"""Stock footage in a real browser (Debian's chromium driven by Playwright) against daphne
and a real qcluster, both pointed at the local fake Pexels and Pixabay servers: a creator
picks "Stock footage", the storyboard fills with clips and photos, each scene shows its
provider and credit, and the video's credits download is offered. A screenshot goes to
test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from assets.models import MediaAsset
from videos.models import Video
from videos.tests.stock_fakes import stock_fakes
from videos.tests.test_browser import _orm_beside_playwright, browser  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

SCRIPT = (
    "The old lighthouse keeper climbs the stairs at dusk. "
    "Far below, the grey waves break on the black rocks. "
    "At first light the harbour ferry leaves with its passengers."
)


@pytest.fixture
def fakes_in_env(monkeypatch, settings):
    """The fakes, and the env the daphne and qcluster subprocesses read their settings
    from (requested before them, so they start with it)."""
    with stock_fakes() as fakes:
        for name, value in fakes.environ().items():
            monkeypatch.setenv(name, value)
        for name, value in fakes.settings().items():
            setattr(settings, name, value)
        yield fakes


@pytest.fixture
def stock_screenshots() -> Path:
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("stock-*.png"):
        old.unlink()
    return folder


def test_a_storyboard_with_stock_footage_shows_each_scenes_credit(
    fakes_in_env,
    daphne_server,
    qcluster,
    browser,  # noqa: F811 - the fixture imported above
    stock_screenshots,
    django_user_model,
):
    django_user_model.objects.create_user("nora", password="harbour-lights-77")
    context = browser.new_context(base_url=daphne_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    page.goto("/accounts/login/")
    page.fill("#id_username", "nora")
    page.fill("#id_password", "harbour-lights-77")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{daphne_server}/")

    page.goto("/videos/new/")
    page.fill("#id_title", "Harbour at dusk")
    page.fill("#id_script", SCRIPT)
    page.select_option("#id_quality", "480p")
    page.get_by_label("Stock footage (Pexels/Pixabay)").check()
    page.get_by_role("button", name="Make the storyboard").click()
    page.wait_for_url(re.compile(r"/videos/[0-9a-f-]+/storyboard/$"))

    scenes = page.locator("li.scene")
    expect(scenes).to_have_count(3)
    expect(page.get_by_role("button", name="Approve the storyboard")).to_be_enabled(timeout=90_000)
    # Two clips (with their stills as posters) and a photo, each credited on its scene.
    expect(page.locator("li.scene .scene__media video")).to_have_count(2)
    expect(page.locator("li.scene .scene__media img")).to_have_count(1)
    credits = page.get_by_test_id("scene-credit")
    expect(credits).to_have_count(5)  # three stock items and the two clips' illustrated stills (CC BY)
    expect(scenes.nth(0).get_by_test_id("scene-credit").first).to_contain_text("Pexels · Ivo Petrov · Pexels License")
    expect(scenes.nth(2).get_by_test_id("scene-credit")).to_contain_text("Dora Novak")
    # One short line each; who, the licence and the source open on demand.
    expect(scenes.nth(0).get_by_role("link", name="Source")).to_have_count(0)
    scenes.nth(0).get_by_test_id("scene-credit").first.locator("summary").click()
    source = scenes.nth(0).get_by_role("link", name="Source").first
    expect(source).to_have_attribute("href", "https://www.pexels.com/video/lighthouse-coast-aerial-11/")
    page.wait_for_function(
        "[...document.querySelectorAll('li.scene img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    page.wait_for_function(
        "[...document.querySelectorAll('li.scene video')].every(v => v.readyState >= 1 && v.videoWidth > 0)"
    )
    page.screenshot(path=str(stock_screenshots / "stock-storyboard.png"), full_page=True)

    video = Video.objects.get(owner__username="nora")
    assert video.visuals == "stock_online"
    assert MediaAsset.objects.filter(owner=video.owner, source="online").count() == 3

    # The video page lists the credits and offers credits.txt among the downloads.
    page.goto(f"/videos/{video.code}/")
    expect(page.get_by_test_id("video-credit")).to_have_count(5)
    with page.expect_download() as download_info:
        page.get_by_test_id("credits-download").click()
    download = download_info.value
    assert download.suggested_filename == "harbour-at-dusk-credits.txt"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "Scene 1 clip: by Ivo Petrov" in text
    assert text.count("Pexels License: https://www.pexels.com/license/") == 1
    page.screenshot(path=str(stock_screenshots / "stock-video-credits.png"), full_page=True)

    # A 9:16 storyboard is previewed in 9:16 boxes, not wide ones.
    page.goto("/videos/new/")
    page.fill("#id_title", "Tall harbour")
    page.fill("#id_script", SCRIPT)
    page.select_option("#id_quality", "480p")
    page.get_by_role("radio", name="9:16 portrait").check()  # the video's aspect, not "Also make"
    page.get_by_label("Stock footage (Pexels/Pixabay)").check()
    page.get_by_role("button", name="Make the storyboard").click()
    page.wait_for_url(re.compile(r"/storyboard/$"))
    expect(page.get_by_role("button", name="Approve the storyboard")).to_be_enabled(timeout=90_000)
    for box in page.get_by_test_id("scene-media").all():
        size = box.bounding_box()
        assert abs(size["height"] / size["width"] - 16 / 9) < 0.05, size
    page.screenshot(path=str(stock_screenshots / "stock-storyboard-portrait.png"), full_page=True)

    assert page_errors == []
    context.close()
