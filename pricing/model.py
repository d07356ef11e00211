"""Rating models as data: a validated, versioned parameter document (DESIGN.md section 2).

Every number the rating function uses is a parameter here, not a constant in code, so an
actuary changes a model by publishing a new version. ``RatingModel.from_document`` validates
a JSON-native document and refuses, by its path, anything missing or out of its domain
(``ModelError("severity.mining.sigma must be > 0; got (sigma=-1.0)")``); nothing is priced
from a partial model. The default ``pl-2026.1`` ships as ``pricing/models/pl-2026.1.json``
and its parameters are sourced in ``pricing/models/README.md``.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from pricing.errors import PricingError
from pricing.severity import SplicedLognormalPareto

MODELS = Path(__file__).parent / "models"

HAZARD_CLASSES = (
    "mining",
    "hazardous_chemicals",
    "fireworks",
    "transport",
    "construction",
    "civil_explosives",
    "metal_smelting",
    "fishery",
    "light_manufacturing",
    "heavy_manufacturing",
)
STANDARDISATION_GRADES = ("1", "2", "3", "none")
CREDIT_COLOURS = ("blue", "yellow", "orange", "red")
SERVICE_KINDS = (
    "hazard_inspection",
    "safety_assessment",
    "standardisation",
    "training",
    "emergency_drill",
)
#: Client hazard metrics, in the order of ``FrequencyModel.coefficients``.
FREQUENCY_FEATURES = (
    "standardisation_steps",
    "log1p_major_hazard_sources",
    "open_rectification_share",
    "log1p_overdue_rectifications",
    "log1p_general_accidents_per_100_3y",
    "log1p_larger_accidents_3y",
    "log1p_major_accidents_3y",
    "log1p_especially_major_accidents_3y",
    "iot_alarm_rate",
)
#: Firm quality deficits, in the order of ``LiabilityModel.coefficients``.
QUALITY_FEATURES = (
    "audit_score_deficit",
    "inaccurate_reports_per_100",
    "false_reports_per_100",
    "open_follow_up_share",
    "evidence_gap",
    "credit_colour_steps",
    "engineers_per_engagement",
)
AUDIT_FEATURES = QUALITY_FEATURES[:3]
SEVERITY_KEYS = ("mu", "sigma", "threshold", "alpha", "body_weight")
EXPERIENCE_KEYS = ("credibility_k", "floor", "cap")
FREQUENCY_KEYS = (
    "base_per_100_employees",
    "coefficients",
    "standardisation_steps",
    "iot_alarm_rate_default",
    "service_kind_weights",
)
LIABILITY_KEYS = (
    "base_probability",
    "coefficients",
    "credit_colour_steps",
    "engineers_per_engagement_cap",
    "audit_half_life_years",
    "unaudited",
    "no_records",
    "market",
)
DOCUMENT_KEYS = (
    "version",
    "effective_from",
    "description",
    "frequency",
    "liability",
    "severity",
    "defence_cost_ratio",
    "claims_made_steps",
    "experience",
    "schedule_cap",
    "loads",
    "tiers",
    "grid_size",
    "grid_span",
)


class ModelError(PricingError):
    """A rating-model document is incomplete or has a parameter outside its domain."""


def _number(
    doc: Mapping[str, Any],
    path: str,
    key: str,
    *,
    low=-math.inf,
    high=math.inf,
    open_low: bool = False,
) -> float:
    where = f"{path}.{key}" if path else key
    if key not in doc:
        raise ModelError(f"{where} is missing")
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ModelError(f"{where} must be a finite number; got ({key}={value!r})")
    too_low = value <= low if open_low else value < low
    if too_low or value > high:
        bound = f"> {low}" if open_low else f">= {low}"
        raise ModelError(f"{where} must be {bound} and <= {high}; got ({key}={value!r})")
    return float(value)


def _table(doc: Mapping[str, Any], path: str, keys: tuple[str, ...], **bounds: Any) -> np.ndarray:
    """The numbers of ``doc[path]`` for exactly ``keys``, in that order."""
    section = _section(doc, path)
    extra = sorted(set(section) - set(keys))
    if extra:
        raise ModelError(f"{path} has unknown keys {extra}")
    return np.array([_number(section, path, key, **bounds) for key in keys])


def _closed(section: Mapping[str, Any], path: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    """``section`` if it has no key outside ``keys``: a misspelt parameter is refused, never
    silently ignored."""
    extra = sorted(set(section) - set(keys))
    if extra:
        raise ModelError(f"{path} has unknown keys {extra}")
    return section


def _section(doc: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise ModelError(f"{path} is missing")
        node = node[part]
    if not isinstance(node, Mapping):
        raise ModelError(f"{path} must be an object")
    return node


@dataclass(frozen=True, eq=False)
class FrequencyModel:
    """λ_e = λ0[class] · employees/100 · exp(β · x_e), incidents per year."""

    base_per_100_employees: np.ndarray  # by HAZARD_CLASSES
    coefficients: np.ndarray  # by FREQUENCY_FEATURES
    standardisation_steps: np.ndarray  # by STANDARDISATION_GRADES
    iot_alarm_rate_default: float
    service_kind_weights: np.ndarray  # by SERVICE_KINDS


@dataclass(frozen=True, eq=False)
class LiabilityModel:
    """π_f = min(1, π0 · exp(γ · q_f)): probability an incident at a client is the firm's."""

    base_probability: float
    coefficients: np.ndarray  # by QUALITY_FEATURES
    credit_colour_steps: np.ndarray  # by CREDIT_COLOURS
    engineers_per_engagement_cap: float
    audit_half_life_years: float
    unaudited: np.ndarray  # AUDIT_FEATURES of a firm never audited
    no_records: np.ndarray  # open_follow_up_share, evidence_gap of a firm with no records
    market: np.ndarray  # QUALITY_FEATURES of the market's average firm, for π_market


