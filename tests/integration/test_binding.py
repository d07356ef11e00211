"""Binding under concurrency: one quote never makes two policies, on either database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tests.quoting import OPTION, file_audit
from underwriting import clock
from underwriting.binding import bind
from underwriting.errors import Conflict
from underwriting.quotes import QuoteRequest, create_quote

RACERS = 6


def _accepted_quote(uows, book) -> int:
    underwriter = book.principals["underwriter"]
    file_audit(uows, book, clock.today() - timedelta(days=10))
    request = QuoteRequest(
        firm_id=book.ids["firm_a"],
        effective=clock.today() + timedelta(days=1),
        options=[OPTION, OPTION | {"deductible": "10000.00"}],
    )
    return create_quote(uows, underwriter, request).created.ids[0]


def test_concurrent_binds_of_one_quote_make_exactly_one_policy(uows, quotable):
    quote_id = _accepted_quote(uows, quotable)
    underwriter = quotable.principals["underwriter"]
    start = threading.Barrier(RACERS)

    def race(n: int):
        start.wait()
        try:
            created = bind(
                uows, underwriter, quote_id, {"option_index": n % 2}, idempotency_key=f"race-{n}"
            )
            return created.ids[0]
        except Conflict as error:
            return error

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(race, range(RACERS)))
    policies = [o for o in outcomes if isinstance(o, int)]
    refusals = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(policies) == 1, outcomes
    assert len(refusals) == RACERS - 1
    assert all(r.field == "quote_id" for r in refusals)
    with uows() as uow:
        assert uow.policies.by_quote(quote_id).id == policies[0]
        assert len(uow.policies.transactions(policies[0])) == 1


def test_concurrent_retries_of_one_bind_return_one_policy(uows, quotable):
    quote_id = _accepted_quote(uows, quotable)
    underwriter = quotable.principals["underwriter"]
    start = threading.Barrier(RACERS)

    def retry(_: int) -> int:
        start.wait()
        created = bind(uows, underwriter, quote_id, {"option_index": 0}, idempotency_key="once")
        return created.ids[0]

    with ThreadPoolExecutor(RACERS) as pool:
        ids = set(pool.map(retry, range(RACERS)))
    assert len(ids) == 1
