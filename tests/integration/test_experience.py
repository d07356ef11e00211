"""Claims feed back into the price: a firm's losses and the model's expectation of them.

Every expectation here is computed independently of ``underwriting.experience``: actual
losses from the ledger amounts the test posts, the expected loss of a policy from ``rate``
on the firm's book at mod 1 (the model's loss cost E[S∧A] + defence outside), and the mod
from DESIGN.md section 2, step 7: ``clip(1 + Z (A/E − 1), floor, cap)``, ``Z = E/(E + K)``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest

from pricing import CoverageOption, RatingBook, full_years_between, rate
from pricing.rate import firm_factors
from pricing.worksheet import book_from_inputs
from tests.market_rows import (
    at_noon,
    pay,
    pay_defence,
    recover,
    reserve,
    reserve_defence,
    write_claim,
    write_policy,
)
from tests.quoting import OPTION, file_audit, set_enterprise
from underwriting import clock
from underwriting.binding import bind
from underwriting.db.tables import Policy
from underwriting.loss_run import firm_loss_run
from underwriting.quotes import QuoteRequest, create_quote
from underwriting.rating_book import build_rating_book
from underwriting.rating_models import model_on

#: write_policy's terms: ¥1m per claim, ¥3m aggregate, ¥10k deductible, defence inside.
WRITTEN = CoverageOption(per_claim_limit=1e6, aggregate_limit=3e6, deductible=1e4)


@pytest.fixture
def rated(quotable, uows):
    """Firm A quotable today, and a policy of last year (expired a month ago) with no claims."""
    on = clock.today()
    quotable.on = on
    quotable.model = _model(uows, on)
    quotable.last_year = write_policy(
        uows,
        quotable,
        "SL-LAST-YEAR",
        effective=on - timedelta(days=400),
        expiry=on - timedelta(days=35),
        status="expired",
    )
    return quotable


def _model(uows, day):
    with uows() as uow:
        return model_on(uow, day)


def book_of(book, firms=("firm_a",), on=None) -> RatingBook:
    on = on or book.on
    with book.uows() as uow:
        return build_rating_book(
            uow,
            [book.ids[f] for f in firms],
            effective=book.on + timedelta(days=1),
            expiry=book.on + timedelta(days=366),
            retro=[book.on + timedelta(days=1)] * len(firms),
            on=on,
            model=book.model,
        )


def loss_cost(book: RatingBook, model, option=WRITTEN, years=0) -> float:
    """The model's loss cost of one term of row 0 at mod 1, no schedule, ``years`` since retro."""
    plain = replace(
        book.take(np.array([0])),
        years_since_retro=np.array([years]),
        experience_actual=np.zeros(1),
        experience_expected=np.zeros(1),
        schedule_factor=np.ones(1),
    )
    result = rate(plain, model, [option])
    return float(result.expected_capped[0, 0] + result.defence_outside[0, 0])


def mod_by_hand(actual: float, expected: float, model) -> float:
    if expected == 0:
        return 1.0
    z = expected / (expected + model.credibility_k)
    return min(max(1 + z * (actual / expected - 1), model.experience_floor), model.experience_cap)


def mod_of(book: RatingBook, model) -> float:
    return float(firm_factors(book, model).mod[0])


def test_a_firm_without_policies_has_no_experience_and_a_mod_of_one(quotable, uows):
    quotable.on, quotable.model = clock.today(), _model(uows, clock.today())
    book = book_of(quotable)
    assert (book.experience_actual[0], book.experience_expected[0]) == (0.0, 0.0)
    assert mod_of(book, quotable.model) == 1.0


def test_a_claim_free_term_earns_the_credit_its_credibility_allows(rated):
    book = book_of(rated)
    expected = loss_cost(book, rated.model)  # the whole term has run; retro = its effective
    assert book.experience_actual[0] == 0.0
    assert book.experience_expected[0] == pytest.approx(expected, rel=1e-12)
    k = rated.model.credibility_k
    assert mod_of(book, rated.model) == pytest.approx(k / (expected + k), rel=1e-12)
    assert mod_of(book, rated.model) < 1


