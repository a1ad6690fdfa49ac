"""The approval policy: creators approve their own storyboards (default), or, when the
site requires it, their approval submits the storyboard and staff approve or reject it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.errors import Conflict
from quotas.models import SiteSettings
from videos.models import Video, VideoJobKind
from videos.services import (
    render_request,
    scene_update,
    storyboard_approve,
    storyboard_reject,
    storyboard_staff_approve,
)

# About approval and the staff pages, not speech: each narration is synthesised once.
pytestmark = pytest.mark.usefixtures("piper_cached")


@pytest.fixture
def staff_approval():
    site = SiteSettings.load()
    site.require_staff_approval = True
    site.save()
    return site


def test_by_default_the_creator_approves_their_own_storyboard_and_can_render(owner, make_video):
    video = storyboard_approve(video=make_video(owner), user=owner)

    assert video.approval == Video.Approval.APPROVED
    assert video.approved_by == owner and video.approved_at is not None
    assert render_request(video=video, user=owner).kind == VideoJobKind.RENDER


def test_when_staff_must_approve_the_creators_approval_puts_it_in_the_queue(owner, make_video, staff_approval):
    video = storyboard_approve(video=make_video(owner), user=owner)

    assert video.approval == Video.Approval.PENDING
    assert video.approved_by is None and video.approved_at is None


def test_a_pending_storyboard_cannot_be_rendered(owner, make_video, staff_approval):
    video = storyboard_approve(video=make_video(owner), user=owner)

    with pytest.raises(PermissionDenied):
        render_request(video=video, user=owner)
    assert not video.jobs.filter(kind=VideoJobKind.RENDER).exists()


def test_staff_approval_records_who_and_when_and_allows_the_render(owner, staff, make_video, staff_approval):
    video = storyboard_approve(video=make_video(owner), user=owner)

    video = storyboard_staff_approve(video=video, staff=staff)

    assert video.approval == Video.Approval.APPROVED
    assert video.approved_by == staff and video.approved_at is not None
    assert render_request(video=video, user=owner).kind == VideoJobKind.RENDER


def test_the_policy_is_read_from_the_database_on_each_request(owner, make_video):
    first = make_video(owner)
    second = make_video(owner)
    assert storyboard_approve(video=first, user=owner).approval == Video.Approval.APPROVED

    SiteSettings.objects.filter(pk=1).update(require_staff_approval=True)

    assert storyboard_approve(video=second, user=owner).approval == Video.Approval.PENDING


def test_a_rejected_storyboard_shows_the_reason_to_its_creator_and_cannot_render(
    client, owner, staff, make_video, staff_approval
):
    video = storyboard_approve(video=make_video(owner), user=owner)

    video = storyboard_reject(video=video, staff=staff, reason="The third scene shows a brand logo.")

    assert video.approval == Video.Approval.REJECTED
    assert video.rejection_reason == "The third scene shows a brand logo."
    with pytest.raises(PermissionDenied):
        render_request(video=video, user=owner)
    client.force_login(owner)
    page = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()
    assert "The third scene shows a brand logo." in page


def test_submitting_again_after_a_rejection_clears_the_reason_and_waits_for_staff(
    owner, staff, make_video, staff_approval
):
    video = storyboard_reject(video=make_video(owner), staff=staff, reason="Too dark.")

    video = storyboard_approve(video=video, user=owner)

    assert video.approval == Video.Approval.PENDING
    assert video.rejection_reason == ""


def test_an_approved_storyboard_stays_approved_when_its_creator_approves_again(
    owner, staff, make_video, staff_approval
):
    video = storyboard_staff_approve(video=make_video(owner), staff=staff)

    video = storyboard_approve(video=video, user=owner)

    assert video.approval == Video.Approval.APPROVED and video.approved_by == staff


def test_editing_a_submitted_storyboard_takes_it_out_of_the_queue(owner, make_video, staff_approval):
    video = storyboard_approve(video=make_video(owner), user=owner)

    scene_update(scene=video.scenes.first(), visual_prompt="A calmer sea at dawn")

    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE


def test_staff_approve_their_own_storyboards_directly(staff, make_video, staff_approval):
    video = storyboard_approve(video=make_video(staff), user=staff)

    assert video.approval == Video.Approval.APPROVED and video.approved_by == staff


def test_only_staff_can_approve_or_reject_for_others(owner, stranger, make_video, staff_approval):
    video = storyboard_approve(video=make_video(owner), user=owner)

    with pytest.raises(PermissionDenied):
        storyboard_staff_approve(video=video, staff=stranger)
    with pytest.raises(PermissionDenied):
        storyboard_reject(video=video, staff=owner, reason="No.")
    video.refresh_from_db()
    assert video.approval == Video.Approval.PENDING


def test_a_rejection_needs_a_reason(owner, staff, make_video):
    video = make_video(owner)

    with pytest.raises(ValidationError) as excinfo:
        storyboard_reject(video=video, staff=staff, reason="   ")

    assert "reason" in excinfo.value.message_dict
    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE


def test_staff_cannot_approve_a_storyboard_twice(owner, staff, make_video):
    video = storyboard_staff_approve(video=make_video(owner), staff=staff)

    with pytest.raises(Conflict):
        storyboard_staff_approve(video=video, staff=staff)
