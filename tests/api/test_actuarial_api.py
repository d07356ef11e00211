"""Calibrations and backtests through the API (issue 6, items 4 and 5): who may ask, bad
requests, the stored draft and diagnostics, and backtests that never stay "running"."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.quoting import auth
from underwriting import backtest_jobs, clock
from underwriting.db.tables import Backtest
from underwriting.keys import create_key
from underwriting.vocabulary import Role


def calibrate(client, book, key="actuary", **body):
    return client.post(
        "/v1/rating-models/calibrations",
        json={"as_of_date": "2023-12-31"} | body,
        headers=auth(book, key),
    )


def test_an_actuary_calibrates_a_draft_stored_with_its_diagnostics(client, book):
    response = calibrate(client, book)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["model"]["version"], body["model"]["status"]) == ("cal-2023-12-31", "draft")
    assert body["model"]["effective_from_date"] == "2024-01-01"
    assert response.headers["location"] == "/v1/rating-models/cal-2023-12-31"
    diagnostics = body["calibration"]["diagnostics"]
    assert diagnostics["frequency"]["n_obs"] == 9600
    assert {"name", "estimate", "se", "lower95", "upper95"} <= set(
        diagnostics["liability"]["coefficients"][0]
    )
    assert body["calibration"]["source"] == "market demo"
    read = client.get(
        "/v1/rating-models/cal-2023-12-31/calibration", headers=auth(book, "underwriter")
    )
    assert read.json()["diagnostics"] == diagnostics
    # A second actuary approves it, as any draft.
    approved = client.post(
        "/v1/rating-models/cal-2023-12-31/approve", headers=auth(book, "actuary_b")
    )
    assert approved.json()["status"] == "approved"
    again = calibrate(client, book)
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "version"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"as_of_date": "2017-06-30"}, "as_of"),
        ({"as_of_date": "31/12/2023"}, "as_of_date"),
        ({"version": "bad version!"}, "version"),
    ],
)
def test_bad_calibration_requests_are_refused_and_store_nothing(client, book, body, field):
    response = calibrate(client, book, **body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    versions = [
        m["version"] for m in client.get("/v1/rating-models", headers=auth(book, "actuary")).json()
    ]
    assert not [v for v in versions if v.startswith("cal-")]


@pytest.mark.parametrize("key", ["underwriter", "adjuster", "firm_a", "enterprise_x"])
def test_only_actuaries_calibrate_and_start_backtests(client, book, key):
    assert calibrate(client, book, key=key).status_code == 403
    body = {"from_year": 2019, "to_year": 2020}
    assert client.post("/v1/backtests", json=body, headers=auth(book, key)).status_code == 403


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"from_year": 2018, "to_year": 2020}, "from_year", "the first test year is 2019"),
        ({"from_year": 2019, "to_year": 2026}, "to_year", "ends in 2025"),
        ({"from_year": 2021, "to_year": 2020}, "to_year", "before from_year"),
        (
            {"from_year": 2019, "to_year": 2020, "candidate_version": "nope"},
            "candidate_version",
            "not a model version",
        ),
    ],
)
def test_bad_backtest_requests_are_refused_and_store_nothing(
    client, book, uows, body, field, words
):
    response = client.post("/v1/backtests", json=body, headers=auth(book, "actuary"))
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == field and words in error["message"]
    with uows() as uow:
        assert uow.backtests.count() == 0


def _row(uows, book, status, *, silent_for: timedelta, beating: bool) -> int:
    then = clock.now() - silent_for
    with uows() as uow:
        row = uow.backtests.add(
            Backtest(
                organisation_id=book.ids["insurer_1"],
                status=status,
                from_year=2019,
                to_year=2020,
                source="market demo",
                created_at=then,
                started_at=then if beating else None,
                heartbeat_at=then if beating else None,
            )
        )
        uow.commit()
        return row.id


@pytest.mark.parametrize(
    ("status", "beating", "doing"), [("running", True, "ran"), ("queued", False, "waited")]
)
def test_a_backtest_whose_server_stopped_reads_as_failed_not_running(
    client, book, uows, status, beating, doing
):
    stale = _row(uows, book, status, silent_for=timedelta(minutes=5), beating=beating)
    alive = _row(uows, book, status, silent_for=timedelta(seconds=5), beating=beating)
    headers = auth(book, "actuary")
    failed = client.get(f"/v1/backtests/{stale}", headers=headers).json()
    assert failed["status"] == "failed"
    assert f"the server stopped while the backtest {doing}" in failed["error"]
    assert client.get(f"/v1/backtests/{alive}", headers=headers).json()["status"] == status
    report = client.get(f"/v1/backtests/{stale}/report", headers=headers)
    assert report.status_code == 409


def test_backtests_are_seen_by_their_insurers_staff_only(client, book, uows):
    ident = _row(uows, book, "running", silent_for=timedelta(seconds=1), beating=True)
    other = create_key(uows, organisation_id=book.ids["insurer_2"], role=Role.ACTUARY)
    assert (
        client.get(f"/v1/backtests/{ident}", headers=auth(book, "underwriter")).status_code == 200
    )
    headers = {"Authorization": f"Bearer {other.plaintext}"}
    assert client.get(f"/v1/backtests/{ident}", headers=headers).status_code == 404
    assert client.get(f"/v1/backtests/{ident}", headers=auth(book, "firm_a")).status_code == 403


def test_a_backtest_runs_and_stores_its_result_or_its_error(book, uows):
    source = backtest_jobs.HistorySource()

    result = SimpleNamespace(
        metrics={"overall": {"actual_to_expected": 1.0}}, html="<html>report</html>"
    )

    def works(history, **years):
        assert (years["first_year"], years["last_year"]) == (2019, 2020)
        return result

    def breaks(history, **years):
        raise ValueError("the GLM did not converge")

    actuary = book.principals["actuary"]
    for runner, status in ((works, "finished"), (breaks, "failed")):
        row = backtest_jobs.submit(
            uows, actuary, {"from_year": 2019, "to_year": 2020}, source=source
        )
        backtest_jobs.run(uows, row.id, source=source, runner=runner)
        done = backtest_jobs.get(uows, actuary, row.id)
        assert done.status == status
        if status == "finished":
            assert done.metrics == result.metrics
            assert backtest_jobs.report(uows, actuary, row.id) == result.html
        else:
            assert done.error == "ValueError: the GLM did not converge"
        backtest_jobs.run(uows, row.id, source=source, runner=breaks)  # a second run does nothing
        assert backtest_jobs.get(uows, actuary, row.id).status == status


def test_a_backtest_posted_through_the_api_finishes_with_its_metrics_and_report(client, book):
    import time

    headers = auth(book, "actuary")
    started = client.post(
        "/v1/backtests", json={"from_year": 2023, "to_year": 2024}, headers=headers
    )
    assert started.status_code == 202, started.text
    assert started.json()["status"] in ("queued", "running")
    url = started.headers["location"]
    deadline = time.monotonic() + 120
    while (body := client.get(url, headers=headers).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, body
        time.sleep(0.5)
    assert body["status"] == "finished", body["error"]
    assert body["metrics"]["test_years"] == [2023, 2024]
    assert body["report_url"] == f"{url}/report"
    report = client.get(body["report_url"], headers=headers)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert report.text.count("<figure") == 6  # the charts, inline
