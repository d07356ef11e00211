"""The rolling-origin backtest of the rating model on an insured history (issue 6, item 5).

For each test year Y a draft model is calibrated on the history as seen on 31 December of
Y − 2 (``calibrations.calibrate_history``; the year between is too immature), from the
model that priced Y (``base``), and every policy of policy year Y is re-priced by it on the
book it was quoted on (``demo_market.repricing``). Per policy of the test years:

- **actual** — its losses developed to ultimate as of ``evaluated`` (default: the last day
  of the history; never before the end of the last test year): its case incurred then,
  developed by its policy year's volume-weighted chain-ladder factor
  (``demo_market.ultimates``). The policies are claims-made, so a policy year that has ended
  has no claim still to come, only the development of those made: it is developed where it
  arises rather than shared out by expected loss (a Bornhuetter–Ferguson allocation would
  put losses on policies certain to have none, and turn negative where case reserves are
  released). A mature origin's factor is 1 and its actual the claims' final amounts;
- **expected** — each model's loss cost for the term (``E[S∧A]`` + defence outside, at
  experience mod 1), on the ``basis`` book: ``"audit"`` (default) the engagements the term
  really saw, as the premium audit re-rates it at expiry; ``"quote"`` only those the quote
  knew, each to its end date as then recorded. The losses come from the clients the term
  really served, so the audit basis is what they are compared with: the quote basis misses
  about a third of that exposure (contracts renewed or signed during the term), and on it
  the pricing model's A/E is about 1.8 on a market of the default size;
- the models: ``current``, the model(s) that priced the policies (re-priced on ``basis``;
  on the quote basis that is exactly their recorded ``expected_loss``); ``calibrated``, the
  rolling calibration; ``candidate``, another model priced the same way — by default the
  rolling calibration itself; and ``hazard_class_only``, the rolling calibration refitted
  knowing only the hazard class: each class's incidents per 100 employee-years and one
  liability probability for every firm (the closed-form maximum-likelihood fits of the
  calibration data without any metric or deficit), every metric and deficit coefficient 0.
  It still knows the clients' size and the policy's terms, so its Gini says what the hazard
  metrics and service quality add;
- **premium** — as charged: the written premium plus the audit adjustment (``basis``
  ``"quote"``: as written), CNY; **exposure** — hundreds of employee-years the firm served
  during the term on the ``basis`` book; **tier** — as recorded at the quote; **hazard
  class** — the class holding the largest part of that exposure.

A year whose calibration fails (a fit out of the model's domain) keeps the models in force
— the previous test year's, or ``base`` (``backtest_models``) — and the metrics say so. The
first test year must leave two full policy years to calibrate on (the chain ladders need two
origins) and the gap year: ``default_range``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from pricing import HAZARD_CLASSES, RatingModel
from pricing.backtest_metrics import actual_to_expected, backtest_metrics, calibration, lift, lorenz
from pricing.backtest_policies import BacktestPolicies
from underwriting.backtest_models import GAP_YEARS, RollingModel, candidate_model, rolling_models
from underwriting.backtest_pages import backtest_html
from underwriting.demo_market import Market
from underwriting.demo_market.insured import InsuredHistory
from underwriting.demo_market.market_arrays import MarketArrays, market_arrays
from underwriting.demo_market.repricing import BASES, expected_losses, served_clients
from underwriting.demo_market.ultimates import developed_ultimates
from underwriting.errors import InvalidInput

__all__ = ["Backtest", "candidate_model", "default_range", "run_backtest"]

#: Policy years of history a calibration needs: the chain ladders need two origins.
MIN_HISTORY_YEARS = 2
#: The models beside current and candidate whose metrics the backtest also reports.
REFERENCES = ("calibrated", "hazard_class_only")


@dataclass(frozen=True, eq=False)
class Backtest:
    """``metrics`` (``pricing.backtest_metrics``'s dict plus ``"rolling"``: the range,
    the calibrations, the development and the reference models) and the ``html`` page;
    per test-year policy (``policy_id``) the ``policies`` the metrics read and every
    model's ``expected`` loss (CNY); the wall-clock ``seconds`` of each stage."""

    metrics: dict[str, Any]
    html: str
    policy_id: np.ndarray
    policies: BacktestPolicies
    expected: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def default_range(history: InsuredHistory) -> tuple[int, int]:
    """The widest range of test years ``history`` allows."""
    return history.first_year + MIN_HISTORY_YEARS - 1 + GAP_YEARS, _last_year(history)


