"""videos.services.review: a client's approval approves the storyboard only where the
site says so, through the creator's approval service."""

from __future__ import annotations

import pytest

from quotas.models import SiteSettings
from videos.models import Video
from videos.services.review import review_decide, review_link_create


def test_a_review_approval_approves_the_storyboard_when_the_site_says_so(owner, make_video, piper_cached):
    SiteSettings.objects.update_or_create(pk=1, defaults={"review_approval_approves": True})
    video = make_video(owner)
    link, _ = review_link_create(video=video)
    review_decide(link=link, decision="approved", author="Client")
    video.refresh_from_db()
    assert video.approval == Video.Approval.APPROVED
    assert video.approved_by == owner


@pytest.mark.django_db
def test_a_decision_that_is_neither_is_refused(owner):
    from django.core.exceptions import ValidationError

    from videos.tests.review_fixtures import storyboard_rows

    link, _ = review_link_create(video=storyboard_rows(owner))
    with pytest.raises(ValidationError):
        review_decide(link=link, decision="maybe")
    assert not link.comments.exists()
