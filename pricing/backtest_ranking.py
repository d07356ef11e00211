"""How well a model ranks and scales risks: deciles, the ordered Lorenz curve and Gini, and
the calibration slope — array in, numbers out, for :mod:`pricing.backtest_metrics`.

Ties are taken together everywhere (policies with the same sort key land in the same decile
and make one step of a Lorenz curve), so that the order in which policies arrive changes
nothing and a model cannot look better for how its ties happened to be broken.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from pricing.backtest_policies import relativity

__all__ = [
    "CURVE_POINTS",
    "DECILES",
    "INTERVAL_Z",
    "calibration_slope",
    "curve_on_grid",
    "deciles",
    "gini_index",
    "ordered_lorenz",
]

DECILES = 10
#: Intervals are the estimate ± INTERVAL_Z standard errors: 95% if normal.
INTERVAL_Z = 1.959963984540054
#: A Lorenz curve in the JSON is read off at this many evenly spaced base shares, 0 to 1.
CURVE_POINTS = 101


def deciles(key: NDArray[np.float64], *, weight: NDArray[np.float64]) -> NDArray[np.int64]:
    """Decile 1–10 of each policy by ``key`` ascending, each decile ~10% of the ``weight``.

    The CAS monograph's quantiles of equal exposure (Goldburd, Khare, Tevet & Guller,
    *Generalized Linear Models for Insurance Rating*, CAS Monograph 5, 2nd ed. 2020, §7.2):
    a policy goes to the decile holding the midpoint of its share of the cumulative weight,
    and a group of tied keys to the decile holding the midpoint of the group — so a decile
    may be empty when one value of the key carries more than a tenth of the weight.

    >>> deciles(np.arange(20.0), weight=np.ones(20)).tolist()[:6]
    [1, 1, 2, 2, 3, 3]
    >>> deciles(np.array([5.0, 1.0, 5.0, 9.0]), weight=np.ones(4)).tolist()
    [6, 2, 6, 9]
    """
    _, group = np.unique(key, return_inverse=True)
    group_weight = np.bincount(group, weights=weight)
    ends = np.cumsum(group_weight)
    middle = (ends - group_weight / 2) / ends[-1]
    group_decile = np.minimum(np.floor(middle * DECILES), DECILES - 1).astype(np.int64) + 1
    return group_decile[group]


def ordered_lorenz(
    score: NDArray[np.float64], *, base: NDArray[np.float64], loss: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """The vertices ``(base_share, loss_share)`` of the ordered Lorenz curve of Frees,
    Meyers & Cummings (2011, *JASA* 106(495), "Summarizing insurance scores using a Gini
    index"), from (0, 0) to (1, 1); ``None`` when there is no loss to share out.

    Policies are ordered by relativity ``R = score / base`` ascending; at each distinct
    relativity *s* the curve is at ``(Σ base·[R ≤ s] / Σ base, Σ loss·[R ≤ s] / Σ loss)``.
    A base of zero reads as the limit (see :func:`pricing.backtest_policies.relativity`).
    With ``base`` the exposure this is the plain Lorenz curve of a model's loss costs.

    >>> x, y = ordered_lorenz(np.array([1.0, 3.0]), base=np.ones(2), loss=np.array([0.0, 2.0]))
    >>> x.tolist(), y.tolist()
    ([0.0, 0.5, 1.0], [0.0, 0.0, 1.0])
    """
    if loss.sum() <= 0 or base.sum() <= 0:
        return None
    _, group = np.unique(relativity(score, base), return_inverse=True)
    base_steps = np.bincount(group, weights=base)
    loss_steps = np.bincount(group, weights=loss)
    base_share = np.concatenate([[0.0], np.cumsum(base_steps) / base_steps.sum()])
    loss_share = np.concatenate([[0.0], np.cumsum(loss_steps) / loss_steps.sum()])
    return base_share, loss_share


def gini_index(base_share: NDArray[np.float64], loss_share: NDArray[np.float64]) -> float:
    """Twice the area between the line of equality and the curve through the vertices:
    ``1 − Σ (x_k − x_{k−1}) (y_k + y_{k−1})`` (trapezoids, exact for the piecewise-linear
    curve). Positive when the curve runs below the line — the score finds the policies
    whose losses are low relative to their base — as in Frees, Meyers & Cummings (2011);
    0 for a score that ranks nothing; at most 1.

    >>> gini_index(np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.0, 1.0]))
    0.5
    """
    return float(1.0 - np.sum(np.diff(base_share) * (loss_share[1:] + loss_share[:-1])))


def curve_on_grid(
    base_share: NDArray[np.float64], loss_share: NDArray[np.float64]
) -> dict[str, list[float]]:
    """The curve read off at :data:`CURVE_POINTS` even base shares, for JSON and charts.

    >>> curve_on_grid(np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.0, 1.0]))["loss_share"][75]
    0.5
    """
    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    return {
        "base_share": [round(float(x), 10) for x in grid],
        "loss_share": [float(y) for y in np.interp(grid, base_share, loss_share)],
    }


def calibration_slope(
    actual: NDArray[np.float64], expected: NDArray[np.float64], *, weight: NDArray[np.float64]
) -> dict[str, float | None]:
    """The weighted least-squares line of actual on predicted loss cost, per policy.

    Loss costs are ``actual / weight`` and ``expected / weight``, weighted by ``weight``
    (the exposure; 1 each gives plain OLS of actual on expected). A calibrated model has
    slope 1 and intercept 0; a slope below 1 says its spread of prices is too wide. The
    standard error is the heteroscedasticity-robust HC1 one (White 1980, with MacKinnon &
    White's n/(n−2)), since losses are anything but homoscedastic; ``None`` with fewer than
    three policies, and the slope ``None`` when every prediction is the same.

    >>> fit = calibration_slope(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]),
    ...                         weight=np.ones(3))
    >>> fit["slope"], fit["intercept"], fit["slope_se"]
    (1.0, 0.0, 0.0)
    """
    x, y = expected / weight, actual / weight
    x_mean, y_mean = np.average(x, weights=weight), np.average(y, weights=weight)
    spread = np.sum(weight * (x - x_mean) ** 2)
    if spread <= 0 or not math.isfinite(spread):
        return {"slope": None, "intercept": None, "slope_se": None}
    slope = float(np.sum(weight * (x - x_mean) * (y - y_mean)) / spread)
    intercept = float(y_mean - slope * x_mean)
    size = len(x)
    if size < 3:
        return {"slope": slope, "intercept": intercept, "slope_se": None}
    residual = y - intercept - slope * x
    meat = np.sum((weight * (x - x_mean) * residual) ** 2) * size / (size - 2)
    return {"slope": slope, "intercept": intercept, "slope_se": float(math.sqrt(meat) / spread)}
