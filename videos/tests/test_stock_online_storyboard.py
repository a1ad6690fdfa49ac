"""Stock footage visuals end to end: the storyboard job searches the fake Pexels and
Pixabay servers with the real HTTP client, downloads and verifies each scene's clip or
photo, stores it as the owner's asset with its credit; credits.txt and the credits API;
the option offered only with a key; and the storyboard following the words."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from PIL import Image

from assets.models import MediaAsset
from assets.selectors import assets_usable_by, stock_library
from core.testing import create_cache_table, token_client
from mediakit.probe import probe
from videos.forms import VideoForm
from videos.models import Scene, Video
from videos.services import scene_refine_picture, scene_update, video_delete
from videos.storyboard import visual_prompt_for
from videos.tests.stock_fakes import stock_fakes

# The narration is not what these tests are about: piper runs once per phrase set (piper_cached).
pytestmark = pytest.mark.usefixtures("piper_cached")

# Three scenes: a lighthouse (Pexels has 12 s aerial clip 11), waves (clip 15, 15 s) and a
# ferry (no landscape ferry clip anywhere: the landscape ferry photo 8).
SCRIPT = (
    "The old lighthouse keeper climbs the stairs at dusk. "
    "Far below, the grey waves break on the black rocks. "
    "At first light the harbour ferry leaves with its passengers."
)


@pytest.fixture
def fakes(settings):
    with stock_fakes() as fakes:
        for name, value in fakes.settings().items():
            setattr(settings, name, value)
        yield fakes


def _scenes(video: Video) -> list[Scene]:
    return list(video.scenes.select_related("picture", "clip").order_by("position"))


def _online(scene: Scene) -> MediaAsset:
    """The scene's online stock item (its clip, else its picture)."""
    asset = scene.clip if scene.clip is not None else scene.picture
    assert asset.source == MediaAsset.Source.ONLINE_STOCK, (scene.position, asset.source, scene.warning)
    return asset


def test_each_scene_takes_a_verified_clip_or_photo_with_its_credit(owner, stranger, make_video, fakes):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")

    assert video.jobs.get(kind="storyboard").status == "succeeded"
    scenes = _scenes(video)
    assert len(scenes) == 3
    items = [_online(scene) for scene in scenes]
    keys = [(a.credit["provider"], a.credit["id"]) for a in items]
    assert len(set(keys)) == 3  # no item twice in one video
    assert items[0].credit == {
        "provider": "pexels",
        "provider_label": "Pexels",
        "id": "11",
        "kind": "video",
        "author": "Ivo Petrov",
        "author_url": "https://www.pexels.com/@ivo-111",
        "source_url": "https://www.pexels.com/video/lighthouse-coast-aerial-11/",
        "licence": "Pexels License",
        "licence_url": "https://www.pexels.com/license/",
    }
    for scene, asset in zip(scenes, items, strict=True):
        assert asset.owner_id == owner.pk
        assert default_storage.exists(asset.file.name)
        path = default_storage.path(asset.file.name)
        if asset.kind == MediaAsset.Kind.VIDEO:
            info = probe(path)
            assert (info.video.width, info.video.height) == (asset.width, asset.height)
            assert asset.width >= 854 and asset.height >= 480  # covers the 480p frame
            assert scene.clip_audio == Scene.ClipAudio.DROP
            # A clip still has a picture: the poster and thumbnail, generated offline.
            assert scene.picture.source == MediaAsset.Source.GENERATED
        else:
            with Image.open(path) as picture:
                assert picture.size == (asset.width, asset.height)
                assert picture.width >= 854 and picture.height >= 480
            assert scene.clip is None
        assert "Stock:" not in scene.warning
    # Online items are the owner's, never in the staff's library or anyone else's media.
    codes = {a.code for a in items}
    assert not stock_library().filter(code__in=codes).exists()
    assert not assets_usable_by(stranger).filter(code__in=codes).exists()
    # Clips were searched landscape at the frame's size, the key sent.
    search = fakes.pexels.searches()[0]
    assert search["path"] == "/v1/videos/search"
    assert search["query"]["orientation"] == "landscape"
    assert search["headers"]["Authorization"] == fakes.pexels.api_key


