"""The ledger is append-only, and the database says so: triggers refuse any UPDATE or DELETE
of a ``ledger_transaction`` or ``ledger_entry`` row (DESIGN.md section 3, item 5).

A correction is a new, reversing transaction, never an edit. The DDL is kept here, per
dialect, so that the migration that installs the guard and the test harness that must empty
the tables between tests (SQLite's ``DELETE`` fires the trigger; PostgreSQL's ``TRUNCATE``
does not) use the same statements.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

GUARDED = ("ledger_transaction", "ledger_entry")
MESSAGE = "the ledger is append-only: post a reversing transaction instead"


def install(connection: Connection) -> None:
    """Create the triggers that refuse UPDATE and DELETE on the ledger tables."""
    for statement in _create(connection.dialect.name):
        connection.execute(text(statement))


def remove(connection: Connection) -> None:
    """Drop the triggers (the downgrade, and the SQLite test harness's cleanup)."""
    for statement in _drop(connection.dialect.name):
        connection.execute(text(statement))


def _create(dialect: str) -> list[str]:
    if dialect == "postgresql":
        function = (
            "CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}' "
            "USING ERRCODE = 'restrict_violation'; END $$"
        )
        return [function] + [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            for table in GUARDED
        ]
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for table in GUARDED
        for verb in ("UPDATE", "DELETE")
    ]


def _drop(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in GUARDED] + [
            "DROP FUNCTION IF EXISTS ledger_append_only()"
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}"
        for table in GUARDED
        for verb in ("UPDATE", "DELETE")
    ]
