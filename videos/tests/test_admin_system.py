"""The staff system page (workers, queue, running jobs, free disk) and the storage summary,
with real numbers: a real qcluster's heartbeat, the ORM broker's queue, shutil's disk usage,
the sizes of real generated files."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from assets.models import MediaAsset, PictureLayer
from conftest import wait_for
from jobs.models import Job
from quotas.models import Quota
from videos.models import Export, Video

SYSTEM = "admin:jobs_job_system"
STORAGE = "admin:quotas_quota_storage"


@pytest.fixture
def queue_only(monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)


def _cell(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">(?:<a [^>]*>)?([^<]*)<', html)
    assert match, element_id
    return match.group(1).strip()


def test_the_admin_index_links_the_operations_pages(staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()

    assert reverse(SYSTEM) in html
    assert reverse(STORAGE) in html
    assert reverse("admin:videos_storyboardawaitingapproval_changelist") in html


def test_the_system_page_shows_queue_depth_and_says_when_no_worker_runs(
    staff_client, owner, queue_only, django_capture_on_commit_callbacks
):
    from videos.services import video_create

    # Committed: the tasks go to the ORM broker, where no worker takes them.
    with django_capture_on_commit_callbacks(execute=True):
        video_create(owner=owner, title="Waiting", script="One sentence. Another one.")
        video_create(owner=owner, title="Waiting too", script="One sentence. Another one.")

    response = staff_client.get(reverse(SYSTEM))

    html = response.content.decode()
    assert response.status_code == 200
    assert _cell(html, "queue-size") == "2"
    assert _cell(html, "jobs-queued") == "2"
    assert 'id="no-workers"' in html


def test_the_system_page_lists_running_jobs_and_flags_silent_ones(staff_client, owner, make_video, settings):
    fresh = make_video(owner, title="Fresh").jobs.get()
    silent = make_video(owner, title="Silent").jobs.get()
    now = timezone.now()
    Job.objects.filter(pk=fresh.pk).update(status=Job.Status.RUNNING, stage="pictures", progress=30, heartbeat_at=now)
    Job.objects.filter(pk=silent.pk).update(
        status=Job.Status.RUNNING,
        stage="narration",
        heartbeat_at=now - timedelta(seconds=settings.CONTENTIZER_HEARTBEAT_STALE_SECONDS + 60),
    )

    response = staff_client.get(reverse(SYSTEM))

    html = response.content.decode()
    assert _cell(html, "jobs-running") == "2"
    assert html.count('class="running-job"') == 2
    assert "Fresh" in html and "30 %" in html
    assert [job.pk for job in response.context["status"].stale_jobs] == [silent.pk]
    assert html.count("silent for") == 1


def test_the_system_page_shows_free_disk_of_media_and_temp_dirs(staff_client, media_root, job_tmp_root):
    response = staff_client.get(reverse(SYSTEM))

    disks = {d.path: d for d in response.context["status"].disks}
    assert set(disks) == {str(media_root), str(job_tmp_root)}
    real = shutil.disk_usage(media_root)
    media = disks[str(media_root)]
    assert media.total == real.total
    assert abs(media.free - real.free) < 64 * 1024**2  # other processes write meanwhile
    assert f'data-bytes="{media.total}"' in response.content.decode()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_system_page_shows_a_live_workers_heartbeat_and_its_last_task(client, staff, owner, qcluster):
    from django_q.status import Stat

    from videos.services import video_create

    stats = wait_for(Stat.get_all, timeout=60, message="the qcluster's first heartbeat")
    video = video_create(owner=owner, title="Worked", script="One sentence. Another one.")
    wait_for(
        lambda: video.jobs.filter(status=Job.Status.SUCCEEDED).exists(),
        timeout=90,
        message="the worker to finish the storyboard job",
    )
    # The job row says so from inside the task; the cluster's monitor saves the task's own
    # record a moment after it returns.
    from django_q.models import Task

    wait_for(Task.objects.exists, timeout=30, message="the cluster to save the task's record")
    client.force_login(staff)

    response = client.get(reverse(SYSTEM))

    html = response.content.decode()
    status = response.context["status"]
    assert [c.cluster_id for c in status.clusters] == [str(stats[0].cluster_id)]
    assert status.clusters[0].workers == 1
    assert f"<td>{stats[0].host}</td>" in html
    assert status.last_task is not None and status.last_task.success
    assert f"job-{video.jobs.get().pk}-storyboard" in html


def test_the_storage_summary_sums_assets_masters_and_exports_per_user(staff_client, owner, stranger, make_video):
    mine = make_video(owner)
    make_video(stranger)
    Video.objects.filter(pk=mine.pk).update(size_bytes=5_000_000)
    Export.objects.create(video=mine, format="webm", quality="480p", size_bytes=1_250_000)
    Quota.objects.update_or_create(user=stranger, defaults={"storage_bytes": 1})

    response = staff_client.get(reverse(STORAGE))

    html = response.content.decode()
    rows = response.context["rows"]
    assert [r["user"] for r in rows] == [owner, stranger]
    # A picture drawn in layers counts its layers with it (assets.models.PictureLayer).
    own_assets = MediaAsset.objects.filter(owner=owner).aggregate(s=Sum("size_bytes"))["s"]
    own_assets += PictureLayer.objects.filter(picture__owner=owner).aggregate(s=Sum("size_bytes"))["s"] or 0
    assert own_assets > 0
    assert rows[0]["use"].parts["assets"] == own_assets
    assert rows[0]["use"].total_bytes == own_assets + 6_250_000
    assert f'data-bytes="{own_assets + 6_250_000}"' in html
    assert rows[1]["over"] and "(full)" in html
    all_assets = MediaAsset.objects.aggregate(s=Sum("size_bytes"))["s"]
    all_assets += PictureLayer.objects.aggregate(s=Sum("size_bytes"))["s"] or 0
    assert response.context["totals"]["total"] == all_assets + 6_250_000
