r"""What the OpenAPI schema says about every operation at once (drf-spectacular
postprocessing hooks and a field extension), so that it states what the API does:

- Every JSON request body refuses keys it does not name (`ApiView.valid` and
  `StrictInputSerializer` answer 400 naming them): its object schemas, and the objects
  nested in them, say `additionalProperties: false`. Multipart bodies ignore parts they
  do not name, and keep saying so.
- A text field that refuses blank input (DRF trims it first) says so: a pattern asking for
  at least one character that is not white space (`minLength: 1` alone lets " " through),
  and none that is NUL (DRF's ProhibitNullCharactersValidator refuses it with a 400).
- Every operation can answer 429 in the one error shape (a throttle, a quota, or a
  proxy shedding load), with `Retry-After` when a wait is known, and 503 while the
  database or Redis is not answering (core.api_errors).
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from core.api_errors import ERROR_DESCRIPTIONS

JSON = "application/json"
ERROR_REF = "#/components/schemas/Error"
_REF_PREFIX = "#/components/schemas/"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

TOO_MANY_REQUESTS: dict[str, Any] = {
    "description": ERROR_DESCRIPTIONS[429],
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again"}},
    "content": {JSON: {"schema": {"$ref": ERROR_REF}}},
}
SERVICE_UNAVAILABLE: dict[str, Any] = {**TOO_MANY_REQUESTS, "description": ERROR_DESCRIPTIONS[503]}


def _operations(result: dict) -> list[dict]:
    return [
        operation
        for path_item in result.get("paths", {}).values()
        for method, operation in path_item.items()
        if method in HTTP_METHODS
    ]


def _close(schema: Any, components: dict, seen: set[str]) -> None:
    """additionalProperties: false on this object schema and every object inside it."""
    if isinstance(schema, list):
        for item in schema:
            _close(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
        name = ref.removeprefix(_REF_PREFIX)
        if name not in seen and name in components:
            seen.add(name)
            _close(components[name], components, seen)
        return
    if schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    for value in schema.get("properties", {}).values():
        _close(value, components, seen)
    for key in ("items", "allOf", "oneOf", "anyOf"):
        if key in schema:
            _close(schema[key], components, seen)


def close_json_request_bodies(result: dict, generator, request, public) -> dict:  # noqa: ANN001, ARG001
    components = result.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operation in _operations(result):
        content = operation.get("requestBody", {}).get("content", {})
        if JSON in content:
            _close(content[JSON].get("schema"), components, seen)
    return result


def document_shared_errors(result: dict, generator, request, public) -> dict:  # noqa: ANN001, ARG001
    for operation in _operations(result):
        responses = operation.setdefault("responses", {})
        responses.setdefault("429", copy.deepcopy(TOO_MANY_REQUESTS))
        responses.setdefault("503", copy.deepcopy(SERVICE_UNAVAILABLE))
    return result


# Non-blank request text: a character that is neither white space nor NUL, and no NUL
# anywhere (DRF refuses one in any text with a 400).
NON_BLANK_TEXT = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


class NonBlankTextField(OpenApiSerializerFieldExtension):
    """Registered by importing this module (CoreConfig.ready)."""

    target_class = "core.api_fields.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):  # noqa: ANN001, ANN201 - drf-spectacular's signature
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)  # noqa: SLF001
        if direction == "request" and not self.target.allow_blank and self.target.trim_whitespace:
            schema["pattern"] = NON_BLANK_TEXT
        return schema
