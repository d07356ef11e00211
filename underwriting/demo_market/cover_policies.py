"""Writing a quote day's policies and recording every firm's decision.

A policy's premium is the quote's annual premium pro rata to its term (a whole year for a
renewal, to 1 January for new business), rounded once (``pricing.pro_rata_fen``). At expiry
a premium audit re-rates the term on the engagements it really saw — the quote only knew
the contracts signed by its effective date, and counts each to its current end, while most
are renewed (``adjustment_fen``, dated the expiry; it may be negative). The model's loss
cost of the quoted book at mod 1 (``expected_loss``) is kept for later experience mods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pricing import RatingBook, RatingModel, pro_rata_fen
from underwriting.demo_market.cover_choices import TermChoice
from underwriting.demo_market.cover_ledger import Ledger
from underwriting.demo_market.cover_pricing import Prices, QuotedBatch, price
from underwriting.demo_market.market_arrays import MarketArrays
from underwriting.demo_market.policy_books import rating_book, with_experience
from underwriting.demo_market.window import day_number


@dataclass(frozen=True, eq=False)
class Quotes:
    """One quote day ``on`` of ``year``: per firm (positions) ``eligible``, ``renewing`` and
    the proposal — terms, insurer, retro day, full years since it, quality deficits, A and
    E; for the eligible firms (the rows of ``book``, before experience) options and prices
    (annual premiums)."""

    year: int
    on: int
    model: RatingModel
    eligible: np.ndarray
    renewing: np.ndarray
    terms: TermChoice
    insurer: np.ndarray
    retro: np.ndarray
    years_since_retro: np.ndarray
    deficits: np.ndarray
    book: RatingBook
    actual: np.ndarray
    expected: np.ndarray
    options: list
    prices: Prices

    @property
    def expiry(self) -> int:
        return day_number(self.year + 1)

    @property
    def term_share(self) -> float:
        """The share of a year the term [on, 1 January) runs."""
        return (self.expiry - self.on) / (self.expiry - day_number(self.year))

    def per_firm(self) -> tuple[np.ndarray, np.ndarray]:
        """(annual premium in fen, tier) per firm; 0 and "C" where none was quoted."""
        quoted = np.flatnonzero(self.eligible)
        annual = np.zeros(len(self.eligible), dtype=np.int64)
        annual[quoted] = self.prices.premium_fen
        tier = np.full(len(self.eligible), "C", dtype="<U1")
        tier[quoted] = self.prices.tier
        return annual, tier


def write_policies(arrays: MarketArrays, q: Quotes, ledger: Ledger, bound: np.ndarray) -> None:
    """The policies of the firms ``bound`` (positions, ascending)."""
    rows = np.searchsorted(np.flatnonzero(q.eligible), bound)
    options = [q.options[r] for r in rows.tolist()]
    quoted_book = q.book.take(rows)
    loss_cost = price(quoted_book, options, q.model).loss_cost * q.term_share
    positions = ledger.count(ledger.policies) + np.arange(len(bound))
    shares = np.full(len(bound), q.term_share)
    ledger.expected.add(QuotedBatch(positions, quoted_book, options, shares, q.model, loss_cost))
    premium = _pro_rata(q.prices.premium_fen[rows], q)
    Ledger.append(
        ledger.policies,
        firm=bound,
        year=np.full(len(bound), q.year),
        effective_day=np.full(len(bound), q.on),
        insurer=q.insurer[bound],
        retro_day=q.retro[bound],
        limit=q.terms.limit[bound],
        deductible=q.terms.deductible[bound],
        inside=q.terms.inside[bound],
        model_version=np.full(len(bound), q.model.version, dtype=object),
        premium_fen=premium,
        adjustment_fen=_audited_premium(arrays, q, bound, options) - premium,
        tier=q.prices.tier[rows],
        years_since_retro=q.years_since_retro[bound],
        mod=q.prices.mod[rows],
        liability=q.prices.liability[rows],
        loss_cost=loss_cost,
        renewal=q.renewing[bound],
        experience_actual=q.actual[bound],
        experience_expected=q.expected[bound],
        deficits=q.deficits[bound],
    )


def _audited_premium(arrays: MarketArrays, q: Quotes, bound: np.ndarray, options: list):
    """The term's premium re-rated on every engagement it saw, same factors otherwise."""
    book = rating_book(
        arrays,
        bound,
        period=(q.on, q.expiry),
        deficits=q.deficits,
        years=q.years_since_retro[bound],
        model=q.model,
        quote_basis=False,
    )
    book = with_experience(book, q.actual[bound], q.expected[bound])
    return _pro_rata(price(book, options, q.model).premium_fen, q)


def _pro_rata(annual_fen: np.ndarray, q: Quotes) -> np.ndarray:
    days, of_days = q.expiry - q.on, q.expiry - day_number(q.year)
    return np.array(
        [pro_rata_fen(int(f), days=days, of_days=of_days) for f in annual_fen.tolist()],
        dtype=np.int64,
    )


def record_decisions(
    ledger: Ledger,
    q: Quotes,
    up_for_renewal: np.ndarray,
    *,
    offered: np.ndarray,
    buys: np.ndarray,
) -> None:
    """One row per firm quoted on the day, or insured last year and up for renewal."""
    annual, tier = q.per_firm()
    outcome = np.select(
        [~q.eligible, ~offered, buys & q.renewing, buys, q.renewing],
        ["ineligible", "declined", "renewed", "new", "lapsed"],
        "not_taken",
    )
    rows = np.flatnonzero(q.eligible | up_for_renewal)
    Ledger.append(
        ledger.decisions,
        firm=rows,
        year=np.full(len(rows), q.year),
        quote_day=np.full(len(rows), q.on),
        insured_before=up_for_renewal[rows],
        eligible=q.eligible[rows],
        premium_fen=annual[rows],
        tier=np.where(q.eligible, tier, "")[rows],
        outcome=outcome[rows],
    )
