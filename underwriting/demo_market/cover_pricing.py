"""Pricing a quote day's quotes with ``pricing.rate``, and the experience later quotes read.

On each quote day every eligible firm is quoted by the model in force (``model_in_force``)
on its book as of that day (``policy_books``), with its experience mod from its own claims —
as ``underwriting.experience`` computes it from the database, here from the history so far:

- **A**, actual: case incurred (paid + case reserve) as of the rating day of the claims
  first made by then on the firm's policies of the ``EXPERIENCE_YEARS`` before it;
- **E**, expected: the loss cost (``E[S∧A]`` + defence outside the limits, mod 1, no
  schedule) the model in force gives each of those policies on the book it was quoted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from pricing import CoverageOption, RatingBook, RatingModel, rate

#: Years of past policies the experience mod reads (``underwriting.experience``).
EXPERIENCE_YEARS = 5


@dataclass(frozen=True, eq=False)
class Prices:
    """Per book row: premium in fen, tier letter, experience mod, the model's π_f and the
    loss cost in CNY (``E[S∧A]`` + defence outside, at the row's own experience mod)."""

    premium_fen: np.ndarray
    tier: np.ndarray
    mod: np.ndarray
    liability: np.ndarray
    loss_cost: np.ndarray


def model_in_force(models: Sequence[RatingModel], on: date) -> RatingModel:
    """The model with the latest ``effective_from`` on or before ``on``; before the first
    one, the first one — back-dated, as the demo's only shipped model (``pl-2026.1``,
    effective 2026) must price the window's past years."""
    ordered = sorted(models, key=lambda m: (m.effective_from, m.version))
    if not ordered:
        raise ValueError("models must name at least one rating model; got (models=())")
    active = [m for m in ordered if m.effective_from <= on]
    return active[-1] if active else ordered[0]


def price(book: RatingBook, options: Sequence[CoverageOption], model: RatingModel) -> Prices:
    """Row i of ``book`` priced under ``options[i]``: one ``rate`` per distinct option."""
    n = book.firms
    out = Prices(
        premium_fen=np.zeros(n, dtype=np.int64),
        tier=np.full(n, "C", dtype="<U1"),
        mod=np.ones(n),
        liability=np.zeros(n),
        loss_cost=np.zeros(n),
    )
    for option in dict.fromkeys(options):
        rows = np.array([i for i, o in enumerate(options) if o == option])
        result = rate(book.take(rows), model, [option])
        out.premium_fen[rows] = result.premium_fen[:, 0]
        out.tier[rows] = result.factors.tier
        out.mod[rows] = result.factors.mod
        out.liability[rows] = result.factors.liability
        out.loss_cost[rows] = result.expected_capped[:, 0] + result.defence_outside[:, 0]
    return out


@dataclass(frozen=True, eq=False)
class QuotedBatch:
    """Policies bound on one rating day (``positions`` among all policies), the book and
    options they were quoted on (before experience), the share of a year each term runs,
    the model that priced them and their loss costs under it (CNY, for the whole term)."""

    positions: np.ndarray
    book: RatingBook
    options: list[CoverageOption]
    term_years: np.ndarray
    model: RatingModel
    loss_cost: np.ndarray


class ExpectedLosses:
    """Every policy's loss cost for its whole term under any model, computed once per
    batch and model: the E of later experience mods."""

    def __init__(self) -> None:
        self.batches: list[QuotedBatch] = []
        self._cache: dict[tuple[int, str], np.ndarray] = {}

    def add(self, batch: QuotedBatch) -> None:
        self.batches.append(batch)

    def loss_costs(self, model: RatingModel, policies: int) -> np.ndarray:
        """The loss cost of each of the first ``policies`` policies under ``model``, CNY."""
        out = np.zeros(policies)
        for k, batch in enumerate(self.batches):
            out[batch.positions] = self._batch_costs(k, batch, model)
        return out

    def _batch_costs(self, k: int, batch: QuotedBatch, model: RatingModel) -> np.ndarray:
        if model is batch.model:
            return batch.loss_cost
        key = (k, model.version)
        if key not in self._cache:
            annual = price(batch.book, batch.options, model).loss_cost
            self._cache[key] = annual * batch.term_years
        return self._cache[key]


def experience(
    year: int,
    model: RatingModel,
    *,
    firms: int,
    expected: ExpectedLosses,
    policy_firm: np.ndarray,
    policy_year: np.ndarray,
    incurred: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(A, E) per firm, CNY, for quotes dated in ``year``: the policies of the
    ``EXPERIENCE_YEARS`` calendar years before it (whole terms, all in the past).
    ``incurred`` is each policy's case incurred in fen as of the rating day."""
    window = (policy_year >= year - EXPERIENCE_YEARS) & (policy_year < year)
    actual = np.bincount(policy_firm[window], incurred[window] / 100.0, minlength=firms)
    costs = expected.loss_costs(model, len(policy_firm))
    return actual, np.bincount(policy_firm[window], costs[window], minlength=firms)
