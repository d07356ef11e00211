"""What a claim pays (DESIGN.md §3 item 4): worked examples by hand, then the laws."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.amounts import (
    Cap,
    InvalidRecovery,
    InvalidSettlement,
    Payable,
    RecoveryExceedsPaid,
    Settlement,
    payable,
    recovery_allowed,
)
from claims.coverage import ClaimsError, PolicyTerms

D = Decimal
# L = 1,000,000; A = 3,000,000; d = 10,000; defence inside the limits.
TERMS = PolicyTerms(
    effective_date=date(2026, 3, 1),
    expiry_date=date(2027, 3, 1),
    retro_date=date(2025, 3, 1),
    per_claim_limit=D("1000000.00"),
    aggregate_limit=D("3000000.00"),
    deductible=D("10000.00"),
    defence_inside=True,
)
OUTSIDE = replace(TERMS, defence_inside=False)
FRESH = D("3000000.00")


def settle(loss: str, share: str, defence: str = "0.00", *, terms=TERMS, **group) -> Payable:
    group.setdefault("aggregate_remaining", FRESH)
    settlement = Settlement(loss=D(loss), defence_costs=D(defence), share=D(share), **group)
    return payable(settlement, terms=terms)


# worked examples -------------------------------------------------------------------------


def test_inside_nothing_binds():
    paid = settle("800000.00", "0.70", "50000.00")
    # liable  = 0.70 × 800,000 = 560,000.00;  deductible 10,000 → due 550,000.00
    # defence = 0.70 × 50,000 = 35,000.00;    room = min(1,000,000, 3,000,000) = 1,000,000
    # indemnity = min(550,000, 1,000,000) = 550,000; defence = min(35,000, 450,000) = 35,000
    assert paid.liable_loss == D("560000.00")
    assert paid.deductible_applied == D("10000.00")
    assert paid.indemnity_due == D("550000.00")
    assert paid.defence_due == D("35000.00")
    assert (paid.indemnity, paid.defence, paid.total) == (D("550000"), D("35000"), D("585000"))
    assert paid.charged_to_aggregate == D("585000.00")
    assert paid.capped_by is Cap.NONE


def test_inside_the_per_claim_limit_binds_and_defence_gives_way_to_indemnity():
    paid = settle("2000000.00", "0.60", "100000.00")
    # liable = 0.60 × 2,000,000 = 1,200,000; − 10,000 = 1,190,000 due
    # indemnity = min(1,190,000, 1,000,000) = 1,000,000: the limit is spent
    # defence due 0.60 × 100,000 = 60,000, but 1,000,000 − 1,000,000 = 0 is left → 0
    assert (paid.indemnity, paid.defence, paid.total) == (D("1000000"), D("0"), D("1000000"))
    assert paid.capped_by is Cap.PER_CLAIM_LIMIT


def test_inside_defence_takes_what_indemnity_leaves_of_the_limit():
    paid = settle("1000000.00", "0.95", "80000.00")
    # liable 950,000 − 10,000 = 940,000 indemnity; defence due 0.95 × 80,000 = 76,000
    # room after indemnity 1,000,000 − 940,000 = 60,000 → defence 60,000, total = L
    assert (paid.indemnity, paid.defence, paid.total) == (D("940000"), D("60000"), D("1000000"))
    assert paid.capped_by is Cap.PER_CLAIM_LIMIT


def test_outside_defence_is_paid_on_top_in_proportion_to_the_share():
    paid = settle("2000000.00", "0.60", "100000.00", terms=OUTSIDE)
    # indemnity as inside: min(1,190,000, 1,000,000) = 1,000,000
    # defence 0.60 × 100,000 = 60,000 on top, charged to neither limit
    assert (paid.indemnity, paid.defence, paid.total) == (D("1000000"), D("60000"), D("1060000"))
    assert paid.charged_to_aggregate == D("1000000.00")
    assert paid.capped_by is Cap.PER_CLAIM_LIMIT


def test_the_aggregate_left_caps_indemnity_and_inside_defence():
    paid = settle("500000.00", "1", "20000.00", aggregate_remaining=D("300000.00"))
    # liable 500,000 − 10,000 = 490,000; room = min(1,000,000, 300,000) = 300,000
    # indemnity 300,000; defence min(20,000, 300,000 − 300,000) = 0
    assert (paid.indemnity, paid.defence, paid.charged_to_aggregate) == (D("300000"), 0, D("3e5"))
    assert paid.capped_by is Cap.AGGREGATE_LIMIT


def test_an_equal_per_claim_and_aggregate_room_names_the_aggregate():
    paid = settle("2000000.00", "1", aggregate_remaining=D("1000000.00"))
    assert paid.indemnity == D("1000000.00") and paid.capped_by is Cap.AGGREGATE_LIMIT


def test_the_liable_loss_rounds_half_up_to_the_fen():
    no_deductible = replace(TERMS, deductible=D("0.00"))

    def liable(loss: str, share: str) -> Decimal:
        return settle(loss, share, terms=no_deductible).liable_loss

    assert liable("100.01", "0.5") == D("50.01")  # 50.005 → 50.01 (half-even: 50.00)
    assert liable("0.10", "0.25") == D("0.03")  # 0.025 → 0.03 (half-even: 0.02)
    assert liable("100.05", "0.3333") == D("33.35")  # 33.346665 → 33.35
    assert liable("1000.00", "0.3333") == D("333.30")  # exact, nothing to round
    assert settle("0.00", "0.5", "0.01").defence_due == D("0.01")  # defence: 0.005 → 0.01


def test_a_loss_under_the_deductible_pays_no_indemnity_but_its_share_of_defence():
    paid = settle("5000.00", "1", "2000.00")
    # liable 5,000 < d 10,000: the deductible absorbs it all; defence 1 × 2,000 paid
    assert (paid.deductible_applied, paid.indemnity, paid.defence) == (D("5000"), 0, D("2000"))
    assert paid.capped_by is Cap.NONE


def test_a_share_of_zero_pays_nothing():
    paid = settle("800000.00", "0", "50000.00")
    assert (paid.liable_loss, paid.total, paid.deductible_applied) == (0, 0, 0)


def test_a_later_claim_of_a_group_gets_what_is_left_of_one_limit_and_one_deductible():
    paid = settle(
        "500000.00",
        "1",
        group_paid_indemnity=D("700000.00"),
        group_deductible_used=D("10000.00"),
        aggregate_remaining=D("2300000.00"),
    )
    # the deductible is spent: applied 0; per-claim room 1,000,000 − 700,000 = 300,000
    assert (paid.deductible_applied, paid.per_claim_remaining) == (0, D("300000"))
    assert paid.indemnity == D("300000.00") and paid.capped_by is Cap.PER_CLAIM_LIMIT


def test_a_group_pays_the_rest_of_a_partly_used_deductible():
    paid = settle("50000.00", "1", group_deductible_used=D("4000.00"))
    # 10,000 − 4,000 = 6,000 left to bear; 50,000 − 6,000 = 44,000
    assert (paid.deductible_applied, paid.indemnity) == (D("6000"), D("44000"))


def test_the_groups_defence_erodes_the_per_claim_limit_only_when_inside():
    group = {"group_paid_indemnity": D("500000.00"), "group_paid_defence": D("400000.00")}
    inside = settle("300000.00", "1", **group)
    # inside: 1,000,000 − 500,000 − 400,000 = 100,000 left
    assert (inside.per_claim_remaining, inside.indemnity) == (D("100000"), D("100000"))
    outside = settle("300000.00", "1", terms=OUTSIDE, **group)
    # outside: 1,000,000 − 500,000 = 500,000 left; 300,000 − 10,000 = 290,000 paid
    assert (outside.per_claim_remaining, outside.indemnity) == (D("500000"), D("290000"))


# bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"loss": D("-0.01")}, "loss"),
        ({"loss": 100.0}, "loss"),
        ({"loss": D("100.001")}, "loss"),
        ({"defence_costs": D("-5")}, "defence_costs"),
        ({"share": D("1.01")}, "share"),
        ({"share": D("-0.1")}, "share"),
        ({"share": 0.5}, "share"),
        ({"share": D("NaN")}, "share"),
        ({"aggregate_remaining": D("-1")}, "aggregate_remaining"),
        ({"group_paid_indemnity": D("Infinity")}, "group_paid_indemnity"),
    ],
)
def test_impossible_settlements_are_refused_naming_field_and_value(change, field):
    base = {"loss": D("1"), "share": D("1"), "aggregate_remaining": FRESH}
    with pytest.raises(InvalidSettlement) as caught:
        Settlement(**(base | change))
    assert caught.value.field == field
    assert f"got ({field}=" in str(caught.value)
    assert isinstance(caught.value, ClaimsError) and isinstance(caught.value, ValueError)


def test_a_negative_loss_reads_as_it_should():
    with pytest.raises(InvalidSettlement, match=r"^loss must be >= 0; got \(loss=-5.00\)$"):
        Settlement(loss=D("-5.00"), share=D("1"), aggregate_remaining=FRESH)


@pytest.mark.parametrize(
    ("group", "field"),
    [
        ({"aggregate_remaining": D("3000000.01")}, "aggregate_remaining"),
        ({"group_deductible_used": D("10000.01")}, "group_deductible_used"),
        ({"group_paid_indemnity": D("1000000.01")}, "group_paid_indemnity + group_paid_defence"),
        (
            {"group_paid_indemnity": D("600000"), "group_paid_defence": D("400000.01")},
            "group_paid_indemnity + group_paid_defence",
        ),
    ],
)
def test_usage_beyond_the_terms_is_refused(group, field):
    with pytest.raises(InvalidSettlement) as caught:
        settle("1.00", "1", **group)
    assert caught.value.field == field


# recoveries ------------------------------------------------------------------------------


def test_recoveries_may_reach_but_never_pass_what_was_paid():
    recovery_allowed(D("500.00"), paid=D("1000.00"), recovered=D("500.00"))  # up to paid
    with pytest.raises(RecoveryExceedsPaid) as caught:
        recovery_allowed(D("500.01"), paid=D("1000.00"), recovered=D("500.00"))
    assert (caught.value.field, caught.value.value) == ("amount", D("500.01"))
    assert "at most 500.00 may still be recovered" in str(caught.value)
    assert isinstance(caught.value, InvalidRecovery)


@pytest.mark.parametrize(
    ("amount", "paid", "recovered", "field"),
    [
        ("0.00", "1000.00", "0.00", "amount"),
        ("-1.00", "1000.00", "0.00", "amount"),
        ("1.00", "1000.00", "1000.01", "recovered"),
        ("1.00", "-1.00", "0.00", "paid"),
    ],
)
def test_impossible_recoveries_are_refused(amount, paid, recovered, field):
    with pytest.raises(InvalidRecovery) as caught:
        recovery_allowed(D(amount), paid=D(paid), recovered=D(recovered))
    assert caught.value.field == field


# the laws --------------------------------------------------------------------------------


def fen(top: int) -> st.SearchStrategy[Decimal]:
    """Whole-fen amounts from 0 to ``top`` yuan."""
    return st.integers(min_value=0, max_value=top * 100).map(lambda n: D(n).scaleb(-2))


SHARES = st.integers(min_value=0, max_value=10_000).map(lambda n: D(n).scaleb(-4))
LOSSES = fen(3_000_000)


@st.composite
def policies(draw) -> PolicyTerms:
    limit = draw(fen(2_000_000).filter(lambda x: x > 0))
    return replace(
        TERMS,
        per_claim_limit=limit,
        aggregate_limit=limit + draw(fen(4_000_000)),
        deductible=draw(fen(50_000)),
        defence_inside=draw(st.booleans()),
    )


@st.composite
def cases(draw) -> tuple[Settlement, PolicyTerms]:
    terms = draw(policies())
    limit = terms.per_claim_limit
    paid_indemnity = draw(st.integers(0, int(limit * 100))) / D(100)
    paid_defence = draw(st.integers(0, int((limit - paid_indemnity) * 100))) / D(100)
    settlement = Settlement(
        loss=draw(LOSSES),
        defence_costs=draw(fen(300_000)),
        share=draw(SHARES),
        aggregate_remaining=draw(st.integers(0, int(terms.aggregate_limit * 100))) / D(100),
        group_paid_indemnity=paid_indemnity,
        group_paid_defence=paid_defence,
        group_deductible_used=draw(st.integers(0, int(terms.deductible * 100))) / D(100),
    )
    return settlement, terms


def whole_fen(amount: Decimal) -> bool:
    return amount == amount.quantize(D("0.01"))


@given(cases())
def test_payments_stay_inside_both_limits(case):
    settlement, terms = case
    paid = payable(settlement, terms=terms)
    assert 0 <= paid.indemnity <= paid.per_claim_remaining <= terms.per_claim_limit
    assert 0 <= paid.defence <= paid.defence_due
    assert 0 <= paid.charged_to_aggregate <= settlement.aggregate_remaining
    assert paid.total == paid.indemnity + paid.defence
    assert paid.deductible_applied <= terms.deductible - settlement.group_deductible_used
    if terms.defence_inside:
        assert paid.indemnity + paid.defence <= paid.per_claim_remaining
        assert paid.charged_to_aggregate == paid.total
    else:
        assert paid.defence == paid.defence_due
        assert paid.charged_to_aggregate == paid.indemnity
    paid_in_full = paid.indemnity == paid.indemnity_due and paid.defence == paid.defence_due
    assert (paid.capped_by is Cap.NONE) == paid_in_full
    assert all(whole_fen(v) for v in (paid.indemnity, paid.defence, paid.liable_loss))


@given(cases(), fen(50_000))
def test_payable_never_rises_as_the_deductible_rises(case, more):
    settlement, terms = case
    low = payable(settlement, terms=terms)
    high = payable(settlement, terms=replace(terms, deductible=terms.deductible + more))
    assert high.indemnity <= low.indemnity
    assert high.total <= low.total


@given(cases(), SHARES)
def test_payable_never_rises_as_the_share_falls(case, other):
    settlement, terms = case
    lower = replace(settlement, share=min(settlement.share, other))
    assert payable(lower, terms=terms).total <= payable(settlement, terms=terms).total
    assert payable(lower, terms=terms).indemnity <= payable(settlement, terms=terms).indemnity


@given(cases())
def test_indemnity_is_the_same_whether_defence_is_inside_or_outside(case):
    settlement, terms = case
    settlement = replace(settlement, group_paid_defence=D("0.00"))
    inside = payable(settlement, terms=replace(terms, defence_inside=True))
    outside = payable(settlement, terms=replace(terms, defence_inside=False))
    assert inside.indemnity == outside.indemnity
    assert inside.total <= outside.total


CLAIMS = st.lists(st.tuples(LOSSES, fen(200_000), SHARES), min_size=1, max_size=8)


def settle_group(claims, terms: PolicyTerms, aggregate: Decimal) -> list[Payable]:
    """Settle related claims one after another, each told what the group has used."""
    results, indemnity, defence, deductible = [], D(0), D(0), D(0)
    for loss, defence_costs, share in claims:
        paid = payable(
            Settlement(
                loss=loss,
                defence_costs=defence_costs,
                share=share,
                aggregate_remaining=aggregate,
                group_paid_indemnity=indemnity,
                group_paid_defence=defence,
                group_deductible_used=deductible,
            ),
            terms=terms,
        )
        indemnity, defence = indemnity + paid.indemnity, defence + paid.defence
        deductible += paid.deductible_applied
        aggregate -= paid.charged_to_aggregate
        results.append(paid)
    return results


@given(policies(), CLAIMS)
def test_a_group_never_pays_more_than_one_limit_nor_bears_more_than_one_deductible(terms, claims):
    results = settle_group(claims, terms, terms.aggregate_limit)
    limit_charged = sum(p.indemnity + (p.defence if terms.defence_inside else 0) for p in results)
    assert limit_charged <= terms.per_claim_limit
    assert sum(p.deductible_applied for p in results) <= terms.deductible


@given(policies(), st.lists(LOSSES, min_size=1, max_size=8))
def test_related_claims_pay_as_one_claim_of_their_summed_loss(terms, losses):
    # With share 1 no rounding happens, so splitting a loss across related claims is exact.
    claims = [(loss, D("0.00"), D("1")) for loss in losses]
    split = settle_group(claims, terms, terms.aggregate_limit)
    whole = settle_group([(sum(losses), D("0.00"), D("1"))], terms, terms.aggregate_limit)
    assert sum(p.indemnity for p in split) == whole[0].indemnity
    assert sum(p.deductible_applied for p in split) == whole[0].deductible_applied


@given(policies(), st.lists(CLAIMS, min_size=1, max_size=12))
def test_a_policy_never_pays_more_than_its_aggregate(terms, groups):
    aggregate, charged = terms.aggregate_limit, D(0)
    for claims in groups:  # one group per incident, all against one aggregate
        paid = sum(p.charged_to_aggregate for p in settle_group(claims, terms, aggregate))
        aggregate, charged = aggregate - paid, charged + paid
    assert aggregate >= 0 and charged <= terms.aggregate_limit
    if aggregate == 0:  # exhausted: nothing more is charged to it
        later = settle_group([(D("1000000.00"), D("1000.00"), D("1"))], terms, aggregate)
        assert later[0].charged_to_aggregate == 0 and later[0].indemnity == 0


@given(fen(1_000_000), st.lists(fen(400_000), max_size=10))
def test_recoveries_never_exceed_payments(paid, attempts):
    recovered = D("0.00")
    for amount in attempts:
        try:
            recovery_allowed(amount, paid=paid, recovered=recovered)
        except RecoveryExceedsPaid:
            assert recovered + amount > paid
        except InvalidRecovery:
            assert amount == 0
        else:
            recovered += amount
        assert recovered <= paid
