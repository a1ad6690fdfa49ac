"""GET /api/v1/videos/<code>/storyboard: each scene's words, its place in the rendered
video and what its picture shows."""

from __future__ import annotations

import pytest
from django.test import Client

from core.testing import assert_error, token_client
from mediakit.probe import probe
from mediakit.spec import TRANSITION_MS
from videos.models import Scene

pytestmark = pytest.mark.usefixtures("cache_table", "piper_cached")

SCRIPT = (
    "The lighthouse keeper climbs the stairs at dusk. Far below, the waves break on the rocks. "
    "A ship passes in the fog, its horn low and long."
)


def _scenes(video) -> list[Scene]:
    return list(Scene.objects.filter(video=video).select_related("picture").order_by("position"))


def test_it_lists_every_scene_with_its_words_and_picture(api, owner, make_video):
    video = make_video(owner, script=SCRIPT)
    body = api.get(f"/api/v1/videos/{video.code}/storyboard").json()
    scenes = _scenes(video)
    assert body["video"] == str(video.code)
    assert (body["title"], body["aspect"]) == ("Lighthouse", "16:9")
    assert [s["code"] for s in body["scenes"]] == [str(s.code) for s in scenes]
    first = body["scenes"][0]
    assert first["narration"] == scenes[0].narration
    assert first["visual_prompt"] == scenes[0].visual_prompt
    assert first["artwork"] == ""
    assert set(first["picture"]) == {"source", "depicts", "credit"}
    assert isinstance(first["picture"]["depicts"], list)
    assert first["clip"] is None


def test_scenes_overlap_by_the_crossfade_and_end_where_the_video_ends(api, owner, make_rendered_video):
    video = make_rendered_video(owner, script=SCRIPT, fps=25)
    body = api.get(f"/api/v1/videos/{video.code}/storyboard").json()
    scenes = body["scenes"]
    assert len(scenes) >= 2
    assert scenes[0]["start_ms"] == 0
    for before, after in zip(scenes, scenes[1:], strict=False):
        # The next scene starts when the crossfade into it starts (on the 25 fps grid: 40 ms).
        assert abs((before["end_ms"] - after["start_ms"]) - TRANSITION_MS) <= 40
    for scene in scenes:
        assert abs((scene["end_ms"] - scene["start_ms"]) - scene["duration_ms"]) <= 40
    rendered_ms = probe_duration(video)
    assert abs(scenes[-1]["end_ms"] - rendered_ms) <= 50
    assert body["duration_ms"] == scenes[-1]["end_ms"]


def probe_duration(video) -> int:
    from django.core.files.storage import default_storage

    return probe(default_storage.path(video.master.name)).duration_ms


def test_a_cut_puts_each_scene_right_after_the_one_before(api, owner, make_video):
    video = make_video(owner, script=SCRIPT, transition="cut")
    scenes = api.get(f"/api/v1/videos/{video.code}/storyboard").json()["scenes"]
    assert [s["start_ms"] for s in scenes[1:]] == [s["end_ms"] for s in scenes[:-1]]


def test_times_are_null_while_a_scene_has_no_length_yet(api, owner, make_video):
    video = make_video(owner, script=SCRIPT)
    Scene.objects.filter(video=video, position=1).update(duration_ms=0)
    body = api.get(f"/api/v1/videos/{video.code}/storyboard").json()
    assert {(s["start_ms"], s["end_ms"]) for s in body["scenes"]} == {(None, None)}
    assert body["duration_ms"] is None


def test_the_picture_says_what_its_artwork_shows_and_where_it_comes_from(api, owner, make_video):
    video = make_video(owner, script=SCRIPT)
    picture = _scenes(video)[0].picture
    picture.credit = {
        "provider": "illustrated",
        "text": "Lighthouse by Jane Doe (openclipart.org)",
        "licence": "CC0 1.0",
        "depicts": ["lighthouse", "building"],
    }
    picture.save(update_fields=["credit"])
    shown = api.get(f"/api/v1/videos/{video.code}/storyboard").json()["scenes"][0]["picture"]
    assert shown == {
        "source": "openclipart",
        "depicts": ["lighthouse", "building"],
        "credit": "Lighthouse by Jane Doe (openclipart.org) (CC0 1.0)",
    }


def test_a_stranger_gets_a_404(owner, stranger, make_video):
    video = make_video(owner, script=SCRIPT)
    assert_error(token_client(stranger).get(f"/api/v1/videos/{video.code}/storyboard"), 404, "not_found")


def test_the_storyboard_is_in_the_openapi_schema():
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/videos/{code}/storyboard"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Storyboard")
    scene = schema["components"]["schemas"]["StoryboardScene"]["properties"]
    assert {"start_ms", "end_ms", "picture", "narration"} <= set(scene)
    assert set(schema["components"]["schemas"]["StoryboardPicture"]["properties"]) == {"source", "depicts", "credit"}
