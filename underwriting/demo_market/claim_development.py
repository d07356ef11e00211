"""How one claim is reserved and paid, from its report to its final payment.

Given the claim's ultimate payable U (fen, from ``claims.payable``), the most it could pay
(its limit room), its report day and its draws (``claim_draws``):

1. **settlement time** T days after report: lognormal, median ``SETTLEMENT.median_days`` ×
   (max(U, ¥10k)/¥100k)^elasticity — big claims take longer (litigation, appeal,
   enforcement) — clipped to ``SETTLEMENT.bounds_days``;
2. **payments**: up to ``interim_max`` interim payments, each present with probability
   clip(slope · log10(U/¥10k), 0, 0.8) at a uniform time in (0, T), and the final payment at
   T; their amounts split U by Gamma weights (the final one heavier), to the fen exactly;
3. **case reserves**: reviewed on report, at every interim payment and every year after
   report; the case-incurred estimate at t is ``U · exp((1 − t/T)(bias + σ Z_t))`` — biased
   low and noisy on report, exact at settlement — kept between the paid to date and the
   claim's limit room; the case reserve is the estimate less the paid to date.

Each claim yields movements (day, paid, change in case reserve) with paid ≥ 0, cumulative
paid ending at U and case incurred (paid + reserve) ending at U with the reserve at 0.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.insured_truth import RESERVING, SETTLEMENT

FEN_PER_YUAN = 100
SIZE_REFERENCE_FEN = 100_000 * FEN_PER_YUAN
SIZE_FLOOR_FEN = 10_000 * FEN_PER_YUAN


@dataclass(frozen=True)
class ClaimPath:
    """One claim's movements: offsets in days from report (rising, first 0), fen paid and
    fen of case-reserve change on each; ``settled_after`` is T."""

    offsets: list[int]
    paid: list[int]
    reserve_change: list[int]
    settled_after: int


def claim_path(
    ultimate: int,
    room: int,
    *,
    duration_z: float,
    interim_u: np.ndarray,
    interim_t: np.ndarray,
    weights: np.ndarray,
    reserve_z: np.ndarray,
) -> ClaimPath:
    """The movements of a claim of ultimate ``ultimate`` fen and limit room ``room`` fen."""
    duration = settlement_days(ultimate, duration_z)
    interim = interim_u < interim_probability(ultimate)
    times = interim_t[interim].tolist()
    pay_days = [*sorted(max(1, min(duration - 1, round(t * duration))) for t in times), duration]
    amounts = _instalments(ultimate, [*weights[:-1][interim].tolist(), float(weights[-1])])
    paid_on: dict[int, int] = {}
    for day, amount in zip(pay_days, amounts, strict=True):
        paid_on[day] = paid_on.get(day, 0) + amount
    reviews = sorted({0, *pay_days[:-1], *range(RESERVING.review_days, duration, 365)})
    return _movements(ultimate, room, duration, paid_on, reviews, reserve_z)


def settlement_days(ultimate: int, z: float) -> int:
    """T, whole days from report to the final payment."""
    size = max(ultimate, SIZE_FLOOR_FEN) / SIZE_REFERENCE_FEN
    median = SETTLEMENT.median_days * size**SETTLEMENT.size_elasticity
    low, high = SETTLEMENT.bounds_days
    return int(min(high, max(low, round(median * math.exp(SETTLEMENT.sigma * z)))))


def interim_probability(ultimate: int) -> float:
    """P(each possible interim payment): clip(slope · log10(U / ¥10k), 0, 0.8)."""
    if ultimate <= SIZE_FLOOR_FEN:
        return 0.0
    return min(0.8, SETTLEMENT.interim_slope * math.log10(ultimate / SIZE_FLOOR_FEN))


def _instalments(total: int, weights: list[float]) -> list[int]:
    """``total`` fen split in proportion to ``weights``, rounding the running sum, so the
    parts are whole fen, non-negative and add up to ``total`` exactly."""
    cumulative = np.cumsum(weights) / sum(weights)
    marks = [0, *(round(total * c) for c in cumulative[:-1].tolist()), total]
    return [b - a for a, b in itertools.pairwise(marks)]


def _movements(
    ultimate: int,
    room: int,
    duration: int,
    paid_on: dict[int, int],
    reviews: list[int],
    reserve_z: np.ndarray,
) -> ClaimPath:
    offsets, paid, changes = [], [], []
    paid_total, reserve = 0, 0
    for j, day in enumerate([*reviews, duration]):
        paid_today = paid_on.get(day, 0)
        paid_total += paid_today
        if day == duration:
            incurred = paid_total
        else:
            error = (1 - day / duration) * (RESERVING.bias + RESERVING.sigma * reserve_z[j])
            estimate = round(ultimate * math.exp(error))
            incurred = min(max(estimate, paid_total), max(room, paid_total))
        new_reserve = incurred - paid_total
        offsets.append(day)
        paid.append(paid_today)
        changes.append(new_reserve - reserve)
        reserve = new_reserve
    return ClaimPath(offsets, paid, changes, duration)
