"""The rolling-origin backtest (issue 6, item 5): its range checks, re-pricing that gives the
recorded quotes back, actuals that are the truth once mature, determinism, and on a market
of the generator's default size the done-when figures — the calibrated model ranks risks
better than one that knows only the hazard class, and the overall actual-to-expected."""

from __future__ import annotations

import doctest
import importlib
import json
from datetime import date

import numpy as np
import pytest

from pricing import HAZARD_CLASSES, ModelError, RatingModel
from pricing.calibration import (
    CalibrationData,
    FrequencyData,
    LiabilityData,
    ReportingData,
    SeverityData,
)
from pricing.model import FREQUENCY_FEATURES, QUALITY_FEATURES
from underwriting.backtest_models import candidate_model, class_only_model
from underwriting.backtest_pages import summary, write_backtest
from underwriting.backtests import default_range, run_backtest
from underwriting.demo_market import generate_market, insured_history
from underwriting.demo_market.repricing import reprice, served_clients
from underwriting.errors import InvalidInput

SMALL = {"firms": 30, "enterprises": 400, "years": 6, "seed": 3}  # 2016–2021
DEFAULT = {"firms": 200, "enterprises": 5000, "years": 10, "seed": 2026}  # 2016–2025


@pytest.fixture(scope="module")
def small():
    return insured_history(generate_market(**SMALL))


@pytest.fixture(scope="module")
def small_backtest(small):
    return run_backtest(small, first_year=2019, last_year=2021)


@pytest.fixture(scope="module")
def default_history():
    return insured_history(generate_market(**DEFAULT))


@pytest.fixture(scope="module")
def default_backtest(default_history):
    first, last = default_range(default_history)
    return run_backtest(default_history, first_year=first, last_year=last)


def overall(block: dict) -> dict:
    return block["actual_to_expected"]["overall"]


# --- the range -----------------------------------------------------------------------------


def test_the_default_range_leaves_two_years_to_calibrate_on_and_one_between(small):
    assert default_range(small) == (2019, 2021)


@pytest.mark.parametrize(
    ("first", "last", "evaluated", "field", "words"),
    [
        (2018, 2021, None, "from", "too little history to calibrate"),
        (2019, 2022, None, "to", "past the history, which ends in 2021"),
        (2021, 2020, None, "to", "must not be before from (2021)"),
        (2019, 2020, date(2020, 12, 30), "evaluated", "must fall between"),
        (2019, 2020, date(2022, 1, 1), "evaluated", "must fall between"),
    ],
)
def test_a_range_the_history_cannot_give_is_refused(small, first, last, evaluated, field, words):
    with pytest.raises(InvalidInput) as caught:
        run_backtest(small, first_year=first, last_year=last, evaluated=evaluated)
    assert caught.value.field == field and words in str(caught.value)


def test_an_unknown_basis_is_refused(small):
    with pytest.raises(InvalidInput, match="basis"):
        run_backtest(small, first_year=2019, last_year=2019, basis="earned")


# --- re-pricing ----------------------------------------------------------------------------


def test_repricing_by_the_pricing_model_gives_the_recorded_quote_back(small):
    p, rows = small.policies, np.arange(len(small.policies))
    quoted = reprice(small.arrays, p, rows, RatingModel.load(), basis="quote")
    np.testing.assert_array_equal(quoted.expected_loss, p.expected_loss)
    np.testing.assert_array_equal(quoted.premium_fen, p.premium_fen)
    np.testing.assert_array_equal(quoted.tier, p.tier)


def test_repricing_on_the_audit_basis_gives_the_audited_premium(small):
    p, rows = small.policies, np.arange(len(small.policies))
    audited = reprice(small.arrays, p, rows, RatingModel.load(), basis="audit")
    np.testing.assert_array_equal(audited.premium_fen, p.premium_fen + p.adjustment_fen)
    quoted = served_clients(small.arrays, p, rows, basis="quote")
    seen = served_clients(small.arrays, p, rows, basis="audit")
    assert (seen.exposure >= quoted.exposure - 1e-9).all() and (quoted.exposure > 0).all()


