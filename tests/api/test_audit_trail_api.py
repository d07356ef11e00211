"""The audit trail: who did what, when and why, read by insurer staff and admins."""

import copy
import json

import pytest

from pricing.model import MODELS
from underwriting.audit_trail import record
from underwriting.rating_models import ensure_default_model

DEFAULT = json.loads((MODELS / "pl-2026.1.json").read_text())


def auth(book, key):
    return {"Authorization": f"Bearer {book.keys[key]}"}


def document(version: str, effective: str) -> dict:
    return copy.deepcopy(DEFAULT) | {"version": version, "effective_from": effective}


def trail(client, book, key="underwriter", **params):
    return client.get("/v1/audit-events", params=params, headers=auth(book, key))


@pytest.fixture
def events(book, uows):
    """Five quote events by insurer 1's underwriter and two by insurer 2's."""
    with uows() as uow:
        for quote_id in range(1, 6):
            record(
                uow,
                book.principals["underwriter"],
                "quote.create" if quote_id != 3 else "quote.decline",
                subject=("quote", quote_id),
                reason=f"quote {quote_id}",
                values={"tier": "B", "premium": "12345.67"},
            )
        for quote_id in (6, 7):
            record(
                uow, book.principals["underwriter_2"], "quote.create", subject=("quote", quote_id)
            )
        uow.commit()
    return book


def test_publishing_and_moving_a_model_writes_the_trail(client, book, uows):
    ensure_default_model(uows)
    actuary, second = auth(book, "actuary"), auth(book, "actuary_b")
    body = {"document": document("pl-2027.1", "2027-01-01")}
    assert client.post("/v1/rating-models", json=body, headers=actuary).status_code == 201
    replaced = client.put("/v1/rating-models/pl-2027.1", json=body, headers=actuary)
    assert replaced.status_code == 200
    refused = client.post("/v1/rating-models/pl-2027.1/approve", headers=actuary)
    assert refused.status_code == 409, "the author cannot approve: nothing is recorded"
    for action, headers in (("approve", second), ("activate", actuary), ("retire", actuary)):
        moved = client.post(f"/v1/rating-models/pl-2027.1/{action}", headers=headers)
        assert moved.status_code == 200, moved.text
    page = trail(client, book, key="actuary", subject_kind="rating_model")
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [e["action"] for e in items] == [
        "model.draft",
        "model.replace",
        "model.approve",
        "model.activate",
        "model.retire",
    ]
    actors = [e["actor_key_id"] for e in items]
    keys = {name: book.principals[name].key_id for name in ("actuary", "actuary_b")}
    assert actors == [keys["actuary"], keys["actuary"], keys["actuary_b"]] + [keys["actuary"]] * 2
    for event in items:
        assert event["subject_kind"] == "rating_model" and event["subject_id"] == 0
        assert event["organisation_id"] == book.ids["insurer_1"]
        assert event["values"]["version"] == "pl-2027.1"
        assert event["values"]["effective_from"] == "2027-01-01"
    assert [e["values"]["status"] for e in items] == [
        "draft",
        "draft",
        "approved",
        "active",
        "retired",
    ]
    assert [e["id"] for e in items] == sorted(e["id"] for e in items)


def test_a_refused_activation_leaves_no_event(client, book, uows):
    ensure_default_model(uows)  # pl-2026.1, active from 2026-01-01
    actuary = auth(book, "actuary")
    body = {"document": document("pl-2026.1b", "2026-01-01")}
    client.post("/v1/rating-models", json=body, headers=actuary)
    client.post("/v1/rating-models/pl-2026.1b/approve", headers=auth(book, "actuary_b"))
    clash = client.post("/v1/rating-models/pl-2026.1b/activate", headers=actuary)
    assert clash.status_code == 409
    actions = [e["action"] for e in trail(client, book, key="admin").json()["items"]]
    assert actions == ["model.draft", "model.approve"]


def test_an_admins_model_event_belongs_to_the_platform(client, book):
    body = {"document": document("pl-2027.1", "2027-01-01")}
    assert client.post("/v1/rating-models", json=body, headers=auth(book, "admin")).is_success
    (event,) = trail(client, book, key="admin", action="model.draft").json()["items"]
    assert event["organisation_id"] == book.ids["platform"]
    assert trail(client, book, key="actuary").json()["items"] == []


def test_each_event_reads_in_full(client, events):
    first = trail(client, events, limit=1).json()["items"][0]
    assert set(first) == {
        "id",
        "at",
        "actor_key_id",
        "organisation_id",
        "action",
        "subject_kind",
        "subject_id",
        "reason",
        "values",
    }
    assert first["actor_key_id"] == events.principals["underwriter"].key_id
    assert (first["action"], first["subject_kind"], first["subject_id"]) == (
        "quote.create",
        "quote",
        1,
    )
    assert first["reason"] == "quote 1"
    assert first["values"] == {"tier": "B", "premium": "12345.67"}
    assert first["at"].endswith(("Z", "+00:00"))


def test_staff_read_their_own_insurers_events_and_admins_all(client, events):
    def subjects(key):
        return [e["subject_id"] for e in trail(client, events, key=key).json()["items"]]

    assert subjects("underwriter") == [1, 2, 3, 4, 5]
    assert subjects("adjuster") == [1, 2, 3, 4, 5]
    assert subjects("actuary") == [1, 2, 3, 4, 5]
    assert subjects("underwriter_2") == [6, 7]
    assert subjects("admin") == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("key", ["firm_a", "firm_b", "enterprise_x", "enterprise_y"])
def test_firms_and_enterprises_may_not_read_the_trail(client, events, key):
    response = trail(client, events, key=key)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "audit trail" in response.json()["detail"]


def test_the_trail_pages_oldest_first_by_cursor(client, events):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = trail(client, events, key="admin", **params).json()
        seen += [e["subject_id"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [1, 2, 3, 4, 5, 6, 7] and pages == 4
    exact = trail(client, events, key="underwriter", limit=5).json()
    assert len(exact["items"]) == 5 and exact["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "subjects"),
    [
        ({"subject_kind": "quote", "subject_id": 3}, [3]),
        ({"subject_kind": "policy", "subject_id": 3}, []),
        ({"subject_kind": "quote"}, [1, 2, 3, 4, 5]),
        ({"action": "quote.decline"}, [3]),
        ({"action": "quote.create", "subject_id": 6}, []),  # insurer 2's, out of scope
    ],
)
def test_the_trail_filters_by_subject_and_action(client, events, params, subjects):
    items = trail(client, events, **params).json()["items"]
    assert [e["subject_id"] for e in items] == subjects


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-ours"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"subject_id": -1}, "subject_id"),
        ({"subject_id": 2**31}, "subject_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_paging_or_filters_are_422_naming_the_field(client, events, params, field):
    response = trail(client, events, **params)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
