"""Claims under ``/v1``: notice, assessment, override, reserves, settlement, recoveries,
denial, closure and reopening; and a policy's limits."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import CurrentPrincipal, PageQuery, UowFactory, encode_cursor
from api.routes.quotes import RequiredIdempotencyKey
from api.routes.resources import Page, replay_headers
from api.schemas.claims import (
    AssessmentRead,
    ClaimCreate,
    ClaimRead,
    ClaimStatusRead,
    ClaimSummary,
    Closure,
    Denial,
    LimitsRead,
    RecoveryCreate,
    Reopening,
    ReservesSet,
    SettlementCreate,
    SettlementRead,
    SettlementWithdrawal,
    ShareOverride,
)
from api.schemas.types import BIGINT_MAX
from underwriting import claim_decisions, claim_files, claim_ledger, policy_limits, settlements
from underwriting.vocabulary import ClaimStatus, Role

ClaimId = Annotated[int, Path(alias="id", ge=1, le=BIGINT_MAX)]
SettlementId = Annotated[int, Path(alias="settlement_id", ge=1, le=BIGINT_MAX)]
PolicyId = Annotated[int, Path(alias="id", ge=1, le=BIGINT_MAX)]


class ClaimFilters(PageQuery):
    policy_id: Annotated[int, Query(ge=1, le=BIGINT_MAX)] | None = None
    incident_id: Annotated[int, Query(ge=1, le=BIGINT_MAX)] | None = None
    status: ClaimStatus | None = None


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["claims"])

    def read(uows, principal, ident: int) -> ClaimRead | ClaimStatusRead:
        view = claim_files.get_claim(uows, principal, ident)
        if principal.role is Role.ENTERPRISE:
            return ClaimStatusRead.model_validate(view.claim)
        return ClaimRead.of(view)

    @router.post(
        "/claims",
        status_code=201,
        response_model=ClaimRead,
        summary="File a claim; coverage is decided at once",
    )
    def file_claim(
        body: ClaimCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: RequiredIdempotencyKey,
    ):
        """An adjuster of the policy's insurer, or the insured firm giving notice. Coverage
        is decided at once with every reason; a claim that fails it is denied
        (`not_covered`). Claims from one incident on one policy form one group sharing one
        per-claim limit and one deductible. A retry with the same key returns the same
        claim."""
        created = claim_files.file_claim(uows, principal, body.model_dump(), idempotency_key=key)
        replay_headers(response, created, f"/v1/claims/{created.ids[0]}")
        return ClaimRead.of(claim_files.get_claim(uows, principal, created.ids[0]))

    @router.get(
        "/claims", response_model=Page[ClaimSummary | ClaimStatusRead], summary="Claims in scope"
    )
    def list_claims(
        principal: CurrentPrincipal, uows: UowFactory, page: Annotated[ClaimFilters, Query()]
    ):
        """Adjusters see their insurer's claims; a firm the claims on its policies; an
        enterprise the claims arising from its incidents."""
        filters = {"policy_id": page.policy_id, "incident_id": page.incident_id}
        rows = claim_files.list_claims(
            uows,
            principal,
            after=page.after(),
            limit=page.limit,
            filters={**filters, "status": page.status},
        )
        last = rows[-1].id if len(rows) == page.limit else None
        shown = ClaimStatusRead if principal.role is Role.ENTERPRISE else ClaimSummary
        items = [shown.model_validate(r) for r in rows]
        return {"items": items, "next_cursor": encode_cursor(last)}

    @router.get(
        "/claims/{id}",
        response_model=ClaimRead | ClaimStatusRead,
        summary="One claim: coverage, money, settlements",
    )
    def read_claim(ident: ClaimId, principal: CurrentPrincipal, uows: UowFactory):
        """The whole claim; an enterprise sees only the status of a claim from its
        incident."""
        return read(uows, principal, ident)

    @router.get(
        "/claims/{id}/assessment",
        response_model=AssessmentRead,
        summary="Liability against the service records",
    )
    def read_assessment(ident: ClaimId, principal: CurrentPrincipal, uows: UowFactory):
        """Computed now: the records in the look-back window, the accident-type → hazard
        category table, the finding and rule per category, flagged records, and the share
        that settles (an adjuster's override, or the assessed one)."""
        view = claim_files.assessment(uows, principal, ident)
        accident = claim_files.get_claim(uows, principal, ident).incident.accident_type
        return AssessmentRead.of(view, accident)

    @router.post(
        "/claims/{id}/liability-override",
        response_model=AssessmentRead,
        summary="Override the liability share, with a reason",
    )
    def override(
        ident: ClaimId, body: ShareOverride, principal: CurrentPrincipal, uows: UowFactory
    ):
        """An adjuster whose settlement authority covers the per-claim limit; the override
        and its reason join the audit trail."""
        view = claim_decisions.override_share(
            uows, principal, ident, share=body.share, reason=body.reason
        )
        accident = claim_files.get_claim(uows, principal, ident).incident.accident_type
        return AssessmentRead.of(view, accident)

    @router.post(
        "/claims/{id}/reserves",
        status_code=201,
        response_model=ClaimRead,
        summary="Set the case reserves (indemnity and expense)",
    )
    def set_reserves(
        ident: ClaimId,
        body: ReservesSet,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: RequiredIdempotencyKey,
    ):
        """The new levels; the change is posted to the ledger."""
        created = claim_ledger.set_reserves(
            uows, principal, ident, body.model_dump(), idempotency_key=key
        )
        replay_headers(response, created, f"/v1/claims/{ident}")
        return ClaimRead.of(claim_files.get_claim(uows, principal, ident))

    @router.post(
        "/claims/{id}/settlement",
        status_code=201,
        response_model=SettlementRead,
        summary="Settle: payable with its breakdown; straight-through where allowed",
    )
    def settle(
        ident: ClaimId,
        body: SettlementCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: RequiredIdempotencyKey,
    ):
        """payable = min(L, max(0, share × loss − d)), capped by the aggregate left, defence
        inside or outside the limits. Paid at once when the assessment is unambiguous and
        the total within the adjuster's authority; otherwise `pending`. A 409 when the
        aggregate is exhausted. A retry with the same key pays nothing more."""
        created = settlements.settle(uows, principal, ident, body.model_dump(), idempotency_key=key)
        sid = created.ids[0]
        replay_headers(response, created, f"/v1/claims/{ident}/settlements/{sid}")
        return _settlement(uows, principal, ident, sid)

    @router.get(
        "/claims/{id}/settlements/{settlement_id}",
        response_model=SettlementRead,
        summary="One settlement",
    )
    def read_settlement(
        ident: ClaimId, sid: SettlementId, principal: CurrentPrincipal, uows: UowFactory
    ):
        return _settlement(uows, principal, ident, sid)

    @router.post(
        "/claims/{id}/settlements/{settlement_id}/approval",
        status_code=201,
        response_model=SettlementRead,
        summary="Approve and pay a pending settlement",
    )
    def approve(
        ident: ClaimId,
        sid: SettlementId,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: RequiredIdempotencyKey,
    ):
        """By an adjuster whose authority covers the amount, computed again now."""
        created = settlements.approve(uows, principal, ident, sid, idempotency_key=key)
        replay_headers(response, created, f"/v1/claims/{ident}/settlements/{sid}")
        return _settlement(uows, principal, ident, sid)

    @router.post(
        "/claims/{id}/settlements/{settlement_id}/withdrawal",
        response_model=SettlementRead,
        summary="Withdraw a pending settlement",
    )
    def withdraw(
        ident: ClaimId,
        sid: SettlementId,
        body: SettlementWithdrawal,
        principal: CurrentPrincipal,
        uows: UowFactory,
    ):
        settlements.withdraw(uows, principal, ident, sid, reason=body.reason)
        return _settlement(uows, principal, ident, sid)

    @router.post(
        "/claims/{id}/recoveries",
        status_code=201,
        response_model=ClaimRead,
        summary="Record a recovery (never above what was paid)",
    )
    def recover(
        ident: ClaimId,
        body: RecoveryCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        response: Response,
        key: RequiredIdempotencyKey,
    ):
        created = claim_ledger.recover(
            uows, principal, ident, body.model_dump(), idempotency_key=key
        )
        replay_headers(response, created, f"/v1/claims/{ident}")
        return ClaimRead.of(claim_files.get_claim(uows, principal, ident))

    @router.post("/claims/{id}/denial", response_model=ClaimRead, summary="Deny, with a reason")
    def deny(ident: ClaimId, body: Denial, principal: CurrentPrincipal, uows: UowFactory):
        view = claim_decisions.deny(uows, principal, ident, code=body.code, reason=body.reason)
        return ClaimRead.of(view)

    @router.post("/claims/{id}/closure", response_model=ClaimRead, summary="Close, with a reason")
    def close(ident: ClaimId, body: Closure, principal: CurrentPrincipal, uows: UowFactory):
        view = claim_decisions.close(uows, principal, ident, code=body.code, reason=body.reason)
        return ClaimRead.of(view)

    @router.post(
        "/claims/{id}/reopening", response_model=ClaimRead, summary="Reopen, with a reason code"
    )
    def reopen(ident: ClaimId, body: Reopening, principal: CurrentPrincipal, uows: UowFactory):
        view = claim_decisions.reopen(uows, principal, ident, code=body.code, reason=body.reason)
        return ClaimRead.of(view)

    @router.get(
        "/policies/{id}/limits",
        response_model=LimitsRead,
        summary="The aggregate used and left, and each claim group's limit",
    )
    def read_limits(ident: PolicyId, principal: CurrentPrincipal, uows: UowFactory):
        return LimitsRead.of(policy_limits.limits(uows, principal, ident))

    return router


def _settlement(uows, principal, claim_id: int, settlement_id: int) -> SettlementRead:
    return SettlementRead.of(claim_files.get_settlement(uows, principal, claim_id, settlement_id))
