"""The policies of an insured history re-priced by any rating model, on the books they were
quoted on (issue 6, item 5: a backtest asks what a calibrated draft or a candidate version
would have expected of the policies the history wrote).

Each policy's book is rebuilt from the market's arrays as its quote built it
(``policy_books.rating_book`` for its term, the quality deficits as of its effective date
under the model's own liability parameters, its terms and years since its retro date) and
priced by ``cover_pricing.price``. Two books of a term (``BASES``):

- ``"quote"`` — the engagements the quote knew: those started by the effective date, each
  to its end date as then recorded. Re-priced by the model that priced it, a policy gets
  back its recorded ``expected_loss``, ``premium_fen`` and ``tier`` exactly;
- ``"audit"`` — every engagement the term saw, as the premium audit at expiry re-rates it:
  by the model that priced it, the premium is ``premium_fen + adjustment_fen``. Quotes miss
  the contracts renewed or signed during the term, about a third of the exposure.

Per policy: the **expected loss** (CNY) is the model's loss cost ``E[S∧A]`` + defence
outside the limits at experience mod 1, over the term (the annual cost × the share of the
year the term runs) — the history's ``expected_loss``. The **premium** (fen) is the term's
premium with the experience mod the model would have set: the policy's recorded actual
losses ``A`` against the model's own expected ``E``, the quote-basis loss costs under this
model of the firm's policies of the ``EXPERIENCE_YEARS`` calendar years before
(``cover_pricing.experience``). ``served_clients`` gives each term's exposure and dominant
hazard class on either book, whatever the model.

>>> from pricing import RatingModel
>>> from underwriting.demo_market import generate_market, insured_history
>>> from underwriting.demo_market.market_arrays import market_arrays
>>> market = generate_market(firms=6, enterprises=90, years=3, seed=5)
>>> history, arrays = insured_history(market), market_arrays(market)
>>> rows = np.arange(len(history.policies))
>>> again = reprice(arrays, history.policies, rows, RatingModel.load(), basis="quote")
>>> bool((again.expected_loss == history.policies.expected_loss).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pricing import HAZARD_CLASSES, CoverageOption, RatingModel, pro_rata_fen
from underwriting.demo_market.cover_pricing import EXPERIENCE_YEARS, price
from underwriting.demo_market.insured_tables import Policies
from underwriting.demo_market.market_arrays import MarketArrays
from underwriting.demo_market.policy_books import (
    quality_deficits,
    rating_book,
    with_experience,
)
from underwriting.demo_market.window import day_number

__all__ = ["BASES", "Repriced", "ServedClients", "expected_losses", "reprice", "served_clients"]

#: The books a term can be priced on (module docstring).
BASES = ("quote", "audit")


@dataclass(frozen=True, eq=False)
class Repriced:
    """Per policy priced: ``expected_loss`` (CNY, over the term, mod 1), ``premium_fen``
    (the term's, with the model's own experience mod) and the ``tier`` it gives."""

    expected_loss: np.ndarray
    premium_fen: np.ndarray
    tier: np.ndarray


@dataclass(frozen=True, eq=False)
class ServedClients:
    """Per policy: ``exposure``, hundreds of employee-years of the clients the firm served
    during the term (Σ employees / 100 × the share of the year each engagement ran in the
    term), and ``hazard_class``, the index into ``HAZARD_CLASSES`` of the class holding the
    largest part of it (the first such class on a tie)."""

    exposure: np.ndarray
    hazard_class: np.ndarray


def reprice(
    arrays: MarketArrays,
    policies: Policies,
    rows: np.ndarray,
    model: RatingModel,
    *,
    basis: str = "audit",
) -> Repriced:
    """The policies at positions ``rows`` of ``policies`` (a history's whole table, so that
    earlier policies give the experience) priced by ``model`` on ``basis``."""
    _check_basis(basis)
    rows = np.asarray(rows, dtype=np.int64)
    prior = _experience_rows(policies, rows)
    prior_cost = np.zeros(len(policies))
    prior_cost[prior] = _priced(arrays, policies, prior, model, "quote").expected_loss
    experience = _experience_expected(policies, rows, prior_cost)
    return _priced(arrays, policies, rows, model, basis, experience)


def expected_losses(
    arrays: MarketArrays,
    policies: Policies,
    rows: np.ndarray,
    model: RatingModel,
    *,
    basis: str = "audit",
) -> np.ndarray:
    """``reprice``'s expected losses alone (CNY), without the experience and premiums."""
    _check_basis(basis)
    rows = np.asarray(rows, dtype=np.int64)
    return _priced(arrays, policies, rows, model, basis).expected_loss


