"""Schedule rating: an underwriter's credits and debits, each with its reason (DESIGN.md §2.8).

Schedule rating lets the underwriter reflect what the rating variables cannot see (a new
chief engineer, a digital inspection platform, a pending regulatory case) as a list of
signed adjustments. Each must carry a reason, so that the worksheet can explain it to a
regulator, and their total is held within a band (±25 % in model ``pl-2026.1``), the usual
form of a filed schedule-rating plan (Werner & Modlin, *Basic Ratemaking*, CAS 2016, ch. 15).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pricing.errors import PricingError

__all__ = ["REASON_MAX_LENGTH", "ScheduleItem", "schedule_factor"]

REASON_MAX_LENGTH = 500
# Adjustments are typed as decimals (0.15, 0.10) and summed in binary; this slack lets a
# total of exactly the cap, say −0.15 − 0.10, through whatever the binary rounding.
_SLACK = 1e-12


@dataclass(frozen=True)
class ScheduleItem:
    """One credit (negative ``adjustment``, −0.05 = 5 % off) or debit (+0.10 = 10 % on).

    >>> ScheduleItem(reason="digital inspection platform with photo evidence", adjustment=-0.05)
    ScheduleItem(reason='digital inspection platform with photo evidence', adjustment=-0.05)
    """

    reason: str
    adjustment: float

    def __post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise PricingError("must be a non-empty text", field="reason", value=self.reason)
        if len(self.reason) > REASON_MAX_LENGTH:
            raise PricingError(
                f"must be at most {REASON_MAX_LENGTH} characters",
                field="reason",
                value=self.reason[:40] + "…",
            )
        number = isinstance(self.adjustment, int | float) and not isinstance(self.adjustment, bool)
        if not number or not math.isfinite(self.adjustment):
            raise PricingError("must be a finite number", field="adjustment", value=self.adjustment)


def schedule_factor(items: Sequence[ScheduleItem], *, cap: float = 0.25) -> float:
    """The schedule factor ``1 + Σ adjustments`` (dimensionless), refusing a total beyond ±cap.

    No items give 1. ``cap`` is in (0, 1); the total is the correctly rounded sum
    (``math.fsum``), so the order of the items changes nothing.

    >>> items = [ScheduleItem("new chief engineer", -0.05), ScheduleItem("open case", 0.10)]
    >>> schedule_factor(items)
    1.05
    """
    if not 0 < cap < 1:
        raise PricingError("must be in (0, 1)", field="cap", value=cap)
    total = math.fsum(item.adjustment for item in items)
    if abs(total) > cap + _SLACK:
        raise PricingError(f"must be within ±{cap}", field="total", value=total)
    return 1.0 + total
