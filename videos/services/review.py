"""Review links: a creator shares one video's storyboard or finished video with someone
without an account, who comments on scenes or times and approves or asks for changes.

A link's secret is `secrets.token_urlsafe` (256 bits) and only its SHA-256 is stored, so a
leaked database holds no working link. A link opens nothing but its own video, and only
while it is neither expired nor revoked; anything else looks like no link at all (404).
The creator is told of every comment and decision on the storyboard page and by a
webhook event (`review.commented`, `review.approved`, `review.changes_requested`).
Whether a client's approval approves the storyboard is the site's choice
(SiteSettings.review_approval_approves, off by default).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict
from jobs.webhooks import webhook_account_url, webhook_event_record
from quotas.models import SiteSettings
from videos.models import ReviewComment, ReviewLink, Scene, Video
from videos.services.approval import storyboard_approve

logger = logging.getLogger(__name__)

# How long a link works unless the creator says otherwise (defined once, here).
REVIEW_LINK_LIFETIME = timedelta(days=14)
REVIEW_LINK_MAX_DAYS = 90
COMMENT_MAX_CHARS = 2000
AUTHOR_MAX_CHARS = 80
_EVENT_NAMESPACE = uuid.UUID("0b8f1d3e-7c2a-4e61-9a4d-5c3b2f1e8a70")


def review_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def review_link_create(*, video: Video, shows: str = "", expires_in_days: int | None = None) -> tuple[ReviewLink, str]:
    """A new link to one video and its secret token (returned once, never stored). `shows`
    defaults to the finished video when there is one, else the storyboard."""
    if not shows:
        shows = ReviewLink.Shows.VIDEO if video.master else ReviewLink.Shows.STORYBOARD
    if shows not in ReviewLink.Shows.values:
        raise ValidationError({"shows": f"Choose one of {', '.join(ReviewLink.Shows.values)}."})
    if shows == ReviewLink.Shows.VIDEO and not video.master:
        raise ValidationError({"shows": "This video has not been rendered yet; share its storyboard instead."})
    if shows == ReviewLink.Shows.STORYBOARD and not video.scenes.exists():
        raise Conflict("The storyboard has no scenes yet; share it once it has.")
    lifetime = REVIEW_LINK_LIFETIME
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= REVIEW_LINK_MAX_DAYS:
            raise ValidationError({"expires_in_days": f"Give a number of days from 1 to {REVIEW_LINK_MAX_DAYS}."})
        lifetime = timedelta(days=expires_in_days)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = ReviewLink.objects.create(
        video=video, token_hash=review_token_hash(token), shows=shows, created_at=now, expires_at=now + lifetime
    )
    return link, token


def review_link_revoke(*, link: ReviewLink) -> None:
    """The link stops working at once (its page answers 404); its comments stay."""
    ReviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db(fields=["revoked_at"])


def review_link_open(*, token: str) -> ReviewLink | None:
    """The working link with this token, or None (unknown, expired or revoked alike)."""
    if not token or len(token) > 100:
        return None
    return (
        ReviewLink.objects.select_related("video")
        .filter(token_hash=review_token_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def review_scenes(link: ReviewLink) -> list[Scene]:
    return list(link.video.scenes.select_related("picture", "narration_audio").order_by("position"))


def _clean_text(body: str, author: str, *, required: bool) -> tuple[str, str]:
    body = (body or "").replace("\r\n", "\n").strip()
    author = " ".join((author or "").split())
    errors: dict[str, str] = {}
    if required and not body:
        errors["body"] = "Write a comment first: it is empty."
    elif len(body) > COMMENT_MAX_CHARS:
        errors["body"] = f"Keep the comment under {COMMENT_MAX_CHARS} characters (it has {len(body)})."
    if len(author) > AUTHOR_MAX_CHARS:
        errors["author"] = f"Keep the name under {AUTHOR_MAX_CHARS} characters."
    if errors:
        raise ValidationError(errors)
    return body, author


def review_comment_add(
    *, link: ReviewLink, body: str, author: str = "", scene_code: str = "", at_ms: int | None = None
) -> ReviewComment:
    """A plain-text comment on the whole, on one of the link's scenes, or at a time."""
    body, author = _clean_text(body, author, required=True)
    scene = None
    if scene_code:
        try:
            scene = link.video.scenes.filter(code=uuid.UUID(str(scene_code))).first()
        except ValueError:
            scene = None
        if scene is None:
            raise ValidationError({"scene": "That scene is not in this storyboard."})
    if at_ms is not None and (at_ms < 0 or (link.video.duration_ms and at_ms > link.video.duration_ms)):
        raise ValidationError({"at_ms": "That time is not in the video."})
    with transaction.atomic():
        comment = ReviewComment.objects.create(link=link, scene=scene, at_ms=at_ms, author=author, body=body)
        _notify(link, comment, "review.commented")
    return comment


def review_decide(*, link: ReviewLink, decision: str, body: str = "", author: str = "") -> ReviewComment:
    """The reviewer approves, or asks for changes (saying which). An approval approves the
    storyboard through the creator's approval service only where the site says so."""
    if decision not in (ReviewLink.Decision.APPROVED, ReviewLink.Decision.CHANGES_REQUESTED):
        raise ValidationError({"decision": "Approve, or ask for changes."})
    body, author = _clean_text(body, author, required=decision == ReviewLink.Decision.CHANGES_REQUESTED)
    now = timezone.now()
    with transaction.atomic():
        comment = ReviewComment.objects.create(link=link, author=author, body=body, decision=decision, created_at=now)
        ReviewLink.objects.filter(pk=link.pk).update(decision=decision, decided_at=now)
        link.decision, link.decided_at = decision, now
        event = "review.approved" if decision == ReviewLink.Decision.APPROVED else "review.changes_requested"
        _notify(link, comment, event)
    if decision == ReviewLink.Decision.APPROVED and SiteSettings.load().review_approval_approves:
        try:
            storyboard_approve(video=link.video, user=link.video.owner)
        except Conflict:
            # Still being made (or emptied): the decision stands; the creator approves later.
            logger.info("review approval of video %s did not approve: storyboard incomplete", link.video.code)
    return comment


def review_comment_data(comment: ReviewComment) -> dict:
    return {
        "code": str(comment.code),
        "scene": str(comment.scene.code) if comment.scene else None,
        "at_ms": comment.at_ms,
        "author": comment.author,
        "body": comment.body,
        "decision": comment.decision,
        "created_at": comment.created_at.isoformat().replace("+00:00", "Z"),
    }


def _notify(link: ReviewLink, comment: ReviewComment, event_type: str) -> None:
    video = link.video
    url = video.callback_url or webhook_account_url(owner_id=video.owner_id)
    webhook_event_record(
        owner_id=video.owner_id,
        url=url,
        event_type=event_type,
        event_id="msg_" + uuid.uuid5(_EVENT_NAMESPACE, str(comment.code)).hex,
        data={
            "video": {"code": str(video.code), "title": video.title},
            "review_link": {"code": str(link.code), "shows": link.shows, "decision": link.decision},
            "comment": review_comment_data(comment),
        },
    )


def review_links_of(video: Video) -> list[ReviewLink]:
    return list(video.review_links.prefetch_related("comments", "comments__scene"))


def review_link_is_open(link: ReviewLink) -> bool:
    return link.revoked_at is None and link.expires_at > timezone.now()