def run_backtest(
    history: InsuredHistory,
    *,
    first_year: int,
    last_year: int,
    candidate: RatingModel | None = None,
    evaluated: date | None = None,
    current: Sequence[RatingModel] | None = None,
    basis: str = "audit",
    market: Market | MarketArrays | None = None,
) -> Backtest:
    """The backtest of the module docstring for test years ``first_year``–``last_year``.
    ``current`` are the models that priced the history (default: the shipped ones it
    names); the policies' books are rebuilt from the market arrays the history carries, or
    from ``market``, the one it was drawn on."""
    evaluated = _check_range(history, first_year, last_year, evaluated)
    if basis not in BASES:
        raise InvalidInput("basis", basis, f"must be one of {', '.join(BASES)}")
    arrays = _arrays(history, market)
    current = tuple(current or [RatingModel.load(v) for v in history.truth["models"]])
    p, clock = history.policies, _Stopwatch()
    rows = np.flatnonzero((p.policy_year >= first_year) & (p.policy_year <= last_year))
    years = range(first_year, last_year + 1)
    rolling = clock.lap("calibrations", rolling_models(history, years, current))
    priced = _Priced(arrays, history, rows, basis)
    expected = clock.lap("pricing", priced.expected_losses(rolling, current, candidate))
    actual, development = developed_ultimates(history.as_of(evaluated), p, rows)
    policies = priced.policies(actual, expected)
    metrics = backtest_metrics(policies)
    metrics["rolling"] = {
        "first_year": first_year,
        "last_year": last_year,
        "evaluated": evaluated.isoformat(),
        "basis": basis,
        "labels": _labels(current, candidate),
        "calibrations": [r.note for r in rolling],
        "development": development,
        "references": {n: _model_block(policies, expected[n]) for n in REFERENCES},
    }
    clock.lap("metrics", None)
    html = clock.lap("html", backtest_html(metrics))
    return Backtest(metrics, html, p.policy_id[rows], policies, expected, clock.seconds)


