"""The worksheet: every input, factor and intermediate value of one premium, JSON-native.

A worksheet is enough to recompute its premium exactly, years later, with the model version
it names (``recompute``): floats are written as Python's shortest round-trip repr, so the
inputs read back are the very same doubles, and ``rate`` gives the same fen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from pricing.book import CoverageOption, RatingBook
from pricing.errors import PricingError
from pricing.frequency import ClientMetrics, client_frequency
from pricing.liability import market_probability
from pricing.model import HAZARD_CLASSES, QUALITY_FEATURES, STANDARDISATION_GRADES, RatingModel
from pricing.option_costs import option_grid
from pricing.premium import fen_to_decimal
from pricing.rate import COMPONENTS, RatingResult, rate

GRADES = ("general", "larger", "major", "especially_major")


def worksheet(result: RatingResult, firm: int, option: int) -> dict[str, Any]:
    """The worksheet of row ``firm`` under option number ``option`` of ``result``."""
    book, model, factors = result.book, result.model, result.factors
    chosen = result.options[option]
    grid = option_grid(chosen, model)
    clients = np.flatnonzero(book.client_firm == firm)
    components = result.components_fen[firm, option]
    return {
        "model_version": model.version,
        "firm_id": int(book.firm_ids[firm]),
        "option": _option(chosen),
        "inputs": book_inputs(book, firm),
        "factors": {
            "client_incidents_per_year": _client_frequencies(book, model, clients),
            "incidents_by_class": _by_class(factors.incidents[firm]),
            "liability_probability": float(factors.liability[firm]),
            "market_liability_probability": market_probability(model.liability),
            "quality_relativity": float(factors.relativity[firm]),
            "claims_made_step": float(factors.step[firm]),
            "credibility": float(factors.credibility[firm]),
            "experience_mod": float(factors.mod[firm]),
            "expected_claims_by_class": _by_class(factors.claims[firm]),
            "tier": str(factors.tier[firm]),
        },
        "aggregate": {
            "grid": {"span": grid.span, "size": grid.size, "tilt": grid.tilt},
            "expected_capped": float(result.expected_capped[firm, option]),
            "tvar_capped": float(result.tvar_capped[firm, option]),
            "tvar_level": model.loads.tvar_level,
            "defence_outside": float(result.defence_outside[firm, option]),
        },
        "premium": {
            "gross_before_rounding": float(result.gross[firm, option]),
            "rounding": "half up to the fen on the float64 gross premium (pricing.premium.to_fen)",
            "total": str(fen_to_decimal(int(result.premium_fen[firm, option]))),
            "components": {
                name: str(fen_to_decimal(int(fen)))
                for name, fen in zip(COMPONENTS, components, strict=True)
            },
        },
    }


def recompute(sheet: dict[str, Any], model: RatingModel) -> Decimal:
    """Re-rate a worksheet from its recorded inputs alone; returns the premium in CNY."""
    if sheet["model_version"] != model.version:
        raise PricingError(
            f"must be {sheet['model_version']}, the version the worksheet was rated with",
            field="model",
            value=model.version,
        )
    book = book_from_inputs(sheet["firm_id"], sheet["inputs"])
    result = rate(book, model, [CoverageOption(**sheet["option"])])
    return fen_to_decimal(int(result.premium_fen[0, 0]))


def book_from_inputs(firm_id: int, inputs: dict[str, Any]) -> RatingBook:
    """A one-firm book from a worksheet's ``inputs``."""
    firm, clients = inputs["firm"], inputs["clients"]
    iot = [np.nan if c["iot_alarm_rate"] is None else c["iot_alarm_rate"] for c in clients]
    metrics = ClientMetrics(
        employees=np.array([c["employees"] for c in clients], dtype=np.float64),
        standardisation=np.array(
            [STANDARDISATION_GRADES.index(c["standardisation"]) for c in clients], dtype=np.int64
        ),
        major_hazard_sources=np.array([c["major_hazard_sources"] for c in clients], dtype=float),
        closure_rate=np.array([c["closure_rate"] for c in clients], dtype=np.float64),
        overdue_rectifications=np.array([c["overdue_rectifications"] for c in clients], float),
        accidents_3y=np.array([c["accidents_3y"] for c in clients], dtype=float).reshape(-1, 4),
        iot_alarm_rate=np.array(iot, dtype=np.float64),
    )
    return RatingBook(
        firm_ids=np.array([firm_id]),
        deficits=np.array([[firm["deficits"][name] for name in QUALITY_FEATURES]]),
        years_since_retro=np.array([firm["years_since_retro"]]),
        experience_actual=np.array([firm["experience_actual"]]),
        experience_expected=np.array([firm["experience_expected"]]),
        schedule_factor=np.array([firm["schedule_factor"]]),
        client_firm=np.zeros(len(clients), dtype=np.int64),
        client_class=np.array(
            [HAZARD_CLASSES.index(c["hazard_class"]) for c in clients], dtype=np.int64
        ),
        client_metrics=metrics,
        client_weight=np.array([c["weight"] for c in clients], dtype=np.float64),
    )


def _option(option: CoverageOption) -> dict[str, Any]:
    return {
        "per_claim_limit": option.per_claim_limit,
        "aggregate_limit": option.aggregate_limit,
        "deductible": option.deductible,
        "defence_inside": option.defence_inside,
    }


def book_inputs(book: RatingBook, firm: int) -> dict[str, Any]:
    """The inputs of row ``firm`` as a worksheet records them (what ``book_from_inputs``
    reads back): the firm's factors and one dict per client, in book order."""
    clients = np.flatnonzero(book.client_firm == firm)
    m = book.client_metrics
    return {
        "firm": {
            "deficits": dict(zip(QUALITY_FEATURES, map(float, book.deficits[firm]), strict=True)),
            "years_since_retro": int(book.years_since_retro[firm]),
            "experience_actual": float(book.experience_actual[firm]),
            "experience_expected": float(book.experience_expected[firm]),
            "schedule_factor": float(book.schedule_factor[firm]),
        },
        "clients": [
            {
                "hazard_class": HAZARD_CLASSES[int(book.client_class[e])],
                "employees": float(m.employees[e]),
                "standardisation": STANDARDISATION_GRADES[int(m.standardisation[e])],
                "major_hazard_sources": float(m.major_hazard_sources[e]),
                "closure_rate": float(m.closure_rate[e]),
                "overdue_rectifications": float(m.overdue_rectifications[e]),
                "accidents_3y": [float(a) for a in np.asarray(m.accidents_3y)[e]],
                "iot_alarm_rate": None
                if np.isnan(m.iot_alarm_rate[e])
                else float(m.iot_alarm_rate[e]),
                "weight": float(book.client_weight[e]),
            }
            for e in clients
        ],
    }


def _client_frequencies(book: RatingBook, model: RatingModel, clients: np.ndarray) -> list[float]:
    one = book.take(np.array([int(book.client_firm[clients[0]])])) if len(clients) else None
    if one is None:
        return []
    return [
        float(v) for v in client_frequency(one.client_class, one.client_metrics, model.frequency)
    ]


def _by_class(values: np.ndarray) -> dict[str, float]:
    return {name: float(v) for name, v in zip(HAZARD_CLASSES, values, strict=True) if v}
