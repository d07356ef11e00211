"""A firm's premium tier, why it is there, and what would move it (issue 4, item 6).

The tier depends on how the firm serves — its quality relativity π_f/π_market and its
experience mod — never on how hazardous its clients are. Each quality metric's contribution
is its term of the log-relativity, γ_j·(q_fj − q_market,j): positive pushes the tier down
(worse), negative up; the largest in size come first. The mod is the one a quote for the
year from today would carry — the firm's losses against the model's expectation, as of
today (``underwriting.experience``) — so the firm's book for that year is built, and an
engaged client without a hazard snapshot is refused as a quote would refuse it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from pricing import (
    QUALITY_FEATURES,
    CoverageOption,
    RatingBook,
    fen_to_decimal,
    liability_probability,
    market_probability,
    quality_relativity,
    rate,
    tier,
)
from pricing.model import CREDIT_COLOURS, RatingModel
from pricing.rate import firm_factors
from underwriting import clock
from underwriting.access import Principal
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import NotFound, RoleNotAllowed
from underwriting.indications import one_year_on
from underwriting.rating_book import build_rating_book, quality_deficits
from underwriting.rating_models import model_in_force
from underwriting.vocabulary import INSURER_STAFF, Role

#: The option a what-if prices when none is given: a common professional-liability line.
STANDARD_OPTION = CoverageOption(per_claim_limit=1e6, aggregate_limit=3e6, deductible=1e4)
#: Years of continuous cover assumed for a what-if: past the last claims-made step.
MATURE_YEARS = 5


@dataclass(frozen=True)
class Driver:
    metric: str
    firm_value: float
    market_value: float
    contribution: float  # to log(π_f / π_market)


@dataclass(frozen=True)
class TierReport:
    firm_id: int
    model_version: str
    rated_on: date
    tier: str
    quality_relativity: float
    experience_mod: float
    market_percentile: float | None  # share of the market's firms with a worse relativity
    drivers: list[Driver]
    premium: Any | None = None  # Decimal, for a what-if


def firm_tier(uow_factory: UnitOfWorkFactory, principal: Principal, firm_id: int) -> TierReport:
    """The firm's tier today, its drivers and where it stands among the market's firms."""
    model, today = _allowed(uow_factory, principal, firm_id)
    with uow_factory() as uow:
        market = uow.rating_inputs.all_firm_ids()
        deficits = quality_deficits(uow, market, on=today, model=model)
        book = _next_year_book(uow, firm_id, today, model)
    mod = float(firm_factors(book, model).mod[0])
    relativities = _relativities(deficits, model)
    row = market.index(firm_id)
    worse = float(np.mean(relativities > relativities[row])) if len(market) > 1 else None
    return _report(firm_id, model, today, deficits[row], mod=mod, percentile=worse)


def what_if(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    firm_id: int,
    changes: Mapping[str, Any],
) -> TierReport:
    """The tier and premium hypothetical quality metrics would give; persists nothing.

    ``changes`` may set audit_score (0–100), inaccurate_reports_per_100,
    false_reports_per_100, follow_up_closure (0–1), evidence_compliance (0–1),
    credit_colour and engineers_per_engagement; the rest stay as they are.
    """
    model, today = _allowed(uow_factory, principal, firm_id)
    with uow_factory() as uow:
        book = _next_year_book(uow, firm_id, today, model)
    deficits = book.deficits.copy()
    deficits[0] = _apply(deficits[0], changes, model)
    priced = rate(replace(book, deficits=deficits), model, [STANDARD_OPTION])
    premium = fen_to_decimal(int(priced.premium_fen[0, 0]))
    mod = float(priced.factors.mod[0])
    return _report(firm_id, model, today, deficits[0], mod=mod, percentile=None, premium=premium)


def _allowed(
    uow_factory: UnitOfWorkFactory, principal: Principal, firm_id: int
) -> tuple[RatingModel, date]:
    if principal.role not in INSURER_STAFF | {Role.ADMIN, Role.FIRM}:
        raise RoleNotAllowed(principal.role.value, "read a firm's tier")
    with uow_factory() as uow:
        if uow.firms.get(firm_id, principal) is None:
            raise NotFound("firm", firm_id)
    today = clock.today()
    return model_in_force(uow_factory, today), today


def _relativities(deficits: np.ndarray, model: RatingModel) -> np.ndarray:
    return quality_relativity(
        liability_probability(deficits, model.liability), market_probability(model.liability)
    )


def _report(
    firm_id: int,
    model: RatingModel,
    today: date,
    deficits: np.ndarray,
    *,
    mod: float,
    percentile: float | None,
    premium: Any = None,
) -> TierReport:
    relativity = float(_relativities(deficits[None, :], model)[0])
    gamma, market = model.liability.coefficients, model.liability.market
    drivers = sorted(
        (
            Driver(name, float(value), float(base), float(g * (value - base)))
            for name, value, base, g in zip(QUALITY_FEATURES, deficits, market, gamma, strict=True)
        ),
        key=lambda d: -abs(d.contribution),
    )
    band = str(tier(np.array([relativity]), np.array([mod]), bands=model.tier_bands)[0])
    return TierReport(
        firm_id=firm_id,
        model_version=model.version,
        rated_on=today,
        tier=band,
        quality_relativity=relativity,
        experience_mod=mod,
        market_percentile=percentile,
        drivers=drivers,
        premium=premium,
    )


def _next_year_book(uow: UnitOfWork, firm_id: int, today: date, model: RatingModel) -> RatingBook:
    return build_rating_book(
        uow,
        [firm_id],
        effective=today,
        expiry=one_year_on(today),
        retro=[today],
        on=today,
        model=model,
    )


def _apply(row: np.ndarray, changes: Mapping[str, Any], model: RatingModel) -> np.ndarray:
    out = row.copy()
    column = {name: i for i, name in enumerate(QUALITY_FEATURES)}
    direct = ("inaccurate_reports_per_100", "false_reports_per_100")
    for name in direct:
        if changes.get(name) is not None:
            out[column[name]] = float(changes[name])
    complements = {
        "audit_score": ("audit_score_deficit", 100.0),
        "follow_up_closure": ("open_follow_up_share", 1.0),
        "evidence_compliance": ("evidence_gap", 1.0),
    }
    for name, (feature, whole) in complements.items():
        if changes.get(name) is not None:
            out[column[feature]] = whole - float(changes[name])
    if changes.get("credit_colour") is not None:
        steps = model.liability.credit_colour_steps
        out[column["credit_colour_steps"]] = steps[CREDIT_COLOURS.index(changes["credit_colour"])]
    if changes.get("engineers_per_engagement") is not None:
        cap = model.liability.engineers_per_engagement_cap
        out[column["engineers_per_engagement"]] = min(
            float(changes["engineers_per_engagement"]), cap
        )
    return out
