"""The API access page in a real browser (Debian's chromium driven by Playwright): the new
token's copy button puts the token on the clipboard, or selects it where the clipboard is
refused; the callback field is styled like the page's other fields."""

# ruff: noqa: F811 - the browser fixtures come from test_browser.py and are named as arguments
from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from videos.tests.test_browser import _orm_beside_playwright, browser  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

PASSWORD = "harbour-lights-77"
# Where the clipboard is missing (an insecure context, an old browser).
NO_CLIPBOARD = "Object.defineProperty(navigator, 'clipboard', {value: undefined});"


def _token_page(browser, base_url: str, *, init_script: str = ""):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    if init_script:
        context.add_init_script(init_script)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/accounts/login/?next=/api/account/")
    page.fill("#id_username", "maya")
    page.fill("#id_password", PASSWORD)
    page.locator("[type=submit]").first.click()
    page.get_by_role("button", name="Create a token").click()
    return context, page


def test_the_copy_button_copies_the_new_token(daphne_server, browser):
    get_user_model().objects.create_user("maya", password=PASSWORD)
    context, page = _token_page(browser, daphne_server)
    token = page.get_by_test_id("api-token").inner_text()

    page.get_by_role("button", name="Copy").click()

    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    # The callback field is a full-width field with the page's border, not the browser's box.
    field = page.locator("#callback_url")
    form_width = page.evaluate("document.querySelector('#callback_url').parentElement.clientWidth")
    assert field.bounding_box()["width"] == pytest.approx(form_width, abs=1)
    assert field.evaluate("e => getComputedStyle(e).borderRadius") == "8px"
    page.screenshot(path=str(settings.BASE_DIR / "test-artifacts" / "screenshots" / "api-access.png"))
    context.close()


def test_without_a_clipboard_the_copy_button_selects_the_token(daphne_server, browser):
    get_user_model().objects.create_user("maya", password=PASSWORD)
    context, page = _token_page(browser, daphne_server, init_script=NO_CLIPBOARD)
    token = page.get_by_test_id("api-token").inner_text()

    page.get_by_role("button", name="Copy").click()

    expect(page.get_by_role("status").filter(has_text="press Ctrl+C")).to_be_visible()
    assert page.evaluate("window.getSelection().toString()") == token
    context.close()
