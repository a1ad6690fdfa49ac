"""videos.services.review: a client's approval approves the storyboard only where the
site says so, through the creator's approval service."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from jobs.models import WebhookDelivery, WebhookSettings
from quotas.models import SiteSettings
from videos.models import Video
from videos.services.review import review_comment_add, review_decide, review_link_create
from videos.tests.review_fixtures import storyboard_rows


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
    link, _ = review_link_create(video=storyboard_rows(owner))
    with pytest.raises(ValidationError):
        review_decide(link=link, decision="maybe")
    assert not link.comments.exists()


@pytest.mark.django_db
def test_a_comment_is_an_event_to_the_accounts_callback_url(owner, settings):
    settings.CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = True
    WebhookSettings.objects.create(owner=owner, secret="whsec_AAAA", callback_url="http://127.0.0.1:9/account-hook")
    link, _ = review_link_create(video=storyboard_rows(owner))
    comment = review_comment_add(link=link, body="Lovely.", author="  Ana   Client ")
    delivery = WebhookDelivery.objects.get()
    event = json.loads(delivery.payload)
    assert (delivery.url, delivery.event_type) == ("http://127.0.0.1:9/account-hook", "review.commented")
    assert event["data"]["comment"] == {**event["data"]["comment"], "code": str(comment.code), "author": "Ana Client"}
