"""The new-video page and its limits: the script's length is counted, not cut, and a used-up
quota is said before the creator fills in the form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quotas.models import SiteSettings
from quotas.services import quota_usage
from videos.models import Video

pytestmark = pytest.mark.django_db


def _form(script: str) -> dict:
    return {
        "title": "Long",
        "script": script,
        "aspect": "16:9",
        "quality": "480p",
        "fps": "30",
        "voice": "en-us",
        "speech_rate": "165",
        "music": "none",
        "caption_style": "classic",
        "transition": "fade",
    }


def test_the_script_box_has_no_maxlength_that_would_cut_a_paste(client, owner, settings):
    settings.CONTENTIZER_SCRIPT_MAX_CHARS = 20000
    client.force_login(owner)

    html = client.get(reverse("videos-new")).content.decode()

    assert "maxlength" not in html.split('name="script"')[1].split(">")[0]
    assert 'data-max-chars="20000"' in html
    assert 'aria-describedby="script-counter"' in html


def test_the_page_states_the_limit_from_settings_under_the_script(client, owner, settings):
    settings.CONTENTIZER_SCRIPT_MAX_CHARS = 12345
    client.force_login(owner)

    html = client.get(reverse("videos-new")).content.decode()

    assert 'id="script-counter"' in html
    assert "Up to 12,345 characters." in html
    assert 'data-max-chars="12345"' in html


def test_a_script_one_character_over_the_limit_is_refused_whole_with_its_length(client, owner, settings):
    settings.CONTENTIZER_SCRIPT_MAX_CHARS = 200
    client.force_login(owner)
    script = ("The keeper climbs the stairs. " * 10)[:200] + "x"

    response = client.post(reverse("videos-new"), _form(script))

    assert response.status_code == 400
    assert response.context["form"].errors["script"] == ["The script is 201 characters; the limit is 200."]
    assert script in response.content.decode()  # kept whole in the box, not cut
    assert not Video.objects.exists()


def test_line_breaks_sent_as_crlf_count_once_as_the_page_counts_them(client, owner, settings):
    lines = ["The keeper climbs the stairs at dusk.", "The lamp turns."]
    # Exactly the limit as the page counts (one character per line break); one over with CRLF.
    settings.CONTENTIZER_SCRIPT_MAX_CHARS = len("\n".join(lines))
    client.force_login(owner)

    response = client.post(reverse("videos-new"), _form("\r\n".join(lines)))

    assert response.status_code == 302
    assert Video.objects.get().script == "\n".join(lines)


def test_over_the_daily_quota_the_refusal_comes_before_the_form(client, owner):
    site = SiteSettings.load()
    site.videos_per_day = 0
    site.save()
    client.force_login(owner)

    html = client.get(reverse("videos-new")).content.decode()

    assert 'data-testid="quota-blocked"' in html
    assert "You cannot start a new video right now" in html
    tomorrow = quota_usage(user=owner).videos_today.resets_at
    assert (
        f"You have made 0 of 0 videos today; you can make another from {tomorrow.day} {tomorrow:%b}, 00:00 UTC." in html
    )
    assert html.index("quota-blocked") < html.index('<form class="newform"')
    assert 'type="submit" disabled aria-describedby="blocked-title">Make the storyboard' in html


def test_under_every_quota_the_form_comes_without_a_refusal(client, owner):
    client.force_login(owner)

    html = client.get(reverse("videos-new")).content.decode()

    assert "quota-blocked" not in html
    assert 'type="submit" >Make the storyboard' in html or 'type="submit">Make the storyboard' in html
