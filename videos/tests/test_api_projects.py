"""Contract tests for /api/v1/projects: create, list, retrieve, rename, delete, and the
videos in a project."""

from __future__ import annotations

import pytest

from core.testing import assert_error
from videos.models import Project, Video

pytestmark = pytest.mark.usefixtures("cache_table")


URL = "/api/v1/projects"


def test_a_project_is_created(api, owner):
    response = api.post(URL, {"name": "  Coast   stories "}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Coast stories"
    assert body["video_count"] == 0
    assert body["links"]["videos"].endswith(f"/api/v1/projects/{body['code']}/videos")
    assert Project.objects.get(owner=owner).name == "Coast stories"


def test_a_second_project_with_the_same_name_is_refused(api, owner):
    Project.objects.create(owner=owner, name="Coast")
    body = assert_error(api.post(URL, {"name": "coast"}, format="json"), 400, "invalid")
    assert "already" in body["details"]["name"][0]
    assert Project.objects.filter(owner=owner).count() == 1


def test_the_same_name_is_fine_for_another_user(api, stranger):
    Project.objects.create(owner=stranger, name="Coast")
    assert api.post(URL, {"name": "Coast"}, format="json").status_code == 201


def test_an_empty_name_is_refused(api):
    body = assert_error(api.post(URL, {"name": "   "}, format="json"), 400, "invalid")
    assert "name" in body["details"]


def test_projects_are_listed_by_name_with_their_video_counts(api, owner, stranger, make_video):
    coast = Project.objects.create(owner=owner, name="Coast")
    Project.objects.create(owner=owner, name="Alps")
    Project.objects.create(owner=stranger, name="Theirs")
    make_video(owner, project=coast)
    body = api.get(URL).json()
    assert [(p["name"], p["video_count"]) for p in body["results"]] == [("Alps", 0), ("Coast", 1)]


def test_a_project_is_retrieved(api, owner):
    project = Project.objects.create(owner=owner, name="Coast")
    body = api.get(f"{URL}/{project.code}").json()
    assert body["code"] == str(project.code) and body["name"] == "Coast"


def test_a_project_is_renamed(api, owner):
    project = Project.objects.create(owner=owner, name="Coast")
    response = api.patch(f"{URL}/{project.code}", {"name": "Sea"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Sea"
    project.refresh_from_db()
    assert project.name == "Sea"


def test_renaming_to_another_projects_name_is_refused(api, owner):
    Project.objects.create(owner=owner, name="Alps")
    project = Project.objects.create(owner=owner, name="Coast")
    assert_error(api.patch(f"{URL}/{project.code}", {"name": "Alps"}, format="json"), 400, "invalid")
    project.refresh_from_db()
    assert project.name == "Coast"


def test_deleting_a_project_keeps_its_videos(api, owner, make_video):
    project = Project.objects.create(owner=owner, name="Coast")
    video = make_video(owner, project=project)
    assert api.delete(f"{URL}/{project.code}").status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()
    video.refresh_from_db()
    assert video.project is None


def test_a_projects_videos_are_listed(api, owner, make_video):
    project = Project.objects.create(owner=owner, name="Coast")
    inside = make_video(owner, project=project, title="Inside")
    make_video(owner, title="Outside")
    body = api.get(f"{URL}/{project.code}/videos").json()
    assert [v["code"] for v in body["results"]] == [str(inside.code)]
    assert body["results"][0]["project"] == str(project.code)
    assert Video.objects.count() == 2
