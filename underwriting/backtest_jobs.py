"""Backtests run off the request, and never lost as "running" (issue 6, item 5).

``submit`` checks the request against the history (enough years before the first test year
to calibrate on, none past its end, a candidate version that exists) and stores the
backtest ``queued``; the caller starts ``run`` on a thread of its own and answers 202. ``run``
marks it ``running``, beats ``heartbeat_at`` every ``BEAT_EVERY`` while
``underwriting.backtests.run_backtest`` works, then stores the metrics and the HTML report
(``finished``) or the error (``failed``), each in one transaction.

A server that stops mid-run leaves the row ``running`` with a heartbeat that no longer moves
(or ``queued`` with none): whoever reads it after ``STALE_AFTER`` without a sign of life
marks it ``failed`` — "the server stopped while it ran" — with a conditional update, so a
restart never leaves a backtest running forever and never fails one that is alive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from underwriting import clock
from underwriting.access import Principal, Resource, require_create, require_role
from underwriting.backtests import check_years
from underwriting.calibrations import HistorySource
from underwriting.db.tables import Backtest
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.errors import Conflict, InvalidInput, NotFound
from underwriting.rating_models import model_version
from underwriting.vocabulary import INSURER_STAFF, BacktestStatus, Role

#: How often a running backtest shows it is alive, and how long silence means it is not.
BEAT_EVERY = timedelta(seconds=5)
STALE_AFTER = timedelta(seconds=60)
#: Who may read backtests: the platform and the insurer's staff (their own insurer's).
READERS = frozenset({Role.ADMIN}) | INSURER_STAFF
_ALIVE = (BacktestStatus.QUEUED, BacktestStatus.RUNNING)
_DOING = {BacktestStatus.QUEUED: "waited to start", BacktestStatus.RUNNING: "ran"}


def submit(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    values: Mapping[str, Any],
    *,
    source: HistorySource,
) -> Backtest:
    """Check and store a backtest request; ``run`` it next, off the request."""
    require_create(principal, Resource.BACKTEST)
    start, end = values["from_year"], values["to_year"]
    check_years(source.years, start, end, fields=("from_year", "to_year"))
    candidate = values.get("candidate_version")
    with uow_factory() as uow:
        if candidate is not None and uow.rating_models.get(candidate) is None:
            raise InvalidInput("candidate_version", candidate, "is not a model version")
        row = uow.backtests.add(
            Backtest(
                organisation_id=principal.organisation_id,
                status=BacktestStatus.QUEUED,
                from_year=start,
                to_year=end,
                candidate_version=candidate,
                source=source.name,
                created_by_key_id=principal.key_id,
            )
        )
        uow.commit()
        return row


def run(
    uow_factory: UnitOfWorkFactory,
    backtest_id: int,
    *,
    source: HistorySource,
    runner: Callable[..., Any] | None = None,
) -> None:
    """Run a queued backtest to ``finished`` or ``failed``; never raises."""
    if runner is None:
        from underwriting.backtests import run_backtest as runner
    with uow_factory() as uow:
        row = uow.backtests.get(backtest_id)
        if row is None or row.status != BacktestStatus.QUEUED:
            return
        now = clock.now()
        row.status, row.started_at, row.heartbeat_at = BacktestStatus.RUNNING, now, now
        candidate = model_version(uow, row.candidate_version) if row.candidate_version else None
        years = (row.from_year, row.to_year)
        uow.commit()
    stop = threading.Event()
    beating = threading.Thread(target=_beat, args=(uow_factory, backtest_id, stop), daemon=True)
    beating.start()
    try:
        result = runner(
            source.history(), first_year=years[0], last_year=years[1], candidate=candidate
        )
    except Exception as error:
        _finish(uow_factory, backtest_id, error=f"{type(error).__name__}: {error}")
    else:
        _finish(uow_factory, backtest_id, metrics=result.metrics, html=result.html)
    finally:
        stop.set()


def get(uow_factory: UnitOfWorkFactory, principal: Principal, backtest_id: int) -> Backtest:
    """A visible backtest; one silent for ``STALE_AFTER`` is marked failed first."""
    require_role(principal, READERS, "read backtests")
    with uow_factory() as uow:
        row = uow.backtests.get(backtest_id, principal)
        if row is None:
            raise NotFound("backtest", backtest_id)
        if row.status in _ALIVE and _silent_since(row) < clock.now() - STALE_AFTER:
            _fail_if_silent(uow, row)
            uow.commit()
            row = uow.backtests.get(backtest_id, principal)
        return row


def report(uow_factory: UnitOfWorkFactory, principal: Principal, backtest_id: int) -> str:
    """The HTML report of a finished backtest."""
    row = get(uow_factory, principal, backtest_id)
    if row.status != BacktestStatus.FINISHED or row.report_html is None:
        raise Conflict("status", row.status, "the report exists once the backtest has finished")
    return row.report_html


def _silent_since(row: Backtest) -> datetime:
    return row.heartbeat_at or row.created_at


def _fail_if_silent(uow: UnitOfWork, row: Backtest) -> None:
    last = _silent_since(row)
    uow.backtests.fail_if_silent(
        row,
        status=BacktestStatus.FAILED,
        finished_at=clock.now(),
        error=(
            f"the server stopped while the backtest {_DOING[row.status]} (no sign of life "
            f"since {last.isoformat()}); submit it again"
        ),
    )


def _beat(uow_factory: UnitOfWorkFactory, backtest_id: int, stop: threading.Event) -> None:
    while not stop.wait(BEAT_EVERY.total_seconds()):
        with uow_factory() as uow:
            uow.backtests.beat(backtest_id, clock.now())
            uow.commit()


def _finish(
    uow_factory: UnitOfWorkFactory,
    backtest_id: int,
    *,
    metrics: dict[str, Any] | None = None,
    html: str | None = None,
    error: str | None = None,
) -> None:
    status = BacktestStatus.FAILED if error else BacktestStatus.FINISHED
    with uow_factory() as uow:
        uow.backtests.finish(
            backtest_id,
            status=status,
            metrics=metrics,
            report_html=html,
            error=error[:4000] if error else None,
            finished_at=clock.now(),
        )
        uow.commit()
