"""The tables of a backtest report as HTML, and the one way each kind of number is written.

Every cell is a number of :func:`pricing.backtest_metrics.backtest_metrics`'s dict put
through one of the ``*_text`` functions, or a key of it; every text is HTML-escaped. Used by
:func:`pricing.backtest_report.render_html`; the charts label with the same functions.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

__all__ = [
    "GROUPINGS",
    "ae_tables",
    "amount_text",
    "count_text",
    "decile_tables",
    "double_lift_tables",
    "escape",
    "interval_text",
    "loss_ratio_tables",
    "percent_text",
    "ratio_text",
    "summary_tables",
]

NONE = "—"
GROUPINGS = {"test_year": "Test year", "tier": "Tier", "hazard_class": "Hazard class"}


def ratio_text(value: float | None) -> str:
    """A ratio (A/E, Gini, slope) to three places; a dash for none.

    >>> ratio_text(1.23456), ratio_text(None)
    ('1.235', '—')
    """
    return NONE if value is None else f"{value:.3f}"


def percent_text(value: float | None) -> str:
    """A loss ratio or share as a percentage to one place.

    >>> percent_text(0.8923)
    '89.2%'
    """
    return NONE if value is None else f"{100 * value:.1f}%"


def amount_text(value: float | None) -> str:
    """CNY to the yuan, with thousands separators.

    >>> amount_text(72446515.8)
    '72,446,516'
    """
    return NONE if value is None else f"{value:,.0f}"


def count_text(value: float | None) -> str:
    """A count, or an exposure to one place when it is not whole.

    >>> count_text(20000), count_text(15006.44)
    ('20,000', '15,006.4')
    """
    if value is None:
        return NONE
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def interval_text(low: float | None, high: float | None) -> str:
    """An interval of ratios.

    >>> interval_text(0.9, 1.25)
    '0.900–1.250'
    """
    return NONE if low is None or high is None else f"{ratio_text(low)}–{ratio_text(high)}"


SUMMARY_ROWS = (
    "Expected losses",
    "A/E",
    "A/E 95% interval",
    "Gini, by predicted loss cost",
    "Ordered Gini, the other model as base",
    "Lift, top / bottom decile (actual)",
    "Deciles out of order",
    "Calibration slope",
    "Calibration slope 95% interval",
)


def summary_tables(metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """Each model's headline figures side by side, then the book's."""
    columns = [_model_summary(metrics, model) for model in metrics["models"]]
    rows = [[label, *cells] for label, *cells in zip(SUMMARY_ROWS, *columns, strict=True)]
    overall = metrics["loss_ratio"]["overall"]
    facts = [
        ["Loss ratio, actual / premium charged", percent_text(overall["loss_ratio"])],
        ["Premium charged", amount_text(overall["premium"])],
        ["Actual losses", amount_text(overall["actual"])],
    ]
    comparison = metrics.get("comparison")
    if comparison:
        facts.append(["Mini-max choice (ordered Gini)", _name(comparison["minimax"], names)])
        facts.append(["Double-lift winner", _name(comparison["double_lift"]["winner"], names)])
    head = ["", *(names[m] for m in metrics["models"])]
    return _table(head, rows, labelled=True) + _table(["Book", ""], facts, labelled=True)


def _model_summary(metrics: Mapping[str, Any], model: str) -> list[str | tuple[str, str]]:
    results = metrics["models"][model]
    overall, fit = results["actual_to_expected"]["overall"], results["calibration"]
    ordered = NONE
    if metrics.get("comparison"):
        entries = metrics["comparison"]["ordered_lorenz"]
        ordered = ratio_text(next(e for e in entries if e["score"] == model)["gini"])
    return [
        amount_text(overall["expected"]),
        _ae_text(overall),
        _interval(overall),
        ratio_text(results["lorenz"]["gini"]),
        ordered,
        ratio_text(results["lift"]["lift"]),
        count_text(results["lift"]["reversals"]),
        ratio_text(fit["slope"]),
        interval_text(fit["slope_low"], fit["slope_high"]),
    ]


def ae_tables(metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """A/E by test year, tier and hazard class, the models side by side."""
    models = list(metrics["models"])
    groups = [("", 5), *((names[m], 3) for m in models)]
    parts = []
    for grouping, heading in GROUPINGS.items():
        tables = [metrics["models"][m]["actual_to_expected"][grouping] for m in models]
        head = [heading, "Policies", "With a loss", "Exposure", "Actual"]
        head += ["Expected", "A/E", "95% interval"] * len(models)
        rows = []
        for cells in zip(*tables, strict=True):
            first = cells[0]
            row = [str(first["key"]), count_text(first["policies"]), count_text(first["losses"])]
            row += [count_text(first["exposure"]), amount_text(first["actual"])]
            for cell in cells:
                row += [amount_text(cell["expected"]), _ae_text(cell), _interval(cell)]
            rows.append(row)
        table = _table(head, rows, groups=groups)
        parts.append(f"<h3>By {escape(heading.lower())}</h3>{table}")
    return "".join(parts)


def decile_tables(metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """Each model's deciles: loss costs, relativities (the lift) and A/E (the calibration)."""
    head = ["Decile", "Policies", "Exposure", "Predicted", "Actual", "Predicted", "Actual"]
    head += ["A/E", "95% interval"]
    groups = [("", 3), ("Loss cost", 2), ("Relativity", 2), ("", 2)]
    parts = []
    for model, results in metrics["models"].items():
        rows = [
            [str(c["key"]), count_text(c["policies"]), count_text(c["exposure"]),
             amount_text(c["predicted_loss_cost"]), amount_text(c["actual_loss_cost"]),
             ratio_text(c["predicted_relativity"]), ratio_text(c["actual_relativity"]),
             _ae_text(c), _interval(c)]
            for c in results["actual_to_expected"]["decile"]
        ]  # fmt: skip
        table = _table(head, rows, groups=groups)
        parts.append(f"<h3>{escape(names[model])}</h3>{table}")
    return "".join(parts)


