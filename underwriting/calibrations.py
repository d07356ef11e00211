"""Calibrate a draft rating model on an insured history as of a date (issue 6, item 4).

The history is the demo market's (``fixtures/demo`` or a generated market, with the insured
history drawn on top of it by ``underwriting.demo_market.insured``), seen as an actuary sees
it on ``as_of``; ``calibration_inputs`` develops it and ``pricing.calibration`` fits it. The
draft document and its diagnostics are written as JSON for an actuary to review and publish
(``POST /v1/rating-models``), where a second actuary approves it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pricing import RatingModel
from pricing.calibration import Calibration, calibrate
from underwriting.calibration_inputs import calibration_data
from underwriting.demo_market import Market, read_market
from underwriting.demo_market.insured import InsuredHistory, insured_history
from underwriting.errors import InvalidInput

DEMO_MARKET = Path(__file__).resolve().parents[1] / "fixtures" / "demo"


@dataclass(frozen=True)
class HistorySource:
    """Where the history comes from: a market directory (default the committed demo set)."""

    market: Path = DEMO_MARKET

    def history(self) -> InsuredHistory:
        return insured_history(self.read())

    def read(self) -> Market:
        if not (self.market / "truth.json").exists():
            raise InvalidInput("market", str(self.market), "is not a market directory")
        return read_market(self.market)


def calibrate_history(
    history: InsuredHistory,
    *,
    as_of: date,
    base: RatingModel | None = None,
    version: str | None = None,
) -> Calibration:
    """A draft model calibrated on ``history`` as seen on ``as_of``, effective the next day."""
    first = date(history.first_year, 1, 1)
    if as_of < first + timedelta(days=365):
        raise InvalidInput(
            "as_of",
            as_of.isoformat(),
            f"must leave at least a year of history: the data start on {first}",
        )
    base = base or RatingModel.load()
    view = history.as_of(as_of)
    return calibrate(
        calibration_data(view),
        base=base.document,
        version=version or f"cal-{as_of.isoformat()}",
        effective_from=as_of + timedelta(days=1),
        as_of=as_of,
    )


def write_calibration(calibration: Calibration, path: Path) -> None:
    """The draft document and its diagnostics, as one JSON file written whole or not at all."""
    temporary = path.with_name(path.name + ".partial")
    text = json.dumps(
        {"document": calibration.document, "diagnostics": calibration.diagnostics},
        indent=1,
        ensure_ascii=False,
    )
    temporary.write_text(text)
    temporary.replace(path)


def summary(calibration: Calibration) -> str:
    """A few lines an actuary reads first: each fit's size, deviance and AIC, and every
    coefficient with its standard error."""
    d = calibration.diagnostics
    lines = [
        f"{calibration.document['version']} calibrated as of {d['as_of']} from {d['base_version']}"
    ]
    for part in ("frequency", "liability"):
        fit = d[part]
        lines.append(
            f"{part}: n={fit['n_obs']} deviance={fit['deviance']:.1f} "
            f"(null {fit['null_deviance']:.1f}) AIC={fit['aic']:.1f}"
        )
        lines += [
            f"  {row['name']:<40} {row['estimate']:>9.4f} ± {row['se']:.4f}"
            for row in fit["coefficients"]
        ]
        for key in ("kept_without_variation", "held_at_zero"):
            if fit.get(key):
                lines.append(f"  {key.replace('_', ' ')}: {', '.join(fit[key])}")
    fitted = [name for name, fit in d["severity"].items() if "kept" not in fit]
    lines.append(f"severity: refitted {len(fitted)} of {len(d['severity'])} classes")
    lines.append(f"experience: credibility K = {d['experience']['credibility_k']:,.0f} CNY")
    return "\n".join(lines)
