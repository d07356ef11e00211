"""A firm's loss run: five years of policies of any insurer, claims and ledger money.

Paid is indemnity and defence; the case reserve is the outstanding indemnity and expense
(defence) reserves; recoveries are not netted off."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.market_rows import (
    at_noon,
    pay,
    pay_defence,
    post,
    recover,
    reserve,
    reserve_defence,
    write_claim,
    write_policy,
)
from underwriting import clock
from underwriting.rating_models import ensure_default_model

AS_OF = "2027-06-30"  # the window is [2022-06-30, 2027-06-30]


def auth(book, key):
    return {"Authorization": f"Bearer {book.keys[key]}"}


@pytest.fixture
def history(book, uows):
    """Firm A's policies around a five-year window ending 2027-06-30, with claims."""
    ensure_default_model(uows)
    ids = book.ids

    def policy(number, effective, expiry, **kw):
        ids[number] = write_policy(uows, book, number, effective=effective, expiry=expiry, **kw)
        return ids[number]

    # Ends the day the window starts (expiry is exclusive): outside.
    policy("SL2021-000001", date(2021, 6, 30), date(2022, 6, 30))
    # Its last day is the window's first: inside. No premium recorded.
    policy("SL2021-000002", date(2021, 7, 1), date(2022, 7, 1), premium=None)
    p2025 = policy(
        "SL2025-000003",
        date(2025, 1, 1),
        date(2026, 1, 1),
        insurer="insurer_2",
        status="expired",
        premium=Decimal("20000.00"),
    )
    p2026 = policy(
        "SL2026-000004",
        date(2026, 1, 1),
        date(2027, 1, 1),
        status="expired",
        premium=Decimal("30000.00"),
    )
    # Starts the day after as_of: outside.
    policy("SL2027-000005", date(2027, 7, 1), date(2028, 7, 1))
    # Another firm's policy never shows.
    policy(
        "SL2026-000006",
        date(2026, 1, 1),
        date(2027, 1, 1),
        firm="firm_b",
        engagements=["engagement_b"],
    )
    # 01:00 on 1 May in China is still 30 April in UTC: the incident date is China's.
    ids["c1"] = write_claim(
        uows, book, p2025, occurred=datetime(2025, 5, 1, 1, 0), made=date(2025, 5, 10)
    )
    reserve(uows, p2025, ids["c1"], "50000.00", date(2025, 5, 10))
    reserve_defence(uows, p2025, ids["c1"], "8000.00", date(2025, 5, 10))
    pay(uows, p2025, ids["c1"], "12345.67", date(2025, 9, 1))
    pay_defence(uows, p2025, ids["c1"], "2500.50", date(2025, 9, 1))
    recover(uows, p2025, ids["c1"], "1000.00", date(2025, 12, 1))  # not netted off
    ids["c2"] = write_claim(
        uows,
        book,
        p2025,
        occurred=at_noon(date(2025, 10, 20)),
        made=date(2025, 11, 1),
        accident_type="electrocution",
        status="referred",
    )
    reserve(uows, p2025, ids["c2"], "1000.01", date(2025, 11, 1))
    reserve(uows, p2025, ids["c2"], "500.00", date(2027, 8, 1))  # after as_of
    ids["c3"] = write_claim(
        uows, book, p2026, occurred=at_noon(date(2026, 3, 1)), made=date(2026, 3, 3)
    )
    reserve(uows, p2026, ids["c3"], "0.10", date(2026, 3, 3))
    pay(uows, p2026, ids["c3"], "0.05", date(2026, 4, 1))
    # First made after as_of: not yet a claim on that date.
    ids["c4"] = write_claim(
        uows, book, p2026, occurred=at_noon(date(2026, 12, 1)), made=date(2027, 7, 15)
    )
    reserve(uows, p2026, ids["c4"], "99999.00", date(2027, 7, 15))
    # Premium postings on the policy carry no claim: they never count as losses.
    premium = [("premium_receivable", Decimal("20000.00")), ("premium_written", -Decimal(20000))]
    post(uows, policy_id=p2025, claim_id=None, on=date(2025, 1, 1), kind="premium", legs=premium)
    return book


def loss_run(client, book, key="firm_a", firm="firm_a", as_of=AS_OF):
    params = {"as_of": as_of} if as_of else {}
    return client.get(
        f"/v1/firms/{book.ids[firm]}/loss-run", params=params, headers=auth(book, key)
    )


def test_the_loss_run_lists_the_policies_meeting_the_five_year_window(client, history):
    response = loss_run(client, history)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["firm"]["id"] == history.ids["firm_a"]
    assert (body["as_of_date"], body["window_start_date"]) == ("2027-06-30", "2022-06-30")
    numbers = [p["number"] for p in body["policies"]]
    assert numbers == ["SL2021-000002", "SL2025-000003", "SL2026-000004"]
    edge, p2025, p2026 = body["policies"]
    assert edge["written_premium"] is None and edge["claims"] == []
    assert p2025["insurer_name"] == "乙保险" and p2026["insurer_name"] == "甲保险"
    assert p2025["written_premium"] == "20000.00" and p2025["status"] == "expired"
    assert (p2025["effective_date"], p2025["expiry_date"]) == ("2025-01-01", "2026-01-01")


