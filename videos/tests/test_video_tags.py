"""The page formatters: one duration format everywhere, and the status a badge shows."""

from __future__ import annotations

import pytest

from videos.admin import VideoAdmin
from videos.models import Video
from videos.templatetags.video_tags import duration, duration_text, seconds, video_status


@pytest.mark.parametrize(
    ("ms", "text"),
    [(None, "–"), (0, "0:00.0"), (5960, "0:05.9"), (6000, "0:06.0"), (65_432, "1:05.4"), (3_723_400, "1:02:03.4")],
)
def test_a_duration_reads_minutes_seconds_and_tenths(ms, text):
    assert duration_text(ms) == text


def test_tenths_are_cut_so_the_page_never_says_more_than_the_player():
    # A player shows 0:05 for 5.96 s: the page must not say 0:06 or 6.0 s.
    assert duration_text(5999).startswith("0:05")


def test_the_older_seconds_filter_writes_the_same_format():
    assert seconds(12_345) == duration(12_345) == "0:12.3"


@pytest.mark.django_db
def test_the_admin_writes_lengths_the_same_way(owner):
    video = Video(owner=owner, title="x", script="x", duration_ms=5960)
    assert VideoAdmin.length(None, video) == "0:05.9"


@pytest.mark.parametrize(
    ("status", "approval", "shown"),
    [
        (Video.Status.STORYBOARD, Video.Approval.REJECTED, ("rejected", "Rejected")),
        (Video.Status.STORYBOARD, Video.Approval.PENDING, ("pending", "Awaiting review")),
        (Video.Status.STORYBOARD, Video.Approval.NONE, ("storyboard", "Storyboard ready")),
        (Video.Status.READY, Video.Approval.APPROVED, ("ready", "Ready")),
    ],
)
def test_the_badge_names_rejected_and_waiting_storyboards(status, approval, shown):
    badge = video_status(Video(status=status, approval=approval))
    assert (badge["key"], badge["label"]) == shown
