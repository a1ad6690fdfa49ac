"""Review links in a real browser (Debian's chromium driven by Playwright) against the real
ASGI app under daphne: a creator makes a link on the storyboard page, a logged-out browser
opens it, sees the scenes, comments on one and asks for changes, the creator's storyboard
page shows the comment and the notice, and a revoked link answers 404. Screenshots go to
test-artifacts/screenshots/i23-review-*.png."""

# ruff: noqa: F811 - the browser fixtures come from test_browser.py and are named as arguments
from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from videos.models import ReviewComment, ReviewLink
from videos.tests.test_browser import _orm_beside_playwright, browser  # noqa: F401 - fixtures
from videos.tests.test_browser_pages import DESKTOP, PASSWORD, _log_in

pytestmark = pytest.mark.slow


def _shot(page: Page, name: str) -> None:
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"i23-review-{name}.png"), full_page=True)


def test_a_client_reviews_through_a_link_and_the_creator_sees_it(daphne_server, browser, make_video, piper_cached):
    owner = get_user_model().objects.create_user("maya", password=PASSWORD)
    video = make_video(owner, title="The lighthouse keeper")
    scenes = list(video.scenes.order_by("position"))

    context, page = _log_in(browser, daphne_server, "maya")
    page.goto(f"/videos/{video.code}/storyboard/")
    panel = page.get_by_test_id("review-links")
    panel.get_by_role("button", name="Make a review link").click()
    url = page.get_by_test_id("review-new-url").input_value()
    assert "/review/" in url and ReviewLink.objects.filter(video=video).count() == 1
    _shot(page, "01-creator-made-a-link")

    # The reviewer has no account: a fresh browser context, no cookies.
    guest = browser.new_context(viewport=DESKTOP)
    guest.set_default_timeout(20_000)
    review = guest.new_page()
    errors: list[str] = []
    review.on("pageerror", lambda error: errors.append(str(error)))
    assert review.goto(url).status == 200
    cards = review.get_by_test_id("review-scene")
    expect(cards).to_have_count(len(scenes))
    review.wait_for_function(
        "[...document.querySelectorAll('[data-testid=review-scene] img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    expect(cards.first.locator("audio")).to_have_count(1)
    cards.first.get_by_label("Comment on scene 1").fill("The waves should be <b>bigger</b>.")
    cards.first.get_by_role("button", name="Comment").click()
    expect(review.get_by_test_id("review-comment")).to_contain_text("Scene 1")
    expect(review.get_by_test_id("review-comment")).to_contain_text("The waves should be <b>bigger</b>.")
    review.get_by_label("What should change?").fill("Please make the sea stormier.")
    review.get_by_role("button", name="Ask for changes").click()
    expect(review.get_by_test_id("review-decided")).to_contain_text("asked for changes")
    _shot(review, "02-reviewer-asked-for-changes")
    comment = ReviewComment.objects.get(decision="")
    assert comment.scene == scenes[0]

    page.goto(f"/videos/{video.code}/storyboard/")
    expect(page.get_by_test_id("review-notice")).to_contain_text("asked for changes")
    expect(panel.get_by_test_id("review-comment").first).to_contain_text("The waves should be <b>bigger</b>.")
    expect(panel.get_by_test_id("review-comment").nth(1)).to_contain_text("Please make the sea stormier.")
    _shot(page, "03-creator-sees-the-comments")

    panel.get_by_role("button", name="Revoke").click()
    expect(panel).to_contain_text("revoked")
    assert review.goto(url).status == 404
    assert errors == [] and page.errors == []
    guest.close()
    context.close()
