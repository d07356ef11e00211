"""A firm's own losses against the model's expectation: the A and E of its experience mod.

``pricing.experience_mod`` turns them into ``mod = 1 + Z (A/E − 1)``, ``Z = E / (E + K)``,
clipped to the model's [floor, cap] (DESIGN.md section 2, step 7). Both are CNY, as of the
rating date ``on``, over the same policies:

- **Experience period.** The model defines none, so it is the loss run's: the firm's policies
  of every insurer whose period [effective, expiry) meets the ``EXPERIENCE_YEARS`` (5) years
  ending ``on``, and their claims first made by ``on``. The next quote and the loss run the
  firm shows its next insurer read one loss history. Five years is also the span the model's
  K was set on (``pricing/models/README.md``: Z = 0.5 at five years of a typical firm).
- **Actual A** = Σ incurred of those claims, from the ledger as of ``on`` (legs of the
  transactions effective by then): paid on ``claims_paid`` and ``defence_paid`` plus the
  outstanding ``case_reserve`` and ``expense_reserve`` (``loss_run.INCURRED_ACCOUNTS``): the
  loss run's incurred, to the fen. Not developed: the model has no development factors,
  and under claims-made cover a past policy's claims are all made by ``on`` (no pure IBNR),
  so case incurred stands for ultimate. No per-claim cap beyond the policy's own: each claim
  is already limited to its policy's layer, and E is that layer's expectation. Recoveries
  are not netted, as in the loss run: the model's severity has no recovery offset, so gross
  incurred is on E's basis, and a recovery from a third party says nothing of the firm.
- **Expected E** = Σ_p share_p · L_p. L_p is the loss cost the model pricing now gives
  policy p — E[S∧A] of its layer plus defence paid outside the limit (``rate``'s
  ``expected_capped + defence_outside``) — at the policy's limits, deductible and defence
  terms, its claims-made step (full years from its retro to its effective date), mod 1 and
  no schedule: the expectation before experience, as experience rating needs. The exposure
  is the one the policy was quoted on (its frozen inputs: every client row frozen on it,
  endorsed ones for the whole term, and the firm's quality deficits then); a policy without
  frozen inputs (written outside SecondLock's quoting) takes the firm's current exposure in
  the book being rated. Like ``rate``'s, L_p is the cost of a whole term; share_p is the
  share of the term [effective, expiry) in force by ``on`` — up to the earlier of ``on`` + 1
  day, the expiry and the cancellation date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from pricing import ClientMetrics, CoverageOption, RatingBook, RatingModel, full_years_between, rate
from pricing.worksheet import book_from_inputs
from underwriting.db.uow import UnitOfWork
from underwriting.loss_run import INCURRED_ACCOUNTS, WINDOW_YEARS, years_before

#: Years of policies the experience reaches back from the rating date: the loss run's window.
EXPERIENCE_YEARS = WINDOW_YEARS


def with_experience(
    uow: UnitOfWork, book: RatingBook, *, on: date, model: RatingModel
) -> RatingBook:
    """``book`` with every firm's actual and expected losses as of ``on``, read in one query."""
    since = years_before(on, EXPERIENCE_YEARS)
    accounts = [a.value for a in INCURRED_ACCOUNTS]
    policies = uow.rating_inputs.experience(book.firm_ids.tolist(), since, on, accounts)
    actual, expected = firm_experience(policies, book, on=on, model=model)
    return replace(book, experience_actual=actual, experience_expected=expected)


def firm_experience(
    policies: Sequence[Any], book: RatingBook, *, on: date, model: RatingModel
) -> tuple[np.ndarray, np.ndarray]:
    """(A, E) per firm of ``book``, CNY, from the rows of ``RatingInputs.experience``."""
    row_of = {int(firm_id): i for i, firm_id in enumerate(book.firm_ids)}
    incurred = [Decimal(0)] * book.firms
    for policy in policies:
        incurred[row_of[policy.firm_id]] += policy.incurred or 0
    exposed = [(p, share) for p in policies if (share := term_share(p, on)) > 0]
    expected = np.zeros(book.firms)
    if exposed:
        books = [policy_book(p, book, row_of[p.firm_id]) for p, _ in exposed]
        costs = loss_costs(stack(books), [policy_option(p) for p, _ in exposed], model)
        firms = np.array([row_of[p.firm_id] for p, _ in exposed])
        np.add.at(expected, firms, np.array([share for _, share in exposed]) * costs)
    return np.array([float(a) for a in incurred]), expected


def term_share(policy: Any, on: date) -> float:
    """The share of the policy's term [effective, expiry) in force by the end of ``on``."""
    end = min(on + timedelta(days=1), policy.expiry_date, policy.cancelled_date or date.max)
    days = (end - policy.effective_date).days
    return max(0, days) / (policy.expiry_date - policy.effective_date).days


def policy_book(policy: Any, book: RatingBook, row: int) -> RatingBook:
    """A one-row book of what the policy was quoted on — its frozen inputs, or else the
    firm's current exposure, row ``row`` of ``book`` — before experience and schedule."""
    inputs = policy.rating_inputs or {}
    if "firm" in inputs and "clients" in inputs:
        one = book_from_inputs(policy.firm_id, inputs)
    else:
        one = book.take(np.array([row]))
    years = full_years_between(policy.retro_date, policy.effective_date)
    return replace(
        one,
        years_since_retro=np.array([years]),
        experience_actual=np.zeros(1),
        experience_expected=np.zeros(1),
        schedule_factor=np.ones(1),
    )


def policy_option(policy: Any) -> CoverageOption:
    return CoverageOption(
        per_claim_limit=float(policy.per_claim_limit),
        aggregate_limit=float(policy.aggregate_limit),
        deductible=float(policy.deductible),
        defence_inside=bool(policy.defence_inside),
    )


def loss_costs(
    book: RatingBook, options: Sequence[CoverageOption], model: RatingModel
) -> np.ndarray:
    """Row i's loss cost under ``options[i]`` (CNY): ``rate`` once per distinct option."""
    costs = np.zeros(book.firms)
    for option in dict.fromkeys(options):
        rows = np.array([i for i, o in enumerate(options) if o == option])
        result = rate(book.take(rows), model, [option])
        costs[rows] = result.expected_capped[:, 0] + result.defence_outside[:, 0]
    return costs


def stack(books: Sequence[RatingBook]) -> RatingBook:
    """The rows of ``books`` as one book, in order (a firm id may repeat)."""
    offsets = np.cumsum([0, *(b.firms for b in books[:-1])])

    def joined(name: str) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(b, name)) for b in books])

    metrics = {
        name: np.concatenate([np.asarray(getattr(b.client_metrics, name)) for b in books])
        for name in ClientMetrics.__dataclass_fields__
    }
    return RatingBook(
        firm_ids=joined("firm_ids"),
        deficits=np.vstack([b.deficits for b in books]),
        years_since_retro=joined("years_since_retro"),
        experience_actual=joined("experience_actual"),
        experience_expected=joined("experience_expected"),
        schedule_factor=joined("schedule_factor"),
        client_firm=np.concatenate(
            [
                np.asarray(b.client_firm, dtype=np.int64) + o
                for b, o in zip(books, offsets, strict=True)
            ]
        ),
        client_class=joined("client_class").astype(np.int64),
        client_metrics=ClientMetrics(**metrics),
        client_weight=joined("client_weight"),
    )