def test_the_demo_market_modules_run_their_examples():
    for name in ("repricing", "ultimates"):
        module = importlib.import_module(f"underwriting.demo_market.{name}")
        failed, attempted = doctest.testmod(module)
        assert failed == 0 and attempted > 0, name


# --- the backtest --------------------------------------------------------------------------


def test_the_backtest_is_deterministic(small, small_backtest):
    again = run_backtest(small, first_year=2019, last_year=2021)
    assert json.dumps(again.metrics) == json.dumps(small_backtest.metrics)
    assert again.html == small_backtest.html


def test_every_test_year_has_its_row_of_actual_to_expected(small, small_backtest):
    metrics = small_backtest.metrics
    in_range = (small.policies.policy_year >= 2019) & (small.policies.policy_year <= 2021)
    assert metrics["policies"] == int(in_range.sum()) == len(small_backtest.policy_id)
    for block in (*metrics["models"].values(), *metrics["rolling"]["references"].values()):
        cells = block["actual_to_expected"]["test_year"]
        assert [c["key"] for c in cells] == [2019, 2020, 2021]
        assert sum(c["policies"] for c in cells) == metrics["policies"]
    notes = metrics["rolling"]["calibrations"]
    assert [(n["test_year"], n["as_of"]) for n in notes] == [
        (2019, "2017-12-31"),
        (2020, "2018-12-31"),
        (2021, "2019-12-31"),
    ]


def test_the_quote_basis_current_model_is_the_recorded_expected_loss(small):
    quoted = run_backtest(small, first_year=2020, last_year=2021, basis="quote")
    rows = np.searchsorted(small.policies.policy_id, quoted.policy_id)
    np.testing.assert_array_equal(quoted.expected["current"], small.policies.expected_loss[rows])
    charged = small.policies.premium_fen[rows] / 100.0
    np.testing.assert_allclose(quoted.policies.premium, charged, rtol=0, atol=1e-9)


def test_a_failed_calibration_keeps_the_model_in_force(small_backtest):
    notes = small_backtest.metrics["rolling"]["calibrations"]
    in_force = "pl-2026.1"
    for note in notes:
        if note["failed"]:
            assert note["kept"] == in_force and note["version"] is None
        in_force = note["version"] or note["kept"]
    # a year that kept the pricing model is priced exactly as the current model
    years = small_backtest.policies.test_year
    for note in notes:
        if note["kept"] == "pl-2026.1":
            mine = years == note["test_year"]
            expected = small_backtest.expected
            np.testing.assert_array_equal(expected["calibrated"][mine], expected["current"][mine])


def test_a_candidate_is_priced_as_the_current_model_is(small, small_backtest):
    same = run_backtest(small, first_year=2020, last_year=2021, candidate=RatingModel.load())
    np.testing.assert_allclose(same.expected["candidate"], same.expected["current"], rtol=1e-12)
    assert same.metrics["rolling"]["labels"]["candidate"] == "pl-2026.1"
    assert same.metrics["comparison"]["double_lift"]["winner"] == "tie"
    assert small_backtest.metrics["rolling"]["labels"]["candidate"] == "rolling calibration"


def test_the_page_has_the_rolling_section_and_the_summary_every_model(small_backtest):
    html = small_backtest.html
    assert html.startswith("<!DOCTYPE html>") and html.count('<section id="rolling">') == 1
    assert html.index('id="rolling"') < html.index('id="method"')
    assert "hazard class only" in html and "Development to ultimate" in html
    text = summary(small_backtest.metrics)
    assert "pl-2026.1 as priced" in text and "hazard class only" in text and "Gini" in text
    assert all(str(year) in text for year in (2019, 2020, 2021))


def test_the_files_are_written_whole(small_backtest, tmp_path):
    target = tmp_path / "out" / "backtest"
    write_backtest(small_backtest.metrics, small_backtest.html, target)
    assert sorted(p.name for p in target.iterdir()) == ["metrics.json", "report.html"]
    assert json.loads((target / "metrics.json").read_text())["test_years"] == [2019, 2020, 2021]
    blocked = tmp_path / "a file"
    blocked.write_text("")
    with pytest.raises(InvalidInput) as caught:
        write_backtest(small_backtest.metrics, small_backtest.html, blocked / "backtest")
    assert caught.value.field == "out"


