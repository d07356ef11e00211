"""Declarative base, naming convention and column helpers shared by every table module.

Money is ``NUMERIC(18, 2)`` in CNY; rates are double precision in [0, 1]; dates end in
``_date`` and timestamps in ``_at`` (timezone-aware, UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    Numeric,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ExactDecimal(TypeDecorator[Decimal]):
    """A ``Decimal`` with a fixed number of places, never a float.

    PostgreSQL stores ``NUMERIC(18, places)``. SQLite has no exact decimal type (its NUMERIC
    affinity keeps a double), so there the column is an integer count of the smallest unit
    (fen, for money), and checks written in SQL (``amount >= 0``) read the same on both. A
    value finer than the unit is refused rather than rounded: rounding is the caller's
    decision, not storage's.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, places: int = 2) -> None:
        super().__init__(18, places)
        self.places = places
        self.unit = Decimal(1).scaleb(-places)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, self.places, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value)
        if value != value.quantize(self.unit):
            raise ValueError(f"value must be a whole multiple of {self.unit}; got ({value})")
        if dialect.name == "sqlite":
            return int(value.scaleb(self.places))
        return value.quantize(self.unit)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(value).scaleb(-self.places).quantize(self.unit)
        return Decimal(value).quantize(self.unit)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, always handed back in UTC.

    PostgreSQL stores ``timestamptz``; SQLite, which has no time zones, stores the UTC wall
    time and gets its ``+00:00`` back on reading. A naive datetime is refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware; got ({value.isoformat()})")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def Money() -> ExactDecimal:  # noqa: N802 - reads as a column type
    """CNY to the fen: ``NUMERIC(18, 2)`` on PostgreSQL, integer fen on SQLite."""
    return ExactDecimal(2)


# SQLite's 64-bit rowid alias must be spelled INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def in_enum(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


def rate_range(column: str) -> str:
    return f"{column} >= 0 AND {column} <= 1"


def share_checks(column: str, name: str, *, places: int = 4) -> tuple[CheckConstraint, ...]:
    """``0 <= column <= 1`` for an ``ExactDecimal(places)`` share, on each dialect: SQLite
    stores the share as an integer count of 10^-places, so its upper bound is 10^places.
    A ``NULL`` passes, as in any SQL check."""
    return (
        CheckConstraint(f"{column} >= 0 AND {column} <= 1", name=name).ddl_if(dialect="postgresql"),
        CheckConstraint(f"{column} >= 0 AND {column} <= {10**places}", name=name).ddl_if(
            dialect="sqlite"
        ),
    )


def score_range(column: str) -> str:
    return f"{column} >= 0 AND {column} <= 100"


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UtcDateTime(), server_default=func.now())
