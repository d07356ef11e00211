"""Calibrate a rating model on experience: a draft model and its fit diagnostics (issue 6).

Each part of the model (DESIGN.md section 2) is fitted on its own data, by its own method:

A metric non-zero in fewer than ``MIN_NONZERO_ROWS`` rows (a rare event few enterprises had),
or the same in every row (every firm still unaudited), cannot be estimated: it keeps the base
model's coefficient. A coefficient estimated with the wrong sign — a worse hazard metric
lowering the frequency, better service costing more, both of which the model forbids — is
held at 0 and the rest refitted, largest violation first. The diagnostics list both
(``kept_too_rare``, ``held_at_zero``).

- **client frequency** ``λ = base[class] · (employees/100) · exp(β·x)``: a Poisson GLM with
  log link on enterprise-years, the exposure (hundreds of employees × years at risk) as an
  offset ``log(exposure)``, an intercept with a dummy per hazard class but the first, and the
  hazard metrics ``x`` (``FREQUENCY_FEATURES``). ``base[c] = exp(intercept + dummy_c)``, its
  standard error by the delta method on ``intercept + dummy_c``;
- **firm liability** ``π = π0 · exp(γ·q)`` (the model caps it at 1): a log-link model of the
  binary outcome "the incident became a liable claim" against the firm's quality deficits
  ``q`` (``QUALITY_FEATURES``), fitted as a Poisson GLM on the 0/1 outcome — the "modified
  Poisson" regression of G. Zou, *Am. J. Epidemiol.* 159 (2004) 702–706, which estimates log
  relative risks consistently where a log-binomial fit often fails to converge; its model
  standard errors are conservative for a binary outcome (a Poisson variance μ ≥ μ(1 − μ)).
  An incident is seen for a window (to the end of the firm's
  continuous cover or the as-of date) and carries an offset ``log F(window)``, the share of
  liable claims reported within it: the expected count of *reported* liable claims is
  ``π · F(window)``. Incidents whose window sees less than ``MIN_REPORTED_SHARE`` are left
  out;
- **reporting**: ``F``, the report-lag distribution, by the Lynden-Bell product-limit
  estimator on the claims seen, whose lags are right-truncated by their windows
  (``pricing.report_lag``); it also sets the **claims-made steps**, ``∫_{k−1}^{k} F``;
- **severity**, per hazard class: ``pricing.severity_fit.fit_spliced`` (maximum likelihood)
  on the incidents' direct losses scaled by the mean liability share of the claims assessed
  (the model's severity is the claim amount, the firm's share of the loss; the spliced
  family is closed under scaling), with the base model's splice threshold. A class with fewer
  than ``MIN_SEVERITY_LOSSES`` losses, or none on one side of the threshold, keeps the base
  model's parameters, and the diagnostics say so;
- **credibility K**: ``pricing.BuhlmannStraub`` on firm-years of developed actual losses per
  unit of model-expected loss, weighted by the expected loss (CNY), so that ``k_`` is in CNY
  as ``experience.credibility_k`` is. Where the data show no heterogeneity (``k_ = ∞``) the
  base K is kept.

The result is a complete model document (every other parameter from the base model) under a
new version, meant to be stored as a **draft** for an actuary to review and a second one to
approve, with diagnostics: coefficients with standard errors and 95% intervals, deviance,
null deviance, AIC and sample sizes.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from pricing.credibility import BuhlmannStraub
from pricing.errors import PricingError
from pricing.glm import GLM
from pricing.model import FREQUENCY_FEATURES, HAZARD_CLASSES, QUALITY_FEATURES, RatingModel
from pricing.report_lag import DAYS_A_YEAR, ReportLag, report_lag
from pricing.severity import SeverityError
from pricing.severity_fit import fit_spliced

__all__ = [
    "Calibration",
    "CalibrationData",
    "ExperienceData",
    "FrequencyData",
    "LiabilityData",
    "ReportingData",
    "SeverityData",
    "calibrate",
]

#: An incident whose window sees less than this share of its liable claims is left out.
MIN_REPORTED_SHARE = 0.05
#: Fewest rows a metric must be non-zero in for its coefficient to be estimated.
MIN_NONZERO_ROWS = 30
#: Fewest losses a class needs for its own severity fit.
MIN_SEVERITY_LOSSES = 30
#: glum's gradient tolerance for the calibration fits: on the log-likelihood per unit of
#: weight, 1e-6 moves no coefficient by a visible fraction of its standard error.
GLM_TOL = 1e-6
#: The sign each quality deficit's coefficient must have (the model's monotonicity rule).
_LIABILITY_SIGN = {
    name: -1 if name == "engineers_per_engagement" else 1 for name in QUALITY_FEATURES
}
#: The two-sided 95% normal quantile, for the coefficient intervals.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class FrequencyData:
    """Enterprise-years: ``hazard_class`` (index into ``HAZARD_CLASSES``), ``features``
    (rows × ``FREQUENCY_FEATURES``), ``exposure`` (hundreds of employees × years at risk,
    > 0) and ``incidents`` (counts)."""

    hazard_class: np.ndarray
    features: np.ndarray
    exposure: np.ndarray
    incidents: np.ndarray


@dataclass(frozen=True)
class LiabilityData:
    """Incidents at insured firms' clients: the firm's ``deficits`` (rows ×
    ``QUALITY_FEATURES``) when it happened, ``liable`` (1 if a liable claim was made in its
    window) and ``window_days``, how long after the incident a claim could still be seen
    (to the end of the firm's continuous cover or the as-of date)."""

    deficits: np.ndarray
    liable: np.ndarray
    window_days: np.ndarray


@dataclass(frozen=True)
class ReportingData:
    """The claims seen: each one's report ``lag_days`` and its incident's ``window_days``."""

    lag_days: np.ndarray
    window_days: np.ndarray


@dataclass(frozen=True)
class SeverityData:
    """Incidents' direct losses in CNY (> 0), their ``hazard_class`` indices, and the mean
    liability ``share`` the claims were assessed at (``None`` where no claim was assessed
    yet): the model's severity is the claim amount, the firm's share of the direct loss
    (``pricing/models/README.md``), so the losses are fitted scaled by it."""

    hazard_class: np.ndarray
    losses: np.ndarray
    share: float | None = 1.0
    claims: int = 0


@dataclass(frozen=True)
class ExperienceData:
    """Firm × year arrays: developed ``actual`` losses and model-``expected`` losses, CNY;
    nan where the firm was not insured that year."""

    actual: np.ndarray
    expected: np.ndarray


@dataclass(frozen=True)
class CalibrationData:
    frequency: FrequencyData
    liability: LiabilityData
    severity: SeverityData
    experience: ExperienceData
    reporting: ReportingData


@dataclass(frozen=True)
class Calibration:
    """The calibrated ``document`` (a complete, validated model document) and its
    ``diagnostics`` (JSON-native)."""

    document: dict[str, Any]
    diagnostics: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> RatingModel:
        return RatingModel.from_document(self.document)


def calibrate(
    data: CalibrationData,
    *,
    base: Mapping[str, Any],
    version: str,
    effective_from: date,
    as_of: date,
) -> Calibration:
    """Fit every part of the module docstring; the rest of the document is ``base``'s."""
    RatingModel.from_document(base)  # the base must itself be a valid model
    document = copy.deepcopy(dict(base))
    frequency = _frequency(data.frequency, document)
    lag = report_lag(data.reporting.lag_days, data.reporting.window_days)
    reporting = _reporting(lag, document)
    liability = _liability(data.liability, lag, document)
    severity = _severity(data.severity, document)
    experience = _credibility(data.experience, document)
    document["version"] = version
    document["effective_from"] = effective_from.isoformat()
    document["description"] = (
        f"Calibrated on the experience as of {as_of.isoformat()} from {base['version']}: "
        "frequency and liability by GLM, severity by maximum likelihood, K by Bühlmann–Straub."
    )
    calibration = Calibration(
        document,
        {
            "as_of": as_of.isoformat(),
            "base_version": base["version"],
            "frequency": frequency,
            "reporting": reporting,
            "liability": liability,
            "severity": severity,
            "experience": experience,
        },
    )
    calibration.model  # noqa: B018 - refuse a calibration that makes an invalid model
    return calibration


def _frequency(data: FrequencyData, document: dict[str, Any]) -> dict[str, Any]:
    classes = np.asarray(data.hazard_class, dtype=int)
    features = np.asarray(data.features, dtype=float)
    exposure = np.asarray(data.exposure, dtype=float)
    _require_rows("frequency", len(classes), features, exposure, data.incidents)
    _require_shape("frequency.features", features, len(FREQUENCY_FEATURES))
    if not (exposure > 0).all():
        raise PricingError("must all be > 0", field="frequency.exposure", value=exposure.min())
    seen = sorted(set(classes.tolist()))
    if seen[0] < 0 or seen[-1] >= len(HAZARD_CLASSES):
        raise PricingError("must index HAZARD_CLASSES", field="frequency.hazard_class", value=seen)
    reference, others = seen[0], seen[1:]
    dummies = (classes[:, None] == np.asarray(others)[None, :]).astype(float)
    fit, varied, held, rare = _constrained_fit(
        dummies, features, data.incidents, np.log(exposure), [1] * len(FREQUENCY_FEATURES)
    )
    cov, k = fit.cov_, len(others)
    bases, rows = dict(document["frequency"]["base_per_100_employees"]), []
    for index in seen:
        column = 0 if index == reference else 1 + others.index(index)
        estimate = fit.intercept_ + (fit.coef_[column - 1] if column else 0.0)
        variance = cov[0, 0] + (cov[column, column] + 2 * cov[0, column] if column else 0.0)
        name = HAZARD_CLASSES[index]
        bases[name] = float(math.exp(estimate))
        rows.append(_row(f"log base[{name}]", estimate, math.sqrt(variance)))
    coefficients = dict(document["frequency"]["coefficients"])
    for i in held:
        coefficients[FREQUENCY_FEATURES[i]] = 0.0
    for j, i in enumerate(np.flatnonzero(varied)):
        name = FREQUENCY_FEATURES[i]
        coefficients[name] = float(fit.coef_[k + j])
        rows.append(_row(name, fit.coef_[k + j], fit.bse_[1 + k + j]))
    document["frequency"]["base_per_100_employees"] = bases
    document["frequency"]["coefficients"] = coefficients
    unseen = [HAZARD_CLASSES[i] for i in range(len(HAZARD_CLASSES)) if i not in seen]
    return _summary(fit, rows) | {
        "classes_without_data": unseen,
        "kept_too_rare": [FREQUENCY_FEATURES[i] for i in rare],
        "held_at_zero": [FREQUENCY_FEATURES[i] for i in held],
    }


def _reporting(lag: ReportLag, document: dict[str, Any]) -> dict[str, Any]:
    steps = lag.steps(len(document["claims_made_steps"]))
    steps = np.maximum.accumulate(steps).tolist()  # the model's steps never fall
    document["claims_made_steps"] = steps
    return {
        "claims": lag.claims,
        "reported_within": {f"{y}y": float(lag(y * DAYS_A_YEAR)) for y in (0.5, 1, 2, 3)},
        "claims_made_steps": steps,
    }


def _liability(data: LiabilityData, lag: ReportLag, document: dict[str, Any]) -> dict[str, Any]:
    deficits = np.asarray(data.deficits, dtype=float)
    window = np.asarray(data.window_days, dtype=float)
    _require_rows("liability", len(deficits), data.liable, window)
    _require_shape("liability.deficits", deficits, len(QUALITY_FEATURES))
    if not (window >= 0).all():
        raise PricingError("must be >= 0", field="liability.window_days", value=window.min())
    share = lag(window)
    seen = share >= MIN_REPORTED_SHARE
    deficits, liable, share = deficits[seen], np.asarray(data.liable)[seen], share[seen]
    signs = [_LIABILITY_SIGN[name] for name in QUALITY_FEATURES]
    fit, varied, held, rare = _constrained_fit(
        np.zeros((len(liable), 0)), deficits, liable, np.log(share), signs
    )
    constrained = [QUALITY_FEATURES[i] for i in held]
    coefficients = dict(document["liability"]["coefficients"])
    for name in constrained:
        coefficients[name] = 0.0
    rows = [_row("log base_probability", fit.intercept_, fit.bse_[0])]
    for j, i in enumerate(np.flatnonzero(varied)):
        name = QUALITY_FEATURES[i]
        coefficients[name] = float(fit.coef_[j])
        rows.append(_row(name, fit.coef_[j], fit.bse_[1 + j]))
    document["liability"]["base_probability"] = float(math.exp(fit.intercept_))
    document["liability"]["coefficients"] = coefficients
    return _summary(fit, rows) | {
        "liable_claims": int(np.sum(liable)),
        "left_out": int(np.sum(~seen)),
        "kept_too_rare": [QUALITY_FEATURES[i] for i in rare],
        "held_at_zero": constrained,
    }


def _severity(data: SeverityData, document: dict[str, Any]) -> dict[str, Any]:
    classes = np.asarray(data.hazard_class, dtype=int)
    losses = np.asarray(data.losses, dtype=float)
    _require_rows("severity", len(classes), losses)
    classes_out: dict[str, Any] = {}
    out: dict[str, Any] = {"share": data.share, "claims_assessed": data.claims}
    out["classes"] = classes_out
    if data.share is None:
        return out | {"kept": "no claim assessed yet: no share to scale the losses by"}
    if not 0 < data.share <= 1:
        raise PricingError("must be in (0, 1]", field="severity.share", value=data.share)
    losses = losses * data.share
    for index, name in enumerate(HAZARD_CLASSES):
        sample = losses[classes == index]
        current = document["severity"][name]
        if sample.size < MIN_SEVERITY_LOSSES:
            classes_out[name] = {
                "n": int(sample.size),
                "kept": f"fewer than {MIN_SEVERITY_LOSSES} losses",
            }
            continue
        try:
            fitted = fit_spliced(sample, threshold=float(current["threshold"]))
        except SeverityError as error:
            classes_out[name] = {"n": int(sample.size), "kept": str(error)}
            continue
        values = {
            "mu": fitted.mu,
            "sigma": fitted.sigma,
            "threshold": fitted.threshold,
            "alpha": fitted.alpha,
            "body_weight": fitted.body_weight,
        }
        document["severity"][name] = {key: float(value) for key, value in values.items()}
        tail = int(np.sum(sample > fitted.threshold))
        classes_out[name] = {"n": int(sample.size), "n_tail": tail} | document["severity"][name]
    return out


def _credibility(data: ExperienceData, document: dict[str, Any]) -> dict[str, Any]:
    actual = np.asarray(data.actual, dtype=float)
    expected = np.asarray(data.expected, dtype=float)
    if actual.shape != expected.shape or actual.ndim != 2:
        raise PricingError(
            "must be two firm × year arrays of one shape",
            field="experience",
            value=(actual.shape, expected.shape),
        )
    usable = np.isfinite(actual) & np.isfinite(expected) & (expected > 0)
    ratio = np.where(usable, actual / np.where(usable, expected, 1.0), np.nan)
    fit = BuhlmannStraub().fit(ratio, np.where(usable, expected, 0.0))
    out = {
        "firms": int(np.sum(usable.any(axis=1))),
        "firm_years": int(usable.sum()),
        "within_variance": float(fit.within_variance_),
        "between_variance": float(fit.between_variance_),
        "collective_ratio": float(fit.collective_),
    }
    if math.isfinite(fit.k_) and fit.k_ > 0:
        document["experience"]["credibility_k"] = float(fit.k_)
        return out | {"credibility_k": float(fit.k_)}
    kept = document["experience"]["credibility_k"]
    return out | {"credibility_k": kept, "kept": "no heterogeneity between firms in the data"}


def _constrained_fit(
    fixed: np.ndarray, features: np.ndarray, y: Any, offset: np.ndarray, signs: list[int]
) -> tuple[GLM, np.ndarray, list[int], list[int]]:
    """A Poisson log-link fit of ``y`` on ``fixed`` (free sign) and ``features`` whose
    coefficients must have the ``signs`` the model requires.

    A feature non-zero in fewer than ``MIN_NONZERO_ROWS`` rows, or constant, cannot be
    estimated (a rare event separates the data; a constant is the intercept again): it keeps
    the base coefficient.
    A feature estimated with the wrong sign is held at 0 and the rest refitted, the largest
    violation first. Returns the fit, the mask of features in it, those held and those rare.
    """
    rare = [
        i
        for i in range(features.shape[1])
        if np.count_nonzero(features[:, i]) < MIN_NONZERO_ROWS or np.ptp(features[:, i]) == 0
    ]
    free = np.ones(features.shape[1], dtype=bool)
    free[rare] = False
    held: list[int] = []
    while True:
        columns = np.flatnonzero(free)
        fit = GLM("poisson", "log", tol=GLM_TOL).fit(
            np.hstack([fixed, features[:, columns]]), y, offset=offset
        )
        estimates = fit.coef_[fixed.shape[1] :]
        wrong = [(abs(b), i) for b, i in zip(estimates, columns, strict=True) if b * signs[i] < 0]
        if not wrong:
            return fit, free, held, rare
        worst = max(wrong)[1]
        free[worst] = False
        held.append(int(worst))


def _summary(fit: GLM, rows: list[dict[str, float]]) -> dict[str, Any]:
    return {
        "coefficients": rows,
        "deviance": float(fit.deviance_),
        "null_deviance": float(fit.null_deviance_),
        "aic": float(fit.aic_),
        "n_obs": int(fit.n_obs_),
        "n_params": int(fit.n_params_),
    }


def _row(name: str, estimate: float, se: float) -> dict[str, Any]:
    estimate, se = float(estimate), float(se)
    return {
        "name": name,
        "estimate": estimate,
        "se": se,
        "lower95": estimate - Z95 * se,
        "upper95": estimate + Z95 * se,
    }


def _require_rows(what: str, n: int, *arrays: Any) -> None:
    for array in arrays:
        if len(array) != n:
            raise PricingError(f"arrays must have one row each ({n})", field=what, value=len(array))
    if n == 0:
        raise PricingError("has no rows to fit", field=what, value=0)


def _require_shape(what: str, array: np.ndarray, columns: int) -> None:
    if array.ndim != 2 or array.shape[1] != columns:
        raise PricingError(f"must be (rows, {columns})", field=what, value=array.shape)
