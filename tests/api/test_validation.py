"""Every validation rule answers a problem+json 4xx naming the field and the bad value,
and writes nothing (DESIGN.md section 4).

Each rejected POST is sent through ``post_rejected``, which lists the resource as the admin
before and after and checks the two listings are identical.
"""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from typing import Any

import pytest

from tests.small_book import SNAPSHOT_METRICS, START, credit_code, record_values

PROBLEM_JSON = "application/problem+json"
_ANY = object()

TODAY = date.today()
FUTURE = TODAY + timedelta(days=2)
ENGAGEMENT_END = START + timedelta(days=730)  # the small book's engagements end 2025-12-31


# --- helpers ---------------------------------------------------------------------------


def assert_problem(response, status: int, field: str | tuple[str, ...] | None, value=_ANY):
    """``response`` is an RFC 9457 problem of ``status``; some ``errors[]`` entry names
    ``field`` (one of them, if a tuple), with ``value`` when given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status
    for key in ("type", "title", "detail", "errors"):
        assert key in body, body
    if field is None:
        return body
    fields = (field,) if isinstance(field, str) else field
    named = [error for error in body["errors"] if error["field"] in fields]
    assert named, f"no error names {field!r}: {body['errors']}"
    if value is not _ANY:
        assert any(error["value"] == value for error in named), (
            f"no error on {field!r} shows value {value!r}: {named}"
        )
    return body


def auth(book, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {book.keys[who]}"}


def listing(client, book, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of ``/v1/<path>`` the admin can see, following ``next_cursor``."""
    items: list[dict[str, Any]] = []
    params = {"limit": 500, **params}
    while True:
        response = client.get(f"/v1/{path}", params=params, headers=auth(book, "admin"))
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


def post_rejected(
    client,
    book,
    path: str,
    body: Any,
    status: int,
    field: str | tuple[str, ...] | None,
    value: Any = _ANY,
    *,
    who: str = "firm_a",
    listed: str | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
):
    """POST ``body`` (or raw ``content``) to ``/v1/<path>``; it must be refused with a
    problem naming ``field``, and the ``listed`` resource must read the same afterwards."""
    listed = listed or path.removesuffix("/batch")
    before = listing(client, book, listed)
    sent = auth(book, who) | (headers or {})
    if content is not None:
        sent["Content-Type"] = "application/json"
        response = client.post(f"/v1/{path}", content=content, headers=sent)
    else:
        response = client.post(f"/v1/{path}", json=body, headers=sent)
    problem = assert_problem(response, status, field, value)
    assert listing(client, book, listed) == before, "a rejected request wrote something"
    return problem


def record_count(uows) -> int:
    with uows() as uow:
        return uow.service_records.count()


def jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


# --- valid bodies ----------------------------------------------------------------------


def organisation_body(**overrides: Any) -> dict[str, Any]:
    return {"kind": "firm", "name": "丙安全技术", "credit_code": credit_code(99)} | overrides


def firm_body(organisation_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "qualification_kind": "safety_assessment",
        "qualification_expiry_date": "2030-01-01",
        "credit_colour": "blue",
        "safety_engineers": 12,
        "founded_year": 2008,
    } | overrides


def enterprise_body(organisation_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "hazard_class": "construction",
        "region_code": "320500",
        "employees": 250,
        "standardisation_grade": "2",
        "major_hazard_sources": 1,
    } | overrides


def snapshot_body(book, **overrides: Any) -> dict[str, Any]:
    where = {"enterprise_id": book.ids["enterprise_x"], "as_of_date": "2024-06-01"}
    return where | SNAPSHOT_METRICS | overrides


def engagement_body(book, **overrides: Any) -> dict[str, Any]:
    return {
        "firm_id": book.ids["firm_a"],
        "enterprise_id": book.ids["enterprise_x"],
        "service_kinds": ["hazard_inspection", "training"],
        "hazard_categories": ["fire", "electrical", "gas"],
        "start_date": "2024-01-01",
        "end_date": "2025-12-31",
        "annual_fee": "60000.00",
        "inspection_interval_days": 30,
    } | overrides


def record_body(engagement_id: int, visit: date = date(2024, 3, 1), **overrides: Any):
    """A valid service record as JSON (ISO dates), on ``engagement_id`` visited ``visit``."""
    return jsonable(record_values(engagement_id, visit)) | overrides


def finding_body(visit: date = date(2024, 3, 1), **overrides: Any) -> dict[str, Any]:
    return record_body(1, visit)["findings"][0] | overrides


def audit_body(book, **overrides: Any) -> dict[str, Any]:
    return {
        "firm_id": book.ids["firm_a"],
        "audit_date": "2024-06-01",
        "sample_size": 20,
        "score_completeness": 88.0,
        "score_accuracy": 91.5,
        "score_follow_up": 80.0,
        "score_evidence": 85.0,
        "inaccurate_reports": 1,
        "false_reports": 0,
    } | overrides


