"""Issue 11's new creator pages in a real browser (Debian's chromium driven by Playwright)
against the real ASGI app under daphne: a batch file uploaded on the page (a good one
becomes a batch page whose rows go live to "storyboard ready" through a real qcluster; one
with two bad rows gets one report naming both, and nothing is made), and "Write it for me"
filling the script field from the local fake Replicate while the rest of the form stays.
Screenshots are saved under test-artifacts/screenshots/ (prefix i11-)."""

# ruff: noqa: F811 - the browser fixtures come from test_browser.py and are named as arguments
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from conftest import wait_for
from videos.models import Batch, Video
from videos.tests.test_browser import _orm_beside_playwright, browser  # noqa: F401 - fixtures
from videos.tests.test_browser_pages import PASSWORD, PHONE, _log_in, _shot, shots  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

ROW_SCRIPT = "The keeper climbs the stairs at dusk. The lamp turns until the morning comes."
GOOD = (
    "title,script,aspect,quality\n"
    f'"The keeper","{ROW_SCRIPT}",16:9,480p\n'
    f'"The harbour","{ROW_SCRIPT}",9:16,480p\n'
    f'"The ships","{ROW_SCRIPT}",1:1,480p\n'
)
BAD = (
    "title,script,aspect,fps\n"
    f'"Fine","{ROW_SCRIPT}",16:9,30\n'
    f'"Wrong shape","{ROW_SCRIPT}",4:3,30\n'
    '"No words",,16:9,fast\n'
)
# The fake's canned answer, cleaned (no preamble, heading or stage direction).
DRAFT = (
    "Every night for a hundred years, the lighthouse on the cliff has turned its lamp towards the sea. "
    "Sailors far from home have watched for its beam.\n\n"
    "Today the keeper is a machine, but the light still sweeps the dark water, and the ships still come home."
)


def _choose(page, name: str, text: str) -> None:
    page.set_input_files("#id_file", {"name": name, "mimeType": "text/csv", "buffer": text.encode()})


def test_a_good_batch_file_becomes_a_batch_page_whose_videos_go_live(daphne_server, qcluster, browser, shots):
    get_user_model().objects.create_user("maya", password=PASSWORD)
    context, page = _log_in(browser, daphne_server, "maya")
    context.set_default_timeout(30_000)
    # Reached from the library.
    page.get_by_role("link", name="Many from a file").click()
    expect(page.get_by_role("heading", name="Many videos from one file")).to_be_visible()
    expect(page.get_by_test_id("batch-columns")).to_contain_text("caption_style")

    _choose(page, "spring_launch.csv", GOOD)
    page.get_by_role("button", name="Check and make the videos").click()

    expect(page.get_by_role("heading", name="spring launch")).to_be_visible()
    rows = page.get_by_test_id("batch-video")
    expect(rows).to_have_count(3)
    batch = Batch.objects.get()
    for video in batch.videos.all():
        expect(
            page.locator(f'[data-video="{video.code}"] a[href="/videos/{video.code}/storyboard/"]').first
        ).to_be_visible()
    _shot(page, shots, "batch-02-progress")
    # The page follows the storyboards as the worker makes them, without a reload.
    expect(page.get_by_test_id("batch-progress")).to_have_attribute("data-finished", "true", timeout=240_000)
    expect(page.locator('[data-testid=batch-video][data-status="storyboard"]')).to_have_count(3)
    expect(page.get_by_test_id("batch-percent")).to_have_text("100%")
    assert set(batch.videos.values_list("status", flat=True)) == {Video.Status.STORYBOARD}
    _shot(page, shots, "batch-03-settled")
    # Each row links to its ordinary video.
    page.get_by_role("link", name="The harbour").click()
    expect(page).to_have_url(f"{daphne_server}/videos/{batch.videos.get(title='The harbour').code}/storyboard/")
    assert page.errors == []
    context.close()


