"""The claims-made step factor (DESIGN.md §2.6).

A claims-made policy covers claims first made in the period for incidents on or after the
retroactive date. In its first year it answers only for incidents of the last year, so it
costs a fraction of a mature policy; the fraction steps up each year until the look-back
reaches the reporting lag of the line. The step factors of model ``pl-2026.1`` are
0.35, 0.65, 0.85, 0.95, 1.00 by full years since the retro date (Marker & Mohl, *Rating
Claims-Made Insurance Policies*, CAS Discussion Paper Program, 1980).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from pricing.errors import PricingError

__all__ = ["DEFAULT_STEPS", "claims_made_step", "full_years_between"]

DEFAULT_STEPS = (0.35, 0.65, 0.85, 0.95, 1.00)


def claims_made_step(
    years_since_retro: np.ndarray | int, *, steps: Sequence[float] = DEFAULT_STEPS
) -> np.ndarray:
    """The claims-made factor (dimensionless, a multiple of the mature premium) per policy.

    ``years_since_retro`` counts full years from the retro date to the policy's effective
    date (:func:`full_years_between`): 0 takes ``steps[0]``, 1 takes ``steps[1]``, and any
    count from ``len(steps) - 1`` on takes the last, mature step. ``steps`` must be
    non-decreasing and within (0, 1]. The result has the shape of ``years_since_retro``.

    >>> claims_made_step(np.array([0, 1, 2, 3, 4, 9])).tolist()
    [0.35, 0.65, 0.85, 0.95, 1.0, 1.0]
    """
    table = _step_table(steps)
    years = _whole_years(years_since_retro)
    return np.asarray(table[np.minimum(years, table.size - 1)])


def full_years_between(retro: date, effective: date) -> int:
    """Whole calendar years from ``retro`` (inclusive) to ``effective``: the step index.

    A year is full on its anniversary: from 2023-06-15, one year is full on 2024-06-15.
    A retro date of 29 February has no anniversary in a common year; its year is full on
    1 March. Under the month-end rule of the Civil Code art. 202 (没有对应日的，月末日为
    期间的最后一日) the year's last day is 28 February, so the next day starts the second.
    This also never credits a year of cover before every day of it has passed.

    >>> full_years_between(date(2024, 2, 29), date(2025, 2, 28))
    0
    >>> full_years_between(date(2024, 2, 29), date(2025, 3, 1))
    1
    """
    if retro > effective:
        raise PricingError(
            f"must be on or before effective ({effective})", field="retro", value=retro
        )
    before_anniversary = (effective.month, effective.day) < (retro.month, retro.day)
    return effective.year - retro.year - int(before_anniversary)


def _step_table(steps: Sequence[float]) -> np.ndarray:
    table = np.asarray(steps, dtype=np.float64)
    if table.ndim != 1 or table.size == 0:
        raise PricingError("must be a non-empty sequence of factors", field="steps", value=steps)
    if not np.all((table > 0) & (table <= 1)):
        raise PricingError("must each be in (0, 1]", field="steps", value=steps)
    if np.any(np.diff(table) < 0):
        raise PricingError("must be non-decreasing", field="steps", value=steps)
    return table


def _whole_years(years: np.ndarray | int) -> np.ndarray:
    array = np.asarray(years)
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (array != np.floor(array))
        if bad.any():
            raise PricingError(
                "must be whole years", field="years_since_retro", value=array[bad].flat[0]
            )
    elif array.dtype.kind not in "iu":
        raise PricingError("must be whole years", field="years_since_retro", value=array.dtype.name)
    if np.any(array < 0):
        raise PricingError(
            "must be >= 0", field="years_since_retro", value=array[array < 0].flat[0]
        )
    return array.astype(np.int64)
