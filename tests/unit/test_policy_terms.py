"""A policy's terms on a date, from its history; changes applied as sets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from underwriting.policy_terms import Terms, terms_on

BASE = Terms(Decimal("1000000"), Decimal("3000000"), Decimal("0"), True, (1, 2))


@dataclass
class Tx:
    """A hand-made transaction: what ``terms_on`` reads of a PolicyTransaction row."""

    effective_date: date
    sequence: int
    details: dict = field(default_factory=dict)
    reversed_by_id: int | None = None


def tx(day: int, seq: int, terms: Terms | None, reversed_by: int | None = None) -> Tx:
    details = {"after": terms.to_dict()} if terms else {}
    return Tx(date(2027, 1, day), seq, details, reversed_by)


def test_changes_replace_limits_and_add_or_remove_engagements():
    changed = BASE.changed(
        {"deductible": "5000.00", "add_engagement_ids": [3], "remove_engagement_ids": [1]}
    )
    assert changed.deductible == Decimal("5000.00")
    assert changed.engagement_ids == (2, 3)
    assert changed.per_claim_limit == BASE.per_claim_limit


def test_re_applying_an_overlapping_change_is_harmless():
    once = BASE.changed({"remove_engagement_ids": [2]})
    assert once.changed({"remove_engagement_ids": [2]}) == once
    assert BASE.changed({"add_engagement_ids": [1]}) == BASE


def test_terms_round_trip_through_their_json_form():
    assert Terms.from_dict(BASE.to_dict()) == BASE
    assert BASE.to_dict()["aggregate_limit"] == "3000000.00"


def test_terms_on_a_date_follow_effective_date_then_processing_order():
    raised = BASE.changed({"per_claim_limit": "2000000"})
    lowered = BASE.changed({"deductible": "1000"})
    history = [tx(1, 1, BASE), tx(20, 2, raised), tx(10, 3, lowered), tx(5, 4, None)]
    assert terms_on(history, date(2027, 1, 9)) == BASE
    assert terms_on(history, date(2027, 1, 10)) == lowered
    assert terms_on(history, date(2027, 1, 25)) == raised
    assert terms_on(history, date(2026, 12, 31)) is None


def test_reversed_transactions_are_ignored():
    raised = BASE.changed({"per_claim_limit": "2000000"})
    history = [tx(1, 1, BASE), tx(20, 2, raised, reversed_by=3)]
    assert terms_on(history, date(2027, 1, 25)) == BASE
