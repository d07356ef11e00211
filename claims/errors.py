"""The claims package's domain errors: each names the field and the value that broke a rule.

``api/errors.py`` maps them to problem responses like every other domain error.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any


class ClaimsError(ValueError):
    """A value breaks a settlement rule; base of the package's domain errors.

    >>> str(ClaimsError("must be >= 0", field="loss", value=Decimal("-5.00")))
    'loss must be >= 0; got (loss=-5.00)'
    """

    def __init__(self, message: str, *, field: str | None = None, value: Any = None) -> None:
        text = f"{field} {message}; got ({field}={_shown(value)})" if field else message
        super().__init__(text)
        self.message, self.field, self.value = message, field, value


def require_fen(
    field: str, value: Any, *, error: type[ClaimsError] = ClaimsError, positive: bool = False
) -> Decimal:
    """``value`` if it is a finite ``Decimal`` of whole fen, ≥ 0 (> 0 if ``positive``).

    Money is never float, and never finer than the fen: a sub-fen input is refused, not
    silently rounded.

    >>> require_fen("loss", Decimal("0.005"))
    Traceback (most recent call last):
    ...
    claims.errors.ClaimsError: loss must be whole fen (2 decimal places); got (loss=0.005)
    """
    if not isinstance(value, Decimal) or not value.is_finite():
        raise error("must be a finite Decimal in CNY", field=field, value=value)
    if value < 0 or (positive and value == 0):
        raise error("must be > 0" if positive else "must be >= 0", field=field, value=value)
    shifted = value.scaleb(2)
    if shifted != shifted.to_integral_value():
        raise error("must be whole fen (2 decimal places)", field=field, value=value)
    return value


def _shown(value: Any) -> str:
    """The value as a reader wants it: plain decimals, ISO dates, quoted strings."""
    if isinstance(value, Decimal | date):
        return str(value)
    return repr(value)
