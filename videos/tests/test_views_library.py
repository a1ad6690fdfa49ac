"""The library: my videos as cards, filters, the empty state."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assets.models import MediaAsset
from videos.models import Project, Scene, Video

pytestmark = pytest.mark.django_db


def _video(owner, title: str, **fields) -> Video:
    return Video.objects.create(owner=owner, title=title, script="One line.", **fields)


def test_an_empty_library_says_how_to_start(client, owner):
    client.force_login(owner)

    response = client.get(reverse("videos-library"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "No videos yet" in html
    assert "Write your first script" in html
    assert reverse("videos-new") in html


def test_the_library_shows_my_videos_as_cards_and_nobody_elses(client, owner, stranger):
    _video(owner, "Tide tables", status=Video.Status.READY, duration_ms=83_000, poster="videos/x/poster.jpg")
    _video(owner, "Storm warning", status=Video.Status.STORYBOARD)
    _video(stranger, "Someone else's secret")
    client.force_login(owner)

    response = client.get(reverse("videos-library"))

    html = response.content.decode()
    assert "Tide tables" in html and "Storm warning" in html
    assert "Someone else" not in html
    assert "1:23" in html  # duration on the card
    assert "Ready" in html and "Storyboard ready" in html
    assert "2 videos" in html


def test_a_ready_card_links_to_the_video_and_a_storyboard_card_to_the_storyboard(client, owner):
    ready = _video(owner, "Done one", status=Video.Status.READY, poster="videos/x/poster.jpg")
    draft = _video(owner, "Draft one", status=Video.Status.STORYBOARD)
    client.force_login(owner)

    html = client.get(reverse("videos-library")).content.decode()

    assert f'href="{reverse("videos-detail", kwargs={"code": ready.code})}"' in html
    assert f'href="{reverse("videos-storyboard", kwargs={"code": draft.code})}"' in html
    assert reverse("videos-poster", kwargs={"code": ready.code}) in html


def test_the_library_filters_by_status(client, owner):
    _video(owner, "Finished film", status=Video.Status.READY)
    _video(owner, "Broken film", status=Video.Status.FAILED)
    client.force_login(owner)

    html = client.get(reverse("videos-library"), {"status": "failed"}).content.decode()

    assert "Broken film" in html
    assert "Finished film" not in html
    assert "1 video matches this filter" in html


def test_the_library_filters_by_project(client, owner):
    trips = Project.objects.create(owner=owner, name="Trips")
    _video(owner, "Alps", project=trips)
    _video(owner, "Kitchen")
    client.force_login(owner)

    html = client.get(reverse("videos-library"), {"project": str(trips.code)}).content.decode()

    assert "Alps" in html
    assert "Kitchen" not in html


def test_a_filter_with_no_match_says_so_instead_of_the_welcome(client, owner):
    _video(owner, "Finished film", status=Video.Status.READY)
    client.force_login(owner)

    html = client.get(reverse("videos-library"), {"status": "rendering"}).content.decode()

    assert "No videos match this filter" in html
    assert "No videos yet" not in html


def test_an_unknown_filter_value_is_ignored(client, owner):
    _video(owner, "Finished film", status=Video.Status.READY)
    client.force_login(owner)

    response = client.get(reverse("videos-library"), {"status": "bogus", "project": "not-a-uuid"})

    assert response.status_code == 200
    assert "Finished film" in response.content.decode()


def test_another_creators_project_does_not_filter_my_library(client, owner, stranger):
    theirs = Project.objects.create(owner=stranger, name="Theirs")
    _video(stranger, "Their video", project=theirs)
    _video(owner, "Mine")
    client.force_login(owner)

    html = client.get(reverse("videos-library"), {"project": str(theirs.code)}).content.decode()

    assert "Mine" in html
    assert "Their video" not in html


def test_an_htmx_filter_request_gets_only_the_grid(client, owner):
    _video(owner, "Finished film", status=Video.Status.READY)
    client.force_login(owner)

    response = client.get(reverse("videos-library"), {"status": "ready"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="library-grid">')
    assert "<html" not in html
    assert "Finished film" in html


def test_the_library_shows_my_quota_use(client, owner, make_video):
    make_video(owner)
    client.force_login(owner)

    html = client.get(reverse("videos-library")).content.decode()

    assert 'data-testid="quota-videos_per_day"' in html
    assert "Videos today" in html and "1 of 20" in html
    assert "Rendered this month" in html and "Storage" in html


def _picture(owner, name: str) -> MediaAsset:
    return MediaAsset.objects.create(
        owner=owner,
        kind=MediaAsset.Kind.IMAGE,
        source=MediaAsset.Source.GENERATED,
        file=f"assets/{name}.png",
        mime="image/png",
        checksum=name,
    )


def test_an_unrendered_card_shows_its_first_scenes_picture_not_the_placeholder(client, owner):
    draft = _video(owner, "Draft one", status=Video.Status.STORYBOARD)
    second = Scene.objects.create(
        video=draft, position=1, narration="Two.", visual_prompt="two", picture=_picture(owner, "two")
    )
    first = Scene.objects.create(
        video=draft, position=0, narration="One.", visual_prompt="one", picture=_picture(owner, "one")
    )
    client.force_login(owner)

    html = client.get(reverse("videos-library")).content.decode()

    assert reverse("videos-scene-image", kwargs={"code": first.code}) in html
    assert reverse("videos-scene-image", kwargs={"code": second.code}) not in html
    assert "vcard__placeholder" not in html


def test_a_card_without_poster_or_picture_shows_the_placeholder(client, owner):
    _video(owner, "Just queued", status=Video.Status.STORYBOARDING)
    client.force_login(owner)

    html = client.get(reverse("videos-library")).content.decode()

    assert "vcard__placeholder" in html
    assert "/picture.jpg" not in html
