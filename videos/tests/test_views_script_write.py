""" "Write it for me" on the new-video page, against the local fake Replicate: offered only
with a token; a topic, a length and a tone become a draft in the script field; the rest of
the form is kept; errors inline; the creation throttle shared with the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assets.tests.fake_replicate import FAIL
from videos.models import Video
from videos.tests.test_views_video_new import _form

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT_START = "Every night for a hundred years, the lighthouse on the cliff"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _write(client, *, htmx: bool = True, **writer):
    data = _form(title="Kept title", script="", voice="en-gb", **{f"writer-{k}": v for k, v in writer.items()})
    return client.post(reverse("videos-script-write"), data, **(HTMX if htmx else {}))


@pytest.fixture
def creator(client, owner, cache_table):
    client.force_login(owner)
    return client


def test_without_a_token_the_option_is_not_shown_and_not_there(creator, settings):
    settings.REPLICATE_API_TOKEN = ""

    html = creator.get(reverse("videos-new")).content.decode()

    assert 'data-testid="script-writer"' not in html and "Write it for me" not in html
    assert _write(creator, topic="tides").status_code == 404


def test_with_a_token_the_new_video_page_offers_it_above_the_script(creator, fake_replicate):
    html = creator.get(reverse("videos-new")).content.decode()

    assert 'data-testid="script-writer"' in html
    assert html.index("script-writer") < html.index('name="script"')
    for name in ("writer-topic", "writer-seconds", "writer-tone"):
        assert f'name="{name}"' in html


def test_a_topic_becomes_a_draft_in_the_writer_block(creator, fake_replicate):
    response = _write(creator, topic="the old lighthouse", seconds="30", tone="calm")

    assert response.status_code == 200
    html = response.content.decode()
    assert "data-written-script" in html and DRAFT_START in html
    assert "Here is your script" not in html and "[Sound of waves]" not in html
    assert "A draft of 47 words" in html
    (creation,) = fake_replicate.creations()
    sent = creation["json"]["input"]["prompt"]
    assert "the old lighthouse" in sent and "about 30 seconds" in sent and "calm" in sent
    assert not Video.objects.exists()


def test_without_javascript_the_whole_page_comes_back_with_the_draft_and_the_other_fields(creator, fake_replicate):
    response = _write(creator, htmx=False, topic="the old lighthouse", seconds="60", tone="friendly")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Kept title"' in html
    assert '<option value="en-gb" selected>' in html
    textarea = html[html.index('name="script"') :]
    assert DRAFT_START in textarea[: textarea.index("</textarea>")]


def test_a_missing_topic_is_said_inline_and_nothing_is_asked(creator, fake_replicate):
    response = _write(creator, topic="  ", seconds="60", tone="calm")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what the video is about." in html
    assert "data-written-script" not in html
    assert fake_replicate.creations() == []


def test_an_unknown_length_or_tone_is_refused_inline(creator, fake_replicate):
    response = _write(creator, topic="tides", seconds="5000", tone="sarcastic")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html and html.count('class="error"') >= 2
    assert fake_replicate.creations() == []


def test_a_failing_model_is_said_inline_without_losing_the_topic(creator, fake_replicate, settings):
    settings.REPLICATE_ATTEMPTS = 2
    fake_replicate.outcomes = [FAIL] * 4

    response = _write(creator, topic="tides and moons", seconds="60", tone="calm")

    assert response.status_code == 409  # htmx swaps it in place (base.html's htmx-config)
    html = response.content.decode()
    assert 'data-testid="writer-error"' in html and "The script could not be written" in html
    assert 'value="tides and moons"' in html
    assert "/tmp" not in html and "Traceback" not in html
    assert _write(creator, htmx=False, topic="tides", seconds="60", tone="calm").status_code == 502


def test_writing_shares_the_creation_throttle(creator, fake_replicate, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "video_create": "1/min"},
    }
    assert _write(creator, topic="tides", seconds="60", tone="calm").status_code == 200

    refused = _write(creator, topic="tides", seconds="60", tone="calm")

    assert refused.status_code == 409
    assert "Please wait a minute" in refused.content.decode()
    assert len(fake_replicate.creations()) == 1


def test_it_needs_a_login(client, fake_replicate):
    response = client.post(reverse("videos-script-write"), {"writer-topic": "tides"})

    assert response.status_code == 302
