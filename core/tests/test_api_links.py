"""Links made with no request (webhook events, in the worker) point where the site is served:
CONTENTIZER_PUBLIC_URL, or on the embedded default localhost on the port `make run` uses."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from core.api_links import public_base_url
from jobs.webhooks import webhook_event_for
from videos.models import VideoJobKind


def _base_url_in_a_process_with(env: dict[str, str]) -> str:
    """What a freshly started worker (settings read from its environment) would use."""
    code = "import django; django.setup(); from core.api_links import public_base_url; print(public_base_url())"
    environ = {k: v for k, v in os.environ.items() if k not in ("PORT", "CONTENTIZER_PUBLIC_URL")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**environ, "DJANGO_SETTINGS_MODULE": "contentizer_site.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.strip()


def test_a_worker_started_with_port_links_to_that_port():
    assert _base_url_in_a_process_with({"PORT": "9123"}) == "http://localhost:9123"


def test_without_port_the_links_use_8000_as_make_run_does():
    assert _base_url_in_a_process_with({}) == "http://localhost:8000"


def test_the_public_url_wins_over_the_port():
    env = {"PORT": "9123", "CONTENTIZER_PUBLIC_URL": "https://contentizer.example.com/"}
    assert _base_url_in_a_process_with(env) == "https://contentizer.example.com"


@pytest.mark.django_db
def test_webhook_event_links_use_the_configured_port(make_video, owner, settings):
    settings.CONTENTIZER_PUBLIC_URL = ""
    settings.CONTENTIZER_PORT = 9123
    job = make_video(owner).jobs.get(kind=VideoJobKind.STORYBOARD)

    event = webhook_event_for(job=job, event_id="msg_test")

    assert public_base_url() == "http://localhost:9123"
    assert event["data"]["job"]["links"]["self"] == f"http://localhost:9123/api/v1/jobs/{job.code}"
