"""Job admin: stage, progress, attempts and error at a glance; retry and cancel actions."""

from __future__ import annotations

from django.urls import reverse

from jobs.models import Job

CHANGELIST = "admin:jobs_job_changelist"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _act(client, action: str, jobs):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [j.pk for j in jobs]}, follow=True)


def test_non_staff_are_sent_to_the_admin_login(client, owner):
    client.force_login(owner)

    for url in (reverse(CHANGELIST), reverse("admin:jobs_job_system")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_the_list_shows_stage_progress_attempts_and_error(staff_client, owner, make_video):
    job = make_video(owner).jobs.get()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED,
        stage="pictures",
        progress=40,
        attempts=2,
        error_stage="pictures",
        error_message="Scene 2: no picture",
    )

    response = staff_client.get(reverse(CHANGELIST), {"status__exact": "failed"})

    html = response.content.decode()
    assert [j.pk for j in response.context["cl"].result_list] == [job.pk]
    assert "40 %" in html and "pictures: Scene 2: no picture" in html
    assert '<td class="field-attempts">2</td>' in html


def test_a_job_page_is_read_only(staff_client, owner, make_video):
    job = make_video(owner).jobs.get()

    response = staff_client.get(reverse("admin:jobs_job_change", args=[job.pk]))

    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert staff_client.post(reverse("admin:jobs_job_delete", args=[job.pk]), {"post": "yes"}).status_code == 403
    assert staff_client.get(reverse("admin:jobs_job_add")).status_code == 403


def test_retry_action_puts_failed_jobs_back_in_the_queue(staff_client, owner, make_video):
    failed = make_video(owner).jobs.get()
    finished = make_video(owner).jobs.get()
    Job.objects.filter(pk=failed.pk).update(status=Job.Status.FAILED, error_message="Boom")

    response = _act(staff_client, "retry_jobs", [failed, finished])

    messages = _messages(response)
    assert "Retried 1 job." in messages
    assert any("Only a failed or canceled job can be retried" in m for m in messages)
    failed.refresh_from_db()
    finished.refresh_from_db()
    assert failed.status == Job.Status.QUEUED
    assert finished.status == Job.Status.SUCCEEDED


def test_cancel_action_cancels_a_queued_job_and_asks_a_running_one_to_stop(staff_client, owner, make_approved_video):
    from videos.services import render_request

    queued = render_request(video=make_approved_video(owner), user=owner)
    running = render_request(video=make_approved_video(owner), user=owner)
    Job.objects.filter(pk=running.pk).update(status=Job.Status.RUNNING)

    response = _act(staff_client, "cancel_jobs", [queued, running])

    assert "Canceled 2 jobs." in _messages(response)
    queued.refresh_from_db()
    running.refresh_from_db()
    assert queued.status == Job.Status.CANCELED
    assert running.status == Job.Status.RUNNING and running.cancel_requested


def test_a_job_page_shows_which_worker_holds_each_part(staff_client, owner, make_video):
    from jobs.models import JobPart

    job = make_video(owner).jobs.get()
    JobPart.objects.create(
        job=job, claim=1, index=0, status=JobPart.Status.DONE, worker="render-host:41", by_owner=True
    )
    JobPart.objects.create(job=job, claim=1, index=1, status=JobPart.Status.RUNNING, worker="helper-host:77")

    response = staff_client.get(reverse("admin:jobs_job_change", args=[job.pk]))

    assert response.status_code == 200
    assert b"helper-host:77" in response.content and b"render-host:41" in response.content
