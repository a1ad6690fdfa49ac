"""A job whose actual cost runs more than 20 % over its estimate is flagged on the job: in
the API, on its page and in the admin (where staff can filter for them)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jobs.models import Job, costs_over_estimate
from videos.models import Video, VideoJobKind

pytestmark = pytest.mark.usefixtures("cache_table")


@pytest.fixture
def video(owner):
    return Video.objects.create(owner=owner, title="Lighthouse", script="The lighthouse keeper.")


def finished(video, *, estimated: str, actual: str) -> Job:
    return Job.objects.create(
        owner=video.owner,
        video=video,
        kind=VideoJobKind.RENDER,
        status=Job.Status.SUCCEEDED,
        estimated_cost=Decimal(estimated),
        actual_cost=Decimal(actual),
    )


@pytest.mark.parametrize(
    ("estimated", "actual", "over"),
    [
        ("0.0100", "0.0120", False),  # exactly 20 % over is within the limit
        ("0.0100", "0.0121", True),
        ("0.0100", "0.0050", False),
        ("0", "0", False),  # offline: nothing estimated, nothing spent
        ("0", "0.0030", True),  # spent what nobody was told about
    ],
)
def test_the_flag_is_set_only_past_twenty_percent_over(video, estimated, actual, over):
    job = finished(video, estimated=estimated, actual=actual)
    assert job.cost_over_estimate is over
    assert Job.objects.filter(costs_over_estimate(), pk=job.pk).exists() is over


def test_the_api_and_the_job_page_flag_it(api, owner, video):
    job = finished(video, estimated="0.0030", actual="0.0040")
    assert api.get(f"/api/v1/jobs/{job.code}").json()["cost_over_estimate"] is True
    browser = Client()
    browser.force_login(owner)
    assert b'data-testid="cost-over-estimate"' in browser.get(f"/jobs/{job.code}/").content


def test_staff_can_list_just_the_jobs_over_their_estimate(client, staff, video):
    over = finished(video, estimated="0.0030", actual="0.0040")
    within = finished(video, estimated="0.0030", actual="0.0030")
    client.force_login(staff)
    response = client.get(reverse("admin:jobs_job_changelist"), {"over_estimate": "yes"})
    shown = {job.pk for job in response.context["cl"].result_list}
    assert shown == {over.pk} and within.pk not in shown
