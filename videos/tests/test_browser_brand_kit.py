"""The brand kit in a real browser (Debian's chromium driven by Playwright) against the real
ASGI app under daphne: a creator finds the Brand kit page in the account menu, uploads a logo
and sets an intro card, sees the previews, and finds both on a storyboard, where the video's
switch turns the kit off. Screenshots go to test-artifacts/screenshots/i23-brand-*.png."""

# ruff: noqa: F811 - the browser fixtures come from test_browser.py and are named as arguments
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import Page, expect

from videos.models import BrandKit
from videos.tests.test_browser import _orm_beside_playwright, browser  # noqa: F401 - fixtures
from videos.tests.test_browser_pages import PASSWORD, _log_in

pytestmark = pytest.mark.slow
IMAGES_LOADED = "[...document.querySelectorAll('{} img')].every(i => i.complete && i.naturalWidth > 0)"


def _shot(page: Page, name: str) -> None:
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"i23-brand-{name}.png"), full_page=True)


def test_a_creator_sets_a_brand_kit_and_sees_it_on_the_storyboard(
    daphne_server, browser, make_video, piper_cached, tmp_path
):
    owner = get_user_model().objects.create_user("maya", password=PASSWORD)
    video = make_video(owner, title="The lighthouse keeper")
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (300, 120), (230, 40, 90, 255)).save(logo)

    context, page = _log_in(browser, daphne_server, "maya")
    page.locator("summary").filter(has_text="maya").click()
    page.get_by_role("link", name="Brand kit").click()
    page.get_by_label("Intro title").fill("Harbour Stories: {title}")
    page.get_by_label("Outro title").fill("Thanks for watching")
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_test_id("brand-kit-save").click()
    expect(page.get_by_role("status").filter(has_text="brand kit was saved")).to_be_visible()
    page.wait_for_function(IMAGES_LOADED.format("[data-testid=brand-previews]"))
    _shot(page, "01-page")
    kit = BrandKit.objects.get(owner=owner)
    assert kit.intro_title == "Harbour Stories: {title}" and kit.logo is not None

    page.goto(f"/videos/{video.code}/storyboard/")
    panel = page.get_by_test_id("brand-panel")
    expect(panel.get_by_test_id("brand-state")).to_contain_text("renders with your brand kit")
    page.wait_for_function(IMAGES_LOADED.format("[data-testid=brand-panel]"))
    intro = panel.get_by_test_id("brand-preview-intro")
    assert intro.evaluate("i => i.naturalWidth") == 854
    panel.scroll_into_view_if_needed()
    _shot(page, "02-storyboard")

    panel.get_by_test_id("brand-off").click()
    expect(page.get_by_test_id("brand-state")).to_contain_text("renders without your brand kit")
    video.refresh_from_db()
    assert video.brand_kit is False
    context.close()
