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
