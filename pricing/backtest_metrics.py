"""The metrics of a pricing backtest, as JSON-native dicts: actual-to-expected by cell, loss
ratios, lift, double lift, the (ordered) Lorenz curve and Gini, and calibration (issue 6).

:func:`backtest_metrics` takes :class:`~pricing.backtest_policies.BacktestPolicies` and
returns everything :func:`pricing.backtest_report.render_html` shows::

    {"schema": "secondlock.backtest-metrics/1", "policies": n, "exposure": Σw,
     "test_years": [...], "interval_level": 0.95,
     "loss_ratio": {"overall": lr, "test_year": [lr...], "tier": [...], "hazard_class": [...]},
     "models": {"current": model, "candidate": model (only with a candidate)},
     "comparison": None | {"ordered_lorenz": [...], "minimax": ..., "double_lift": {...}}}

    model = {"actual_to_expected": {"overall": ae, "test_year": [ae...], "tier": [...],
                                    "hazard_class": [...], "decile": [ae + loss costs...]},
             "lift": {...}, "lorenz": {...}, "calibration": {...}}
    ae = {"key", "policies", "losses", "exposure", "actual", "expected",
          "ae", "ae_se", "ae_low", "ae_high"}           lr = {"key", "policies", "premium",
                                                              "actual", "loss_ratio"}

Amounts are CNY; numbers that do not exist (a ratio over zero) are ``None``.

**A/E interval.** A/E is the ratio estimator ``Σ actual / Σ expected``; its standard error is
the linearised (delta-method) one of a ratio of sums, ``√(n/(n−1) · Σ (aᵢ − r eᵢ)²) / Σ e``
(Cochran, *Sampling Techniques*, 3rd ed. 1977, §6.3), which needs no severity model and, for
a line where few policies have a loss, is close to the compound-Poisson ``√(Σ aᵢ²) / Σ e``.
The 95% interval is taken on the log scale, ``r · exp(±1.96 se / r)``, so it stays above 0
and is wider above than below as ratios of skewed losses are. A cell without a loss has none.

**Deciles** are of the model's predicted loss cost ``expected / exposure`` (of ``expected``
when no exposure is given), each holding a tenth of the exposure (:func:`deciles`).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pricing.backtest_policies import BacktestPolicies, relativity
from pricing.backtest_ranking import (
    INTERVAL_Z,
    calibration_slope,
    curve_on_grid,
    deciles,
    gini_index,
    ordered_lorenz,
)

__all__ = [
    "SCHEMA",
    "actual_to_expected",
    "backtest_metrics",
    "calibration",
    "double_lift",
    "lift",
    "lorenz",
    "loss_ratios",
    "model_comparison",
]

SCHEMA = "secondlock.backtest-metrics/1"
GROUPINGS = ("test_year", "tier", "hazard_class")


def backtest_metrics(policies: BacktestPolicies) -> dict[str, Any]:
    """Every metric of the backtest, for each model, as one JSON-native dict (see above).

    >>> policies = BacktestPolicies(
    ...     test_year=[2024, 2024, 2025], expected=[1.0, 2.0, 3.0], premium=[2.0, 3.0, 4.0],
    ...     actual=[0.0, 3.0, 3.0], tier=["A", "B", "B"], hazard_class=["mining"] * 3)
    >>> metrics = backtest_metrics(policies)
    >>> metrics["models"]["current"]["actual_to_expected"]["overall"]["ae"]
    1.0
    >>> metrics["loss_ratio"]["overall"]["loss_ratio"], metrics["comparison"]
    (0.6666666666666666, None)
    """
    return {
        "schema": SCHEMA,
        "policies": policies.size,
        "exposure": float(policies.exposure.sum()),
        "test_years": [int(y) for y in np.unique(policies.test_year)],
        "interval_level": 0.95,
        "loss_ratio": loss_ratios(policies),
        "models": {
            model: {
                "actual_to_expected": actual_to_expected(policies, model=model),
                "lift": lift(policies, model=model),
                "lorenz": lorenz(policies, model=model),
                "calibration": calibration(policies, model=model),
            }
            for model in policies.models
        },
        "comparison": model_comparison(policies) if len(policies.models) > 1 else None,
    }


def actual_to_expected(policies: BacktestPolicies, *, model: str = "current") -> dict[str, Any]:
    """A/E of ``model`` overall and by test year, tier, hazard class and predicted decile."""
    expected, exposure, actual = policies.predicted(model), policies.exposure, policies.actual
    overall = _ae_cells(np.zeros(policies.size), actual, expected, exposure)[0] | {"key": "all"}
    tables = {g: _ae_cells(getattr(policies, g), actual, expected, exposure) for g in GROUPINGS}
    return {"overall": overall, **tables, "decile": _decile_cells(policies, expected)}


def loss_ratios(policies: BacktestPolicies) -> dict[str, Any]:
    """``Σ actual / Σ premium`` overall and by test year, tier and hazard class."""
    tables = {
        grouping: _loss_ratio_cells(getattr(policies, grouping), policies) for grouping in GROUPINGS
    }
    overall = _loss_ratio_cells(np.zeros(policies.size), policies)[0] | {"key": "all"}
    return {"overall": overall, **tables}


def lift(policies: BacktestPolicies, *, model: str = "current") -> dict[str, Any]:
    """The CAS monograph's three readings of a quantile plot (Goldburd et al. 2020, §7.2.1):
    the ``lift`` (actual loss cost of the top decile over the bottom one; the predicted
    ``predicted_lift`` beside it), ``reversals`` (deciles whose actual loss cost is below
    the one before: 0 is monotone) — and accuracy, which is the deciles' A/E."""
    cells = _decile_cells(policies, policies.predicted(model))
    actual = [cell["actual_loss_cost"] for cell in cells]
    return {
        "lift": _ratio(actual[-1], actual[0]),
        "predicted_lift": _ratio(cells[-1]["predicted_loss_cost"], cells[0]["predicted_loss_cost"]),
        "reversals": sum(1 for low, high in itertools.pairwise(actual) if high < low),
        "deciles": len(cells),
    }