def test_the_picks_are_the_expected_items(owner, make_video, fakes):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")

    picked = [(a.credit["provider"], a.kind, a.credit["id"]) for a in map(_online, _scenes(video))]
    # The 12 s aerial lighthouse clip; a waves clip (14: 1280x720 covers 480p); no
    # landscape ferry clip, so the first landscape ferry photo (4: 1200x800).
    assert picked == [("pexels", "video", "11"), ("pexels", "video", "14"), ("pexels", "image", "4")]


def test_a_portrait_video_gets_portrait_items(owner, make_video, fakes):
    video = make_video(owner, script=SCRIPT, visuals="stock_online", aspect="9:16")

    for scene in _scenes(video):
        if scene.clip is None and scene.picture.source != MediaAsset.Source.ONLINE_STOCK:
            assert scene.warning.startswith("Stock: No stock clip or picture"), scene.warning
            continue
        asset = _online(scene)
        assert asset.height > asset.width and asset.width >= 480


def test_credits_text_lists_each_item_by_provider_and_each_licence_once(owner, client, make_video, fakes):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    client.force_login(owner)

    response = client.get(f"/videos/{video.code}/credits.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="lighthouse-credits.txt"'
    text = response.content.decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "Credits for “Lighthouse”"
    assert "Pexels" in lines
    # A clip's still (an offline illustration, CC BY) is credited too: it is the poster.
    item_lines = [line.strip() for line in lines if line.startswith("  Scene ") and "Pexels" in line]
    assert len(item_lines) == 3
    assert item_lines[0] == (
        "Scene 1 clip: by Ivo Petrov <https://www.pexels.com/@ivo-111> on Pexels "
        "https://www.pexels.com/video/lighthouse-coast-aerial-11/ (Pexels License)"
    )
    assert item_lines[2].startswith("Scene 3 picture: by Dora Novak <https://www.pexels.com/@dora-104> on Pexels")
    assert "  Pexels License: https://www.pexels.com/license/" in lines[lines.index("Licences") + 1 :]
    assert text.count("https://www.pexels.com/license/") == 1


def test_credits_group_by_provider_when_both_answer(owner, client, make_video, fakes):
    # Pexels finds nothing: every scene comes from Pixabay, credited under its licence.
    fakes.pexels.empty = True
    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    client.force_login(owner)

    text = client.get(f"/videos/{video.code}/credits.txt").content.decode()

    providers = {a.credit["provider"] for s in _scenes(video) if (a := s.clip or s.picture).credit}
    assert providers == {"pixabay"}
    assert "\nPixabay\n" in text
    assert "Pixabay Content License" in text.split("Licences")[1]


def test_the_storyboard_and_video_pages_show_each_credit(owner, client, make_video, fakes):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    client.force_login(owner)

    page = client.get(f"/videos/{video.code}/storyboard/").content.decode()
    # Three stock items and the illustrated stills of the two clips (CC BY: credited too).
    assert page.count('data-testid="scene-credit"') == 5
    assert "Ivo Petrov" in page and "Pexels License" in page
    assert 'href="https://www.pexels.com/video/lighthouse-coast-aerial-11/"' in page
    assert "scene__media--landscape" in page

    detail = client.get(f"/videos/{video.code}/").content.decode()
    assert detail.count('data-testid="video-credit"') == 5
    assert f'href="/videos/{video.code}/credits.txt"' in detail


def test_a_stranger_gets_404_for_the_credits(owner, stranger, client, make_video, fakes):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    client.force_login(stranger)
    assert client.get(f"/videos/{video.code}/credits.txt").status_code == 404
    create_cache_table()
    api = token_client(stranger)
    response = api.get(f"/api/v1/videos/{video.code}/credits")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_credits_api_answers_json_and_text(owner, make_video, fakes):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    create_cache_table()
    api = token_client(owner)

    body = api.get(f"/api/v1/videos/{video.code}/credits").json()
    assert [(i["scene"], i["role"], i["provider"]) for i in body["items"]][0] == (1, "clip", "pexels")
    assert body["items"][0]["author"] == "Ivo Petrov"
    assert body["items"][0]["line"].startswith("Scene 1 clip: by Ivo Petrov")
    assert {"name": "Pexels License", "url": "https://www.pexels.com/license/"} in body["licences"]
    assert body["text"].startswith("Credits for “Lighthouse”\n")

    text = api.get(f"/api/v1/videos/{video.code}/credits", HTTP_ACCEPT="text/plain")
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode() == body["text"]
    # The scene's picture and clip carry their credit in the API too.
    scenes = api.get(f"/api/v1/videos/{video.code}/scenes").json()["results"]
    assert scenes[0]["clip"]["credit"]["author"] == "Ivo Petrov"


def test_a_video_without_credited_items_says_so(owner, client, make_video):
    video = make_video(owner)
    client.force_login(owner)
    text = client.get(f"/videos/{video.code}/credits.txt").content.decode()
    # Offline pictures come from the artwork library: each credited under its own licence.
    assert "Illustrations (offline artwork library)" in text and "Pexels" not in text
    assert any(licence in text for licence in ("CC BY 4.0", "MIT", "Public domain"))
    assert 'data-testid="video-credit"' in client.get(f"/videos/{video.code}/").content.decode()


# --- no key, no option ------------------------------------------------------------------------------


def test_the_option_is_offered_only_with_a_key(owner, settings):
    settings.PEXELS_API_KEY = ""
    settings.PIXABAY_API_KEY = ""
    assert "stock_online" not in dict(VideoForm(owner=owner).fields["visuals"].choices)
    settings.PIXABAY_API_KEY = "k"
    choices = dict(VideoForm(owner=owner).fields["visuals"].choices)
    assert choices["stock_online"] == "Stock footage (Pexels/Pixabay)"


def test_without_a_key_the_api_and_the_command_refuse_it(owner, settings, tmp_path, cache_table):
    settings.PEXELS_API_KEY = ""
    settings.PIXABAY_API_KEY = ""
    api = token_client(owner)

    response = api.post("/api/v1/videos", {"title": "T", "script": SCRIPT, "visuals": "stock_online"}, format="json")

    assert response.status_code == 400
    assert "Pexels or Pixabay is not available on this site" in str(response.json()["details"]["visuals"])
    assert not Video.objects.exists()
    script = tmp_path / "s.txt"
    script.write_text(SCRIPT)
    with pytest.raises(CommandError, match="invalid choice: 'stock_online'"):
        call_command("make_video", str(script), "--out", str(tmp_path / "o.mp4"), "--visuals", "stock_online")


def test_with_a_key_the_api_takes_it(owner, fakes, cache_table, django_capture_on_commit_callbacks):
    api = token_client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/videos",
            {"title": "T", "script": SCRIPT, "visuals": "stock_online", "quality": "480p"},
            format="json",
        )
    assert response.status_code == 202, response.json()
    video = Video.objects.get()
    assert video.visuals == "stock_online"
    assert MediaAsset.objects.filter(source="online", owner=owner).count() == 3