@dataclass(frozen=True, eq=False)
class Loads:
    risk_multiple: float  # of TVaR_p(S∧A) − E[S∧A]; at most 1 keeps premiums monotone
    tvar_level: float
    fixed_expense: float  # CNY per policy
    variable_expense: float  # share of gross premium
    profit: float  # share of gross premium
    minimum_premium: float  # CNY


@dataclass(frozen=True, eq=False)
class RatingModel:
    """A whole model version. Arrays are in the orders of the module's name tuples."""

    version: str
    effective_from: date
    frequency: FrequencyModel
    liability: LiabilityModel
    severity: tuple[SplicedLognormalPareto, ...]  # by HAZARD_CLASSES, claim amounts in CNY
    defence_cost_ratio: float
    claims_made_steps: tuple[float, ...]
    credibility_k: float  # CNY of expected loss
    experience_floor: float
    experience_cap: float
    schedule_cap: float
    loads: Loads
    tier_bands: tuple[float, ...]
    grid_size: int  # the smallest FFT lattice, cells
    grid_span: float  # the lattice cell, CNY, shared by every option
    document: Mapping[str, Any]

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> RatingModel:
        """Validate ``doc`` (JSON-native) and build the model; ``ModelError`` names the path."""
        _closed(doc, "document", DOCUMENT_KEYS)
        _closed(_section(doc, "severity"), "severity", HAZARD_CLASSES)
        version = doc.get("version")
        if not isinstance(version, str) or not 1 <= len(version) <= 32:
            raise ModelError(f"version must be a string of 1 to 32 characters; got ({version!r})")
        raw = doc.get("effective_from")
        try:
            if not isinstance(raw, str) or len(raw) != 10:
                raise ValueError
            effective_from = date.fromisoformat(raw)
        except ValueError:
            raise ModelError(
                f"effective_from must be an ISO date YYYY-MM-DD; got (effective_from={raw!r})"
            ) from None
        return cls(
            version=version,
            effective_from=effective_from,
            frequency=_frequency(doc),
            liability=_liability(doc),
            severity=_severities(doc),
            defence_cost_ratio=_number(doc, "", "defence_cost_ratio", low=0, high=5),
            claims_made_steps=_steps(doc),
            credibility_k=_number(
                _closed(_section(doc, "experience"), "experience", EXPERIENCE_KEYS),
                "experience",
                "credibility_k",
                low=0,
                open_low=True,
            ),
            experience_floor=_number(
                _closed(_section(doc, "experience"), "experience", EXPERIENCE_KEYS),
                "experience",
                "floor",
                low=0,
                high=1,
                open_low=True,
            ),
            experience_cap=_number(
                _closed(_section(doc, "experience"), "experience", EXPERIENCE_KEYS),
                "experience",
                "cap",
                low=1,
            ),
            schedule_cap=_number(doc, "", "schedule_cap", low=0, high=0.5),
            loads=_loads(doc),
            tier_bands=_bands(doc),
            grid_size=_grid_size(doc),
            grid_span=_number(doc, "", "grid_span", low=1),
            document=json.loads(json.dumps(doc)),
        )

    @classmethod
    def load(cls, version: str = "pl-2026.1") -> RatingModel:
        """A model shipped in ``pricing/models``."""
        path = MODELS / f"{version}.json"
        if not path.exists():
            raise ModelError(f"no shipped model {version!r} in {MODELS}")
        return cls.from_document(json.loads(path.read_text()))


def _frequency(doc: Mapping[str, Any]) -> FrequencyModel:
    f = "frequency"
    return FrequencyModel(
        base_per_100_employees=_table(
            doc, f"{f}.base_per_100_employees", HAZARD_CLASSES, low=0, open_low=True
        ),
        coefficients=_frequency_coefficients(doc),
        standardisation_steps=_table(
            doc, f"{f}.standardisation_steps", STANDARDISATION_GRADES, low=0, high=10
        ),
        iot_alarm_rate_default=_number(
            _closed(_section(doc, f), f, FREQUENCY_KEYS), f, "iot_alarm_rate_default", low=0
        ),
        service_kind_weights=_table(doc, f"{f}.service_kind_weights", SERVICE_KINDS, low=0, high=1),
    )