# --- the models ----------------------------------------------------------------------------


def test_the_class_only_model_knows_class_rates_and_one_liability_probability():
    classes = np.array([0, 0, 1])
    data = CalibrationData(
        frequency=FrequencyData(
            hazard_class=classes,
            features=np.zeros((3, len(FREQUENCY_FEATURES))),
            exposure=np.array([1.0, 1.0, 2.0]),
            incidents=np.array([1.0, 3.0, 1.0]),
        ),
        # Every claim seen was reported 10 days after its incident, so F is 0 before day 10
        # and 1 from it: the incident watched for 5 days only saw nothing and is left out.
        liability=LiabilityData(
            deficits=np.zeros((4, len(QUALITY_FEATURES))),
            liable=np.array([1.0, 0.0, 1.0, 0.0]),
            window_days=np.array([100.0, 100.0, 100.0, 5.0]),
        ),
        severity=SeverityData(classes, np.ones(3)),
        experience=None,
        reporting=ReportingData(np.array([10.0, 10.0]), np.array([100.0, 100.0])),
    )
    base = RatingModel.load()
    model = class_only_model(base.document, data, date(2020, 12, 31))
    assert model.version == "class-only-2020-12-31"
    assert not model.frequency.coefficients.any() and not model.liability.coefficients.any()
    rates = model.frequency.base_per_100_employees
    assert rates[0] == 2.0 and rates[1] == 0.5  # incidents / exposure
    assert (rates[2:] == base.frequency.base_per_100_employees[2:]).all()  # no incident: kept
    assert model.liability.base_probability == pytest.approx(2 / 3)
    assert HAZARD_CLASSES[0] == "mining"


def test_a_candidate_is_a_shipped_version_or_a_calibration_file(tmp_path):
    assert candidate_model("pl-2026.1").version == "pl-2026.1"
    draft = RatingModel.load().document | {"version": "cal-x"}
    path = tmp_path / "draft.json"
    path.write_text(json.dumps({"document": draft, "diagnostics": {}}))
    assert candidate_model(str(path)).version == "cal-x"
    with pytest.raises(ModelError, match="no shipped model"):
        candidate_model("pl-1999.9")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InvalidInput) as caught:
        candidate_model(str(tmp_path / "bad.json"))
    assert caught.value.field == "candidate"


# --- a default-size market: the done-when figures ------------------------------------------


def test_actual_is_the_truths_ultimate_once_every_claim_has_closed(
    default_history, default_backtest
):
    history, evaluated = default_history, np.datetime64("2025-12-31")
    claims, p = history.claims, history.policies
    year_of_claim = p.policy_year[claims.policy]
    closed = [
        y
        for y in default_backtest.metrics["test_years"]
        if (claims.closed_date[year_of_claim == y] <= evaluated).all()
    ]
    assert closed, "no test year has every claim closed"
    truth = np.bincount(claims.policy, claims.ultimate_fen / 100.0, minlength=len(p))
    rows = np.searchsorted(p.policy_id, default_backtest.policy_id)
    mature = np.isin(default_backtest.policies.test_year, closed)
    np.testing.assert_allclose(
        default_backtest.policies.actual[mature], truth[rows][mature], rtol=1e-12, atol=1e-6
    )


def test_the_calibrated_model_ranks_risks_better_than_hazard_class_alone(default_backtest):
    references = default_backtest.metrics["rolling"]["references"]
    calibrated = references["calibrated"]["lorenz"]["gini"]
    class_only = references["hazard_class_only"]["lorenz"]["gini"]
    assert calibrated > class_only + 0.05, (calibrated, class_only)


def test_the_pricing_models_overall_actual_to_expected_is_within_ten_percent(default_backtest):
    ae = overall(default_backtest.metrics["models"]["current"])["ae"]
    assert 0.9 <= ae <= 1.1, ae


def test_the_calibrated_models_overall_actual_to_expected_is_within_ten_percent(
    default_backtest,
):
    ae = overall(default_backtest.metrics["rolling"]["references"]["calibrated"])["ae"]
    assert 0.9 <= ae <= 1.1, ae
