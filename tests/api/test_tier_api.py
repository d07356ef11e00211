"""A firm's tier: why it is there, where it stands, and what would move it."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.market_rows import at_noon, reserve, write_claim, write_policy
from tests.quoting import set_enterprise
from underwriting import clock, engagements
from underwriting.rating_models import ensure_default_model


def auth(book, key):
    return {"Authorization": f"Bearer {book.keys[key]}"}


@pytest.fixture
def tiered(book, uows):
    """The small book with the default model and firm A serving X for the years ahead."""
    ensure_default_model(uows)
    today = clock.today()
    engagements.create_engagement(
        uows,
        book.principals["firm_a"],
        {
            "firm_id": book.ids["firm_a"],
            "enterprise_id": book.ids["enterprise_x"],
            "service_kinds": ["hazard_inspection"],
            "hazard_categories": ["fire", "electrical"],
            "start_date": today - timedelta(days=30),
            "end_date": today + timedelta(days=800),
            "annual_fee": Decimal("80000.00"),
            "inspection_interval_days": 30,
        },
    )
    return book


def tier_of(client, book, key="firm_a", firm="firm_a"):
    return client.get(f"/v1/firms/{book.ids[firm]}/tier", headers=auth(book, key))


def test_a_firm_sees_its_tier_and_its_drivers_largest_first(client, tiered):
    response = tier_of(client, tiered)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["tier"] in "ABCDE" and report["model_version"] == "pl-2026.1"
    contributions = [abs(d["contribution"]) for d in report["drivers"]]
    assert contributions == sorted(contributions, reverse=True)
    assert len(report["drivers"]) == 7
    assert 0 <= report["market_percentile"] <= 1
    assert report["premium"] is None
    # The drivers add up to the relativity: log(π_f/π_market) = Σ contributions (π < 1 here).
    total = sum(d["contribution"] for d in report["drivers"])
    assert report["quality_relativity"] == pytest.approx(2.718281828459045**total, rel=1e-9)


def test_insurer_staff_see_any_firms_tier(client, tiered):
    assert tier_of(client, tiered, key="underwriter", firm="firm_b").status_code == 200


def test_another_firms_tier_is_not_found(client, tiered):
    response = tier_of(client, tiered, key="firm_a", firm="firm_b")
    assert response.status_code == 404


def test_an_enterprise_is_not_shown_tiers(client, tiered):
    assert tier_of(client, tiered, key="enterprise_x").status_code == 403


def test_what_if_moves_tier_and_premium_and_stores_nothing(client, tiered):
    path = f"/v1/firms/{tiered.ids['firm_a']}/tier/what-if"
    before = tier_of(client, tiered).json()
    audits = client.get("/v1/audits", headers=auth(tiered, "admin")).json()
    better = client.post(
        path,
        headers=auth(tiered, "firm_a"),
        json={
            "audit_score": 98.0,
            "inaccurate_reports_per_100": 0.0,
            "follow_up_closure": 1.0,
            "evidence_compliance": 1.0,
        },
    ).json()
    worse = client.post(
        path,
        headers=auth(tiered, "firm_a"),
        json={
            "false_reports_per_100": 20.0,
            "credit_colour": "red",
        },
    ).json()
    assert better["quality_relativity"] < before["quality_relativity"]
    assert worse["quality_relativity"] > before["quality_relativity"]
    assert "ABCDE".index(worse["tier"]) >= "ABCDE".index(before["tier"])
    assert Decimal(worse["premium"]) > Decimal(better["premium"])
    assert tier_of(client, tiered).json() == before
    assert client.get("/v1/audits", headers=auth(tiered, "admin")).json() == audits


def test_a_firms_claims_raise_its_experience_mod_tier_and_what_if_premium(client, tiered, uows):
    path = f"/v1/firms/{tiered.ids['firm_a']}/tier/what-if"
    change = {"audit_score": 90.0}
    # A client large enough that the what-if premium is above the minimum premium.
    set_enterprise(uows, tiered.ids["enterprise_x"], employees=20000)
    before = tier_of(client, tiered).json()
    priced_before = client.post(path, headers=auth(tiered, "firm_a"), json=change).json()
    assert before["experience_mod"] == priced_before["experience_mod"] == 1.0  # no policies
    today = clock.today()
    policy = write_policy(
        uows,
        tiered,
        "SL-LAST-YEAR",
        effective=today - timedelta(days=400),
        expiry=today - timedelta(days=35),
        status="expired",
    )
    made = today - timedelta(days=200)
    claim = write_claim(uows, tiered, policy, occurred=at_noon(made), made=made)
    reserve(uows, policy, claim, "600000.00", made)
    after = tier_of(client, tiered).json()
    priced = client.post(path, headers=auth(tiered, "firm_a"), json=change).json()
    # ¥600k against a year's expectation of a few thousand: the mod is at the model's cap.
    assert after["experience_mod"] == priced["experience_mod"] == 1.5
    assert after["quality_relativity"] == before["quality_relativity"]
    assert "ABCDE".index(after["tier"]) >= "ABCDE".index(before["tier"])
    assert Decimal(priced["premium"]) > Decimal(priced_before["premium"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"audit_score": 120.0}, "audit_score"),
        ({"follow_up_closure": 1.5}, "follow_up_closure"),
        ({"credit_colour": "green"}, "credit_colour"),
        ({"audit_score": "90"}, "audit_score"),
        ({"hazard_class": "mining"}, "hazard_class"),
    ],
)
def test_bad_what_ifs_name_the_field(client, tiered, body, field):
    response = client.post(
        f"/v1/firms/{tiered.ids['firm_a']}/tier/what-if", headers=auth(tiered, "firm_a"), json=body
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_without_an_active_model_there_is_no_tier(client, book):
    assert tier_of(client, book).status_code == 404