def served_clients(
    arrays: MarketArrays, policies: Policies, rows: np.ndarray, *, basis: str = "audit"
) -> ServedClients:
    """The exposure and dominant hazard class of each policy's term on ``basis``."""
    _check_basis(basis)
    rows = np.asarray(rows, dtype=np.int64)
    by_class = np.zeros((len(rows), len(HAZARD_CLASSES)))
    c, p = arrays.contracts, arrays.parties
    for group, on, end, year in _quote_days(policies, rows):
        chosen, row_of = _engagements(arrays, policies, rows[group], (on, end), basis)
        overlap = np.minimum(c.end_day[chosen] + 1, end) - np.maximum(c.start_day[chosen], on)
        size = p.enterprise_employees[c.enterprise[chosen]] / 100.0 * overlap
        size = size / (end - day_number(year))
        cells = (group[row_of[c.firm[chosen]]], p.enterprise_class[c.enterprise[chosen]])
        np.add.at(by_class, cells, size)
    return ServedClients(exposure=by_class.sum(axis=1), hazard_class=by_class.argmax(axis=1))


def _check_basis(basis: str) -> None:
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}; got (basis={basis!r})")


def _quote_days(policies: Policies, rows: np.ndarray):
    """(positions among ``rows``, effective day, expiry day, policy year) per quote day."""
    effective = policies.effective_date[rows].astype(np.int64)
    expiry = policies.expiry_date[rows].astype(np.int64)
    for day in np.unique(effective).tolist():
        group = np.flatnonzero(effective == day)
        first = group[0]
        yield group, day, int(expiry[first]), int(policies.policy_year[rows[first]])


def _firm_positions(arrays: MarketArrays, firm_ids: np.ndarray) -> np.ndarray:
    ids = arrays.parties.firm_ids
    order = np.argsort(ids, kind="stable")
    return order[np.searchsorted(ids, firm_ids, sorter=order)]


def _engagements(
    arrays: MarketArrays, policies: Policies, rows: np.ndarray, period: tuple[int, int], basis: str
) -> tuple[np.ndarray, np.ndarray]:
    """The engagements of the firms of ``rows`` in the term's book (as ``rating_book``
    chooses them) and, per firm position, its row among ``rows`` (-1: none)."""
    c, (start, end) = arrays.contracts, period
    row_of = np.full(len(arrays.parties.firm_ids), -1)
    row_of[_firm_positions(arrays, policies.firm_id[rows])] = np.arange(len(rows))
    chosen = (row_of[c.firm] >= 0) & (c.end_day >= start) & (c.start_day < end)
    if basis == "quote":
        chosen &= c.start_day <= start
    return np.flatnonzero(chosen), row_of


def _options(policies: Policies, rows: np.ndarray) -> list[CoverageOption]:
    return [
        CoverageOption(
            per_claim_limit=policies.per_claim_limit_fen[r] / 100.0,
            aggregate_limit=policies.aggregate_limit_fen[r] / 100.0,
            deductible=policies.deductible_fen[r] / 100.0,
            defence_inside=bool(policies.defence_inside[r]),
        )
        for r in rows.tolist()
    ]


def _priced(
    arrays: MarketArrays,
    policies: Policies,
    rows: np.ndarray,
    model: RatingModel,
    basis: str,
    experience: np.ndarray | None = None,
) -> Repriced:
    """Expected losses of ``rows`` and, given each one's experience ``E``, premiums and
    tiers (else 0 and "")."""
    expected, premium = np.zeros(len(rows)), np.zeros(len(rows), dtype=np.int64)
    tier = np.full(len(rows), "", dtype="<U1")
    for group, on, end, year in _quote_days(policies, rows):
        chosen = rows[group]
        book = rating_book(
            arrays,
            _firm_positions(arrays, policies.firm_id[chosen]),
            period=(on, end),
            deficits=quality_deficits(arrays, on, model),
            years=policies.years_since_retro[chosen],
            model=model,
            quote_basis=basis == "quote",
        )
        options, days, of_days = _options(policies, chosen), end - on, end - day_number(year)
        expected[group] = price(book, options, model).loss_cost * (days / of_days)
        if experience is None:
            continue
        actual = np.asarray(policies.experience_actual[chosen], dtype=np.float64)
        rated = price(with_experience(book, actual, experience[group]), options, model)
        premium[group] = [
            pro_rata_fen(f, days=days, of_days=of_days) for f in rated.premium_fen.tolist()
        ]
        tier[group] = rated.tier
    return Repriced(expected_loss=expected, premium_fen=premium, tier=tier)


def _experience_rows(policies: Policies, rows: np.ndarray) -> np.ndarray:
    """The policies whose loss costs the experience of ``rows`` reads: the same firms' of
    the ``EXPERIENCE_YEARS`` before the earliest year among ``rows``, up to the latest."""
    if not len(rows):
        return rows
    years = policies.policy_year[rows]
    window = (policies.policy_year >= years.min() - EXPERIENCE_YEARS) & (
        policies.policy_year < years.max()
    )
    return np.flatnonzero(window & np.isin(policies.firm_id, policies.firm_id[rows]))


def _experience_expected(policies: Policies, rows: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """E of each policy of ``rows``: ``cost`` summed over its firm's policies of the
    ``EXPERIENCE_YEARS`` calendar years before its own."""
    firm, year = policies.firm_id, policies.policy_year
    out = np.zeros(len(rows))
    for k, r in enumerate(rows.tolist()):
        mine = (firm == firm[r]) & (year >= year[r] - EXPERIENCE_YEARS) & (year < year[r])
        out[k] = cost[mine].sum()
    return out
