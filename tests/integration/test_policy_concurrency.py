"""Concurrent changes to one policy: the policy row is locked, so none is lost or doubled."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

from tests.quoting import OPTION, file_audit
from underwriting import clock
from underwriting.binding import bind
from underwriting.db.uow import ConstraintViolated
from underwriting.endorsements import endorse
from underwriting.errors import Conflict
from underwriting.quotes import QuoteRequest, create_quote

RACERS = 4


def _policy(uows, book) -> int:
    underwriter = book.principals["underwriter"]
    file_audit(uows, book, clock.today() - timedelta(days=10))
    request = QuoteRequest(
        firm_id=book.ids["firm_a"], effective=clock.today() + timedelta(days=1), options=[OPTION]
    )
    quote_id = create_quote(uows, underwriter, request).created.ids[0]
    return bind(uows, underwriter, quote_id, {"option_index": 0}, idempotency_key="b").ids[0]


def test_concurrent_endorsements_keep_the_history_whole(uows, quotable):
    policy_id = _policy(uows, quotable)
    underwriter = quotable.principals["underwriter"]
    start = threading.Barrier(RACERS)

    def change(n: int):
        start.wait()
        values = {
            "effective_date": clock.today() + timedelta(days=30 * (n + 1)),
            "reason": f"change {n}",
            "deductible": Decimal(1000 * (n + 1)),
        }
        try:
            return endorse(uows, underwriter, policy_id, values).ids
        except (
            Conflict,
            ConstraintViolated,
        ) as refused:  # reported, so a refusal fails the test below
            return refused

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(change, range(RACERS)))
    done = [o for o in outcomes if isinstance(o, list)]
    # The policy is locked before anything else is read (PostgreSQL's row lock, SQLite's
    # write lock), so the racers queue and none is refused.
    assert len(done) == RACERS, outcomes
    with uows() as uow:
        policy = uow.policies.get(policy_id)
        history = uow.policies.transactions(policy_id)
    sequences = [t.sequence for t in history]
    assert sequences == list(range(1, len(history) + 1))
    assert policy.written_premium == sum((t.premium_delta for t in history), Decimal(0))
    live = [t for t in history if t.kind == "endorsement" and t.reversed_by_id is None]
    assert sorted(t.reason for t in live) == sorted({t.reason for t in live})
    assert len(live) == len(done)
