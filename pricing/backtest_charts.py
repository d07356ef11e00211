"""The charts of a backtest report, drawn by matplotlib as SVG from the metrics dict.

matplotlib's object API (``Figure``), never ``pyplot``: no global figure registry, no GUI
backend and nothing left behind in the process — the way matplotlib's own documentation
says to draw in a server. The style is matplotlib's default plus :data:`RC`, applied inside
an ``rc_context`` so a user's matplotlibrc changes nothing and nothing leaks out. Output is
byte-for-byte repeatable: ``svg.hashsalt`` fixes the ids, and the date and creator are left
out of the metadata. Glyphs are drawn as paths (DejaVu Sans, shipped with matplotlib), so a
chart looks the same in any browser and in print.

Colours are the Okabe–Ito palette, told apart by readers with colour-blindness, and each
model also has its own marker.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.figure import Figure

from pricing.backtest_tables import ratio_text

__all__ = ["RC", "draw_charts"]

RC = {
    "svg.hashsalt": "secondlock-backtest",
    "svg.fonttype": "path",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "legend.frameon": False,
}
COLOUR = {"current": "#0072B2", "candidate": "#D55E00", "actual": "#000000"}
MARKER = {"current": "o", "candidate": "s"}
OFFSET = {"current": -0.12, "candidate": 0.12}
METADATA = {"Date": None, "Creator": None}
SIZE = (7.5, 3.4)


def draw_charts(
    metrics: Mapping[str, Any], *, names: Mapping[str, str]
) -> list[tuple[str, str, bytes]]:
    """``(name, caption, svg)`` for each chart the metrics have data for."""
    charts = [
        ("ae-by-decile", _ae_by_decile),
        ("lift", _lift),
        ("double-lift", _double_lift),
        ("lorenz", _lorenz),
        ("calibration", _calibration),
        ("ae-by-year", _ae_by_year),
    ]
    drawn = []
    with matplotlib.rc_context():
        matplotlib.style.use("default")
        matplotlib.rcParams.update(RC)
        for name, draw in charts:
            figure = Figure(figsize=SIZE, layout="constrained")
            caption = draw(figure, metrics, names)
            if caption is not None:
                drawn.append((name, caption, _svg(figure)))
    return drawn


def _ae_by_decile(figure: Figure, metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    axes = figure.subplots()
    for model in metrics["models"]:
        cells = metrics["models"][model]["actual_to_expected"]["decile"]
        _ae_points(axes, model, names[model], cells, np.array([c["key"] for c in cells]))
    axes.axhline(1.0, color="#555555", linewidth=1)
    axes.set_xticks(range(1, 11))
    axes.set(xlabel="Decile of the model's predicted loss cost (1 = lowest)", ylabel="A/E")
    axes.legend()
    return "Actual to expected by decile of each model's predicted loss cost, 95% intervals."


def _lift(figure: Figure, metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    models = list(metrics["models"])
    panels = figure.subplots(1, len(models), sharey=True, squeeze=False)[0]
    for axes, model in zip(panels, models, strict=True):
        results = metrics["models"][model]
        cells = results["actual_to_expected"]["decile"]
        keys = [c["key"] for c in cells]
        predicted = [_nan(c["predicted_relativity"]) for c in cells]
        actual = [_nan(c["actual_relativity"]) for c in cells]
        axes.plot(
            keys, predicted, "--", marker=MARKER[model], color=COLOUR[model], label="predicted"
        )
        axes.plot(keys, actual, "-", marker=".", color=COLOUR["actual"], label="actual")
        axes.set_title(f"{names[model]}: lift {ratio_text(results['lift']['lift'])}")
        axes.set_xticks(range(1, 11))
        axes.set(xlabel="Decile of predicted loss cost")
        axes.legend()
    figure.axes[0].set(ylabel="Loss cost / book average")
    return "Lift: predicted and actual loss cost by decile, relative to the book's average."


def _double_lift(figure: Figure, metrics: Mapping[str, Any], names: Mapping[str, str]) -> Any:
    comparison = metrics.get("comparison")
    if not comparison:
        return None
    lift = comparison["double_lift"]
    axes = figure.subplots()
    keys = np.array([row["key"] for row in lift["deciles"]])
    for model in ("current", "candidate"):
        values = [_nan(row[f"ae_{model}_rebalanced"]) for row in lift["deciles"]]
        axes.plot(keys, values, marker=MARKER[model], color=COLOUR[model], label=names[model])
    axes.axhline(1.0, color="#555555", linewidth=1)
    axes.set_xticks(range(1, 11))
    axes.set(
        xlabel=f"Decile of {names['candidate']} / {names['current']} expected loss",
        ylabel="A/E, rebalanced",
    )
    axes.legend()
    winner = lift["winner"]
    verdict = "no winner" if winner is None else f"winner: {names.get(winner, winner)}"
    return f"Double lift: each model's rebalanced A/E by decile of the ratio of the two; {verdict}."


def _lorenz(figure: Figure, metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    comparison = metrics.get("comparison")
    panels = figure.subplots(1, 2 if comparison else 1, squeeze=False)[0]
    plain = [(e["lorenz"], names[m], m) for m, e in metrics["models"].items()]
    _lorenz_panel(panels[0], plain, xlabel="Share of exposure, by predicted loss cost")
    panels[0].set_title("Lorenz curves")
    if comparison:
        ordered = [
            (e, f"{names[e['score']]} on {names[e['base']]}", e["score"])
            for e in comparison["ordered_lorenz"]
        ]
        _lorenz_panel(panels[1], ordered, xlabel="Share of base premium, by score / base")
        panels[1].set_title("Ordered Lorenz curves")
    return "Lorenz curves: share of actual loss against share of exposure (or base premium)."


def _lorenz_panel(axes: Any, curves: list, *, xlabel: str) -> None:
    axes.plot([0, 1], [0, 1], color="#555555", linewidth=1, label="line of equality")
    for entry, label, model in curves:
        if entry["curve"] is None:
            continue
        curve = entry["curve"]
        axes.plot(
            curve["base_share"], curve["loss_share"], color=COLOUR[model],
            label=f"{label} (Gini {ratio_text(entry['gini'])})",
        )  # fmt: skip
    axes.set(xlim=(0, 1), ylim=(0, 1), xlabel=xlabel, ylabel="Share of actual loss")
    axes.set_aspect("equal")
    axes.legend(loc="upper left", fontsize=8)


def _calibration(figure: Figure, metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    axes = figure.subplots()
    top = 0.0
    for model, results in metrics["models"].items():
        cells = results["actual_to_expected"]["decile"]
        predicted = np.array([c["predicted_loss_cost"] for c in cells])
        actual = np.array([c["actual_loss_cost"] for c in cells])
        low = np.array([_nan(c["ae_low"]) for c in cells]) * predicted
        high = np.array([_nan(c["ae_high"]) for c in cells]) * predicted
        slope = ratio_text(results["calibration"]["slope"])
        axes.errorbar(
            predicted, actual, yerr=[actual - low, high - actual], fmt=MARKER[model],
            color=COLOUR[model], capsize=3, label=f"{names[model]} (slope {slope})",
        )  # fmt: skip
        top = max(top, float(np.nanmax(predicted)), float(np.nanmax(actual)))
    axes.plot([0, top], [0, top], color="#555555", linewidth=1, label="actual = predicted")
    axes.set(xlabel="Predicted loss cost (CNY per unit of exposure)", ylabel="Actual loss cost")
    axes.legend()
    return "Calibration: actual against predicted loss cost by decile, 95% intervals."


def _ae_by_year(figure: Figure, metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    axes = figure.subplots()
    years = metrics["test_years"]
    for model, results in metrics["models"].items():
        cells = results["actual_to_expected"]["test_year"]
        positions = np.array([years.index(c["key"]) for c in cells], dtype=float)
        _ae_points(axes, model, names[model], cells, positions)
    axes.axhline(1.0, color="#555555", linewidth=1)
    axes.set_xticks(range(len(years)), [str(y) for y in years])
    axes.set(xlabel="Test year", ylabel="A/E")
    axes.legend()
    return "Actual to expected by test year, 95% intervals."


def _ae_points(axes: Any, model: str, label: str, cells: list, x: np.ndarray) -> None:
    ae = np.array([_nan(c["ae"]) for c in cells])
    low = np.array([_nan(c["ae_low"]) for c in cells])
    high = np.array([_nan(c["ae_high"]) for c in cells])
    axes.errorbar(
        x + OFFSET[model], ae, yerr=[ae - low, high - ae], fmt=MARKER[model],
        color=COLOUR[model], capsize=3, label=label,
    )  # fmt: skip


def _nan(value: float | None) -> float:
    return np.nan if value is None else value


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata=METADATA)
    return buffer.getvalue()