@pytest.fixture
def long_engagement(client, book) -> int:
    """An engagement of firm A's that started in 2024 and ends ten years from today."""
    body = engagement_body(book, end_date=(TODAY + timedelta(days=3650)).isoformat())
    response = client.post("/v1/engagements", json=body, headers=auth(book, "firm_a"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


# --- the valid bodies are valid (so each rejection below is the one bad field's doing) ---


@pytest.mark.parametrize(
    "path, who",
    [
        ("organisations", "admin"),
        ("hazard-snapshots", "firm_a"),
        ("engagements", "firm_a"),
        ("service-records", "firm_a"),
        ("audits", "underwriter"),
    ],
)
def test_the_valid_bodies_are_accepted(client, book, path, who):
    body = {
        "organisations": organisation_body(),
        "hazard-snapshots": snapshot_body(book),
        "engagements": engagement_body(book),
        "service-records": record_body(book.ids["engagement_a"]),
        "audits": audit_body(book),
    }[path]
    before = listing(client, book, path)
    response = client.post(f"/v1/{path}", json=body, headers=auth(book, who))
    assert response.status_code == 201, response.text
    assert len(listing(client, book, path)) == len(before) + 1


def test_valid_firm_and_enterprise_profiles_are_accepted(client, book):
    admin = auth(book, "admin")
    for kind, serial, path, body in (
        ("firm", 97, "firms", firm_body),
        ("enterprise", 98, "enterprises", enterprise_body),
    ):
        org = client.post(
            "/v1/organisations",
            json=organisation_body(kind=kind, credit_code=credit_code(serial)),
            headers=admin,
        )
        assert org.status_code == 201, org.text
        response = client.post(f"/v1/{path}", json=body(org.json()["id"]), headers=admin)
        assert response.status_code == 201, response.text


# --- unified social credit code --------------------------------------------------------

VALID_99 = credit_code(99)
WRONG_CHECK = VALID_99[:17] + ("1" if VALID_99[17] != "1" else "2")


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(VALID_99[:17], id="17-chars"),
        pytest.param(VALID_99 + "1", id="19-chars"),
        pytest.param("", id="empty"),
        pytest.param("I" + VALID_99[1:], id="letter-I"),
        pytest.param(VALID_99[:8] + "O" + VALID_99[9:], id="letter-O"),
        pytest.param(VALID_99[:8] + "Z" + VALID_99[9:], id="letter-Z"),
        pytest.param(VALID_99[:8] + "S" + VALID_99[9:], id="letter-S"),
        pytest.param(VALID_99[:8] + "V" + VALID_99[9:], id="letter-V"),
        pytest.param("91350100m000100Y43", id="lower-case"),
        pytest.param(VALID_99[:8] + "中" + VALID_99[9:], id="cjk"),
        pytest.param(WRONG_CHECK, id="wrong-check-character"),
    ],
)
def test_invalid_credit_code_is_422(client, book, code):
    body = organisation_body(credit_code=code)
    post_rejected(client, book, "organisations", body, 422, "credit_code", code, who="admin")


def test_credit_code_of_wrong_type_is_422(client, book):
    body = organisation_body(credit_code=913501001000100)
    post_rejected(client, book, "organisations", body, 422, "credit_code", who="admin")


def test_duplicate_credit_code_is_409(client, book):
    taken = credit_code(2)  # the small book's first insurer
    body = organisation_body(credit_code=taken)
    post_rejected(client, book, "organisations", body, 409, "credit_code", taken, who="admin")


def test_published_example_credit_code_is_accepted(client, book):
    body = organisation_body(credit_code="91350100M000100Y43")
    response = client.post("/v1/organisations", json=body, headers=auth(book, "admin"))
    assert response.status_code == 201, response.text
    assert response.json()["credit_code"] == "91350100M000100Y43"


# --- dates in order --------------------------------------------------------------------


@pytest.mark.parametrize("end", ["2024-01-01", "2023-12-31"], ids=["equal", "before"])
def test_engagement_ending_on_or_before_its_start_is_422(client, book, end):
    body = engagement_body(book, start_date="2024-01-01", end_date=end)
    problem = post_rejected(client, book, "engagements", body, 422, None)
    assert "end_date" in problem["detail"]


@pytest.mark.parametrize("end", ["2024-01-01", "2023-12-31"], ids=["equal", "before"])
def test_engagement_ending_on_or_before_its_start_names_end_date(client, book, end):
    body = engagement_body(book, start_date="2024-01-01", end_date=end)
    post_rejected(client, book, "engagements", body, 422, "end_date", end)


@pytest.mark.parametrize(
    "visit",
    [
        pytest.param(START - timedelta(days=1), id="before-start"),
        pytest.param(ENGAGEMENT_END + timedelta(days=1), id="after-end"),
    ],
)
def test_visit_outside_the_engagement_is_422(client, book, visit):
    body = record_body(book.ids["engagement_a"], visit)
    post_rejected(client, book, "service-records", body, 422, "visit_date", visit.isoformat())


def test_visit_in_the_future_is_422(client, book, long_engagement):
    body = record_body(long_engagement, FUTURE)
    post_rejected(client, book, "service-records", body, 422, "visit_date", FUTURE.isoformat())


