"""GET /api/v1/scenes/<code>/picture-candidates and POST /api/v1/scenes/<code>/artwork:
the creator picks which library artwork shows a scene."""

from __future__ import annotations

import pytest

from core.testing import assert_error, token_client
from videos.models import Scene, Video
from videos.tests.artwork_fakes import art_library  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("cache_table", "piper_cached", "art_library")

SCRIPT = "The old lighthouse stands on the cliff. The waves break far below."
LIGHTHOUSE = "openclipart:buildings/lighthouse_01"


@pytest.fixture
def video(owner, make_video):
    return make_video(owner, script=SCRIPT)


def _first(video) -> Scene:
    return Scene.objects.select_related("picture").filter(video=video).order_by("position").first()


def _pictures_from(video, source: str) -> None:
    for scene in Scene.objects.filter(video=video).select_related("picture"):
        scene.picture.credit = {"source": source}
        scene.picture.save(update_fields=["credit"])


def test_candidates_are_listed_with_what_each_shows_in_the_videos_style(api, video, art_library):  # noqa: F811
    _pictures_from(video, "openclipart")
    scene = _first(video)
    response = api.get(f"/api/v1/scenes/{scene.code}/picture-candidates")
    assert response.status_code == 200
    body = response.json()
    assert body[0] == {
        "id": LIGHTHOUSE,
        "depicts": ["lighthouse", "building"],
        "source": "openclipart",
        "credit": "Lighthouse by Jane Doe, Openclipart (public domain)",
    }
    assert [c["source"] for c in body] == ["openclipart", "openclipart"]
    assert art_library == [(scene.visual_prompt, "openclipart")]


def test_when_the_videos_style_has_none_candidates_come_from_any_library(api, video, art_library):  # noqa: F811
    _pictures_from(video, "fluent")
    body = api.get(f"/api/v1/scenes/{_first(video).code}/picture-candidates").json()
    assert {c["source"] for c in body} == {"openclipart", "twemoji"}
    assert [style for _prompt, style in art_library] == ["fluent", None]


def test_choosing_a_candidate_pins_it_and_makes_the_picture_again(api, video):
    scene = _first(video)
    old_picture = scene.picture_id
    response = api.post(f"/api/v1/scenes/{scene.code}/artwork", {"artwork": LIGHTHOUSE}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["scene"]["artwork"] == LIGHTHOUSE
    assert body["refinements_used"] == 1 and body["refinements_left"] == 4
    scene.refresh_from_db()
    assert scene.artwork == LIGHTHOUSE
    assert scene.picture_id is None and old_picture is not None  # the storyboard job draws it again
    assert body["job"]["kind"] == "storyboard"


@pytest.mark.parametrize(
    ("artwork", "words"),
    [
        ("", "no artwork id"),
        ("   ", "no artwork id"),
        ("x" * 201, "200 characters"),
        ("openclipart:nope", "no artwork"),
    ],
)
def test_a_bad_choice_is_a_400_that_says_why_and_changes_nothing(api, video, artwork, words):
    scene = _first(video)
    body = assert_error(
        api.post(f"/api/v1/scenes/{scene.code}/artwork", {"artwork": artwork}, format="json"), 400, "invalid"
    )
    assert words in body["details"]["artwork"][0]
    scene.refresh_from_db()
    assert (scene.artwork, scene.picture_id) == ("", _first(video).picture_id)
    assert scene.picture_id is not None
    assert Video.objects.get(pk=video.pk).refinements_used == 0


def test_a_missing_artwork_key_is_a_400(api, video):
    response = api.post(f"/api/v1/scenes/{_first(video).code}/artwork", {}, format="json")
    assert "artwork" in assert_error(response, 400, "invalid")["details"]


def test_a_stranger_gets_404_for_both(video, stranger):
    client = token_client(stranger)
    scene = _first(video)
    assert_error(client.get(f"/api/v1/scenes/{scene.code}/picture-candidates"), 404, "not_found")
    response = client.post(f"/api/v1/scenes/{scene.code}/artwork", {"artwork": LIGHTHOUSE}, format="json")
    assert_error(response, 404, "not_found")
    assert _first(video).artwork == ""


def test_with_no_refinement_left_the_choice_is_a_409_and_nothing_is_pinned(api, video):
    Video.objects.filter(pk=video.pk).update(refinements_used=5)
    scene = _first(video)
    response = api.post(f"/api/v1/scenes/{scene.code}/artwork", {"artwork": LIGHTHOUSE}, format="json")
    assert_error(response, 409, "conflict")
    assert _first(video).artwork == ""


def test_editing_the_picture_words_removes_the_pin(api, video):
    scene = _first(video)
    Scene.objects.filter(pk=scene.pk).update(artwork=LIGHTHOUSE)
    response = api.patch(f"/api/v1/scenes/{scene.code}", {"visual_prompt": "a ship in the fog"}, format="json")
    assert response.status_code == 200
    assert response.json()["artwork"] == ""


def test_a_new_picture_without_a_choice_removes_the_pin(api, video):
    scene = _first(video)
    Scene.objects.filter(pk=scene.pk).update(artwork=LIGHTHOUSE)
    assert api.post(f"/api/v1/scenes/{scene.code}/refine").status_code == 202
    assert _first(video).artwork == ""


def test_choosing_the_pinned_artwork_again_spends_no_refinement(api, video):
    scene = _first(video)
    Scene.objects.filter(pk=scene.pk).update(artwork=LIGHTHOUSE)
    response = api.post(f"/api/v1/scenes/{scene.code}/artwork", {"artwork": LIGHTHOUSE}, format="json")
    assert response.status_code == 202
    assert response.json()["refinements_used"] == 0
    assert _first(video).picture_id == scene.picture_id


def test_a_video_of_ai_pictures_offers_no_candidates_and_refuses_a_pin(api, video):
    Video.objects.filter(pk=video.pk).update(visuals=Video.Visuals.REPLICATE)
    scene = _first(video)
    assert api.get(f"/api/v1/scenes/{scene.code}/picture-candidates").json() == []
    body = assert_error(
        api.post(f"/api/v1/scenes/{scene.code}/artwork", {"artwork": LIGHTHOUSE}, format="json"), 400, "invalid"
    )
    assert "illustrated videos" in body["details"]["artwork"][0]
