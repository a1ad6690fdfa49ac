"""The front door: a stranger gets a page saying what this is, with a sample and the way
in; a signed-in creator gets their library."""

from __future__ import annotations

from django.urls import reverse

from mediakit.probe import probe


def test_a_stranger_at_the_root_is_sent_to_the_welcome_page(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("landing")


def test_the_welcome_page_says_what_this_is_and_links_to_sign_up_and_log_in(client, db):
    html = client.get(reverse("landing")).content.decode()

    assert "Turn a script into a finished, narrated video" in html
    assert f'href="{reverse("accounts-signup")}"' in html
    assert f'href="{reverse("login")}"' in html
    assert f'src="{reverse("landing-sample")}"' in html
    assert "How it works" in html


def test_the_sample_is_a_real_short_video_under_a_megabyte(client, db, tmp_path):
    response = client.get(reverse("landing-sample"))
    body = b"".join(response.streaming_content)
    path = tmp_path / "sample.mp4"
    path.write_bytes(body)

    info = probe(path)

    assert response["Content-Type"] == "video/mp4"
    assert len(body) < 1024 * 1024
    assert info.video.codec == "h264" and info.audio is not None
    assert 5_000 < info.duration_ms < 30_000


def test_a_signed_in_creator_at_the_root_sees_the_library(client, owner):
    client.force_login(owner)

    response = client.get("/")

    assert response.status_code == 200
    assert "Your videos" in response.content.decode()


def test_a_signed_in_creator_on_the_welcome_page_goes_to_the_library(client, owner):
    client.force_login(owner)

    response = client.get(reverse("landing"))

    assert response.status_code == 302 and response["Location"] == reverse("videos-library")