@pytest.mark.parametrize(
    "visit",
    [
        pytest.param(START - timedelta(days=1), id="before-start"),
        pytest.param(ENGAGEMENT_END + timedelta(days=1), id="after-end"),
        pytest.param(FUTURE, id="future"),
    ],
)
def test_batch_visit_out_of_bounds_names_the_record(client, book, long_engagement, visit):
    engagement = long_engagement if visit == FUTURE else book.ids["engagement_a"]
    good = record_body(engagement, date(2024, 3, 1))
    body = {"records": [good, good, record_body(engagement, visit)]}
    post_rejected(
        client, book, "service-records/batch", body, 422, "records[2].visit_date", visit.isoformat()
    )


@pytest.mark.parametrize(
    "visit", ["2024-02-30", "01/03/2024", "2024-3-1", "", 20240301, None], ids=repr
)
def test_visit_date_not_an_iso_date_is_422(client, book, visit):
    body = record_body(book.ids["engagement_a"], visit_date=visit)
    post_rejected(client, book, "service-records", body, 422, "visit_date", visit)


def test_hazard_snapshot_dated_in_the_future_is_422(client, book):
    body = snapshot_body(book, as_of_date=FUTURE.isoformat())
    post_rejected(client, book, "hazard-snapshots", body, 422, "as_of_date", FUTURE.isoformat())


def test_audit_dated_in_the_future_is_422(client, book):
    body = audit_body(book, audit_date=FUTURE.isoformat())
    post_rejected(
        client, book, "audits", body, 422, "audit_date", FUTURE.isoformat(), who="underwriter"
    )


def test_rectification_deadline_before_the_visit_is_422(client, book):
    visit = date(2024, 3, 1)
    deadline = (visit - timedelta(days=1)).isoformat()
    finding = finding_body(visit, rectification_deadline_date=deadline)
    body = record_body(book.ids["engagement_a"], visit, findings=[finding])
    field = "findings[0].rectification_deadline_date"
    post_rejected(client, book, "service-records", body, 422, field, deadline)


@pytest.mark.parametrize(
    "closed",
    [
        pytest.param(date(2024, 2, 29), id="before-visit"),
        pytest.param(FUTURE, id="future"),
    ],
)
def test_closed_date_outside_visit_and_today_is_422(client, book, closed):
    visit = date(2024, 3, 1)
    finding = finding_body(visit, closed_date=closed.isoformat())
    body = record_body(book.ids["engagement_a"], visit, findings=[finding])
    field = "findings[0].closed_date"
    post_rejected(client, book, "service-records", body, 422, field, closed.isoformat())


def test_batch_finding_dates_name_the_record_and_finding(client, book):
    visit = date(2024, 3, 1)
    late = finding_body(visit, closed_date="2024-02-01")
    good = record_body(book.ids["engagement_a"], visit)
    bad = record_body(book.ids["engagement_a"], visit, findings=[finding_body(visit), late])
    body = {"records": [good, bad]}
    field = "records[1].findings[1].closed_date"
    post_rejected(client, book, "service-records/batch", body, 422, field, "2024-02-01")


# --- rates in [0, 1] -------------------------------------------------------------------


@pytest.mark.parametrize("rate", [-0.1, 1.5, "0.5", True, None], ids=repr)
def test_closure_rate_outside_0_1_or_not_a_number_is_422(client, book, rate):
    body = snapshot_body(book, rectification_closure_rate=rate)
    field = "rectification_closure_rate"
    post_rejected(client, book, "hazard-snapshots", body, 422, field, rate)


@pytest.mark.parametrize("rate", [0, 1, 0.0, 1.0], ids=repr)
def test_closure_rate_bounds_are_accepted(client, book, rate):
    body = snapshot_body(book, rectification_closure_rate=rate)
    response = client.post("/v1/hazard-snapshots", json=body, headers=auth(book, "firm_a"))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("literal", ["1e309", "-1e309", "NaN", "Infinity"])
def test_non_finite_closure_rate_is_422(client, book, literal):
    body = json.dumps(snapshot_body(book, rectification_closure_rate="@RATE@"))
    content = body.replace('"@RATE@"', literal).encode()
    post_rejected(
        client,
        book,
        "hazard-snapshots",
        None,
        422,
        "rectification_closure_rate",
        content=content,
    )


def test_iot_alarm_rate_negative_is_422(client, book):
    body = snapshot_body(book, iot_alarm_rate=-1.0)
    post_rejected(client, book, "hazard-snapshots", body, 422, "iot_alarm_rate", -1.0)


# --- scores in [0, 100] ----------------------------------------------------------------


@pytest.mark.parametrize(
    "field, score",
    [
        ("score_accuracy", -1),
        ("score_accuracy", 100.5),
        ("score_accuracy", "90"),
        ("score_completeness", -0.01),
        ("score_follow_up", 101),
        ("score_evidence", 1e6),
    ],
)
def test_score_outside_0_100_is_422(client, book, field, score):
    body = audit_body(book, **{field: score})
    post_rejected(client, book, "audits", body, 422, field, score, who="underwriter")


