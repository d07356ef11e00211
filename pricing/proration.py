"""Premium for part of a policy period: pro rata, the short-rate table, and cancellation refunds.

Money is integer fen (1 CNY = 100 fen). Every amount is computed exactly in ``Fraction``
and rounded once, at the end, by :data:`ROUNDING`. A policy period is ``[effective, expiry)``
and counts actual days, so a policy from 2028-01-01 to 2029-01-01 has 366 days, 29 February
among them.

A policy's premium is a sequence of :class:`PremiumSlice`: the new-business premium, charged
for ``[effective, expiry)``, and each endorsement's premium delta, charged for ``[start,
expiry)``. On cancellation (:func:`cancellation_refund`) the insurer returns

- ``pro_rata`` — when the insurer cancels: exactly the unearned part of every slice;
- ``short_rate`` — when the insured cancels: the premium less the short-period rate
  (:data:`SHORT_RATE_TABLE`), which keeps at least ``minimum_retained`` of it;
- ``flat`` — cancellation from inception: everything.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from numbers import Rational
from types import MappingProxyType
from typing import Any

from pricing.errors import PricingError

__all__ = [
    "BASES",
    "ROUNDING",
    "SHORT_RATE_TABLE",
    "PremiumSlice",
    "Refund",
    "cancellation_refund",
    "months_in_force",
    "pro_rata_fen",
    "short_rate_fraction",
]

#: The one rounding rule of this module, applied once to an exact ``Fraction`` of fen.
ROUNDING = "half away from zero, to the fen"

#: Percent of the full-term premium retained, by months in force (短期费率表).
SHORT_RATE_TABLE: MappingProxyType[int, int] = MappingProxyType(
    {1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60, 7: 70, 8: 80, 9: 85, 10: 90, 11: 95, 12: 100}
)

#: ``pro_rata``: the insurer cancels; ``short_rate``: the insured cancels; ``flat``: from
#: inception.
BASES = ("pro_rata", "short_rate", "flat")


@dataclass(frozen=True)
class PremiumSlice:
    """One transaction's premium delta, fen, charged for ``[start, expiry)`` of its policy.

    New business starts on the policy's effective date, an endorsement on its own.
    """

    delta_fen: int
    start: date

    def __post_init__(self) -> None:
        if isinstance(self.delta_fen, bool) or not isinstance(self.delta_fen, int):
            raise PricingError(
                "must be an integer number of fen", field="delta_fen", value=self.delta_fen
            )
        if isinstance(self.start, datetime) or not isinstance(self.start, date):
            raise PricingError("must be a datetime.date", field="start", value=self.start)


@dataclass(frozen=True)
class Refund:
    """A cancellation's money, fen: ``returned_fen + retained_fen == written_fen``.

    ``returned_fen`` (>= 0) is handed back to the insured; ``explanation`` is JSON-native
    and names the days, months, fractions and table row used.
    """

    returned_fen: int
    retained_fen: int
    written_fen: int
    basis: str
    explanation: dict[str, Any]


def pro_rata_fen(amount_fen: int, *, days: int, of_days: int) -> int:
    """``amount_fen × days / of_days`` fen, exact, rounded once half away from zero.

    >>> pro_rata_fen(100_000, days=292, of_days=365)
    80000
    >>> pro_rata_fen(1, days=1, of_days=2), pro_rata_fen(-1, days=1, of_days=2)
    (1, -1)
    """
    if of_days <= 0:
        raise PricingError("must be > 0", field="of_days", value=of_days)
    if not 0 <= days <= of_days:
        raise PricingError(f"must be in [0, of_days={of_days}]", field="days", value=days)
    return _round_fen(Fraction(amount_fen) * days / of_days)


def months_in_force(effective: date, cancel: date) -> int:
    """Calendar months from ``effective`` to ``cancel``, a part month counted whole, at most 12.

    A month from the 31st ends on the last day of a shorter month: 2027-01-31 plus one month
    is 2027-02-28, plus two is 2027-03-31. 0 when ``cancel == effective``.

    >>> months_in_force(date(2027, 1, 31), date(2027, 2, 28))
    1
    >>> months_in_force(date(2027, 1, 31), date(2027, 3, 1))
    2
    """
    if cancel < effective:
        raise PricingError(
            f"must be on or after effective ({effective})", field="cancel", value=cancel
        )
    months = 0
    while months < 12 and _add_months(effective, months) < cancel:
        months += 1
    return months


def short_rate_fraction(effective: date, cancel: date) -> Fraction:
    """The share of the full-term premium retained when the insured cancels on ``cancel``.

    The standard short-period rate table (短期费率表) by months in force
    (:func:`months_in_force`; 不足一个月按一个月计算, a part month counts as a month):

    ======  ==  ==  ==  ==  ==  ==  ==  ==  ==  ==  ==  ===
    months   1   2   3   4   5   6   7   8   9  10  11   12
    rate %  10  20  30  40  50  60  70  80  85  90  95  100
    ======  ==  ==  ==  ==  ==  ==  ==  ==  ==  ==  ==  ===

    The table is for annual policies; cancelled on the effective day (0 months), it is 0.

    >>> short_rate_fraction(date(2027, 1, 1), date(2027, 4, 2))
    Fraction(2, 5)
    """
    months = months_in_force(effective, cancel)
    return Fraction(SHORT_RATE_TABLE[months], 100) if months else Fraction(0)


def cancellation_refund(
    slices: Sequence[PremiumSlice],
    *,
    basis: str,
    effective: date,
    expiry: date,
    cancel: date,
    minimum_retained: Fraction = Fraction(1, 4),
) -> Refund:
    """The premium returned and retained, fen, when a policy is cancelled on ``cancel``.

    ``basis`` (see :data:`BASES`):

    - ``pro_rata`` (the insurer cancels): each slice's unearned part, ``delta × days(max(cancel,
      start), expiry) / days(start, expiry)``, summed exactly and rounded once; a slice
      starting on or after ``cancel`` is returned whole. No minimum is retained.
    - ``short_rate`` (the insured cancels): retained = round(written × max(short-rate fraction,
      ``minimum_retained``)) (:func:`short_rate_fraction`). The minimum retained premium,
      25% of the written premium by default, applies only to the insured's cancellation.
    - ``flat`` (from inception, ``cancel == effective``): everything is returned.

    >>> refund = cancellation_refund([PremiumSlice(100_000, date(2027, 1, 1))], basis="pro_rata",
    ...     effective=date(2027, 1, 1), expiry=date(2028, 1, 1), cancel=date(2027, 3, 15))
    >>> refund.returned_fen, refund.retained_fen
    (80000, 20000)
    """
    written = _written(slices, effective=effective, expiry=expiry)
    _check_cancel(basis, effective=effective, expiry=expiry, cancel=cancel)
    if basis == "pro_rata":
        returned, explanation = _pro_rata(slices, expiry=expiry, cancel=cancel)
    elif basis == "short_rate":
        returned, explanation = _short_rate(written, effective, cancel, minimum_retained)
    else:
        returned, explanation = written, {"fraction_returned": "1/1"}
    days = {"policy_days": (expiry - effective).days, "days_in_force": (cancel - effective).days}
    return Refund(
        returned_fen=returned,
        retained_fen=written - returned,
        written_fen=written,
        basis=basis,
        explanation={"basis": basis, **days, **explanation, "rounding": ROUNDING},
    )


def _pro_rata(
    slices: Sequence[PremiumSlice], *, expiry: date, cancel: date
) -> tuple[int, dict[str, Any]]:
    unearned, rows = Fraction(0), []
    for piece in slices:
        days = (expiry - piece.start).days
        unearned_days = (expiry - max(cancel, piece.start)).days
        unearned += Fraction(piece.delta_fen) * unearned_days / days
        rows.append(
            {
                "delta_fen": piece.delta_fen,
                "start": piece.start.isoformat(),
                "days": days,
                "unearned_days": unearned_days,
                "fraction_unearned": f"{unearned_days}/{days}",
            }
        )
    returned = _round_fen(unearned)
    # Only endorsements that hand back more than their slice's premium can make this negative.
    floored = returned < 0
    explanation = {"slices": rows, "unearned_fen": str(unearned), "floored_at_zero": floored}
    return max(returned, 0), explanation


def _short_rate(
    written: int, effective: date, cancel: date, minimum: Fraction
) -> tuple[int, dict[str, Any]]:
    if not isinstance(minimum, Rational) or not 0 <= minimum <= 1:
        raise PricingError("must be a Fraction in [0, 1]", field="minimum_retained", value=minimum)
    months = months_in_force(effective, cancel)
    table = short_rate_fraction(effective, cancel)
    used = max(table, Fraction(minimum))
    retained = _round_fen(written * used)
    return max(0, written - retained), {
        "months_in_force": months,
        "table_row": {"months": months, "percent_retained": SHORT_RATE_TABLE[months]}
        if months
        else None,
        "short_rate_fraction": f"{SHORT_RATE_TABLE.get(months, 0)}/100",
        "minimum_retained": str(Fraction(minimum)),
        "minimum_applied": table < minimum,
        "fraction_retained": str(used),
    }


def _written(slices: Sequence[PremiumSlice], *, effective: date, expiry: date) -> int:
    """Σ delta_fen, after checking the period and that each slice starts inside it."""
    if not effective < expiry:
        raise PricingError(f"must be after effective ({effective})", field="expiry", value=expiry)
    if not slices:
        raise PricingError("must hold at least the new-business premium", field="slices", value=[])
    for piece in slices:
        if not effective <= piece.start < expiry:
            raise PricingError(
                f"must be inside the policy period [{effective}, {expiry})",
                field="start",
                value=piece.start,
            )
    written = sum(piece.delta_fen for piece in slices)
    if written < 0:
        raise PricingError("must be >= 0", field="written_fen", value=written)
    return written


def _check_cancel(basis: str, *, effective: date, expiry: date, cancel: date) -> None:
    if basis not in BASES:
        raise PricingError(f"must be one of {', '.join(BASES)}", field="basis", value=basis)
    if not effective <= cancel < expiry:
        raise PricingError(
            f"must be inside the policy period [{effective}, {expiry})",
            field="cancel_date",
            value=cancel,
        )
    if basis == "flat" and cancel != effective:
        raise PricingError(
            f"must equal effective ({effective}) for a flat cancellation",
            field="cancel_date",
            value=cancel,
        )


def _add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, the day clamped to the month's last."""
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _round_fen(value: Fraction) -> int:
    """``value`` fen to the nearest fen, half away from zero (:data:`ROUNDING`)."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude
