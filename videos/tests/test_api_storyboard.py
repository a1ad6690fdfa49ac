"""Contract tests for the storyboard endpoints: scenes, edit, add, delete, move, reorder,
refine, replace picture, approve, render, cost."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from core.testing import assert_error
from videos.models import Scene, Video, VideoJobKind

pytestmark = pytest.mark.usefixtures("cache_table")


LONG_SCRIPT = (
    "The lighthouse keeper climbs the stairs at dusk. Far below, the waves break on the rocks. "
    "A ship passes in the fog, its horn low and long. The lamp turns, and the beam sweeps the water. "
    "Morning comes grey and quiet over the harbour."
)


@pytest.fixture
def video(owner, make_video, piper_cached):
    return make_video(owner, script=LONG_SCRIPT)


def _scenes(video) -> list[Scene]:
    return list(Scene.objects.filter(video=video).order_by("position"))


def test_scenes_are_listed_in_order_with_their_media(api, video):
    body = api.get(f"/api/v1/videos/{video.code}/scenes").json()
    scenes = _scenes(video)
    assert len(scenes) >= 3
    assert [s["code"] for s in body["results"]] == [str(s.code) for s in scenes]
    first = body["results"][0]
    assert first["position"] == 0
    assert first["ready"] is True
    assert first["picture"]["kind"] == "image"
    assert first["picture"]["links"]["file"].endswith(f"/api/v1/assets/{scenes[0].picture.code}/file")
    assert first["narration_audio"]["kind"] == "audio"
    assert first["duration_ms"] > 0


def test_editing_a_scene_changes_its_text_and_withdraws_the_approval(
    api, owner, make_approved_video, django_capture_on_commit_callbacks
):
    video = make_approved_video(owner, script=LONG_SCRIPT)
    scene = _scenes(video)[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(
            f"/api/v1/scenes/{scene.code}", {"narration": "A new first line for the keeper."}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["narration"] == "A new first line for the keeper."
    video.refresh_from_db()
    assert video.approval == Video.Approval.NONE
    # The storyboard job made the new narration.
    assert Scene.objects.get(pk=scene.pk).narration_audio is not None


def test_editing_a_scene_refuses_empty_narration(api, video):
    scene = _scenes(video)[0]
    body = assert_error(api.patch(f"/api/v1/scenes/{scene.code}", {"narration": "  "}, format="json"), 400)
    assert "narration" in body["details"]


def test_a_scene_is_added_at_the_end(api, video):
    count = len(_scenes(video))
    response = api.post(f"/api/v1/videos/{video.code}/scenes", {"narration": "The end of the night."}, format="json")
    assert response.status_code == 201
    assert response.json()["position"] == count
    assert response.json()["visual_prompt"]  # derived from the narration


def test_a_scene_is_added_after_another(api, video):
    first = _scenes(video)[0]
    response = api.post(
        f"/api/v1/videos/{video.code}/scenes",
        {"narration": "A gull cries.", "visual_prompt": "a gull over the sea", "after": str(first.code)},
        format="json",
    )
    assert response.json()["position"] == 1
    assert [s.narration for s in _scenes(video)][1] == "A gull cries."


def test_adding_after_a_scene_of_another_video_is_refused(api, owner, video, make_video):
    other = _scenes(make_video(owner))[0]
    body = assert_error(
        api.post(
            f"/api/v1/videos/{video.code}/scenes", {"narration": "x y z.", "after": str(other.code)}, format="json"
        ),
        400,
    )
    assert "after" in body["details"]


def test_a_scene_is_deleted(api, video):
    scenes = _scenes(video)
    assert api.delete(f"/api/v1/scenes/{scenes[0].code}").status_code == 204
    assert [s.code for s in _scenes(video)] == [s.code for s in scenes[1:]]
    assert [s.position for s in _scenes(video)] == list(range(len(scenes) - 1))


def test_deleting_the_last_scene_is_a_409(api, owner, make_video):
    video = make_video(owner)
    for scene in _scenes(video)[1:]:
        scene.delete()
    body = assert_error(api.delete(f"/api/v1/scenes/{_scenes(video)[0].code}"), 409, "conflict")
    assert "last" in body["message"]


def test_a_scene_moves_down(api, video):
    first, second = _scenes(video)[:2]
    response = api.post(f"/api/v1/scenes/{first.code}/move", {"offset": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["position"] == 1
    assert [s.code for s in _scenes(video)][:2] == [second.code, first.code]


def test_a_move_by_more_than_one_is_refused(api, video):
    body = assert_error(api.post(f"/api/v1/scenes/{_scenes(video)[0].code}/move", {"offset": 3}, format="json"), 400)
    assert "offset" in body["details"]


def test_the_scenes_are_reordered(api, video):
    codes = [s.code for s in _scenes(video)][::-1]
    response = api.put(f"/api/v1/videos/{video.code}/scenes/order", {"scenes": [str(c) for c in codes]}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert [s["code"] for s in body["results"]] == [str(c) for c in codes]
    assert [s.code for s in _scenes(video)] == codes
    # The same paginated shape as GET, and the same bodies.
    listed = api.get(f"/api/v1/videos/{video.code}/scenes").json()
    assert set(body) == set(listed) == {"count", "next", "previous", "results"}
    assert body["results"] == listed["results"] and body["count"] == len(codes)


def test_a_reorder_that_leaves_out_a_scene_is_refused(api, video):
    codes = [str(s.code) for s in _scenes(video)][1:]
    body = assert_error(api.put(f"/api/v1/videos/{video.code}/scenes/order", {"scenes": codes}, format="json"), 400)
    assert "scenes" in body["details"]


def test_refining_a_picture_answers_202_with_the_job_and_the_count(api, video, django_capture_on_commit_callbacks):
    scene = _scenes(video)[0]
    old_picture = scene.picture_id
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/scenes/{scene.code}/refine")
    assert response.status_code == 202
    body = response.json()
    assert body["refinements_used"] == 1
    assert body["refinements_left"] == 4
    assert body["job"]["kind"] == "storyboard"
    assert body["scene"]["refinement_count"] == 1
    assert Scene.objects.get(pk=scene.pk).picture_id not in (None, old_picture)


def test_the_sixth_refinement_is_a_409_with_a_message(api, video):
    Video.objects.filter(pk=video.pk).update(refinements_used=5)
    body = assert_error(api.post(f"/api/v1/scenes/{_scenes(video)[0].code}/refine"), 409, "conflict")
    assert "5" in body["message"] and "refinements" in body["message"]


def test_a_scene_picture_is_replaced_by_an_upload(api, video):
    scene = _scenes(video)[0]
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "red.png"
    response = api.put(f"/api/v1/scenes/{scene.code}/picture", {"file": buffer}, format="multipart")
    assert response.status_code == 200, response.json()
    picture = response.json()["picture"]
    assert picture["source"] == "uploaded"
    assert (picture["width"], picture["height"]) == (64, 48)


def test_an_upload_that_is_not_a_picture_is_refused_and_nothing_is_stored(api, video):
    scene = _scenes(video)[0]
    before = scene.picture_id
    fake = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    fake.name = "x.png"
    body = assert_error(api.put(f"/api/v1/scenes/{scene.code}/picture", {"file": fake}, format="multipart"), 400)
    assert "picture" in body["details"]
    assert Scene.objects.get(pk=scene.pk).picture_id == before


def test_a_scene_picture_is_replaced_by_one_of_my_assets(api, owner, make_video, video):
    donor = _scenes(make_video(owner))[0].picture
    scene = _scenes(video)[0]
    response = api.put(f"/api/v1/scenes/{scene.code}/picture", {"asset": str(donor.code)}, format="json")
    assert response.status_code == 200
    assert response.json()["picture"]["code"] == str(donor.code)


def test_someone_elses_asset_cannot_become_my_scene_picture(api, stranger, make_video, video):
    theirs = _scenes(make_video(stranger))[0].picture
    body = assert_error(
        api.put(f"/api/v1/scenes/{_scenes(video)[0].code}/picture", {"asset": str(theirs.code)}, format="json"), 400
    )
    assert "asset" in body["details"]


def test_approve_marks_the_storyboard_approved(api, owner, video):
    response = api.post(f"/api/v1/videos/{video.code}/approve")
    assert response.status_code == 200
    assert response.json()["approval"] == "approved"
    video.refresh_from_db()
    assert video.approved_by == owner


def test_approve_while_the_storyboard_is_being_made_is_a_409(api, owner):
    from conftest import SHORT_SCRIPT
    from videos.services import video_create

    video = video_create(owner=owner, title="T", script=SHORT_SCRIPT)  # job queued, not run
    body = assert_error(api.post(f"/api/v1/videos/{video.code}/approve"), 409, "conflict")
    assert "still being made" in body["message"]


def test_render_of_an_unapproved_storyboard_is_a_403_with_a_message(api, video):
    body = assert_error(api.post(f"/api/v1/videos/{video.code}/render"), 403, "permission_denied")
    assert "approved" in body["message"]
    assert not video.jobs.filter(kind=VideoJobKind.RENDER).exists()


def test_render_of_an_approved_storyboard_answers_202_with_the_render_job(api, owner, make_approved_video):
    video = make_approved_video(owner)
    response = api.post(f"/api/v1/videos/{video.code}/render")
    assert response.status_code == 202
    body = response.json()
    assert body["kind"] == "render" and body["status"] == "queued"
    assert body["code"] == str(video.jobs.get(kind="render").code)
    # Asking again while it is queued answers the same job.
    assert api.post(f"/api/v1/videos/{video.code}/render").json()["code"] == body["code"]
    assert api.get(f"/api/v1/videos/{video.code}").json()["status"] == "rendering"


def test_cost_shows_estimated_and_actual_cost_in_usd(api, video):
    body = api.get(f"/api/v1/videos/{video.code}/cost").json()
    assert body == {"currency": "USD", "estimated_cost": "0.0000", "actual_cost": "0.0000"}


def test_scene_of_an_unknown_code_is_404(api):
    assert_error(api.get(f"/api/v1/scenes/{uuid.uuid4()}"), 404, "not_found")
