"""Claims through the API: notice and coverage, assessment, override, settlement, payment.

The scenario is ``tests/claiming.py``'s: a fire on 2025-06-01 at enterprise X, whose firm
inspected fire and electrical eleven days before and missed the hazard (share 0.8). The
policy pays min(1m, 0.8 × loss − 10,000), capped by the 3m aggregate.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.claiming import INCIDENT_AT, claim_body, report, write_record
from tests.quoting import auth
from underwriting.db.tables import AuditEvent
from underwriting.keys import create_key
from underwriting.vocabulary import Role


def file(client, book, key="adjuster", idem="c-1", **overrides):
    return client.post(
        "/v1/claims",
        json=claim_body(book, **overrides),
        headers=auth(book, key) | {"Idempotency-Key": idem},
    )


def settle(client, book, claim_id, loss, defence="0.00", key="adjuster", idem="s-1"):
    return client.post(
        f"/v1/claims/{claim_id}/settlement",
        json={"loss": loss, "defence_costs": defence},
        headers=auth(book, key) | {"Idempotency-Key": idem},
    )


def limits(client, book, key="adjuster"):
    response = client.get(f"/v1/policies/{book.ids['policy_c1']}/limits", headers=auth(book, key))
    assert response.status_code == 200, response.text
    return response.json()


# --- notice and coverage -------------------------------------------------------------------


def test_an_adjuster_files_a_claim_and_coverage_is_decided_at_once(client, claimable):
    response = file(client, claimable)
    assert response.status_code == 201, response.text
    claim = response.json()
    assert claim["status"] == "open"
    assert claim["coverage"]["covered"] is True
    assert [r["code"] for r in claim["coverage"]["reasons"]] == [
        "claims_made_trigger",
        "retro_date",
        "in_force",
        "incident_in_period_or_before",
        "covered_engagement",
        "category_in_scope",
        "exclusions",
    ]
    assert all(r["passed"] for r in claim["coverage"]["reasons"])
    assert claim["incident_date"] == "2025-06-01"
    assert claim["related_group_id"] == claim["id"]
    assert response.headers["location"] == f"/v1/claims/{claim['id']}"


def test_the_insured_firm_gives_notice_of_a_claim(client, claimable):
    response = file(client, claimable, key="firm_a")
    assert response.status_code == 201, response.text
    assert response.json()["coverage"]["covered"] is True


def test_a_retried_notice_returns_the_same_claim(client, claimable):
    first = file(client, claimable)
    again = file(client, claimable)
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = file(client, claimable, claimant="另一人")
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    listed = client.get("/v1/claims", headers=auth(claimable, "adjuster")).json()["items"]
    assert len(listed) == 1


def test_a_claim_made_after_the_period_is_denied_with_its_reason(client, claimable):
    response = file(client, claimable, first_made_date="2026-01-01")
    assert response.status_code == 201, response.text
    claim = response.json()
    assert claim["status"] == "denied"
    assert claim["status_code"] == "not_covered"
    failed = [r for r in claim["coverage"]["reasons"] if not r["passed"]]
    assert [r["code"] for r in failed] == ["claims_made_trigger"]
    assert "after the policy period ended on 2025-12-31" in claim["status_reason"]


def test_an_incident_outside_the_engagements_scope_is_not_covered(client, claimable):
    uows = claimable.uows
    drowning = report(uows, claimable, accident_type="drowning")
    claim = file(client, claimable, incident_id=drowning).json()
    assert claim["status"] == "denied"
    failed = {r["code"] for r in claim["coverage"]["reasons"] if not r["passed"]}
    assert failed == {"category_in_scope"}


def test_claims_from_one_incident_on_one_policy_form_one_group(client, claimable):
    first = file(client, claimable, idem="a").json()
    second = file(client, claimable, idem="b", claimant="受伤职工 李四").json()
    assert second["related_group_id"] == first["id"]
    assert second["related_claim_ids"] == [first["id"]]


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"first_made_date": "2099-01-01"}, "first_made_date", 422),
        ({"policy_id": 999999}, "policy_id", 404),
        ({"incident_id": 999999}, "incident_id", 404),
        (
            {"heads_of_damage": [{"head": "医疗费", "amount": "-5.00"}]},
            "heads_of_damage[0].amount",
            422,
        ),
        ({"heads_of_damage": []}, "heads_of_damage", 422),
        ({"exclusions": ["arson"]}, "exclusions[0]", 422),
        ({"first_made_date": "10/06/2025"}, "first_made_date", 422),
    ],
)
def test_bad_notice_is_refused_naming_the_field_and_nothing_is_written(
    client, claimable, change, field, status
):
    response = file(client, claimable, **change)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field
    assert client.get("/v1/claims", headers=auth(claimable, "adjuster")).json()["items"] == []


def test_a_firm_may_not_assert_exclusions_against_itself(client, claimable):
    response = file(client, claimable, key="firm_a", exclusions=["intentional_act"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "exclusions"


def test_a_claim_on_another_insurers_policy_is_not_found(client, claimable):
    other = create_key(
        claimable.uows,
        organisation_id=claimable.ids["insurer_2"],
        role=Role.ADJUSTER,
        label="adjuster_2",
    )
    headers = {"Authorization": f"Bearer {other.plaintext}", "Idempotency-Key": "x"}
    response = client.post("/v1/claims", json=claim_body(claimable), headers=headers)
    assert response.status_code == 404
    error = response.json()["errors"][0]
    assert (error["field"], error["value"]) == ("policy_id", claimable.ids["policy_c1"])


@pytest.mark.parametrize("key", ["underwriter", "actuary", "enterprise_x"])
def test_only_adjusters_and_the_insured_firm_file_claims(client, claimable, key):
    assert file(client, claimable, key=key).status_code == 403


# --- assessment and override ---------------------------------------------------------------


def test_the_assessment_shows_records_rules_and_the_share(client, claimable):
    claim = file(client, claimable).json()
    response = client.get(
        f"/v1/claims/{claim['id']}/assessment", headers=auth(claimable, "adjuster")
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["accident_categories"] == {"fire": ["fire", "electrical"]}
    assert found["considered_record_ids"] == [claimable.ids["record_may"]]
    assert found["records"] == [
        {
            "record_id": claimable.ids["record_may"],
            "visit_date": "2025-05-20",
            "submitted_at": "2025-05-20T04:00:00Z",
            "categories_inspected": ["electrical", "fire"],
            "has_evidence": True,
            "findings": [],
        }
    ]
    assert [(f["category"], f["rule"], f["share"]) for f in found["findings"]] == [
        ("fire", "negligent_miss", "0.8"),
        ("electrical", "negligent_miss", "0.8"),
    ]
    assert found["window_start_date"] == "2024-06-01"
    assert found["share"] == "0.8" and found["share_source"] == "assessment"
    assert found["unambiguous"] is True
    assert found["share_table"]["omission"] == "0.9"


def test_a_record_filed_after_the_incident_is_flagged_and_never_lowers_the_share(client, claimable):
    late = write_record(
        claimable.uows,
        claimable.ids["engagement_a"],
        date(2025, 5, 30),
        submitted=INCIDENT_AT + timedelta(hours=2),
    )
    claim = file(client, claimable).json()
    found = client.get(
        f"/v1/claims/{claim['id']}/assessment", headers=auth(claimable, "adjuster")
    ).json()
    assert found["flagged"] == [{"record_id": late, "reasons": ["submitted_after_incident"]}]
    assert found["share"] == "0.8"
    assert found["unambiguous"] is False


def test_an_adjuster_overrides_the_share_with_a_reason_kept_in_the_audit_trail(client, claimable):
    claim = file(client, claimable).json()
    url = f"/v1/claims/{claim['id']}/liability-override"
    headers = auth(claimable, "adjuster")
    missing = client.post(url, json={"share": "0.5"}, headers=headers)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reason"
    blank = client.post(url, json={"share": "0.5", "reason": "   "}, headers=headers)
    assert blank.status_code == 422
    too_big = client.post(url, json={"share": "1.5", "reason": "x"}, headers=headers)
    assert too_big.status_code == 422
    response = client.post(
        url, json={"share": "0.5", "reason": "the enterprise shares the blame"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["share"] == "0.5"
    assert response.json()["share_source"] == "override"
    with claimable.uows() as uow:
        events = uow.session.query(AuditEvent).filter_by(action="claim.share_override").all()
        assert [(e.reason, e.detail["was"]) for e in events] == [
            ("the enterprise shares the blame", "0.8")
        ]


def test_an_override_above_ones_authority_is_refused(client, claimable):
    junior = create_key(
        claimable.uows,
        organisation_id=claimable.ids["insurer_1"],
        role=Role.ADJUSTER,
        label="junior",
        authority_limit=Decimal("50000.00"),
    )
    claim = file(client, claimable).json()  # 80,000 of damages claimed
    response = client.post(
        f"/v1/claims/{claim['id']}/liability-override",
        json={"share": "1", "reason": "x"},
        headers={"Authorization": f"Bearer {junior.plaintext}"},
    )
    assert response.status_code == 409
    assert "authority" in response.json()["detail"]


# --- settlement ----------------------------------------------------------------------------


def test_an_unambiguous_claim_under_authority_is_paid_straight_through(client, claimable):
    claim = file(client, claimable).json()
    response = settle(client, claimable, claim["id"], "100000.00", "5000.00")
    assert response.status_code == 201, response.text
    paid = response.json()
    assert paid["status"] == "paid" and paid["straight_through"] is True
    assert (paid["share"], paid["share_source"]) == ("0.8", "assessment")
    # 0.8 × 100,000 = 80,000 − 10,000 deductible; defence inside, 0.8 × 5,000 = 4,000.
    assert (paid["indemnity"], paid["defence"], paid["total"]) == (
        "70000.00",
        "4000.00",
        "74000.00",
    )
    assert paid["breakdown"]["deductible_applied"] == "10000.00"
    assert paid["breakdown"]["capped_by"] == "none"
    again = settle(client, claimable, claim["id"], "100000.00", "5000.00")
    assert again.status_code == 201 and again.json()["id"] == paid["id"]
    assert again.headers["idempotent-replayed"] == "true"
    seen = limits(client, claimable)
    assert seen["aggregate_used"] == "74000.00"
    assert seen["aggregate_remaining"] == "2926000.00"
    assert seen["ledger_paid"] == "74000.00"
    assert seen["groups"][0]["deductible_remaining"] == "0.00"
    after = client.get(f"/v1/claims/{claim['id']}", headers=auth(claimable, "adjuster")).json()
    assert after["status"] == "settled"
    assert after["money"]["paid"] == "74000.00"
    twice = settle(client, claimable, claim["id"], "100000.00", idem="s-2")
    assert twice.status_code == 409
    assert "already settled" in twice.json()["detail"]


def test_an_ambiguous_assessment_waits_for_an_adjuster(client, claimable):
    write_record(
        claimable.uows,
        claimable.ids["engagement_a"],
        date(2025, 5, 30),
        submitted=INCIDENT_AT + timedelta(days=1),
    )
    claim = file(client, claimable).json()
    pending = settle(client, claimable, claim["id"], "100000.00").json()
    assert pending["status"] == "pending"
    assert pending["referral_reasons"] == ["assessment_ambiguous"]
    assert limits(client, claimable)["aggregate_used"] == "0.00"
    status = client.get(f"/v1/claims/{claim['id']}", headers=auth(claimable, "adjuster"))
    assert status.json()["status"] == "referred"
    approved = client.post(
        f"/v1/claims/{claim['id']}/settlements/{pending['id']}/approval",
        headers=auth(claimable, "adjuster") | {"Idempotency-Key": "ap-1"},
    )
    assert approved.status_code == 201, approved.text
    assert approved.json()["status"] == "paid"
    assert limits(client, claimable)["aggregate_used"] == "70000.00"


def test_a_settlement_above_authority_waits_for_an_adjuster_whose_authority_covers_it(
    client, claimable
):
    senior = create_key(
        claimable.uows,
        organisation_id=claimable.ids["insurer_1"],
        role=Role.ADJUSTER,
        label="senior",
        authority_limit=Decimal("2000000.00"),
    )
    claim = file(client, claimable).json()
    pending = settle(client, claimable, claim["id"], "1000000.00").json()
    assert pending["status"] == "pending"
    assert pending["referral_reasons"] == ["above_authority"]
    assert pending["total"] == "790000.00"
    url = f"/v1/claims/{claim['id']}/settlements/{pending['id']}/approval"
    refused = client.post(url, headers=auth(claimable, "adjuster") | {"Idempotency-Key": "a"})
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "total"
    headers = {"Authorization": f"Bearer {senior.plaintext}", "Idempotency-Key": "b"}
    assert client.post(url, headers=headers).json()["status"] == "paid"


def test_negative_or_malformed_amounts_are_refused(client, claimable):
    claim = file(client, claimable).json()
    for body, field in (
        ({"loss": "-1.00"}, "loss"),
        ({"loss": 100.5}, "loss"),
        ({"loss": "1.005"}, "loss"),
        ({"loss": "100.00", "defence_costs": "-3.00"}, "defence_costs"),
    ):
        response = client.post(
            f"/v1/claims/{claim['id']}/settlement",
            json=body,
            headers=auth(claimable, "adjuster") | {"Idempotency-Key": "n"},
        )
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    assert limits(client, claimable)["aggregate_used"] == "0.00"


def test_the_ledger_refuses_to_be_edited(client, claimable, engine):
    from sqlalchemy.exc import DBAPIError

    claim = file(client, claimable).json()
    assert settle(client, claimable, claim["id"], "100000.00").status_code == 201
    with claimable.uows() as uow:
        assert uow.session.execute(text("SELECT count(*) FROM ledger_entry")).scalar() > 0
    for statement in ("UPDATE ledger_entry SET amount = amount + 1", "DELETE FROM ledger_entry"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
