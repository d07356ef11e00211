"""The use cases' exceptions, in domain words. ``api/errors.py`` maps each to HTTP."""

from __future__ import annotations

from typing import Any


class UnderwritingError(Exception):
    """Base of every error a use case raises on purpose."""


class InvalidInput(UnderwritingError):
    """A value breaks a rule that needs the book to check (dates against an engagement…)."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(f"{field}: {message}; got ({field}={value!r})")
        self.field, self.value, self.message = field, value, message


class NotFound(UnderwritingError):
    """No such resource, or not one the principal may see: the two are told apart by no one."""

    def __init__(self, kind: str, ident: Any, field: str | None = None) -> None:
        super().__init__(f"no {kind} with id {ident!r}")
        self.kind, self.ident, self.field = kind, ident, field


class Conflict(UnderwritingError):
    """The request is well formed but clashes with what the book already holds."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(f"{field}: {message}; got ({field}={value!r})")
        self.field, self.value, self.message = field, value, message


class IdempotencyKeyReused(UnderwritingError):
    """The same ``Idempotency-Key`` came back with a different request."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was first used with a different request; "
            "use a new key for a new request"
        )
        self.key = key


class RoleNotAllowed(UnderwritingError):
    """The principal's role may never do this, whatever the resource."""

    def __init__(self, role: str, action: str) -> None:
        super().__init__(f"role {role!r} may not {action}")
        self.role, self.action = role, action
