"""A PostgreSQL server for the suite: the machine's own if one answers, else a throwaway one.

On these machines a server answers on 127.0.0.1:5432 (trust auth, user ``postgres``). When
none does, the suite starts one: as an ordinary user, pytest-postgresql's process fixture
runs ``initdb`` and ``pg_ctl`` from the installed binaries in a temporary directory; as root
(where ``initdb`` refuses to run) the installed Debian cluster is started with
``pg_ctlcluster``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time

import psycopg
from pytest_postgresql import factories

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"


def _pg_ctl() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) or [shutil.which("pg_ctl")]
    return found[-1]


throwaway_postgresql = factories.postgresql_proc(executable=_pg_ctl(), port=None)


def answers(host: str = HOST, port: int = PORT, user: str = USER) -> bool:
    try:
        psycopg.connect(
            host=host, port=port, user=user, dbname="postgres", connect_timeout=3
        ).close()
    except psycopg.OperationalError:
        return False
    return True


def start_installed_cluster() -> bool:
    """Start the Debian clusters (as root); True when one then answers on 127.0.0.1:5432."""
    if shutil.which("pg_ctlcluster") is None:
        return False
    for version in (
        sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    ):
        for cluster in sorted(os.listdir(f"/etc/postgresql/{version}")):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "start"],
                check=False,
                capture_output=True,
            )
    for _ in range(30):
        if answers():
            return True
        time.sleep(0.5)
    return False


def server_url(request) -> str:
    """A SQLAlchemy URL (no database) of a server the suite may create databases on."""
    if answers() or (os.geteuid() == 0 and start_installed_cluster()):
        return f"postgresql+psycopg://{USER}@{HOST}:{PORT}"
    executor = request.getfixturevalue("throwaway_postgresql")
    return f"postgresql+psycopg://{executor.user}@{executor.host}:{executor.port}"
