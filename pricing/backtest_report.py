"""The backtest as one self-contained HTML page for a pricing committee.

:func:`render_html` turns the dict of :func:`pricing.backtest_metrics.backtest_metrics` into
a page with a summary, the charts (SVG drawn by matplotlib, inlined as ``data:`` images, so
the file needs nothing else to open or print), the tables behind them
(:mod:`pricing.backtest_tables`) and the definitions. Every number on it is a number of the
metrics; every text is HTML-escaped. The same metrics give the same bytes: no clock is read,
and the charts' SVG ids and metadata are fixed (:mod:`pricing.backtest_charts`).

matplotlib is imported by :func:`render_html` only, so ``import pricing`` stays light and the
API workers never load it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from pricing.backtest_tables import (
    ae_tables,
    count_text,
    decile_tables,
    double_lift_tables,
    loss_ratio_tables,
    summary_tables,
)
from pricing.backtest_tables import escape as _e

__all__ = ["render_html"]

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans SC",sans-serif;
color:#1b1b1b;max-width:1100px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ccc}
.lede{color:#444}table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:13px}
th,td{padding:3px 9px;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{border-bottom:2px solid #888}
tbody tr:nth-child(even){background:#f7f7f7}td.off{font-weight:600;color:#a33}
tr.groups th{text-align:center;border-bottom:1px solid #bbb}div.table{overflow-x:auto}
tbody th{font-weight:normal;text-align:left}
figure{margin:1.2em 0;page-break-inside:avoid}figure img{width:100%;max-width:900px}
figcaption{color:#444;font-size:13px}.method li{margin:.3em 0}
"""
METHOD = (
    "Actual: the policy's losses developed to ultimate. Expected: the model's expected loss "
    "for the policy, the model calibrated on data through two years before the test year.",
    "A/E: Σ actual / Σ expected. Its standard error is that of a ratio estimator "
    "(linearised; Cochran, Sampling Techniques, 1977, §6.3); the 95% interval is "
    "A/E · exp(±1.96 se / A/E). Bold red: the interval excludes 1. A cell without a loss "
    "has no interval.",
    "Deciles: policies sorted by the model's predicted loss cost (expected / exposure), ten "
    "groups of equal exposure; tied predictions stay together (Goldburd, Khare, Tevet & "
    "Guller, Generalized Linear Models for Insurance Rating, CAS Monograph 5, 2nd ed. 2020, "
    "§7.2). Lift: actual loss cost of the top decile over the bottom one; reversals: deciles "
    "whose actual loss cost is below the one before.",
    "Gini: twice the area between the line of equality and the Lorenz curve of policies "
    "ordered by predicted loss cost (cumulative exposure against cumulative actual loss). "
    "Ordered Gini: the same with one model's expected loss as the base premium and the "
    "other's as the score, ordered by score / base (Frees, Meyers & Cummings, JASA 106, "
    "2011); the mini-max choice is the model whose Gini against it is smaller.",
    "Double lift: deciles of equal exposure by candidate / current expected loss; each "
    "model's A/E per decile, rebalanced to its overall A/E. Misallocation: Σ |actual − "
    "rebalanced expected| over the deciles as a share of actual; the smaller wins.",
    "Calibration slope: weighted least squares of actual on predicted loss cost over the "
    "policies, with a heteroscedasticity-robust (HC1) interval; 1 is calibrated.",
)


def render_html(
    metrics: Mapping[str, Any],
    *,
    title: str,
    subtitle: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The HTML page of ``metrics``; ``labels`` names the models (``{"current":
    "pl-2026.1"}``), ``subtitle`` is a line under the title (a date, say: none is added)."""
    from pricing.backtest_charts import draw_charts  # matplotlib: only when a page is drawn

    names = {model: (labels or {}).get(model, model) for model in metrics["models"]}
    figures = "".join(_figure(*chart) for chart in draw_charts(metrics, names=names))
    head = f"<h1>{_e(title)}</h1>" + (f'<p class="lede">{_e(subtitle)}</p>' if subtitle else "")
    body = [
        f'<header>{head}<p class="lede">{_e(_scope(metrics))}</p></header>',
        _section("summary", "Summary", summary_tables(metrics, names)),
        _section("charts", "Charts", figures),
        _section("actual-to-expected", "Actual to expected", ae_tables(metrics, names)),
        _section("deciles", "Deciles of predicted loss cost", decile_tables(metrics, names)),
        _section("double-lift", "Double lift", double_lift_tables(metrics, names)),
        _section("loss-ratios", "Loss ratios", loss_ratio_tables(metrics)),
        _section("method", "Definitions", _method()),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _scope(metrics: Mapping[str, Any]) -> str:
    years = metrics["test_years"]
    span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return (
        f"{count_text(metrics['policies'])} policies, test years {span}, exposure "
        f"{count_text(metrics['exposure'])}. Amounts in CNY; intervals are 95%."
    )


def _method() -> str:
    items = "".join(f"<li>{_e(text)}</li>" for text in METHOD)
    return f'<ul class="method">{items}</ul>'


def _figure(name: str, caption: str, svg: bytes) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return (
        f'<figure id="chart-{_e(name)}"><img alt="{_e(caption)}" '
        f'src="data:image/svg+xml;base64,{data}"><figcaption>{_e(caption)}</figcaption></figure>'
    )


def _section(anchor: str, heading: str, content: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(heading)}</h2>{content}</section>'
