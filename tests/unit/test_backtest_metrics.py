"""The backtest's metrics: closed forms, hand-worked examples, and the laws they obey."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.backtest_metrics import backtest_metrics
from pricing.backtest_policies import BacktestPolicies
from pricing.backtest_ranking import calibration_slope, deciles, gini_index, ordered_lorenz
from pricing.errors import PricingError

GROUPINGS = ("test_year", "tier", "hazard_class", "decile")


def book(*, n=12, seed=0, **overrides):
    rng = np.random.default_rng(seed)
    expected = rng.uniform(100, 1000, n)
    arrays = {
        "test_year": rng.integers(2021, 2024, n),
        "expected": expected,
        "premium": expected * 1.5,
        "actual": np.where(rng.random(n) < 0.5, 0.0, expected * 2),
        "tier": rng.choice(list("ABC"), n),
        "hazard_class": rng.choice(["mining", "fireworks"], n),
    }
    return arrays | overrides


def cells(model_metrics):
    ae = model_metrics["actual_to_expected"]
    return [ae["overall"], *(cell for g in GROUPINGS for cell in ae[g])]


def simulated(n, *, seed):
    """True loss costs, Poisson claim counts of lognormal size: actual has mean ``true``."""
    rng = np.random.default_rng(seed)
    true = rng.lognormal(np.log(2000), 0.9, n)
    counts = rng.poisson(true / 20000)
    severity = rng.lognormal(np.log(20000) - 0.5, 1.0, counts.sum())
    actual = np.bincount(np.repeat(np.arange(n), counts), weights=severity, minlength=n)
    return rng, true, actual


# --- closed forms -------------------------------------------------------------------------


def test_a_perfect_model_has_ae_one_in_every_cell_and_calibration_slope_one():
    arrays = book(n=200, seed=1)
    arrays["actual"] = arrays["expected"].copy()
    metrics = backtest_metrics(BacktestPolicies(**arrays, candidate_expected=arrays["expected"]))
    for model in ("current", "candidate"):
        results = metrics["models"][model]
        for cell in cells(results):
            assert cell["ae"] == pytest.approx(1.0, abs=1e-12), cell
            assert cell["ae_low"] == pytest.approx(1.0) and cell["ae_high"] == pytest.approx(1.0)
        for cell in results["actual_to_expected"]["decile"]:
            assert cell["predicted_relativity"] == pytest.approx(cell["actual_relativity"])
        assert results["calibration"]["slope"] == pytest.approx(1.0, abs=1e-12)
        assert results["calibration"]["intercept"] == pytest.approx(0.0, abs=1e-9)
        assert results["calibration"]["slope_se"] == pytest.approx(0.0, abs=1e-12)
    assert metrics["comparison"]["double_lift"]["winner"] == "tie"


def test_the_ae_interval_is_the_ratio_estimator_one_on_the_log_scale():
    # r = 10/10 = 1; residuals −5, +5; se = √(2/1 · 50) / 10 = 1.
    policies = BacktestPolicies(
        test_year=[2024, 2024], expected=[5.0, 5.0], premium=[8.0, 8.0], actual=[0.0, 10.0],
        tier=["A", "A"], hazard_class=["mining", "mining"],
    )  # fmt: skip
    overall = backtest_metrics(policies)["models"]["current"]["actual_to_expected"]["overall"]
    assert (overall["ae"], overall["ae_se"]) == (1.0, 1.0)
    assert overall["ae_low"] == pytest.approx(math.exp(-1.959963984540054))
    assert overall["ae_high"] == pytest.approx(math.exp(1.959963984540054))
    assert (overall["policies"], overall["losses"], overall["actual"]) == (2, 1, 10.0)


def test_a_cell_without_a_loss_or_with_one_policy_has_no_interval():
    policies = BacktestPolicies(
        test_year=[2023, 2024, 2024], expected=[5.0, 5.0, 5.0], premium=[8.0] * 3,
        actual=[4.0, 0.0, 0.0], tier=["A", "B", "B"], hazard_class=["mining"] * 3,
    )  # fmt: skip
    years = backtest_metrics(policies)["models"]["current"]["actual_to_expected"]["test_year"]
    assert [(c["key"], c["ae"], c["ae_se"], c["ae_low"]) for c in years] == [
        (2023, 0.8, None, None),
        (2024, 0.0, None, None),
    ]


def test_loss_ratios_are_actual_over_premium_charged():
    policies = BacktestPolicies(
        test_year=[2023, 2024, 2024], expected=[1.0] * 3, premium=[100.0, 50.0, 150.0],
        actual=[30.0, 0.0, 120.0], tier=["A", "B", "A"], hazard_class=["mining"] * 3,
    )  # fmt: skip
    ratios = backtest_metrics(policies)["loss_ratio"]
    assert ratios["overall"] == {
        "key": "all", "policies": 3, "premium": 300.0, "actual": 150.0, "loss_ratio": 0.5,
    }  # fmt: skip
    assert [(c["key"], c["loss_ratio"]) for c in ratios["test_year"]] == [(2023, 0.3), (2024, 0.6)]
    assert [(c["key"], c["loss_ratio"]) for c in ratios["tier"]] == [("A", 0.6), ("B", 0.0)]


def test_deciles_hold_equal_exposure_and_keep_ties_together():
    weight = np.random.default_rng(2).uniform(0.5, 1.5, 1000)
    decile = deciles(np.random.default_rng(3).random(1000), weight=weight)
    shares = np.bincount(decile, weights=weight)[1:] / weight.sum()
    assert np.all(np.abs(shares - 0.1) < 0.002)
    tied = deciles(np.array([1.0, 2.0, 2.0, 2.0, 3.0]), weight=np.ones(5))
    assert tied.tolist() == [2, 6, 6, 6, 10]


def test_the_calibration_slope_and_its_hc1_error_match_statsmodels_wls():
    rng = np.random.default_rng(4)
    expected, weight = rng.uniform(1, 10, 300), rng.uniform(0.5, 2, 300)
    actual = rng.gamma(2.0, expected / 2) * 1.3
    fit = calibration_slope(actual, expected, weight=weight)
    x, y = expected / weight, actual / weight
    reference = sm.WLS(y, sm.add_constant(x), weights=weight).fit(cov_type="HC1")
    assert fit["intercept"] == pytest.approx(reference.params[0], rel=1e-9)
    assert fit["slope"] == pytest.approx(reference.params[1], rel=1e-9)
    assert fit["slope_se"] == pytest.approx(reference.bse[1], rel=1e-9)


def test_a_model_that_predicts_one_value_has_no_calibration_slope():
    fit = calibration_slope(np.array([1.0, 5.0]), np.array([2.0, 2.0]), weight=np.ones(2))
    assert fit == {"slope": None, "intercept": None, "slope_se": None}


# --- the Lorenz curve and Gini ------------------------------------------------------------


def test_the_plain_lorenz_curve_and_gini_of_four_policies_by_hand():
    # Exposure 1 each, losses 0, 1, 1, 2 in the order of the score: the curve runs through
    # (¼, 0), (½, ¼), (¾, ½); the area under it is ¼·(0 + ¼ + ¾ + 1½)/2 = 5/16, so
    # Gini = 1 − 2·5/16 = 3/8.
    x, y = ordered_lorenz(np.array([1.0, 2, 3, 4]), base=np.ones(4), loss=np.array([0.0, 1, 1, 2]))
    assert x.tolist() == [0, 0.25, 0.5, 0.75, 1] and y.tolist() == [0, 0, 0.25, 0.5, 1]
    assert gini_index(x, y) == 0.375


def test_the_ordered_lorenz_curve_of_four_policies_by_hand_with_a_tie():
    # Score (candidate) 1, 3, 2, 8 on base (current) 2, 1, 1, 4: relativities ½, 3, 2, 2,
    # so the last two policies tie and step together. Ordered: R=½ (base 2, loss 0),
    # R=2 (base 5, loss 5), R=3 (base 1, loss 3) of base 8 and loss 8. The curve runs
    # (0,0) (2/8,0) (7/8,5/8) (1,1); Σ Δx (y_k + y_k−1) = 0 + 5/8·5/8 + 1/8·13/8 = 38/64,
    # so Gini = 1 − 38/64 = 13/32.
    score, base, loss = [1.0, 3, 2, 8], [2.0, 1, 1, 4], [0.0, 3, 1, 4]
    x, y = ordered_lorenz(np.array(score), base=np.array(base), loss=np.array(loss))
    assert x.tolist() == [0, 0.25, 0.875, 1] and y.tolist() == [0, 0, 0.625, 1]
    assert gini_index(x, y) == 13 / 32
    policies = BacktestPolicies(
        test_year=[2024] * 4, expected=base, candidate_expected=score, premium=base,
        actual=loss, tier=["A"] * 4, hazard_class=["mining"] * 4,
    )  # fmt: skip
    entry = backtest_metrics(policies)["comparison"]["ordered_lorenz"][0]
    assert (entry["score"], entry["base"], entry["gini"]) == ("candidate", "current", 13 / 32)
    assert entry["curve"]["loss_share"][25] == 0.0 and entry["curve"]["loss_share"][-1] == 1.0


def test_a_model_that_ranks_perfectly_beats_a_random_one():
    rng, true, actual = simulated(40_000, seed=5)
    shuffled = rng.permutation(true)
    perfect = ordered_lorenz(true, base=np.ones(len(true)), loss=actual)
    random = ordered_lorenz(shuffled, base=np.ones(len(true)), loss=actual)
    assert gini_index(*perfect) > 0.3
    assert abs(gini_index(*random)) < 0.05
    policies = BacktestPolicies(
        test_year=np.full(len(true), 2024), expected=shuffled, candidate_expected=true,
        premium=shuffled * 1.5, actual=actual, tier=np.full(len(true), "A"),
        hazard_class=np.full(len(true), "mining"),
    )  # fmt: skip
    metrics = backtest_metrics(policies)
    ginis = {m: metrics["models"][m]["lorenz"]["gini"] for m in ("current", "candidate")}
    assert ginis["candidate"] > ginis["current"] + 0.25
    comparison = metrics["comparison"]
    assert comparison["minimax"] == "candidate"
    assert comparison["ordered_lorenz"][0]["gini"] > comparison["ordered_lorenz"][1]["gini"]


def test_double_lift_picks_the_candidate_when_it_is_right_and_the_current_is_wrong():
    _, true, _ = simulated(2_000, seed=6)
    flat = true**0.3 * np.mean(true) ** 0.7  # the current model: right on average, too flat
    arrays = book(n=len(true), seed=6, actual=true, premium=flat * 1.5)
    right = BacktestPolicies(**arrays | {"expected": flat, "candidate_expected": true})
    lift = backtest_metrics(right)["comparison"]["double_lift"]
    assert lift["winner"] == "candidate" and lift["deciles_won"] == {"current": 0, "candidate": 10}
    assert lift["misallocation"]["candidate"] == pytest.approx(0.0, abs=1e-12)
    assert all(r["ae_candidate_rebalanced"] == pytest.approx(1.0) for r in lift["deciles"])
    ratios = [r["candidate_to_current"] for r in lift["deciles"]]
    assert ratios == sorted(ratios)
    wrong = BacktestPolicies(**arrays | {"expected": true, "candidate_expected": flat})
    assert backtest_metrics(wrong)["comparison"]["double_lift"]["winner"] == "current"


def test_lift_reads_top_over_bottom_decile_and_counts_reversals():
    expected = np.arange(1.0, 11.0)
    actual = np.array([1.0, 2, 3, 4, 5, 6, 5, 8, 9, 20])  # one reversal, at decile 7
    arrays = book(n=10, expected=expected, actual=actual, premium=expected)
    lift = backtest_metrics(BacktestPolicies(**arrays))["models"]["current"]["lift"]
    assert lift == {"lift": 20.0, "predicted_lift": 10.0, "reversals": 1, "deciles": 10}


# --- the shape of the output ------------------------------------------------------------------


def test_the_metrics_are_json_native_and_survive_a_round_trip():
    arrays = book(n=50, seed=7, exposure=np.linspace(0.5, 1.0, 50))
    metrics = backtest_metrics(BacktestPolicies(**arrays, candidate_expected=arrays["premium"]))
    assert json.loads(json.dumps(metrics, allow_nan=False)) == metrics

    def native(value):
        if isinstance(value, dict):
            return all(isinstance(k, str) and native(v) for k, v in value.items())
        if isinstance(value, list):
            return all(native(v) for v in value)
        return value is None or type(value) in (str, int, float, bool)

    assert native(metrics)
    assert set(metrics["models"]) == {"current", "candidate"}
    assert len(metrics["comparison"]["ordered_lorenz"][0]["curve"]["base_share"]) == 101


def test_without_a_candidate_there_is_no_comparison():
    metrics = backtest_metrics(BacktestPolicies(**book()))
    assert list(metrics["models"]) == ["current"] and metrics["comparison"] is None


def test_a_book_without_losses_has_ratios_of_zero_and_no_gini():
    metrics = backtest_metrics(BacktestPolicies(**book(actual=np.zeros(12))))
    current = metrics["models"]["current"]
    assert current["actual_to_expected"]["overall"]["ae"] == 0.0
    assert current["lorenz"] == {
        "score": "current",
        "base": "exposure",
        "gini": None,
        "curve": None,
    }
    assert current["lift"]["lift"] is None


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"premium": [1.0, 2.0]}, r"len\(premium\) must equal len\(test_year\) = 12; got "
                                  r"\(len\(premium\)=2\)"),
        ({"tier": ["A"] * 13}, r"len\(tier\) must equal len\(test_year\) = 12"),
        ({"candidate_expected": np.ones((12, 1))}, r"len\(candidate_expected\) must equal"),
        ({"actual": [-1.0] + [0.0] * 11}, r"actual must be finite and >= 0; got \(actual=-1.0\)"),
        ({"expected": [np.nan] * 12}, r"expected must be finite and >= 0; got \(expected=nan\)"),
        ({"premium": [np.inf] * 12}, r"premium must be finite and >= 0"),
        ({"expected": np.zeros(12)}, r"expected must not all be zero"),
        ({"candidate_expected": np.zeros(12)}, r"candidate_expected must not all be zero"),
        ({"exposure": [0.0] * 12}, r"exposure must be > 0; got \(exposure=0.0\)"),
        ({"exposure": [-1.0] * 12}, r"exposure must be finite and >= 0"),
        ({"test_year": [2024.5] * 12}, r"test_year must be whole years; got \(test_year=2024.5\)"),
        ({"test_year": [np.nan] * 12}, r"test_year must be whole years"),
        ({"test_year": ["2024"] * 12}, r"test_year must be whole years"),
        ({"hazard_class": [None] * 12}, r"hazard_class must be strings; got \(hazard_class=None\)"),
        ({"tier": [""] * 12}, r"tier must not be empty"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_array(change, message):
    with pytest.raises(PricingError, match=message):
        BacktestPolicies(**book() | change)


def test_no_policy_is_refused():
    empty = {name: [] for name in book()}
    with pytest.raises(PricingError, match=r"len\(test_year\) must hold at least one policy"):
        BacktestPolicies(**empty)


def test_an_unknown_model_is_refused():
    with pytest.raises(PricingError, match=r"model must be one of \['current'\]"):
        BacktestPolicies(**book()).predicted("candidate")


# --- laws ------------------------------------------------------------------------------------


@st.composite
def books(draw):
    n = draw(st.integers(2, 25))
    amounts = st.lists(st.integers(1, 1000), min_size=n, max_size=n)
    losses = st.lists(st.sampled_from([0, 0, 0, 7, 50, 900, 4000]), min_size=n, max_size=n)
    labels = st.lists(st.sampled_from(["A", "B", "C"]), min_size=n, max_size=n)
    return {
        "test_year": draw(st.lists(st.integers(2021, 2023), min_size=n, max_size=n)),
        "expected": np.array(draw(amounts), dtype=float),
        "candidate_expected": np.array(draw(amounts), dtype=float),
        "premium": np.array(draw(amounts), dtype=float),
        "actual": np.array(draw(losses), dtype=float),
        "tier": draw(labels),
        "hazard_class": draw(labels),
        "exposure": np.array(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), float),
    }


def assert_close(left, right, path="metrics"):
    """The same structure with the same numbers, to rounding (sums added in another order)."""
    if isinstance(left, dict):
        assert left.keys() == right.keys(), path
        for key in left:
            assert_close(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list):
        assert len(left) == len(right), path
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_close(a, b, f"{path}[{i}]")
    elif isinstance(left, float) and isinstance(right, float):
        assert left == pytest.approx(right, rel=1e-9, abs=1e-9), path
    else:
        assert left == right, path


@settings(max_examples=60, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_the_order_of_the_policies_changes_nothing(arrays, random):
    order = list(range(len(arrays["expected"])))
    random.shuffle(order)
    shuffled = {name: np.asarray(values)[order] for name, values in arrays.items()}
    assert_close(
        backtest_metrics(BacktestPolicies(**arrays)), backtest_metrics(BacktestPolicies(**shuffled))
    )


# Powers of two scale exactly, so ties stay ties; another factor could split two tied
# relativities in their last bit, which is a different ranking, not a broken law.
@settings(max_examples=60, deadline=None)
@given(books(), st.sampled_from([0.25, 0.5, 2.0, 8.0, 1024.0]))
def test_scaling_actual_and_expected_alike_leaves_ae_and_gini_unchanged(arrays, factor):
    scaled = arrays | {k: arrays[k] * factor for k in ("expected", "candidate_expected", "actual")}
    before = backtest_metrics(BacktestPolicies(**arrays))
    after = backtest_metrics(BacktestPolicies(**scaled))
    for model in ("current", "candidate"):
        for old, new in zip(
            cells(before["models"][model]), cells(after["models"][model]), strict=True
        ):
            assert (old["key"], old["ae"], old["ae_low"]) == (new["key"], new["ae"], new["ae_low"])
        for name in ("lorenz", "lift"):
            assert before["models"][model][name] == after["models"][model][name]
        slopes = [metrics["models"][model]["calibration"]["slope"] for metrics in (before, after)]
        assert_close(*slopes)
    assert before["comparison"]["ordered_lorenz"] == after["comparison"]["ordered_lorenz"]
    assert_close(
        before["comparison"]["double_lift"]["misallocation"],
        after["comparison"]["double_lift"]["misallocation"],
    )


@settings(max_examples=80, deadline=None)
@given(books())
def test_no_model_ranks_better_than_the_losses_themselves(arrays):
    exposure, actual = arrays["exposure"], arrays["actual"]
    if actual.sum() == 0:
        return
    oracle = gini_index(*ordered_lorenz(actual, base=exposure, loss=actual))
    for score in (arrays["expected"], arrays["candidate_expected"]):
        gini = gini_index(*ordered_lorenz(score, base=exposure, loss=actual))
        assert -1 <= gini <= oracle + 1e-12
