"""Video admin, the approval queue, site settings and quotas, driven through the admin's
own views: the changelist's action form, the reject page, the change pages."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from jobs.models import Job
from quotas.models import Quota, SiteSettings
from videos.models import Video, VideoJobKind
from videos.services import storyboard_approve

CHANGELIST = "admin:videos_video_changelist"
QUEUE = "admin:videos_storyboardawaitingapproval_changelist"

# About approval and the staff pages, not speech: each narration is synthesised once.
pytestmark = pytest.mark.usefixtures("piper_cached")


@pytest.fixture
def staff_approval():
    site = SiteSettings.load()
    site.require_staff_approval = True
    site.save()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _act(client, url_name: str, action: str, videos, **extra):
    data = {"action": action, "_selected_action": [v.pk for v in videos], **extra}
    return client.post(reverse(url_name), data, follow=True)


def test_non_staff_are_sent_to_the_admin_login(client, owner, make_video):
    video = make_video(owner)
    client.force_login(owner)
    login = reverse("admin:login")

    for url in (
        reverse(CHANGELIST),
        reverse(QUEUE),
        reverse("admin:videos_video_change", args=[video.pk]),
        reverse("admin:quotas_quota_storage"),
        reverse("admin:quotas_sitesettings_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url

    response = client.post(reverse(CHANGELIST), {"action": "approve_storyboards", "_selected_action": [video.pk]})
    assert response.status_code == 302 and response["Location"].startswith(login)
    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE


def test_the_video_list_filters_by_status_and_approval_and_searches_titles(staff_client, owner, make_video):
    approved = storyboard_approve(video=make_video(owner, title="Harbour at night"), user=owner)
    make_video(owner, title="Mountain pass")
    changelist = reverse(CHANGELIST)

    by_approval = staff_client.get(changelist, {"approval__exact": "approved"})
    by_search = staff_client.get(changelist, {"q": "mountain"})
    by_code = staff_client.get(changelist, {"q": str(approved.code)})

    assert [v.title for v in by_approval.context["cl"].result_list] == ["Harbour at night"]
    assert [v.title for v in by_search.context["cl"].result_list] == ["Mountain pass"]
    assert [v.title for v in by_code.context["cl"].result_list] == ["Harbour at night"]


def test_the_change_page_shows_the_scenes_with_their_pictures(staff_client, owner, make_video):
    video = make_video(owner)

    response = staff_client.get(reverse("admin:videos_video_change", args=[video.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for scene in video.scenes.all():
        assert scene.narration in html
        assert reverse("admin:assets_mediaasset_file", args=[scene.picture_id]) in html


def test_approve_action_approves_and_records_the_staff_member(staff_client, staff, owner, make_video, staff_approval):
    first = storyboard_approve(video=make_video(owner), user=owner)
    second = storyboard_approve(video=make_video(owner), user=owner)

    response = _act(staff_client, QUEUE, "approve_storyboards", [first, second])

    assert "Approved 2 storyboards." in _messages(response)
    for video in (first, second):
        video.refresh_from_db()
        assert video.approval == Video.Approval.APPROVED
        assert video.approved_by == staff and video.approved_at is not None
    assert LogEntry.objects.filter(user=staff, change_message="Approved the storyboard.").count() == 2


def test_the_queue_lists_only_storyboards_awaiting_approval_oldest_first(
    staff_client, owner, make_video, staff_approval
):
    older = storyboard_approve(video=make_video(owner, title="Older"), user=owner)
    newer = storyboard_approve(video=make_video(owner, title="Newer"), user=owner)
    make_video(owner, title="Not submitted")

    response = staff_client.get(reverse(QUEUE))

    assert [v.pk for v in response.context["cl"].result_list] == [older.pk, newer.pk]


def test_reject_action_asks_for_a_reason_then_sends_the_storyboard_back(
    staff_client, staff, owner, make_video, staff_approval
):
    video = storyboard_approve(video=make_video(owner), user=owner)

    form_page = _act(staff_client, QUEUE, "reject_storyboards", [video])
    assert form_page.status_code == 200
    assert b'name="reason"' in form_page.content and b'name="apply"' in form_page.content
    video.refresh_from_db()
    assert video.approval == Video.Approval.PENDING

    response = _act(
        staff_client, QUEUE, "reject_storyboards", [video], apply="1", reason="Scene 2 needs a new picture."
    )

    assert "Rejected 1 storyboard." in _messages(response)
    video.refresh_from_db()
    assert video.approval == Video.Approval.REJECTED
    assert video.rejection_reason == "Scene 2 needs a new picture."
    assert LogEntry.objects.filter(user=staff, change_message__contains="Scene 2 needs a new picture.").exists()


def test_reject_without_a_reason_shows_the_form_again_and_changes_nothing(
    staff_client, owner, make_video, staff_approval
):
    video = storyboard_approve(video=make_video(owner), user=owner)

    response = _act(staff_client, QUEUE, "reject_storyboards", [video], apply="1", reason="")

    assert response.status_code == 200 and b"This field is required" in response.content
    video.refresh_from_db()
    assert video.approval == Video.Approval.PENDING


def test_render_action_queues_a_render_of_an_approved_storyboard(staff_client, owner, make_approved_video):
    video = make_approved_video(owner)

    response = _act(staff_client, CHANGELIST, "render_videos", [video])

    assert "Queued a render of 1 video." in _messages(response)
    job = video.jobs.get(kind=VideoJobKind.RENDER)
    assert job.status == Job.Status.QUEUED
    video.refresh_from_db()
    assert video.status == Video.Status.RENDERING


def test_render_action_refuses_an_unapproved_storyboard_with_a_message(staff_client, owner, make_video):
    video = make_video(owner, title="Draft")

    response = _act(staff_client, CHANGELIST, "render_videos", [video])

    assert "“Draft”: The storyboard must be approved before it can be rendered." in _messages(response)
    assert not video.jobs.filter(kind=VideoJobKind.RENDER).exists()


def test_render_action_refuses_when_the_owner_is_over_quota(staff_client, owner, make_approved_video):
    video = make_approved_video(owner, title="Long one")
    Quota.objects.update_or_create(user=owner, defaults={"render_minutes_per_month": 0})

    response = _act(staff_client, CHANGELIST, "render_videos", [video])

    [message] = _messages(response)
    assert message.startswith("“Long one”: This render is about ")
    assert "of 0 minutes this month" in message
    assert not video.jobs.filter(kind=VideoJobKind.RENDER).exists()


def test_cancel_action_cancels_the_videos_queued_job(staff_client, owner, make_approved_video):
    from videos.services import render_request

    video = make_approved_video(owner)
    job = render_request(video=video, user=owner)

    response = _act(staff_client, CHANGELIST, "cancel_jobs", [video])

    assert "Canceled the jobs of 1 video." in _messages(response)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELED


def test_cancel_action_says_so_when_nothing_runs(staff_client, owner, make_video):
    video = make_video(owner, title="Idle")

    response = _act(staff_client, CHANGELIST, "cancel_jobs", [video])

    assert _messages(response) == ["“Idle”: No job of this video is queued or running."]


def test_retry_action_queues_the_failed_job_again(staff_client, owner, make_video):
    video = make_video(owner)
    job = video.jobs.get()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error_stage="pictures", error_message="Boom")

    response = _act(staff_client, CHANGELIST, "retry_jobs", [video])

    assert "Retried the latest job of 1 video." in _messages(response)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.error_message == ""


def test_retry_action_refuses_a_render_whose_storyboard_is_no_longer_approved(staff_client, owner, make_approved_video):
    from videos.services import render_request

    video = make_approved_video(owner, title="Edited")
    job = render_request(video=video, user=owner)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    Video.objects.filter(pk=video.pk).update(approval=Video.Approval.NONE)

    response = _act(staff_client, CHANGELIST, "retry_jobs", [video])

    assert _messages(response) == ["“Edited”: The storyboard is not approved; approve it before rendering again."]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_deleting_a_video_in_admin_removes_its_files(staff_client, owner, make_video, media_root):
    video = make_video(owner)
    files = [p for p in media_root.rglob("*") if p.is_file()]
    assert files

    response = staff_client.post(reverse("admin:videos_video_delete", args=[video.pk]), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_site_settings_open_on_the_single_row_and_switch_the_policy(staff_client, owner, make_video):
    response = staff_client.get(reverse("admin:quotas_sitesettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quotas_sitesettings_change", args=[1])

    response = staff_client.post(
        response["Location"],
        {
            "require_staff_approval": "on",
            "videos_per_day": "20",
            "render_minutes_per_month": "120",
            "storage_bytes_0": "5",
            "storage_bytes_1": "GB",
            "concurrent_jobs": "5",
        },
        follow=True,
    )

    assert "Site settings saved; they apply to the next request." in _messages(response)
    assert SiteSettings.objects.count() == 1
    video = storyboard_approve(video=make_video(owner), user=owner)
    assert video.approval == Video.Approval.PENDING


def test_a_quota_set_in_admin_overrides_the_site_default(staff_client, owner):
    response = staff_client.post(
        reverse("admin:quotas_quota_add"),
        {
            "user": owner.pk,
            "videos_per_day": "2",
            "render_minutes_per_month": "",
            "storage_bytes_0": "",
            "storage_bytes_1": "GB",
            "concurrent_jobs": "",
        },
        follow=True,
    )

    assert response.status_code == 200
    quota = Quota.objects.get(user=owner)
    assert quota.videos_per_day == 2 and quota.render_minutes_per_month is None
    listing = staff_client.get(reverse("admin:quotas_quota_changelist")).content.decode()
    assert "120 (site default)" in listing
    from quotas.services import quota_usage

    assert quota_usage(user=owner).videos_today.limit == 2


def test_the_project_list_counts_videos(staff_client, owner, make_video):
    from videos.services import project_create

    project = project_create(owner=owner, name="Coast")
    make_video(owner, project=project)

    response = staff_client.get(reverse("admin:videos_project_changelist"))

    [row] = response.context["cl"].result_list
    assert row.name == "Coast" and row._video_count == 1


def test_a_queued_storyboard_opens_read_only_with_its_scenes(staff_client, owner, make_video, staff_approval):
    video = storyboard_approve(video=make_video(owner), user=owner)

    response = staff_client.get(reverse("admin:videos_storyboardawaitingapproval_change", args=[video.pk]))

    html = response.content.decode()
    assert response.status_code == 200 and 'name="_save"' not in html
    for scene in video.scenes.all():
        assert scene.narration in html


def test_a_quota_page_shows_the_users_current_use(staff_client, owner, make_video):
    make_video(owner)
    quota = Quota.objects.get(user=owner)

    html = staff_client.get(reverse("admin:quotas_quota_change", args=[quota.pk])).content.decode()

    assert "Videos today: 1 of 20" in html
    assert "Jobs running: 0 of 5" in html
