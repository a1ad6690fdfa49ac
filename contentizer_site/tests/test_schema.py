"""The OpenAPI schema: it validates, its docs are served from local files, and the API
keeps every promise it makes (schemathesis over every operation, authenticated)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    RejectedPositiveData,
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
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


@pytest.fixture(scope="module")
def served_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema_doc: dict):
    for path, item in schema_doc["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_documents_429_in_the_error_shape_with_retry_after(served_schema):
    for label, operation in _operations(served_schema):
        too_many = operation["responses"].get("429")
        assert too_many is not None, label
        assert too_many["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, label
        assert "Retry-After" in too_many["headers"], label


def test_every_documented_client_error_has_the_error_shape(served_schema):
    for label, operation in _operations(served_schema):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    f"{label} {status}"
                )


def test_json_bodies_refuse_unknown_keys_in_the_schema_and_multipart_ones_do_not(served_schema):
    components = served_schema["components"]["schemas"]

    def component(body: dict) -> dict:
        return components[body["schema"]["$ref"].rsplit("/", 1)[1]] if "$ref" in body["schema"] else body["schema"]

    json_bodies = multipart_bodies = 0
    for label, operation in _operations(served_schema):
        for media_type, body in operation.get("requestBody", {}).get("content", {}).items():
            if media_type == "application/json":
                json_bodies += 1
                assert component(body)["additionalProperties"] is False, label
            else:
                multipart_bodies += 1
                assert "additionalProperties" not in component(body), label
    # ... and objects nested in a JSON body (a batch's rows) too.
    assert components["BatchRowRequest"]["additionalProperties"] is False
    assert json_bodies >= 15 and multipart_bodies >= 4


def test_text_that_may_not_be_blank_needs_a_character_that_is_not_white_space(served_schema):
    # DRF trims before refusing blank: " " and a no-break space are refused like "".
    components = served_schema["components"]["schemas"]
    non_blank = re.compile(components["VideoCreateRequest"]["properties"]["script"]["pattern"])
    assert components["NarrationCreateRequest"]["properties"]["text"]["pattern"] == non_blank.pattern
    assert non_blank.search("a") and not any(non_blank.search(text) for text in ("", " ", "\u00a0\n"))
    # ... but not text that may be empty, nor text kept as sent.
    assert "pattern" not in components["WebhookSettingsInputRequest"]["properties"]["callback_url"]
    assert "pattern" not in components["SceneArtworkRequest"]["properties"]["artwork"]
    # DRF refuses a NUL in any text.
    assert not non_blank.search("a\u0000b")


def test_a_patch_body_requires_what_the_api_requires(served_schema):
    # Renaming a project needs the name; the webhook settings change only what is sent.
    rename = served_schema["paths"]["/api/v1/projects/{code}"]["patch"]["requestBody"]["content"]["application/json"]
    assert rename["schema"] == {"$ref": "#/components/schemas/ProjectInputRequest"}
    assert served_schema["components"]["schemas"]["ProjectInputRequest"]["required"] == ["name"]
    assert "required" not in served_schema["components"]["schemas"]["WebhookSettingsInputRequest"]


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


BRAND_KIT_TEXT = {"intro_title", "intro_line", "outro_title", "outro_line"}
# What a schema cannot say, and the domain refuses with a 400 naming only these fields:
# a file's content, a name already in use, a code that is not yours, a provider this site
# has not configured, a callback address that is not a public http(s) URL.
DOMAIN_REFUSALS: dict[str, set[str]] = {
    "PATCH /api/v1/account/webhook": {"callback_url"},
    "POST /api/v1/assets": {"file"},
    "POST /api/v1/batches": {"file", "rows", "name"},
    "POST /api/v1/caption-presets": {"name"},
    # Brand kit: the card's text unreadable on its background, a preset not yours, a
    # control character in a card's text (one line); the logo's content.
    "PUT /api/v1/brand-kit": {"card_text_color", "caption_preset", *BRAND_KIT_TEXT},
    "PATCH /api/v1/brand-kit": {"card_text_color", "caption_preset", *BRAND_KIT_TEXT},
    "PUT /api/v1/brand-kit/logo": {"logo"},
    "POST /api/v1/pictures": {"provider"},
    "POST /api/v1/projects": {"name"},
    "PATCH /api/v1/projects/{code}": {"name"},
    "POST /api/v1/videos": {"script", "project", "music_asset", "visuals", "callback_url", "caption_preset"},
}


@schemathesis.check
def schema_valid_input_is_accepted(ctx, response, case):
    """positive_data_acceptance, except the domain refusals above: any other 400 to a
    schema-valid request (an unknown key the schema allowed, a format the API does not
    honour) fails."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        allowed = DOMAIN_REFUSALS.get(case.operation.label, set())
        if response.status_code == 400 and allowed:
            fields = {name.split(".")[0] for name in response.json().get("details", {})}
            if fields and fields <= allowed:
                return None
        raise


# Every promise the schema makes: no 5xx, documented statuses, content types, headers and
# bodies, 401 without credentials, 405 for undocumented methods, 4xx for invalid input
# (unknown keys included: JSON bodies say additionalProperties: false), and 2xx for valid
# input but for the domain refusals named above.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    schema_valid_input_is_accepted,
    missing_required_header,
    allow_header_conformance,
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
