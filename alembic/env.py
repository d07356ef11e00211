"""Alembic environment: migrates the database named by the caller or by ``DATABASE_URL``."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Connection

from alembic import context
from underwriting.db.engine import build_engine
from underwriting.db.tables import Base
from underwriting.db.tables.base import ExactDecimal, UtcDateTime
from underwriting.settings import Settings

target_metadata = Base.metadata


def _render_item(kind: str, item: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our own column types by their constructors, imported by name."""
    if kind == "type" and isinstance(item, ExactDecimal):
        autogen_context.imports.add("from underwriting.db.tables.base import ExactDecimal")
        return f"ExactDecimal({item.places})"
    if kind == "type" and isinstance(item, UtcDateTime):
        autogen_context.imports.add("from underwriting.db.tables.base import UtcDateTime")
        return "UtcDateTime()"
    return False


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or Settings().database_url
    engine = build_engine(url)
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; migrate a live database")
run()
