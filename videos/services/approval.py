"""Approving a storyboard: by its creator, or by staff where the site requires it; rejection."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import Conflict
from jobs.models import Job
from videos.models import RENDER_KINDS, Video
from videos.selectors import approval_submits_for_review, storyboard_state
from videos.video_metrics import storyboard_review_counted

logger = logging.getLogger(__name__)


def approval_withdraw(video: Video) -> None:
    Video.objects.filter(pk=video.pk, approval__in=(Video.Approval.APPROVED, Video.Approval.PENDING)).update(
        approval=Video.Approval.NONE,
        approved_by=None,
        approved_at=None,
        updated_at=timezone.now(),
    )
    video.refresh_from_db(fields=["approval", "approved_by", "approved_at"])


def _require_complete_storyboard(video: Video) -> None:
    state = storyboard_state(video)
    if not state.has_scenes:
        raise Conflict("The storyboard has no scenes; add one before approving.")
    if not state.complete:
        raise Conflict("The storyboard is still being made; approve it once every scene has its picture and narration.")


def storyboard_approve(*, video: Video, user) -> Video:
    """The creator's approval. Where the site requires staff approval (SiteSettings) and
    the user is not staff, it submits the storyboard instead: `approval` comes back
    PENDING and the render stays refused until staff approve."""
    _require_complete_storyboard(video)
    if approval_submits_for_review(user):
        # An approved storyboard stays approved; anything else waits for staff.
        Video.objects.filter(pk=video.pk).exclude(approval=Video.Approval.APPROVED).update(
            approval=Video.Approval.PENDING,
            approved_by=None,
            approved_at=None,
            rejection_reason="",
            updated_at=timezone.now(),
        )
        video.refresh_from_db()
        return video
    was = video.approval
    Video.objects.filter(pk=video.pk).update(
        approval=Video.Approval.APPROVED,
        approved_by=user,
        approved_at=timezone.now(),
        rejection_reason="",
        updated_at=timezone.now(),
    )
    if was != Video.Approval.APPROVED:
        storyboard_review_counted(decision="approved")
    video.refresh_from_db()
    return video


def storyboard_staff_approve(*, video: Video, staff) -> Video:
    """Staff approve a storyboard (awaiting approval, or not yet submitted, or rejected
    before); records who and when."""
    if not staff.is_staff:
        raise PermissionDenied("Only staff can approve other people's storyboards.")
    _require_complete_storyboard(video)
    now = timezone.now()
    if (
        not Video.objects.filter(pk=video.pk)
        .exclude(approval=Video.Approval.APPROVED)
        .update(
            approval=Video.Approval.APPROVED,
            approved_by=staff,
            approved_at=now,
            rejection_reason="",
            updated_at=now,
        )
    ):
        raise Conflict("This storyboard is already approved.")
    storyboard_review_counted(decision="approved")
    video.refresh_from_db()
    return video


def storyboard_reject(*, video: Video, staff, reason: str) -> Video:
    """Staff send a storyboard back with a reason the creator sees. Withdraws an
    approval; the creator edits and approves (submits) again."""
    if not staff.is_staff:
        raise PermissionDenied("Only staff can reject storyboards.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tell the creator why the storyboard is sent back."})
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason under 2000 characters."})
    if video.jobs.filter(kind__in=RENDER_KINDS, status__in=Job.ACTIVE).exists():
        raise Conflict("The video is rendering; cancel the render before rejecting its storyboard.")
    Video.objects.filter(pk=video.pk).update(
        approval=Video.Approval.REJECTED,
        approved_by=None,
        approved_at=None,
        rejection_reason=reason,
        updated_at=timezone.now(),
    )
    storyboard_review_counted(decision="rejected")
    video.refresh_from_db()
    return video
