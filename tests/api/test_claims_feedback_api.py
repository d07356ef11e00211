"""Claims come back into the price (issue 5, item 6), end to end through the API: a claim
on firm A's policy is reserved, then settled; the firm's loss run shows it at each step and
the next quote's worksheet carries it in the experience mod."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.api.test_policy_api import bound
from tests.quoting import auth, quote_body
from underwriting import clock

ADJUSTER = "adjuster"


def next_quote(client, book) -> tuple[Decimal, dict]:
    body = quote_body(book, effective_date=(clock.today() + timedelta(days=2)).isoformat())
    quote = client.post("/v1/quotes", json=body, headers=auth(book, "underwriter")).json()
    sheets = client.get(
        f"/v1/quotes/{quote['id']}/worksheet", headers=auth(book, "underwriter")
    ).json()
    return Decimal(quote["options"][0]["premium"]), sheets[0]["worksheet"]


def loss_run(client, book) -> dict:
    response = client.get(
        f"/v1/firms/{book.ids['firm_a']}/loss-run", headers=auth(book, "underwriter")
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_reserved_and_settled_claims_reach_the_loss_run_and_the_experience_mod(client, quotable):
    book = quotable
    today = clock.today().isoformat()
    policy = bound(client, book, effective_date=today)
    clean_premium, clean = next_quote(client, book)
    assert clean["factors"]["experience_mod"] < 1  # a claim-free stretch earns a credit

    occurred = (clock.now() - timedelta(minutes=5)).astimezone(clock.CHINA).isoformat()
    incident = client.post(
        "/v1/incidents",
        json={
            "enterprise_id": book.ids["enterprise_x"],
            "occurred_at": occurred,
            "accident_type": "fire",
            "deaths": 0,
            "serious_injuries": 2,
            "minor_injuries": 0,
            "direct_loss": "900000.00",
            "description": "配电柜起火",
        },
        headers=auth(book, "firm_a"),
    ).json()
    claim = client.post(
        "/v1/claims",
        json={
            "policy_id": policy["id"],
            "incident_id": incident["id"],
            "first_made_date": today,
            "claimant": "受伤职工",
            "heads_of_damage": [{"head": "医疗费", "amount": "400000.00"}],
        },
        headers=auth(book, "firm_a") | {"Idempotency-Key": "notice"},
    ).json()
    assert claim["coverage"]["covered"], claim["coverage"]

    reserved = client.post(
        f"/v1/claims/{claim['id']}/reserves",
        json={"indemnity": "300000.00", "expense": "20000.00", "reason": "first estimate"},
        headers=auth(book, ADJUSTER) | {"Idempotency-Key": "reserve"},
    )
    assert reserved.status_code == 201, reserved.text
    [line] = [c for p in loss_run(client, book)["policies"] for c in p["claims"]]
    assert (line["paid"], line["case_reserve"], line["incurred"]) == (
        "0.00",
        "320000.00",
        "320000.00",
    )
    reserved_premium, reserved_sheet = next_quote(client, book)
    assert reserved_sheet["inputs"]["firm"]["experience_actual"] == 320_000.0
    assert reserved_sheet["factors"]["experience_mod"] > clean["factors"]["experience_mod"]
    assert reserved_premium > clean_premium

    # No record inspected fire within the interval: an omission, share 0.9.
    # 0.9 × 400,000 = 360,000 (no deductible); defence 0.9 × 20,000 = 18,000, inside.
    paid = client.post(
        f"/v1/claims/{claim['id']}/settlement",
        json={"loss": "400000.00", "defence_costs": "20000.00"},
        headers=auth(book, ADJUSTER) | {"Idempotency-Key": "settle"},
    ).json()
    assert (paid["status"], paid["share"], paid["total"]) == ("paid", "0.9", "378000.00")
    [line] = [c for p in loss_run(client, book)["policies"] for c in p["claims"]]
    assert (line["status"], line["paid"], line["case_reserve"]) == ("settled", "378000.00", "0.00")
    settled_premium, settled_sheet = next_quote(client, book)
    assert settled_sheet["inputs"]["firm"]["experience_actual"] == 378_000.0
    assert settled_premium > clean_premium
