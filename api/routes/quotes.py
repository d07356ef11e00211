"""Quotes, referral decisions and binds under ``/v1`` (underwriters)."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from api.deps import CurrentPrincipal, PageQuery, UowFactory, encode_cursor
from api.routes.resources import Page, replay_headers
from api.schemas.policies import PolicyRead
from api.schemas.quotes import (
    BindCreate,
    QuoteCreate,
    QuoteRead,
    ReasonCount,
    ReferralDecision,
    WorksheetRead,
)
from api.schemas.types import BIGINT_MAX, IsoDate
from underwriting import binding, policies, quotes
from underwriting.vocabulary import QuoteDecision

QuoteId = Annotated[int, Path(alias="id", ge=1, le=BIGINT_MAX)]
RequiredIdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Required: a retry with the same key and body returns the same policy.",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
]


class QuoteFilters(PageQuery):
    decision: QuoteDecision | None = None
    firm_id: Annotated[int, Query(ge=1, le=BIGINT_MAX)] | None = None
    reason: Annotated[str | None, Query(max_length=48, description="a reason code")] = None


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["quotes"])

    @router.post("/quotes", status_code=201, response_model=QuoteRead, summary="Quote a firm")
    def create_quote(
        body: QuoteCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: OptionalIdempotencyKey = None,
    ):
        """Underwriters. Each option is priced with its worksheet; the guidelines, applied on
        the quote's effective date, give the decision (`accept`, `refer`, `decline`) with a
        reason code per rule, and the conditions to bind. Valid for 30 days."""
        request = quotes.QuoteRequest.from_values(body.model_dump())
        made = quotes.create_quote(uows, principal, request, idempotency_key=key)
        replay_headers(response, made.created, f"/v1/quotes/{made.view.quote.id}")
        return QuoteRead.of(made.view)

    @router.get("/quotes", response_model=Page[QuoteRead], summary="The insurer's quotes")
    def list_quotes(
        principal: CurrentPrincipal, uows: UowFactory, page: Annotated[QuoteFilters, Query()]
    ):
        """Oldest first; filter by `decision`, `firm_id` or a `reason` code (`tier_e`,
        `authority`, `qualification_lapsed` …) to see why quotes were referred or declined."""
        views = quotes.list_quotes(
            uows,
            principal,
            after=page.after(),
            limit=page.limit,
            decision=page.decision,
            firm_id=page.firm_id,
            reason=page.reason,
        )
        last = views[-1].quote.id if len(views) == page.limit else None
        return {"items": [QuoteRead.of(v) for v in views], "next_cursor": encode_cursor(last)}

    @router.get(
        "/quotes/reasons",
        response_model=list[ReasonCount],
        summary="How many quotes each rule referred or declined",
    )
    def reason_counts(
        principal: CurrentPrincipal,
        uows: UowFactory,
        since: Annotated[IsoDate | None, Query(description="effective on or after")] = None,
    ):
        rows = quotes.reason_summary(uows, principal, since=since)
        return [{"outcome": o, "code": c, "quotes": n} for o, c, n in rows]

    @router.get("/quotes/{id}", response_model=QuoteRead, summary="One quote")
    def read_quote(ident: QuoteId, principal: CurrentPrincipal, uows: UowFactory):
        return QuoteRead.of(quotes.get_quote(uows, principal, ident))

    @router.get(
        "/quotes/{id}/worksheet",
        response_model=list[WorksheetRead],
        summary="The worksheet of every option, or of one",
    )
    def read_worksheet(
        ident: QuoteId,
        principal: CurrentPrincipal,
        uows: UowFactory,
        option: Annotated[int | None, Query(ge=0, le=23)] = None,
    ):
        """Every input, factor and intermediate value; `pricing.recompute(worksheet, model)`
        with the named model version gives the same premium to the fen."""
        return quotes.worksheets(uows, principal, ident, option)

    @router.post(
        "/quotes/{id}/referral", response_model=QuoteRead, summary="Decide a referred quote"
    )
    def decide_referral(
        ident: QuoteId, body: ReferralDecision, principal: CurrentPrincipal, uows: UowFactory
    ):
        """A second underwriter whose authority covers the largest aggregate limit accepts
        or declines, with a reason; the decision joins the audit trail."""
        view = binding.decide_referral(
            uows, principal, ident, decision=body.decision, reason=body.reason
        )
        return QuoteRead.of(view)

    @router.post(
        "/quotes/{id}/bind",
        status_code=201,
        response_model=PolicyRead,
        summary="Bind an option and issue the policy",
    )
    def bind(
        ident: QuoteId,
        body: BindCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: RequiredIdempotencyKey,
    ):
        """Only a valid, accepted, unexpired quote whose conditions to bind are met. A retry
        with the same `Idempotency-Key` returns the same policy; a second bind of the same
        quote is a 409, even when the two race."""
        created = binding.bind(uows, principal, ident, body.model_dump(), idempotency_key=key)
        replay_headers(response, created, f"/v1/policies/{created.ids[0]}")
        return PolicyRead.of(policies.get_policy(uows, principal, created.ids[0]))

    return router
