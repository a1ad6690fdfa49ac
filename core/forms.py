"""Form plumbing shared by every app's HTML forms."""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ValidationError


class _Form(Protocol):
    fields: dict[str, Any]

    def add_error(self, field: str | None, error: ValidationError | str) -> None: ...


class ServiceErrorsMixin:
    """Put a service's ValidationError messages on the matching fields."""

    def add_service_errors(self: _Form, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = name if name in self.fields else None
            for message in messages:
                self.add_error(field, message)
