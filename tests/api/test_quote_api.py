"""Quotes through the API: pricing with worksheets, the guidelines, referrals and binds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from pricing import RatingModel, recompute
from tests.quoting import OPTION, auth, file_audit, quote_body, set_enterprise, set_firm
from underwriting import clock
from underwriting.keys import authenticate, create_key
from underwriting.vocabulary import Role


def test_a_quote_prices_every_option_with_a_reproducible_worksheet(client, quotable):
    body = quote_body(quotable, options=[OPTION, OPTION | {"deductible": "50000.00"}])
    response = client.post("/v1/quotes", json=body, headers=auth(quotable, "underwriter"))
    assert response.status_code == 201, response.text
    quote = response.json()
    assert quote["decision"] == "accept" and quote["status"] == "open"
    assert quote["model_version"] == "pl-2026.1" and quote["tier"] in "ABCDE"
    assert quote["valid_until"] == (clock.today() + timedelta(days=30)).isoformat()
    assert quote["engagement_ids"] == [quotable.ids["engagement_now"]]
    first, second = quote["options"]
    assert Decimal(second["premium"]) < Decimal(first["premium"])  # a deductible costs less
    for option in quote["options"]:
        total = sum(Decimal(v) for v in option["components"].values())
        assert total == Decimal(option["premium"])
    sheets = client.get(
        f"/v1/quotes/{quote['id']}/worksheet", headers=auth(quotable, "underwriter")
    ).json()
    model = RatingModel.load("pl-2026.1")
    for sheet, option in zip(sheets, quote["options"], strict=True):
        assert recompute(sheet["worksheet"], model) == Decimal(option["premium"])


def test_retro_date_defaults_to_the_effective_date_without_prior_cover(client, quotable):
    quote = _quote(client, quotable)
    assert quote["retro_date"] == quote["effective_date"]


def test_rules_are_anchored_to_the_quote_effective_date(client, quotable, uows):
    # The qualification is valid today but lapses before a cover starting in 200 days.
    set_firm(uows, quotable.ids["firm_a"], qualification_expiry_date=clock.today() + timedelta(100))
    later = _quote(client, quotable, effective_date=_in(200))
    assert later["decision"] == "decline"
    assert [r["code"] for r in later["reasons"]] == ["qualification_lapsed"]
    # Effective next week the same firm is fine, but must renew its qualification to bind.
    soon = _quote(client, quotable, effective_date=_in(7))
    assert soon["decision"] == "accept"
    assert [s["code"] for s in soon["subjectivities"]] == ["qualification_renewal"]


def test_a_red_credit_colour_declines_and_a_declined_quote_never_binds(client, quotable, uows):
    set_firm(uows, quotable.ids["firm_a"], credit_colour="red")
    quote = _quote(client, quotable)
    assert quote["decision"] == "decline"
    assert quote["reasons"][0]["code"] == "credit_red"
    response = _bind(client, quotable, quote["id"])
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "decision"


def test_a_limit_over_authority_is_referred_and_decided_by_a_second_underwriter(
    client, quotable, uows
):
    big = {"per_claim_limit": "5000000.00", "aggregate_limit": "20000000.00"}
    quote = _quote(client, quotable, options=[OPTION, big])
    assert quote["decision"] == "refer"
    reason = quote["reasons"][0]
    assert (reason["code"], reason["option_index"]) == ("authority", 1)
    assert "20000000.00" in reason["text"]
    assert _bind(client, quotable, quote["id"]).status_code == 409  # not yet accepted
    decide = {"decision": "accept", "reason": "reinsurance in place"}
    path = f"/v1/quotes/{quote['id']}/referral"
    own = client.post(path, json=decide, headers=auth(quotable, "underwriter"))
    assert own.status_code == 409 and own.json()["errors"][0]["field"] == "quote_id"
    junior = _underwriter(uows, quotable, "junior", None)
    short = client.post(path, json=decide, headers={"Authorization": f"Bearer {junior}"})
    assert short.status_code == 409 and "authority" in short.json()["detail"]
    senior = _underwriter(uows, quotable, "senior", Decimal("100000000.00"))
    accepted = client.post(path, json=decide, headers={"Authorization": f"Bearer {senior}"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["decision"] == "accept"
    assert accepted.json()["referral"]["reason"] == "reinsurance in place"
    assert _bind(client, quotable, quote["id"], option=1).status_code == 201


def test_a_book_of_hazardous_clients_is_referred(client, quotable, uows):
    set_enterprise(uows, quotable.ids["enterprise_x"], hazard_class="hazardous_chemicals")
    quote = _quote(client, quotable)
    assert quote["decision"] == "refer"
    assert [r["code"] for r in quote["reasons"]] == ["hazardous_share"]
    assert "100%" in quote["reasons"][0]["text"]


def test_a_false_report_in_the_last_audits_refers(client, quotable):
    _audit(quotable, clock.today() - timedelta(days=20), false_reports=2)
    quote = _quote(client, quotable)
    assert quote["decision"] == "refer"
    assert "false_report" in [r["code"] for r in quote["reasons"]]


def test_a_bind_waits_for_a_recent_audit(client, quotable):
    quote = _quote(client, quotable, audited=False)
    assert [s["code"] for s in quote["subjectivities"]] == ["recent_audit"]
    refused = _bind(client, quotable, quote["id"])
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "subjectivities"
    _audit(quotable, clock.today() - timedelta(days=1))
    assert _bind(client, quotable, quote["id"]).status_code == 201


def test_bind_issues_a_policy_and_a_retry_returns_the_same_one(client, quotable):
    quote = _quote(client, quotable)
    first = _bind(client, quotable, quote["id"], key="bind-1")
    assert first.status_code == 201, first.text
    policy = first.json()
    assert policy["number"] == f"SL{quote['effective_date'][:4]}-{quote['id']:06d}"
    assert policy["premium"] == policy["written_premium"] == quote["options"][0]["premium"]
    assert policy["aggregate_remaining"] == policy["aggregate_limit"] == "3000000.00"
    assert policy["engagement_ids"] == quote["engagement_ids"]
    assert [t["kind"] for t in policy["transactions"]] == ["new_business"]
    retry = _bind(client, quotable, quote["id"], key="bind-1")
    assert retry.status_code == 201 and retry.json()["id"] == policy["id"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert first.headers["location"] == f"/v1/policies/{policy['id']}"
    again = _bind(client, quotable, quote["id"], key="bind-2")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "quote_id"
    reused = _bind(client, quotable, quote["id"], key="bind-1", option=1)
    assert reused.status_code == 422 and reused.json()["errors"][0]["field"] == "Idempotency-Key"
    read = client.get(f"/v1/quotes/{quote['id']}", headers=auth(quotable, "underwriter"))
    assert read.json()["status"] == "bound"


def test_bind_needs_an_idempotency_key_and_a_real_option(client, quotable):
    quote = _quote(client, quotable)
    path = f"/v1/quotes/{quote['id']}/bind"
    missing = client.post(path, json={"option_index": 0}, headers=auth(quotable, "underwriter"))
    assert missing.status_code == 422
    assert "Idempotency-Key" in missing.text
    beyond = _bind(client, quotable, quote["id"], option=3)
    assert beyond.status_code == 422 and beyond.json()["errors"][0]["field"] == "option_index"


def test_an_expired_quote_cannot_be_bound(client, quotable, monkeypatch):
    quote = _quote(client, quotable)
    later = clock.today() + timedelta(days=31)
    monkeypatch.setattr(clock, "today", lambda: later)
    read = client.get(f"/v1/quotes/{quote['id']}", headers=auth(quotable, "underwriter"))
    assert read.json()["status"] == "expired"
    response = _bind(client, quotable, quote["id"])
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "valid_until"


def test_insurers_list_why_quotes_were_referred_or_declined(client, quotable, uows):
    big = {"per_claim_limit": "5000000.00", "aggregate_limit": "20000000.00"}
    _quote(client, quotable, options=[big])
    _quote(client, quotable)
    set_firm(uows, quotable.ids["firm_a"], credit_colour="red")
    _quote(client, quotable)
    headers = auth(quotable, "underwriter")
    referred = client.get("/v1/quotes?decision=refer", headers=headers).json()["items"]
    assert [q["reasons"][0]["code"] for q in referred] == ["authority"]
    by_reason = client.get("/v1/quotes?reason=credit_red", headers=headers).json()["items"]
    assert len(by_reason) == 1 and by_reason[0]["decision"] == "decline"
    other_firm = f"/v1/quotes?reason=credit_red&firm_id={quotable.ids['firm_b']}"
    assert client.get(other_firm, headers=headers).json()["items"] == []
    paged = client.get("/v1/quotes?limit=1", headers=headers).json()
    second = client.get(f"/v1/quotes?limit=1&cursor={paged['next_cursor']}", headers=headers)
    assert second.json()["items"][0]["id"] > paged["items"][0]["id"]
    counts = client.get("/v1/quotes/reasons", headers=headers).json()
    assert {(c["outcome"], c["code"], c["quotes"]) for c in counts} == {
        ("refer", "authority", 1),
        ("decline", "credit_red", 1),
    }
    other = client.get("/v1/quotes", headers=auth(quotable, "underwriter_2")).json()
    assert other["items"] == []


def test_quotes_are_private_to_their_insurer(client, quotable):
    quote = _quote(client, quotable)
    for key in ("underwriter_2", "firm_a", "enterprise_x"):
        response = client.get(f"/v1/quotes/{quote['id']}", headers=auth(quotable, key))
        assert response.status_code == 404, key


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"expiry_date": "2020-01-01"}, "expiry_date"),
        ({"retro_date": "2099-01-01"}, "retro_date"),
        ({"options": [{"per_claim_limit": "100.00", "aggregate_limit": "50.00"}]}, "options[0]"),
        (
            {"options": [OPTION | {"deductible": "1000000.00"}]},
            "options[0]",
        ),
        ({"schedule": [{"reason": "clean", "adjustment": -0.4}]}, "schedule"),
        ({"schedule": [{"reason": "", "adjustment": -0.1}]}, "schedule[0].reason"),
        ({"firm_id": 999999}, "firm_id"),
        ({"engagement_ids": [999999]}, "engagement_ids"),
    ],
)
def test_bad_quotes_are_refused_by_name_and_store_nothing(client, quotable, change, field):
    body = quote_body(quotable) | change
    response = client.post("/v1/quotes", json=body, headers=auth(quotable, "underwriter"))
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["errors"][0]["field"] == field, response.json()
    listing = client.get("/v1/quotes", headers=auth(quotable, "underwriter")).json()
    assert listing["items"] == []


def test_only_underwriters_quote(client, quotable):
    for key in ("firm_a", "actuary", "adjuster"):
        response = client.post("/v1/quotes", json=quote_body(quotable), headers=auth(quotable, key))
        assert response.status_code == 403, key


def test_a_quote_and_its_bind_join_the_audit_trail(client, quotable, uows):
    quote = _quote(client, quotable, schedule=[{"reason": "new CEO", "adjustment": -0.05}])
    policy = _bind(client, quotable, quote["id"]).json()
    with uows() as uow:
        principal = quotable.principals["underwriter"]
        events = [
            e.action
            for kind, ident in (("quote", quote["id"]), ("policy", policy["id"]))
            for e in uow.audit_events.of_subject(kind, ident, principal)
        ]
    assert events == ["quote.create", "quote.schedule_override", "quote.bind"]


def _quote(client, book, *, audited=True, **change):
    if audited:
        _audit(book, clock.today() - timedelta(days=40))
    response = client.post(
        "/v1/quotes", json=quote_body(book) | change, headers=auth(book, "underwriter")
    )
    assert response.status_code == 201, response.text
    return response.json()


def _bind(client, book, quote_id, *, option=0, key=None):
    headers = auth(book, "underwriter") | {"Idempotency-Key": key or f"bind-{quote_id}-{option}"}
    return client.post(
        f"/v1/quotes/{quote_id}/bind", json={"option_index": option}, headers=headers
    )


def _audit(book, day: date, false_reports: int = 0):
    file_audit(book.uows, book, day, false_reports=false_reports)


def _underwriter(uows, book, label, authority):
    minted = create_key(
        uows,
        organisation_id=book.ids["insurer_1"],
        role=Role.UNDERWRITER,
        label=label,
        authority_limit=authority,
    )
    assert authenticate(uows, minted.plaintext) is not None
    return minted.plaintext


def _in(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()