def test_a_file_with_two_bad_rows_gets_one_report_of_both_and_nothing_is_made(daphne_server, browser, shots):
    get_user_model().objects.create_user("maya", password=PASSWORD)
    context, page = _log_in(browser, daphne_server, "maya", path="/accounts/login/?next=/videos/new/")
    # Reached from the new-video page.
    page.get_by_test_id("batch-link").click()
    _choose(page, "launch.csv", BAD)
    page.get_by_role("button", name="Check and make the videos").click()

    report = page.get_by_test_id("batch-report")
    expect(report).to_be_visible()
    expect(report.get_by_role("heading")).to_contain_text("Nothing was made: 3 problems to fix in 2 rows")
    expect(report.locator("tr[data-row]")).to_have_count(3)
    expect(report.locator('tr[data-row="2"]')).to_contain_text("aspect")
    expect(report.locator('tr[data-row="3"]').filter(has_text="script")).to_contain_text("Every row needs a script.")
    expect(report.locator('tr[data-row="3"]').filter(has_text="fps")).to_contain_text("Must be a whole number.")
    expect(report.locator('tr[data-row="1"]')).to_have_count(0)
    assert not Batch.objects.exists() and not Video.objects.exists()
    _shot(page, shots, "batch-01-report")
    assert page.errors == []
    context.close()

    # On a phone the account menu reaches the batch page, and the report fits the width.
    phone, page = _log_in(
        browser,
        daphne_server,
        "maya",
        viewport=PHONE["viewport"],
        **{k: v for k, v in PHONE.items() if k != "viewport"},
    )
    page.goto("/")
    page.locator(".menu summary").click()
    page.get_by_role("link", name="Batches: many videos from a file").click()
    expect(page.get_by_role("heading", name="Many videos from one file")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, shots, "batch-05-nav-phone", full_page=False)
    _choose(page, "launch.csv", BAD)
    page.get_by_role("button", name="Check and make the videos").click()
    expect(page.get_by_test_id("batch-report")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, shots, "batch-04-report-phone")
    phone.close()


@pytest.fixture
def replicate_for_the_server(fake_replicate, monkeypatch, cache_table):
    """The fake Replicate, told to the daphne subprocess through its environment (the
    fixture's settings reach only this process). Requested before daphne_server."""
    for name in ("REPLICATE_API_TOKEN", "REPLICATE_BASE_URL", "REPLICATE_POLL_INTERVAL_MS", "REPLICATE_BACKOFF_MS"):
        from django.conf import settings

        monkeypatch.setenv(name, str(getattr(settings, name)))
    return fake_replicate


def test_write_it_for_me_fills_the_script_and_keeps_the_form(replicate_for_the_server, daphne_server, browser, shots):
    get_user_model().objects.create_user("maya", password=PASSWORD)
    context, page = _log_in(browser, daphne_server, "maya", path="/accounts/login/?next=/videos/new/")
    page.fill("#id_title", "Lights on the cape")
    page.check('input[name="aspect"][value="9:16"]')
    page.get_by_text("Write it for me", exact=True).first.click()  # the disclosure
    page.fill("#id_writer-topic", "the old lighthouse")
    page.select_option("#id_writer-seconds", "30")
    page.select_option("#id_writer-tone", "calm")
    _shot(page, shots, "write-01-asked")

    page.get_by_test_id("write-it").click()

    expect(page.locator("#id_script")).to_have_value(DRAFT)
    expect(page.get_by_test_id("writer-status")).to_contain_text("A draft of 47 words")
    expect(page.locator("#id_title")).to_have_value("Lights on the cape")
    expect(page.locator('input[name="aspect"][value="9:16"]')).to_be_checked()
    expect(page.get_by_test_id("script-counter")).to_contain_text(" of ")  # the counter heard it
    (creation,) = replicate_for_the_server.creations()
    assert "the old lighthouse" in creation["json"]["input"]["prompt"]
    _shot(page, shots, "write-02-filled")

    # An empty topic: said inline, the script stays.
    page.fill("#id_writer-topic", "")
    page.get_by_test_id("write-it").click()
    expect(page.locator("#script-writer")).to_contain_text("Say what the video is about.")
    expect(page.locator("#id_script")).to_have_value(DRAFT)
    assert page.errors == []

    # The draft is the creator's to edit, then the storyboard is made from it.
    page.locator("#id_script").fill("My own words now. " + DRAFT)
    page.get_by_role("button", name="Make the storyboard").click()
    wait_for(lambda: Video.objects.filter(title="Lights on the cape").exists(), timeout=20, message="the video")
    assert Video.objects.get().script.startswith("My own words now. Every night")
    context.close()
