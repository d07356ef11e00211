"""The book through HTTP: create, replay, correct, batch, page, health and docs."""

from datetime import date, timedelta

from tests.small_book import START, credit_code


def auth(book, key):
    return {"Authorization": f"Bearer {book.keys[key]}"}


def record_body(book, visit: date, **overrides):
    body = {
        "engagement_id": book.ids["engagement_a"],
        "visit_date": visit.isoformat(),
        "categories_inspected": ["fire", "electrical"],
        "findings": [
            {
                "category": "electrical",
                "severity": "major",
                "description": "配电箱未接地",
                "rectification_deadline_date": (visit + timedelta(days=7)).isoformat(),
                "closed_date": None,
            }
        ],
        "evidence_photo_hashes": ["0f" * 32],
        "signer": "张工",
    }
    return body | overrides


def test_a_firm_files_a_record_its_enterprise_reads_it(client, book):
    created = client.post(
        "/v1/service-records",
        headers=auth(book, "firm_a"),
        json=record_body(book, START + timedelta(days=45)),
    )
    assert created.status_code == 201, created.text
    record = created.json()
    assert created.headers["location"] == f"/v1/service-records/{record['id']}"
    assert record["findings"][0]["severity"] == "major"
    assert record["submitted_at"].endswith(("+00:00", "Z"))
    seen = client.get(f"/v1/service-records/{record['id']}", headers=auth(book, "enterprise_x"))
    assert seen.json() == record
    other = client.get(f"/v1/service-records/{record['id']}", headers=auth(book, "firm_b"))
    assert other.status_code == 404