def double_lift_tables(metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The double-lift deciles, then each model's misallocation and deciles won."""
    comparison = metrics.get("comparison")
    if not comparison:
        return "<p>No candidate model was given.</p>"
    lift = comparison["double_lift"]
    current, candidate = names["current"], names["candidate"]
    head = ["Decile", f"{candidate} / {current}", "Policies", "Actual"]
    head += [current, candidate] * 3
    groups = [("", 4), ("Expected", 2), ("A/E", 2), ("A/E rebalanced", 2)]
    rows = [
        [str(r["key"]), ratio_text(r["candidate_to_current"]), count_text(r["policies"]),
         amount_text(r["actual"]), amount_text(r["expected_current"]),
         amount_text(r["expected_candidate"]), ratio_text(r["ae_current"]),
         ratio_text(r["ae_candidate"]), ratio_text(r["ae_current_rebalanced"]),
         ratio_text(r["ae_candidate_rebalanced"])]
        for r in lift["deciles"]
    ]  # fmt: skip
    totals = [
        [names[m], percent_text(lift["misallocation"][m]), count_text(lift["deciles_won"][m])]
        for m in ("current", "candidate")
    ]
    totals_table = _table(["Model", "Misallocation", "Deciles won"], totals, labelled=True)
    return _table(head, rows, groups=groups) + totals_table


def loss_ratio_tables(metrics: Mapping[str, Any]) -> str:
    """Loss ratios by test year, tier and hazard class, each with the book's total."""
    ratios = metrics["loss_ratio"]
    parts = []
    for grouping, heading in GROUPINGS.items():
        rows = [
            [str(c["key"]), count_text(c["policies"]), amount_text(c["premium"]),
             amount_text(c["actual"]), percent_text(c["loss_ratio"])]
            for c in [*ratios[grouping], ratios["overall"] | {"key": "Total"}]
        ]  # fmt: skip
        head = [heading, "Policies", "Premium", "Actual", "Loss ratio"]
        parts.append(f"<h3>By {escape(heading.lower())}</h3>" + _table(head, rows))
    return "".join(parts)


def escape(text: Any) -> str:
    """Text made safe for HTML, quotes included.

    >>> escape('<b title="x">&</b>')
    '&lt;b title=&quot;x&quot;&gt;&amp;&lt;/b&gt;'
    """
    return html.escape(str(text), quote=True)


Cell = str | tuple[str, str]


def _table(
    head: list[str],
    rows: list[list[Cell]],
    *,
    groups: list[tuple[str, int]] | None = None,
    labelled: bool = False,
) -> str:
    """A table; ``groups`` puts a row of spanning headings (text, columns) above ``head``;
    ``labelled`` makes the first cell of each row its heading (a label, not a number)."""
    over = ""
    if groups:
        spans = "".join(f'<th colspan="{n}">{escape(text)}</th>' for text, n in groups)
        over = f'<tr class="groups">{spans}</tr>'
    heading = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(_row(row, labelled=labelled) for row in rows)
    return (
        f'<div class="table"><table><thead>{over}<tr>{heading}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _row(cells: list[Cell], *, labelled: bool) -> str:
    if not labelled:
        return "<tr>" + "".join(_td(c) for c in cells) + "</tr>"
    label, *rest = cells
    return f'<tr><th scope="row">{escape(label)}</th>' + "".join(_td(c) for c in rest) + "</tr>"


def _td(cell: Cell) -> str:
    if isinstance(cell, tuple):
        return f'<td class="{escape(cell[1])}">{escape(cell[0])}</td>'
    return f"<td>{escape(cell)}</td>"


def _ae_text(cell: Mapping[str, Any]) -> Cell:
    """The A/E, marked ``off`` when its interval excludes 1."""
    text = ratio_text(cell["ae"])
    low, high = cell["ae_low"], cell["ae_high"]
    return (text, "off") if low is not None and not low <= 1 <= high else text


def _interval(cell: Mapping[str, Any]) -> str:
    return interval_text(cell["ae_low"], cell["ae_high"])


def _name(model: str | None, names: Mapping[str, str]) -> str:
    return NONE if model is None else names.get(model, model)
