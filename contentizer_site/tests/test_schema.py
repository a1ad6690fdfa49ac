"""The OpenAPI schema: it validates, its docs are served from local files, and the API
keeps every promise it makes (schemathesis over every operation, authenticated)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from contentizer_site.wsgi import application
from core.testing import assert_error, create_cache_table


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert text.startswith("openapi: 3")
    for path in ("/api/v1/videos:", "/api/v1/videos/{code}/stream:", "/api/v1/health:", "/api/v1/jobs/{code}/cancel:"):
        assert path in text


def test_the_schema_is_served_as_openapi_3(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "details"}


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_are_served_from_local_files(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    # No web fonts either (drf-spectacular's Redoc template links Google Fonts).
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    assert "https://" not in html and "http://" not in html


def test_an_unknown_api_url_is_a_json_404(client, db):
    assert_error(client.post("/api/v1/no-such-thing"), 404, "not_found")


# --- schemathesis -------------------------------------------------------------------------------


# Loaded once at collection from the WSGI app (no database needed to build the schema).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def token_header(db, owner) -> dict[str, str]:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from core.api_tokens import api_token_create

    create_cache_table()
    # Requests go straight to the WSGI app, in the test's transaction: keep Django from
    # closing the connection at each request's end (its own test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Token {api_token_create(user=owner).key}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Every promise the schema makes: no 5xx, documented statuses, content types, headers and
# bodies, 401 without credentials, 405 for undocumented methods, 4xx for invalid input.
# (Not `positive_data_acceptance`: schema-valid input can still be refused by the domain
# with a documented 400, e.g. a script with no sentence in it.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
    unsupported_method,
]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_the_promises_of_its_schema(case, token_header):
    case.call_and_validate(headers=token_header, checks=CHECKS)