def lorenz(policies: BacktestPolicies, *, model: str = "current") -> dict[str, Any]:
    """The plain Lorenz curve and Gini of ``model``: its expected loss as the score, the
    exposure as the base (1 per policy when none), i.e. policies by predicted loss cost."""
    return _lorenz_entry(policies, score=model, base="exposure")


def calibration(policies: BacktestPolicies, *, model: str = "current") -> dict[str, Any]:
    """Slope and intercept of actual on predicted loss cost with a 95% interval of the slope
    (:func:`pricing.backtest_ranking.calibration_slope`); the deciles' predicted against
    actual loss costs are in ``actual_to_expected["decile"]``."""
    fit = calibration_slope(policies.actual, policies.predicted(model), weight=policies.exposure)
    slope, se = fit["slope"], fit["slope_se"]
    low, high = (None, None) if se is None else (slope - INTERVAL_Z * se, slope + INTERVAL_Z * se)
    return fit | {"slope_low": low, "slope_high": high}


def model_comparison(policies: BacktestPolicies) -> dict[str, Any]:
    """The candidate against the current model: each one's ordered Lorenz curve and Gini on
    the other as base premium, the mini-max choice of Frees, Meyers & Cummings (2011, §5:
    the model whose largest Gini against it is smallest is hardest to improve on), and the
    double lift."""
    pairs = [("candidate", "current"), ("current", "candidate")]
    ordered = [_lorenz_entry(policies, score=s, base=b) for s, b in pairs]
    against_current, against_candidate = (entry["gini"] for entry in ordered)
    minimax = None
    if None not in (against_current, against_candidate) and against_current != against_candidate:
        minimax = "current" if against_current < against_candidate else "candidate"
    return {"ordered_lorenz": ordered, "minimax": minimax, "double_lift": double_lift(policies)}


def double_lift(policies: BacktestPolicies) -> dict[str, Any]:
    """Double lift (Goldburd et al. 2020, §7.2.2): deciles of equal exposure by the sort
    ratio candidate / current expected; per decile the A/E of each model, raw and
    *rebalanced* (divided by the model's overall A/E, so that a difference of overall level
    — corrected by a base rate — does not hide how well each model segments). The
    ``winner`` misplaces less loss across the deciles once rebalanced:
    ``misallocation = Σ_d |A_d − k·E_d| / Σ A`` with ``k = Σ A / Σ E``; ``deciles_won``
    counts the deciles where each model's rebalanced A/E is strictly closer to 1."""
    current, candidate = policies.expected, policies.predicted("candidate")
    ratio = relativity(candidate, current)
    decile = deciles(ratio, weight=policies.exposure)
    table = _ae_cells(decile, policies.actual, current, policies.exposure)
    candidate_table = _ae_cells(decile, policies.actual, candidate, policies.exposure)
    levels = {
        m: _ratio(policies.actual.sum(), policies.predicted(m).sum()) for m in policies.models
    }
    rows = [_double_lift_row(c, k, levels) for c, k in zip(table, candidate_table, strict=True)]
    miss = {m: _misallocation(rows, m, levels[m], policies.actual.sum()) for m in levels}
    won = {m: sum(1 for row in rows if _closer(row, m)) for m in levels}
    winner = None
    if None not in miss.values():
        tie = math.isclose(miss["current"], miss["candidate"], rel_tol=1e-12, abs_tol=1e-15)
        winner = "tie" if tie else min(miss, key=miss.get)
    return {"deciles": rows, "misallocation": miss, "deciles_won": won, "winner": winner}


