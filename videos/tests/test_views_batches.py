"""The batch pages: uploading a CSV/JSONL file (all rows checked first, one report of every
problem, nothing created on any), the owner-only progress page and its polled fragment,
the example files, the quotas and the creation throttle."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs.models import Job
from mediakit.speech import voice_choices
from quotas.models import Quota
from videos.models import Batch, Video, VideoJobKind

pytestmark = pytest.mark.django_db

SCRIPT = "The keeper climbs the stairs at dusk.\n\nThe lamp turns until the morning comes."
GOOD_CSV = (
    "title,script,aspect,captions\n"
    f'"The keeper","{SCRIPT}",16:9,true\n'
    f'"The harbour","{SCRIPT}",9:16,no\n'
    f'"The ships","{SCRIPT}",,\n'
).encode()
# Rows 2 and 3 are wrong (an unknown aspect; a missing script and a bad fps).
BAD_CSV = (
    f'title,script,aspect,fps\n"Fine","{SCRIPT}",16:9,30\n"Wrong shape","{SCRIPT}",4:3,30\n"No words",,16:9,fast\n'
).encode()


def _upload(client, data: bytes, name: str = "launch.csv", **extra):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(reverse("videos-batch-new"), {"file": upload, **extra})


@pytest.fixture
def creator(client, owner, cache_table):
    client.force_login(owner)
    return client


def test_the_upload_page_shows_the_columns_and_the_example_files(creator):
    html = creator.get(reverse("videos-batch-new")).content.decode()

    assert 'data-testid="batch-columns"' in html
    for column in ("script", "aspect", "voice", "captions", "project"):
        assert f"<code>{column}</code>" in html
    assert reverse("videos-batch-example", args=["csv"]) in html
    assert reverse("videos-batch-example", args=["jsonl"]) in html


def test_the_page_is_linked_from_the_navigation_the_library_and_the_new_video_page(creator):
    target = reverse("videos-batch-new")
    for page in ("videos-library", "videos-new"):
        html = creator.get(reverse(page)).content.decode()
        assert html.count(f'href="{target}"') >= 2, page  # the navigation and the page itself


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_each_example_file_makes_a_valid_batch(creator, owner, fmt):
    example = creator.get(reverse("videos-batch-example", args=[fmt]))
    assert example.status_code == 200
    assert f"batch-example.{fmt}" in example["Content-Disposition"]

    response = _upload(creator, example.content, name=f"batch-example.{fmt}")

    assert response.status_code == 302
    batch = Batch.objects.get(owner=owner)
    assert response["Location"] == reverse("videos-batch", args=[batch.code])
    assert sorted(batch.videos.values_list("title", flat=True)) == ["Morning coffee", "The lighthouse keeper"]


def test_an_unknown_example_format_is_404(client):
    assert client.get(reverse("videos-batch-example", args=["xlsx"])).status_code == 404


def test_a_good_file_makes_one_ordinary_video_per_row_and_goes_to_the_batch(creator, owner):
    response = _upload(creator, GOOD_CSV, name="spring_launch.csv")

    batch = Batch.objects.get(owner=owner)
    assert batch.name == "spring launch"
    assert response["Location"] == reverse("videos-batch", args=[batch.code])
    videos = list(batch.videos.order_by("pk"))
    assert [(v.title, v.aspect, v.captions) for v in videos] == [
        ("The keeper", "16:9", True),
        ("The harbour", "9:16", False),
        ("The ships", "16:9", True),
    ]
    assert Job.objects.filter(video__in=videos, kind=VideoJobKind.STORYBOARD).count() == 3


def test_the_batch_name_given_on_the_form_wins(creator, owner):
    creator.post(
        reverse("videos-batch-new"),
        {"file": SimpleUploadedFile("x.csv", GOOD_CSV), "name": "Spring videos"},
    )

    assert Batch.objects.get(owner=owner).name == "Spring videos"


def test_a_jsonl_file_is_read_like_the_api_reads_it(creator, owner):
    data = "\n".join(json.dumps({"title": f"Clip {i}", "script": SCRIPT, "captions": False}) for i in (1, 2))

    response = _upload(creator, data.encode(), name="clips.jsonl")

    assert response.status_code == 302
    assert list(Video.objects.filter(owner=owner).order_by("pk").values_list("title", "captions")) == [
        ("Clip 1", False),
        ("Clip 2", False),
    ]


def test_a_file_with_bad_rows_gets_one_report_naming_every_row_and_creates_nothing(creator, owner):
    response = _upload(creator, BAD_CSV)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="batch-report"' in html
    assert 'data-row="2"' in html and 'data-row="3"' in html
    assert 'data-row="1"' not in html
    assert "<code>aspect</code>" in html and "<code>script</code>" in html and "<code>fps</code>" in html
    assert "Must be a whole number." in html
    assert not Batch.objects.exists() and not Video.objects.exists() and not Job.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.png", "This is not a CSV or JSONL file"),
        ("title,script\nCaf\u00e9,Un caf\u00e9 noir\n".encode("latin-1"), "latin.csv", "The file is not UTF-8 text"),
        (b"title,script\nA,B\x00C\n", "nul.csv", "The file is not text"),
        (b"title,script\n", "header-only.csv", "There are no rows"),
        (b'{"script": "fine"}\n{not json\n', "broken.jsonl", "not valid JSON"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_created(creator, data, name, message):
    response = _upload(creator, data, name=name)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "/tmp" not in html and "Traceback" not in html
    assert not Batch.objects.exists() and not Video.objects.exists()


def test_a_file_over_the_size_limit_is_refused(creator, settings):
    settings.CONTENTIZER_BATCH_MAX_BYTES = 1024
    data = b"title,script\n" + b"".join(f'"T{i}","{SCRIPT}"\n'.encode() for i in range(30))
    assert len(data) > 1024

    response = _upload(creator, data)

    assert response.status_code == 400
    assert "a batch file can be at most 1.0\xa0KB" in response.content.decode()
    assert not Video.objects.exists()


def test_no_file_is_asked_for(creator):
    response = creator.post(reverse("videos-batch-new"), {})

    assert response.status_code == 400
    assert "Choose the file to upload." in response.content.decode()


def test_a_batch_over_the_daily_quota_is_refused_whole(creator, owner):
    Quota.objects.create(user=owner, videos_per_day=2)

    response = _upload(creator, GOOD_CSV)

    assert response.status_code == 429
    html = response.content.decode()
    assert "This batch has 3 videos and does not fit" in html
    assert "Nothing was created." in html
    assert not Batch.objects.exists() and not Video.objects.exists()


def test_batches_share_the_creation_throttle_with_the_api(creator, owner, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "video_create": "2/min"},
    }
    one_row = f'title,script\n"One","{SCRIPT}"\n'.encode()
    assert _upload(creator, one_row).status_code == 302
    assert _upload(creator, BAD_CSV).status_code == 400  # a refused file does not count
    assert _upload(creator, one_row).status_code == 302

    refused = _upload(creator, one_row)

    assert refused.status_code == 429
    assert "Please wait a minute" in refused.content.decode()
    assert refused["Retry-After"].isdigit()
    assert Batch.objects.count() == 2


def test_the_upload_page_needs_a_login(client):
    response = client.get(reverse("videos-batch-new"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_batch_page_lists_each_video_with_its_state_and_links(creator, owner):
    _upload(creator, GOOD_CSV)
    batch = Batch.objects.get()

    html = creator.get(reverse("videos-batch", args=[batch.code])).content.decode()

    assert html.count('data-testid="batch-video"') == 3
    for video in batch.videos.all():
        assert reverse("videos-storyboard", args=[video.code]) in html
        assert f'data-video="{video.code}" data-status="storyboarding"' in html
    # Still being made: the block polls its fragment.
    assert reverse("videos-batch-fragment", args=[batch.code]) in html


def test_a_settled_batch_stops_polling_and_links_ready_videos_to_watch(creator, owner):
    _upload(creator, GOOD_CSV)
    batch = Batch.objects.get()
    first, *rest = batch.videos.order_by("pk")
    Video.objects.filter(pk=first.pk).update(status=Video.Status.READY)
    Video.objects.filter(pk__in=[v.pk for v in rest]).update(status=Video.Status.FAILED)

    html = creator.get(reverse("videos-batch-fragment", args=[batch.code])).content.decode()

    assert 'data-finished="true"' in html
    assert "hx-get" not in html
    assert reverse("videos-detail", args=[first.code]) in html


@pytest.mark.parametrize("page", ["videos-batch", "videos-batch-fragment"])
def test_a_stranger_gets_404_for_someone_elses_batch(client, owner, stranger, page):
    batch = Batch.objects.create(owner=owner, name="Olive's")
    client.force_login(stranger)

    assert client.get(reverse(page, args=[batch.code])).status_code == 404


def test_the_upload_page_lists_only_your_own_batches(creator, owner, stranger):
    Batch.objects.create(owner=owner, name="Mine for sure")
    Batch.objects.create(owner=stranger, name="Someone else's")

    html = creator.get(reverse("videos-batch-new")).content.decode()

    assert "Mine for sure" in html and "Someone else&#x27;s" not in html


def _column_values(html: str, column: str) -> list[str]:
    start = html.index(f'data-testid="column-values-{column}"')
    listing = html[start : html.index("</ul>", start)]
    return re.findall(r"<li><code>([^<]*)</code>", listing)


def test_the_page_lists_the_voice_ids_a_row_can_use(creator):
    html = creator.get(reverse("videos-batch-new")).content.decode()

    voices = _column_values(html, "voice")
    assert voices == [voice for voice, _label in voice_choices()]
    assert "en_US-joe-medium" in voices and "en-gb" in voices
    assert "English (US), Joe — natural" in html  # the label beside its id


def test_the_page_lists_only_the_visuals_this_site_offers(creator, settings):
    settings.REPLICATE_API_TOKEN = ""
    settings.PEXELS_API_KEY = ""
    settings.PIXABAY_API_KEY = ""

    html = creator.get(reverse("videos-batch-new")).content.decode()

    assert _column_values(html, "visuals") == ["generated", "stock"]
    assert _column_values(html, "aspect") == ["16:9", "9:16", "1:1"]


def test_the_page_lists_ai_pictures_when_the_site_has_a_replicate_token(creator, settings):
    settings.REPLICATE_API_TOKEN = "r8_test"

    html = creator.get(reverse("videos-batch-new")).content.decode()

    assert "replicate" in _column_values(html, "visuals")
