"""The use cases' exceptions, in domain words. ``api/errors.py`` maps each to HTTP.

Every error carries ``message`` and, where one input is to blame, the ``field`` and the
``value`` it had, so that any caller (the API, the CLI) can say what was wrong and where.
"""

from __future__ import annotations

from typing import Any


class UnderwritingError(Exception):
    """Base of every error a use case raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None, value: Any = None) -> None:
        text = f"{field}: {message}; got ({field}={value!r})" if field else message
        super().__init__(text)
        self.message, self.field, self.value = message, field, value


class InvalidInput(UnderwritingError):
    """A value breaks a rule that needs the book to check (dates against an engagement…)."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(message, field=field, value=value)


class NotFound(UnderwritingError):
    """No such resource, or not one the principal may see: the two are told apart by no one."""

    def __init__(self, kind: str, ident: Any, field: str | None = None) -> None:
        super().__init__(f"no {kind.replace('_', ' ')} with id {ident!r}", field=field, value=ident)
        self.kind = kind


class Conflict(UnderwritingError):
    """The request is well formed but clashes with what the book already holds."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(message, field=field, value=value)


class IdempotencyKeyReused(UnderwritingError):
    """The same ``Idempotency-Key`` came back with a different request."""

    def __init__(self, key: str) -> None:
        super().__init__(
            "was first used with a different request; use a new key for a new request",
            field="Idempotency-Key",
            value=key,
        )


class RoleNotAllowed(UnderwritingError):
    """The principal's role may never do this, whatever the resource."""

    def __init__(self, role: str, action: str) -> None:
        super().__init__(f"role {role!r} may not {action}")