def test_idempotent_replay_returns_the_first_response(client, book):
    headers = auth(book, "firm_a") | {"Idempotency-Key": "visit-2024-02-15"}
    body = record_body(book, START + timedelta(days=45))
    first = client.post("/v1/service-records", headers=headers, json=body)
    again = client.post("/v1/service-records", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listed = client.get(
        "/v1/service-records",
        headers=auth(book, "firm_a"),
        params={"engagement_id": book.ids["engagement_a"]},
    ).json()["items"]
    assert len(listed) == 2  # the book's record and this one, once


def test_reusing_a_key_for_another_body_is_422_and_writes_nothing(client, book):
    headers = auth(book, "admin") | {"Idempotency-Key": "org-1"}
    first = {"kind": "insurer", "name": "丙保险", "credit_code": credit_code(500)}
    assert client.post("/v1/organisations", headers=headers, json=first).status_code == 201
    second = first | {"credit_code": credit_code(501)}
    response = client.post("/v1/organisations", headers=headers, json=second)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    codes = {
        org["credit_code"]
        for org in client.get("/v1/organisations", headers=auth(book, "admin")).json()["items"]
    }
    assert credit_code(501) not in codes


def test_a_correction_supersedes_and_both_stay_readable(client, book):
    old_id = book.ids["record_a"]
    fix = record_body(book, START + timedelta(days=10), supersedes_id=old_id, signer="王工")
    new = client.post("/v1/service-records", headers=auth(book, "firm_a"), json=fix)
    assert new.status_code == 201, new.text
    old = client.get(f"/v1/service-records/{old_id}", headers=auth(book, "firm_a")).json()
    assert old["superseded_by_id"] == new.json()["id"]
    assert new.json()["supersedes_id"] == old_id
    twice = client.post("/v1/service-records", headers=auth(book, "firm_a"), json=fix)
    assert twice.status_code == 409


def test_an_audit_correction_supersedes(client, book):
    old_id = book.ids["audit_a"]
    old = client.get(f"/v1/audits/{old_id}", headers=auth(book, "underwriter")).json()
    body = {
        k: old[k]
        for k in (
            "firm_id",
            "audit_date",
            "sample_size",
            "score_completeness",
            "score_accuracy",
            "score_follow_up",
            "score_evidence",
            "inaccurate_reports",
            "false_reports",
        )
    } | {"false_reports": 2, "supersedes_id": old_id}
    new = client.post("/v1/audits", headers=auth(book, "underwriter"), json=body)
    assert new.status_code == 201, new.text
    assert new.json()["auditor_id"] == book.ids["insurer_1"]
    reread = client.get(f"/v1/audits/{old_id}", headers=auth(book, "firm_a")).json()
    assert reread["superseded_by_id"] == new.json()["id"]


def test_a_batch_files_every_record_in_order(client, book):
    visits = [START + timedelta(days=20 + i) for i in range(25)]
    body = {"records": [record_body(book, visit) for visit in visits]}
    response = client.post("/v1/service-records/batch", headers=auth(book, "firm_a"), json=body)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["count"] == 25 and len(result["ids"]) == 25
    for record_id, visit in zip(result["ids"][::6], visits[::6], strict=False):
        read = client.get(f"/v1/service-records/{record_id}", headers=auth(book, "firm_a"))
        assert read.json()["visit_date"] == visit.isoformat()
        assert read.json()["submitted_at"][:19] == result["submitted_at"][:19]


def test_the_whole_flow_of_a_new_party(client, book):
    admin = auth(book, "admin")
    org = client.post(
        "/v1/organisations",
        headers=admin,
        json={
            "kind": "enterprise",
            "name": "丙矿业",
            "credit_code": credit_code(777),
        },
    ).json()
    enterprise = client.post(
        "/v1/enterprises",
        headers=admin,
        json={
            "organisation_id": org["id"],
            "hazard_class": "mining",
            "region_code": "140100",
            "employees": 800,
            "standardisation_grade": "3",
            "major_hazard_sources": 2,
        },
    )
    assert enterprise.status_code == 201, enterprise.text
    assert enterprise.json()["name"] == "丙矿业"
    engagement = client.post(
        "/v1/engagements",
        headers=auth(book, "firm_a"),
        json={
            "firm_id": book.ids["firm_a"],
            "enterprise_id": org["id"],
            "service_kinds": ["hazard_inspection", "training"],
            "hazard_categories": ["roof_fall", "gas", "water_inrush"],
            "start_date": "2024-06-01",
            "end_date": "2025-05-31",
            "annual_fee": "88000.00",
            "inspection_interval_days": 30,
        },
    )
    assert engagement.status_code == 201, engagement.text
    assert engagement.json()["annual_fee"] == "88000.00"
    # Now firm A serves the enterprise, so it sees it; firm B still does not.
    path = f"/v1/enterprises/{org['id']}"
    assert client.get(path, headers=auth(book, "firm_a")).status_code == 200
    assert client.get(path, headers=auth(book, "firm_b")).status_code == 404


def test_a_profile_on_the_wrong_kind_or_twice_is_refused(client, book):
    admin = auth(book, "admin")
    firm_profile = {
        "qualification_kind": "safety_assessment",
        "qualification_expiry_date": "2030-01-01",
        "credit_colour": "yellow",
        "safety_engineers": 3,
        "founded_year": 2015,
    }
    wrong_kind = client.post(
        "/v1/firms", headers=admin, json=firm_profile | {"organisation_id": book.ids["insurer_1"]}
    )
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["errors"][0]["field"] == "organisation_id"
    twice = client.post(
        "/v1/firms", headers=admin, json=firm_profile | {"organisation_id": book.ids["firm_a"]}
    )
    assert twice.status_code == 409


def test_health_and_docs(client):
    health = client.get("/healthz")
    assert health.json() == {"status": "ok", "database": True}
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/service-records/batch" in paths


def test_a_body_over_the_limit_is_413_problem(database_url):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from underwriting.settings import Settings

    app = create_app(Settings(database_url=database_url, body_max_bytes=2048))
    with TestClient(app) as small:
        response = small.post(
            "/v1/organisations",
            content=b"{" + b" " * 4096 + b"}",
            headers={"Content-Type": "application/json"},
        )
    app.state.engine.dispose()
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