@pytest.mark.parametrize("score", [0, 100, 0.0, 100.0], ids=repr)
def test_score_bounds_are_accepted(client, book, score):
    body = audit_body(book, score_accuracy=score)
    response = client.post("/v1/audits", json=body, headers=auth(book, "underwriter"))
    assert response.status_code == 201, response.text


def test_bad_reports_beyond_the_sample_name_a_field(client, book):
    body = audit_body(book, sample_size=10, inaccurate_reports=6, false_reports=5)
    fields = ("inaccurate_reports", "false_reports", "sample_size")
    post_rejected(client, book, "audits", body, 422, fields, who="underwriter")


def test_bad_reports_beyond_the_sample_are_422(client, book):
    body = audit_body(book, sample_size=10, inaccurate_reports=6, false_reports=5)
    problem = post_rejected(client, book, "audits", body, 422, None, who="underwriter")
    assert "sample_size" in problem["detail"]


def test_sample_size_zero_is_422(client, book):
    body = audit_body(book, sample_size=0, inaccurate_reports=0)
    post_rejected(client, book, "audits", body, 422, "sample_size", 0, who="underwriter")


# --- counts are non-negative integers --------------------------------------------------


@pytest.mark.parametrize("count", [-1, 1.5, "3", True, None, 1_000_001], ids=repr)
def test_bad_hazard_count_is_422(client, book, count):
    body = snapshot_body(book, hidden_hazards_general=count)
    post_rejected(client, book, "hazard-snapshots", body, 422, "hidden_hazards_general", count)


@pytest.mark.parametrize(
    "field", ["hidden_hazards_major", "overdue_rectifications", "accidents_major_3y", "penalties"]
)
def test_every_negative_count_is_422(client, book, field):
    body = snapshot_body(book, **{field: -1})
    post_rejected(client, book, "hazard-snapshots", body, 422, field, -1)


def test_inspection_interval_zero_is_422(client, book):
    body = engagement_body(book, inspection_interval_days=0)
    post_rejected(client, book, "engagements", body, 422, "inspection_interval_days", 0)


# --- money -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fee",
    [60000.5, 60000, "-1.00", "1.001", "abc", "", "NaN", "Infinity", "1" * 17 + ".00", None],
    ids=repr,
)
def test_bad_annual_fee_is_422(client, book, fee):
    body = engagement_body(book, annual_fee=fee)
    post_rejected(client, book, "engagements", body, 422, "annual_fee", fee)


@pytest.mark.parametrize(
    "fee, shown",
    [
        ("60000.00", "60000.00"),
        ("0", "0.00"),
        ("0.5", "0.50"),
        ("1234567890123456.78", "1234567890123456.78"),
    ],
)
def test_decimal_string_fee_is_accepted(client, book, fee, shown):
    body = engagement_body(book, annual_fee=fee)
    response = client.post("/v1/engagements", json=body, headers=auth(book, "firm_a"))
    assert response.status_code == 201, response.text
    assert response.json()["annual_fee"] == shown


# --- closed vocabularies ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path, who, make, field",
    [
        ("organisations", "admin", lambda b: organisation_body(kind="regulator"), "kind"),
        (
            "firms",
            "admin",
            lambda b: firm_body(b.ids["firm_a"], credit_colour="green"),
            "credit_colour",
        ),
        (
            "firms",
            "admin",
            lambda b: firm_body(b.ids["firm_a"], qualification_kind="anything"),
            "qualification_kind",
        ),
        (
            "enterprises",
            "admin",
            lambda b: enterprise_body(b.ids["enterprise_x"], hazard_class="farming"),
            "hazard_class",
        ),
        (
            "enterprises",
            "admin",
            lambda b: enterprise_body(b.ids["enterprise_x"], standardisation_grade="4"),
            "standardisation_grade",
        ),
        (
            "engagements",
            "firm_a",
            lambda b: engagement_body(b, service_kinds=["hazard_inspection", "auditing"]),
            "service_kinds[1]",
        ),
        (
            "engagements",
            "firm_a",
            lambda b: engagement_body(b, hazard_categories=["fire", "FIRE"]),
            "hazard_categories[1]",
        ),
        (
            "service-records",
            "firm_a",
            lambda b: record_body(b.ids["engagement_a"], categories_inspected=["fire", "ghosts"]),
            "categories_inspected[1]",
        ),
        (
            "service-records",
            "firm_a",
            lambda b: record_body(
                b.ids["engagement_a"], findings=[finding_body(category="asbestos")]
            ),
            "findings[0].category",
        ),
        (
            "service-records",
            "firm_a",
            lambda b: record_body(b.ids["engagement_a"], findings=[finding_body(severity="minor")]),
            "findings[0].severity",
        ),
    ],
)
def test_unknown_enum_value_is_422(client, book, path, who, make, field):
    body = make(book)
    post_rejected(client, book, path, body, 422, field, who=who)


