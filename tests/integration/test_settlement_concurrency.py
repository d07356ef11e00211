"""Fifty settlements racing on one policy never pay more than its aggregate (issue 5, item 5).

Fifty claims from fifty incidents on the 3m-aggregate policy of ``tests/claiming.py`` (share
0.8, deductible 10,000, 1m per claim) are settled at once from fifty threads, each asking
for a fifth of the aggregate. The policy row lock queues them: exactly the aggregate is
paid, the request that finds too little left is capped to it, every later one is refused
with the one clear conflict (aggregate exhausted), and the ledger, the settlements and the
limits agree. Replaying every request with its key pays nothing more.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from tests.claiming import MADE, report
from underwriting import claim_files, policy_limits, settlements
from underwriting.errors import Conflict
from underwriting.keys import authenticate, create_key
from underwriting.vocabulary import LedgerAccount, Role

RACERS = 50
AGGREGATE = Decimal("3000000.00")


def _claims(book) -> list[int]:
    adjuster = book.principals["adjuster"]
    ids = []
    for n in range(RACERS):
        incident = report(book.uows, book)
        values = {
            "policy_id": book.ids["policy_c1"],
            "incident_id": incident,
            "first_made_date": MADE,
            "claimant": f"claimant {n}",
            "heads_of_damage": [{"head": "医疗费", "amount": Decimal("800000.00")}],
        }
        ids += claim_files.file_claim(book.uows, adjuster, values, idempotency_key=f"c{n}").ids
    return ids


@pytest.mark.parametrize(
    ("loss", "asked"),
    [
        # 0.8 × 762,500 − 10,000 = 600,000: a fifth of the aggregate, five pay in full.
        (Decimal("762500.00"), Decimal("600000.00")),
        # One yuan of loss more asks 0.8 × 762,501 − 10,000 = 600,000.80: four pay in full
        # and the fifth is capped to the 599,996.80 left.
        (Decimal("762501.00"), Decimal("600000.80")),
    ],
    ids=["a-fifth", "a-fifth-and-a-bit"],
)
def test_concurrent_settlements_pay_exactly_the_aggregate(claimable, loss, asked):
    book = claimable
    senior = authenticate(
        book.uows,
        create_key(
            book.uows,
            organisation_id=book.ids["insurer_1"],
            role=Role.ADJUSTER,
            label="senior",
            authority_limit=Decimal("1000000.00"),
        ).plaintext,
    )
    claims = _claims(book)
    start = threading.Barrier(RACERS)

    def settle(n: int, *, wait: bool = True):
        if wait:
            start.wait()
        values = {"loss": loss, "defence_costs": Decimal("0.00")}
        try:
            return settlements.settle(book.uows, senior, claims[n], values, idempotency_key=f"s{n}")
        except Conflict as refused:
            return refused

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(settle, range(RACERS)))

    paid = [o for o in outcomes if not isinstance(o, Conflict)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert {(r.field, r.value) for r in refused} == {("aggregate_remaining", "0.00")}
    full = AGGREGATE // asked
    assert len(paid) == full + (1 if AGGREGATE % asked else 0)
    totals = _totals(book, paid)
    assert sorted(totals, reverse=True) == [asked] * int(full) + (
        [AGGREGATE - full * asked] if AGGREGATE % asked else []
    )
    assert sum(totals) == AGGREGATE
    _ledger_and_limits_agree(book, paid_total=AGGREGATE)

    # The same fifty requests again, with their keys: the paid ones replay, nothing more moves.
    again = [settle(n, wait=False) for n in range(RACERS)]
    replayed = [o for o in again if not isinstance(o, Conflict)]
    assert all(o.replayed for o in replayed)
    assert sorted(o.ids[0] for o in replayed) == sorted(o.ids[0] for o in paid)
    _ledger_and_limits_agree(book, paid_total=AGGREGATE)


def _totals(book, created) -> list[Decimal]:
    with book.uows() as uow:
        rows = [uow.claims.settlement_by_id(c.ids[0]) for c in created]
        assert all(r.status == "paid" for r in rows)
        return [r.indemnity + r.defence for r in rows]


def _ledger_and_limits_agree(book, *, paid_total: Decimal) -> None:
    view = policy_limits.limits(book.uows, book.principals["adjuster"], book.ids["policy_c1"])
    assert view.policy.aggregate_remaining == Decimal("0.00")
    assert view.aggregate_used == paid_total
    assert view.ledger_paid == paid_total
    with book.uows() as uow:
        balances = uow.claims.policy_balances(book.ids["policy_c1"])
    assert balances[LedgerAccount.CASH.value] == -paid_total
    assert sum(balances.values()) == 0