# --- when nothing fits, or a provider fails ---------------------------------------------------------


def test_nothing_found_gives_the_offline_picture_and_a_clear_warning(owner, make_video, fakes):
    fakes.pexels.empty = True
    fakes.pixabay.empty = True

    video = make_video(owner, script=SCRIPT, visuals="stock_online")

    assert video.jobs.get(kind="storyboard").status == "succeeded"
    for scene in _scenes(video):
        assert scene.clip is None
        assert scene.picture.source == MediaAsset.Source.GENERATED
        assert scene.warning.startswith("Stock: No stock clip or picture on Pexels or Pixabay fits “"), scene.warning
        assert scene.warning.endswith("The searches found nothing. An offline picture is shown instead.")
    assert not MediaAsset.objects.filter(source="online").exists()


def test_a_provider_error_is_a_scene_warning_never_a_failed_storyboard(owner, make_video, fakes, settings):
    settings.PIXABAY_API_KEY = ""  # Pexels only, and it keeps failing
    fakes.pexels.fail_next(*[(503, {})] * 500)

    video = make_video(owner, script=SCRIPT, visuals="stock_online")

    assert video.jobs.get(kind="storyboard").status == "succeeded"
    for scene in _scenes(video):
        assert scene.picture.source == MediaAsset.Source.GENERATED
        assert "Pexels did not answer properly (HTTP 503) after 2 attempts." in scene.warning


