"""Online stock providers end to end: the real httpx client against local fake Pexels and
Pixabay servers (real JSON shapes, real JPEG/MP4 bytes), with the sleep injected so
backoff is counted, not waited."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.stock_online import (
    PexelsProvider,
    PixabayProvider,
    StockAuthError,
    StockDownloadRefused,
    StockError,
    StockQuery,
    StockRateLimited,
    pick_for_scenes,
)
from assets.stock_online.configured import stock_provider, stock_providers_available
from assets.stock_online.http import HttpSettings, RetryPolicy
from assets.stock_online.verify import download_verified, verify_download
from assets.tests.fake_pexels import FakePexels
from assets.tests.fake_pixabay import FakePixabay


class Sleeps(list):
    """An injected sleep: remembers each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def http(sleeps: Sleeps, **changes) -> HttpSettings:
    retry = RetryPolicy(attempts=4, base_s=0.5, max_wait_s=10, budget_s=20, sleep=sleeps)
    return HttpSettings(retry=retry, allow_loopback_http=True, **changes)


@pytest.fixture
def fake_pexels():
    fake = FakePexels().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_pixabay():
    fake = FakePixabay().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def pexels(fake_pexels, sleeps):
    provider = PexelsProvider(fake_pexels.api_key, base_url=fake_pexels.url, http=http(sleeps))
    yield provider
    provider.close()


@pytest.fixture
def pixabay(fake_pixabay, sleeps):
    provider = PixabayProvider(fake_pixabay.api_key, base_url=fake_pixabay.api_url, http=http(sleeps))
    yield provider
    provider.close()


