"""The actuaries' work: calibrations behind draft models, and backtests run off the request."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from underwriting import vocabulary as v
from underwriting.db.tables.base import Base, Id, UtcDateTime, created_at_column, in_enum


class Calibration(Base):
    """How a draft model version was fitted: the as-of date, the history it was fitted on
    and the fit diagnostics (coefficients with standard errors, deviance, AIC, sizes)."""

    __tablename__ = "calibration"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    model_version: Mapped[str] = mapped_column(ForeignKey("rating_model.version"), unique=True)
    as_of_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    diagnostics: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = created_at_column()


class Backtest(Base):
    """A rolling-origin backtest, run off the request. While ``running`` its worker beats
    ``heartbeat_at``; a backtest whose heartbeat has gone stale is read as ``failed`` (the
    server stopped under it), so none stays "running" forever."""

    __tablename__ = "backtest"
    __table_args__ = (
        CheckConstraint(in_enum("status", v.BacktestStatus), name="status"),
        CheckConstraint("to_year >= from_year", name="years"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    from_year: Mapped[int] = mapped_column(Integer)
    to_year: Mapped[int] = mapped_column(Integer)
    candidate_version: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report_html: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
