"""The chain ladder and Mack's standard errors against published figures and a hand computation.

Published: the RAA and Taylor–Ashe triangles (``tests/data``, sources in its README) give the
reserves and Mack standard errors printed by Mack (1993) and R's ChainLadder. Independent: a
4 × 4 triangle worked in exact fractions by Mack's formulas as he writes them (loops over
origins, the Corollary's cross terms pair by pair), not by the vectorised form of the module.
Laws: scaling, full squares, multiplicative triangles, the total between its bounds.
"""

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import ChainLadder, PricingError
from pricing.development import read_long_triangle

DATA = Path(__file__).resolve().parents[1] / "data"
nan = np.nan


def load(name: str) -> np.ndarray:
    return read_long_triangle((DATA / f"{name}.csv").read_text().splitlines())[1]


# MackChainLadder(RAA, est.sigma = "Mack"), ChainLadder vignette (tests/data/README.md).
RAA_IBNR = [0.0, 154.0, 617.4, 1636.1, 2746.7, 3649.1, 5435.3, 10907.2, 10650.0, 16339.4]
RAA_SE = [0.0, 206.2, 623.4, 747.2, 1469.5, 2001.9, 2209.2, 5357.9, 6333.2, 24566.3]
# Mack (1993), Taylor–Ashe, as MackChainLadder(GenIns, est.sigma = "Mack") prints it.
TA_IBNR = [0, 94634, 469511, 709638, 984889, 1419459, 2177641, 3920301, 4278972, 4625811]
TA_SE = [0, 75535, 121699, 133549, 261406, 411010, 558317, 875328, 971258, 1363155]
TA_LDF = [3.490607, 1.747333, 1.457413, 1.173852, 1.103824, 1.086269, 1.053874, 1.076555, 1.017725]
TA_SIGMA2 = [
    160280.3275, 37736.8550, 41965.2130, 15182.9027, 13731.3239, 8185.7716, 446.6166,
    1147.3660, 446.6166,
]  # fmt: skip
TA_SIMPLE_LDF = [
    3.566143, 1.745557, 1.451961, 1.180984, 1.111247, 1.084818, 1.052739, 1.074753, 1.017725
]  # fmt: skip


def test_raa_matches_the_published_reserves_and_standard_errors():
    fit = ChainLadder(average="volume", tail=1.0).fit(load("raa"))
    assert fit.total_ibnr_ == pytest.approx(52135.23, abs=0.005)
    assert fit.total_mack_se_ == pytest.approx(26909.01, abs=0.005)
    assert fit.ibnr_ == pytest.approx(RAA_IBNR, abs=0.05)
    assert fit.mack_se_ == pytest.approx(RAA_SE, abs=0.05)


def test_taylor_ashe_matches_mack_1993():
    fit = ChainLadder().fit(load("taylor_ashe"))
    assert fit.total_ibnr_ == pytest.approx(18680855.61, abs=0.005)
    assert fit.total_mack_se_ == pytest.approx(2447094.86, abs=0.005)
    assert fit.ibnr_ == pytest.approx(TA_IBNR, abs=0.5)
    assert fit.mack_se_ == pytest.approx(TA_SE, abs=0.5)
    assert fit.ldf_ == pytest.approx(TA_LDF, abs=5e-7)
    assert fit.sigma2_ == pytest.approx(TA_SIGMA2, abs=5e-5)


def test_the_last_sigma_is_mack_extrapolation():
    s2 = ChainLadder().fit(load("taylor_ashe")).sigma2_
    assert s2[-1] == min(s2[-2] ** 2 / s2[-3], s2[-3], s2[-2]) == s2[-3]


def test_simple_average_factors_match_r():
    fit = ChainLadder(average="simple").fit(load("taylor_ashe"))
    assert fit.ldf_ == pytest.approx(TA_SIMPLE_LDF, abs=5e-7)


# A 4 × 4 triangle whose factors are exact fractions: f = 670/450, 465/430, 170/165.
SMALL = [[100, 150, 165, 170], [200, 280, 300], [150, 240], [120]]


