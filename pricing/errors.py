"""The pricing library's domain errors, and the one check that builds most of them.

Every error names the value that broke a rule, the way the use cases' errors do
(``underwriting/errors.py``), so that a caller can say what was wrong and where::

    cap must be in (0, 1); got (cap=1.5)
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

__all__ = ["PricingError", "require_non_negative"]


class PricingError(ValueError):
    """A value breaks a rule of the rating model; base of the package's domain errors.

    Given the ``field`` and ``value`` to blame, the text names both:

    >>> str(PricingError("must be in (0, 1)", field="cap", value=1.5))
    'cap must be in (0, 1); got (cap=1.5)'
    """

    def __init__(self, message: str, *, field: str | None = None, value: Any = None) -> None:
        text = f"{field} {message}; got ({field}={_shown(value)})" if field else message
        super().__init__(text)
        self.message, self.field, self.value = message, field, value


def require_non_negative(field: str, values: Any) -> np.ndarray:
    """``values`` as a float64 array, refusing the first element that is negative or not finite.

    >>> require_non_negative("actual", [1.0, -2.0])
    Traceback (most recent call last):
    ...
    pricing.errors.PricingError: actual must be finite and >= 0; got (actual=-2.0)
    """
    array = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        raise PricingError("must be finite and >= 0", field=field, value=array[bad].flat[0])
    return array


def _shown(value: Any) -> str:
    """The value as a reader wants it: plain numbers, ISO dates, quoted strings."""
    if isinstance(value, np.generic | np.ndarray):
        value = value.tolist()
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)
