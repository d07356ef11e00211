"""Calibrate a draft rating model on an insured history as of a date (issue 6, item 4).

The history is the demo market's (``fixtures/demo`` or a generated market, with the insured
history drawn on top of it by ``underwriting.demo_market.insured``), seen as an actuary sees
it on ``as_of``; ``calibration_inputs`` develops it and ``pricing.calibration`` fits it. The
book's own policies and claims are not yet read back into a history: until they are, the
market directory (``SECONDLOCK_HISTORY_MARKET``) is the source, and every calibration and
backtest records which one it used.

``secondlock calibrate`` writes the draft and its diagnostics as JSON;
``calibrate_and_store`` (``POST /v1/rating-models/calibrations``) stores the draft version
and its diagnostics in one transaction, for a second actuary to approve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from pricing import RatingModel
from pricing.calibration import Calibration, calibrate
from underwriting import rating_models
from underwriting.access import Principal, Resource, require_create
from underwriting.calibration_inputs import calibration_data
from underwriting.db.tables import Calibration as CalibrationRow
from underwriting.db.tables import RatingModel as RatingModelRow
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.demo_market import Market, read_market
from underwriting.demo_market.insured import InsuredHistory, insured_history
from underwriting.errors import InvalidInput

DEMO_MARKET = Path(__file__).resolve().parents[1] / "fixtures" / "demo"


@dataclass(frozen=True)
class HistorySource:
    """Where the history comes from: a market directory (default the committed demo set)."""

    market: Path = DEMO_MARKET

    @classmethod
    def of(cls, configured: str) -> HistorySource:
        """The source a setting names; the committed demo set when it names none."""
        return cls(Path(configured)) if configured else cls()

    @property
    def name(self) -> str:
        return f"market {self.market.name}"

    @property
    def years(self) -> tuple[int, int]:
        """The first and last calendar years of the history (from the market's truth)."""
        arguments = json.loads((self.market / "truth.json").read_text())["arguments"]
        first = int(arguments["first_year"])
        return first, first + int(arguments["years"]) - 1

    def history(self) -> InsuredHistory:
        return _history(self.market.resolve())

    def read(self) -> Market:
        if not (self.market / "truth.json").exists():
            raise InvalidInput("market", str(self.market), "is not a market directory")
        return read_market(self.market)


@cache
def _history(market: Path) -> InsuredHistory:
    """The insured history of a market directory: drawn once per process (about a second
    for the demo set), then shared; it is immutable."""
    return insured_history(HistorySource(market).read())


@dataclass(frozen=True)
class Stored:
    model: RatingModelRow
    calibration: CalibrationRow


def calibrate_and_store(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    *,
    as_of: date,
    version: str | None = None,
    source: HistorySource | None = None,
) -> Stored:
    """Calibrate on ``source``'s history as of ``as_of`` and store the draft version with
    its diagnostics, for a second actuary to approve."""
    require_create(principal, Resource.RATING_MODEL)
    source = source or HistorySource()
    calibration = calibrate_history(source.history(), as_of=as_of, version=version)
    stored: list[CalibrationRow] = []

    def keep(uow: UnitOfWork, row: RatingModelRow) -> None:
        stored.append(
            uow.calibrations.add(
                CalibrationRow(
                    model_version=row.version,
                    as_of_date=as_of,
                    source=source.name,
                    diagnostics=calibration.diagnostics,
                    created_by_key_id=principal.key_id,
                )
            )
        )
        uow.flush()

    model = rating_models.create_draft(uow_factory, principal, calibration.document, then=keep)
    return Stored(model, stored[0])


def get_calibration(
    uow_factory: UnitOfWorkFactory, principal: Principal, version: str
) -> CalibrationRow:
    """The calibration behind a model version (404 for one that was not calibrated)."""
    rating_models.get_model(uow_factory, principal, version)  # scope and 404 of the model
    with uow_factory() as uow:
        row = uow.calibrations.of_model(version)
        if row is None:
            raise InvalidInput("version", version, "was published by hand, not calibrated")
        return row


def calibrate_history(
    history: InsuredHistory,
    *,
    as_of: date,
    base: RatingModel | None = None,
    version: str | None = None,
) -> Calibration:
    """A draft model calibrated on ``history`` as seen on ``as_of``, effective the next day."""
    first = date(history.first_year, 1, 1)
    if as_of < date(history.first_year + 1, 12, 31):
        raise InvalidInput(
            "as_of",
            as_of.isoformat(),
            f"must leave at least two full years of history (the development of claims needs "
            f"two origin years): the data start on {first}",
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
        for key in ("kept_too_rare", "held_at_zero"):
            if fit.get(key):
                lines.append(f"  {key.replace('_', ' ')}: {', '.join(fit[key])}")
    severity = d["severity"]
    fitted = [name for name, fit in severity["classes"].items() if "kept" not in fit]
    share = "none" if severity["share"] is None else f"{severity['share']:.3f}"
    lines.append(
        f"severity: refitted {len(fitted)} of {len(severity['classes'])} classes, losses "
        f"scaled by the mean assessed share {share} ({severity['claims_assessed']} claims)"
    )
    lines.append(f"experience: credibility K = {d['experience']['credibility_k']:,.0f} CNY")
    return "\n".join(lines)