def test_each_claim_is_paid_plus_reserve_to_the_fen(client, history):
    body = loss_run(client, history).json()
    _, p2025, p2026 = body["policies"]
    c1, c2 = p2025["claims"]
    assert c1["id"] == history.ids["c1"]
    assert c1["incident_date"] == "2025-05-01" and c1["first_made_date"] == "2025-05-10"
    assert (c1["accident_type"], c1["grade"], c1["status"]) == ("fire", "general", "open")
    # Indemnity 12,345.67 + defence 2,500.50 paid; 37,654.33 + 5,499.50 still reserved.
    assert (c1["paid"], c1["case_reserve"], c1["incurred"]) == ("14846.17", "43153.83", "58000.00")
    assert c2["accident_type"] == "electrocution" and c2["status"] == "referred"
    assert (c2["paid"], c2["case_reserve"], c2["incurred"]) == ("0.00", "1000.01", "1000.01")
    (c3,) = p2026["claims"]
    assert (c3["paid"], c3["case_reserve"], c3["incurred"]) == ("0.05", "0.05", "0.10")


def test_totals_per_policy_year_and_over_the_window(client, history):
    body = loss_run(client, history).json()
    assert body["policy_years"] == [
        {
            "policy_year": 2021,
            "claim_count": 0,
            "paid": "0.00",
            "case_reserve": "0.00",
            "incurred": "0.00",
            "written_premium": "0.00",
            "loss_ratio": None,
        },
        {
            "policy_year": 2025,
            "claim_count": 2,
            "paid": "14846.17",
            "case_reserve": "44153.84",
            "incurred": "59000.01",
            "written_premium": "20000.00",
            "loss_ratio": "2.9500",
        },
        {
            "policy_year": 2026,
            "claim_count": 1,
            "paid": "0.05",
            "case_reserve": "0.05",
            "incurred": "0.10",
            "written_premium": "30000.00",
            "loss_ratio": "0.0000",
        },
    ]
    assert body["totals"] == {
        "claim_count": 3,
        "paid": "14846.22",
        "case_reserve": "44153.89",
        "incurred": "59000.11",
        "written_premium": "50000.00",
        "loss_ratio": "1.1800",
    }
    # The totals are the sums of the lines, to the fen.
    claims = [c for p in body["policies"] for c in p["claims"]]
    for money in ("paid", "case_reserve", "incurred"):
        assert sum(Decimal(c[money]) for c in claims) == Decimal(body["totals"][money])


def test_the_ledger_is_read_as_of_the_date(client, history):
    body = loss_run(client, history, as_of="2025-08-31").json()
    assert body["window_start_date"] == "2020-08-31"
    assert [p["number"] for p in body["policies"]] == [
        "SL2021-000001",
        "SL2021-000002",
        "SL2025-000003",
    ]
    (c1,) = body["policies"][2]["claims"]  # c2 is first made in November
    assert (c1["paid"], c1["case_reserve"], c1["incurred"]) == ("0.00", "58000.00", "58000.00")
    later = loss_run(client, history, as_of="2027-08-01").json()
    c2 = [c for p in later["policies"] for c in p["claims"] if c["id"] == history.ids["c2"]]
    assert c2[0]["case_reserve"] == "1500.01"


def test_as_of_defaults_to_today(client, history, uows):
    today = clock.today()
    write_policy(uows, history, "SL2099-000009", effective=today - timedelta(days=10), expiry=today)
    body = loss_run(client, history, as_of=None).json()
    assert body["as_of_date"] == today.isoformat()
    assert "SL2099-000009" in [p["number"] for p in body["policies"]]


@pytest.mark.parametrize(
    ("key", "firm", "status"),
    [
        ("firm_a", "firm_a", 200),
        ("firm_b", "firm_b", 200),
        ("firm_a", "firm_b", 404),
        ("firm_b", "firm_a", 404),
        ("underwriter", "firm_a", 200),
        ("adjuster", "firm_a", 200),
        ("actuary", "firm_b", 200),
        ("underwriter_2", "firm_a", 200),  # another insurer: the firm may be moving to it
        ("admin", "firm_a", 200),
        ("enterprise_x", "firm_a", 403),
        ("enterprise_y", "firm_a", 403),
    ],
)
def test_who_may_read_a_loss_run(client, history, key, firm, status):
    response = loss_run(client, history, key=key, firm=firm)
    assert response.status_code == status, response.text


def test_another_insurers_staff_see_every_insurers_policies(client, history):
    body = loss_run(client, history, key="underwriter_2").json()
    assert {p["insurer_name"] for p in body["policies"]} == {"甲保险", "乙保险"}
    assert body["totals"]["incurred"] == "59000.11"


def test_an_enterprise_or_unknown_id_is_not_a_firm(client, history):
    as_firm = loss_run(client, history, key="admin", firm="enterprise_x")
    assert as_firm.status_code == 404
    unknown = client.get("/v1/firms/999999/loss-run", headers=auth(history, "admin"))
    assert unknown.status_code == 404


def test_a_bad_as_of_is_422_naming_it(client, history):
    response = loss_run(client, history, as_of="30/06/2027")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "as_of"