def mack_by_hand(rows: list[list[int]], *, alpha: int = 1):
    """Mack (1993) in exact arithmetic, written out as the paper's sums (rows oldest first)."""
    rows = [[Fraction(v) for v in row] for row in rows]
    n = len(rows[0])
    f, s2, volume = [], [], []
    for k in range(n - 1):
        links = [(row[k], row[k + 1]) for row in rows if len(row) > k + 1]
        w = [a**alpha for a, _ in links]
        f.append(sum(wi * b / a for wi, (a, b) in zip(w, links, strict=True)) / sum(w))
        volume.append(sum(w))
        if len(links) > 1:
            squares = sum(wi * (b / a - f[k]) ** 2 for wi, (a, b) in zip(w, links, strict=True))
            s2.append(squares / (len(links) - 1))
        else:
            s2.append(min(s2[-1] ** 2 / s2[-2], s2[-2], s2[-1]))
    full = [list(row) for row in rows]
    for row in full:
        while len(row) < n:
            row.append(row[-1] * f[len(row) - 1])
    mse = []
    for row, known in zip(full, rows, strict=True):
        steps = range(len(known) - 1, n - 1)
        mse.append(
            row[-1] ** 2
            * sum(s2[k] / f[k] ** 2 * (1 / row[k] ** alpha + 1 / volume[k]) for k in steps)
        )
    total = sum(mse)
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):  # j younger: it has every step i still has to make
            steps = range(len(rows[i]) - 1, n - 1)
            cross = sum(2 * s2[k] / f[k] ** 2 / volume[k] for k in steps)
            total += full[i][-1] * full[j][-1] * cross
    ultimate = [row[-1] for row in full]
    return f, s2, ultimate, mse, total


def padded(rows):
    n = len(rows[0])
    return np.array([row + [nan] * (n - len(row)) for row in rows], dtype=float)


@pytest.mark.parametrize(("average", "alpha"), [("volume", 1), ("simple", 0)])
def test_a_small_triangle_against_the_formulas_worked_by_hand(average, alpha):
    f, s2, ultimate, mse, total = mack_by_hand(SMALL, alpha=alpha)
    fit = ChainLadder(average=average).fit(padded(SMALL))
    assert fit.ldf_ == pytest.approx([float(x) for x in f], rel=1e-14)
    assert fit.sigma2_ == pytest.approx([float(x) for x in s2], rel=1e-12)
    assert fit.ultimate_ == pytest.approx([float(x) for x in ultimate], rel=1e-14)
    assert fit.mack_se_ == pytest.approx([math.sqrt(x) for x in mse], rel=1e-12)
    assert fit.total_mack_se_ == pytest.approx(math.sqrt(total), rel=1e-12)


def test_the_small_triangle_factors_by_hand():
    fit = ChainLadder().fit(padded(SMALL))
    assert fit.ldf_.tolist() == pytest.approx([670 / 450, 465 / 430, 170 / 165], rel=1e-15)
    assert fit.cdf_ == pytest.approx([670 / 450 * 465 / 430 * 170 / 165, 465 / 430 * 170 / 165,
                                      170 / 165, 1.0], rel=1e-15)  # fmt: skip
    assert fit.ibnr_[3] == pytest.approx(120 * (fit.cdf_[0] - 1), rel=1e-15)


def test_a_tail_is_a_known_factor_on_ultimates_and_standard_errors():
    plain = ChainLadder().fit(load("raa"))
    tailed = ChainLadder(tail=1.05).fit(load("raa"))
    assert tailed.cdf_ == pytest.approx(plain.cdf_ * 1.05, rel=1e-14)
    assert tailed.ultimate_ == pytest.approx(plain.ultimate_ * 1.05, rel=1e-14)
    assert tailed.ibnr_ == pytest.approx(plain.ultimate_ * 1.05 - plain.latest_, rel=1e-14)
    assert tailed.mack_se_ == pytest.approx(plain.mack_se_ * 1.05, rel=1e-14)
    assert tailed.total_mack_se_ == pytest.approx(plain.total_mack_se_ * 1.05, rel=1e-14)