def test_a_download_that_is_not_media_falls_back_to_the_next_item(owner, make_video, fakes):
    fakes.pexels.html_for = {11}  # the first lighthouse clip's file is an HTML page

    video = make_video(owner, script=SCRIPT, visuals="stock_online")

    first = _online(_scenes(video)[0])
    assert (first.credit["provider"], first.credit["id"]) != ("pexels", "11")
    assert fakes.pexels.calls("/video-files/11/")  # it was tried
    assert "Stock:" not in _scenes(video)[0].warning


def test_a_full_storage_quota_keeps_nothing_and_says_so(owner, make_video, fakes):
    from quotas.models import Quota

    Quota.objects.update_or_create(user=owner, defaults={"storage_bytes": 1})

    video = make_video(owner, script=SCRIPT, visuals="stock_online")

    assert video.jobs.get(kind="storyboard").status == "succeeded"
    for scene in _scenes(video):
        assert (scene.clip, scene.picture.source) == (None, MediaAsset.Source.GENERATED)
        assert "storage" in scene.warning and "was not kept" in scene.warning, scene.warning
    assert not MediaAsset.objects.filter(source="online").exists()


def test_a_canceled_job_downloads_nothing(owner, fakes, settings, tmp_path):
    from jobs.services import JobCanceled
    from videos.services.pictures import storyboard_make_pictures

    video = Video.objects.create(owner=owner, title="T", script=SCRIPT, visuals="stock_online", quality="480p")
    scene = Scene.objects.create(video=video, position=0, narration="The lighthouse.", visual_prompt="lighthouse")

    class Canceled:
        def check_cancel(self):
            raise JobCanceled()

        def should_cancel(self):
            return True

        def update(self, *args):
            pass

    with pytest.raises(JobCanceled):
        storyboard_make_pictures(
            job=None, video=video, scenes=[scene], reporter=Canceled(), tmp=tmp_path, width=854, height=480
        )
    assert fakes.pexels.requests == [] and fakes.pixabay.requests == []
    assert not MediaAsset.objects.exists()


# --- idempotent, no reuse, following edits ------------------------------------------------------------


def test_a_new_picture_takes_another_item_and_the_rest_stays(
    owner, make_video, fakes, django_capture_on_commit_callbacks
):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    before = {s.pk: (s.picture_id, s.clip_id) for s in _scenes(video)}
    third = _scenes(video)[2]
    old = _online(third)
    media_before = len(fakes.media_calls())

    with django_capture_on_commit_callbacks(execute=True):
        scene_refine_picture(scene=third)

    scenes = _scenes(video)
    for scene in scenes[:2]:
        assert (scene.picture_id, scene.clip_id) == before[scene.pk]  # untouched
    new = _online(scenes[2])
    assert (new.credit["provider"], new.credit["id"]) != (old.credit["provider"], old.credit["id"])
    keys = {(a.credit["provider"], a.credit["id"]) for a in map(_online, scenes)}
    assert len(keys) == 3
    assert not MediaAsset.objects.filter(pk=old.pk).exists()  # the turned-down item is gone
    assert scenes[2].stock_rejected == [[old.credit["provider"], old.credit["id"]]]
    assert len(fakes.media_calls()) == media_before + 1  # one download: only what was missing


