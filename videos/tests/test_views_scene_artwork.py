"""The storyboard page shows what each picture shows and lets the creator steer it: the
picture words re-pick it, the best library matches can be chosen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from videos.models import Scene, Video
from videos.tests.artwork_fakes import art_library  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("piper_cached", "art_library")

SCRIPT = "The old lighthouse stands on the cliff. The waves break far below."
LIGHTHOUSE = "openclipart:buildings/lighthouse_01"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def video(owner, make_video):
    return make_video(owner, script=SCRIPT)


def _first(video) -> Scene:
    return Scene.objects.select_related("picture").filter(video=video).order_by("position").first()


def _url(name: str, scene: Scene) -> str:
    return reverse(name, kwargs={"code": scene.code})


def test_each_scene_says_what_its_picture_shows_and_offers_its_words_to_change(client, owner, video):
    scene = _first(video)
    scene.picture.credit = {"source": "openclipart", "depicts": ["lighthouse", "building"]}
    scene.picture.save(update_fields=["credit"])
    client.force_login(owner)
    html = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()
    assert '<span>Picture:</span> lighthouse, building <span class="muted">· openclipart</span>' in html
    assert f'id="words-{scene.code}" name="visual_prompt" value="{scene.visual_prompt}"' in html
    assert _url("videos-scene-candidates", scene) in html


def test_changing_the_picture_words_re_picks_through_the_scene_edit(
    client, owner, video, django_capture_on_commit_callbacks
):
    scene = _first(video)
    old_picture = scene.picture_id
    Scene.objects.filter(pk=scene.pk).update(artwork=LIGHTHOUSE)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("videos-scene-update", scene), {"visual_prompt": "a ship in the fog"}, headers=HTMX)
    assert response.status_code == 200
    scene.refresh_from_db()
    assert (scene.visual_prompt, scene.prompt_edited, scene.artwork) == ("a ship in the fog", True, "")
    # The storyboard job made a new picture for the new words.
    assert scene.picture_id is not None and scene.picture_id != old_picture


def test_the_candidates_load_as_a_choice_of_what_each_shows(client, owner, video):
    scene = _first(video)
    scene.picture.credit = {"source": "openclipart"}  # the video's style: its candidates come first
    scene.picture.save(update_fields=["credit"])
    client.force_login(owner)
    html = client.get(_url("videos-scene-candidates", scene), headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div class="scene__candidates"')
    assert f'value="{LIGHTHOUSE}"' in html and "lighthouse, building" in html
    assert _url("videos-scene-artwork", scene) in html


def test_without_javascript_the_candidates_are_a_page(client, owner, video):
    client.force_login(owner)
    response = client.get(_url("videos-scene-candidates", _first(video)))
    assert response.status_code == 200
    assert "<h1>Choose the picture of scene 1</h1>" in response.content.decode()


def test_choosing_a_candidate_pins_it_and_spends_a_refinement(client, owner, video):
    scene = _first(video)
    client.force_login(owner)
    response = client.post(_url("videos-scene-artwork", scene), {"artwork": LIGHTHOUSE})
    assert response.status_code == 302
    scene.refresh_from_db()
    assert scene.artwork == LIGHTHOUSE and scene.picture_id is None
    assert Video.objects.get(pk=video.pk).refinements_used == 1


def test_an_unknown_choice_is_shown_as_an_error_and_changes_nothing(client, owner, video):
    scene = _first(video)
    client.force_login(owner)
    response = client.post(_url("videos-scene-artwork", scene), {"artwork": "openclipart:nope"}, headers=HTMX)
    assert response.status_code == 400
    assert "There is no artwork “openclipart:nope” in the library." in response.content.decode()
    assert _first(video).artwork == "" and _first(video).picture_id == scene.picture_id


def test_a_stranger_gets_404_for_the_candidates_and_the_choice(client, stranger, video):
    scene = _first(video)
    client.force_login(stranger)
    assert client.get(_url("videos-scene-candidates", scene)).status_code == 404
    assert client.post(_url("videos-scene-artwork", scene), {"artwork": LIGHTHOUSE}).status_code == 404
    assert _first(video).artwork == ""


def test_a_video_of_ai_pictures_offers_no_choice_of_artwork(client, owner, video):
    Video.objects.filter(pk=video.pk).update(visuals=Video.Visuals.REPLICATE)
    client.force_login(owner)
    html = client.get(reverse("videos-storyboard", kwargs={"code": video.code})).content.decode()
    assert 'data-testid="scene-pick"' not in html
    assert 'data-testid="scene-words"' in html
