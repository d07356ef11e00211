"""Quotes: a firm priced under a grid of options, judged by the guidelines, frozen for binding.

A quote is rated with the model active on its effective date and the data as of the quote
date, exactly like an indication; unlike one, it is stored: the inputs it was rated on, each
option's premium, components and worksheet, the decision with its reasons, and the
conditions to bind. Recomputing any stored worksheet with ``pricing.recompute`` gives the
same premium to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pricing import COMPONENTS, CoverageOption, RatingModel, fen_to_decimal, rate, worksheet
from pricing.worksheet import book_inputs
from underwriting import clock
from underwriting.access import PRICING_ROLES, Principal, Resource, require_create, require_role
from underwriting.audit_trail import record
from underwriting.db.tables import Quote, QuoteReason
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import InvalidInput, NotFound
from underwriting.guidelines import GUIDELINES, Guidelines, QuoteFacts, judge
from underwriting.idempotency import Created, create_once
from underwriting.indications import coverage_options, one_year_on, schedule_factor_of
from underwriting.rating_book import build_rating_book, covered_engagements
from underwriting.rating_models import model_on
from underwriting.vocabulary import HazardClass, QuoteStatus

HAZARD_CLASS_NAMES = tuple(HazardClass)


@dataclass(frozen=True)
class QuoteRequest:
    """A validated quote request; money in CNY as ``Decimal``."""

    firm_id: int
    effective: date
    options: list[dict[str, Any]]
    expiry: date | None = None
    retro: date | None = None
    engagement_ids: list[int] | None = None
    schedule: list[dict[str, Any]] = field(default_factory=list)
    renewal_of_policy_id: int | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> QuoteRequest:
        return cls(
            firm_id=values["firm_id"],
            effective=values["effective_date"],
            options=list(values["options"]),
            expiry=values.get("expiry_date"),
            retro=values.get("retro_date"),
            engagement_ids=values.get("engagement_ids"),
            schedule=list(values.get("schedule") or []),
        )


@dataclass(frozen=True)
class QuoteCreated:
    """What ``create_quote`` made (or, for a retried key, first made) and how it reads."""

    created: Created
    view: QuoteView


def create_quote(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    request: QuoteRequest,
    *,
    idempotency_key: str | None = None,
) -> QuoteCreated:
    """Price, judge and store a quote in one transaction; a retried key returns the first."""
    require_create(principal, Resource.QUOTE)
    expiry = request.expiry or one_year_on(request.effective)
    _check_dates(request, expiry)
    options = coverage_options(request.options)
    payload = {**request.__dict__, "expiry": expiry}
    made: list[QuoteView] = []

    def create(uow: UnitOfWork) -> list[int]:
        model = model_on(uow, request.effective)
        factor = schedule_factor_of(request.schedule, model.schedule_cap)
        quote, reasons = _price_and_judge(uow, principal, request, expiry, model, options, factor)
        made.append(view(quote, reasons, quote.rated_on_date))
        return [quote.id]

    created = create_once(
        uow_factory, principal, idempotency_key, operation="quote", payload=payload, create=create
    )
    if created.replayed or not made:
        return QuoteCreated(created, get_quote(uow_factory, principal, created.ids[0]))
    return QuoteCreated(created, made[0])


def _check_dates(request: QuoteRequest, expiry: date) -> None:
    if expiry <= request.effective:
        raise InvalidInput("expiry_date", expiry.isoformat(), "must be after effective_date")
    if request.retro is not None and request.retro > request.effective:
        raise InvalidInput(
            "retro_date", request.retro.isoformat(), "must not be after effective_date"
        )


def _price_and_judge(
    uow: UnitOfWork,
    principal: Principal,
    request: QuoteRequest,
    expiry: date,
    model: RatingModel,
    options: list[CoverageOption],
    factor: float,
) -> tuple[Quote, list[QuoteReason]]:
    today = clock.today()
    firm = uow.firms.get(request.firm_id, principal)
    if firm is None:
        raise NotFound("firm", request.firm_id, field="firm_id")
    retro = request.retro or _continuous_cover_start(uow, request.firm_id, request.effective)
    clients = covered_engagements(uow, [firm.id], request.effective, expiry, request.engagement_ids)
    book = build_rating_book(
        uow,
        [firm.id],
        effective=request.effective,
        expiry=expiry,
        retro=[retro],
        on=today,
        model=model,
        schedule=[factor],
        clients=clients,
    )
    result = rate(book, model, options)
    tier = str(result.factors.tier[0])
    judgement = judge(
        QuoteFacts(
            effective=request.effective,
            expiry=expiry,
            qualification_expiry=firm.qualification_expiry_date,
            credit_colour=firm.credit_colour,
            tier=tier,
            aggregate_limits=[Decimal(str(o["aggregate_limit"])) for o in request.options],
            authority=authority_of(principal),
            client_classes=[HAZARD_CLASS_NAMES[int(c)] for c in book.client_class],
            client_weights=[float(w) for w in book.client_weight],
            last_audits=uow.rating_inputs.last_audits(firm.id, today, 3),
        )
    )
    quote = uow.quotes.add(
        Quote(
            firm_id=firm.id,
            insurer_id=principal.organisation_id,
            model_version=model.version,
            effective_date=request.effective,
            expiry_date=expiry,
            retro_date=retro,
            rated_on_date=today,
            tier=tier,
            inputs={
                **book_inputs(book, 0),
                "engagement_ids": [c.id for c in clients],
                "schedule": [
                    {"reason": s["reason"], "adjustment": str(s["adjustment"])}
                    for s in request.schedule
                ],
                "renewal_of_policy_id": request.renewal_of_policy_id,
            },
            options=[_priced_option(result, o, request.options[o]) for o in range(len(options))],
            decision=judgement.decision,
            subjectivities=[{"code": s.code, "text": s.text} for s in judgement.subjectivities],
            status=QuoteStatus.OPEN,
            valid_until_date=today + timedelta(days=GUIDELINES.quote_valid_days),
            created_by_key_id=principal.key_id,
        )
    )
    uow.flush()
    reasons = [
        QuoteReason(
            quote_id=quote.id,
            outcome=r.outcome,
            code=r.code,
            text=r.text,
            option_index=r.option_index,
        )
        for r in judgement.reasons
    ]
    uow.quotes.add_reasons(reasons)
    _audit(uow, principal, quote, request)
    return quote, reasons


def _priced_option(result: Any, o: int, asked: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "index": o,
        "per_claim_limit": str(Decimal(str(asked["per_claim_limit"]))),
        "aggregate_limit": str(Decimal(str(asked["aggregate_limit"]))),
        "deductible": str(Decimal(str(asked.get("deductible", 0)))),
        "defence_inside": bool(asked.get("defence_inside", True)),
        "premium": str(fen_to_decimal(int(result.premium_fen[0, o]))),
        "components": {
            name: str(fen_to_decimal(int(fen)))
            for name, fen in zip(COMPONENTS, result.components_fen[0, o], strict=True)
        },
        "worksheet": worksheet(result, 0, o),
    }


def _audit(uow: UnitOfWork, principal: Principal, quote: Quote, request: QuoteRequest) -> None:
    record(
        uow,
        principal,
        "quote.create",
        subject=("quote", quote.id),
        values={
            "firm_id": quote.firm_id,
            "model_version": quote.model_version,
            "tier": quote.tier,
            "decision": quote.decision,
            "premiums": [o["premium"] for o in quote.options],
        },
    )
    if request.schedule:
        record(
            uow,
            principal,
            "quote.schedule_override",
            subject=("quote", quote.id),
            reason="; ".join(s["reason"] for s in request.schedule),
            values={"schedule": quote.inputs["schedule"]},
        )


def _continuous_cover_start(uow: UnitOfWork, firm_id: int, effective: date) -> date:
    """The retro date of the firm's cover running up to ``effective``, else ``effective``."""
    prior = uow.policies.continuous_cover(firm_id, effective)
    return prior.retro_date if prior is not None else effective