def test_a_second_run_fills_only_what_is_missing(owner, make_video, fakes, django_capture_on_commit_callbacks):
    from videos.services import storyboard_refresh

    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    searches, media = len(fakes.pexels.requests), len(fakes.media_calls())
    assets = set(MediaAsset.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        assert storyboard_refresh(video=video) is None  # nothing missing: no job

    assert (len(fakes.pexels.requests), len(fakes.media_calls())) == (searches, media)
    assert set(MediaAsset.objects.values_list("pk", flat=True)) == assets


def test_editing_the_narration_replaces_the_online_item(owner, make_video, fakes, django_capture_on_commit_callbacks):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    first = _scenes(video)[0]
    old = _online(first)

    with django_capture_on_commit_callbacks(execute=True):
        scene_update(scene=first, narration="Waves crash on the rocks below the tower.")

    first = _scenes(video)[0]
    assert first.visual_prompt == visual_prompt_for("Waves crash on the rocks below the tower.")
    new = _online(first)
    assert new.pk != old.pk
    assert not MediaAsset.objects.filter(pk=old.pk).exists()
    # Scene 2 has waves clip already: scene 1 takes another.
    second = _online(_scenes(video)[1])
    assert (new.credit["provider"], new.credit["id"]) != (second.credit["provider"], second.credit["id"])


def test_deleting_the_video_deletes_its_online_items(owner, make_video, fakes):
    video = make_video(owner, script=SCRIPT, visuals="stock_online")
    names = [a.file.name for a in MediaAsset.objects.filter(source="online")]
    assert len(names) == 3

    video_delete(video=video)

    assert not MediaAsset.objects.filter(source="online").exists()
    assert not any(default_storage.exists(name) for name in names)


# --- the storyboard follows the words (any visuals) -------------------------------------------------


def test_editing_the_narration_regenerates_the_prompt_and_the_picture(
    owner, make_video, django_capture_on_commit_callbacks
):
    video = make_video(owner)
    scene = video.scenes.order_by("position").first()
    old_picture = scene.picture
    new_words = "A red ferry crosses the harbour under a stormy sky."

    with django_capture_on_commit_callbacks(execute=True):
        scene_update(scene=scene, narration=new_words, visual_prompt=scene.visual_prompt)

    scene.refresh_from_db()
    assert scene.visual_prompt == visual_prompt_for(new_words)
    assert "ferry" in scene.visual_prompt and "lighthouse" not in scene.visual_prompt
    assert scene.prompt_edited is False
    assert scene.picture_id is not None and scene.picture_id != old_picture.pk
    assert not MediaAsset.objects.filter(pk=old_picture.pk).exists()


def test_a_prompt_the_creator_wrote_survives_narration_edits_until_emptied(
    owner, make_video, django_capture_on_commit_callbacks
):
    video = make_video(owner)
    scene = video.scenes.order_by("position").first()

    with django_capture_on_commit_callbacks(execute=True):
        scene_update(scene=scene, visual_prompt="a storm over the cape at night")
    scene.refresh_from_db()
    assert (scene.visual_prompt, scene.prompt_edited) == ("a storm over the cape at night", True)
    picture = scene.picture_id

    with django_capture_on_commit_callbacks(execute=True):
        scene_update(scene=scene, narration="The ferry leaves at dawn.", visual_prompt=scene.visual_prompt)
    scene.refresh_from_db()
    assert scene.visual_prompt == "a storm over the cape at night"
    assert scene.picture_id == picture  # same prompt, same picture

    with django_capture_on_commit_callbacks(execute=True):
        scene_update(scene=scene, visual_prompt="")
    scene.refresh_from_db()
    assert (scene.visual_prompt, scene.prompt_edited) == (visual_prompt_for("The ferry leaves at dawn."), False)
    assert scene.picture_id not in (None, picture)


def test_a_picture_the_creator_uploaded_stays_when_the_narration_changes(
    owner, make_video, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assets.tests.media_files import picture_bytes
    from videos.services import scene_upload_picture

    video = make_video(owner)
    scene = video.scenes.order_by("position").first()
    scene = scene_upload_picture(
        scene=scene, upload=SimpleUploadedFile("mine.jpg", picture_bytes("JPEG"), "image/jpeg")
    )
    mine = scene.picture_id

    with django_capture_on_commit_callbacks(execute=True):
        scene_update(scene=scene, narration="A red ferry crosses the harbour.")

    scene.refresh_from_db()
    assert scene.visual_prompt == visual_prompt_for("A red ferry crosses the harbour.")
    assert scene.picture_id == mine


def test_stock_library_visuals_with_an_empty_library_warn(owner, make_video):
    video = make_video(owner, visuals="stock")

    for scene in video.scenes.all():
        assert scene.picture is not None
        assert scene.warning == (
            "Stock: The stock library is empty, so an offline picture is shown; staff can add stock items."
        )


def test_portrait_scenes_are_previewed_in_a_portrait_box(owner, client, make_video):
    video = make_video(owner, aspect="9:16")
    client.force_login(owner)
    page = client.get(f"/videos/{video.code}/storyboard/").content.decode()
    assert page.count("scene__media scene__media--portrait") == video.scenes.count()
    assert "scene__media--landscape" not in page


@pytest.mark.slow
def test_a_stock_footage_video_renders(owner, make_rendered_video, fakes):
    video = make_rendered_video(owner, script=SCRIPT, visuals="stock_online")

    assert video.status == "ready", video.jobs.values_list("kind", "status", "error")
    info = probe(default_storage.path(video.master.name))
    assert (info.video.width, info.video.height) == (854, 480)
    scenes = _scenes(video)
    assert sum(1 for s in scenes if s.clip is not None) == 2
    # The clips are 1 s files in scenes of ~4 s: looped, so the render is as long as planned.
    assert abs(info.duration_ms - video.duration_ms) < 200


def test_a_generated_picture_with_a_credit_is_credited_once_per_licence(owner, make_video):
    from dataclasses import dataclass

    from videos.credits import credit_from_generated, credits_text

    @dataclass
    class Drawn:  # what an illustrated GeneratedPicture carries beside its file
        credit: str
        licence: str
        source_url: str

    line = (
        "Pictograms (ferry, anchor): Twemoji graphics by Twitter, Inc and other contributors, licensed under CC BY 4.0"
    )
    credit = credit_from_generated(
        Drawn(line, "CC BY 4.0", "https://github.com/jdecked/twemoji"), generator="illustrated"
    )
    assert credit == {
        "provider": "illustrated",
        "provider_label": "Illustrations (offline artwork library)",
        "text": line,
        "licence": "CC BY 4.0",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "source_url": "https://github.com/jdecked/twemoji",
    }
    assert credit_from_generated(Drawn("", "", ""), generator="offline") == {}
    assert credit_from_generated(object(), generator="offline") == {}  # a provider without credits

    video = make_video(owner, script=SCRIPT)
    for scene in video.scenes.all():
        MediaAsset.objects.filter(pk=scene.picture_id).update(credit=credit)
    text = credits_text(video)
    assert text.splitlines()[2:] == [
        "Illustrations (offline artwork library)",
        *[f"  Scene {n} picture: {line} https://github.com/jdecked/twemoji" for n in (1, 2, 3)],
        "",
        "Licences",
        "  CC BY 4.0: https://creativecommons.org/licenses/by/4.0/",
    ]
