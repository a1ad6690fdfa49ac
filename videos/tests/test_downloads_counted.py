"""Downloads of masters and exports are counted per video and per export (the creator sees
them on the video page and in the API) and for /metrics; streaming, HEAD and a download
manager's later ranges are not downloads."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from core.models import MetricCounter
from videos.models import Export, Video

pytestmark = pytest.mark.usefixtures("cache_table")

MASTER = b"\x00\x00\x00\x18ftypmp42" + bytes(4000)


@pytest.fixture
def stored_video(owner):
    # Made as a row: these tests are about the files' delivery, not the storyboard.
    video = Video.objects.create(owner=owner, title="Lighthouse", script="The lighthouse keeper.")
    base = f"videos/{owner.pk}/{video.code.hex}"
    video.master = default_storage.save(f"{base}/master-test.mp4", ContentFile(MASTER))
    video.status = Video.Status.READY
    video.save()
    return video


@pytest.fixture
def stored_export(stored_video):
    name = default_storage.save(
        f"exports/{stored_video.code.hex}-480p.webm", ContentFile(b"\x1aE\xdf\xa3" + bytes(500))
    )
    return Export.objects.create(
        video=stored_video,
        format=Export.Format.WEBM,
        quality="480p",
        file=name,
        source_master=stored_video.master.name,
    )


@pytest.fixture
def browser(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def counted(what: str, format: str) -> float:
    row = MetricCounter.objects.filter(name="contentizer_downloads", labels=f'format="{format}",what="{what}"').first()
    return row.value if row else 0


def test_a_download_from_the_page_and_one_from_the_api_are_both_counted(browser, api, stored_video):
    assert browser.get(f"/videos/{stored_video.code}/download/").status_code == 200
    assert api.get(f"/api/v1/videos/{stored_video.code}/download").status_code == 200
    stored_video.refresh_from_db()
    assert stored_video.downloads == 2
    assert counted("master", "mp4") == 2
    assert api.get(f"/api/v1/videos/{stored_video.code}").json()["downloads"] == 2
    assert b'data-testid="meta-downloads">2<' in browser.get(f"/videos/{stored_video.code}/").content


def test_streaming_head_and_a_later_range_are_not_downloads(browser, stored_video):
    browser.get(f"/videos/{stored_video.code}/stream/")
    browser.head(f"/videos/{stored_video.code}/download/")
    assert browser.get(f"/videos/{stored_video.code}/download/", HTTP_RANGE="bytes=1000-").status_code == 206
    stored_video.refresh_from_db()
    assert stored_video.downloads == 0
    assert counted("master", "mp4") == 0


def test_an_export_download_is_counted_on_the_export(browser, api, stored_export):
    assert browser.get(f"/exports/{stored_export.code}/download/").status_code == 200
    assert api.get(f"/api/v1/exports/{stored_export.code}/download").status_code == 200
    stored_export.refresh_from_db()
    assert stored_export.downloads == 2
    assert counted("export", "webm") == 2
    assert api.get(f"/api/v1/exports/{stored_export.code}").json()["downloads"] == 2


def test_a_stranger_downloading_nothing_counts_nothing(stranger, stored_video):
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/videos/{stored_video.code}/download/").status_code == 404
    stored_video.refresh_from_db()
    assert stored_video.downloads == 0
