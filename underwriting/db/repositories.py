"""Repositories: every read is filtered by the principal's scope; nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from underwriting.access import Principal, Resource
from underwriting.db.scope import visible
from underwriting.db.tables import (
    ApiKey,
    Backtest,
    Base,
    Calibration,
    Engagement,
    Finding,
    IdempotencyRecord,
    Organisation,
    RatingModel,
    ServiceRecord,
)

Row = TypeVar("Row", bound=Base)


class Repository(Generic[Row]):
    """Scoped get, cursor page and add for one table."""

    def __init__(self, session: Session, table: type[Row], resource: Resource) -> None:
        self.session, self.table, self.resource = session, table, resource

    def get(self, ident: int, principal: Principal | None = None) -> Row | None:
        """The row with primary key ``ident``, or ``None`` if absent or out of scope.
        ``principal=None`` reads unscoped: only for rows the caller has just written."""
        query = select(self.table).where(self.table.id == ident)
        if principal is not None:
            query = query.where(visible(self.resource, principal))
        return self.session.scalars(query).first()

    def page(
        self,
        principal: Principal,
        *,
        after: int | None,
        limit: int,
        filters: Mapping[str, Any] | None = None,
    ) -> Sequence[Row]:
        """Up to ``limit`` visible rows with id above ``after``, in id order."""
        query = select(self.table).where(visible(self.resource, principal))
        for column, value in (filters or {}).items():
            if value is not None:
                query = query.where(getattr(self.table, column) == value)
        if after is not None:
            query = query.where(self.table.id > after)
        return self.session.scalars(query.order_by(self.table.id).limit(limit)).all()

    def add(self, row: Row) -> Row:
        """Stage ``row``; ``UnitOfWork.flush`` sends it and assigns its id."""
        self.session.add(row)
        return row

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(self.table)) or 0


class OrganisationRepository(Repository[Organisation]):
    def by_credit_code(self, code: str) -> Organisation | None:
        query = select(Organisation).where(Organisation.credit_code == code)
        return self.session.scalars(query).first()

    def first_of_kind(self, kind: str) -> int | None:
        query = select(func.min(Organisation.id)).where(Organisation.kind == kind)
        return self.session.scalar(query)


class ServiceRecordRepository(Repository[ServiceRecord]):
    def insert_many(self, records: list[dict[str, Any]], findings: list[list[dict]]) -> list[int]:
        """Insert records and their findings with two multi-row statements; returns the new
        record ids in input order."""
        statement = insert(ServiceRecord).returning(ServiceRecord.id, sort_by_parameter_order=True)
        ids = list(self.session.scalars(statement, records))
        rows = [
            {**finding, "service_record_id": record_id}
            for record_id, record_findings in zip(ids, findings, strict=True)
            for finding in record_findings
        ]
        if rows:
            self.session.execute(insert(Finding), rows)
        return ids

    def superseded(self, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` a later record already supersedes."""
        query = select(ServiceRecord.supersedes_id).where(ServiceRecord.supersedes_id.in_(ids))
        return set(self.session.scalars(query))


class EngagementRepository(Repository[Engagement]):
    def visible_by_id(self, ids: Iterable[int], principal: Principal) -> dict[int, Engagement]:
        query = select(Engagement).where(
            Engagement.id.in_(list(ids)), visible(Resource.ENGAGEMENT, principal)
        )
        return {row.id: row for row in self.session.scalars(query)}

    def busiest_pair(self) -> tuple[int | None, int | None]:
        """The firm with the most engagements and the enterprise of its latest one."""
        firm_id = self.session.scalar(
            select(Engagement.firm_id)
            .group_by(Engagement.firm_id)
            .order_by(func.count().desc(), Engagement.firm_id)
            .limit(1)
        )
        if firm_id is None:
            return None, None
        enterprise_id = self.session.scalar(
            select(Engagement.enterprise_id)
            .where(Engagement.firm_id == firm_id)
            .order_by(Engagement.end_date.desc(), Engagement.id)
            .limit(1)
        )
        return firm_id, enterprise_id


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_hash(self, key_hash: str) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.key_hash == key_hash)).first()

    def get(self, ident: int) -> ApiKey | None:
        return self.session.get(ApiKey, ident)

    def add(self, row: ApiKey) -> ApiKey:
        self.session.add(row)
        return row


class RatingModelRepository:
    """Versioned rating models; the one in force on a date is the latest active one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, version: str) -> RatingModel | None:
        return self.session.get(RatingModel, version)

    def all(self) -> Sequence[RatingModel]:
        query = select(RatingModel).order_by(RatingModel.effective_from_date, RatingModel.version)
        return self.session.scalars(query).all()

    def active_on(self, on: date) -> RatingModel | None:
        query = (
            select(RatingModel)
            .where(RatingModel.status == "active", RatingModel.effective_from_date <= on)
            .order_by(RatingModel.effective_from_date.desc(), RatingModel.version.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def active_key_on(self, on: date) -> tuple[str, Any] | None:
        """(version, approved_at) of ``active_on(on)``, without reading its document."""
        query = (
            select(RatingModel.version, RatingModel.approved_at)
            .where(RatingModel.status == "active", RatingModel.effective_from_date <= on)
            .order_by(RatingModel.effective_from_date.desc(), RatingModel.version.desc())
            .limit(1)
        )
        row = self.session.execute(query).first()
        return None if row is None else (row[0], row[1])

    def add(self, row: RatingModel) -> RatingModel:
        self.session.add(row)
        return row

    def lock(self, version: str) -> RatingModel | None:
        """The model row, locked for update until the transaction ends (PostgreSQL)."""
        query = select(RatingModel).where(RatingModel.version == version).with_for_update()
        return self.session.scalars(query).first()


class IdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, api_key_id: int, key: str) -> IdempotencyRecord | None:
        query = select(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key
        )
        return self.session.scalars(query).first()

    def add(self, row: IdempotencyRecord) -> None:
        self.session.add(row)


__all__ = [
    "ApiKeyRepository",
    "EngagementRepository",
    "IdempotencyRepository",
    "OrganisationRepository",
    "Repository",
    "ServiceRecordRepository",
]


class CalibrationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Calibration) -> Calibration:
        self.session.add(row)
        return row

    def of_model(self, version: str) -> Calibration | None:
        query = select(Calibration).where(Calibration.model_version == version)
        return self.session.scalars(query).first()


class BacktestRepository(Repository[Backtest]):
    """Backtests; the status changes are conditional updates, so a worker finishing and a
    reader declaring it dead can never both win."""

    def beat(self, ident: int, at: datetime) -> None:
        query = update(Backtest).where(Backtest.id == ident, Backtest.status == "running")
        self.session.execute(query.values(heartbeat_at=at))

    def finish(self, ident: int, **values: Any) -> None:
        """From ``running`` to ``values["status"]`` with its results; no-op otherwise."""
        query = update(Backtest).where(Backtest.id == ident, Backtest.status == "running")
        self.session.execute(query.values(**values))

    def fail_if_silent(self, row: Backtest, **values: Any) -> None:
        """Mark ``row`` failed unless it showed a sign of life since it was read."""
        same_beat = (
            Backtest.heartbeat_at == row.heartbeat_at
            if row.heartbeat_at is not None
            else Backtest.heartbeat_at.is_(None)
        )
        query = update(Backtest).where(
            Backtest.id == row.id, Backtest.status.in_(["queued", "running"]), same_beat
        )
        self.session.execute(query.values(**values).execution_options(synchronize_session=False))
        self.session.expire(row)
