"""Throwaway PostgreSQL databases for the benchmarks, and facts about the machine.

The server is the one the test suite uses: ``postgresql+psycopg://postgres@127.0.0.1:5432``
(trust auth), overridable with ``BENCH_POSTGRES_URL`` or ``--server``.
"""

from __future__ import annotations

import os
import platform
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def default_server() -> str:
    """The SQLAlchemy URL (no database name) of the server to benchmark on."""
    return os.environ.get("BENCH_POSTGRES_URL", DEFAULT_SERVER).rstrip("/")


def libpq_url(sqlalchemy_url: str) -> str:
    """The same URL in the form psycopg itself accepts (no ``+psycopg`` driver suffix)."""
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def _admin(server: str) -> psycopg.Connection:
    return psycopg.connect(libpq_url(server) + "/postgres", autocommit=True)


@contextmanager
def fresh_database(server: str, purpose: str) -> Iterator[str]:
    """Create an empty database with a unique name; yield its SQLAlchemy URL; drop it
    afterwards (also on failure or Ctrl-C), forcing off any connection still open."""
    name = f"secondlock_bench_{purpose}_{uuid.uuid4().hex[:10]}"
    with _admin(server) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with _admin(server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def count_rows(url: str, table: str) -> int:
    """``SELECT count(*)`` of ``table`` in the database at SQLAlchemy ``url``."""
    with psycopg.connect(libpq_url(url)) as connection:
        row = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return int(row[0]) if row else 0


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(server: str) -> dict[str, str]:
    """CPUs usable by this process (as ``nproc`` counts them), CPU model, Python and
    PostgreSQL server versions."""
    with _admin(server) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": _cpu_model(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "postgresql": str(row[0]) if row else "unknown",
    }
