"""Rating models and price indications through HTTP."""

import copy
import json
from datetime import date
from decimal import Decimal

import pytest

from pricing import RatingModel, recompute
from pricing.model import MODELS
from underwriting import engagements
from underwriting.rating_models import ensure_default_model

DEFAULT = json.loads((MODELS / "pl-2026.1.json").read_text())


def auth(book, key):
    return {"Authorization": f"Bearer {book.keys[key]}"}


@pytest.fixture
def priced_book(book, uows):
    """The small book with the default model active and firm A serving X through 2026."""
    ensure_default_model(uows)
    engagements.create_engagement(
        uows,
        book.principals["firm_a"],
        {
            "firm_id": book.ids["firm_a"],
            "enterprise_id": book.ids["enterprise_x"],
            "service_kinds": ["hazard_inspection", "training"],
            "hazard_categories": ["fire", "electrical", "explosives"],
            "start_date": date(2026, 1, 1),
            "end_date": date(2027, 12, 31),
            "annual_fee": Decimal("80000.00"),
            "inspection_interval_days": 30,
        },
    )
    return book


def model_document(version: str, effective: str, **changes) -> dict:
    document = copy.deepcopy(DEFAULT) | {"version": version, "effective_from": effective}
    for path, value in changes.items():
        node = document
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return document


OPTIONS = [
    {"per_claim_limit": "1000000.00", "aggregate_limit": "3000000.00", "deductible": "10000.00"},
    {
        "per_claim_limit": "2000000.00",
        "aggregate_limit": "5000000.00",
        "deductible": "10000.00",
        "defence_inside": False,
    },
]


def test_an_underwriter_gets_an_indication_that_its_worksheet_reproduces(client, priced_book):
    body = {
        "firm_id": priced_book.ids["firm_a"],
        "effective_date": "2026-03-01",
        "options": OPTIONS,
    }
    response = client.post(
        "/v1/pricing/indications", json=body, headers=auth(priced_book, "underwriter")
    )
    assert response.status_code == 200, response.text
    indication = response.json()
    assert indication["model_version"] == "pl-2026.1"
    assert indication["expiry_date"] == "2027-03-01" and indication["retro_date"] == "2026-03-01"
    assert indication["tier"] in "ABCDE"
    model = RatingModel.load("pl-2026.1")
    for option in indication["options"]:
        premium = Decimal(option["premium"])
        assert sum(Decimal(v) for v in option["components"].values()) == premium
        assert recompute(option["worksheet"], model) == premium
        assert option["worksheet"]["inputs"]["clients"], "the 2026 engagement is priced"
    # A higher limit never costs less.
    low, high = (Decimal(o["premium"]) for o in indication["options"])
    assert high >= low


def test_a_schedule_credit_lowers_the_premium_and_is_capped(client, priced_book):
    # Six years since the retro date (claims-made step 1.0) lift this excellent firm's
    # premium off the minimum, where a credit could not show.
    base = {
        "firm_id": priced_book.ids["firm_a"],
        "effective_date": "2026-03-01",
        "retro_date": "2020-01-01",
        "options": OPTIONS[:1],
    }
    headers = auth(priced_book, "underwriter")
    plain = client.post("/v1/pricing/indications", json=base, headers=headers).json()
    credited = client.post(
        "/v1/pricing/indications",
        headers=headers,
        json=base
        | {
            "schedule": [{"reason": "IoT monitoring at every client", "adjustment": -0.10}],
        },
    ).json()
    assert plain["options"][0]["components"]["minimum_premium_adjustment"] == "0.00"
    assert Decimal(credited["options"][0]["premium"]) < Decimal(plain["options"][0]["premium"])
    too_much = client.post(
        "/v1/pricing/indications",
        headers=headers,
        json=base
        | {
            "schedule": [{"reason": "a", "adjustment": -0.2}, {"reason": "b", "adjustment": -0.1}],
        },
    )
    assert too_much.status_code == 422
    assert too_much.json()["errors"][0]["field"] == "schedule"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"options": [OPTIONS[0] | {"deductible": "1000000.00"}]}, "options[0]"),
        ({"options": [OPTIONS[0] | {"aggregate_limit": "500000.00"}]}, "options[0]"),
        ({"effective_date": "2025-06-01"}, "effective_date"),
        ({"retro_date": "2026-04-01"}, "retro_date"),
        ({"expiry_date": "2026-02-01"}, "expiry_date"),
        ({"options": []}, "options"),
    ],
)
def test_bad_indication_requests_name_the_field(client, priced_book, change, field):
    body = {
        "firm_id": priced_book.ids["firm_a"],
        "effective_date": "2026-03-01",
        "options": OPTIONS,
    } | change
    response = client.post(
        "/v1/pricing/indications", json=body, headers=auth(priced_book, "underwriter")
    )
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("key", ["firm_a", "enterprise_x"])
def test_firms_and_enterprises_get_no_indications(client, priced_book, key):
    body = {
        "firm_id": priced_book.ids["firm_a"],
        "effective_date": "2026-03-01",
        "options": OPTIONS,
    }
    response = client.post("/v1/pricing/indications", json=body, headers=auth(priced_book, key))
    assert response.status_code == 403


