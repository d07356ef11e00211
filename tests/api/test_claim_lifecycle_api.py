"""A claim's life through the API: reserves, payment, recoveries, denial, closure, reopening,
related claims sharing one limit and one deductible, and an exhausted aggregate.

Scenario of ``tests/claiming.py``: share 0.8, deductible 10,000, 1m per claim, 3m aggregate,
defence inside.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.test_claims_api import file, limits, settle
from tests.claiming import report
from tests.quoting import auth
from underwriting.db.tables import AuditEvent, Policy


def post(client, book, claim_id, path, body, key="adjuster", idem=None):
    headers = auth(book, key) | ({"Idempotency-Key": idem} if idem else {})
    return client.post(f"/v1/claims/{claim_id}/{path}", json=body, headers=headers)


def claim_of(client, book, claim_id):
    return client.get(f"/v1/claims/{claim_id}", headers=auth(book, "adjuster")).json()


def test_reserves_are_set_to_a_level_and_released_by_the_payment(client, claimable):
    claim = file(client, claimable).json()["id"]
    body = {"indemnity": "90000.00", "expense": "8000.00", "reason": "medical reports in"}
    first = post(client, claimable, claim, "reserves", body, idem="r1")
    assert first.status_code == 201, first.text
    money = first.json()["money"]
    assert (money["indemnity_reserve"], money["expense_reserve"]) == ("90000.00", "8000.00")
    assert money["incurred"] == "98000.00"
    assert (
        post(client, claimable, claim, "reserves", body, idem="r1").headers["idempotent-replayed"]
        == "true"
    )
    lower = {"indemnity": "75000.00", "expense": "8000.00", "reason": "agreed quantum"}
    money = post(client, claimable, claim, "reserves", lower, idem="r2").json()["money"]
    assert money["indemnity_reserve"] == "75000.00"
    settle(client, claimable, claim, "100000.00", "5000.00")
    money = claim_of(client, claimable, claim)["money"]
    assert (money["indemnity_reserve"], money["expense_reserve"]) == ("0.00", "0.00")
    assert (money["indemnity_paid"], money["defence_paid"]) == ("70000.00", "4000.00")
    assert money["incurred"] == "74000.00"


def test_reserves_beyond_authority_or_on_a_settled_claim_are_refused(client, claimable):
    claim = file(client, claimable).json()["id"]
    big = {"indemnity": "600000.00", "expense": "0.00", "reason": "r"}
    refused = post(client, claimable, claim, "reserves", big, idem="r1")
    assert refused.status_code == 409
    assert "authority" in refused.json()["detail"]
    settle(client, claimable, claim, "100000.00")
    small = {"indemnity": "1.00", "expense": "0.00", "reason": "r"}
    assert post(client, claimable, claim, "reserves", small, idem="r2").status_code == 409


def test_recoveries_never_exceed_what_was_paid_and_a_retry_recovers_once(client, claimable):
    claim = file(client, claimable).json()["id"]
    nothing_paid = {"amount": "1.00", "source": "承包商", "reason": "contribution"}
    assert post(client, claimable, claim, "recoveries", nothing_paid, idem="x").status_code == 409
    settle(client, claimable, claim, "100000.00")  # pays 70,000
    body = {"amount": "50000.00", "source": "承包商保险", "reason": "contribution agreed"}
    assert post(client, claimable, claim, "recoveries", body, idem="v1").status_code == 201
    again = post(client, claimable, claim, "recoveries", body, idem="v1")
    assert again.json()["money"]["recovered"] == "50000.00"
    over = {"amount": "20000.01", "source": "承包商保险", "reason": "more"}
    refused = post(client, claimable, claim, "recoveries", over, idem="v2")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "amount"
    assert "at most 20000.00 may still be recovered" in refused.json()["detail"]
    exact = {"amount": "20000.00", "source": "承包商保险", "reason": "rest"}
    assert post(client, claimable, claim, "recoveries", exact, idem="v3").status_code == 201
    seen = limits(client, claimable)
    assert seen["ledger_recovered"] == "70000.00"
    assert seen["aggregate_used"] == "70000.00"  # recoveries do not reinstate the aggregate
    for amount in ("0.00", "-1.00"):
        bad = {"amount": amount, "source": "s", "reason": "r"}
        response = post(client, claimable, claim, "recoveries", bad, idem="v4")
        assert response.status_code in (409, 422)
        assert response.json()["errors"][0]["field"] == "amount"


def test_deny_with_a_reason_then_no_settlement_then_reopen_with_a_code(client, claimable):
    claim = file(client, claimable).json()["id"]
    assert post(client, claimable, claim, "denial", {"code": "no_liability"}).status_code == 422
    unknown = post(client, claimable, claim, "denial", {"code": "because", "reason": "r"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "code"
    denied = post(
        client, claimable, claim, "denial", {"code": "misrepresentation", "reason": "forged"}
    )
    assert denied.status_code == 200, denied.text
    assert (denied.json()["status"], denied.json()["status_code"]) == (
        "denied",
        "misrepresentation",
    )
    refused = settle(client, claimable, claim, "100000.00")
    assert refused.status_code == 409
    assert "denied or closed" in refused.json()["detail"]
    assert post(client, claimable, claim, "reopening", {"reason": "x"}).status_code == 422
    assert (
        post(client, claimable, claim, "reopening", {"code": "new_information"}).status_code == 422
    )
    reopened = post(
        client,
        claimable,
        claim,
        "reopening",
        {"code": "new_information", "reason": "the signature was genuine"},
    )
    assert reopened.json()["status"] == "reopened"
    assert settle(client, claimable, claim, "100000.00").json()["status"] == "paid"
    with claimable.uows() as uow:
        actions = [e.action for e in uow.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-3:] == ["claim.deny", "claim.reopen", "claim.settlement"]


def test_a_settled_claim_closes_and_reopens_for_a_supplementary_payment(client, claimable):
    claim = file(client, claimable).json()["id"]
    settle(client, claimable, claim, "100000.00")  # 70,000 after the 10,000 deductible
    closed = post(client, claimable, claim, "closure", {"code": "paid_in_full", "reason": "done"})
    assert closed.json()["status"] == "closed"
    assert settle(client, claimable, claim, "1.00", idem="s-2").status_code == 409
    again = post(client, claimable, claim, "closure", {"code": "paid_in_full", "reason": "x"})
    assert again.status_code == 409
    reopened = post(
        client,
        claimable,
        claim,
        "reopening",
        {"code": "additional_damages", "reason": "rehabilitation costs"},
    )
    assert reopened.status_code == 200
    more = settle(client, claimable, claim, "50000.00", idem="s-3").json()
    # The deductible is spent: 0.8 × 50,000 = 40,000, all payable.
    assert (more["status"], more["total"], more["deductible_applied"]) == (
        "paid",
        "40000.00",
        "0.00",
    )
    assert limits(client, claimable)["aggregate_used"] == "110000.00"


def test_a_coverage_denial_reopens_only_when_coverage_now_holds(client, claimable):
    claim = file(client, claimable, first_made_date="2026-02-01").json()
    assert claim["status"] == "denied"
    body = {"code": "coverage_reconsidered", "reason": "notice letter found"}
    refused = post(client, claimable, claim["id"], "reopening", body)
    assert refused.status_code == 409
    assert "coverage still fails" in refused.json()["detail"]
    assert claim_of(client, claimable, claim["id"])["status"] == "denied"


def test_related_claims_share_one_deductible_and_one_per_claim_limit(client, claimable):
    first = file(client, claimable, idem="a").json()["id"]
    second = file(client, claimable, idem="b", claimant="受伤职工 李四").json()["id"]
    one = settle(client, claimable, first, "1000000.00", idem="s-a").json()
    # 0.8 × 1m = 800,000 − 10,000 = 790,000: above the default 500,000 authority, so pending.
    assert one["status"] == "pending"
    from underwriting.keys import create_key
    from underwriting.vocabulary import Role

    senior = create_key(
        claimable.uows,
        organisation_id=claimable.ids["insurer_1"],
        role=Role.ADJUSTER,
        label="senior",
        authority_limit=Decimal("5000000.00"),
    )
    headers = {"Authorization": f"Bearer {senior.plaintext}", "Idempotency-Key": "ap"}
    url = f"/v1/claims/{first}/settlements/{one['id']}/approval"
    assert client.post(url, headers=headers).json()["total"] == "790000.00"
    two = client.post(
        f"/v1/claims/{second}/settlement",
        json={"loss": "500000.00"},
        headers={"Authorization": f"Bearer {senior.plaintext}", "Idempotency-Key": "s-b"},
    ).json()
    # One deductible (already borne) and one 1m limit: 210,000 left of it.
    assert (two["status"], two["total"], two["deductible_applied"]) == (
        "paid",
        "210000.00",
        "0.00",
    )
    assert two["breakdown"]["capped_by"] == "per_claim_limit"
    group = limits(client, claimable)["groups"]
    assert [(g["claim_ids"], g["per_claim_remaining"]) for g in group] == [
        ([first, second], "0.00")
    ]
    third = file(client, claimable, idem="c", claimant="王五").json()["id"]
    exhausted = client.post(
        f"/v1/claims/{third}/settlement",
        json={"loss": "100.00"},
        headers={"Authorization": f"Bearer {senior.plaintext}", "Idempotency-Key": "s-c"},
    )
    assert exhausted.status_code == 409
    assert exhausted.json()["errors"][0]["field"] == "per_claim_remaining"


def test_an_exhausted_aggregate_is_a_clear_409_and_changes_nothing(client, claimable):
    with claimable.uows() as uow:
        uow.session.get(Policy, claimable.ids["policy_c1"]).aggregate_remaining = Decimal("0.00")
        uow.commit()
    claim = file(client, claimable).json()["id"]
    response = settle(client, claimable, claim, "100000.00")
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "aggregate_remaining"
    assert "exhausted" in response.json()["detail"]
    after = claim_of(client, claimable, claim)
    assert (after["status"], after["settlements"]) == ("open", [])


def test_a_withdrawn_settlement_reopens_the_claim_to_another(client, claimable):
    claim = file(client, claimable).json()["id"]
    pending = settle(client, claimable, claim, "1000000.00").json()
    url = f"/v1/claims/{claim}/settlements/{pending['id']}/withdrawal"
    headers = auth(claimable, "adjuster")
    assert client.post(url, json={}, headers=headers).status_code == 422
    withdrawn = client.post(url, json={"reason": "quantum disputed"}, headers=headers)
    assert withdrawn.json()["status"] == "withdrawn"
    assert claim_of(client, claimable, claim)["status"] == "open"
    assert settle(client, claimable, claim, "100000.00", idem="s-2").json()["status"] == "paid"


def test_a_second_incident_makes_a_second_group(client, claimable):
    other = report(claimable.uows, claimable)
    one = file(client, claimable, idem="a").json()
    two = file(client, claimable, idem="b", incident_id=other).json()
    assert two["related_group_id"] == two["id"] != one["related_group_id"]


@pytest.mark.parametrize("path", ["denial", "closure", "reopening"])
def test_a_reason_code_is_required(client, claimable, path):
    claim = file(client, claimable).json()["id"]
    response = post(client, claimable, claim, path, {"reason": "why"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "code"
