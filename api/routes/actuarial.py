"""Calibrations and backtests under ``/v1`` (actuaries)."""

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import CurrentPrincipal, UowFactory
from api.routes.pricing import Version
from api.schemas.actuarial import (
    BacktestCreate,
    BacktestRead,
    CalibratedModelRead,
    CalibrationCreate,
    CalibrationRead,
)
from api.schemas.types import BIGINT_MAX
from underwriting import backtest_jobs, calibrations

BacktestId = Annotated[int, Path(alias="id", ge=1, le=BIGINT_MAX)]


def _source(request: Request) -> calibrations.HistorySource:
    return calibrations.HistorySource.of(request.app.state.settings.history_market)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["actuarial"])

    @router.post(
        "/rating-models/calibrations",
        status_code=201,
        response_model=CalibratedModelRead,
        summary="Calibrate a draft model on the insured history as of a date",
    )
    def calibrate(
        body: CalibrationCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        request: Request,
        response: Response,
    ):
        """Actuaries and admins. Claims developed to ultimate, frequency and liability by
        GLM, severity by maximum likelihood, K by Bühlmann–Straub; the draft version is
        stored with its diagnostics for a second actuary to approve. A few seconds."""
        stored = calibrations.calibrate_and_store(
            uows, principal, as_of=body.as_of_date, version=body.version, source=_source(request)
        )
        response.headers["Location"] = f"/v1/rating-models/{stored.model.version}"
        return {"model": stored.model, "calibration": stored.calibration}

    @router.get(
        "/rating-models/{version}/calibration",
        response_model=CalibrationRead,
        summary="The calibration behind a model version, with its diagnostics",
    )
    def read_calibration(version: Version, principal: CurrentPrincipal, uows: UowFactory):
        return calibrations.get_calibration(uows, principal, version)

    @router.post(
        "/backtests",
        status_code=202,
        response_model=BacktestRead,
        summary="Start a rolling-origin backtest; it runs off the request",
    )
    def start_backtest(
        body: BacktestCreate,
        principal: CurrentPrincipal,
        uows: UowFactory,
        request: Request,
        response: Response,
    ):
        """Actuaries and admins. For each test year: calibrate on the history up to two
        years before it, price the year's policies, compare with their developed ultimate
        losses. Poll `GET /v1/backtests/{id}`; a server that stops mid-run leaves it
        `failed`, never `running` forever."""
        source = _source(request)
        row = backtest_jobs.submit(uows, principal, body.model_dump(), source=source)
        threading.Thread(
            target=backtest_jobs.run,
            args=(uows, row.id),
            kwargs={"source": source},
            name=f"backtest-{row.id}",
            daemon=True,
        ).start()
        response.headers["Location"] = f"/v1/backtests/{row.id}"
        return BacktestRead.of(row)

    @router.get("/backtests/{id}", response_model=BacktestRead, summary="One backtest")
    def read_backtest(ident: BacktestId, principal: CurrentPrincipal, uows: UowFactory):
        """Its status, and once finished its metrics (JSON) and the report's address."""
        return BacktestRead.of(backtest_jobs.get(uows, principal, ident))

    @router.get(
        "/backtests/{id}/report",
        response_class=HTMLResponse,
        summary="The HTML report of a finished backtest",
    )
    def read_report(ident: BacktestId, principal: CurrentPrincipal, uows: UowFactory):
        return HTMLResponse(backtest_jobs.report(uows, principal, ident))

    return router