def _frequency_coefficients(doc: Mapping[str, Any]) -> np.ndarray:
    beta = _table(doc, "frequency.coefficients", FREQUENCY_FEATURES, low=0, high=10)
    general = FREQUENCY_FEATURES.index("log1p_general_accidents_per_100_3y")
    if beta[general] > 1:
        # λ ∝ employees · (1 + 100·accidents/employees)^β falls with employees when β > 1.
        raise ModelError(
            "frequency.coefficients.log1p_general_accidents_per_100_3y must be <= 1, or a "
            f"larger client would price lower; got ({beta[general]})"
        )
    return beta


def _liability(doc: Mapping[str, Any]) -> LiabilityModel:
    s = "liability"
    coefficients = _table(doc, f"{s}.coefficients", QUALITY_FEATURES, low=-10, high=10)
    engineers = QUALITY_FEATURES.index("engineers_per_engagement")
    if (np.delete(coefficients, engineers) < 0).any() or coefficients[engineers] > 0:
        raise ModelError(
            f"{s}.coefficients: every deficit must weigh >= 0 and engineers_per_engagement "
            f"<= 0, so that better service never costs more; got ({coefficients.tolist()})"
        )
    section = _closed(_section(doc, s), s, LIABILITY_KEYS)
    return LiabilityModel(
        base_probability=_number(section, s, "base_probability", low=0, high=1, open_low=True),
        coefficients=coefficients,
        credit_colour_steps=_table(doc, f"{s}.credit_colour_steps", CREDIT_COLOURS, low=0),
        engineers_per_engagement_cap=_number(
            section, s, "engineers_per_engagement_cap", low=0, open_low=True
        ),
        audit_half_life_years=_number(section, s, "audit_half_life_years", low=0, open_low=True),
        unaudited=_table(doc, f"{s}.unaudited", AUDIT_FEATURES, low=0),
        no_records=_table(
            doc, f"{s}.no_records", ("open_follow_up_share", "evidence_gap"), low=0, high=1
        ),
        market=_table(doc, f"{s}.market", QUALITY_FEATURES, low=0),
    )


def _severities(doc: Mapping[str, Any]) -> tuple[SplicedLognormalPareto, ...]:
    out = []
    for hazard_class in HAZARD_CLASSES:
        path = f"severity.{hazard_class}"
        s = _closed(_section(doc, path), path, SEVERITY_KEYS)
        out.append(
            SplicedLognormalPareto(
                mu=_number(s, path, "mu"),
                sigma=_number(s, path, "sigma", low=0, open_low=True),
                threshold=_number(s, path, "threshold", low=0, open_low=True),
                alpha=_number(s, path, "alpha", low=0, open_low=True),
                body_weight=_number(s, path, "body_weight", low=0, high=1, open_low=True),
            )
        )
    return tuple(out)


def _steps(doc: Mapping[str, Any]) -> tuple[float, ...]:
    steps = doc.get("claims_made_steps")
    if not isinstance(steps, list) or not steps:
        raise ModelError("claims_made_steps must be a non-empty list")
    values = [
        _number({"step": v}, "claims_made_steps", "step", low=0, high=1, open_low=True)
        for v in steps
    ]
    if values != sorted(values) or values[-1] != 1.0:
        raise ModelError(f"claims_made_steps must rise to 1.0; got ({values})")
    return tuple(values)


def _loads(doc: Mapping[str, Any]) -> Loads:
    s = _closed(_section(doc, "loads"), "loads", tuple(Loads.__dataclass_fields__))
    loads = Loads(
        risk_multiple=_number(s, "loads", "risk_multiple", low=0, high=1),
        tvar_level=_number(s, "loads", "tvar_level", low=0.5, high=0.9999),
        fixed_expense=_number(s, "loads", "fixed_expense", low=0),
        variable_expense=_number(s, "loads", "variable_expense", low=0, high=1),
        profit=_number(s, "loads", "profit", low=0, high=1),
        minimum_premium=_number(s, "loads", "minimum_premium", low=0),
    )
    if loads.variable_expense + loads.profit >= 1:
        raise ModelError(
            "loads.variable_expense + loads.profit must be < 1; got "
            f"({loads.variable_expense} + {loads.profit})"
        )
    return loads


def _bands(doc: Mapping[str, Any]) -> tuple[float, ...]:
    bands = _closed(_section(doc, "tiers"), "tiers", ("bands",)).get("bands")
    numbers = isinstance(bands, list) and all(
        isinstance(b, int | float) and not isinstance(b, bool) and math.isfinite(b) and b > 0
        for b in bands
    )
    if not numbers or len(bands) != 4 or any(a >= b for a, b in itertools.pairwise(bands)):
        raise ModelError(
            f"tiers.bands must be 4 strictly rising finite positive numbers; got ({bands!r})"
        )
    return tuple(float(b) for b in bands)


def _grid_size(doc: Mapping[str, Any]) -> int:
    size = doc.get("grid_size")
    if not isinstance(size, int) or size < 64 or size & (size - 1):
        raise ModelError(f"grid_size must be a power of two >= 64; got (grid_size={size!r})")
    return size
