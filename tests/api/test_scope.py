"""The scope matrix: every role against every resource kind — own, other's, and no key.

Firm A serves enterprise X; firm B serves enterprise Y (tests/small_book.py). What a role
may not see answers 404, exactly as if it did not exist, and never appears in a list.
"""

import pytest

PAIRED = {  # resource path -> the A-side and B-side names in book.ids
    "firms": ("firm_a", "firm_b"),
    "enterprises": ("enterprise_x", "enterprise_y"),
    "hazard-snapshots": ("snapshot_a", "snapshot_b"),
    "engagements": ("engagement_a", "engagement_b"),
    "service-records": ("record_a", "record_b"),
    "audits": ("audit_a", "audit_b"),
    "incidents": ("incident_a", "incident_b"),
}
ORGANISATIONS = (
    "platform",
    "insurer_1",
    "insurer_2",
    "firm_a",
    "firm_b",
    "enterprise_x",
    "enterprise_y",
)
MARKET = {"firm_a", "firm_b", "enterprise_x", "enterprise_y"}

A_SIDE = {path: {a} for path, (a, _) in PAIRED.items()}
B_SIDE = {path: {b} for path, (_, b) in PAIRED.items()}
BOTH = {path: {a, b} for path, (a, b) in PAIRED.items()}

#: key name -> resource path -> the names it may see.
VISIBLE = {
    "admin": BOTH | {"organisations": set(ORGANISATIONS)},
    "underwriter": BOTH | {"organisations": MARKET | {"insurer_1"}},
    "adjuster": BOTH | {"organisations": MARKET | {"insurer_1"}},
    "actuary": BOTH | {"organisations": MARKET | {"insurer_1"}},
    "underwriter_2": BOTH | {"organisations": MARKET | {"insurer_2"}},
    "firm_a": A_SIDE | {"organisations": {"firm_a", "enterprise_x"}},
    "firm_b": B_SIDE | {"organisations": {"firm_b", "enterprise_y"}},
    "enterprise_x": A_SIDE | {"audits": set(), "organisations": {"enterprise_x", "firm_a"}},
    "enterprise_y": B_SIDE | {"audits": set(), "organisations": {"enterprise_y", "firm_b"}},
}
UNIVERSE = {path: set(pair) for path, pair in PAIRED.items()} | {
    "organisations": set(ORGANISATIONS)
}


def listed_ids(client, path, headers):
    ids, cursor = set(), None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = client.get(f"/v1/{path}", headers=headers, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        ids |= {item["id"] for item in body["items"]}
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


@pytest.mark.parametrize("key", sorted(VISIBLE))
def test_each_role_sees_exactly_its_scope(client, book, key):
    headers = {"Authorization": f"Bearer {book.keys[key]}"}
    wrong = []
    for path, names in UNIVERSE.items():
        expected = {book.ids[name] for name in VISIBLE[key][path]}
        if listed_ids(client, path, headers) != expected:
            wrong.append(f"list {path}")
        for name in sorted(names):
            response = client.get(f"/v1/{path}/{book.ids[name]}", headers=headers)
            status = 200 if name in VISIBLE[key][path] else 404
            if response.status_code != status:
                wrong.append(f"{path}/{name}: {response.status_code}, expected {status}")
            elif status == 404:
                assert response.headers["content-type"] == "application/problem+json"
    assert not wrong, wrong


@pytest.mark.parametrize("path", sorted(UNIVERSE))
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer sl_not-a-real-key", "Basic dXNlcjpwYXNz", "Bearer "],
    ids=["no-key", "unknown-key", "wrong-scheme", "empty"],
)
def test_without_a_valid_key_everything_is_401(client, book, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    for url in (f"/v1/{path}", f"/v1/{path}/1"):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, (url, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"


def test_a_revoked_key_is_401_at_once(client, book, uows):
    from underwriting.keys import revoke_key

    headers = {"Authorization": f"Bearer {book.keys['firm_a']}"}
    assert client.get("/v1/engagements", headers=headers).status_code == 200
    revoke_key(uows, book.principals["firm_a"].key_id)
    assert client.get("/v1/engagements", headers=headers).status_code == 401


def test_the_universe_is_every_resource_route(app):
    # A new resource must join the matrix: compare with the routes the app serves.
    served = {path.split("/")[2] for path in app.openapi()["paths"] if path.endswith("{id}")}
    assert served == set(UNIVERSE) | INSURER_BUSINESS


#: Scoped by insurer rather than by the market; their matrices are in test_quote_api,
#: test_policy_api, test_claim_scope and test_actuarial_api, which build them first.
INSURER_BUSINESS = {"quotes", "policies", "claims", "backtests"}