def test_the_model_lifecycle(client, priced_book):
    actuary = auth(priced_book, "actuary")
    document = model_document("pl-2027.1", "2027-01-01")
    created = client.post("/v1/rating-models", json={"document": document}, headers=actuary)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    again = client.post("/v1/rating-models", json={"document": document}, headers=actuary)
    assert again.status_code == 409
    premature = client.post("/v1/rating-models/pl-2027.1/activate", headers=actuary)
    assert premature.status_code == 409
    edited = model_document("pl-2027.1", "2027-01-01", **{"loads.profit": 0.06})
    replaced = client.put("/v1/rating-models/pl-2027.1", json={"document": edited}, headers=actuary)
    assert replaced.json()["parameters"]["loads"]["profit"] == 0.06
    own = client.post("/v1/rating-models/pl-2027.1/approve", headers=actuary)
    assert own.status_code == 409, "the author cannot approve their own version"
    second = auth(priced_book, "actuary_b")
    approved = client.post("/v1/rating-models/pl-2027.1/approve", headers=second)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by_key_id"] != approved.json()["created_by_key_id"]
    frozen = client.put("/v1/rating-models/pl-2027.1", json={"document": document}, headers=actuary)
    assert frozen.status_code == 409, "an approved version never changes"
    moved = client.post("/v1/rating-models/pl-2027.1/activate", headers=actuary)
    assert moved.status_code == 200 and moved.json()["status"] == "active"
    assert client.get("/v1/rating-models/pl-2027.1", headers=actuary).json()["approved_at"]
    listed = client.get("/v1/rating-models", headers=auth(priced_book, "underwriter")).json()
    assert [m["version"] for m in listed] == ["pl-2026.1", "pl-2027.1"]
    # Each policy is priced by the model in force on its own effective date.
    for effective, version in (("2026-12-31", "pl-2026.1"), ("2027-01-01", "pl-2027.1")):
        body = {
            "firm_id": priced_book.ids["firm_a"],
            "effective_date": effective,
            "options": OPTIONS[:1],
        }
        indication = client.post(
            "/v1/pricing/indications", json=body, headers=auth(priced_book, "underwriter")
        ).json()
        assert indication["model_version"] == version
    retired = client.post("/v1/rating-models/pl-2027.1/retire", headers=actuary)
    assert retired.json()["status"] == "retired"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("severity.mining.sigma", -1.0, "document.severity.mining.sigma"),
        ("loads.risk_multiple", 2.0, "document.loads.risk_multiple"),
        (
            "frequency.coefficients.iot_alarm_rate",
            -0.3,
            "document.frequency.coefficients.iot_alarm_rate",
        ),
    ],
)
def test_a_bad_model_document_is_422_naming_the_parameter(client, book, path, value, field):
    document = model_document("bad-1", "2027-01-01", **{path: value})
    response = client.post(
        "/v1/rating-models", json={"document": document}, headers=auth(book, "actuary")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert client.get("/v1/rating-models/bad-1", headers=auth(book, "actuary")).status_code == 404


def test_a_missing_hazard_class_is_refused(client, book):
    document = model_document("bad-2", "2027-01-01")
    del document["severity"]["fishery"]
    response = client.post(
        "/v1/rating-models", json={"document": document}, headers=auth(book, "actuary")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "document.severity.fishery"


@pytest.mark.parametrize("key", ["underwriter", "firm_a", "enterprise_x"])
def test_only_actuaries_and_admins_publish_models(client, book, key):
    document = model_document("pl-x", "2027-01-01")
    response = client.post(
        "/v1/rating-models", json={"document": document}, headers=auth(book, key)
    )
    assert response.status_code == 403


def test_firms_cannot_read_models(client, book, uows):
    ensure_default_model(uows)
    assert client.get("/v1/rating-models", headers=auth(book, "firm_a")).status_code == 403
    assert client.get("/v1/rating-models/nope", headers=auth(book, "actuary")).status_code == 404


def test_two_versions_can_never_be_active_from_the_same_date(client, book, uows):
    ensure_default_model(uows)  # pl-2026.1, active from 2026-01-01
    actuary = auth(book, "actuary")
    document = model_document("pl-2026.1b", "2026-01-01")
    assert (
        client.post("/v1/rating-models", json={"document": document}, headers=actuary).status_code
        == 201
    )
    client.post("/v1/rating-models/pl-2026.1b/approve", headers=auth(book, "actuary_b"))
    clash = client.post("/v1/rating-models/pl-2026.1b/activate", headers=actuary)
    assert clash.status_code == 409
    assert clash.json()["errors"][0]["field"] == "effective_from_date"
    assert client.get("/v1/rating-models/pl-2026.1b", headers=actuary).json()["status"] == (
        "approved"
    )
    client.post("/v1/rating-models/pl-2026.1/retire", headers=actuary)
    moved = client.post("/v1/rating-models/pl-2026.1b/activate", headers=actuary)
    assert moved.json()["status"] == "active"
