"""The ground truth of the demo market, in the shape of the rating model (DESIGN.md §2).

The generator draws incidents from exactly these formulas, so that a calibration run on the
demo market has a known answer to recover:

* frequency — ``λ_e = λ0[class] · (employees / 100) · exp(β · x_e)`` incidents per year, with
  ``x_e`` computed from the enterprise's latest hazard snapshot (``frequency_features``);
* liability — ``π_f = min(1, π0 · exp(γ · q_f))``, with ``q_f`` the firm's *true* quality
  deficits (the audits are noisy measurements of them);
* severity — direct economic loss per incident in CNY: a lognormal body spliced at
  ``threshold`` to a Pareto tail of index ``alpha`` (``Severity``).

An *incident* is a work accident at the enterprise with at least one casualty or a direct
loss (GB 6441 classifies it; Decree 493 grades it). The numbers are justified, with their
sources, in ``fixtures/README.md``. The insured history drawn on top of the market adds the
parameters of cover, report lags, shares and claim development: ``insured_truth``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from underwriting.vocabulary import CreditColour, HazardClass, StandardisationGrade

HAZARD_CLASSES: tuple[HazardClass, ...] = tuple(HazardClass)

#: λ0 — incidents per 100 employees per year of an enterprise with x = 0 (standardisation
#: grade 1, no major hazard source, every rectification closed, no accident history, no
#: IoT alarms). A typical enterprise's exp(β·x) is about 2–2.5.
BASE_FREQUENCY = MappingProxyType(
    {
        HazardClass.MINING: 0.40,
        HazardClass.HAZARDOUS_CHEMICALS: 0.16,
        HazardClass.FIREWORKS: 0.25,
        HazardClass.TRANSPORT: 0.16,
        HazardClass.CONSTRUCTION: 0.22,
        HazardClass.CIVIL_EXPLOSIVES: 0.22,
        HazardClass.METAL_SMELTING: 0.22,
        HazardClass.FISHERY: 0.30,
        HazardClass.LIGHT_MANUFACTURING: 0.06,
        HazardClass.HEAVY_MANUFACTURING: 0.12,
    }
)

#: β — log-relativity per unit of each hazard metric, in the column order of
#: ``frequency_features``.
FREQUENCY_COEFFICIENTS = MappingProxyType(
    {
        "standardisation_steps": 0.15,  # grade 1 → 0, 2 → 1, 3 → 2, none → 3
        "log1p_major_hazard_sources": 0.20,
        "open_rectification_share": 0.80,  # 1 − rectification_closure_rate
        "log1p_overdue_rectifications": 0.12,
        "log1p_general_accidents_per_100_3y": 0.20,  # log(1 + general_3y / (employees/100))
        "log1p_larger_accidents_3y": 0.30,
        "log1p_major_accidents_3y": 0.40,
        "log1p_especially_major_accidents_3y": 0.50,
        "iot_alarm_rate": 0.30,  # alarms per 1,000 device-hours
    }
)

#: The alarm rate assumed where an enterprise has no IoT monitoring (the market median).
IOT_ALARM_RATE_DEFAULT = 0.5

STANDARDISATION_STEPS = MappingProxyType(
    {
        StandardisationGrade.GRADE_1: 0,
        StandardisationGrade.GRADE_2: 1,
        StandardisationGrade.GRADE_3: 2,
        StandardisationGrade.NONE: 3,
    }
)

CREDIT_COLOUR_STEPS = MappingProxyType(
    {CreditColour.BLUE: 0, CreditColour.YELLOW: 1, CreditColour.ORANGE: 2, CreditColour.RED: 3}
)

#: π0 — probability that an incident at a client is the firm's liability, for a firm with
#: no quality deficit at all.
BASE_LIABILITY = 0.05

#: γ — log-relativity per unit of each quality deficit, in the column order the firm
#: module writes ``deficits`` in.
LIABILITY_COEFFICIENTS = MappingProxyType(
    {
        "audit_score_deficit": 0.02,  # 100 − mean of the four audit scores, points
        "inaccurate_reports_per_100": 0.03,
        "false_reports_per_100": 0.08,
        "open_follow_up_share": 0.80,  # 1 − follow-up closure rate
        "evidence_gap": 0.60,  # 1 − evidence compliance
        "credit_colour_steps": 0.20,  # blue 0, yellow 1, orange 2, red 3
        "engineers_per_engagement": -1.00,  # engineers per engagement in force, capped at 1
    }
)


@dataclass(frozen=True)
class Severity:
    """Direct economic loss per incident, CNY: lognormal(``mu``, ``sigma``) below
    ``threshold``; above it, with the lognormal's own exceedance probability, a Pareto
    tail ``P(X > x | X > threshold) = (threshold / x) ** alpha``."""

    mu: float
    sigma: float
    threshold: float
    alpha: float


SEVERITY = MappingProxyType(
    {
        HazardClass.MINING: Severity(float(np.log(60_000)), 1.4, 3e6, 1.4),
        HazardClass.HAZARDOUS_CHEMICALS: Severity(float(np.log(50_000)), 1.5, 3e6, 1.3),
        HazardClass.FIREWORKS: Severity(float(np.log(40_000)), 1.5, 2e6, 1.3),
        HazardClass.TRANSPORT: Severity(float(np.log(40_000)), 1.3, 2e6, 1.6),
        HazardClass.CONSTRUCTION: Severity(float(np.log(45_000)), 1.3, 2e6, 1.5),
        HazardClass.CIVIL_EXPLOSIVES: Severity(float(np.log(50_000)), 1.5, 3e6, 1.3),
        HazardClass.METAL_SMELTING: Severity(float(np.log(50_000)), 1.4, 3e6, 1.4),
        HazardClass.FISHERY: Severity(float(np.log(40_000)), 1.3, 2e6, 1.5),
        HazardClass.LIGHT_MANUFACTURING: Severity(float(np.log(25_000)), 1.1, 1e6, 1.8),
        HazardClass.HEAVY_MANUFACTURING: Severity(float(np.log(35_000)), 1.2, 1.5e6, 1.7),
    }
)

#: Losses are floored at ¥500 (the smallest first-aid case worth recording) and capped at
#: ¥5 bn (the 2015 Tianjin port explosion, China's largest, lost ¥6.87 bn directly).
LOSS_FLOOR = 500.0
LOSS_CAP = 5e9


def frequency_features(
    *,
    standardisation_steps: np.ndarray,
    major_hazard_sources: np.ndarray,
    closure_rate: np.ndarray,
    overdue: np.ndarray,
    accidents_3y: np.ndarray,
    employees: np.ndarray,
    iot_alarm_rate: np.ndarray,
) -> np.ndarray:
    """The matrix x (enterprises × ``FREQUENCY_COEFFICIENTS``) from snapshot metrics.

    ``accidents_3y`` is enterprises × 4 grades (general, larger, major, especially major);
    ``iot_alarm_rate`` is NaN where the enterprise has no IoT monitoring. General accidents
    enter as a rate per 100 employees and every count through log(1 + ·), so that a large
    enterprise's own history cannot feed back on its frequency without bound.
    """
    per_100 = np.asarray(employees, dtype=np.float64) / 100.0
    alarms = np.where(np.isnan(iot_alarm_rate), IOT_ALARM_RATE_DEFAULT, iot_alarm_rate)
    columns = (
        standardisation_steps,
        np.log1p(major_hazard_sources),
        1.0 - np.asarray(closure_rate),
        np.log1p(overdue),
        np.log1p(accidents_3y[:, 0] / per_100),
        np.log1p(accidents_3y[:, 1]),
        np.log1p(accidents_3y[:, 2]),
        np.log1p(accidents_3y[:, 3]),
        alarms,
    )
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])


def annual_frequency(class_index: np.ndarray, employees: np.ndarray, x: np.ndarray) -> np.ndarray:
    """λ_e, expected incidents per year: ``λ0[class] · employees/100 · exp(β·x)``.

    ``class_index`` indexes ``HAZARD_CLASSES``.
    """
    base = np.array([BASE_FREQUENCY[c] for c in HAZARD_CLASSES])[class_index]
    beta = np.array(list(FREQUENCY_COEFFICIENTS.values()))
    return base * (np.asarray(employees, dtype=np.float64) / 100.0) * np.exp(x @ beta)


def liability_probability(deficits: np.ndarray) -> np.ndarray:
    """π_f = min(1, π0 · exp(γ · q_f)) for a firms × ``LIABILITY_COEFFICIENTS`` matrix."""
    gamma = np.array(list(LIABILITY_COEFFICIENTS.values()))
    return np.minimum(1.0, BASE_LIABILITY * np.exp(np.asarray(deficits) @ gamma))


def model_truth() -> dict[str, Any]:
    """Every parameter above as a JSON-native dict (the ``model`` part of ``Market.truth``)."""
    return {
        "incident_definition": "work accident with >= 1 casualty or a direct loss",
        "frequency": {
            "formula": "lambda0[class] * employees/100 * exp(beta . x), incidents per year",
            "lambda0_per_100_employees": {c.value: BASE_FREQUENCY[c] for c in HAZARD_CLASSES},
            "beta": dict(FREQUENCY_COEFFICIENTS),
            "iot_alarm_rate_default": IOT_ALARM_RATE_DEFAULT,
            "standardisation_steps": {g.value: s for g, s in STANDARDISATION_STEPS.items()},
            "snapshot_used": "latest snapshot on or before the start of each half-year",
        },
        "liability": {
            "formula": "min(1, pi0 * exp(gamma . q))",
            "pi0": BASE_LIABILITY,
            "gamma": dict(LIABILITY_COEFFICIENTS),
            "credit_colour_steps": {c.value: s for c, s in CREDIT_COLOUR_STEPS.items()},
        },
        "severity_cny": {
            "body": "lognormal(mu, sigma) below threshold",
            "tail": "Pareto(alpha) above threshold, weight = lognormal exceedance",
            "floor": LOSS_FLOOR,
            "cap": LOSS_CAP,
            "by_class": {c.value: asdict(SEVERITY[c]) for c in HAZARD_CLASSES},
        },
    }
