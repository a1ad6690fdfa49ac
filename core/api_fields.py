"""Input fields that take JSON types as the schema states them.

DRF's fields coerce (`0` becomes "0", "yes" becomes True, "30" becomes 30); a client that
sends the wrong type has a bug, and the schema promises a 400 for it."""

from __future__ import annotations

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    """A choice whose JSON type must match the choices' type (strings or integers)."""

    def to_internal_value(self, data):
        wants_int = all(isinstance(key, int) for key in self.choices)
        if wants_int and (isinstance(data, bool) or not isinstance(data, int)):
            self.fail("invalid_choice", input=data)
        if not wants_int and not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


def unknown_field_errors(data, fields) -> dict[str, list[str]]:
    """{name: [message]} for each key of a JSON object that names no field. A client
    that sends `"caption": false` for `captions` has a bug the API must tell it about."""
    if not isinstance(data, dict) or hasattr(data, "getlist"):
        return {}
    known = {name for name, field in fields.items() if not field.read_only}
    return {
        str(key): ["Unknown field; this operation takes: " + ", ".join(sorted(known)) + "."]
        for key in data
        if key not in known
    }


class StrictInputSerializer(serializers.Serializer):
    """Base of every input serializer: a key that names no field is a 400 naming it,
    reported together with the other fields' errors."""

    def to_internal_value(self, data):
        unknown = unknown_field_errors(data, self.fields)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
