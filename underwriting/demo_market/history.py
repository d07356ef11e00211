"""The market's history, half-year by half-year: snapshot, then incidents.

At the start of each half-year t (1 January, 1 July) every enterprise files a hazard
snapshot; its metrics give x_e and so the true frequency λ_e (``truth.annual_frequency``);
the half-year's incidents are Poisson(λ_e / 2), each with its outcome (``severity``) and a
time uniform in the half-year. Incidents feed the accident counts of later snapshots: a
snapshot as of day a counts the incidents with ``occurred_at`` in [a − 3 years, a), by grade
— only those inside the window, since nothing before it is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.enterprises import EnterprisePanel
from underwriting.demo_market.findings import FindingLog
from underwriting.demo_market.severity import GRADES, Outcomes, incident_outcomes, join_outcomes
from underwriting.demo_market.snapshots import RecordMetrics, onboarding_metrics, record_metrics
from underwriting.demo_market.truth import (
    STANDARDISATION_STEPS,
    annual_frequency,
    frequency_features,
)
from underwriting.demo_market.window import HALF_YEAR, SECONDS_PER_DAY, Window

#: Half-years in the three-year accident look-back of a snapshot.
LOOKBACK_PERIODS = 6
#: Noise of an IoT alarm rate around the enterprise's level, log-sd per snapshot.
IOT_NOISE = 0.25


@dataclass(frozen=True)
class Snapshots:
    """Hazard snapshots, periods × enterprises (``accidents`` periods × enterprises × 4
    grades; ``iot_alarm_rate`` NaN where not monitored)."""

    as_of_day: np.ndarray
    general: np.ndarray
    major: np.ndarray
    closure_rate: np.ndarray
    overdue: np.ndarray
    accidents: np.ndarray
    iot_alarm_rate: np.ndarray
    penalties: np.ndarray


@dataclass(frozen=True)
class History:
    """Snapshots, incidents (sorted by time; ``enterprise`` is a panel position) and the true
    annual frequency of every enterprise in every half-year (periods × enterprises)."""

    snapshots: Snapshots
    incident_enterprise: np.ndarray
    occurred_second: np.ndarray
    outcomes: Outcomes
    annual_rates: np.ndarray


def simulate_history(
    enterprises: EnterprisePanel,
    findings: FindingLog,
    finding_enterprise: np.ndarray,
    finding_visit_day: np.ndarray,
    window: Window,
    rng: np.random.Generator,
) -> History:
    """Snapshots and incidents of every half-year; see the module docstring."""
    bounds = window.period_bounds()
    tally = AccidentTally(len(enterprises), len(bounds) - 1)
    frames, rates, incidents = [], [], []
    metrics = onboarding_metrics(enterprises, rng)
    for t in range(len(bounds) - 1):
        if t > 0:
            metrics = record_metrics(
                findings, finding_enterprise, finding_visit_day, bounds[t], metrics.closure_rate
            )
        accidents = tally.prior_three_years(t)
        iot = _iot_alarm_rates(enterprises, t, rng)
        x = _features(enterprises, metrics, accidents, iot)
        rate = annual_frequency(enterprises.hazard_class, enterprises.employees, x)
        penalties = rng.poisson(0.05 + 0.25 * metrics.major + 0.5 * tally.prior_grave_year(t))
        who, when, outcomes = _half_year_incidents(enterprises, rate, bounds[t : t + 2], rng)
        tally.record(t, who, outcomes)
        frames.append((metrics, accidents, iot, penalties))
        rates.append(rate)
        incidents.append((who, when, outcomes))
    return _assemble(bounds[:-1], frames, np.array(rates), incidents)


class AccidentTally:
    """Incidents per enterprise and half-year: by grade, and those with a death or serious
    injury (which draw administrative penalties)."""

    def __init__(self, enterprises: int, periods: int) -> None:
        self.by_grade = np.zeros((enterprises, periods, len(GRADES)), dtype=np.int64)
        self.grave = np.zeros((enterprises, periods), dtype=np.int64)

    def record(self, period: int, who: np.ndarray, outcomes: Outcomes) -> None:
        n = self.by_grade.shape[0]
        cells = np.bincount(who * len(GRADES) + outcomes.grade, minlength=n * len(GRADES))
        self.by_grade[:, period] = cells.reshape(n, len(GRADES))
        grave = who[outcomes.deaths + outcomes.serious > 0]
        self.grave[:, period] = np.bincount(grave, minlength=n)

    def prior_three_years(self, period: int) -> np.ndarray:
        """Enterprises × grades: incidents in the ``LOOKBACK_PERIODS`` before ``period``."""
        return self.by_grade[:, max(0, period - LOOKBACK_PERIODS) : period].sum(axis=1)

    def prior_grave_year(self, period: int) -> np.ndarray:
        return self.grave[:, max(0, period - 2) : period].sum(axis=1)


def _half_year_incidents(
    enterprises: EnterprisePanel, rate: np.ndarray, bounds: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, Outcomes]:
    """(enterprise, second, outcome) of each incident between the two day bounds."""
    who = np.repeat(np.arange(len(enterprises)), rng.poisson(rate * HALF_YEAR))
    outcomes = incident_outcomes(enterprises.hazard_class[who], enterprises.employees[who], rng)
    span = (bounds[1] - bounds[0]) * SECONDS_PER_DAY
    when = bounds[0] * SECONDS_PER_DAY + np.floor(rng.random(len(who)) * span).astype(np.int64)
    return who, when, outcomes


def _features(
    enterprises: EnterprisePanel, metrics: RecordMetrics, accidents: np.ndarray, iot: np.ndarray
) -> np.ndarray:
    steps = np.array(list(STANDARDISATION_STEPS.values()))[enterprises.grade]
    return frequency_features(
        standardisation_steps=steps,
        major_hazard_sources=enterprises.major_hazard_sources,
        closure_rate=metrics.closure_rate,
        overdue=metrics.overdue,
        accidents_3y=accidents,
        employees=enterprises.employees,
        iot_alarm_rate=iot,
    )


def _iot_alarm_rates(
    enterprises: EnterprisePanel, period: int, rng: np.random.Generator
) -> np.ndarray:
    """Alarms per 1,000 device-hours (3 decimals), NaN before monitoring starts."""
    drawn = enterprises.iot_level * np.exp(rng.normal(0.0, IOT_NOISE, len(enterprises)))
    return np.where(enterprises.iot_from_period <= period, np.round(drawn, 3), np.nan)


def _assemble(
    as_of: np.ndarray, frames: list[tuple], rates: np.ndarray, incidents: list[tuple]
) -> History:
    """Stack the per-period frames (metrics, accidents, IoT, penalties) and incidents."""
    metrics, accidents, iot, penalties = zip(*frames, strict=True)
    snapshots = Snapshots(
        as_of_day=as_of,
        general=np.array([m.general for m in metrics]),
        major=np.array([m.major for m in metrics]),
        closure_rate=np.array([m.closure_rate for m in metrics]),
        overdue=np.array([m.overdue for m in metrics]),
        accidents=np.array(accidents),
        iot_alarm_rate=np.array(iot),
        penalties=np.array(penalties),
    )
    who, when, batches = zip(*incidents, strict=True)
    who, when = np.concatenate(who), np.concatenate(when)
    order = np.lexsort((who, when))
    return History(snapshots, who[order], when[order], join_outcomes(list(batches), order), rates)