@st.composite
def triangles(draw, *, full: bool = False):
    """Upper-left triangles of positive cumulative amounts with link ratios in [1, 3]."""
    n = draw(st.integers(4, 8))  # from 4 ages, Mack's extrapolation has two σ² to go on
    first = draw(st.lists(st.floats(1.0, 1e6), min_size=n, max_size=n))
    ratios = draw(st.lists(st.floats(1.0, 3.0), min_size=n * (n - 1), max_size=n * (n - 1)))
    square = np.cumprod(np.column_stack([first, np.reshape(ratios, (n, n - 1))]), axis=1)
    if full:
        return square
    return np.where(np.add.outer(np.arange(n), np.arange(n)) < n, square, nan)


@settings(max_examples=60, deadline=None)
@given(triangles(), st.floats(0.001, 1000.0), st.sampled_from(["volume", "simple"]))
def test_scaling_the_triangle_scales_reserves_and_standard_errors(triangle, scale, average):
    base = ChainLadder(average=average).fit(triangle)
    scaled = ChainLadder(average=average).fit(triangle * scale)
    assert scaled.ldf_ == pytest.approx(base.ldf_, rel=1e-9)
    assert scaled.ultimate_ == pytest.approx(base.ultimate_ * scale, rel=1e-9)
    noise = 1e-9 * np.nanmax(triangle) * scale  # an s.e. that is rounding scales as noise
    assert scaled.mack_se_ == pytest.approx(base.mack_se_ * scale, rel=1e-9, abs=noise)
    assert scaled.total_mack_se_ == pytest.approx(base.total_mack_se_ * scale, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(triangles(full=True))
def test_a_full_square_has_no_reserve_and_no_standard_error(square):
    fit = ChainLadder().fit(square)
    assert fit.ibnr_.tolist() == [0.0] * len(square) and fit.total_ibnr_ == 0
    assert fit.mack_se_.tolist() == [0.0] * len(square) and fit.total_mack_se_ == 0


@settings(max_examples=60, deadline=None)
@given(triangles())
def test_the_total_standard_error_lies_between_independence_and_full_correlation(triangle):
    fit = ChainLadder().fit(triangle)
    independent = math.sqrt((fit.mack_se_**2).sum())
    noise = 1e-9 * np.nanmax(triangle)
    assert independent - noise <= fit.total_mack_se_ <= fit.mack_se_.sum() + noise


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 8), st.lists(st.floats(1.0, 3.0), min_size=7, max_size=7))
def test_a_multiplicative_triangle_is_projected_exactly_with_zero_error(n, ratios):
    pattern = np.cumprod([1.0, *ratios[: n - 1]])
    square = np.outer(np.linspace(100.0, 900.0, n), pattern)
    triangle = np.where(np.add.outer(np.arange(n), np.arange(n)) < n, square, nan)
    for average in ("volume", "simple"):
        fit = ChainLadder(average=average).fit(triangle)
        assert fit.ultimate_ == pytest.approx(square[:, -1], rel=1e-12)
        assert fit.mack_se_ == pytest.approx(np.zeros(n), abs=1e-6 * square[:, -1].max())


@pytest.mark.parametrize(
    ("triangle", "words"),
    [
        ([1.0, 2.0, 3.0], "triangle.shape must be 2-D"),
        ([[1.0], [2.0]], "at least 2 ages"),
        ([[1.0, 2.0, 3.0], [1.0, nan, 3.0], [1.0, nan, nan]], "triangle[1] has a known cell after"),
        ([[1.0, 2.0], [nan, nan]], "triangle[1] has no known cell (a missing origin)"),
        ([[1.0, 2.0], [nan, 2.0]], "triangle[1] has a known cell after an unknown one"),
        ([[1.0, np.inf], [1.0, nan]], "must be finite or NaN"),
        ([[0.0, 2.0], [0.0, nan]], "no usable link from age 1 to age 2"),
        ([[1.0, 2.0], [3.0]], "must be a 2-D array of numbers"),
    ],
)
def test_bad_triangles_are_refused_naming_the_problem(triangle, words):
    with pytest.raises(PricingError) as raised:
        ChainLadder().fit(triangle)
    assert words in str(raised.value)


