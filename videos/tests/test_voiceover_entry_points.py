"""The voiceover over the API (PUT /api/v1/videos/{code}/voiceover) and on its page: the
same service (test_voiceover_service.py), answered in each one's way."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assets.models import MediaAsset
from assets.tests.media_files import named, upload
from core.testing import assert_error
from videos.models import Scene, Video

pytestmark = pytest.mark.usefixtures("cache_table")

SCRIPT = "The keeper climbs the stairs at dusk, and lights the lamp. Far below, the waves break on the rocks."


@pytest.fixture
def video(owner) -> Video:
    """A storyboard of two scenes, written directly: the voiceover needs only their words."""
    video = Video.objects.create(owner=owner, title="Lighthouse", script=SCRIPT)
    for position, sentence in enumerate(SCRIPT.split(". ")):
        Scene.objects.create(video=video, position=position, narration=sentence, visual_prompt="lighthouse")
    return video


def test_a_recording_put_over_the_api_narrates_the_storyboard(api, video, tmp_path: Path):
    take = tmp_path / "take.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(take), SCRIPT], check=True)

    response = api.put(f"/api/v1/videos/{video.code}/voiceover", {"file": upload(take)}, format="multipart")

    assert response.status_code == 200, response.json()
    scenes = response.json()["scenes"]
    assert len(scenes) == 2
    assert [s["narration"] for s in scenes] == list(video.scenes.values_list("narration", flat=True))
    assert sorted(video.scenes.values_list("narration_source", flat=True)) == ["upload", "upload"]


def test_the_storyboard_links_to_the_voiceover_page(client, owner, video):
    client.force_login(owner)
    page = client.get(f"/videos/{video.code}/storyboard/").content.decode()
    assert f'href="/videos/{video.code}/voiceover/"' in page


def test_the_page_lists_the_scenes_to_read(client, owner, video):
    client.force_login(owner)

    page = client.get(f"/videos/{video.code}/voiceover/").content.decode()

    assert page.index("The keeper climbs the stairs at dusk, and lights the lamp") < page.index("Far below")
    assert 'name="voiceover"' in page


def test_a_stranger_cannot_put_a_voiceover_on_my_video(client, stranger, video):
    client.force_login(stranger)
    response = client.post(f"/videos/{video.code}/voiceover/", {"voiceover": named(b"RIFF", "x.wav")})
    assert response.status_code == 404


def test_the_page_shows_why_a_file_was_refused_and_stores_nothing(client, owner, video):
    client.force_login(owner)
    before = MediaAsset.objects.count()

    response = client.post(f"/videos/{video.code}/voiceover/", {"voiceover": named(b"my notes\n", "notes.wav")})

    assert response.status_code == 400
    assert "That file is text, not a picture, clip or sound; nothing was stored." in response.content.decode()
    assert MediaAsset.objects.count() == before


def test_the_api_refuses_a_file_that_is_not_sound(api, video):
    body = assert_error(
        api.put(
            f"/api/v1/videos/{video.code}/voiceover", {"file": named(b"<html></html>", "x.mp3")}, format="multipart"
        ),
        400,
        "invalid",
    )
    assert body["details"]["voiceover"] == [
        "That file is a web page (HTML), not a picture, clip or sound; nothing was stored."
    ]
