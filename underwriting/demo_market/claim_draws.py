"""What every incident of the market would become as a claim, drawn once, before any policy.

For each incident: the firm serving the enterprise that day (the engagement in force), and
whether the incident is that firm's liability — Bernoulli(π_f), the truth's liability
probability; then, for a liable one, the report lag, the firm's share, the defence costs and
the random numbers its reserving and payment will use. Whether it becomes a *claim* depends
on the cover in force when it is first made (``cover``), decided later.

Drawing everything per incident up front, from a stream of its own, keeps common random
numbers: a different rating model (and so different purchases) leaves every incident's
liability, lag and loss as they were, and changes only which of them are insured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.insured_truth import (
    DEFENCE,
    REPORT_LAG,
    RESERVING,
    SETTLEMENT,
    SHARES,
)
from underwriting.demo_market.market_arrays import MarketArrays
from underwriting.demo_market.streams import categorical_draws

#: Reserve reviews a claim can have: report, interim payments and yearly reviews.
MAX_REVIEWS = 12


@dataclass(frozen=True, eq=False)
class IncidentDraws:
    """Per incident (market id order). ``firm`` is the serving firm's position, -1 for none;
    ``lag_days`` the days from the incident to the claim first made; ``share`` indexes
    ``SHARES.values``; ``defence_fen`` the claim's defence costs (before the share). The
    rest are the development's random numbers (``claim_development``)."""

    firm: np.ndarray
    liable: np.ndarray
    lag_days: np.ndarray
    share: np.ndarray
    defence_fen: np.ndarray
    duration_z: np.ndarray
    interim_u: np.ndarray
    interim_t: np.ndarray
    weights: np.ndarray
    reserve_z: np.ndarray


def draw_incident_claims(arrays: MarketArrays, rng: np.random.Generator) -> IncidentDraws:
    """The draws of every incident of ``arrays`` (see the module docstring)."""
    incidents = arrays.incidents
    n = len(incidents.ids)
    firm = serving_firm(arrays)
    pi = np.where(firm >= 0, arrays.parties.firm_liability[np.maximum(firm, 0)], 0.0)
    liable = rng.random(n) < pi
    noise = np.exp(DEFENCE.sigma * rng.standard_normal(n) - DEFENCE.sigma**2 / 2)
    defence = np.rint(incidents.loss_fen * DEFENCE.ratio * noise).astype(np.int64)
    interim = SETTLEMENT.interim_max
    weights = np.column_stack(
        (rng.gamma(1.0, size=(n, interim)), rng.gamma(SETTLEMENT.final_weight, size=n))
    )
    return IncidentDraws(
        firm=firm,
        liable=liable,
        lag_days=report_lags(n, rng),
        share=categorical_draws(np.tile(SHARES.mix, (n, 1)), rng),
        defence_fen=defence,
        duration_z=rng.standard_normal(n),
        interim_u=rng.random((n, interim)),
        interim_t=rng.random((n, interim)),
        weights=weights,
        reserve_z=_autoregressive(n, rng),
    )


def serving_firm(arrays: MarketArrays) -> np.ndarray:
    """The firm (position) whose engagement with the incident's enterprise was in force on
    the incident day, -1 where none was. An enterprise's contracts never overlap."""
    c, incidents = arrays.contracts, arrays.incidents
    span = int(max(c.end_day.max(initial=0), incidents.day.max(initial=0))) + 2
    key = c.enterprise * span + c.start_day
    order = np.argsort(key, kind="stable")
    probe = incidents.enterprise * span + incidents.day
    at = np.searchsorted(key[order], probe, side="right") - 1
    contract = order[np.maximum(at, 0)]
    found = (
        (at >= 0)
        & (c.enterprise[contract] == incidents.enterprise)
        & (c.end_day[contract] >= incidents.day)
    )
    return np.where(found, c.firm[contract], -1)


def report_lags(n: int, rng: np.random.Generator) -> np.ndarray:
    """Whole days, lognormal(log median, σ) conditioned on at most the cap (rejection: the
    few draws past it are drawn again), rounded up, at least 1."""
    mu = np.log(REPORT_LAG.median_days)
    lags = np.exp(mu + REPORT_LAG.sigma * rng.standard_normal(n))
    redraw = lags > REPORT_LAG.cap_days
    while redraw.any():
        lags[redraw] = np.exp(mu + REPORT_LAG.sigma * rng.standard_normal(int(redraw.sum())))
        redraw = lags > REPORT_LAG.cap_days
    return np.maximum(1, np.ceil(lags)).astype(np.int64)


def _autoregressive(n: int, rng: np.random.Generator) -> np.ndarray:
    """n × ``MAX_REVIEWS`` standard normals, AR(1) along each row: a reserve's errors at
    successive reviews are correlated, as an adjuster revises rather than restarts."""
    rho = RESERVING.autocorrelation
    shocks = rng.standard_normal((n, MAX_REVIEWS))
    z = np.empty_like(shocks)
    z[:, 0] = shocks[:, 0]
    for j in range(1, MAX_REVIEWS):
        z[:, j] = rho * z[:, j - 1] + np.sqrt(1 - rho**2) * shocks[:, j]
    return z