def test_reserved_and_paid_claims_are_their_ledger_amounts(rated, uows):
    policy, on = rated.last_year, rated.on
    claim = last_years_claim(uows, rated, policy)
    reserve(uows, policy, claim, "150000.00", on - timedelta(days=280))
    reserve_defence(uows, policy, claim, "20000.00", on - timedelta(days=280))
    pay(uows, policy, claim, "40000.00", on - timedelta(days=100))
    pay_defence(uows, policy, claim, "5000.55", on - timedelta(days=100))
    other = write_claim(
        uows, rated, policy, occurred=at_noon(on - timedelta(days=90)), made=on - timedelta(days=60)
    )
    reserve(uows, policy, other, "12345.67", on - timedelta(days=60))
    book = book_of(rated)
    # Paid 40,000 + 5,000.55; outstanding 110,000 + 14,999.45 + 12,345.67.
    actual = 150_000.00 + 20_000.00 + 12_345.67
    assert book.experience_actual[0] == pytest.approx(actual, abs=1e-9)
    expected = loss_cost(book, rated.model)
    assert book.experience_expected[0] == pytest.approx(expected, rel=1e-12)
    mod = mod_of(book, rated.model)
    assert mod == pytest.approx(mod_by_hand(actual, expected, rated.model), rel=1e-12)
    assert 1 < mod < rated.model.experience_cap
    # The loss run a firm shows its next insurer has the same incurred, to the fen.
    run = firm_loss_run(uows, rated.principals["underwriter"], rated.ids["firm_a"], as_of=on)
    assert run.totals.incurred == Decimal("182345.67")


def last_years_claim(uows, rated, policy: int) -> int:
    """A claim on ``policy`` from an incident 300 days before the rating date, made 280."""
    on = rated.on
    return write_claim(
        uows,
        rated,
        policy,
        occurred=at_noon(on - timedelta(days=300)),
        made=on - timedelta(days=280),
    )


def test_a_payment_out_of_the_reserve_is_counted_once(rated, uows):
    policy, on = rated.last_year, rated.on
    claim = last_years_claim(uows, rated, policy)
    reserve(uows, policy, claim, "80000.00", on - timedelta(days=280))
    before = book_of(rated).experience_actual[0]
    pay(uows, policy, claim, "30000.00", on - timedelta(days=200))
    partly = book_of(rated).experience_actual[0]
    pay(uows, policy, claim, "50000.00", on - timedelta(days=100))  # settled: reserve is 0
    settled = book_of(rated).experience_actual[0]
    assert before == partly == settled == pytest.approx(80_000.00, abs=1e-9)


def test_the_ledger_and_the_claims_are_read_as_of_the_rating_date(rated, uows):
    policy, on = rated.last_year, rated.on
    claim = last_years_claim(uows, rated, policy)
    reserve(uows, policy, claim, "10000.00", on - timedelta(days=280))
    reserve(uows, policy, claim, "7000.00", on + timedelta(days=10))  # after the rating date
    late = write_claim(
        uows, rated, policy, occurred=at_noon(on - timedelta(days=50)), made=on + timedelta(days=3)
    )
    reserve(uows, policy, late, "90000.00", on + timedelta(days=3))  # made after it
    assert book_of(rated).experience_actual[0] == pytest.approx(10_000.00, abs=1e-9)
    later = book_of(rated, on=on + timedelta(days=10)).experience_actual[0]
    assert later == pytest.approx(107_000.00, abs=1e-9)


def test_recoveries_are_not_netted_off(rated, uows):
    policy, on = rated.last_year, rated.on
    claim = last_years_claim(uows, rated, policy)
    reserve(uows, policy, claim, "60000.00", on - timedelta(days=280))
    pay(uows, policy, claim, "60000.00", on - timedelta(days=200))
    recover(uows, policy, claim, "15000.00", on - timedelta(days=100))
    assert book_of(rated).experience_actual[0] == pytest.approx(60_000.00, abs=1e-9)