def test_unknown_enum_value_shows_the_value(client, book):
    body = engagement_body(book, hazard_categories=["fire", "ghosts"])
    post_rejected(client, book, "engagements", body, 422, "hazard_categories[1]", "ghosts")


@pytest.mark.parametrize(
    "path, query, field",
    [
        ("organisations", "kind=regulator", "kind"),
        ("firms", "credit_colour=green", "credit_colour"),
        ("enterprises", "hazard_class=farming", "hazard_class"),
    ],
)
def test_unknown_enum_filter_is_422(client, book, path, query, field):
    response = client.get(f"/v1/{path}?{query}", headers=auth(book, "admin"))
    assert_problem(response, 422, field, query.split("=")[1])


# --- unknown fields --------------------------------------------------------------------


def test_extra_top_level_field_is_422(client, book):
    body = engagement_body(book, discount="0.10")
    post_rejected(client, book, "engagements", body, 422, "discount", "0.10")


def test_extra_field_inside_a_finding_is_422(client, book):
    body = record_body(book.ids["engagement_a"], findings=[finding_body(photo="x.jpg")])
    post_rejected(client, book, "service-records", body, 422, "findings[0].photo", "x.jpg")


def test_extra_field_inside_a_batch_record_is_422(client, book):
    record = record_body(book.ids["engagement_a"], weather="rain")
    body = {"records": [record_body(book.ids["engagement_a"]), record]}
    post_rejected(client, book, "service-records/batch", body, 422, "records[1].weather", "rain")


@pytest.mark.parametrize("path", ["service-records", "service-records/batch"])
def test_client_supplied_submitted_at_is_422(client, book, path):
    stamp = "2024-03-01T09:00:00+08:00"
    record = record_body(book.ids["engagement_a"], submitted_at=stamp)
    body = record if path == "service-records" else {"records": [record]}
    field = "submitted_at" if path == "service-records" else "records[0].submitted_at"
    post_rejected(client, book, path, body, 422, field, stamp)


@pytest.mark.parametrize("field", ["id", "auditor_id", "submitted_at"])
def test_server_set_audit_fields_are_refused(client, book, field):
    body = audit_body(book, **{field: 1})
    post_rejected(client, book, "audits", body, 422, field, 1, who="underwriter")


# --- sizes -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x" * 201, "", "   "], ids=["201-chars", "empty", "blank"])
def test_name_out_of_bounds_is_422(client, book, name):
    body = organisation_body(name=name)
    post_rejected(client, book, "organisations", body, 422, "name", who="admin")


def test_name_of_200_chars_is_accepted(client, book):
    body = organisation_body(name="甲" * 200)
    response = client.post("/v1/organisations", json=body, headers=auth(book, "admin"))
    assert response.status_code == 201, response.text


def test_signer_longer_than_100_is_422(client, book):
    body = record_body(book.ids["engagement_a"], signer="王" * 101)
    post_rejected(client, book, "service-records", body, 422, "signer")


def test_batch_of_1001_records_is_422(client, book):
    record = record_body(book.ids["engagement_a"])
    body = {"records": [record] * 1001}
    post_rejected(client, book, "service-records/batch", body, 422, "records")


@pytest.mark.parametrize("records", [[], None, "[]"], ids=["empty", "null", "string"])
def test_empty_or_missing_batch_is_422(client, book, records):
    post_rejected(client, book, "service-records/batch", {"records": records}, 422, "records")


def test_duplicate_categories_inspected_is_422(client, book):
    cats = ["fire", "electrical", "fire"]
    body = record_body(book.ids["engagement_a"], categories_inspected=cats)
    post_rejected(client, book, "service-records", body, 422, "categories_inspected", cats)


def test_empty_categories_inspected_is_422(client, book):
    body = record_body(book.ids["engagement_a"], categories_inspected=[], findings=[])
    post_rejected(client, book, "service-records", body, 422, "categories_inspected", [])


def test_duplicate_engagement_categories_is_422(client, book):
    cats = ["fire", "gas", "fire"]
    body = engagement_body(book, hazard_categories=cats)
    post_rejected(client, book, "engagements", body, 422, "hazard_categories", cats)


def test_finding_in_a_category_not_inspected_is_422(client, book):
    body = record_body(book.ids["engagement_a"], findings=[finding_body(category="electrical")])
    body["categories_inspected"] = ["fire"]
    post_rejected(client, book, "service-records", body, 422, "findings[0].category", "electrical")


def test_categories_outside_the_engagement_scope_are_422(client, book):
    # engagement A covers fire and electrical only
    body = record_body(book.ids["engagement_a"], categories_inspected=["fire", "gas"])
    post_rejected(client, book, "service-records", body, 422, "categories_inspected", ["gas"])


def test_batch_category_outside_scope_names_the_record(client, book):
    good = record_body(book.ids["engagement_a"])
    bad = record_body(book.ids["engagement_a"], categories_inspected=["fire", "gas"])
    body = {"records": [good, good, good, bad]}
    field = "records[3].categories_inspected"
    post_rejected(client, book, "service-records/batch", body, 422, field, ["gas"])


