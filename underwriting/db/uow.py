"""The unit of work: one session, one transaction, rolled back unless the use case commits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Self

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from underwriting.access import Resource
from underwriting.db import bulk
from underwriting.db.claim_repositories import ClaimRepository
from underwriting.db.contract_repositories import (
    AuditEventRepository,
    CoverageQueries,
    LossRunQueries,
    PolicyRepository,
    QuoteRepository,
)
from underwriting.db.ledger import LedgerRepository
from underwriting.db.rating_inputs import RatingInputs
from underwriting.db.repositories import (
    ApiKeyRepository,
    BacktestRepository,
    CalibrationRepository,
    EngagementRepository,
    IdempotencyRepository,
    OrganisationRepository,
    RatingModelRepository,
    Repository,
    ServiceRecordRepository,
)
from underwriting.db.tables import (
    Audit,
    AuditEvent,
    Backtest,
    Claim,
    Engagement,
    Enterprise,
    Firm,
    HazardSnapshot,
    Incident,
    Organisation,
    Policy,
    Quote,
    ServiceRecord,
)
from underwriting.errors import UnderwritingError


class ConstraintViolated(UnderwritingError):
    """The database refused a write: a unique, check or foreign-key constraint."""

    def __init__(self, constraint: str, detail: str) -> None:
        super().__init__(f"the book refused the write ({constraint})")
        self.constraint, self.detail = constraint, detail


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+)")


def _constraint_name(error: IntegrityError) -> str:
    diag = getattr(error.orig, "diag", None)
    if diag is not None and diag.constraint_name:
        return diag.constraint_name
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match:
        table, column = match.group(1).split(".")
        return f"uq_{table}_{column}"
    return "unknown"


class UnitOfWork:
    """``with uow: …; uow.commit()``. Leaving the block without ``commit`` rolls back."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> Self:
        self.session = session = self._sessions()
        self.organisations = OrganisationRepository(session, Organisation, Resource.ORGANISATION)
        self.firms = Repository(session, Firm, Resource.FIRM)
        self.enterprises = Repository(session, Enterprise, Resource.ENTERPRISE)
        self.hazard_snapshots = Repository(session, HazardSnapshot, Resource.HAZARD_SNAPSHOT)
        self.engagements = EngagementRepository(session, Engagement, Resource.ENGAGEMENT)
        self.service_records = ServiceRecordRepository(
            session, ServiceRecord, Resource.SERVICE_RECORD
        )
        self.audits = Repository(session, Audit, Resource.AUDIT)
        self.incidents = Repository(session, Incident, Resource.INCIDENT)
        self.claims = ClaimRepository(session, Claim, Resource.CLAIM)
        self.api_keys = ApiKeyRepository(session)
        self.idempotency = IdempotencyRepository(session)
        self.rating_inputs = RatingInputs(session)
        self.rating_models = RatingModelRepository(session)
        self.calibrations = CalibrationRepository(session)
        self.backtests = BacktestRepository(session, Backtest, Resource.BACKTEST)
        self.quotes = QuoteRepository(session, Quote, Resource.QUOTE)
        self.policies = PolicyRepository(session, Policy, Resource.POLICY)
        self.audit_events = AuditEventRepository(session, AuditEvent, Resource.AUDIT_EVENT)
        self.coverage = CoverageQueries(session)
        self.loss_runs = LossRunQueries(session)
        self.ledger = LedgerRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back what was not committed, and, unlike rollback(), leaves the rows
        # already read loaded, so they can be handed out after the block.
        self.session.close()

    def bulk_insert(self, table_name: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert JSON-native rows with explicit ids (fixtures); see ``db.bulk``."""
        return bulk.insert_rows(self.session, table_name, rows)

    def is_empty(self, table_name: str) -> bool:
        return bulk.is_empty(self.session, table_name)

    def reset_sequences(self) -> None:
        bulk.reset_sequences(self.session)

    def ping(self) -> bool:
        return self.session.execute(text("SELECT 1")).scalar() == 1

    def flush(self) -> None:
        """Send pending writes now, so a constraint fails here rather than at commit."""
        try:
            self.session.flush()
        except IntegrityError as error:
            self.session.rollback()
            raise ConstraintViolated(_constraint_name(error), str(error.orig)) from error

    def commit(self) -> None:
        try:
            self.session.commit()
        except IntegrityError as error:
            self.session.rollback()
            raise ConstraintViolated(_constraint_name(error), str(error.orig)) from error


UnitOfWorkFactory = Callable[[], UnitOfWork]
