"""Policies and their mid-term life under ``/v1``: read, endorse, cancel, reinstate, renew."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import CurrentPrincipal, PageQuery, UowFactory, encode_cursor
from api.routes.quotes import OptionalIdempotencyKey
from api.routes.resources import Page, replay_headers
from api.schemas.policies import (
    CancellationCreate,
    EndorsementCreate,
    PolicyRead,
    ReinstatementCreate,
    RenewalCreate,
    RenewalRead,
)
from api.schemas.quotes import QuoteRead
from api.schemas.types import BIGINT_MAX
from underwriting import cancellations, endorsements, policies, renewals
from underwriting.vocabulary import PolicyStatus

PolicyId = Annotated[int, Path(alias="id", ge=1, le=BIGINT_MAX)]


class PolicyFilters(PageQuery):
    firm_id: Annotated[int, Query(ge=1, le=BIGINT_MAX)] | None = None
    status: PolicyStatus | None = None


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["policies"])

    @router.get("/policies", response_model=Page[PolicyRead], summary="Policies in scope")
    def list_policies(
        principal: CurrentPrincipal, uows: UowFactory, page: Annotated[PolicyFilters, Query()]
    ):
        """Insurer staff see their insurer's policies; a firm sees the policies insuring it."""
        views = policies.list_policies(
            uows,
            principal,
            after=page.after(),
            limit=page.limit,
            firm_id=page.firm_id,
            status=page.status,
        )
        last = views[-1].policy.id if len(views) == page.limit else None
        return {"items": [PolicyRead.of(v) for v in views], "next_cursor": encode_cursor(last)}

    @router.get("/policies/{id}", response_model=PolicyRead, summary="One policy and its history")
    def read_policy(ident: PolicyId, principal: CurrentPrincipal, uows: UowFactory):
        """Terms, covered engagements and every transaction in processing order, each with
        the terms and full-term premium before and after."""
        return PolicyRead.of(policies.get_policy(uows, principal, ident))

    def _answer(uows, principal, ident, created, response: Response) -> PolicyRead:
        replay_headers(response, created, f"/v1/policies/{ident}")
        return PolicyRead.of(policies.get_policy(uows, principal, ident))

    @router.post(
        "/policies/{id}/endorsements",
        status_code=201,
        response_model=PolicyRead,
        summary="Change a policy mid-term",
    )
    def endorse(
        ident: PolicyId,
        body: EndorsementCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: OptionalIdempotencyKey = None,
    ):
        """Add or remove covered engagements, change limits, deductible or defence, from a
        date inside the period. Priced with the policy's own model version; the premium
        change is pro rata by actual days over the period's actual days (366 in a leap
        year). An endorsement dated before a later one reverses and re-applies the later
        ones; the answer is the policy with its whole history."""
        created = endorsements.endorse(
            uows, principal, ident, body.model_dump(exclude_none=True), idempotency_key=key
        )
        return _answer(uows, principal, ident, created, response)

    @router.post(
        "/policies/{id}/cancellation",
        status_code=201,
        response_model=PolicyRead,
        summary="Cancel a policy",
    )
    def cancel(
        ident: PolicyId,
        body: CancellationCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: OptionalIdempotencyKey = None,
    ):
        """By the insured (short rate, 25% minimum retained), by the insurer (pro rata) or
        flat from inception (everything returned). The return premium is a negative
        transaction with its calculation in `details.explanation`."""
        created = cancellations.cancel(
            uows, principal, ident, body.model_dump(), idempotency_key=key
        )
        return _answer(uows, principal, ident, created, response)

    @router.post(
        "/policies/{id}/reinstatement",
        status_code=201,
        response_model=PolicyRead,
        summary="Reinstate a cancelled policy",
    )
    def reinstate(
        ident: PolicyId,
        body: ReinstatementCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: OptionalIdempotencyKey = None,
    ):
        """Within 30 days of the cancellation date: the cancellation is reversed and the
        cover runs on without a gap."""
        created = cancellations.reinstate(
            uows, principal, ident, body.model_dump(), idempotency_key=key
        )
        return _answer(uows, principal, ident, created, response)

    @router.post(
        "/policies/{id}/renewal",
        status_code=201,
        response_model=RenewalRead,
        summary="Quote the renewal and explain the change",
    )
    def renew(
        ident: PolicyId,
        body: RenewalCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        key: OptionalIdempotencyKey = None,
    ):
        """A renewal quote effective on the expiry date, with the model active then and the
        latest data, keeping the retro date for continuous cover. `change` explains the
        premium against the expiring one factor by factor. Bind it like any quote."""
        renewal = renewals.renew(
            uows, principal, ident, body.model_dump(exclude_none=True), idempotency_key=key
        )
        return {
            "policy_id": renewal.policy_id,
            "policy_number": renewal.policy_number,
            "expiring_premium": renewal.expiring_premium,
            "quote": QuoteRead.of(renewal.quote),
            "change": renewal.change,
        }

    return router
