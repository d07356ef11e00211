"""The calendar window of a demo market and the half-year grid it is simulated on.

Days are integers counted from 1970-01-01 (numpy ``datetime64[D]`` as int64) so that date
arithmetic vectorises; seconds likewise from the Unix epoch, in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SECONDS_PER_DAY = 86_400
#: Exposure of one half-year period, in years, used for every period alike.
HALF_YEAR = 0.5


def day_number(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return int(np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D").astype(np.int64))


def years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number."""
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


@dataclass(frozen=True)
class Window:
    """``years`` calendar years from ``first_year``-01-01 to the last year's 12-31, inclusive.

    Nothing in a demo market is dated outside the window: it is the market as seen on its
    last day.
    """

    first_year: int
    years: int

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1

    @property
    def start_day(self) -> int:
        return day_number(self.first_year)

    @property
    def end_day(self) -> int:
        """The last day inside the window (31 December of the last year)."""
        return day_number(self.last_year + 1) - 1

    @property
    def end_second(self) -> int:
        """The last second inside the window, 23:59:59 UTC of its last day."""
        return (self.end_day + 1) * SECONDS_PER_DAY - 1

    def year_start(self, year: int) -> int:
        return day_number(year)

    def period_starts(self) -> np.ndarray:
        """Start days of the half-year periods: 1 January and 1 July of every year.

        These are also the ``as_of_date`` of the hazard snapshots; period ``t`` runs from
        ``period_starts()[t]`` up to, not including, the next start (or the window end + 1).
        """
        starts = [
            (day_number(y), day_number(y, 7)) for y in range(self.first_year, self.last_year + 1)
        ]
        return np.array([d for pair in starts for d in pair], dtype=np.int64)

    def period_bounds(self) -> np.ndarray:
        """Period starts followed by the day after the window: ``2 * years + 1`` values."""
        return np.append(self.period_starts(), self.end_day + 1)
