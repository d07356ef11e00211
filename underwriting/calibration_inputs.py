"""What a calibration fits, read from an insured history as an actuary sees it on a date.

``pricing.calibration`` fits arrays; this module makes them from an ``InsuredView`` (the
demo market's insured history as of a date, ``underwriting.demo_market.insured``), every
immature figure developed to ultimate first:

- **frequency**: the enterprise half-years to date — hazard class, the hazard metrics ``x``
  from the snapshot at the period's start, exposure = employees/100 × years at risk, and the
  incidents that occurred;
- **liability**: the incidents at clients of firms insured on the incident date, each with
  its window — from the incident to the end of the firm's continuous cover or the as-of
  date, whichever is first (the view's ``covered_until``): a liable incident is claimed only
  if it is reported within it;
- **reporting**: each claim's report lag and its incident's window, from which
  ``pricing.report_lag`` estimates the right-truncated lag distribution;
- **severity**: the incidents' direct losses by hazard class (known when they happen: the
  ground-up severity needs no development), with the mean liability share the claims made
  by then were assessed at, which scales them to claim amounts;
- **experience**: per firm and policy year, the claims' case incurred to date developed by
  the policy-year chain-ladder factor of its origin (ultimate / latest), against the model's
  expected loss of the term (its share elapsed by the as-of date).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pricing import ChainLadder
from pricing.calibration import (
    CalibrationData,
    ExperienceData,
    FrequencyData,
    LiabilityData,
    ReportingData,
    SeverityData,
)
from pricing.errors import PricingError
from pricing.model import HAZARD_CLASSES
from underwriting.demo_market.insured import InsuredView


def calibration_data(view: InsuredView) -> CalibrationData:
    """The four data sets of ``pricing.calibration`` from ``view`` (module docstring)."""
    return CalibrationData(
        frequency=_frequency(view),
        liability=_liability(view),
        severity=_severity(view),
        experience=_experience(view),
        reporting=_reporting(view),
    )


def _class_index(names: Sequence[str]) -> np.ndarray:
    order = {name: i for i, name in enumerate(HAZARD_CLASSES)}
    return np.array([order[str(n)] for n in names], dtype=int)


def _frequency(view: InsuredView) -> FrequencyData:
    e = view.exposure
    at_risk = e.exposure_years > 0
    return FrequencyData(
        hazard_class=_class_index(e.hazard_class[at_risk]),
        features=np.asarray(e.features[at_risk], dtype=float),
        exposure=(e.employees[at_risk] / 100.0) * e.exposure_years[at_risk],
        incidents=np.asarray(e.incidents[at_risk], dtype=float),
    )


def _severity(view: InsuredView) -> SeverityData:
    i, shares = view.incidents, view.claims.share
    share = float(np.mean(shares)) if len(shares) else None
    return SeverityData(_class_index(i.hazard_class), i.loss_fen / 100.0, share, len(shares))


def _liability(view: InsuredView) -> LiabilityData:
    i = view.incidents
    watched = i.insured & (i.firm_id > 0)
    return LiabilityData(
        deficits=np.asarray(i.deficits[watched], dtype=float),
        liable=i.claimed[watched].astype(float),
        window_days=_days(i.covered_until[watched] - i.occurred_date[watched]),
    )


def _reporting(view: InsuredView) -> ReportingData:
    """Each claim's lag and its incident's window (the claims seen, right-truncated)."""
    c, i = view.claims, view.incidents
    row = {int(ident): n for n, ident in enumerate(i.incident_id)}
    incident = np.array([row[int(ident)] for ident in c.incident_id], dtype=int)
    return ReportingData(
        lag_days=_days(c.first_made_date - c.incident_date),
        window_days=_days(i.covered_until[incident] - i.occurred_date[incident]),
    )


def _days(span: np.ndarray) -> np.ndarray:
    return np.asarray(span, dtype="timedelta64[D]").astype(float)


def _experience(view: InsuredView) -> ExperienceData:
    p, c = view.policies, view.claims
    if len(p) == 0:
        raise PricingError("the history has no policies written by the as-of date", field="as_of")
    incurred = view.triangle("incurred", origin="policy_year")
    fit = ChainLadder(average="volume", tail=1.0).fit(incurred.values)
    latest = incurred.latest()
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(latest > 0, fit.ultimate_ / latest, 1.0)
    factor = dict(
        zip(incurred.origins.tolist(), np.nan_to_num(factor, nan=1.0).tolist(), strict=True)
    )
    per_policy = np.zeros(len(p))
    rows = {int(pid): n for n, pid in enumerate(p.policy_id)}
    for pid, year, amount in zip(c.policy_id, c.policy_year, c.incurred_fen, strict=True):
        per_policy[rows[int(pid)]] += amount / 100.0 * factor.get(int(year), 1.0)
    term = (p.expiry_date - p.effective_date).astype(float)
    elapsed = np.clip(
        (view.as_of + np.timedelta64(1, "D") - p.effective_date).astype(float), 0, term
    )
    expected = np.asarray(p.expected_loss, dtype=float) * elapsed / term
    firms, firm_row = np.unique(p.firm_id, return_inverse=True)
    years, year_col = np.unique(p.policy_year, return_inverse=True)
    actual_grid = np.full((len(firms), len(years)), np.nan)
    expected_grid = np.full((len(firms), len(years)), np.nan)
    actual_grid[firm_row, year_col] = 0.0  # the insured cells, nan elsewhere
    expected_grid[firm_row, year_col] = 0.0
    np.add.at(actual_grid, (firm_row, year_col), per_policy)
    np.add.at(expected_grid, (firm_row, year_col), expected)
    return ExperienceData(actual_grid, expected_grid)
