"""Presentation helpers for the creator pages: the live job panel and small formatters."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jobs.models import Job
from videos.job_display import job_fragment_context

register = template.Library()


@register.inclusion_tag("videos/_job_live.html", takes_context=True)
def job_panel(context, job: Job, compact: bool = False) -> dict:
    """A job's live progress: the fragment plus the websocket that keeps it current."""

    return {**job_fragment_context(job), "compact": compact, "request": context.get("request")}


@register.filter
def duration(ms: int | None) -> str:
    """Milliseconds as m:ss (or h:mm:ss)."""
    if ms is None:
        return "–"
    seconds = int(round(ms / 1000))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def seconds(ms: int | None) -> str:
    """Milliseconds as seconds with one decimal, e.g. 12.4 s."""
    if ms is None:
        return "–"
    return f"{ms / 1000:.1f} s"


@register.filter
def usd(amount: Decimal | None) -> str:
    if not amount:
        return "$0.00"
    if amount < Decimal("0.01"):
        return f"${amount:.4f}"
    return f"${amount:.2f}"
