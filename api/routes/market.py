"""Reads across the market under ``/v1``: an enterprise's cover, a firm's loss run, the
audit trail."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field

from api.deps import CurrentPrincipal, PageQuery, UowFactory, encode_cursor
from api.routes.resources import Page
from api.schemas.market import AuditEventRead, CoverageRead, LossRunRead
from api.schemas.types import BIGINT_MAX
from underwriting import audit_trail, coverage, loss_run

PartyId = Annotated[int, Path(alias="id", ge=1, le=BIGINT_MAX)]
#: The trail's subject id is a 32-bit integer column.
SUBJECT_ID_MAX = 2**31 - 1


class AuditEventFilters(PageQuery):
    subject_kind: Annotated[str | None, Field(max_length=32, examples=["policy"])] = None
    subject_id: Annotated[int | None, Field(ge=0, le=SUBJECT_ID_MAX)] = None
    action: Annotated[str | None, Field(max_length=64, examples=["model.approve"])] = None


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get(
        "/enterprises/{id}/coverage",
        response_model=CoverageRead,
        tags=["coverage"],
        summary="The firms serving an enterprise and whether their work for it is insured",
    )
    def read_coverage(
        ident: PartyId,
        principal: CurrentPrincipal,
        uows: UowFactory,
        on: Annotated[date | None, Query(description="the date to read; default today")] = None,
    ):
        """The enterprise itself, insurer staff and admins; for anyone else the enterprise
        is a 404. Every engagement serving the enterprise, current and past, newest first,
        with its firm and the policies of any insurer covering it: their terms, whether each
        is in force on `on` (inside [effective, expiry) and before any cancellation), and a
        one-line `insured` summary. Premiums show only on the caller's own insurer's
        policies (all of them for an admin) — never to an enterprise."""
        return coverage.enterprise_coverage(uows, principal, ident, on=on)

    @router.get(
        "/firms/{id}/loss-run",
        response_model=LossRunRead,
        tags=["loss runs"],
        summary="Five years of a firm's policies, of any insurer, and their claims",
    )
    def read_loss_run(
        ident: PartyId,
        principal: CurrentPrincipal,
        uows: UowFactory,
        as_of: Annotated[date | None, Query(description="the date to read; default today")] = None,
    ):
        """The firm itself, admins and any insurer's staff (a firm moving insurer shows its
        loss run); an enterprise is a 403, another firm a 404. Policies meeting
        [as_of − 5 years, as_of] with their claims first made by `as_of`; paid is the sum
        of the claim's `claims_paid` ledger legs to `as_of`, case reserve its outstanding
        `case_reserve` balance, incurred their sum. Totals per policy year (the year a
        policy took effect) and over the window; loss ratio = incurred / written premium,
        four places, null without premium."""
        return loss_run.firm_loss_run(uows, principal, ident, as_of=as_of)

    @router.get(
        "/audit-events",
        response_model=Page[AuditEventRead],
        tags=["audit trail"],
        summary="Who did what, when and why: the audit trail, oldest first, by cursor",
    )
    def list_audit_events(
        query: Annotated[AuditEventFilters, Query()],
        principal: CurrentPrincipal,
        uows: UowFactory,
    ):
        """Insurer staff read their own insurer's events (those its keys made), admins
        every event; firms and enterprises are a 403. Filter by `subject_kind` and
        `subject_id` (rating-model events have subject id 0 and name the version in
        `values`) or by `action` (`model.draft`, `model.replace`, `model.approve`,
        `model.activate`, `model.retire`, …)."""
        events = audit_trail.read_trail(
            uows, principal, after=query.after(), limit=query.limit + 1, **query.filters()
        )
        items = events[: query.limit]
        more = len(events) > query.limit
        return {"items": items, "next_cursor": encode_cursor(items[-1].id if more else None)}

    return router
