"""Client enterprises: class, city, size, standardisation, major hazard sources, IoT, and
two latent traits the service records reveal — how much hazard an inspection would find
(``hazard``, a multiplier around 1) and how diligently the enterprise closes
rectifications (``diligence``, a logit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from underwriting.demo_market.regions import draw_cities
from underwriting.demo_market.sectors import (
    EMPLOYEES_CAP,
    GRADE_DILIGENCE_SHIFT,
    GRADE_HAZARD_FACTOR,
    PROFILES,
)
from underwriting.demo_market.streams import categorical_draws
from underwriting.demo_market.truth import HAZARD_CLASSES, STANDARDISATION_STEPS
from underwriting.demo_market.window import Window

GRADES = tuple(STANDARDISATION_STEPS)
#: Share of enterprises already on the platform in the first half-year; the rest join
#: at a uniform date up to a year before the window ends.
EARLY_ONBOARDING_SHARE = 0.7


@dataclass(frozen=True)
class EnterprisePanel:
    """The enterprises of a market, arrays aligned by position; ``ids`` are organisation ids.

    ``grade`` indexes ``GRADES`` (0 = grade 1 … 3 = none); ``iot_from_period`` is the first
    half-year with IoT monitoring (``2 × years`` = never); ``iot_level`` is the mean alarm
    rate per 1,000 device-hours; ``onboard_day`` is the first day of its first contract.
    """

    ids: np.ndarray
    hazard_class: np.ndarray
    city: np.ndarray
    employees: np.ndarray
    grade: np.ndarray
    major_hazard_sources: np.ndarray
    hazard: np.ndarray
    diligence: np.ndarray
    iot_from_period: np.ndarray
    iot_level: np.ndarray
    onboard_day: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def draw_enterprises(
    count: int, first_id: int, window: Window, rng: np.random.Generator
) -> EnterprisePanel:
    """``count`` enterprises with organisation ids from ``first_id``."""
    classes = _apportioned_classes(count, rng)
    profiles = [PROFILES[HAZARD_CLASSES[c]] for c in classes.tolist()]
    grade = categorical_draws(np.array([p.grade_mix for p in profiles]).reshape(count, 4), rng)
    hazard = np.exp(rng.normal(0.0, 0.4, count)) * np.array(GRADE_HAZARD_FACTOR)[grade]
    return EnterprisePanel(
        ids=np.arange(first_id, first_id + count),
        hazard_class=classes,
        city=draw_cities(classes, rng),
        employees=_employees(profiles, rng),
        grade=grade,
        major_hazard_sources=_major_hazard_sources(profiles, rng),
        hazard=hazard,
        diligence=rng.normal(1.2, 0.8, count) + np.array(GRADE_DILIGENCE_SHIFT)[grade],
        iot_from_period=_iot_adoption(profiles, window, rng),
        iot_level=0.5 * hazard * np.exp(rng.normal(0.0, 0.3, count)),
        onboard_day=_onboarding(count, window, rng),
    )


def _apportioned_classes(count: int, rng: np.random.Generator) -> np.ndarray:
    """Class of each enterprise: the class shares apportioned exactly (largest remainder),
    then shuffled, so that even a small market has the intended mix."""
    quotas = np.array([PROFILES[h].share for h in HAZARD_CLASSES]) * count
    counts = np.floor(quotas).astype(np.int64)
    short = count - counts.sum()
    counts[np.argsort(-(quotas - counts), kind="stable")[:short]] += 1
    return rng.permutation(np.repeat(np.arange(len(HAZARD_CLASSES)), counts))


def _employees(profiles: list, rng: np.random.Generator) -> np.ndarray:
    """Lognormal headcount per class, at least 1 and at most ``EMPLOYEES_CAP``."""
    median = np.array([p.employees_median for p in profiles], dtype=np.float64)
    sigma = np.array([p.employees_sigma for p in profiles])
    drawn = np.rint(median * np.exp(sigma * rng.standard_normal(len(profiles))))
    return np.clip(drawn, 1, EMPLOYEES_CAP).astype(np.int64)


def _major_hazard_sources(profiles: list, rng: np.random.Generator) -> np.ndarray:
    """0 for most; else 1 + Poisson(extra) where the class stores bulk hazardous material."""
    has = rng.random(len(profiles)) < np.array([p.major_hazard_probability for p in profiles])
    extra = rng.poisson(np.array([p.major_hazard_extra for p in profiles]))
    return np.where(has, 1 + extra, 0)


def _iot_adoption(profiles: list, window: Window, rng: np.random.Generator) -> np.ndarray:
    """Half of the adopters monitor from the start, the rest from a random half-year."""
    periods = 2 * window.years
    adopts = rng.random(len(profiles)) < np.array([p.iot_probability for p in profiles])
    from_start = rng.random(len(profiles)) < 0.5
    later = rng.integers(1, max(periods, 2), len(profiles))
    return np.where(adopts, np.where(from_start, 0, later), periods)


def _onboarding(count: int, window: Window, rng: np.random.Generator) -> np.ndarray:
    early = rng.random(count) < EARLY_ONBOARDING_SHARE
    first_half = window.start_day + rng.integers(0, 182, count)
    latest = max(window.start_day + 1, window.end_day - 365)
    later = rng.integers(window.start_day, latest, count)
    return np.where(early, first_half, later)


def enterprise_truth(enterprises: EnterprisePanel, annual_rates: np.ndarray) -> dict[str, dict]:
    """Per enterprise (keyed by id as a string): latent traits and its true λ in the last
    year (``annual_rates`` are its λ in each half-year of that year)."""
    return {
        str(eid): {
            "hazard": float(enterprises.hazard[i]),
            "diligence": float(enterprises.diligence[i]),
            "lambda_last_year": float(annual_rates[i].mean()),
        }
        for i, eid in enumerate(enterprises.ids.tolist())
    }
