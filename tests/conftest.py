"""Fixtures shared by the three tiers.

Integration and API tests run once on SQLite and once on PostgreSQL (the ``backend`` param).
Each backend gets a fresh database migrated to head by Alembic; after each test every table is
emptied, so tests commit for real and still start from nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from tests.postgres import server_url, throwaway_postgresql  # noqa: F401 - a fixture
from underwriting.db import ledger_guard, migrations
from underwriting.db.engine import build_engine, session_factory
from underwriting.db.tables import Base
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory

#: Shared fixtures of the policy-lifecycle tests (``quotable``).
pytest_plugins = ["tests.quoting", "tests.claiming"]

BACKENDS = ["sqlite", "postgresql"]


def fresh_database(request: pytest.FixtureRequest, backend: str, tmp: Path) -> Iterator[str]:
    """Create an empty database of ``backend``; yield its URL; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / f'{uuid.uuid4().hex[:8]}.db'}"
        return
    server = server_url(request)
    name = f"secondlock_test_{uuid.uuid4().hex[:10]}"
    admin = server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of the session's backend, migrated to head."""
    for url in fresh_database(request, backend, tmp_path_factory.mktemp(backend)):
        migrations.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


def empty_all_tables(engine: Engine) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:  # DELETE fires the ledger's append-only guard: lift it while emptying
            ledger_guard.remove(connection)
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            ledger_guard.install(connection)


@pytest.fixture
def uows(engine: Engine) -> Iterator[UnitOfWorkFactory]:
    """A unit-of-work factory over the backend's database, emptied after the test."""
    yield partial(UnitOfWork, session_factory(engine))
    empty_all_tables(engine)


@pytest.fixture(scope="session")
def app(database_url: str):
    from api.app import create_app
    from underwriting.settings import Settings

    app = create_app(Settings(database_url=database_url))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app, uows):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def book(uows):
    from tests.small_book import build_small_book

    return build_small_book(uows)