def authority_of(principal: Principal, guidelines: Guidelines = GUIDELINES) -> Decimal:
    """The principal's underwriting authority (aggregate limit, CNY)."""
    limit = principal.authority_limit
    return limit if limit is not None else guidelines.default_authority


@dataclass(frozen=True)
class QuoteView:
    quote: Quote
    reasons: list[QuoteReason]
    status: str


def view(quote: Quote, reasons: Sequence[QuoteReason], today: date) -> QuoteView:
    """The quote as a reader sees it: an open quote past ``valid_until`` reads as expired."""
    status = quote.status
    if status == QuoteStatus.OPEN and quote.valid_until_date < today:
        status = QuoteStatus.EXPIRED
    return QuoteView(quote, list(reasons), status)


def get_quote(uow_factory: UnitOfWorkFactory, principal: Principal, quote_id: int) -> QuoteView:
    with uow_factory() as uow:
        quote = uow.quotes.get(quote_id, principal)
        if quote is None:
            raise NotFound("quote", quote_id)
        return view(quote, uow.quotes.reasons([quote.id])[quote.id], clock.today())


def worksheets(
    uow_factory: UnitOfWorkFactory, principal: Principal, quote_id: int, option: int | None
) -> list[dict[str, Any]]:
    """The stored worksheet of each option (or of option ``option``) of a quote."""
    quote = get_quote(uow_factory, principal, quote_id).quote
    if option is not None and option >= len(quote.options):
        raise InvalidInput("option", option, f"must be 0 to {len(quote.options) - 1}")
    return [
        {"quote_id": quote.id, "option_index": o["index"], "worksheet": o["worksheet"]}
        for o in quote.options
        if option is None or o["index"] == option
    ]


def list_quotes(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    *,
    after: int | None,
    limit: int,
    decision: str | None = None,
    firm_id: int | None = None,
    reason: str | None = None,
) -> list[QuoteView]:
    """The insurer's quotes, oldest first; by decision, firm or a reason code."""
    with uow_factory() as uow:
        if reason is not None:
            rows = uow.quotes.with_reason(
                principal, code=reason, after=after, limit=limit, decision=decision, firm_id=firm_id
            )
        else:
            rows = uow.quotes.page(
                principal,
                after=after,
                limit=limit,
                filters={"decision": decision, "firm_id": firm_id},
            )
        reasons = uow.quotes.reasons([r.id for r in rows])
        today = clock.today()
        return [view(r, reasons[r.id], today) for r in rows]


def reason_summary(
    uow_factory: UnitOfWorkFactory, principal: Principal, *, since: date | None = None
) -> list[tuple[str, str, int]]:
    """How many of the insurer's quotes each rule referred or declined."""
    require_role(principal, PRICING_ROLES, "read the reasons quotes were referred or declined")
    with uow_factory() as uow:
        return uow.quotes.reason_counts(principal, since=since)
