"""Ten years of cover, year by year: quotes, purchases and lapses, then the claims made.

Policies are claims-made and run to 1 January: a renewal for the calendar year, new business
from the first day of the quarter the firm is first eligible (a short first term that lines
the firm up on the common 1 January renewal, its premium pro rata). On each quarter day:

1. **eligible** firms — qualified, with at least one contract in force, not yet insured or
   quoted this year — are quoted by the model in force (``cover_pricing``) on the book the
   system held that day (``policy_books``), with their experience mod from their own claims;
2. each chooses terms and an insurer and buys or not (``cover_choices``); on 1 January an
   insured firm renews or lapses, and lapses if it is no longer eligible. Continuous cover
   keeps the first retro date (an insurer taking a firm over grants prior acts, as
   claims-made markets do); cover bought after a gap starts a new retro date;
3. the buyers' policies are written (``cover_policies``), with a premium audit at expiry;

and at the end of the year the liable incidents first made as claims during it attach to its
policies, are settled and developed (``cover_claims``), before the next quotes read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pricing import RatingModel, full_years_between
from underwriting.demo_market import cover_choices as choices
from underwriting.demo_market.claim_draws import IncidentDraws
from underwriting.demo_market.claim_settlement import to_date
from underwriting.demo_market.cover_claims import record_claims
from underwriting.demo_market.cover_ledger import Ledger, ledger_experience
from underwriting.demo_market.cover_policies import Quotes, record_decisions, write_policies
from underwriting.demo_market.cover_pricing import model_in_force, price
from underwriting.demo_market.market_arrays import MarketArrays
from underwriting.demo_market.policy_books import (
    contracts_in_force,
    quality_deficits,
    rating_book,
    with_experience,
)
from underwriting.demo_market.window import day_number

#: The months whose first day new business may start on; renewals are on 1 January.
QUARTER_MONTHS = (1, 4, 7, 10)


@dataclass(eq=False)
class FirmState:
    """Each firm's cover: insured last year or not, its retro day, insurer (position),
    terms and last annual premium (fen)."""

    insured: np.ndarray
    retro: np.ndarray
    insurer: np.ndarray
    terms: choices.TermChoice
    premium: np.ndarray

    @classmethod
    def uninsured(cls, firms: int) -> FirmState:
        zeros = np.zeros(firms, dtype=np.int64)
        terms = choices.TermChoice(zeros.copy(), zeros.copy(), np.zeros(firms, dtype=bool))
        return cls(np.zeros(firms, dtype=bool), zeros.copy(), zeros.copy(), terms, zeros.copy())

    def bought(self, buys: np.ndarray, q: Quotes, premium: np.ndarray) -> None:
        """Take on the proposal of the firms that ``buys``."""
        self.retro = np.where(buys, q.retro, self.retro)
        self.insurer = np.where(buys, q.insurer, self.insurer)
        self.terms = choices.TermChoice(
            np.where(buys, q.terms.limit, self.terms.limit),
            np.where(buys, q.terms.deductible, self.terms.deductible),
            np.where(buys, q.terms.inside, self.terms.inside),
        )
        self.premium = np.where(buys, premium, self.premium)


def simulate_cover(
    arrays: MarketArrays,
    draws: IncidentDraws,
    models: Sequence[RatingModel],
    rng: np.random.Generator,
) -> Ledger:
    """The whole window's policies, decisions, claims and claim movements."""
    firms = len(arrays.parties.firm_ids)
    state, ledger = FirmState.uninsured(firms), Ledger()
    for year in range(arrays.window.first_year, arrays.window.last_year + 1):
        policy_of_firm, seen = np.full(firms, -1), np.zeros(firms, dtype=bool)
        for month in QUARTER_MONTHS:
            on = day_number(year, month)
            eligible = _eligible(arrays, on, seen, policy_of_firm)
            quotes = _quote(arrays, year, on, eligible, models, state, ledger, rng)
            _bind(arrays, quotes, state, ledger, policy_of_firm, rng)
            seen |= eligible
        record_claims(
            ledger,
            year,
            incident_day=arrays.incidents.day,
            loss_fen=arrays.incidents.loss_fen,
            draws=draws,
            policy_of_firm=policy_of_firm,
        )
        state.insured = policy_of_firm >= 0
    return ledger


def _eligible(
    arrays: MarketArrays, on: int, seen: np.ndarray, policy_of_firm: np.ndarray
) -> np.ndarray:
    """Firms qualified on day ``on`` with a contract in force, not yet quoted or insured
    this year."""
    clients = contracts_in_force(arrays, on)
    qualified = arrays.parties.firm_expiry_day >= on
    return (clients > 0) & qualified & ~seen & (policy_of_firm < 0)


def _quote(
    arrays: MarketArrays,
    year: int,
    on: int,
    eligible: np.ndarray,
    models: Sequence[RatingModel],
    state: FirmState,
    ledger: Ledger,
    rng: np.random.Generator,
) -> Quotes:
    """Propose terms to every firm and price the ``eligible`` ones on day ``on``."""
    model = model_in_force(models, to_date(on))
    p = arrays.parties
    deficits = quality_deficits(arrays, on, model)
    ledger.deficits_by_year.setdefault(year, deficits)  # 1 January's: the year's incidents'
    renewing = state.insured & (on == day_number(year))
    clients = contracts_in_force(arrays, on)
    terms = choices.choose_terms(state.terms, renewing, clients, rng)
    insurer = choices.choose_insurers(
        state.insurer, renewing, p.firm_province, p.insurer_province, rng
    )
    retro = np.where(renewing, state.retro, on)
    years = np.array([full_years_between(to_date(r), to_date(on)) for r in retro.tolist()])
    quoted = np.flatnonzero(eligible)
    period = (on, day_number(year + 1))
    book = rating_book(
        arrays, quoted, period=period, deficits=deficits, years=years[quoted], model=model
    )
    actual, expected = ledger_experience(ledger, len(p.firm_ids), year=year, on=on, model=model)
    options = [terms.option(f) for f in quoted.tolist()]
    rated = with_experience(book, actual[quoted], expected[quoted])
    return Quotes(
        year=year,
        on=on,
        model=model,
        eligible=eligible,
        renewing=renewing,
        terms=terms,
        insurer=insurer,
        retro=retro,
        years_since_retro=years,
        deficits=deficits,
        book=book,
        actual=actual,
        expected=expected,
        options=options,
        prices=price(rated, options, model),
    )


def _bind(
    arrays: MarketArrays,
    q: Quotes,
    state: FirmState,
    ledger: Ledger,
    policy_of_firm: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Each quoted firm decides; the buyers' policies are written."""
    annual, tier = q.per_firm()
    offered, buys = choices.decide(tier, q.renewing, annual, state.premium, rng)
    buys &= q.eligible
    up_for_renewal = state.insured & (q.on == day_number(q.year))
    record_decisions(ledger, q, up_for_renewal, offered=offered, buys=buys)
    bound = np.flatnonzero(buys)
    policy_of_firm[bound] = ledger.count(ledger.policies) + np.arange(len(bound))
    write_policies(arrays, q, ledger, bound)
    state.bought(buys, q, annual)
