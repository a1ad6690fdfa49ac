"""Presentation helpers for the creator pages: the live job panel and small formatters."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jobs.models import Job
from videos.job_display import job_fragment_context
from videos.models import Video

register = template.Library()


@register.inclusion_tag("videos/_job_live.html", takes_context=True)
def job_panel(context, job: Job, compact: bool = False) -> dict:
    """A job's live progress: the fragment plus the websocket that keeps it current."""

    return {**job_fragment_context(job), "compact": compact, "request": context.get("request")}


def duration_text(ms: int | None) -> str:
    """Milliseconds as m:ss.t (h:mm:ss.t past an hour): the one way every page, the admin
    and the CLI write a length. Tenths are cut, not rounded, so a 5.96 s video reads
    0:05.9 here and 0:05 in the browser's player, never 0:06 against 0:05."""
    if ms is None:
        return "–"
    tenths = max(int(ms), 0) // 100
    seconds, tenth = divmod(tenths, 10)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}.{tenth}"
    return f"{minutes}:{secs:02d}.{tenth}"


@register.filter
def duration(ms: int | None) -> str:
    return duration_text(ms)


@register.filter
def seconds(ms: int | None) -> str:
    """The older name, kept so templates that still say |seconds show the same format."""
    return duration_text(ms)


@register.simple_tag
def video_status(video) -> dict:
    """What a video's badge says: its render state, except that a storyboard waiting for
    staff or sent back by them says so (the library and the video page agree)."""
    approval = getattr(video, "approval", "")
    if video.status == Video.Status.STORYBOARD and approval == Video.Approval.REJECTED:
        return {"key": "rejected", "label": "Rejected"}
    if video.status == Video.Status.STORYBOARD and approval == Video.Approval.PENDING:
        return {"key": "pending", "label": "Awaiting review"}
    return {"key": video.status, "label": video.get_status_display()}


@register.filter
def usd(amount: Decimal | None) -> str:
    if not amount:
        return "$0.00"
    if amount < Decimal("0.01"):
        return f"${amount:.4f}"
    return f"${amount:.2f}"
