"""A policy's life through the API: endorse, cancel, reinstate, renew — to the fen."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from tests.quoting import auth, file_audit, quote_body
from underwriting import clock, engagements
from underwriting.db.tables import LedgerEntry, LedgerTransaction
from underwriting.vocabulary import LedgerAccount

UW = "underwriter"


def _audit(book, day: date, **scores) -> None:
    file_audit(book.uows, book, day, **scores)


def bound(client, book, *, audited: bool = False, **change) -> dict:
    """Quote and bind one policy; returns the policy as the API answers it. The firm is
    audited first unless ``audited`` (a second audit would move its quality)."""
    if not audited:
        _audit(book, clock.today() - timedelta(days=40))
    response = client.post("/v1/quotes", json=quote_body(book) | change, headers=auth(book, UW))
    assert response.status_code == 201, response.text
    quote = response.json()
    assert quote["decision"] == "accept", quote["reasons"]
    headers = auth(book, UW) | {"Idempotency-Key": f"bind-{quote['id']}"}
    policy = client.post(
        f"/v1/quotes/{quote['id']}/bind", json={"option_index": 0}, headers=headers
    )
    assert policy.status_code == 201, policy.text
    return policy.json()


def endorse(client, book, policy, **body):
    path = f"/v1/policies/{policy['id']}/endorsements"
    return client.post(path, json={"reason": "as asked"} | body, headers=auth(book, UW))


def cancel(client, book, policy, **body):
    path = f"/v1/policies/{policy['id']}/cancellation"
    return client.post(path, json={"reason": "as asked"} | body, headers=auth(book, UW))


def money(text: str) -> Decimal:
    return Decimal(text)


def pro_rata(amount: Decimal, days: int, of_days: int) -> Decimal:
    """Independently: exact fraction, half away from zero to the fen."""
    exact = Fraction(amount) * days / of_days
    fen = (abs(exact) * 100 + Fraction(1, 2)).__floor__()
    return Decimal(fen if exact >= 0 else -fen).scaleb(-2)


def _day(policy, days: int) -> str:
    return (date.fromisoformat(policy["effective_date"]) + timedelta(days=days)).isoformat()


@pytest.fixture
def second_engagement(quotable, uows):
    """Firm A also takes on enterprise Y (construction) for the years ahead."""
    today = clock.today()
    return engagements.create_engagement(
        uows,
        quotable.principals["admin"],
        {
            "firm_id": quotable.ids["firm_a"],
            "enterprise_id": quotable.ids["enterprise_y"],
            "service_kinds": ["hazard_inspection", "safety_assessment"],
            "hazard_categories": ["fire", "falls_from_height"],
            "start_date": today - timedelta(days=10),
            "end_date": today + timedelta(days=900),
            "annual_fee": Decimal("90000.00"),
            "inspection_interval_days": 30,
        },
    ).ids[0]


def test_a_2028_policy_prorates_over_366_days(client, quotable, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2027, 12, 1))  # quoted a month ahead
    policy = bound(client, quotable, effective_date="2028-01-01")
    assert policy["expiry_date"] == "2029-01-01"
    response = endorse(
        client,
        quotable,
        policy,
        effective_date="2028-03-01",
        per_claim_limit="2000000.00",
        aggregate_limit="4000000.00",
    )
    assert response.status_code == 201, response.text
    endorsement = response.json()["transactions"][-1]
    details = endorsement["details"]
    assert details["days"] == [306, 366]  # 1 March 2028 to 1 January 2029; 29 February counts
    rise = money(details["full_term_after"]) - money(details["full_term_before"])
    assert rise > 0
    assert money(endorsement["premium_delta"]) == pro_rata(rise, 306, 366)
    # The same change in a 365-day year would be priced on another fraction.
    assert pro_rata(rise, 306, 366) != pro_rata(rise, 305, 365)


def test_adding_an_engagement_mid_term_is_priced_pro_rata(client, quotable, second_engagement):
    policy = bound(client, quotable)
    day = _day(policy, 120)
    response = endorse(
        client, quotable, policy, effective_date=day, add_engagement_ids=[second_engagement]
    )
    assert response.status_code == 201, response.text
    after = response.json()
    endorsement = after["transactions"][-1]
    assert endorsement["details"]["before"]["engagement_ids"] == policy["engagement_ids"]
    assert endorsement["details"]["after"]["engagement_ids"] == sorted(
        policy["engagement_ids"] + [second_engagement]
    )
    rise = money(endorsement["details"]["full_term_after"]) - money(policy["premium"])
    assert money(endorsement["details"]["full_term_before"]) == money(policy["premium"])
    assert money(endorsement["premium_delta"]) == pro_rata(rise, 365 - 120, 365)
    assert after["premium"] == endorsement["details"]["full_term_after"]
    assert money(after["written_premium"]) == money(policy["premium"]) + money(
        endorsement["premium_delta"]
    )
    assert after["engagement_ids"] == endorsement["details"]["after"]["engagement_ids"]


def test_an_out_of_sequence_endorsement_equals_the_same_changes_in_order(client, quotable):
    late = {"per_claim_limit": "2000000.00", "aggregate_limit": "4000000.00"}
    early = {"deductible": "20000.00"}
    # Policy one: the later change is processed first, then the earlier one.
    one = bound(client, quotable)
    assert endorse(client, quotable, one, effective_date=_day(one, 200), **late).status_code == 201
    response = endorse(client, quotable, one, effective_date=_day(one, 100), **early)
    assert response.status_code == 201, response.text
    history = response.json()["transactions"]
    kinds = [(t["kind"], t["effective_date"]) for t in history]
    assert kinds == [
        ("new_business", one["effective_date"]),
        ("endorsement", _day(one, 200)),
        ("reversal", _day(one, 200)),
        ("endorsement", _day(one, 100)),
        ("endorsement", _day(one, 200)),
    ]
    original, reversal, reapplied = history[1], history[2], history[4]
    assert original["reversed_by_id"] == reversal["id"]
    assert money(reversal["premium_delta"]) == -money(original["premium_delta"])
    assert reapplied["details"]["reapplies"] == original["id"]
    assert reapplied["details"]["before"]["deductible"] == "20000.00"  # sees the earlier one
    # Policy two: the same two changes processed in date order.
    two = bound(client, quotable, audited=True)
    assert two["premium"] == one["premium"]
    endorse(client, quotable, two, effective_date=_day(two, 100), **early)
    in_order = endorse(client, quotable, two, effective_date=_day(two, 200), **late).json()
    final = response.json()
    assert final["written_premium"] == in_order["written_premium"]
    assert final["premium"] == in_order["premium"]
    assert (final["per_claim_limit"], final["deductible"]) == ("2000000.00", "20000.00")
    assert [t["premium_delta"] for t in history[3:]] == [
        t["premium_delta"] for t in in_order["transactions"][1:]
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"effective_date": "2020-01-01", "deductible": "1000.00"}, "effective_date"),
        ({"aggregate_limit": "500000.00"}, "aggregate_limit"),
        ({"deductible": "1000000.00"}, "deductible"),
        ({"add_engagement_ids": [999999]}, "add_engagement_ids"),
        ({"remove_engagement_ids": [999999]}, "remove_engagement_ids"),
        ({"per_claim_limit": "1000000.00"}, "body"),
        ({}, "body"),
        ({"deductible": "-1.00"}, "deductible"),
    ],
)
def test_bad_endorsements_are_refused_by_name_and_change_nothing(client, quotable, body, field):
    policy = bound(client, quotable)
    body = {"effective_date": _day(policy, 30)} | body
    response = endorse(client, quotable, policy, **body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["errors"][0]["field"] == field, response.json()
    after = client.get(f"/v1/policies/{policy['id']}", headers=auth(quotable, UW)).json()
    assert after == policy


def test_an_insurer_cancellation_returns_the_unearned_premium_pro_rata(client, quotable):
    policy = bound(client, quotable)
    response = cancel(client, quotable, policy, by="insurer", effective_date=_day(policy, 73))
    assert response.status_code == 201, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_date"] == _day(policy, 73)
    returned = -money(cancelled["transactions"][-1]["premium_delta"])
    assert returned == pro_rata(money(policy["premium"]), 365 - 73, 365)
    assert money(cancelled["written_premium"]) == money(policy["premium"]) - returned


def test_an_insured_cancellation_keeps_the_short_rate_or_the_minimum(client, quotable):
    policy = bound(client, quotable)
    premium = money(policy["premium"])
    # Four months and a day in force: the five-month row of the table, 50% retained.
    start = date.fromisoformat(policy["effective_date"])
    year, month = divmod(start.month - 1 + 4, 12)
    last = calendar.monthrange(start.year + year, month + 1)[1]
    day = date(start.year + year, month + 1, min(start.day, last)) + timedelta(days=1)
    cancelled = cancel(client, quotable, policy, by="insured", effective_date=day.isoformat())
    assert cancelled.status_code == 201, cancelled.text
    details = cancelled.json()["transactions"][-1]["details"]
    assert details["explanation"]["months_in_force"] == 5
    assert details["basis"] == "short_rate"
    retained = money(details["retained"])
    months = details["explanation"]["months_in_force"]
    rate = {1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60}[months]
    expected = max(Decimal(rate) / 100, Decimal("0.25")) * premium
    assert retained == expected.quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert money(details["returned"]) + retained == premium


def test_a_flat_cancellation_returns_everything_and_reinstatement_restores_it(
    client, quotable, uows
):
    policy = bound(client, quotable)
    wrong = cancel(client, quotable, policy, by="flat", effective_date=_day(policy, 5))
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "effective_date"
    flat = cancel(client, quotable, policy, by="flat").json()
    assert flat["written_premium"] == "0.00"
    again = cancel(client, quotable, policy, by="insurer", effective_date=_day(policy, 1))
    assert again.status_code == 409
    assert (
        endorse(
            client, quotable, policy, effective_date=_day(policy, 9), deductible="1000.00"
        ).status_code
        == 409
    )
    path = f"/v1/policies/{policy['id']}/reinstatement"
    back = client.post(path, json={"reason": "paid after all"}, headers=auth(quotable, UW))
    assert back.status_code == 201, back.text
    reinstated = back.json()
    assert reinstated["status"] == "in_force" and reinstated["cancelled_date"] is None
    assert reinstated["written_premium"] == policy["premium"]
    cancellation, reinstatement = reinstated["transactions"][-2:]
    assert cancellation["reversed_by_id"] == reinstatement["id"]
    assert reinstatement["effective_date"] == cancellation["effective_date"]  # no gap
    _ledger_matches(uows, reinstated)


def test_reinstatement_is_refused_after_the_window(client, quotable, monkeypatch):
    policy = bound(client, quotable)
    cancel(client, quotable, policy, by="insurer", effective_date=_day(policy, 10))
    later = date.fromisoformat(_day(policy, 41))
    monkeypatch.setattr(clock, "today", lambda: later)
    path = f"/v1/policies/{policy['id']}/reinstatement"
    response = client.post(path, json={"reason": "late"}, headers=auth(quotable, UW))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "cancelled_date"


def test_a_renewal_keeps_the_retro_date_and_explains_its_change(client, quotable, monkeypatch):
    policy = bound(client, quotable)
    renewal_day = date.fromisoformat(policy["expiry_date"]) - timedelta(days=45)
    monkeypatch.setattr(clock, "today", lambda: renewal_day)  # quoted 45 days before expiry
    _audit(quotable, renewal_day - timedelta(days=2), score_accuracy=40.0, score_evidence=45.0)
    response = client.post(
        f"/v1/policies/{policy['id']}/renewal", json={}, headers=auth(quotable, UW)
    )
    assert response.status_code == 201, response.text
    renewal = response.json()
    quote, change = renewal["quote"], renewal["change"]
    assert quote["effective_date"] == policy["expiry_date"]
    assert quote["retro_date"] == policy["retro_date"]  # continuous cover
    assert quote["renewal_of_policy_id"] == policy["id"]
    assert change["expiring_premium"] == policy["premium"] == renewal["expiring_premium"]
    assert change["renewal_premium"] == quote["options"][0]["premium"]
    steps = {s["factor"]: money(s["change"]) for s in change["steps"]}
    assert list(steps) == [
        "model",
        "hazard",
        "quality",
        "experience",
        "claims_made",
        "schedule",
        "coverage",
    ]
    assert sum(steps.values()) == money(change["renewal_premium"]) - money(policy["premium"])
    assert steps["quality"] > 0  # the bad audit
    assert steps["claims_made"] > 0  # a year further from the retro date
    assert steps["model"] == steps["coverage"] == 0
    headers = auth(quotable, UW) | {"Idempotency-Key": "renew-1"}
    renewed = client.post(
        f"/v1/quotes/{quote['id']}/bind", json={"option_index": 0}, headers=headers
    )
    assert renewed.status_code == 201, renewed.text
    assert renewed.json()["renewal_of_policy_id"] == policy["id"]
    assert renewed.json()["transactions"][0]["kind"] == "renewal"
    twice = client.post(f"/v1/policies/{policy['id']}/renewal", json={}, headers=auth(quotable, UW))
    assert twice.status_code == 409


def test_policies_are_private_to_their_insurer_and_their_firm(client, quotable):
    policy = bound(client, quotable)
    path = f"/v1/policies/{policy['id']}"
    for key, status in (("underwriter", 200), ("firm_a", 200), ("admin", 200)):
        assert client.get(path, headers=auth(quotable, key)).status_code == status, key
    for key in ("underwriter_2", "firm_b", "enterprise_x"):
        assert client.get(path, headers=auth(quotable, key)).status_code == 404, key
    listed = client.get("/v1/policies", headers=auth(quotable, "firm_a")).json()["items"]
    assert [p["id"] for p in listed] == [policy["id"]]
    assert client.get("/v1/policies", headers=auth(quotable, "firm_b")).json()["items"] == []
    refused = endorse(client, quotable, policy, effective_date=_day(policy, 3), deductible="1.00")
    assert refused.status_code == 201  # the underwriter's own
    other = client.post(
        f"{path}/cancellation",
        json={"by": "insurer", "reason": "x", "effective_date": _day(policy, 5)},
        headers=auth(quotable, "underwriter_2"),
    )
    assert other.status_code == 404


def test_every_premium_transaction_is_a_balanced_ledger_posting(client, quotable, uows):
    policy = bound(client, quotable)
    endorse(client, quotable, policy, effective_date=_day(policy, 200), deductible="5000.00")
    endorse(client, quotable, policy, effective_date=_day(policy, 50), aggregate_limit="5000000.00")
    final = cancel(client, quotable, policy, by="insurer", effective_date=_day(policy, 250)).json()
    _ledger_matches(uows, final)


def _ledger_matches(uows, policy) -> None:
    with uows() as uow:
        legs = uow.session.execute(
            LedgerEntry.__table__.select()
            .join(LedgerTransaction.__table__)
            .where(LedgerTransaction.policy_id == policy["id"])
        ).all()
    by_account: dict[str, Decimal] = {}
    for leg in legs:
        by_account[leg.account] = by_account.get(leg.account, Decimal(0)) + leg.amount
    assert sum(by_account.values()) == 0
    assert by_account.get(LedgerAccount.PREMIUM_WRITTEN, Decimal(0)) == -money(
        policy["written_premium"]
    )


def test_a_new_quote_at_expiry_takes_the_retro_date_of_the_continuous_cover(
    client, quotable, monkeypatch
):
    retro = (clock.today() - timedelta(days=700)).isoformat()
    policy = bound(client, quotable, retro_date=retro)
    assert policy["retro_date"] == retro
    near = date.fromisoformat(policy["expiry_date"]) - timedelta(days=20)
    monkeypatch.setattr(clock, "today", lambda: near)
    body = quote_body(quotable, effective_date=policy["expiry_date"])
    quote = client.post("/v1/quotes", json=body, headers=auth(quotable, UW)).json()
    assert quote["retro_date"] == retro
    gap = quote_body(quotable, effective_date=(near + timedelta(days=40)).isoformat())
    after_a_gap = client.post("/v1/quotes", json=gap, headers=auth(quotable, UW)).json()
    assert after_a_gap["retro_date"] == after_a_gap["effective_date"]


def test_every_change_joins_the_insurers_audit_trail(client, quotable):
    policy = bound(client, quotable)
    endorse(client, quotable, policy, effective_date=_day(policy, 30), deductible="1000.00")
    cancel(client, quotable, policy, by="insurer", effective_date=_day(policy, 60))
    path = f"/v1/policies/{policy['id']}/reinstatement"
    client.post(path, json={"reason": "error"}, headers=auth(quotable, UW))
    params = {"subject_kind": "policy", "subject_id": policy["id"]}
    events = client.get("/v1/audit-events", params=params, headers=auth(quotable, UW)).json()
    assert [(e["action"], e["reason"]) for e in events["items"]] == [
        ("quote.bind", ""),
        ("policy.endorse", "as asked"),
        ("policy.cancel", "as asked"),
        ("policy.reinstate", "error"),
    ]
    other = client.get("/v1/audit-events", params=params, headers=auth(quotable, "underwriter_2"))
    assert other.json()["items"] == []
