"""The approval queue's review page: staff approve, or reject with a reason, from the page
that shows the storyboard; the queue list shows each storyboard's first pictures."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quotas.models import SiteSettings
from videos.admin import asset_file_url
from videos.models import Video
from videos.services import storyboard_approve

QUEUE = "admin:videos_storyboardawaitingapproval_changelist"
REVIEW = "admin:videos_storyboardawaitingapproval_change"


@pytest.fixture
def submitted(owner, make_video):
    site = SiteSettings.load()
    site.require_staff_approval = True
    site.save()
    return storyboard_approve(video=make_video(owner, title="Harbour"), user=owner)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_review_page_offers_approve_and_reject_with_a_reason(staff_client, submitted):
    html = staff_client.get(reverse(REVIEW, args=[submitted.pk])).content.decode()

    assert 'name="_approve" value="Approve"' in html
    assert 'name="_reject"' in html
    assert '<textarea name="reason"' in html
    assert html.index("Your decision") > html.index(submitted.scenes.first().narration)


def test_approving_on_the_review_page_approves_and_returns_to_the_queue(staff_client, staff, submitted):
    response = staff_client.post(reverse(REVIEW, args=[submitted.pk]), {"_approve": "Approve"}, follow=True)

    submitted.refresh_from_db()
    assert submitted.approval == Video.Approval.APPROVED and submitted.approved_by == staff
    assert response.redirect_chain[-1][0] == reverse(QUEUE)
    assert "Approved “Harbour”; its creator can render it now." in _messages(response)


def test_rejecting_on_the_review_page_sends_it_back_with_the_reason(staff_client, submitted):
    response = staff_client.post(
        reverse(REVIEW, args=[submitted.pk]),
        {"_reject": "Reject", "reason": "Scene 2 says the wrong year."},
        follow=True,
    )

    submitted.refresh_from_db()
    assert submitted.approval == Video.Approval.REJECTED
    assert submitted.rejection_reason == "Scene 2 says the wrong year."
    assert "Sent “Harbour” back to its creator with your reason." in _messages(response)


def test_rejecting_without_a_reason_shows_the_page_again_and_changes_nothing(staff_client, submitted):
    response = staff_client.post(reverse(REVIEW, args=[submitted.pk]), {"_reject": "Reject", "reason": "  "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.approval == Video.Approval.PENDING


def test_the_queue_shows_the_first_scene_pictures_as_thumbnails(staff_client, submitted):
    html = staff_client.get(reverse(QUEUE)).content.decode()

    for scene in submitted.scenes.order_by("position"):
        assert reverse("admin:assets_mediaasset_file", args=[scene.picture_id]) in html
    assert 'alt="Scene 1"' in html


def test_a_rejected_storyboard_reads_rejected_in_the_library(client, owner, staff, submitted):
    from videos.services import storyboard_reject

    storyboard_reject(video=submitted, staff=staff, reason="Too short.")
    client.force_login(owner)

    html = client.get(reverse("videos-library")).content.decode()

    assert '<span class="badge badge--rejected" data-testid="video-status">Rejected</span>' in html


def test_the_review_page_counts_the_real_scenes_and_plays_each_narration(staff_client, owner, make_video):
    for title in ("Earlier", "Also earlier"):  # its pk is then no scene count
        Video.objects.create(owner=owner, title=title, script="One line.")
    site = SiteSettings.load()
    site.require_staff_approval = True
    site.save()
    video = storyboard_approve(video=make_video(owner, title="Harbour"), user=owner)
    scenes = list(video.scenes.select_related("narration_audio").order_by("position"))
    assert video.pk != len(scenes)

    html = staff_client.get(reverse(REVIEW, args=[video.pk])).content.decode()

    assert f"Scene 1 of {len(scenes)}" in html
    assert f"of {video.pk}<" not in html
    assert html.count("<audio controls") == len(scenes)
    for scene in scenes:
        assert f'<audio controls preload="none" src="{asset_file_url(scene.narration_audio)}"' in html
    served = staff_client.get(asset_file_url(scenes[0].narration_audio))
    assert served.status_code == 200 and served["Content-Type"].startswith("audio/")
