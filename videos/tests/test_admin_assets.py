"""MediaAsset admin: kind, size, owner, and a preview served through the admin."""

from __future__ import annotations

from django.urls import reverse

from assets.models import MediaAsset


def test_the_list_shows_kind_size_owner_and_image_thumbnails(staff_client, owner, make_video):
    make_video(owner)
    image = MediaAsset.objects.filter(kind=MediaAsset.Kind.IMAGE).first()

    response = staff_client.get(reverse("admin:assets_mediaasset_changelist"), {"kind__exact": "image"})

    html = response.content.decode()
    rows = response.context["cl"].result_list
    assert rows and {a.kind for a in rows} == {"image"}
    assert reverse("admin:assets_mediaasset_file", args=[image.pk]) in html
    assert "olive" in html


def test_an_image_page_previews_the_picture_and_its_file_is_served(staff_client, owner, make_video):
    make_video(owner)
    image = MediaAsset.objects.filter(kind=MediaAsset.Kind.IMAGE).first()

    page = staff_client.get(reverse("admin:assets_mediaasset_change", args=[image.pk])).content.decode()
    served = staff_client.get(reverse("admin:assets_mediaasset_file", args=[image.pk]))

    assert f'<img src="{reverse("admin:assets_mediaasset_file", args=[image.pk])}"' in page
    assert served.status_code == 200
    assert served["Content-Type"] == image.mime
    assert served["X-Content-Type-Options"] == "nosniff"
    body = b"".join(served.streaming_content)
    assert len(body) == image.size_bytes


def test_an_audio_page_has_a_player(staff_client, owner, make_video):
    make_video(owner)
    audio = MediaAsset.objects.filter(kind=MediaAsset.Kind.AUDIO).first()

    page = staff_client.get(reverse("admin:assets_mediaasset_change", args=[audio.pk])).content.decode()

    assert (
        f'<audio controls preload="metadata" src="{reverse("admin:assets_mediaasset_file", args=[audio.pk])}"' in page
    )
    assert 'name="_save"' not in page


def test_an_asset_in_use_cannot_be_deleted(staff_client, owner, make_video):
    make_video(owner)
    image = MediaAsset.objects.filter(kind=MediaAsset.Kind.IMAGE).first()

    response = staff_client.post(reverse("admin:assets_mediaasset_delete", args=[image.pk]), {"post": "yes"})

    assert MediaAsset.objects.filter(pk=image.pk).exists()
    assert b"protected" in response.content.lower()


def test_non_staff_cannot_fetch_asset_files_through_the_admin(client, owner, make_video):
    make_video(owner)
    image = MediaAsset.objects.filter(kind=MediaAsset.Kind.IMAGE).first()
    client.force_login(owner)

    response = client.get(reverse("admin:assets_mediaasset_file", args=[image.pk]))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