def test_every_insurers_policies_in_five_years_count_in_their_share_of_term(rated, uows):
    on, firm = rated.on, book_of(rated)
    one_term = loss_cost(firm, rated.model)
    # Another insurer's policy, three years back, its retro date a year before its start.
    older = write_policy(
        uows,
        rated,
        "SL-OTHER-INSURER",
        effective=on - timedelta(days=1100),
        expiry=on - timedelta(days=735),
        insurer="insurer_2",
        status="expired",
    )
    with uows() as uow:
        uow.session.get(Policy, older).retro_date = on - timedelta(days=1500)
        uow.commit()
    # In force today: 100 days of its 365 have run by the end of the rating date.
    write_policy(
        uows, rated, "SL-NOW", effective=on - timedelta(days=99), expiry=on + timedelta(266)
    )
    # Cancelled after 73 of its 365 days.
    start = on - timedelta(days=1500)
    write_policy(
        uows,
        rated,
        "SL-CANCELLED",
        effective=start,
        expiry=start + timedelta(days=365),
        status="cancelled",
        cancelled=start + timedelta(days=73),
    )
    # Expired the day the window opens (its expiry is exclusive), and firm B's: neither counts.
    opened = on.replace(year=on.year - 5)
    write_policy(uows, rated, "SL-TOO-OLD", effective=opened - timedelta(days=365), expiry=opened)
    write_policy(
        uows,
        rated,
        "SL-FIRM-B",
        effective=on - timedelta(days=400),
        expiry=on - timedelta(days=35),
        firm="firm_b",
        engagements=["engagement_b"],
    )
    expected = one_term * (1 + 100 / 365 + 73 / 365) + loss_cost(firm, rated.model, years=1)
    assert book_of(rated).experience_expected[0] == pytest.approx(expected, rel=1e-12)


def test_a_bound_policy_is_expected_on_the_exposure_it_was_quoted_on(rated, uows):
    underwriter, on = rated.principals["underwriter"], rated.on
    file_audit(uows, rated, on - timedelta(days=10))
    request = QuoteRequest(
        firm_id=rated.ids["firm_a"], effective=on + timedelta(days=1), options=[OPTION]
    )
    quote_id = create_quote(uows, underwriter, request).created.ids[0]
    policy_id = bind(
        uows, underwriter, quote_id, {"option_index": 0}, idempotency_key="bind-1"
    ).ids[0]
    with uows() as uow:
        policy = uow.session.get(Policy, policy_id)
        frozen, years = (
            policy.rating_inputs,
            full_years_between(policy.retro_date, policy.effective_date),
        )
    # The client doubles its staff after binding: the policy's expectation does not move.
    set_enterprise(uows, rated.ids["enterprise_x"], employees=8000)
    later = on + timedelta(days=100)
    book = book_of(rated, on=later)
    quoted_on = book_from_inputs(rated.ids["firm_a"], frozen)
    at_binding = loss_cost(quoted_on, rated.model, _bound(), years=years)
    last_year = loss_cost(book, rated.model)  # no frozen inputs: today's exposure
    # By the end of ``later`` the bound policy has run 100 days of its 365.
    expected = last_year + at_binding * 100 / 365
    assert book.experience_expected[0] == pytest.approx(expected, rel=1e-12)
    assert loss_cost(book, rated.model, _bound(), years=years) > 1.5 * at_binding


def _bound() -> CoverageOption:
    return CoverageOption(per_claim_limit=1e6, aggregate_limit=3e6)


def test_one_book_rates_each_firms_own_experience(rated, uows):
    policy, on = rated.last_year, rated.on
    claim = last_years_claim(uows, rated, policy)
    reserve(uows, policy, claim, "30000.00", on - timedelta(days=280))
    alone = book_of(rated)
    both = book_of(rated, firms=("firm_b", "firm_a"))
    assert both.experience_actual.tolist() == [0.0, alone.experience_actual[0]]
    assert both.experience_expected.tolist() == [0.0, alone.experience_expected[0]]


def test_the_experience_is_read_in_one_query_per_book(rated, uows):
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "ledger_entry" in statement:
            statements.append(statement)

    with uows() as uow:
        engine = uow.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        book_of(rated, firms=("firm_a", "firm_b"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_a_large_paid_claim_raises_the_next_quote(rated, uows):
    underwriter, policy, on = rated.principals["underwriter"], rated.last_year, rated.on

    def quote():
        request = QuoteRequest(
            firm_id=rated.ids["firm_a"],
            effective=on + timedelta(days=1),
            engagement_ids=[rated.ids["engagement_now"]],
            options=[OPTION],
        )
        option = create_quote(uows, underwriter, request).view.quote.options[0]
        return Decimal(option["premium"]), option["worksheet"]

    clean_premium, clean = quote()
    claim = last_years_claim(uows, rated, policy)
    reserve(uows, policy, claim, "800000.00", on - timedelta(days=280))
    pay(uows, policy, claim, "800000.00", on - timedelta(days=90))
    claimed_premium, claimed = quote()
    assert clean["factors"]["experience_mod"] < 1  # a claim-free year
    assert claimed["factors"]["experience_mod"] == rated.model.experience_cap  # ¥800k: capped
    assert claimed["inputs"]["firm"]["experience_actual"] == 800_000.0
    assert claimed_premium > clean_premium
