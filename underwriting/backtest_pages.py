"""The rolling backtest's page and its summary lines, from its metrics (``backtests``).

The page is ``pricing.backtest_report.render_html``'s, with one more section before the
definitions: the rolling calibrations, every model side by side — the hazard-class-only
refit among them, which ``render_html`` has no place for — and the development to ultimate.
The numbers are written by ``pricing.backtest_tables``' functions, every text escaped.
``write_backtest`` writes the metrics and the page, ``summary`` says them in a few lines.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pricing.backtest_report import render_html
from pricing.backtest_tables import amount_text, escape, interval_text, ratio_text
from underwriting.errors import InvalidInput

__all__ = ["backtest_html", "summary", "write_backtest"]

REFERENCE_NAMES = {
    "calibrated": "rolling calibration",
    "hazard_class_only": "hazard class only",
}
DEFINITIONS = (
    "Actual: each policy's case incurred on the evaluation date developed by its policy "
    "year's chain-ladder factor to ultimate (volume-weighted, no tail). The policies are "
    "claims-made: a policy year has no claim still to come, only the development of those "
    "made.",
    "Expected: the model's E[S∧A] + defence outside the limits at experience mod 1 for the "
    "term, on the book of the engagements the term saw (audit basis) or that the quote knew "
    "(quote basis). Exposure: hundreds of employee-years of the clients served in the term.",
    "Rolling calibration: for test year Y, the model calibrated on the history as seen on 31 "
    "December of Y − 2. Hazard class only: the same refitted with every hazard-metric and "
    "service-quality coefficient 0 — class rates and one liability probability.",
    "Tier: as quoted. Hazard class: the class of most of the exposure.",
)


def backtest_html(metrics: Mapping[str, Any]) -> str:
    """The page: ``render_html``'s plus the rolling section (module docstring)."""
    rolling = metrics["rolling"]
    years = f"{rolling['first_year']}–{rolling['last_year']}"
    page = render_html(
        metrics,
        title=f"Rolling-origin backtest, test years {years}",
        subtitle=f"Evaluated {rolling['evaluated']}; expected losses on the "
        f"{rolling['basis']} basis.",
        labels=rolling["labels"],
    )
    section = (
        '<section id="rolling"><h2>Rolling calibrations and reference models</h2>'
        + _models_table(metrics)
        + _calibrations_table(rolling["calibrations"])
        + _development_table(rolling["development"])
        + "<ul>"
        + "".join(f"<li>{escape(text)}</li>" for text in DEFINITIONS)
        + "</ul></section>\n"
    )
    marker = '<section id="method">'
    at = page.find(marker)
    at = at if at >= 0 else page.rindex("</body>")
    return page[:at] + section + page[at:]


def model_rows(metrics: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, metrics block) of every model: current, candidate, then the references (the
    rolling calibration only when it is not the candidate)."""
    rolling = metrics["rolling"]
    rows = [(rolling["labels"][m], block) for m, block in metrics["models"].items()]
    for name, block in rolling["references"].items():
        if name == "calibrated" and rolling["labels"].get("candidate") == REFERENCE_NAMES[name]:
            continue
        rows.append((REFERENCE_NAMES[name], block))
    return rows


def summary(metrics: Mapping[str, Any]) -> str:
    """A few lines for the terminal: A/E with its interval and the Gini of every model, A/E
    by test year, and the calibrations that failed."""
    rolling = metrics["rolling"]
    lines = [
        f"rolling-origin backtest {rolling['first_year']}–{rolling['last_year']}: "
        f"{metrics['policies']} policies, evaluated {rolling['evaluated']}, expected on the "
        f"{rolling['basis']} basis"
    ]
    for name, block in model_rows(metrics):
        overall = block["actual_to_expected"]["overall"]
        lines.append(
            f"  {name:<28} A/E {ratio_text(overall['ae'])} "
            f"({interval_text(overall['ae_low'], overall['ae_high'])})  "
            f"Gini {ratio_text(block['lorenz']['gini'])}"
        )
    models = list(metrics["models"])
    names = [rolling["labels"][m] for m in models]
    lines.append("A/E by test year  policies  " + "  ".join(f"{n:>22}" for n in names))
    tables = [metrics["models"][m]["actual_to_expected"]["test_year"] for m in models]
    for cells in zip(*tables, strict=True):
        values = "  ".join(f"{ratio_text(c['ae']):>22}" for c in cells)
        lines.append(f"  {cells[0]['key']:<15} {cells[0]['policies']:>8}  {values}")
    for note in rolling["calibrations"]:
        if note["failed"]:
            lines.append(
                f"  {note['test_year']}: calibration as of {note['as_of']} failed, "
                f"kept {note['kept']}: {note['failed']}"
            )
    return "\n".join(lines)


def _models_table(metrics: Mapping[str, Any]) -> str:
    head = ["Model", "Expected", "A/E", "95% interval", "Gini", "Lift", "Calibration slope"]
    rows = []
    for name, block in model_rows(metrics):
        overall = block["actual_to_expected"]["overall"]
        rows.append(
            [
                name,
                amount_text(overall["expected"]),
                ratio_text(overall["ae"]),
                interval_text(overall["ae_low"], overall["ae_high"]),
                ratio_text(block["lorenz"]["gini"]),
                ratio_text(block["lift"]["lift"]),
                ratio_text(block["calibration"]["slope"]),
            ]
        )
    return "<h3>Every model</h3>" + _table(head, rows)


def _calibrations_table(notes: list[Mapping[str, Any]]) -> str:
    head = ["Test year", "Calibrated as of", "Model", "Liable claims", "Held at 0", "Note"]
    rows = [
        [
            str(n["test_year"]),
            n["as_of"],
            n["version"] or n["kept"],
            str(n.get("liable_claims", "—")),
            ", ".join(n.get("held_at_zero", [])) or "—",
            f"calibration failed, kept {n['kept']}: {n['failed']}" if n["failed"] else "",
        ]
        for n in notes
    ]
    return "<h3>Calibrations</h3>" + _table(head, rows)


def _development_table(development: list[Mapping[str, Any]]) -> str:
    head = ["Policy year", "Case incurred", "Ultimate", "Factor"]
    rows = [
        [str(d["origin"]), amount_text(d["incurred"]), amount_text(d["ultimate"]),
         ratio_text(d["factor"])]
        for d in development
    ]  # fmt: skip
    return "<h3>Development to ultimate (chain ladder, policy year)</h3>" + _table(head, rows)


def _table(head: list[str], rows: list[list[str]]) -> str:
    heading = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{heading}</tr></thead><tbody>{body}</tbody></table>"


def write_backtest(metrics: Mapping[str, Any], html: str, directory: Path) -> list[Path]:
    """``directory/metrics.json`` and ``directory/report.html``, whole or not at all: both
    are written under temporary names first, then renamed. An unwritable directory is an
    ``InvalidInput`` naming ``out``."""
    texts = {"metrics.json": json.dumps(metrics, indent=1, ensure_ascii=False), "report.html": html}
    written = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = {name: directory / f".{name}.partial" for name in texts}
        for name, text in texts.items():
            partial[name].write_text(text, encoding="utf-8")
        for name, path in partial.items():
            written.append(path.replace(directory / name))
    except OSError as error:
        raise InvalidInput("out", str(directory), f"cannot be written: {error}") from None
    return written
