"""Incidents through the API: who may report one, its Decree 493 grade, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from underwriting import clock


def auth(book, key):
    return {"Authorization": f"Bearer {book.keys[key]}"}


def incident(book, **change):
    body = {
        "enterprise_id": book.ids["enterprise_x"],
        "occurred_at": "2025-03-04T09:30:00+08:00",
        "accident_type": "poisoning_asphyxiation",
        "deaths": 3,
        "serious_injuries": 2,
        "minor_injuries": 0,
        "direct_loss": "2500000.00",
        "description": "有限空间作业中毒",
    }
    return body | change


@pytest.mark.parametrize("key", ["enterprise_x", "firm_a", "adjuster", "admin"])
def test_the_enterprise_its_firm_or_an_adjuster_reports_and_the_grade_is_derived(client, book, key):
    response = client.post("/v1/incidents", json=incident(book), headers=auth(book, key))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["grade"] == "larger"  # 3 deaths: 较大 (Decree 493 art. 3)
    assert created["occurred_at"] == "2025-03-04T01:30:00Z"
    assert created["reported_by_id"] == book.principals[key].organisation_id
    assert response.headers["location"] == f"/v1/incidents/{created['id']}"


def test_a_large_loss_alone_makes_a_major_accident(client, book):
    body = incident(book, deaths=0, serious_injuries=0, direct_loss="60000000.00")
    response = client.post("/v1/incidents", json=body, headers=auth(book, "adjuster"))
    assert response.json()["grade"] == "major"


@pytest.mark.parametrize("key", ["enterprise_y", "firm_b"])
def test_an_enterprise_out_of_reach_is_not_found(client, book, key):
    response = client.post("/v1/incidents", json=incident(book), headers=auth(book, key))
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "enterprise_id"


@pytest.mark.parametrize("key", ["underwriter", "actuary"])
def test_underwriters_and_actuaries_do_not_report_incidents(client, book, key):
    response = client.post("/v1/incidents", json=incident(book), headers=auth(book, key))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_at": "2025-03-04T09:30:00"}, "occurred_at"),  # no offset
        ({"occurred_at": 1741051800}, "occurred_at"),
        ({"accident_type": "meteor"}, "accident_type"),
        ({"deaths": -1}, "deaths"),
        ({"direct_loss": "-5.00"}, "direct_loss"),
        ({"direct_loss": 100.5}, "direct_loss"),
        ({"grade": "general"}, "grade"),
    ],
)
def test_bad_incidents_name_the_field_and_write_nothing(client, book, change, field):
    before = client.get("/v1/incidents", headers=auth(book, "admin")).json()["items"]
    response = client.post(
        "/v1/incidents", json=incident(book, **change), headers=auth(book, "adjuster")
    )
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert client.get("/v1/incidents", headers=auth(book, "admin")).json()["items"] == before


def test_an_incident_in_the_future_is_refused(client, book):
    later = (clock.now() + timedelta(hours=2)).isoformat()
    response = client.post(
        "/v1/incidents", json=incident(book, occurred_at=later), headers=auth(book, "adjuster")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "occurred_at"


def test_a_retried_report_is_recorded_once(client, book):
    headers = auth(book, "enterprise_x") | {"Idempotency-Key": "incident-1"}
    first = client.post("/v1/incidents", json=incident(book), headers=headers)
    again = client.post("/v1/incidents", json=incident(book), headers=headers)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"


def test_an_incident_before_the_enterprise_was_established_is_refused(client, book, uows):
    from datetime import date

    from underwriting.db.tables import Enterprise

    with uows() as uow:
        uow.session.get(Enterprise, book.ids["enterprise_x"]).established_date = date(2025, 1, 1)
        uow.commit()
    early = incident(book, occurred_at="2024-12-31T23:59:00+08:00")
    response = client.post("/v1/incidents", json=early, headers=auth(book, "adjuster"))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["value"]) == ("occurred_at", "2024-12-31T23:59:00+08:00")
    assert "established (2025-01-01)" in error["message"]
    # The business date is China's: 00:30 on the day of establishment is 2024-12-31 in UTC.
    first_day = incident(book, occurred_at="2025-01-01T00:30:00+08:00")
    assert (
        client.post("/v1/incidents", json=first_day, headers=auth(book, "adjuster")).status_code
        == 201
    )
    shown = client.get(f"/v1/enterprises/{book.ids['enterprise_x']}", headers=auth(book, "admin"))
    assert shown.json()["established_date"] == "2025-01-01"
