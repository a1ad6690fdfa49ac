"""Domain errors every layer raises and every entry point translates the same way.

Services raise these (or Django's ValidationError / PermissionDenied); pages show the
message, the API maps them to one error shape (core.api_errors), admin shows a warning.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.utils import timezone


class ApplicationError(Exception):
    """Base of the errors a person can act on; the message is meant for them."""


class Conflict(ApplicationError):
    """The request is valid but the current state does not allow it (HTTP 409)."""


class StateError(Conflict):
    """A thing is not in a state that allows the requested change (HTTP 409)."""


class QuotaExceeded(Conflict):
    """A work request would go over one of the user's quotas. Nothing was created.

    HTTP: 429 with code `quota_exceeded`; `retry_after_seconds` (when not None) is when the
    limit resets. `kind` names the quota (see quotas.services.QUOTA_KINDS)."""

    def __init__(self, message: str, *, kind: str, used: int, limit: int, resets_at: datetime | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.used = used
        self.limit = limit
        self.resets_at = resets_at

    @property
    def retry_after_seconds(self) -> int | None:
        if self.resets_at is None:
            return None
        return max(1, math.ceil((self.resets_at - timezone.now()).total_seconds()))
