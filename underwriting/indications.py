"""Indicative pricing: what a firm would pay under each option, with its worksheets.

Rated with the model active on the effective date and the data as of today (the quote
date), exactly as a quote will be; nothing is stored — binding a price is the quote's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pricing import (
    COMPONENTS,
    CoverageOption,
    PricingError,
    ScheduleItem,
    fen_to_decimal,
    rate,
    schedule_factor,
    worksheet,
)
from underwriting import clock
from underwriting.access import PRICING_ROLES, Principal, require_role
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import InvalidInput, NotFound
from underwriting.rating_book import build_rating_book
from underwriting.rating_models import model_in_force


@dataclass(frozen=True)
class PricedOption:
    option: CoverageOption
    premium: Decimal
    components: dict[str, Decimal]
    worksheet: dict[str, Any]


@dataclass(frozen=True)
class Indication:
    model_version: str
    firm_id: int
    effective_date: date
    expiry_date: date
    retro_date: date
    rated_on: date
    tier: str
    quality_relativity: float
    experience_mod: float
    options: list[PricedOption]


def indicate(
    uow_factory: UnitOfWorkFactory, principal: Principal, values: Mapping[str, Any]
) -> Indication:
    """Price one firm under a grid of options (``values``: firm_id, effective_date and
    optionally expiry_date, retro_date, options, schedule)."""
    require_role(principal, PRICING_ROLES, "ask for price indications")
    effective = values["effective_date"]
    expiry = values.get("expiry_date") or one_year_on(effective)
    retro = values.get("retro_date") or effective
    if expiry <= effective:
        raise InvalidInput("expiry_date", expiry.isoformat(), "must be after effective_date")
    if retro > effective:
        raise InvalidInput("retro_date", retro.isoformat(), "must not be after effective_date")
    model = model_in_force(uow_factory, effective)
    options = coverage_options(values["options"])
    factor = schedule_factor_of(values.get("schedule", []), model.schedule_cap)
    today = clock.today()
    with uow_factory() as uow:
        if uow.firms.get(values["firm_id"], principal) is None:
            raise NotFound("firm", values["firm_id"], field="firm_id")
        book = build_rating_book(
            uow,
            [values["firm_id"]],
            effective=effective,
            expiry=expiry,
            retro=[retro],
            on=today,
            model=model,
            schedule=[factor],
        )
    result = rate(book, model, options)
    priced = [
        PricedOption(
            option=option,
            premium=fen_to_decimal(int(result.premium_fen[0, o])),
            components={
                name: fen_to_decimal(int(fen))
                for name, fen in zip(COMPONENTS, result.components_fen[0, o], strict=True)
            },
            worksheet=worksheet(result, 0, o),
        )
        for o, option in enumerate(options)
    ]
    factors = result.factors
    return Indication(
        model_version=model.version,
        firm_id=values["firm_id"],
        effective_date=effective,
        expiry_date=expiry,
        retro_date=retro,
        rated_on=today,
        tier=str(factors.tier[0]),
        quality_relativity=float(factors.relativity[0]),
        experience_mod=float(factors.mod[0]),
        options=priced,
    )


def one_year_on(day: date) -> date:
    """The same calendar day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def coverage_options(raw: Sequence[Mapping[str, Any]]) -> list[CoverageOption]:
    options = []
    for i, option in enumerate(raw):
        try:
            options.append(
                CoverageOption(
                    per_claim_limit=float(option["per_claim_limit"]),
                    aggregate_limit=float(option["aggregate_limit"]),
                    deductible=float(option.get("deductible", 0)),
                    defence_inside=bool(option.get("defence_inside", True)),
                )
            )
        except PricingError as error:
            raise InvalidInput(f"options[{i}]", None, str(error)) from None
    return options


def schedule_factor_of(items: Sequence[Mapping[str, Any]], cap: float) -> float:
    try:
        return schedule_factor(
            [ScheduleItem(reason=i["reason"], adjustment=float(i["adjustment"])) for i in items],
            cap=cap,
        )
    except PricingError as error:
        raise InvalidInput("schedule", None, str(error)) from None