def test_bad_photo_hash_is_422(client, book):
    body = record_body(book.ids["engagement_a"], evidence_photo_hashes=["ab" * 32, "XYZ"])
    post_rejected(client, book, "service-records", body, 422, "evidence_photo_hashes[1]", "XYZ")


def test_too_many_findings_is_422(client, book):
    body = record_body(book.ids["engagement_a"])
    body["findings"] = body["findings"] * 201
    post_rejected(client, book, "service-records", body, 422, "findings")


# --- references ------------------------------------------------------------------------


def test_record_on_another_firms_engagement_is_404(client, book):
    other = book.ids["engagement_b"]
    body = record_body(other)
    post_rejected(client, book, "service-records", body, 404, "engagement_id", other)


def test_record_on_a_missing_engagement_is_404(client, book):
    body = record_body(987_654)
    post_rejected(client, book, "service-records", body, 404, "engagement_id", 987_654)


def test_batch_record_on_another_firms_engagement_names_it(client, book):
    other = book.ids["engagement_b"]
    body = {"records": [record_body(book.ids["engagement_a"]), record_body(other)]}
    field = "records[1].engagement_id"
    post_rejected(client, book, "service-records/batch", body, 404, field, other)


def test_superseding_another_firms_record_is_404(client, book):
    theirs = book.ids["record_b"]
    body = record_body(book.ids["engagement_a"], supersedes_id=theirs)
    post_rejected(client, book, "service-records", body, 404, "supersedes_id", theirs)


def test_superseding_a_record_of_another_own_engagement_is_404(client, book, long_engagement):
    mine_elsewhere = book.ids["record_a"]  # on engagement A, not on the long engagement
    body = record_body(long_engagement, supersedes_id=mine_elsewhere)
    post_rejected(client, book, "service-records", body, 404, "supersedes_id", mine_elsewhere)


def test_superseding_a_missing_record_is_404(client, book):
    body = record_body(book.ids["engagement_a"], supersedes_id=987_654)
    post_rejected(client, book, "service-records", body, 404, "supersedes_id", 987_654)


def test_superseding_a_record_twice_is_409(client, book):
    old = book.ids["record_a"]
    body = record_body(book.ids["engagement_a"], supersedes_id=old)
    first = client.post("/v1/service-records", json=body, headers=auth(book, "firm_a"))
    assert first.status_code == 201, first.text
    again = record_body(book.ids["engagement_a"], date(2024, 3, 2), supersedes_id=old)
    post_rejected(client, book, "service-records", again, 409, "supersedes_id", old)


def test_superseding_one_record_twice_in_a_batch_is_409(client, book):
    old = book.ids["record_a"]
    record = record_body(book.ids["engagement_a"], supersedes_id=old)
    body = {"records": [record, record]}
    field = "records[1].supersedes_id"
    post_rejected(client, book, "service-records/batch", body, 409, field, old)


def test_engagement_for_another_firm_is_404(client, book):
    theirs = book.ids["firm_b"]
    body = engagement_body(book, firm_id=theirs)
    post_rejected(client, book, "engagements", body, 404, "firm_id", theirs)


def test_engagement_with_a_missing_enterprise_is_404(client, book):
    body = engagement_body(book, enterprise_id=987_654)
    post_rejected(client, book, "engagements", body, 404, "enterprise_id", 987_654)


def test_snapshot_of_an_enterprise_not_served_is_404(client, book):
    theirs = book.ids["enterprise_y"]
    body = snapshot_body(book, enterprise_id=theirs)
    post_rejected(client, book, "hazard-snapshots", body, 404, "enterprise_id", theirs)


def test_second_snapshot_on_the_same_date_is_409(client, book):
    body = snapshot_body(book, as_of_date=START.isoformat())  # the small book's snapshot date
    post_rejected(client, book, "hazard-snapshots", body, 409, "as_of_date", START.isoformat())


def test_audit_superseding_another_firms_audit_is_404(client, book):
    theirs = book.ids["audit_b"]
    body = audit_body(book, supersedes_id=theirs)
    post_rejected(client, book, "audits", body, 404, "supersedes_id", theirs, who="underwriter")


def test_superseding_an_audit_twice_is_409(client, book):
    old = book.ids["audit_a"]
    body = audit_body(book, supersedes_id=old)
    first = client.post("/v1/audits", json=body, headers=auth(book, "underwriter"))
    assert first.status_code == 201, first.text
    post_rejected(client, book, "audits", body, 409, "supersedes_id", old, who="underwriter")


def test_firm_profile_on_an_enterprise_organisation_is_422(client, book):
    org = book.ids["enterprise_x"]
    body = firm_body(org)
    post_rejected(client, book, "firms", body, 422, "organisation_id", org, who="admin")


def test_second_firm_profile_is_409(client, book):
    org = book.ids["firm_a"]
    post_rejected(client, book, "firms", firm_body(org), 409, "organisation_id", org, who="admin")


# --- wrong types for ids, malformed bodies, paging -------------------------------------


