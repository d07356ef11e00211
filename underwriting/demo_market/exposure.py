"""The frequency data: every enterprise's half-years with the truth's features and rate.

The market draws each half-year's incidents as Poisson(λ_e / 2), λ_e from the snapshot at the
half-year's start (``history.py``); this recomputes x and λ_e from the snapshot *rows* with
the truth's own formulas (``truth.frequency_features``, ``truth.annual_frequency``), so a
Poisson GLM with offset log(exposure) fitted to these rows estimates exactly the truth's λ0
and β.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pricing import HAZARD_CLASSES
from underwriting.demo_market.insured_tables import ExposurePeriods
from underwriting.demo_market.market_arrays import MarketArrays
from underwriting.demo_market.truth import annual_frequency, frequency_features
from underwriting.demo_market.window import HALF_YEAR


def exposure_periods(arrays: MarketArrays) -> tuple[ExposurePeriods, np.ndarray]:
    """The table, and each incident's row in it (period-major: row = period × enterprises
    + enterprise position)."""
    s, p = arrays.snapshots, arrays.parties
    periods, n = len(s.as_of_day), len(p.enterprise_ids)
    bounds = np.append(s.as_of_day, arrays.window.end_day + 1)
    x = frequency_features(
        standardisation_steps=np.tile(p.enterprise_grade, periods),
        major_hazard_sources=np.tile(p.enterprise_sources, periods),
        closure_rate=s.closure_rate.ravel(),
        overdue=s.overdue.ravel(),
        accidents_3y=s.accidents.reshape(periods * n, 4),
        employees=np.tile(p.enterprise_employees, periods),
        iot_alarm_rate=s.iot_alarm_rate.ravel(),
    )
    classes = np.tile(p.enterprise_class, periods)
    employees = np.tile(p.enterprise_employees, periods)
    period = np.searchsorted(s.as_of_day, arrays.incidents.day, side="right") - 1
    row = period * n + arrays.incidents.enterprise
    table = ExposurePeriods(
        enterprise_id=np.tile(p.enterprise_ids, periods),
        period_start=np.repeat(s.as_of_day, n).astype("datetime64[D]"),
        period_end=np.repeat(bounds[1:], n).astype("datetime64[D]"),
        hazard_class=np.array(HAZARD_CLASSES)[classes],
        employees=employees,
        features=x,
        true_rate=annual_frequency(classes, employees, x),
        exposure_years=np.full(periods * n, HALF_YEAR),
        incidents=np.bincount(row, minlength=periods * n),
    )
    return table, row


def exposure_to_date(
    table: ExposurePeriods, incident_row: np.ndarray, occurred: np.ndarray, as_of: np.datetime64
) -> ExposurePeriods:
    """The periods begun by ``as_of``: exposure pro rata to the days elapsed, incidents
    counted up to it."""
    begun = table.period_start <= as_of
    elapsed = (np.minimum(table.period_end, as_of + 1) - table.period_start).astype(np.float64)
    length = (table.period_end - table.period_start).astype(np.float64)
    counts = np.bincount(incident_row[occurred <= as_of], minlength=len(table))
    partial = replace(
        table,
        exposure_years=table.exposure_years * np.clip(elapsed / length, 0.0, 1.0),
        incidents=counts,
    )
    return partial.take(begun)
