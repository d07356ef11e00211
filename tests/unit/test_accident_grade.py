"""Accident grades by State Council Decree 493, article 3."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims import AccidentGrade, accident_grade

G = AccidentGrade
MILLION = Decimal(1_000_000)


@pytest.mark.parametrize(
    ("deaths", "serious", "loss_m", "grade"),
    [
        (0, 0, 0, G.GENERAL),
        (2, 9, Decimal("9.99"), G.GENERAL),  # every measure just below 较大
        (3, 0, 0, G.LARGER),  # "3 人以上" includes 3
        (0, 10, 0, G.LARGER),
        (0, 0, 10, G.LARGER),  # ¥10m exactly is 较大
        (9, 49, Decimal("49.99"), G.LARGER),
        (10, 0, 0, G.MAJOR),
        (0, 50, 0, G.MAJOR),
        (0, 0, 50, G.MAJOR),
        (29, 99, Decimal("99.99"), G.MAJOR),
        (30, 0, 0, G.ESPECIALLY_MAJOR),
        (0, 100, 0, G.ESPECIALLY_MAJOR),
        (0, 0, 100, G.ESPECIALLY_MAJOR),
        (1, 60, 2, G.MAJOR),  # the highest measure decides
    ],
)
def test_decree_493_boundaries(deaths, serious, loss_m, grade):
    assert accident_grade(deaths, serious, Decimal(loss_m) * MILLION) is grade


counts = st.integers(min_value=0, max_value=500)
losses = st.decimals(min_value=0, max_value=10**9, places=2)


@given(counts, counts, losses, counts, counts, losses)
def test_grade_never_falls_as_any_measure_rises(d, s, loss, dd, ds, dloss):
    order = list(AccidentGrade)
    before = order.index(accident_grade(d, s, loss))
    after = order.index(accident_grade(d + dd, s + ds, loss + dloss))
    assert after >= before


@pytest.mark.parametrize("args", [(-1, 0, Decimal(0)), (0, -1, Decimal(0)), (0, 0, Decimal(-1))])
def test_negative_measures_are_refused_by_name(args):
    with pytest.raises(ValueError, match=r"must be >= 0; got \("):
        accident_grade(*args)
