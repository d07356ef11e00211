"""Development triangles as of a date: origin year × development age, NaN beyond the diagonal.

Origin year y is developed to age j (0, 1, …) at the evaluation date ``as_of`` moved to the
year y + j (29 February → 28 February in a common year): the cells of the last diagonal are
all evaluated on ``as_of`` itself, so they equal the totals to date, and a cell whose
evaluation date would come after ``as_of`` is NaN. Ages are months from the start of the
origin year to the end of the evaluation day — 12, 24, … for a 31 December as-of date,
6, 18, … for 30 June — the same for every origin.

>>> str(evaluation_day(np.datetime64("2024-02-29"), 2023))
'2023-02-28'
>>> float(age_in_months(np.datetime64("2025-06-30")))
6.0
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np

#: What a triangle can count.
MEASURES = ("paid", "incurred", "reported")
#: What a claim's origin year can be.
ORIGINS = ("policy_year", "accident_year")


@dataclass(frozen=True, eq=False)
class Triangle:
    """``values[i, j]``: the ``measure`` (CNY for paid and case incurred, a count for
    reported claims) of origin year ``origins[i]`` at age ``age_months[j]``, cumulative."""

    measure: str
    origin: str
    as_of: np.datetime64
    origins: np.ndarray
    age_months: np.ndarray
    values: np.ndarray

    def latest(self) -> np.ndarray:
        """The last diagonal, per origin: the values as of ``as_of``."""
        n = len(self.origins)
        return self.values[np.arange(n), n - 1 - np.arange(n)]


def evaluation_day(as_of: np.datetime64, year: int) -> np.datetime64:
    """``as_of``'s month and day in ``year``; 29 February becomes 28 February."""
    month_day = str(as_of)[5:]
    if month_day == "02-29" and not calendar.isleap(year):
        month_day = "02-28"
    return np.datetime64(f"{year:04d}-{month_day}")


def age_in_months(as_of: np.datetime64) -> float:
    """Months from 1 January to the end of ``as_of``'s day, in its own year."""
    year, month, day = (int(part) for part in str(as_of).split("-"))
    return month - 1 + day / calendar.monthrange(year, month)[1]


def triangle(
    *,
    measure: str,
    origin: str,
    as_of: np.datetime64,
    first_origin: int,
    claim_origin: np.ndarray,
    made: np.ndarray,
    movement_claim: np.ndarray,
    movement_date: np.ndarray,
    movement_amount: np.ndarray,
) -> Triangle:
    """The triangle of claims with origin years ``claim_origin`` first made on ``made``;
    ``movement_*`` give the dated amounts (fen) that accumulate for paid or incurred."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}; got (measure={measure!r})")
    last = int(str(as_of)[:4])
    origins = np.arange(first_origin, last + 1)  # none before the first origin
    n = len(origins)
    values = np.full((n, n), np.nan)
    row = claim_origin - first_origin
    for k, year in enumerate(origins.tolist()):
        on = evaluation_day(as_of, year)
        if measure == "reported":
            cumulative = np.bincount(row[made <= on], minlength=n).astype(np.float64)
        else:
            known = movement_date <= on
            rows = row[movement_claim[known]]
            cumulative = np.bincount(rows, movement_amount[known] / 100.0, minlength=n)
        for i in range(k + 1):
            values[i, k - i] = cumulative[i]
    ages = 12.0 * np.arange(n) + age_in_months(as_of)
    return Triangle(measure, origin, as_of, origins, ages, values)