class _Stopwatch:
    """Wall-clock seconds of each stage, for the benchmark (never in the metrics)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str, result: Any) -> Any:
        now = time.perf_counter()
        self.seconds[stage], self._last = now - self._last, now
        return result


def _arrays(history: InsuredHistory, market: Market | MarketArrays | None) -> MarketArrays:
    if isinstance(market, MarketArrays):
        return market
    if market is not None:
        return market_arrays(market)
    if history.arrays is None:
        raise InvalidInput("market", None, "is needed: the history carries no market arrays")
    return history.arrays


def _labels(current: Sequence[RatingModel], candidate: RatingModel | None) -> dict[str, str]:
    return {
        "current": " + ".join(m.version for m in current) + " as priced",
        "candidate": "rolling calibration" if candidate is None else candidate.version,
    }


def _last_year(history: InsuredHistory) -> int:
    return history.first_year + history.years - 1


def check_years(
    history_years: tuple[int, int],
    first_year: int,
    last_year: int,
    *,
    fields: tuple[str, str] = ("from", "to"),
) -> None:
    """Refuse test years a rolling backtest over a history of ``history_years`` (its first
    and last calendar years) cannot run; ``fields`` name the two years to the caller."""
    first, latest = history_years
    earliest = first + MIN_HISTORY_YEARS - 1 + GAP_YEARS
    start, end = fields
    if first_year < earliest:
        raise InvalidInput(
            start,
            first_year,
            f"leaves too little history to calibrate: test year Y is priced by a model "
            f"calibrated on the data through Y − {GAP_YEARS}, which needs "
            f"{MIN_HISTORY_YEARS} full years from {first}; the first test year is {earliest}",
        )
    if last_year > latest:
        raise InvalidInput(end, last_year, f"is past the history, which ends in {latest}")
    if last_year < first_year:
        raise InvalidInput(end, last_year, f"must not be before {start} ({first_year})")


def _check_range(
    history: InsuredHistory, first_year: int, last_year: int, evaluated: date | None
) -> date:
    latest = _last_year(history)
    check_years((history.first_year, latest), first_year, last_year)
    end = date(latest, 12, 31)
    evaluated = evaluated or end
    if not date(last_year, 12, 31) <= evaluated <= end:
        raise InvalidInput(
            "evaluated",
            evaluated.isoformat(),
            f"must fall between the end of the last test year and the end of the history "
            f"({date(last_year, 12, 31)}–{end})",
        )
    return evaluated


class _Priced:
    """The test-year policies (``rows`` of the history's) and what every model expects of
    them on ``basis``."""

    def __init__(self, arrays: MarketArrays, history: InsuredHistory, rows, basis: str):
        self.arrays, self.table, self.rows, self.basis = arrays, history.policies, rows, basis

    def expected_losses(self, rolling, current, candidate) -> dict[str, np.ndarray]:
        out = {"current": self._current(current)}
        out["calibrated"] = self._by_year(rolling, "calibrated")
        out["hazard_class_only"] = self._by_year(rolling, "class_only")
        out["candidate"] = out["calibrated"] if candidate is None else self._price(candidate)
        return out

    def policies(self, actual: np.ndarray, expected: dict) -> BacktestPolicies:
        p, rows = self.table, self.rows
        served = served_clients(self.arrays, p, rows, basis=self.basis)
        charged = p.premium_fen[rows] + (p.adjustment_fen[rows] if self.basis == "audit" else 0)
        return BacktestPolicies(
            test_year=p.policy_year[rows],
            expected=expected["current"],
            premium=charged / 100.0,
            actual=actual,
            tier=np.asarray(p.tier[rows]).astype(str),
            hazard_class=np.array(HAZARD_CLASSES)[served.hazard_class],
            candidate_expected=expected["candidate"],
            exposure=served.exposure,
        )

    def _price(self, model: RatingModel, mine: np.ndarray | None = None) -> np.ndarray:
        rows = self.rows if mine is None else self.rows[mine]
        return expected_losses(self.arrays, self.table, rows, model, basis=self.basis)

    def _current(self, current: Sequence[RatingModel]) -> np.ndarray:
        """The pricing models' own: on the quote basis, the recorded expected loss."""
        versions = self.table.model_version[self.rows]
        if self.basis == "quote":
            return np.asarray(self.table.expected_loss[self.rows], dtype=np.float64)
        out, by_version = np.zeros(len(self.rows)), {m.version: m for m in current}
        for version in np.unique(versions).tolist():
            if version not in by_version:
                raise InvalidInput("current", version, "priced the history but was not given")
            mine = np.flatnonzero(versions == version)
            out[mine] = self._price(by_version[version], mine)
        return out

    def _by_year(self, rolling: Sequence[RollingModel], which: str) -> np.ndarray:
        """Each test year's policies priced by that year's ``which`` model."""
        out, years = np.zeros(len(self.rows)), self.table.policy_year[self.rows]
        for r in rolling:
            mine = np.flatnonzero(years == r.test_year)
            out[mine] = self._price(getattr(r, which), mine)
        return out


def _model_block(policies: BacktestPolicies, expected: np.ndarray) -> dict[str, Any]:
    """A reference model's metrics, in the shape of ``metrics["models"][name]``."""
    alone = BacktestPolicies(
        test_year=policies.test_year,
        expected=expected,
        premium=policies.premium,
        actual=policies.actual,
        tier=policies.tier,
        hazard_class=policies.hazard_class,
        exposure=policies.exposure,
    )
    return {
        "actual_to_expected": actual_to_expected(alone),
        "lift": lift(alone),
        "lorenz": lorenz(alone),
        "calibration": calibration(alone),
    }
