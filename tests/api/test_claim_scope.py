"""Who sees which claim (issue 5, item 7): the insured firm its claims; an enterprise the
status of the claims from its own incidents and nothing of the firm's other claims; the
insurer's staff their insurer's claims; nobody else, as if the claim did not exist."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.claiming import INCIDENT_AT, claim_body
from tests.quoting import auth
from underwriting import incidents

#: key -> what it gets of (the fire claim at X, the claim from Y's incident):
#: "full", "status" or None (404, and absent from its list).
SEES = {
    "admin": ("full", "full"),
    "adjuster": ("full", "full"),
    "underwriter": ("full", "full"),
    "actuary": ("full", "full"),
    "firm_a": ("full", "full"),
    "enterprise_x": ("status", None),
    "enterprise_y": (None, "status"),
    "underwriter_2": (None, None),
    "firm_b": (None, None),
}
STATUS_FIELDS = {"id", "incident_id", "first_made_date", "status", "created_at"}


@pytest.fixture
def two_claims(client, claimable):
    """The fire claim, and a claim on the same policy from an incident at enterprise Y."""
    book = claimable
    headers = auth(book, "adjuster")
    fire = client.post(
        "/v1/claims", json=claim_body(book), headers=headers | {"Idempotency-Key": "1"}
    )
    at_y = incidents.report_incident(
        book.uows,
        book.principals["enterprise_y"],
        {
            "enterprise_id": book.ids["enterprise_y"],
            "occurred_at": INCIDENT_AT,
            "accident_type": "fire",
            "deaths": 0,
            "serious_injuries": 0,
            "minor_injuries": 1,
            "direct_loss": Decimal("1000.00"),
            "description": "",
        },
    ).ids[0]
    other = client.post(
        "/v1/claims",
        json=claim_body(book, incident_id=at_y),
        headers=headers | {"Idempotency-Key": "2"},
    )
    assert fire.status_code == other.status_code == 201
    return fire.json()["id"], other.json()["id"]


@pytest.mark.parametrize("key", sorted(SEES))
def test_each_role_sees_exactly_its_claims(client, claimable, two_claims, key):
    headers = auth(claimable, key)
    listed = client.get("/v1/claims", headers=headers).json()["items"]
    expected = {ident for ident, sees in zip(two_claims, SEES[key], strict=True) if sees}
    assert {c["id"] for c in listed} == expected
    for ident, sees in zip(two_claims, SEES[key], strict=True):
        response = client.get(f"/v1/claims/{ident}", headers=headers)
        if sees is None:
            assert response.status_code == 404
        elif sees == "status":
            assert set(response.json()) == STATUS_FIELDS
        else:
            assert response.json()["money"]["paid"] == "0.00"
    if SEES[key] == ("status", None) or SEES[key] == (None, "status"):
        assert all(set(c) == STATUS_FIELDS for c in listed)


def test_an_enterprise_may_not_read_the_assessment_nor_the_limits(client, claimable, two_claims):
    fire, _ = two_claims
    paid = client.post(
        f"/v1/claims/{fire}/settlement",
        json={"loss": "100000.00"},
        headers=auth(claimable, "adjuster") | {"Idempotency-Key": "s"},
    ).json()
    headers = auth(claimable, "enterprise_x")
    assert client.get(f"/v1/claims/{fire}/assessment", headers=headers).status_code == 403
    settlement = f"/v1/claims/{fire}/settlements/{paid['id']}"
    assert client.get(settlement, headers=headers).status_code == 403
    assert client.get(settlement, headers=auth(claimable, "firm_a")).status_code == 200
    url = f"/v1/policies/{claimable.ids['policy_c1']}/limits"
    assert client.get(url, headers=headers).status_code == 403


@pytest.mark.parametrize("key", ["firm_a", "underwriter", "enterprise_x"])
def test_only_adjusters_move_a_claims_money(client, claimable, two_claims, key):
    fire, _ = two_claims
    headers = auth(claimable, key) | {"Idempotency-Key": "m"}
    for path, body in (
        ("settlement", {"loss": "100.00"}),
        ("reserves", {"indemnity": "1.00", "expense": "0.00", "reason": "r"}),
        ("recoveries", {"amount": "1.00", "source": "s", "reason": "r"}),
        ("denial", {"code": "no_liability", "reason": "r"}),
        ("liability-override", {"share": "0.1", "reason": "r"}),
    ):
        response = client.post(f"/v1/claims/{fire}/{path}", json=body, headers=headers)
        assert response.status_code == 403, (path, response.text)
