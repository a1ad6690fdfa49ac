"""Batches and stand-alone generations in the admin: listed with owner and progress,
linked to their videos, jobs and files, and read-only where the services write them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assets.generations import narration_request, picture_request
from assets.models import Generation
from videos.models import Batch, Video
from videos.services import batch_create

pytestmark = pytest.mark.django_db

SCRIPT = "The keeper climbs the stairs at dusk.\n\nThe lamp turns until the morning comes."


@pytest.fixture
def batch(owner):
    return batch_create(
        owner=owner, rows=[{"title": "First", "script": SCRIPT}, {"title": "Second", "script": SCRIPT}], name="Spring"
    )


def test_batches_are_listed_with_owner_count_and_progress(staff_client, batch, stranger):
    Batch.objects.create(owner=stranger, name="Empty one")

    html = staff_client.get(reverse("admin:videos_batch_changelist")).content.decode()

    assert "Spring" in html and "olive" in html and "Empty one" in html
    assert "0% (2 storyboarding)" in html


def test_a_batch_links_each_video_and_its_job_and_keeps_the_rows_read_only(staff_client, batch):
    html = staff_client.get(reverse("admin:videos_batch_change", args=[batch.pk])).content.decode()

    for video in batch.videos.all():
        assert reverse("admin:videos_video_change", args=[video.pk]) in html
        assert reverse("admin:jobs_job_change", args=[video.jobs.get().pk]) in html
    assert 'name="name"' in html and 'name="owner"' not in html


def test_batches_are_not_added_in_the_admin(staff_client):
    assert staff_client.get(reverse("admin:videos_batch_add")).status_code == 403


def test_deleting_a_batch_keeps_its_videos(staff_client, batch):
    response = staff_client.post(reverse("admin:videos_batch_delete", args=[batch.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Batch.objects.exists()
    assert Video.objects.filter(batch=None).count() == 2


def test_generations_are_listed_filtered_by_kind_and_linked_to_their_jobs(staff_client, owner):
    picture = picture_request(owner=owner, prompt="A lighthouse at dusk")
    narration_request(owner=owner, text="The lamp turns until morning.")
    url = reverse("admin:assets_generation_changelist")

    html = staff_client.get(url).content.decode()
    pictures_only = staff_client.get(url, {"kind__exact": "picture"}).content.decode()

    assert str(picture) in html and "Narration" in html and "olive" in html
    assert reverse("admin:jobs_job_change", args=[picture.job_id]) in html
    assert pictures_only.count("/change/") < html.count("/change/")
    assert Generation.objects.count() == 2


def test_a_generation_is_read_only(staff_client, owner):
    picture = picture_request(owner=owner, prompt="A lighthouse at dusk")
    page = staff_client.get(reverse("admin:assets_generation_change", args=[picture.pk]))

    assert page.status_code == 200
    assert 'name="prompt"' not in page.content.decode()
    assert (
        staff_client.post(reverse("admin:assets_generation_change", args=[picture.pk]), {"prompt": "x"}).status_code
        == 403
    )
    assert staff_client.get(reverse("admin:assets_generation_add")).status_code == 403
