"""A creator's whole way through, in a real browser (Debian's chromium driven by
Playwright) against the real ASGI app under daphne and a real qcluster: sign up, write a
script, review and approve the storyboard, render while the progress bar moves live,
play and seek the video, export it, delete it. Screenshots of every page are saved
under test-artifacts/screenshots/ for people to look at."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from playwright.sync_api import Page, expect, sync_playwright

from core.testing import local_copy
from jobs.models import Job
from videos.models import Export, Video, VideoJobKind
from videos.templatetags.video_tags import duration_text

pytestmark = pytest.mark.slow

SCRIPT = (
    "The old lighthouse keeper climbs the spiral stairs slowly every single evening at dusk. "
    "Far below him the grey winter waves break hard against the black rocks of the cape. "
    "At the very top he lights the great lamp and watches the ships pass safely home."
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Counts what the page receives, so the test can tell a websocket push from a reload.
PAGE_PROBE = """
window.__wsOpened = 0;
window.__wsMessages = 0;
document.addEventListener("htmx:wsOpen", () => { window.__wsOpened += 1; });
document.addEventListener("htmx:wsAfterMessage", () => { window.__wsMessages += 1; });
"""


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM reads
    # are still plain synchronous code, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def screenshots() -> Path:
    folder = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _player_value(page: Page, expression: str):
    return page.evaluate(f"(() => {{ const v = document.querySelector('#player'); return {expression}; }})()")


def test_a_new_creator_makes_approves_renders_watches_and_exports_a_video(
    daphne_server, qcluster, browser, screenshots, tmp_path
):
    from mediakit.probe import probe

    def shot(target: Page, name: str) -> None:
        target.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)

    context = browser.new_context(base_url=daphne_server, viewport={"width": 1280, "height": 860})
    context.add_init_script(PAGE_PROBE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    # Every response, to find the player's: from /stream/ itself, or (S3) the presigned
    # object URL that /stream/ redirects to.
    responses: list[tuple[str, int]] = []
    page.on("response", lambda r: responses.append((r.url, r.status)))

    # Log in page, then sign up.
    page.goto("/accounts/login/")
    shot(page, "01-login")
    page.get_by_role("link", name="Create an account").click()
    page.fill("#id_username", "maya")
    page.fill("#id_password1", "lamp-and-lens-42")
    page.fill("#id_password2", "lamp-and-lens-42")
    shot(page, "02-signup")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{daphne_server}/")
    expect(page.get_by_role("heading", name="No videos yet")).to_be_visible()
    shot(page, "03-library-empty")

    # Write a three-sentence script.
    page.get_by_role("link", name="Write your first script").click()
    page.fill("#id_title", "The lighthouse keeper")
    page.fill("#id_script", SCRIPT)
    page.select_option("#id_quality", "480p")
    page.select_option("#id_music", "calm")
    shot(page, "04-new-video")
    page.get_by_role("button", name="Make the storyboard").click()
    page.wait_for_url(re.compile(r"/videos/[0-9a-f-]+/storyboard/$"))
    video = Video.objects.get(owner__username="maya")

    # The storyboard fills itself in as the qcluster makes each scene's media.
    expect(page.locator("li.scene")).to_have_count(3)
    approve = page.get_by_role("button", name="Approve the storyboard")
    expect(approve).to_be_enabled(timeout=60_000)
    expect(page.locator("li.scene .scene__media img")).to_have_count(3)
    page.wait_for_function(
        "[...document.querySelectorAll('li.scene img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    for index, sentence in enumerate(re.split(r"(?<=\.) ", SCRIPT)):
        expect(page.locator("li.scene").nth(index)).to_contain_text(sentence)
    expect(page.get_by_test_id("refinements")).to_have_text("0 of 5")
    shot(page, "05-storyboard")

    # Edit a scene's picture prompt in place: its picture is made again, live.
    second = page.locator("li.scene").nth(1)
    old_picture = second.locator("img").get_attribute("src")
    second.get_by_text("Edit", exact=True).click()
    second.locator("textarea[name=visual_prompt]").fill("a storm over the cape at night, lightning, waves")
    shot(page, "06-storyboard-editing")
    second.get_by_role("button", name="Save scene").click()
    expect(page.locator("li.scene").nth(1)).to_contain_text("a storm over the cape at night")
    page.wait_for_function(
        """(old) => {
            const img = document.querySelectorAll('li.scene')[1].querySelector('img');
            return img && img.getAttribute('src') !== old && img.complete && img.naturalWidth > 0;
        }""",
        arg=old_picture,
        timeout=60_000,
    )
    expect(approve).to_be_enabled(timeout=60_000)

    approve.click()
    expect(page.get_by_text("✓ Approved")).to_be_visible()
    shot(page, "07-storyboard-approved")

    # Render, and watch the bar reach 100 % on the same page, pushed over the socket.
    page.get_by_role("button", name="Render the video").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    page.evaluate("window.__samePage = true")
    bar = page.get_by_role("progressbar")
    seen: list[int] = []
    mid_shot = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        value = int(bar.get_attribute("aria-valuenow"))
        if not seen or seen[-1] != value:
            seen.append(value)
        if 0 < value < 100 and not mid_shot:
            shot(page, "08-render-progress")
            mid_shot = True
        if value == 100:
            break
        if page.get_by_test_id("job-stage").inner_text() == "Failed":
            pytest.fail("The render failed: " + page.locator(".job__error").inner_text())
        time.sleep(0.1)
    assert seen and seen[-1] == 100, f"the bar stopped at {seen}"
    assert seen[0] < 100
    assert page.evaluate("window.__samePage") is True, "the page reloaded"
    assert page.evaluate("window.__wsOpened") >= 1
    assert page.evaluate("window.__wsMessages") >= 2  # the state on connect, then changes
    expect(page.get_by_test_id("job-stage")).to_have_text("Done")
    if not mid_shot:
        shot(page, "08-render-progress")
    shot(page, "09-render-done")
    assert video.jobs.get(kind=VideoJobKind.RENDER).status == Job.Status.SUCCEEDED

    # The player plays, its duration is the probed one, and it seeks.
    page.get_by_test_id("watch-link").click()
    page.wait_for_url(f"{daphne_server}/videos/{video.code}/")
    video.refresh_from_db()
    # Storage may be a folder or S3 (the scaled-out run): probe a copy.
    probed_s = probe(local_copy(video.master.name, tmp_path)).duration_ms / 1000
    page.wait_for_function("document.querySelector('#player').readyState >= 1")
    duration = _player_value(page, "v.duration")
    assert abs(duration - probed_s) <= 0.1, (duration, probed_s)
    page.evaluate("document.querySelector('#player').muted = true")
    page.evaluate("document.querySelector('#player').play()")
    page.wait_for_function("document.querySelector('#player').currentTime > 0.3")
    first = _player_value(page, "v.currentTime")
    page.wait_for_function(f"document.querySelector('#player').currentTime > {first + 0.3}")
    target = round(duration * 0.6, 2)
    landed = page.evaluate(
        """(target) => new Promise((resolve) => {
            const v = document.querySelector('#player');
            v.pause();
            v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
            v.currentTime = target;
        })""",
        target,
    )
    assert abs(landed - target) < 0.25, (landed, target)
    stream_statuses = [status for url, status in responses if "/stream/" in url or video.master.name in url]
    assert 206 in stream_statuses, stream_statuses
    page.evaluate("document.querySelector('#player').currentTime = 1.5")
    page.wait_for_function("document.querySelector('#player').readyState >= 2")
    expect(page.get_by_test_id("meta-duration")).to_have_text(duration_text(video.duration_ms))
    shot(page, "10-video")

    # An export gets its own live progress and then a download link.
    page.select_option("select[name=format]", "webm")
    page.select_option("select[name=quality]", "480p")
    page.get_by_role("button", name="Export", exact=True).click()
    export_row = page.locator("li.export").first
    expect(export_row.get_by_role("link", name="Download")).to_be_visible(timeout=90_000)
    shot(page, "11-video-exported")
    export = Export.objects.get(video=video)
    assert (export.format, export.quality, export.height) == ("webm", "480p", 480)

    # The library now has the video's card, with its poster, duration and quota use.
    page.goto("/")
    card = page.locator("li.vcard")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("The lighthouse keeper")
    expect(card).to_contain_text("Ready")
    expect(page.get_by_test_id("quota-videos_per_day")).to_contain_text("1 of")
    shot(page, "12-library")

    # The same pages on a phone.
    phone = browser.new_context(
        base_url=daphne_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        storage_state=context.storage_state(),
    )
    mobile = phone.new_page()
    mobile.goto("/")
    expect(mobile.get_by_role("heading", name="The lighthouse keeper")).to_be_visible()
    shot(mobile, "13-phone-library")
    mobile.goto(f"/videos/{video.code}/storyboard/")
    shot(mobile, "14-phone-storyboard")
    mobile.goto(f"/videos/{video.code}/")
    mobile.wait_for_function("document.querySelector('#player').readyState >= 1")
    shot(mobile, "15-phone-video")
    phone.close()

    # Account page, then delete the video: the library is empty again, the files gone.
    page.goto("/accounts/password/")
    shot(page, "16-password-change")
    page.goto(f"/videos/{video.code}/")
    page.get_by_role("link", name="Delete…").click()
    shot(page, "17-delete-confirm")
    page.get_by_role("button", name="Delete the video").click()
    page.wait_for_url(f"{daphne_server}/")
    expect(page.get_by_text("Deleted “The lighthouse keeper”")).to_be_visible()
    shot(page, "18-library-after-delete")
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not default_storage.exists(video.master.name)

    assert page_errors == []
    context.close()


def test_progress_still_arrives_by_polling_when_the_socket_cannot_connect(
    daphne_server, qcluster, browser, django_user_model
):
    django_user_model.objects.create_user("ines", password="tide-and-time-31")
    context = browser.new_context(base_url=daphne_server, viewport={"width": 1280, "height": 860})
    context.add_init_script(PAGE_PROBE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    refused: list[str] = []

    def refuse(socket) -> None:
        # As a proxy without websocket support would: the socket closes at once.
        refused.append(socket.url)
        socket.close()

    page.route_web_socket(re.compile(r"/ws/jobs/"), refuse)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/fragment/") else None)

    page.goto("/accounts/login/")
    page.fill("#id_username", "ines")
    page.fill("#id_password", "tide-and-time-31")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{daphne_server}/")
    page.goto("/videos/new/")
    page.fill("#id_title", "Tides")
    page.fill("#id_script", SCRIPT)
    page.select_option("#id_quality", "480p")
    page.get_by_role("button", name="Make the storyboard").click()
    page.wait_for_url(re.compile(r"/storyboard/$"))

    approve = page.get_by_role("button", name="Approve the storyboard")
    expect(approve).to_be_enabled(timeout=60_000)
    approve.click()
    page.get_by_role("button", name="Render the video").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    page.evaluate("window.__samePage = true")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100", timeout=120_000)

    assert page.evaluate("window.__samePage") is True
    assert refused, "the page never tried its websocket"
    assert page.evaluate("window.__wsMessages") == 0
    assert polls, "no progress was polled"
    expect(page.get_by_test_id("watch-link")).to_be_visible()
    context.close()