@pytest.fixture
def downloads(tmp_path) -> Path:
    """Where downloads go: an empty directory of their own."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path


def landscape_1080p(kind: str = "photo", terms: str = "lighthouse", min_duration_ms: int = 0) -> StockQuery:
    return StockQuery.for_video(terms=terms, aspect="16:9", quality="1080p", kind=kind, min_duration_ms=min_duration_ms)


# --- search ---------------------------------------------------------------------------------


def test_pexels_search_sends_the_key_and_returns_credited_photos(pexels, fake_pexels):
    found = pexels.search(landscape_1080p("photo"))

    request = fake_pexels.searches()[-1]
    assert request["path"] == "/v1/search"
    assert request["headers"]["Authorization"] == fake_pexels.api_key
    assert request["query"]["orientation"] == "landscape"
    assert request["query"]["query"] == "lighthouse"
    assert [c.id for c in found] == ["1"]  # the portrait and square lighthouses were filtered by Pexels
    photo = found[0]
    assert (photo.width, photo.height) == (6000, 4000)  # large2x (1880 wide) would not cover 1920
    assert photo.download_url.endswith("/photos/1/pexels-photo-1.jpeg")
    assert photo.author_name == "Ana Lima"
    assert photo.author_url.startswith("https://www.pexels.com/@")
    assert photo.source_url == "https://www.pexels.com/photo/lighthouse-keeper-stairs-1/"
    assert (photo.licence_name, photo.licence_url) == ("Pexels License", "https://www.pexels.com/license/")


def test_pexels_takes_large2x_when_it_covers_the_frame(pexels):
    query = StockQuery.for_video(terms="lighthouse", aspect="16:9", quality="720p")
    (photo,) = pexels.search(query)
    assert "dpr=2" in photo.download_url
    assert (photo.width, photo.height) == (1880, 1253)


def test_pexels_clips_come_as_the_smallest_file_that_covers_the_frame(pexels, fake_pexels):
    clips = pexels.search(landscape_1080p("video"))

    assert fake_pexels.searches()[-1]["path"] == "/v1/videos/search"
    assert fake_pexels.searches()[-1]["query"]["size"] == "medium"  # Full HD
    by_id = {c.id: c for c in clips}
    assert (by_id["11"].width, by_id["11"].height) == (1920, 1080)  # not its 3840x2160 file
    assert by_id["11"].duration_ms == 12_000
    assert by_id["11"].author_name == "Ivo Petrov"
    assert by_id["11"].source_url == "https://www.pexels.com/video/lighthouse-coast-aerial-11/"


def test_pixabay_search_sends_the_key_orientation_and_minimum_size(pixabay, fake_pixabay):
    query = StockQuery.for_video(terms="lighthouse keeper", aspect="9:16", quality="720p")
    found = pixabay.search(query)

    request = fake_pixabay.searches()[-1]
    assert request["path"] == "/api/"
    assert request["query"]["key"] == fake_pixabay.api_key
    assert request["query"]["image_type"] == "photo"
    assert request["query"]["orientation"] == "vertical"
    assert (request["query"]["min_width"], request["query"]["min_height"]) == ("720", "1280")
    assert request["query"]["safesearch"] == "true"
    # Relevance order: both words shared first.
    assert [c.id for c in found] == ["7", "2"]
    first = found[0]
    assert (first.width, first.height) == (853, 1280)  # largeImageURL: 1280 on the long side
    assert first.author_url == "https://pixabay.com/users/Gil-107/"
    assert first.licence_name == "Pixabay Content License"


def test_pixabay_clips_skip_missing_renditions(pixabay):
    query = StockQuery.for_video(terms="waves", aspect="16:9", quality="720p", kind="video")
    by_id = {c.id: c for c in pixabay.search(query)}
    # Item 14 has only "tiny" and "small" (its "medium" and "large" are listed empty).
    assert (by_id["14"].width, by_id["14"].height) == (1280, 720)
    assert by_id["14"].download_url.endswith("_small.mp4")
    # Item 15's smallest rendition covering 1280x720 is its 1920x1080 one.
    assert (by_id["15"].width, by_id["15"].height) == (1920, 1080)


# --- failures ---------------------------------------------------------------------------------


def test_a_429_is_retried_after_the_time_retry_after_asks(pexels, fake_pexels, sleeps):
    fake_pexels.fail_next((429, {"Retry-After": "2"}), (429, {"Retry-After": "3"}))

    found = pexels.search(landscape_1080p())

    assert [c.id for c in found] == ["1"]
    assert len(fake_pexels.searches()) == 3
    assert sleeps == [2.0, 3.0]


def test_5xx_is_retried_with_exponential_backoff(pixabay, fake_pixabay, sleeps):
    fake_pixabay.fail_next((500, {}), (502, {}), (503, {}))

    found = pixabay.search(landscape_1080p())

    assert found
    assert len(fake_pixabay.searches()) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_retries_stop_after_the_allowed_attempts(pixabay, fake_pixabay, sleeps):
    fake_pixabay.fail_next(*[(429, {})] * 6)

    with pytest.raises(StockRateLimited, match="Pixabay is rate limiting"):
        pixabay.search(landscape_1080p())

    assert len(fake_pixabay.searches()) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_retry_after_past_the_budget_fails_at_once(pexels, fake_pexels, sleeps):
    fake_pexels.fail_next((429, {"Retry-After": "3600"}))

    with pytest.raises(StockRateLimited, match="wait 3600 s"):
        pexels.search(landscape_1080p())

    assert len(fake_pexels.searches()) == 1
    assert sleeps == []


def test_a_pexels_rate_limit_reset_is_honoured_without_retry_after(pexels, fake_pexels, sleeps):
    import time

    fake_pexels.fail_next((429, {"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": str(int(time.time()) + 5)}))

    assert pexels.search(landscape_1080p())
    assert len(sleeps) == 1 and 3.0 <= sleeps[0] <= 5.0


def test_a_bad_pexels_key_is_a_clear_error(fake_pexels, sleeps):
    provider = PexelsProvider("wrong-key", base_url=fake_pexels.url, http=http(sleeps))
    with pytest.raises(StockAuthError, match=r"Pexels refused the API key \(HTTP 401\)"):
        provider.search(landscape_1080p())
    assert len(fake_pexels.searches()) == 1  # an auth error is not retried
    provider.close()


def test_a_bad_pixabay_key_is_a_clear_error_that_does_not_show_the_key(fake_pixabay, sleeps):
    provider = PixabayProvider("secret-wrong-key", base_url=fake_pixabay.api_url, http=http(sleeps))
    with pytest.raises(StockAuthError, match=r"Pixabay refused the API key \(HTTP 400\)") as info:
        provider.search(landscape_1080p())
    assert "secret-wrong-key" not in str(info.value)
    provider.close()


# --- downloads --------------------------------------------------------------------------------


def test_a_photo_download_is_a_verified_jpeg(pexels, downloads):
    (photo,) = pexels.search(landscape_1080p())

    path = pexels.download(photo, downloads / "scene-1")

    assert path == downloads / "scene-1.jpg"
    media = verify_download(path, photo, min_width=600, min_height=400)
    # The fake serves media at a tenth of the size it claims.
    assert (media.family, media.width, media.height) == ("jpeg", 600, 400)
    assert sorted(p.name for p in downloads.iterdir()) == ["scene-1.jpg"]


def test_a_clip_download_is_a_verified_mp4(pixabay, downloads):
    clip = next(c for c in pixabay.search(landscape_1080p("video", terms="waves rocks")) if c.id == "15")

    path = pixabay.download(clip, downloads / "scene-2.bin")

    assert path.suffix == ".mp4"
    media = verify_download(path, clip)
    assert media.family == "isobmff"
    assert (media.width, media.height) == (192, 108)
    assert 900 <= media.duration_ms <= 1100


def test_verify_refuses_a_file_smaller_than_the_frame(pexels, downloads):
    (photo,) = pexels.search(landscape_1080p())
    path = pexels.download(photo, downloads / "small")
    with pytest.raises(StockDownloadRefused, match="600x400, smaller than 1920x1080"):
        verify_download(path, photo, min_width=1920, min_height=1080)


def test_download_verified_gives_what_to_store_and_removes_a_file_that_fails(pixabay, downloads):
    clip = next(c for c in pixabay.search(landscape_1080p("video", terms="waves rocks")) if c.id == "15")

    media = download_verified(pixabay, clip, downloads / "ok", min_width=192, min_height=108)
    assert (media.mime, media.has_audio, media.path.name) == ("video/mp4", False, "ok.mp4")

    with pytest.raises(StockDownloadRefused, match="smaller than 1920x1080"):
        download_verified(pixabay, clip, downloads / "too-small", min_width=1920, min_height=1080)
    assert sorted(p.name for p in downloads.iterdir()) == ["ok.mp4"]


def test_an_html_page_instead_of_media_leaves_no_file(pexels, fake_pexels, downloads):
    (photo,) = pexels.search(landscape_1080p())
    fake_pexels.html_for = {1}

    with pytest.raises(StockDownloadRefused, match="an HTML page, not a photo"):
        pexels.download(photo, downloads / "scene")

    assert list(downloads.iterdir()) == []


def test_a_download_over_the_size_cap_leaves_no_file(fake_pixabay, sleeps, downloads):
    provider = PixabayProvider(
        fake_pixabay.api_key, base_url=fake_pixabay.api_url, http=http(sleeps, max_download_bytes=2000)
    )
    clip = provider.search(landscape_1080p("video"))[0]

    with pytest.raises(StockDownloadRefused, match="over the 2,000-byte limit"):
        provider.download(clip, downloads / "big")

    assert list(downloads.iterdir()) == []
    provider.close()


def test_a_download_without_a_length_is_cut_off_at_the_cap(fake_pixabay, sleeps, downloads):
    provider = PixabayProvider(
        fake_pixabay.api_key, base_url=fake_pixabay.api_url, http=http(sleeps, max_download_bytes=2000)
    )
    clip = provider.search(landscape_1080p("video"))[0]
    fake_pixabay.media_without_length = True

    with pytest.raises(StockDownloadRefused, match="over the 2,000-byte limit"):
        provider.download(clip, downloads / "big")

    assert list(downloads.iterdir()) == []
    provider.close()


def test_a_download_that_fails_once_is_retried(pexels, fake_pexels, sleeps, downloads):
    (photo,) = pexels.search(landscape_1080p())
    fake_pexels.fail_next_media((503, {"Retry-After": "1"}))

    path = pexels.download(photo, downloads / "scene")

    assert verify_download(path, photo).family == "jpeg"
    assert len(fake_pexels.calls("/photos/")) == 2
    assert sleeps == [1.0]


def test_a_download_on_a_host_the_api_did_not_name_is_refused(pexels, fake_pexels, downloads):
    fake_pexels.link_host = "media.example.net"
    (photo,) = pexels.search(landscape_1080p())
    assert photo.download_url.startswith("https://media.example.net/")

    with pytest.raises(StockDownloadRefused, match="media.example.net is not one of the provider's media hosts"):
        pexels.download(photo, downloads / "scene")

    assert list(downloads.iterdir()) == []


def test_a_redirect_to_another_host_is_refused(pixabay, fake_pixabay, downloads):
    (photo, *_) = pixabay.search(landscape_1080p())
    fake_pixabay.redirect_to = "https://tracker.example.org/pixel.jpg"

    with pytest.raises(StockDownloadRefused, match="tracker.example.org is not one"):
        pixabay.download(photo, downloads / "scene")

    assert len(fake_pixabay.calls("/get/")) == 1


def test_plain_http_is_refused_outside_tests(fake_pexels, sleeps, downloads):
    provider = PexelsProvider(
        fake_pexels.api_key,
        base_url=fake_pexels.url,
        http=HttpSettings(retry=RetryPolicy(sleep=sleeps), allow_loopback_http=False),
    )
    (photo,) = provider.search(landscape_1080p())

    with pytest.raises(StockDownloadRefused, match="only https"):
        provider.download(photo, downloads / "scene")

    assert fake_pexels.calls("/photos/") == []
    provider.close()


# --- choosing per scene ---------------------------------------------------------------------

SCENES = [
    ("The lighthouse keeper climbs the stairs at dusk.", 6_000),
    ("Far below, the waves break on the rocks.", 10_000),
    ("The ferry leaves the harbour at first light.", 4_000),
]


def test_each_scene_gets_a_fitting_item_and_none_is_reused(pexels, pixabay):
    base = landscape_1080p("video")

    picks = pick_for_scenes([pexels, pixabay], SCENES, base)

    chosen = [p.candidate for p in picks]
    assert all(chosen), [p.reason for p in picks]
    assert len({c.key for c in chosen}) == 3
    for candidate, (_, duration_ms) in zip(chosen, SCENES, strict=True):
        assert candidate.width >= 1920 and candidate.height >= 1080
        assert candidate.width > candidate.height
        if candidate.kind == "video":
            assert candidate.duration_ms >= duration_ms
    # Scene 1: the 12 s aerial clip; scene 2: the 15 s sea clip (the 20 s one is 720p);
    # scene 3: no landscape ferry clip, so the landscape ferry photo.
    assert [(c.provider, c.kind, c.id) for c in chosen] == [
        ("pexels", "video", "11"),
        ("pexels", "video", "15"),
        ("pexels", "photo", "8"),
    ]


def test_the_same_inputs_give_the_same_picks(pexels, pixabay):
    base = landscape_1080p("video")
    first = pick_for_scenes([pexels, pixabay], SCENES, base)
    second = pick_for_scenes([pexels, pixabay], SCENES, base)
    assert [p.candidate.key for p in first] == [p.candidate.key for p in second]


def test_repeated_scenes_get_different_items_and_share_searches(pexels, fake_pexels):
    base = StockQuery.for_video(terms="", aspect="16:9", quality="720p", kind="photo")
    scenes = [("Lighthouse.", 3000)] * 3

    picks = pick_for_scenes([pexels], scenes, base)

    assert [p.candidate.id if p.candidate else None for p in picks] == ["1", None, None]
    assert "1 already used in this video" in picks[1].reason
    assert len(fake_pexels.searches()) == 1  # one search, remembered for the other scenes


def test_a_scene_longer_than_every_clip_takes_a_photo_then_a_looping_clip(pexels):
    base = landscape_1080p("video")
    scenes = [("The lighthouse.", 30_000), ("The lighthouse again.", 30_000), ("Lighthouse.", 30_000)]

    picks = pick_for_scenes([pexels], scenes, base)

    assert [(p.candidate.kind, p.candidate.id, p.loops) for p in picks] == [
        ("photo", "1", False),  # no lighthouse clip lasts 30 s: the photo first
        ("video", "11", True),  # then the clips, looped: 12 s
        ("video", "12", True),  # 3 s
    ]


def test_portrait_videos_get_portrait_items(pexels, pixabay):
    base = StockQuery.for_video(terms="", aspect="9:16", quality="1080p", kind="video")
    scenes = [("The lighthouse at night.", 5_000), ("The harbour ferry.", 5_000)]

    picks = pick_for_scenes([pixabay, pexels], scenes, base)

    for pick in picks:
        assert pick.candidate.height > pick.candidate.width
        assert pick.candidate.width >= 1080 and pick.candidate.height >= 1920
    # Pixabay's clip search has no orientation filter: its landscape lighthouse clips
    # were turned down here, and its portrait one (13, 8 s) taken.
    assert [(p.candidate.provider, p.candidate.id) for p in picks] == [("pixabay", "13"), ("pixabay", "16")]


def test_nothing_found_gives_a_reason_for_the_scene_warning(pexels, fake_pexels):
    fake_pexels.empty = True

    (pick,) = pick_for_scenes([pexels], [("The lighthouse keeper climbs.", 5000)], landscape_1080p("video"))

    assert pick.candidate is None
    assert pick.reason == (
        "No stock clip or picture on Pexels fits “lighthouse keeper”, “lighthouse” or “keeper”: "
        "landscape, at least 1920x1080, not used elsewhere in this video. The searches found nothing."
    )


def test_too_small_results_are_counted_in_the_reason(pixabay):
    (pick,) = pick_for_scenes([pixabay], [("Harbour boats.", 3000)], landscape_1080p("photo"))

    assert pick.candidate is None
    assert "Of 1 result: 1 smaller than 1920x1080." in pick.reason


def test_a_provider_with_a_bad_key_is_skipped_and_noted(fake_pexels, pixabay, sleeps):
    broken = PexelsProvider("wrong", base_url=fake_pexels.url, http=http(sleeps))
    base = StockQuery.for_video(terms="", aspect="16:9", quality="720p", kind="photo")

    picks = pick_for_scenes([broken, pixabay], [("Lighthouse.", 3000), ("Waves.", 3000)], base)

    assert [p.candidate.provider for p in picks] == ["pixabay", "pixabay"]
    assert "Pexels refused the API key" in picks[0].notes[0]
    assert len(fake_pexels.searches()) == 1  # not asked again for the second scene
    broken.close()


def test_a_scene_without_searchable_words_says_so(pexels):
    (pick,) = pick_for_scenes([pexels], [("And then, as it was.", 3000)], landscape_1080p())
    assert pick.candidate is None
    assert "nothing to search" in pick.reason


# --- settings ---------------------------------------------------------------------------------


def test_providers_are_offered_only_with_a_key(settings):
    settings.PEXELS_API_KEY = ""
    settings.PIXABAY_API_KEY = ""
    assert stock_providers_available() == []
    settings.PIXABAY_API_KEY = "k"
    assert stock_providers_available() == ["pixabay"]
    settings.PEXELS_API_KEY = "k"
    assert stock_providers_available() == ["pexels", "pixabay"]


def test_a_provider_from_settings_talks_to_the_configured_url(settings, fake_pixabay, sleeps):
    settings.PIXABAY_API_KEY = fake_pixabay.api_key
    settings.PIXABAY_API_URL = fake_pixabay.api_url
    settings.STOCK_ALLOW_LOOPBACK_HTTP = True
    settings.STOCK_HTTP_BACKOFF_MS = 250
    fake_pixabay.fail_next((500, {}))

    provider = stock_provider("pixabay", sleep=sleeps)
    try:
        assert provider.search(landscape_1080p())
    finally:
        provider.close()
    assert sleeps == [0.25]


def test_backoff_stops_when_the_waiting_budget_is_spent(fake_pixabay, sleeps):
    retry = RetryPolicy(attempts=10, base_s=0.5, max_wait_s=10, budget_s=2, sleep=sleeps)
    provider = PixabayProvider(
        fake_pixabay.api_key, base_url=fake_pixabay.api_url, http=HttpSettings(retry=retry, allow_loopback_http=True)
    )
    fake_pixabay.fail_next(*[(503, {})] * 10)

    with pytest.raises(StockError, match=r"did not answer properly \(HTTP 503\)"):
        provider.search(landscape_1080p())

    assert sleeps == [0.5, 1.0]  # a further 2 s would pass the 2 s budget
    assert len(fake_pixabay.searches()) == 3
    provider.close()


def test_a_server_that_is_not_there_is_retried_then_reported(sleeps):
    import socket

    with socket.socket() as probe_socket:  # a port nothing listens on
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    provider = PexelsProvider("key", base_url=f"http://127.0.0.1:{port}", http=http(sleeps))

    with pytest.raises(StockError, match=r"Pexels did not answer properly \(ConnectError\) after 4 attempts"):
        provider.search(landscape_1080p())

    assert sleeps == [0.5, 1.0, 2.0]
    provider.close()


def test_retry_after_is_read_as_seconds_a_date_or_a_reset_on_429_only():
    import httpx

    from assets.stock_online.http import retry_after_seconds

    now = 1_800_000_000.0
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "7"}), now=now) == 7.0
    date = "Fri, 15 Jan 2027 08:00:10 GMT"  # 1_800_000_000 is 08:00:00 that day
    assert retry_after_seconds(httpx.Response(503, headers={"Retry-After": date}), now=now) == 10.0
    assert retry_after_seconds(httpx.Response(429, headers={"X-RateLimit-Reset": "42"}), now=now) == 42.0
    epoch = str(int(now) + 30)
    assert retry_after_seconds(httpx.Response(429, headers={"X-Ratelimit-Reset": epoch}), now=now) == 30.0
    # Pixabay sends its reset on every answer: a 500 waits by backoff, not a minute.
    assert retry_after_seconds(httpx.Response(500, headers={"X-RateLimit-Reset": "60"}), now=now) is None


def test_square_videos_take_square_pexels_photos_and_any_covering_pixabay_photo(pexels, pixabay, fake_pixabay):
    base = StockQuery.for_video(terms="", aspect="1:1", quality="720p", kind="photo")

    (from_pexels,) = pick_for_scenes([pexels], [("Lighthouse.", 3000)], base)
    (from_pixabay,) = pick_for_scenes([pixabay], [("Lighthouse.", 3000)], base)

    # The square lighthouse, as large2x (1300x1300 covers 720x720).
    assert (from_pexels.candidate.id, from_pexels.candidate.width, from_pexels.candidate.height) == ("3", 1300, 1300)
    # Pixabay has no square filter: a landscape 1280x853 still covers a 720x720 frame.
    assert fake_pixabay.searches()[-1]["query"]["orientation"] == "all"
    assert (from_pixabay.candidate.id, from_pixabay.candidate.width) == ("1", 1280)


def test_a_rate_limited_provider_is_noted_and_the_next_one_answers(pexels, fake_pexels, pixabay):
    fake_pexels.fail_next((429, {"Retry-After": "3600"}))
    base = StockQuery.for_video(terms="", aspect="16:9", quality="720p", kind="photo")

    (pick,) = pick_for_scenes([pexels, pixabay], [("Harbour.", 3000)], base)

    assert pick.candidate.provider == "pixabay"
    assert pick.notes == ("Pexels asks us to wait 3600 s (HTTP 429); try again later.",)
