"""Bulk loading of JSON-native rows (fixtures) into the tables, fast and type-exact."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Table, func, insert, select, text
from sqlalchemy.orm import Session

from underwriting.db.tables import Base
from underwriting.db.tables.base import ExactDecimal, UtcDateTime

CHUNK = 5_000


def _converter(column_type: Any) -> Callable[[Any], Any] | None:
    if isinstance(column_type, ExactDecimal):
        return Decimal
    if isinstance(column_type, UtcDateTime | DateTime):
        return datetime.fromisoformat
    if isinstance(column_type, Date):
        return date.fromisoformat
    return None


def insert_rows(session: Session, table_name: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dates as ISO strings, money as decimal strings) into ``table_name``,
    in chunks of executemany; returns how many were inserted."""
    table: Table = Base.metadata.tables[table_name]
    converters = {
        column.name: convert
        for column in table.columns
        if (convert := _converter(column.type)) is not None
    }
    count, chunk = 0, []
    for row in rows:
        chunk.append(
            {
                key: converters[key](value) if key in converters and value is not None else value
                for key, value in row.items()
            }
        )
        if len(chunk) == CHUNK:
            count += _flush(session, table, chunk)
    return count + _flush(session, table, chunk)


def _flush(session: Session, table: Table, chunk: list[dict[str, Any]]) -> int:
    if chunk:
        session.execute(insert(table), chunk)
    count = len(chunk)
    chunk.clear()
    return count


def is_empty(session: Session, table_name: str) -> bool:
    table = Base.metadata.tables[table_name]
    return not session.scalar(select(func.count()).select_from(table))


def reset_sequences(session: Session) -> None:
    """After inserting explicit ids, move PostgreSQL's identity sequences past them (SQLite
    needs nothing: its rowid counter follows the largest id)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" not in table.columns or not table.columns["id"].autoincrement:
            continue
        sequence = session.scalar(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
        )
        if sequence:
            largest = f"COALESCE((SELECT MAX(id) FROM {table.name}), 0)"
            session.execute(text(f"SELECT setval('{sequence}', {largest} + 1, false)"))
