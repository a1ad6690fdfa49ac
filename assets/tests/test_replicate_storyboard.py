"""The Replicate path of the storyboard, end to end against the local fake Replicate:
pictures made in parallel (bounded), copied into storage and validated, cost estimated
and recorded; and every failure mode: 429 and 5xx retried, failed and aborted
predictions retried then replaced by a card with a warning, a prediction past our
deadline canceled, an output that is not a picture refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.models import MediaAsset, ReplicatePrediction
from assets.tests.fake_replicate import ABORT, FAIL, GARBAGE, HANG
from videos.models import Scene, Video

# Three scenes (one sentence each, ~5 s of narration).
SCRIPT = (
    "The old lighthouse keeper climbs the long spiral stairs slowly every single evening at dusk. "
    "Far below the tower, heavy grey waves break against the sharp black rocks of the harbour. "
    "Inside the small kitchen, a kettle whistles while the cat sleeps beside the warm iron stove."
)
ONE_SCENE = "The lighthouse keeper climbs the stairs at dusk."
FLUX = "black-forest-labs/flux-schnell"

pytestmark = pytest.mark.django_db(transaction=True)


def _scenes(video: Video) -> list[Scene]:
    return list(video.scenes.select_related("picture").order_by("position"))


def test_pictures_come_from_replicate_at_the_videos_aspect_ratio(owner, make_video, fake_replicate):
    video = make_video(owner, script=SCRIPT, visuals="replicate", aspect="9:16")

    scenes = _scenes(video)
    assert len(scenes) == 3
    for scene in scenes:
        picture = scene.picture
        assert (picture.source, picture.generator, picture.mime) == ("generated", f"replicate:{FLUX}", "image/webp")
        assert (picture.width, picture.height) == (36, 64)  # what the fake drew for 9:16
        with picture.file.open("rb") as fh:
            head = fh.read(12)
        assert head[:4] == b"RIFF" and head[8:12] == b"WEBP"  # copied into our storage
        assert scene.warning == ""
    creations = fake_replicate.creations()
    assert {c["path"] for c in creations} == {f"/v1/models/{FLUX}/predictions"}
    assert sorted(c["json"]["input"]["prompt"] for c in creations) == sorted(s.visual_prompt for s in scenes)
    assert {c["json"]["input"]["aspect_ratio"] for c in creations} == {"9:16"}
    assert {c["headers"]["Authorization"] for c in creations} == {"Bearer r8_test_token"}
    assert all("webhook" not in c["json"] for c in creations)  # no public URL: polling


def test_the_cost_is_estimated_before_and_recorded_after_per_job_and_video(owner, make_video, fake_replicate, client):
    video = make_video(owner, script=SCRIPT, visuals="replicate")

    job = video.jobs.get(kind="storyboard")
    assert job.estimated_cost == Decimal("0.0090")  # 3 pictures at $0.003, estimated at creation
    assert job.actual_cost == Decimal("0.0090")
    assert list(ReplicatePrediction.objects.values_list("status", "cost_usd")) == [("stored", Decimal("0.0030"))] * 3
    client.force_login(owner)
    from core.testing import create_cache_table, token_client

    create_cache_table()
    cost = token_client(owner).get(f"/api/v1/videos/{video.code}/cost").json()
    assert (cost["estimated_cost"], cost["actual_cost"]) == ("0.0000", "0.0090")
    page = client.get(f"/videos/{video.code}/storyboard/").content.decode()
    assert "$0.0090" in page


def test_pictures_are_made_in_parallel_but_bounded(owner, make_video, fake_replicate, settings):
    settings.REPLICATE_PARALLELISM = 2
    fake_replicate.polls_before_done = 4  # each prediction stays open for a few polls

    video = make_video(owner, script=SCRIPT + " " + SCRIPT, visuals="replicate")

    assert len(_scenes(video)) == 6
    assert fake_replicate.max_in_flight == 2


def test_a_rate_limited_creation_is_retried_after_retry_after(owner, make_video, fake_replicate):
    fake_replicate.create_errors = [(429, {"retry-after": "0"}), (429, {"retry-after": "0"})]

    video = make_video(owner, script=ONE_SCENE, visuals="replicate")

    assert len(fake_replicate.creations()) == 3
    (scene,) = _scenes(video)
    assert scene.picture.generator == f"replicate:{FLUX}" and scene.warning == ""


def test_server_errors_on_creation_are_retried_with_backoff(owner, make_video, fake_replicate):
    fake_replicate.create_errors = [(503, {}), (500, {}), (502, {})]

    video = make_video(owner, script=ONE_SCENE, visuals="replicate")

    assert len(fake_replicate.creations()) == 4
    assert _scenes(video)[0].picture.generator == f"replicate:{FLUX}"


def test_a_picture_that_fails_three_times_becomes_a_card_with_a_warning(owner, make_video, fake_replicate):
    fake_replicate.outcomes = [FAIL, FAIL, FAIL]

    video = make_video(owner, script=ONE_SCENE, visuals="replicate")

    (scene,) = _scenes(video)
    assert scene.picture.generator == "illustrated"
    assert scene.warning == (
        "Picture: Replicate could not make the picture (3 tries; last: the prediction failed: NSFW content "
        "detected). An offline illustration is shown instead; “New picture” tries again."
    )
    assert len(fake_replicate.creations()) == 3
    video.refresh_from_db()
    job = video.jobs.get()
    assert (video.status, job.status, job.actual_cost) == ("storyboard", "succeeded", Decimal("0"))


def test_a_failure_then_a_success_uses_the_success(owner, make_video, fake_replicate):
    fake_replicate.outcomes = [FAIL, FAIL]
    video = make_video(owner, script=ONE_SCENE, visuals="replicate")
    (scene,) = _scenes(video)
    assert (scene.picture.generator, scene.warning) == (f"replicate:{FLUX}", "")
    assert video.jobs.get().actual_cost == Decimal("0.0030")  # only the success is paid for


def test_an_aborted_prediction_is_given_up_although_the_client_cannot_read_it(owner, make_video, fake_replicate):
    fake_replicate.outcomes = [ABORT, ABORT, ABORT]

    video = make_video(owner, script=ONE_SCENE, visuals="replicate")

    (scene,) = _scenes(video)
    assert scene.picture.generator == "illustrated"
    assert "the prediction aborted" in scene.warning
    assert set(ReplicatePrediction.objects.values_list("status", flat=True)) == {"aborted"}


def test_a_prediction_past_our_deadline_is_canceled_and_the_scene_gets_a_card(
    owner, make_video, fake_replicate, settings
):
    settings.REPLICATE_PREDICTION_TIMEOUT_SECONDS = 1
    settings.REPLICATE_ATTEMPTS = 1
    fake_replicate.outcomes = [HANG]

    video = make_video(owner, script=ONE_SCENE, visuals="replicate")

    (scene,) = _scenes(video)
    assert scene.picture.generator == "illustrated"
    assert "it did not finish within 1 s and was canceled" in scene.warning
    (prediction,) = ReplicatePrediction.objects.all()
    assert prediction.status == "timed_out"
    assert [c["path"] for c in fake_replicate.calls("POST", "/v1/predictions/")] == [
        f"/v1/predictions/{prediction.prediction_id}/cancel"
    ]


def test_an_output_that_is_not_a_picture_is_refused_and_tried_again(owner, make_video, fake_replicate):
    fake_replicate.outcomes = [GARBAGE]

    video = make_video(owner, script=ONE_SCENE, visuals="replicate")

    (scene,) = _scenes(video)
    assert scene.picture.generator == f"replicate:{FLUX}"
    statuses = list(ReplicatePrediction.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["refused", "stored"]
    assert not MediaAsset.objects.filter(mime="text/html").exists()


def test_without_a_token_replicate_visuals_are_refused_and_nothing_is_asked(
    owner, make_video, fake_replicate, settings
):
    from django.core.exceptions import ValidationError

    settings.REPLICATE_API_TOKEN = ""
    with pytest.raises(ValidationError) as caught:
        make_video(owner, script=ONE_SCENE, visuals="replicate")
    assert "AI pictures are not available on this site" in caught.value.message_dict["visuals"][0]
    assert fake_replicate.requests == []


def test_generated_visuals_never_call_replicate(owner, make_video, fake_replicate):
    video = make_video(owner, script=ONE_SCENE)
    assert _scenes(video)[0].picture.generator == "illustrated"
    assert fake_replicate.requests == []


def test_narration_comes_from_the_tts_model_when_one_is_named(owner, make_video, fake_replicate, settings):
    settings.REPLICATE_TTS_MODEL = "jaaari/kokoro-82m"
    settings.REPLICATE_PRICES = {FLUX: Decimal("0.003"), "jaaari/kokoro-82m": Decimal("0.002")}

    video = make_video(owner, script=ONE_SCENE, visuals="replicate")

    (scene,) = video.scenes.select_related("narration_audio")
    audio = scene.narration_audio
    assert (audio.generator, audio.mime, audio.duration_ms) == ("replicate:jaaari/kokoro-82m", "audio/wav", 500)
    assert scene.narration_ms == 500
    speech = [c for c in fake_replicate.creations() if "kokoro" in c["path"]]
    assert speech[0]["json"]["input"]["text"] == ONE_SCENE
    # 0.5 s of speech at $0.002/s plus one picture at $0.003.
    assert video.jobs.get().actual_cost == Decimal("0.0040")


def test_a_failing_tts_model_falls_back_to_the_built_in_voice_with_a_warning(
    owner, make_video, fake_replicate, settings
):
    settings.REPLICATE_TTS_MODEL = "jaaari/kokoro-82m"
    fake_replicate.outcomes = [FAIL, FAIL, FAIL]  # the three speech attempts come first

    video = make_video(owner, script=ONE_SCENE, visuals="replicate")

    (scene,) = video.scenes.select_related("narration_audio", "picture")
    assert scene.narration_audio.generator == "piper"
    assert scene.warning.startswith("Narration: Replicate could not make the narration (3 tries;")
    assert scene.picture.generator == f"replicate:{FLUX}"


def test_staff_see_each_prediction_and_its_cost_in_admin(owner, staff, make_video, fake_replicate, client):
    fake_replicate.outcomes = [FAIL]
    make_video(owner, script=ONE_SCENE, visuals="replicate", title="Keeper")
    client.force_login(staff)

    page = client.get("/admin/assets/replicateprediction/").content.decode()

    # The failed try and the stored one, each with its outcome and cost, linked to the job.
    assert "fake0001" in page and "fake0002" in page and "fake0003" not in page
    assert "Failed" in page and "Output stored" in page
    assert "0.0030" in page and "Keeper" in page


def test_the_api_creates_a_video_with_replicate_visuals(owner, fake_replicate):
    from core.testing import create_cache_table, token_client

    create_cache_table()
    response = token_client(owner).post(
        "/api/v1/videos", {"title": "Keeper", "script": ONE_SCENE, "visuals": "replicate"}, format="json"
    )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["video"]["visuals"] == "replicate"
    assert body["job"]["estimated_cost"] == "0.0030"
