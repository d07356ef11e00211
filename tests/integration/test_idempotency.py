"""Creating use cases never create twice for one Idempotency-Key, even when racing."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from tests.small_book import START, build_small_book, record_values
from underwriting.engagements import file_service_records
from underwriting.errors import IdempotencyKeyReused
from underwriting.reading import list_page


@pytest.fixture
def small(uows):
    return build_small_book(uows)


def records_of(uows, book, engagement: str) -> list[int]:
    admin = book.principals["admin"]
    page = list_page(
        uows,
        admin,
        "service_record",
        after=None,
        limit=500,
        filters={"engagement_id": book.ids[engagement]},
    )
    return [row.id for row in page.items]


def test_same_key_same_body_replays_the_first_result(uows, small):
    firm = small.principals["firm_a"]
    body = [record_values(small.ids["engagement_a"], START + timedelta(days=40))]
    first = file_service_records(uows, firm, body, idempotency_key="k-1")
    again = file_service_records(uows, firm, body, idempotency_key="k-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.ids == first.ids
    assert len(records_of(uows, small, "engagement_a")) == 2  # the book's record + this one


def test_same_key_other_body_is_refused_and_writes_nothing(uows, small):
    firm = small.principals["firm_a"]
    visit = START + timedelta(days=40)
    file_service_records(
        uows, firm, [record_values(small.ids["engagement_a"], visit)], idempotency_key="k-2"
    )
    before = records_of(uows, small, "engagement_a")
    with pytest.raises(IdempotencyKeyReused):
        file_service_records(
            uows,
            firm,
            [record_values(small.ids["engagement_a"], visit, signer="李工")],
            idempotency_key="k-2",
        )
    assert records_of(uows, small, "engagement_a") == before


def test_keys_belong_to_one_api_key(uows, small):
    # The same key string from another principal is another request, not a replay.
    visit = START + timedelta(days=40)
    a = file_service_records(
        uows,
        small.principals["firm_a"],
        [record_values(small.ids["engagement_a"], visit)],
        idempotency_key="shared",
    )
    b = file_service_records(
        uows,
        small.principals["firm_b"],
        [record_values(small.ids["engagement_b"], visit)],
        idempotency_key="shared",
    )
    assert not b.replayed and a.ids != b.ids


# SQLite serialises writers, so only PostgreSQL can really race.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_racing_first_requests_create_once(uows, small):
    firm = small.principals["firm_a"]
    body = [record_values(small.ids["engagement_a"], START + timedelta(days=50))]

    def attempt(_: int):
        return file_service_records(uows, firm, body, idempotency_key="race")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(8)))
    assert len({tuple(result.ids) for result in results}) == 1
    assert sum(not result.replayed for result in results) == 1
    assert len(records_of(uows, small, "engagement_a")) == 2