@pytest.mark.parametrize("ident", [0, -1, "1", 1.5, True, None, 2**63], ids=repr)
def test_bad_body_id_is_422(client, book, ident):
    body = record_body(book.ids["engagement_a"]) | {"engagement_id": ident}
    post_rejected(client, book, "service-records", body, 422, "engagement_id", ident)


@pytest.mark.parametrize(
    "path, field",
    [
        ("engagements", "firm_id"),
        ("engagements", "enterprise_id"),
        ("hazard-snapshots", "enterprise_id"),
        ("audits", "firm_id"),
        ("audits", "supersedes_id"),
        ("service-records", "supersedes_id"),
    ],
)
@pytest.mark.parametrize("ident", [0, -1, "1"], ids=repr)
def test_bad_id_in_every_body_is_422(client, book, path, field, ident):
    body = {
        "engagements": lambda: engagement_body(book),
        "hazard-snapshots": lambda: snapshot_body(book),
        "audits": lambda: audit_body(book),
        "service-records": lambda: record_body(book.ids["engagement_a"]),
    }[path]() | {field: ident}
    who = "underwriter" if path == "audits" else "firm_a"
    post_rejected(client, book, path, body, 422, field, ident, who=who)


@pytest.mark.parametrize("ident", ["0", "-1", "abc", "1.5"])
def test_bad_path_id_is_422(client, book, ident):
    response = client.get(f"/v1/engagements/{ident}", headers=auth(book, "firm_a"))
    assert_problem(response, 422, "id", ident)


@pytest.mark.parametrize("path", ["engagements", "service-records"])
def test_path_id_beyond_bigint_is_4xx(client, book, path):
    response = client.get(f"/v1/{path}/{2**63}", headers=auth(book, "admin"))
    assert response.status_code in (404, 422), response.text
    assert_problem(response, response.status_code, None)


def test_path_id_out_of_scope_is_404(client, book):
    response = client.get(
        f"/v1/engagements/{book.ids['engagement_b']}", headers=auth(book, "firm_a")
    )
    assert_problem(response, 404, None)


@pytest.mark.parametrize(
    "content",
    [b'{"kind": ', b"{'kind': 'firm'}", b'{"kind": "firm",}', b"\xff\xfe"],
    ids=["truncated", "single-quotes", "trailing-comma", "not-utf8"],
)
def test_malformed_json_is_422(client, book, content):
    post_rejected(client, book, "organisations", None, 422, None, who="admin", content=content)


def test_malformed_json_names_the_body(client, book):
    post_rejected(
        client, book, "organisations", None, 422, "body", who="admin", content=b'{"kind": '
    )


@pytest.mark.parametrize("content", [b"[" * 100_000, b'{"a":' * 100_000], ids=["list", "object"])
def test_absurdly_nested_json_is_a_4xx_problem(client, book, content):
    before = listing(client, book, "organisations")
    headers = auth(book, "admin") | {"Content-Type": "application/json"}
    response = client.post("/v1/organisations", content=content, headers=headers)
    assert response.status_code in (400, 422), response.text
    assert_problem(response, response.status_code, None)
    assert listing(client, book, "organisations") == before


@pytest.mark.parametrize(
    "content, value",
    [(b"[1, 2]", [1, 2]), (b'"firm"', "firm"), (b"null", None)],
    ids=["array", "string", "null"],
)
def test_body_that_is_not_an_object_is_422(client, book, content, value):
    post_rejected(
        client, book, "organisations", None, 422, "body", value, who="admin", content=content
    )


def test_missing_body_is_422(client, book):
    post_rejected(client, book, "organisations", None, 422, "body", who="admin")


@pytest.mark.parametrize("field", ["kind", "name", "credit_code"])
def test_missing_field_is_422(client, book, field):
    body = organisation_body()
    del body[field]
    post_rejected(client, book, "organisations", body, 422, field, None, who="admin")


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    ["!!!", "not a cursor", _cursor("-5"), _cursor("abc"), _cursor("1e3"), "x" * 65, ""],
    ids=["punctuation", "words", "negative", "letters", "exponent", "too-long", "empty"],
)
@pytest.mark.parametrize("path", ["engagements", "service-records", "organisations"])
def test_bad_cursor_is_422(client, book, path, cursor):
    response = client.get(f"/v1/{path}", params={"cursor": cursor}, headers=auth(book, "admin"))
    assert_problem(response, 422, "cursor", cursor)


@pytest.mark.parametrize("path", ["engagements", "service-records"])
def test_cursor_beyond_bigint_is_422(client, book, path):
    cursor = _cursor("9" * 30)
    response = client.get(f"/v1/{path}", params={"cursor": cursor}, headers=auth(book, "admin"))
    assert_problem(response, 422, "cursor", cursor)


def test_returned_cursor_pages_through(client, book):
    first = client.get("/v1/organisations?limit=2", headers=auth(book, "admin")).json()
    assert first["next_cursor"] is not None
    second = client.get(
        "/v1/organisations",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=auth(book, "admin"),
    )
    assert second.status_code == 200, second.text
    assert second.json()["items"][0]["id"] > first["items"][-1]["id"]


