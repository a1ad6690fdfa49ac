"""The S3/R2 path: django-storages against a local moto server. The pipeline saves and
reads files by storage name only, so a render works unchanged, and delivery answers with
a presigned URL that the object store serves ranges from."""

from __future__ import annotations

import urllib.request

import boto3
import pytest
from django.core.files.storage import storages
from django.urls import reverse
from moto.server import ThreadedMotoServer

from jobs.models import Job
from mediakit.probe import probe
from videos.models import VideoJobKind


@pytest.fixture
def s3_storage(settings, _isolated_files):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    ).create_bucket(Bucket="contentizer-test")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "contentizer-test",
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "signature_version": "s3v4",
                "addressing_style": "path",
                "file_overwrite": False,
                "querystring_auth": True,
                "default_acl": None,
            },
        },
    }
    try:
        yield endpoint
    finally:
        server.stop()


def test_a_render_on_s3_is_stored_there_and_streamed_by_presigned_url(
    s3_storage, make_rendered_video, owner, client, tmp_path
):
    video = make_rendered_video(owner)
    assert video.jobs.get(kind=VideoJobKind.RENDER).status == Job.Status.SUCCEEDED
    storage = storages["default"]
    assert type(storage).__name__ == "S3Storage"
    assert storage.exists(video.master.name) and storage.exists(video.poster.name)
    local = tmp_path / "master.mp4"
    with storage.open(video.master.name, "rb") as fh:
        local.write_bytes(fh.read())
    info = probe(local)
    assert (info.video.codec, info.video.width, info.video.height) == ("h264", 854, 480)

    client.force_login(owner)
    response = client.get(reverse("videos-stream", kwargs={"code": video.code}))
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith(s3_storage) and "X-Amz-Signature=" in url
    ranged = urllib.request.urlopen(urllib.request.Request(url, headers={"Range": "bytes=0-99"}), timeout=10)
    assert ranged.status == 206
    assert len(ranged.read()) == 100
    assert ranged.headers["Content-Range"].startswith("bytes 0-99/")
    # The captions the player's <track> loads come from this origin, not a redirect to the
    # bucket (a cross-origin track without CORS shows no cues).
    vtt = client.get(reverse("videos-captions", kwargs={"code": video.code, "fmt": "vtt"}))
    assert vtt.status_code == 200 and vtt["Content-Type"].startswith("text/vtt")
    assert b"".join(vtt).startswith(b"WEBVTT")
