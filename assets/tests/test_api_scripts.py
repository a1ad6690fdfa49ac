"""POST /api/v1/scripts: a script from a topic, written by a Replicate language model
(the real client against the local fake Replicate), offered only with a token."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.models import ReplicatePrediction
from assets.script_writing import script_clean, script_writing_available
from assets.tests.fake_replicate import FAIL
from core.testing import assert_error

URL = "/api/v1/scripts"
LLAMA = "meta/meta-llama-3-8b-instruct"

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_topic_becomes_a_script_written_by_the_language_model(api, fake_replicate):
    response = api.post(URL, {"topic": "the old lighthouse", "seconds": 30, "tone": "calm"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    # The canned answer, cleaned: no preamble, no heading, no stage direction.
    assert body["script"] == (
        "Every night for a hundred years, the lighthouse on the cliff has turned its lamp towards the sea. "
        "Sailors far from home have watched for its beam.\n\n"
        "Today the keeper is a machine, but the light still sweeps the dark water, and the ships still come home."
    )
    assert body["words"] == len(body["script"].split()) == 47
    assert (body["model"], body["seconds"], body["tone"]) == (LLAMA, 30, "calm")
    (creation,) = fake_replicate.creations()
    assert creation["path"] == f"/v1/models/{LLAMA}/predictions"
    sent = creation["json"]["input"]
    assert "the old lighthouse" in sent["prompt"] and "about 30 seconds" in sent["prompt"]
    assert "about 82 words" in sent["prompt"]  # 30 s at 165 words per minute
    assert "calm" in sent["prompt"] and "narration only" in sent["system_prompt"]
    assert ReplicatePrediction.objects.get().status == "stored"
    assert Decimal(body["cost_usd"]) == Decimal("0.0010")


def test_a_failing_model_is_tried_again_then_answers_502(api, fake_replicate, settings):
    settings.REPLICATE_ATTEMPTS = 2
    fake_replicate.outcomes = [FAIL, FAIL]

    body = assert_error(api.post(URL, {"topic": "tides"}, format="json"), 502, "upstream_error")

    assert "2 tries" in body["message"]
    assert len(fake_replicate.creations()) == 2


def test_without_a_replicate_token_the_endpoint_is_not_there(api, settings):
    settings.REPLICATE_API_TOKEN = ""

    assert not script_writing_available()
    assert_error(api.post(URL, {"topic": "tides"}, format="json"), 404, "not_found")


def test_bad_input_names_each_field(api, fake_replicate):
    body = assert_error(api.post(URL, {"topic": "", "seconds": 5, "tone": "sarcastic"}, format="json"), 400)

    assert {"topic", "seconds", "tone"} <= set(body["details"])
    assert fake_replicate.creations() == []


def test_the_cleaner_keeps_only_the_narration():
    raw = "Sure! Here's a script:\n# Title\n1. First line.\n- Second line.\n(pause)\nNarrator: Third line."
    assert script_clean(raw) == "First line. Second line. Third line."
