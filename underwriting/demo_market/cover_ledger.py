"""What the simulation has drawn so far — policies, decisions, claims and their movements —
and what later years read back from it: the policies' terms and the firms' experience."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pricing import RatingModel
from underwriting.demo_market.claim_settlement import PolicyTermsTable
from underwriting.demo_market.cover_pricing import ExpectedLosses, experience
from underwriting.demo_market.insured_truth import TERMS
from underwriting.demo_market.window import day_number


@dataclass(eq=False)
class Ledger:
    """Everything drawn so far, as lists of column parts (``columns`` joins them)."""

    policies: dict[str, list] = field(default_factory=dict)
    decisions: dict[str, list] = field(default_factory=dict)
    claims: dict[str, list] = field(default_factory=dict)
    movements: dict[str, list] = field(default_factory=dict)
    deficits_by_year: dict[int, np.ndarray] = field(default_factory=dict)
    expected: ExpectedLosses = field(default_factory=ExpectedLosses)

    @staticmethod
    def append(table: dict[str, list], **columns: object) -> None:
        for name, values in columns.items():
            table.setdefault(name, []).append(np.asarray(values))

    @staticmethod
    def columns(table: dict[str, list]) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in table.items()}

    def count(self, table: dict[str, list]) -> int:
        """Rows in ``table`` so far."""
        first = next(iter(table.values()), [])
        return sum(len(part) for part in first)


def terms_table(ledger: Ledger) -> PolicyTermsTable:
    """The terms of every policy written so far, by position."""
    p = Ledger.columns(ledger.policies)
    limits = np.array(TERMS.limits, dtype=np.int64) * 100
    return PolicyTermsTable(
        effective_day=p["effective_day"],
        expiry_day=np.array([day_number(int(y) + 1) for y in p["year"].tolist()], dtype=np.int64),
        retro_day=p["retro_day"],
        per_claim_fen=limits[p["limit"], 0],
        aggregate_fen=limits[p["limit"], 1],
        deductible_fen=np.array(TERMS.deductibles, dtype=np.int64)[p["deductible"]] * 100,
        defence_inside=p["inside"],
    )


def ledger_experience(
    ledger: Ledger, firms: int, *, year: int, on: int, model: RatingModel
) -> tuple[np.ndarray, np.ndarray]:
    """(A, E) per firm for quotes on day ``on`` of ``year`` (``cover_pricing.experience``),
    A from the claim movements dated on or before it. Every claim recorded so far was first
    made in an earlier year (a year's own are recorded at its end), so by ``on``."""
    if not ledger.count(ledger.policies):
        return np.zeros(firms), np.zeros(firms)
    policies = Ledger.columns(ledger.policies)
    incurred = np.zeros(len(policies["firm"]))
    if ledger.count(ledger.movements):
        moves = Ledger.columns(ledger.movements)
        known = moves["day"] <= on
        amount = moves["paid_fen"][known] + moves["reserve_change_fen"][known]
        policy = Ledger.columns(ledger.claims)["policy"][moves["claim"][known]]
        incurred = np.bincount(policy, amount, minlength=len(incurred))
    return experience(
        year,
        model,
        firms=firms,
        expected=ledger.expected,
        policy_firm=policies["firm"],
        policy_year=policies["year"],
        incurred=incurred,
    )
