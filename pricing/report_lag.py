"""The report-lag distribution of claims-made claims, from right-truncated data.

A liable incident becomes a claim only if it is reported while it can be seen: by the
evaluation date, and while the firm still holds cover. Each claim seen has a lag ``L``
(incident to first made, days) and a window ``T`` (incident to the last day it could have
been seen); ``L <= T`` by construction, so the lags are **right-truncated** and their plain
empirical distribution is too short. The product-limit estimator of D. Lynden-Bell (*MNRAS*
155, 1971, 95–118) for truncated data, in the right-truncated form of Woodroofe (*Ann.
Statist.* 13, 1985, 163–177), corrects it:

    F(t) = Π_{s_j > t} (1 − d_j / n_j),   n_j = #{i : L_i <= s_j <= T_i},

over the distinct lags ``s_j`` with ``d_j`` claims each. From ``F`` follow the two things a
calibration needs: the share of a liable incident's claims that a window of ``T`` days sees,
``F(T)``, and the claims-made steps: a policy in its k-th year since the retro date answers
for the claims made in that year from incidents since the retro date, which, for incidents
spread evenly in time, is ``step_k = ∫_{k−1}^{k} F(t) dt`` (t in years) of a mature policy's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pricing.errors import PricingError

__all__ = ["ReportLag", "report_lag"]

DAYS_A_YEAR = 365.25


@dataclass(frozen=True)
class ReportLag:
    """``F`` as a right-continuous step function: ``cdf[j]`` at lag ``days[j]`` (sorted)."""

    days: np.ndarray
    cdf: np.ndarray
    claims: int

    def __call__(self, days: np.ndarray | float) -> np.ndarray:
        """F(t) for ``days`` (0 before the first lag, 1 from the last)."""
        t = np.asarray(days, dtype=float)
        at = np.searchsorted(self.days, t, side="right") - 1
        return np.where(at >= 0, self.cdf[np.maximum(at, 0)], 0.0)

    def steps(self, count: int = 5) -> list[float]:
        """The claims-made steps ``∫_{k−1}^{k} F(t) dt`` for k = 1 … ``count`` (years); the
        last is 1 (a mature policy) whatever the data say."""
        if count < 2:
            raise PricingError("must be at least 2", field="count", value=count)
        edges = np.concatenate([[0.0], self.days / DAYS_A_YEAR])
        values = np.concatenate([[0.0], self.cdf])
        out = [_integral(edges, values, k - 1.0, float(k)) for k in range(1, count)]
        return [min(1.0, max(s, 1e-6)) for s in out] + [1.0]


def report_lag(lags: np.ndarray, windows: np.ndarray) -> ReportLag:
    """Estimate F from claims' ``lags`` and ``windows`` (days, ``0 <= lag <= window``)."""
    lags = np.asarray(lags, dtype=float)
    windows = np.asarray(windows, dtype=float)
    if lags.shape != windows.shape or lags.ndim != 1:
        raise PricingError(
            "must be two 1-D arrays of one length", field="lags", value=(lags.shape, windows.shape)
        )
    if lags.size == 0:
        raise PricingError("no claim to estimate the report lag from", field="lags", value=0)
    bad = ~np.isfinite(lags) | ~np.isfinite(windows) | (lags < 0) | (lags > windows)
    if bad.any():
        i = int(np.argmax(bad))
        raise PricingError(
            "must be finite with 0 <= lag <= window",
            field=f"lags[{i}]",
            value=(lags[i], windows[i]),
        )
    days, counts = np.unique(lags, return_counts=True)
    # n_j: claims whose lag is at most s_j and whose window reaches s_j.
    order_l, order_w = np.sort(lags), np.sort(windows)
    at_most = np.searchsorted(order_l, days, side="right")
    window_short = np.searchsorted(order_w, days, side="left")  # windows < s_j
    risk = at_most - np.minimum(window_short, at_most)
    risk = np.maximum(risk, counts)
    factors = 1.0 - counts / risk
    # F(s_j) = Π over later lags; F at the last lag is 1.
    later = np.concatenate([np.cumprod(factors[::-1])[::-1][1:], [1.0]])
    return ReportLag(days=days, cdf=later, claims=int(lags.size))


def _integral(edges: np.ndarray, values: np.ndarray, a: float, b: float) -> float:
    """∫_a^b of the right-continuous step function taking ``values[j]`` from ``edges[j]``."""
    points = np.concatenate([[a], edges[(edges > a) & (edges < b)], [b]])
    heights = values[np.searchsorted(edges, points[:-1], side="right") - 1]
    return float(np.sum(heights * np.diff(points)))
