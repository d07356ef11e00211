"""An enterprise's view of the firms serving it and whether their work is insured."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.market_rows import write_policy
from underwriting import clock, engagements
from underwriting.rating_models import ensure_default_model


def auth(book, key):
    return {"Authorization": f"Bearer {book.keys[key]}"}


@pytest.fixture
def covered(book, uows):
    """Firm A's work for X is insured by insurer 1 through 2026 (expired) and by insurer 2
    from 2027 until a cancellation on 2027-07-01; firm B's newer work for X is not."""
    ensure_default_model(uows)
    book.ids["engagement_bx"] = engagements.create_engagement(
        uows,
        book.principals["firm_b"],
        {
            "firm_id": book.ids["firm_b"],
            "enterprise_id": book.ids["enterprise_x"],
            "service_kinds": ["safety_assessment"],
            "hazard_categories": ["gas"],
            "start_date": date(2025, 6, 1),
            "end_date": date(2027, 5, 31),
            "annual_fee": Decimal("30000.00"),
            "inspection_interval_days": 90,
        },
    ).ids[0]
    book.ids["p2026"] = write_policy(
        uows,
        book,
        "SL2026-000001",
        effective=date(2026, 1, 1),
        expiry=date(2027, 1, 1),
        status="expired",
        premium=Decimal("12000.00"),
    )
    book.ids["p2027"] = write_policy(
        uows,
        book,
        "SL2027-000042",
        insurer="insurer_2",
        effective=date(2027, 1, 1),
        expiry=date(2028, 1, 1),
        status="cancelled",
        cancelled=date(2027, 7, 1),
        premium=Decimal("13500.50"),
    )
    return book


def coverage(client, book, key="enterprise_x", enterprise="enterprise_x", on=None):
    params = {"on": on} if on else {}
    return client.get(
        f"/v1/enterprises/{book.ids[enterprise]}/coverage", params=params, headers=auth(book, key)
    )


def cover_of(body, engagement_id):
    (found,) = [e for e in body["engagements"] if e["engagement"]["id"] == engagement_id]
    return found


def test_an_enterprise_sees_every_firm_serving_it_and_the_terms_of_their_cover(client, covered):
    response = coverage(client, covered, on="2026-06-30")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["enterprise"]["id"] == covered.ids["enterprise_x"]
    assert body["enterprise"]["name"] == "甲化工"
    assert body["on_date"] == "2026-06-30"
    # Newest engagement first: firm B's (2025) before firm A's (2024).
    ids = [e["engagement"]["id"] for e in body["engagements"]]
    assert ids == [covered.ids["engagement_bx"], covered.ids["engagement_a"]]
    firm_b, firm_a = body["engagements"]
    assert firm_b["firm"]["name"] == "乙安全技术" and firm_b["insured"] == "not insured"
    assert firm_b["policies"] == [] and firm_b["engagement"]["hazard_categories"] == ["gas"]
    assert firm_a["firm"]["credit_colour"] == "blue"
    assert firm_a["firm"]["qualification_kind"] == "safety_assessment"
    assert firm_a["engagement"]["service_kinds"] == ["hazard_inspection"]
    assert firm_a["active_on_date"] is False  # engagement A ran 2024-01-01 … 2025-12-31
    assert firm_a["insured"] == "insured"
    newer, older = firm_a["policies"]
    assert (newer["number"], older["number"]) == ("SL2027-000042", "SL2026-000001")
    assert older["insurer_name"] == "甲保险" and newer["insurer_name"] == "乙保险"
    assert older["in_force_on_date"] is True and newer["in_force_on_date"] is False
    assert older["status"] == "expired" and newer["cancelled_date"] == "2027-07-01"
    assert older["per_claim_limit"] == "1000000.00"
    assert older["aggregate_limit"] == "3000000.00"
    assert older["deductible"] == "10000.00" and older["defence_inside"] is True
    assert older["retro_date"] == "2026-01-01"
    assert (older["effective_date"], older["expiry_date"]) == ("2026-01-01", "2027-01-01")


def test_an_enterprise_never_sees_a_premium(client, covered):
    response = coverage(client, covered, on="2027-03-01")
    for policy in cover_of(response.json(), covered.ids["engagement_a"])["policies"]:
        assert policy["premium"] is None and policy["written_premium"] is None
    assert "12000.00" not in response.text and "13500.50" not in response.text


