"""The models of a rolling-origin backtest (``backtests``): each test year's calibration,
its hazard-class-only refit, and a candidate named on the command line.

Test year Y is priced by the model calibrated on the history as seen on 31 December of
Y − ``GAP_YEARS`` (``calibrations.calibrate_history``), from the model that priced Y. A
calibration that fails (a fit out of the model's domain: ``pricing.PricingError``) is never
published, so the model in force stays — the previous test year's calibration, or the one
that priced the year — and the year's note says so.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from pricing import HAZARD_CLASSES, PricingError, RatingModel
from pricing.calibration import MIN_REPORTED_SHARE, CalibrationData
from pricing.report_lag import report_lag
from underwriting.calibration_inputs import calibration_data
from underwriting.calibrations import calibrate_history
from underwriting.demo_market.cover_pricing import model_in_force
from underwriting.demo_market.insured import InsuredHistory
from underwriting.errors import InvalidInput

__all__ = ["GAP_YEARS", "RollingModel", "candidate_model", "class_only_model", "rolling_models"]

#: The gap between the last year calibrated on and the test year.
GAP_YEARS = 2


@dataclass(frozen=True, eq=False)
class RollingModel:
    """The models of one test year: ``calibrated`` on the view ``as_of`` (or the one kept
    in force), its ``class_only`` refit, and ``note`` (JSON: the fits' sizes, or why the
    models in force were kept)."""

    test_year: int
    as_of: date
    calibrated: RatingModel
    class_only: RatingModel
    note: dict[str, Any]


def rolling_models(
    history: InsuredHistory, years: Sequence[int], current: Sequence[RatingModel]
) -> list[RollingModel]:
    """The models of each test year of ``years`` (ascending); ``current`` priced them."""
    out: list[RollingModel] = []
    for year in years:
        base = model_in_force(current, date(year, 1, 1))
        out.append(_rolling_model(history, year, base, out[-1] if out else None))
    return out


def _rolling_model(
    history: InsuredHistory, year: int, base: RatingModel, previous: RollingModel | None
) -> RollingModel:
    as_of = date(year - GAP_YEARS, 12, 31)
    note: dict[str, Any] = {"test_year": year, "as_of": as_of.isoformat()}
    note["base_version"] = base.version
    try:
        data = calibration_data(history.as_of(as_of))
        fitted = calibrate_history(history, as_of=as_of, base=base, version=f"cal-{as_of}")
        model = fitted.model
    except PricingError as error:
        return _kept(year, as_of, base, previous, note | {"failed": str(error)})
    d = fitted.diagnostics
    note |= {
        "version": model.version,
        "frequency_rows": d["frequency"]["n_obs"],
        "liability_incidents": d["liability"]["n_obs"],
        "liable_claims": d["liability"]["liable_claims"],
        "held_at_zero": d["liability"]["held_at_zero"],
        "failed": None,
        "kept": None,
    }
    return RollingModel(year, as_of, model, class_only_model(fitted.document, data, as_of), note)


def _kept(
    year: int, as_of: date, base: RatingModel, previous: RollingModel | None, note: dict
) -> RollingModel:
    """A year whose calibration failed keeps the models in force: the previous year's, or
    else ``base`` and ``base`` with every coefficient 0."""
    if previous is not None:
        calibrated, class_only = previous.calibrated, previous.class_only
    else:
        calibrated, class_only = base, class_only_model(base.document, None, as_of)
    note |= {"version": None, "kept": calibrated.version, "kept_class_only": class_only.version}
    return RollingModel(year, as_of, calibrated, class_only, note)


def class_only_model(
    document: dict[str, Any], data: CalibrationData | None, as_of: date
) -> RatingModel:
    """``document`` refitted on ``data`` knowing only the hazard class: base incidents per
    100 employee-years = Σ incidents / Σ exposure per class (the class-only Poisson fit; a
    class without an incident keeps its rate), π0 = Σ liable / Σ reported share (the
    intercept-only fit of ``pricing.calibration``'s liability model, F the report-lag
    distribution it estimates), every frequency and
    liability coefficient 0. Without ``data``, only the coefficients are set to 0."""
    doc = copy.deepcopy(document)
    frequency, liability = doc["frequency"], doc["liability"]
    frequency["coefficients"] = dict.fromkeys(frequency["coefficients"], 0.0)
    liability["coefficients"] = dict.fromkeys(liability["coefficients"], 0.0)
    doc["version"] = f"class-only-{as_of.isoformat()}"
    if data is None:
        return RatingModel.from_document(doc)
    classes = len(HAZARD_CLASSES)
    incidents = np.bincount(data.frequency.hazard_class, data.frequency.incidents, classes)
    exposure = np.bincount(data.frequency.hazard_class, data.frequency.exposure, classes)
    for c, name in enumerate(HAZARD_CLASSES):
        if incidents[c] > 0:
            frequency["base_per_100_employees"][name] = float(incidents[c] / exposure[c])
    lag = report_lag(data.reporting.lag_days, data.reporting.window_days)
    share = lag(data.liability.window_days)
    seen = share >= MIN_REPORTED_SHARE
    liable = float(np.sum(np.asarray(data.liability.liable)[seen]))
    if liable > 0:
        liability["base_probability"] = min(1.0, liable / float(np.sum(share[seen])))
    return RatingModel.from_document(doc)


def candidate_model(spec: str) -> RatingModel:
    """The candidate named on the command line: a JSON file — a model document, or the
    ``{"document": …, "diagnostics": …}`` that ``secondlock calibrate --out`` writes —
    when ``spec`` ends in ``.json`` or names a file, else a shipped version
    (``RatingModel.load``)."""
    path = Path(spec)
    if spec.endswith(".json") or path.is_file():
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidInput("candidate", spec, f"cannot be read as JSON: {error}") from None
        if isinstance(document, dict) and isinstance(document.get("document"), dict):
            document = document["document"]
        return RatingModel.from_document(document)
    return RatingModel.load(spec)
