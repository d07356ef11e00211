"""The schema comes only from Alembic, and the migrations agree with the tables."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tests.conftest import fresh_database
from underwriting.db import migrations
from underwriting.db.engine import build_engine
from underwriting.db.tables import Base


@pytest.fixture
def empty_url(request, backend, tmp_path):
    yield from fresh_database(request, backend, tmp_path)


def tables_of(url: str) -> set[str]:
    engine = build_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_url):
    migrations.upgrade(empty_url)
    assert tables_of(empty_url) == set(Base.metadata.tables)
    migrations.downgrade(empty_url, "base")
    assert tables_of(empty_url) == set()
    migrations.upgrade(empty_url)
    assert tables_of(empty_url) == set(Base.metadata.tables)


def schema_diff(url: str) -> list:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_autogenerate_finds_no_difference(empty_url):
    migrations.upgrade(empty_url)
    assert schema_diff(empty_url) == []


def test_autogenerate_would_see_a_difference(empty_url):
    # The comparison is live: one migration short of head, it reports the missing tables.
    migrations.upgrade(empty_url)
    migrations.downgrade(empty_url, "base")
    assert len(schema_diff(empty_url)) >= len(Base.metadata.tables)
