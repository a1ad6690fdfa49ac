"""Files behind the video page: the stream answers Range requests so players can seek;
downloads are attachments; poster and captions are served; none of it to a stranger."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from videos.models import Export, Video
from videos.templatetags.video_tags import duration_text

pytestmark = pytest.mark.django_db

# 1000 distinct-looking bytes, so a wrong offset cannot pass for the right one.
MASTER = bytes((i * 7 + i // 256) % 256 for i in range(1000))


def _store(name: str, data: bytes) -> str:
    return default_storage.save(name, ContentFile(data))


@pytest.fixture
def video(owner):
    return Video.objects.create(
        owner=owner,
        title="Night Harbour",
        script="Boats.",
        status=Video.Status.READY,
        master=_store("videos/t/master.mp4", MASTER),
        poster=_store("videos/t/poster.jpg", b"\xff\xd8\xffposter"),
        captions_vtt=_store("videos/t/captions.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nBoats.\n"),
        captions_srt=_store("videos/t/captions.srt", b"1\n00:00:00,000 --> 00:00:01,000\nBoats.\n"),
    )


@pytest.fixture
def stream(client, owner, video):
    client.force_login(owner)
    url = reverse("videos-stream", kwargs={"code": video.code})

    def get(range_header: str | None = None):
        headers = {"Range": range_header} if range_header else {}
        return client.get(url, headers=headers)

    return get


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_no_range_gets_the_whole_file_and_says_ranges_are_accepted(stream):
    response = stream()

    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == "1000"
    assert _body(response) == MASTER


def test_the_first_bytes(stream):
    response = stream("bytes=0-99")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 0-99/1000"
    assert response["Content-Length"] == "100"
    assert _body(response) == MASTER[:100]


def test_a_middle_range(stream):
    response = stream("bytes=500-749")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 500-749/1000"
    assert _body(response) == MASTER[500:750]


def test_an_open_ended_range(stream):
    response = stream("bytes=900-")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 900-999/1000"
    assert _body(response) == MASTER[900:]


def test_a_suffix_range(stream):
    response = stream("bytes=-10")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 990-999/1000"
    assert _body(response) == MASTER[-10:]


def test_a_range_past_the_end_is_clamped(stream):
    response = stream("bytes=990-5000")

    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 990-999/1000"
    assert _body(response) == MASTER[990:]


def test_an_unsatisfiable_range_is_416(stream):
    response = stream("bytes=1000-1100")

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1000"
    assert response["Accept-Ranges"] == "bytes"


def test_a_head_request_answers_without_a_body(client, owner, video):
    client.force_login(owner)

    response = client.head(reverse("videos-stream", kwargs={"code": video.code}), headers={"Range": "bytes=0-9"})

    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_the_download_is_an_attachment_named_after_the_title(client, owner, video):
    client.force_login(owner)

    response = client.get(reverse("videos-download", kwargs={"code": video.code}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="night-harbour.mp4"'
    assert _body(response) == MASTER


def test_the_poster_is_a_jpeg(client, owner, video):
    client.force_login(owner)

    response = client.get(reverse("videos-poster", kwargs={"code": video.code}))

    assert response["Content-Type"] == "image/jpeg"
    assert _body(response).startswith(b"\xff\xd8\xff")


def test_the_vtt_track_is_served_inline_and_the_srt_as_a_download(client, owner, video):
    client.force_login(owner)

    vtt = client.get(reverse("videos-captions", kwargs={"code": video.code, "fmt": "vtt"}))
    srt = client.get(reverse("videos-captions", kwargs={"code": video.code, "fmt": "srt"}) + "?download=1")

    assert vtt["Content-Type"].startswith("text/vtt")
    assert "Content-Disposition" not in vtt
    assert _body(vtt).startswith(b"WEBVTT")
    assert srt["Content-Disposition"] == 'attachment; filename="night-harbour.srt"'
    assert _body(srt).startswith(b"1\n00:00:00,000")


def test_an_unknown_caption_format_is_404(client, owner, video):
    client.force_login(owner)

    assert client.get(reverse("videos-captions", kwargs={"code": video.code, "fmt": "ass"})).status_code == 404


def test_an_unrendered_video_has_nothing_to_stream(client, owner):
    draft = Video.objects.create(owner=owner, title="Draft", script="x")
    client.force_login(owner)

    assert client.get(reverse("videos-stream", kwargs={"code": draft.code})).status_code == 404
    assert client.get(reverse("videos-download", kwargs={"code": draft.code})).status_code == 404


def test_an_export_downloads_as_an_attachment(client, owner, video):
    export = Export.objects.create(
        video=video,
        format="webm",
        quality="480p",
        source_master=video.master.name,
        file=_store("videos/t/export.webm", b"webm-bytes"),
    )
    client.force_login(owner)

    response = client.get(reverse("videos-export-download", kwargs={"code": export.code}))

    assert response["Content-Type"] == "video/webm"
    assert response["Content-Disposition"] == 'attachment; filename="night-harbour-480p.webm"'
    assert _body(response) == b"webm-bytes"


def test_a_stale_export_is_not_served(client, owner, video):
    export = Export.objects.create(
        video=video,
        format="mp4",
        quality="480p",
        source_master="videos/t/an-older-master.mp4",
        file=_store("videos/t/old-export.mp4", b"old"),
    )
    client.force_login(owner)

    assert client.get(reverse("videos-export-download", kwargs={"code": export.code})).status_code == 404


def test_a_stranger_gets_404_for_every_file(client, stranger, video):
    export = Export.objects.create(
        video=video, format="mp4", quality="480p", source_master=video.master.name, file=_store("videos/t/e.mp4", b"e")
    )
    client.force_login(stranger)
    code = video.code

    urls = [
        reverse("videos-stream", kwargs={"code": code}),
        reverse("videos-download", kwargs={"code": code}),
        reverse("videos-poster", kwargs={"code": code}),
        reverse("videos-captions", kwargs={"code": code, "fmt": "vtt"}),
        reverse("videos-captions", kwargs={"code": code, "fmt": "srt"}),
        reverse("videos-export-download", kwargs={"code": export.code}),
    ]
    for url in urls:
        assert client.get(url, headers={"Range": "bytes=0-9"}).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in(client, video):
    response = client.get(reverse("videos-stream", kwargs={"code": video.code}))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_real_render_streams_seekably_with_its_poster_and_captions(client, owner, make_rendered_video):
    from mediakit.probe import probe

    video = make_rendered_video(owner)
    client.force_login(owner)
    size = default_storage.size(video.master.name)

    page = client.get(reverse("videos-detail", kwargs={"code": video.code})).content.decode()
    head = client.get(reverse("videos-stream", kwargs={"code": video.code}), headers={"Range": "bytes=0-15"})
    tail = client.get(reverse("videos-stream", kwargs={"code": video.code}), headers={"Range": "bytes=-16"})
    vtt = client.get(reverse("videos-captions", kwargs={"code": video.code, "fmt": "vtt"}))
    poster = client.get(reverse("videos-poster", kwargs={"code": video.code}))

    assert head.status_code == 206 and tail.status_code == 206
    assert _body(head)[4:8] == b"ftyp"
    assert tail["Content-Range"] == f"bytes {size - 16}-{size - 1}/{size}"
    assert _body(vtt).startswith(b"WEBVTT")
    assert _body(poster)[:3] == b"\xff\xd8\xff"
    info = probe(default_storage.path(video.master.name))
    assert info.duration_ms == video.duration_ms
    assert duration_text(info.duration_ms) in page
    assert f"{info.video.width} × {info.video.height}" in page


def test_local_files_stream_even_before_storage_was_touched_in_this_process(stream):
    from django.core.files.storage import default_storage
    from django.utils.functional import empty

    # A fresh server process: the default_storage LazyObject is not set up yet.
    default_storage._wrapped = empty

    response = stream("bytes=0-9")

    assert response.status_code == 206
    assert _body(response) == MASTER[:10]