@pytest.mark.parametrize("limit", ["0", "501", "-1", "abc", "1.5"])
@pytest.mark.parametrize("path", ["engagements", "audits"])
def test_bad_limit_is_422(client, book, path, limit):
    response = client.get(f"/v1/{path}", params={"limit": limit}, headers=auth(book, "admin"))
    assert_problem(response, 422, "limit", limit)


@pytest.mark.parametrize("limit", ["1", "500"])
def test_limit_bounds_are_accepted(client, book, limit):
    response = client.get("/v1/engagements", params={"limit": limit}, headers=auth(book, "admin"))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "path, param",
    [
        ("engagements", "firm"),
        ("service-records", "engagementid"),
        ("audits", "offset"),
        ("organisations", "page"),
    ],
)
def test_unknown_query_parameter_is_422(client, book, path, param):
    response = client.get(f"/v1/{path}", params={param: "1"}, headers=auth(book, "admin"))
    assert_problem(response, 422, param, "1")


@pytest.mark.parametrize("value", ["0", "-1", "abc"])
def test_bad_id_filter_is_422(client, book, value):
    response = client.get(
        "/v1/service-records", params={"engagement_id": value}, headers=auth(book, "admin")
    )
    assert_problem(response, 422, "engagement_id", value)


def test_idempotency_key_too_long_is_422(client, book):
    key = "k" * 256
    post_rejected(
        client,
        book,
        "engagements",
        engagement_body(book),
        422,
        "Idempotency-Key",
        headers={"Idempotency-Key": key},
    )


def test_idempotency_key_reused_with_another_body_is_422(client, book):
    headers = auth(book, "firm_a") | {"Idempotency-Key": "abc-1"}
    first = client.post("/v1/engagements", json=engagement_body(book), headers=headers)
    assert first.status_code == 201, first.text
    other = engagement_body(book, annual_fee="70000.00")
    post_rejected(
        client,
        book,
        "engagements",
        other,
        422,
        "Idempotency-Key",
        "abc-1",
        headers={"Idempotency-Key": "abc-1"},
    )


# --- roles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, path",
    [
        ("enterprise_x", "engagements"),
        ("firm_a", "audits"),
        ("enterprise_x", "service-records"),
        ("enterprise_x", "service-records/batch"),
        ("firm_a", "organisations"),
        ("underwriter", "engagements"),
        ("adjuster", "hazard-snapshots"),
        ("actuary", "audits"),
    ],
)
def test_role_not_allowed_is_403(client, book, who, path):
    body = {
        "engagements": engagement_body(book),
        "audits": audit_body(book),
        "service-records": record_body(book.ids["engagement_a"]),
        "service-records/batch": {"records": [record_body(book.ids["engagement_a"])]},
        "organisations": organisation_body(),
        "hazard-snapshots": snapshot_body(book),
    }[path]
    post_rejected(client, book, path, body, 403, None, who=who)


@pytest.mark.parametrize("header", [None, "Bearer sl_not_a_key", "Basic abc"])
def test_missing_or_unknown_key_is_401(client, book, header):
    before = listing(client, book, "engagements")
    headers = {"Authorization": header} if header else {}
    response = client.post("/v1/engagements", json=engagement_body(book), headers=headers)
    assert_problem(response, 401, None)
    assert listing(client, book, "engagements") == before


# --- a big batch is all or nothing -----------------------------------------------------


def _thousand(engagement_id: int) -> list[dict[str, Any]]:
    return [
        record_body(engagement_id, START + timedelta(days=1 + i % 700), signer=f"工程师{i}")
        for i in range(1000)
    ]


def test_one_bad_record_among_a_thousand_writes_none(client, book, uows):
    engagement = book.ids["engagement_a"]
    records = _thousand(engagement)
    records[537]["visit_date"] = "2023-06-01"  # before the engagement began
    before = listing(client, book, "service-records", engagement_id=engagement)
    count = record_count(uows)
    post_rejected(
        client,
        book,
        "service-records/batch",
        {"records": records},
        422,
        "records[537].visit_date",
        "2023-06-01",
    )
    assert listing(client, book, "service-records", engagement_id=engagement) == before
    assert record_count(uows) == count


def test_one_bad_finding_among_a_thousand_writes_none(client, book, uows):
    records = _thousand(book.ids["engagement_a"])
    records[999]["findings"][0]["category"] = "electrical"
    records[999]["categories_inspected"] = ["fire"]
    count = record_count(uows)
    body = {"records": records}
    field = "records[999].findings[0].category"
    post_rejected(client, book, "service-records/batch", body, 422, field, "electrical")
    assert record_count(uows) == count


def test_a_thousand_good_records_are_written_together(client, book, uows):
    engagement = book.ids["engagement_a"]
    before = len(listing(client, book, "service-records", engagement_id=engagement))
    response = client.post(
        "/v1/service-records/batch",
        json={"records": _thousand(engagement)},
        headers=auth(book, "firm_a"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["count"] == 1000
    after = listing(client, book, "service-records", engagement_id=engagement)
    assert len(after) == before + 1000