def _double_lift_row(current: dict, candidate: dict, levels: dict) -> dict[str, Any]:
    row = {k: current[k] for k in ("key", "policies", "losses", "exposure", "actual")}
    for model, cell in (("current", current), ("candidate", candidate)):
        row[f"expected_{model}"] = cell["expected"]
        row[f"ae_{model}"] = cell["ae"]
        row[f"ae_{model}_rebalanced"] = _ratio(cell["ae"], levels[model])
    row["candidate_to_current"] = _ratio(candidate["expected"], current["expected"])
    return row


def _misallocation(rows: list[dict], model: str, level: float | None, total: float) -> Any:
    if level is None or total <= 0:
        return None
    return float(sum(abs(r["actual"] - level * r[f"expected_{model}"]) for r in rows) / total)


def _closer(row: dict, model: str) -> bool:
    other = "current" if model == "candidate" else "candidate"
    mine, theirs = row[f"ae_{model}_rebalanced"], row[f"ae_{other}_rebalanced"]
    return mine is not None and theirs is not None and abs(mine - 1) < abs(theirs - 1)


def _lorenz_entry(policies: BacktestPolicies, *, score: str, base: str) -> dict[str, Any]:
    base_values = policies.exposure if base == "exposure" else policies.predicted(base)
    loss = policies.actual
    vertices = ordered_lorenz(policies.predicted(score), base=base_values, loss=loss)
    if vertices is None:
        return {"score": score, "base": base, "gini": None, "curve": None}
    gini = gini_index(*vertices)
    return {"score": score, "base": base, "gini": gini, "curve": curve_on_grid(*vertices)}


def _decile_cells(policies: BacktestPolicies, expected: NDArray[np.float64]) -> list[dict]:
    exposure, actual = policies.exposure, policies.actual
    decile = deciles(expected / exposure, weight=exposure)
    cost_level = expected.sum() / exposure.sum(), actual.sum() / exposure.sum()
    cells = _ae_cells(decile, actual, expected, exposure)
    for cell in cells:
        predicted_cost = cell["expected"] / cell["exposure"]
        actual_cost = cell["actual"] / cell["exposure"]
        cell["predicted_loss_cost"], cell["actual_loss_cost"] = predicted_cost, actual_cost
        cell["predicted_relativity"] = _ratio(predicted_cost, cost_level[0])
        cell["actual_relativity"] = _ratio(actual_cost, cost_level[1])
    return cells


def _ae_cells(
    keys: np.ndarray, actual: NDArray, expected: NDArray, exposure: NDArray
) -> list[dict[str, Any]]:
    """One A/E cell per distinct key, in key order, with the interval of the docstring above."""
    levels, group = np.unique(keys, return_inverse=True)
    count = np.bincount(group, minlength=len(levels))
    sums = [np.bincount(group, weights=v, minlength=len(levels)) for v in (actual, expected)]
    total_actual, total_expected = sums
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = total_actual / total_expected
        squares = np.bincount(group, weights=(actual - ratio[group] * expected) ** 2)
        se = np.sqrt(count / (count - 1.0) * squares) / total_expected
    losses = np.bincount(group, weights=actual > 0, minlength=len(levels))
    weight = np.bincount(group, weights=exposure, minlength=len(levels))
    cells = []
    for i, level in enumerate(levels):
        cell = {"key": level.item(), "policies": int(count[i]), "losses": int(losses[i])}
        cell |= {"exposure": float(weight[i]), "actual": float(total_actual[i])}
        cells.append(cell | {"expected": float(total_expected[i])} | _ae(ratio[i], se[i]))
    return cells


def _ae(ratio: float, se: float) -> dict[str, float | None]:
    if not math.isfinite(ratio):
        return {"ae": None, "ae_se": None, "ae_low": None, "ae_high": None}
    if ratio == 0 or not math.isfinite(se):
        return {"ae": float(ratio), "ae_se": None, "ae_low": None, "ae_high": None}
    spread = math.exp(INTERVAL_Z * se / ratio)
    low, high = float(ratio / spread), float(ratio * spread)
    return {"ae": float(ratio), "ae_se": float(se), "ae_low": low, "ae_high": high}


def _loss_ratio_cells(keys: np.ndarray, policies: BacktestPolicies) -> list[dict[str, Any]]:
    levels, group = np.unique(keys, return_inverse=True)
    count = np.bincount(group, minlength=len(levels))
    premium = np.bincount(group, weights=policies.premium, minlength=len(levels))
    actual = np.bincount(group, weights=policies.actual, minlength=len(levels))
    return [
        {"key": level.item(), "policies": int(count[i]), "premium": float(premium[i]),
         "actual": float(actual[i]), "loss_ratio": _ratio(actual[i], premium[i])}
        for i, level in enumerate(levels)
    ]  # fmt: skip


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    value = float(numerator) / float(denominator)
    return value if math.isfinite(value) else None