@pytest.mark.parametrize(
    ("on", "insured", "in_force"),
    [
        ("2025-12-31", "not insured", {"SL2026-000001": False, "SL2027-000042": False}),
        ("2026-01-01", "insured", {"SL2026-000001": True, "SL2027-000042": False}),
        ("2026-12-31", "insured", {"SL2026-000001": True, "SL2027-000042": False}),
        # Expiry is exclusive: the 2026 policy is over, the 2027 one (cancelled later) runs.
        (
            "2027-01-01",
            "insured, cancelled on 2027-07-01",
            {"SL2026-000001": False, "SL2027-000042": True},
        ),
        (
            "2027-06-30",
            "insured, cancelled on 2027-07-01",
            {"SL2026-000001": False, "SL2027-000042": True},
        ),
        # The cancellation takes effect at the start of its day.
        ("2027-07-01", "not insured", {"SL2026-000001": False, "SL2027-000042": False}),
        ("2027-12-31", "not insured", {"SL2026-000001": False, "SL2027-000042": False}),
        ("2028-01-01", "not insured", {"SL2026-000001": False, "SL2027-000042": False}),
    ],
)
def test_whether_the_work_is_insured_depends_on_the_date(client, covered, on, insured, in_force):
    body = coverage(client, covered, key="admin", on=on).json()
    cover = cover_of(body, covered.ids["engagement_a"])
    assert cover["insured"] == insured
    assert {p["number"]: p["in_force_on_date"] for p in cover["policies"]} == in_force


def test_a_current_policy_insures_today_by_default(client, covered, uows):
    today = clock.today()
    write_policy(
        uows,
        covered,
        "SL2099-000007",
        firm="firm_b",
        engagements=["engagement_b"],
        effective=today - timedelta(days=30),
        expiry=today + timedelta(days=335),
    )
    body = coverage(client, covered, key="enterprise_y", enterprise="enterprise_y").json()
    assert body["on_date"] == today.isoformat()
    (cover,) = body["engagements"]
    assert cover["insured"] == "insured"
    assert cover["policies"][0]["in_force_on_date"] is True


def test_insurer_staff_see_premiums_of_their_own_insurers_policies_only(client, covered):
    def premiums(key):
        body = coverage(client, covered, key=key, on="2027-03-01").json()
        policies = cover_of(body, covered.ids["engagement_a"])["policies"]
        return {p["number"]: (p["premium"], p["written_premium"]) for p in policies}

    assert premiums("underwriter") == {
        "SL2027-000042": (None, None),
        "SL2026-000001": ("12000.00", "12000.00"),
    }
    assert premiums("underwriter_2") == {
        "SL2027-000042": ("13500.50", "13500.50"),
        "SL2026-000001": (None, None),
    }
    assert premiums("admin") == {
        "SL2027-000042": ("13500.50", "13500.50"),
        "SL2026-000001": ("12000.00", "12000.00"),
    }


@pytest.mark.parametrize(
    ("key", "enterprise", "status"),
    [
        ("enterprise_x", "enterprise_x", 200),
        ("enterprise_y", "enterprise_y", 200),
        ("enterprise_y", "enterprise_x", 404),
        ("enterprise_x", "enterprise_y", 404),
        ("firm_a", "enterprise_x", 404),  # serves X, still not its view
        ("firm_b", "enterprise_x", 404),
        ("firm_a", "enterprise_y", 404),
        ("underwriter", "enterprise_x", 200),
        ("adjuster", "enterprise_y", 200),
        ("actuary", "enterprise_x", 200),
        ("underwriter_2", "enterprise_x", 200),
        ("admin", "enterprise_y", 200),
    ],
)
def test_who_may_read_an_enterprises_coverage(client, covered, key, enterprise, status):
    response = coverage(client, covered, key=key, enterprise=enterprise, on="2026-06-30")
    assert response.status_code == status, response.text
    if status == 404:
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_firm_or_an_unknown_id_is_not_an_enterprise(client, covered):
    firm_as_enterprise = coverage(client, covered, key="admin", enterprise="firm_a")
    assert firm_as_enterprise.status_code == 404
    unknown = client.get("/v1/enterprises/999999/coverage", headers=auth(covered, "admin"))
    assert unknown.status_code == 404
    anonymous = client.get(f"/v1/enterprises/{covered.ids['enterprise_x']}/coverage")
    assert anonymous.status_code == 401


def test_a_bad_date_is_422_naming_it(client, covered):
    response = coverage(client, covered, on="2026-02-30")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "on"