@pytest.mark.parametrize(
    ("estimator", "words"),
    [
        (ChainLadder(average="median"), "average must be one of ['simple', 'volume']"),
        (ChainLadder(tail=0.0), "tail must be finite and > 0; got (tail=0.0)"),
        (ChainLadder(tail=nan), "tail must be finite and > 0"),
    ],
)
def test_bad_hyperparameters_are_refused(estimator, words):
    with pytest.raises(PricingError) as raised:
        estimator.fit(padded(SMALL))
    assert words in str(raised.value)


def test_negative_and_decreasing_cells_are_fitted_and_reported():
    rows = [[100, 150, 140, 160], [110, 160, 170, 175], [200, -5, 10], [0, 50], [120], [0]]
    triangle = padded(rows)
    fit = ChainLadder().fit(triangle)
    kinds = [(w.kind, w.row, w.age) for w in fit.warnings_]
    assert kinds == [
        ("decrease", 0, 3),
        ("negative", 2, 2),
        ("decrease", 2, 2),
        ("zero_base", 3, 1),
    ]
    # The links from -5 and from 0 are left out; the one into -5 stays in.
    assert fit.ldf_[0] == pytest.approx((150 + 160 - 5) / (100 + 110 + 200))
    assert fit.ldf_[1] == pytest.approx((140 + 170) / (150 + 160))
    assert fit.ultimate_[2] == pytest.approx(10 * fit.cdf_[2])
    assert fit.ultimate_[5] == 0 and fit.mack_se_[5] == 0  # a zero stays zero
    assert np.isfinite(fit.total_mack_se_)
    assert "fell from 150 to 140" in fit.warnings_[0].describe(1988)
    assert fit.warnings_[0].describe(1988).startswith("origin 1988, age 3")
    assert fit.warnings_[1].describe().startswith("origin row 2, age 2: cumulative value -5")


def test_a_negative_latest_cell_has_no_standard_error():
    fit = ChainLadder().fit(padded([[100, 150, 160, 170], [200, 300, 310], [90, 130], [-4]]))
    assert np.isnan(fit.mack_se_[3]) and np.isnan(fit.total_mack_se_)
    assert np.isfinite(fit.mack_se_[:3]).all()


def test_a_sigma_that_cannot_be_extrapolated_is_reported():
    fit = ChainLadder().fit([[100.0, 150.0, 165.0], [200.0, 280.0, nan], [150.0, nan, nan]])
    assert [w.kind for w in fit.warnings_] == ["sigma"]
    assert np.isnan(fit.sigma2_[1]) and np.isnan(fit.mack_se_[1])
    assert fit.ibnr_[1] == pytest.approx(280 * (165 / 150 - 1))


def test_the_long_format_reader_builds_the_triangle():
    origins, triangle = read_long_triangle((DATA / "raa.csv").read_text().splitlines())
    assert origins.tolist() == list(range(1981, 1991))
    assert triangle.shape == (10, 10) and np.isnan(triangle).sum() == 45
    assert triangle[1, 8] == 16704


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (["origin,age,value"], "header must have the columns origin, development, value"),
        (["origin,development,value", "2020,0,5"], "line 2: development must be a development"),
        (["origin,development,value", "2020,-1,5"], "got (line 2: development=-1)"),
        (["origin,development,value", "x,1,5"], "line 2: origin must be an integer"),
        (["origin,development,value", "2020,1,"], "line 2: value must be a number"),
        (["origin,development,value", "2020,1,nan"], "line 2: value must be finite"),
        (["origin,development,value", "2020,1,5", "2020,1,6"], "line 3: (origin, development)"),
        (
            ["origin,development,value", "2020,1,5", "2022,1,6"],
            "origins are missing between the first and last origin; got (origins=[2021])",
        ),
        (["origin,development,value", "2020,1,5", "2020,3,6"], "origin 2020 gives development 3"),
        (["origin,development,value"], "triangle has no cells"),
    ],
)
def test_the_long_format_reader_refuses_bad_files(lines, words):
    with pytest.raises(PricingError) as raised:
        read_long_triangle(lines)
    assert words in str(raised.value)
