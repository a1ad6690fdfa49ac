"""Each response carries its request id (X-Request-ID), which the request's log lines carry
too, with the user's id; an id a proxy in front gave is kept."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from core.structured_logs import JsonLogFormatter, LogContextFilter

pytestmark = pytest.mark.django_db


def test_every_response_has_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/no-such-page/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


def test_an_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-5f2a9c01").headers["X-Request-ID"] == "lb-5f2a9c01"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>").headers["X-Request-ID"] != "<script>"


def test_the_lines_a_request_writes_carry_its_id_and_the_user(owner, api, monkeypatch):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(LogContextFilter())
    handler.setFormatter(JsonLogFormatter())
    log = logging.getLogger("contentizer.test.request")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

    from jobs import api as jobs_api

    original = jobs_api.JobListApi.get

    def logging_get(self, request, *args, **kwargs):
        log.info("listing jobs")
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(jobs_api.JobListApi, "get", logging_get)
    try:
        response = api.get("/api/v1/jobs")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == owner.pk


def test_a_page_view_is_counted_under_its_url_name(owner):
    from core.request_metrics import HTTP_REQUESTS

    browser = Client()
    browser.force_login(owner)
    before = HTTP_REQUESTS.labels(view="home", method="GET", status="200")._value.get()
    assert browser.get("/").status_code == 200
    assert HTTP_REQUESTS.labels(view="home", method="GET", status="200")._value.get() == before + 1


def test_djangos_own_line_about_a_request_carries_its_id_too(owner):
    """django.request logs "Not Found" after the middleware returned, with the request."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(LogContextFilter())
    handler.setFormatter(JsonLogFormatter())
    log = logging.getLogger("django.request")
    log.addHandler(handler)
    try:
        browser = Client()
        browser.force_login(owner)
        response = browser.get("/no-such-page/")
    finally:
        log.removeHandler(handler)
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["request_id"] == response["X-Request-ID"] and line["user_id"] == owner.pk
    assert "request" not in line
