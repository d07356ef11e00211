"""Client incident frequency (DESIGN.md section 2, item 1).

``λ_e = λ0[class_e] · (employees_e / 100) · exp(β · x_e)`` incidents per year: a Poisson
log-linear model with an exposure offset of log(employees/100), the form a Poisson GLM
calibrates (McCullagh & Nelder, *Generalized Linear Models*, 1989, ch. 6; CAS Monograph 5,
Goldburd et al., *GLMs for Insurance Rating*, 2020, §2.4). Counts enter through log(1 + ·)
so that no single metric can drive the rate without bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pricing.errors import PricingError
from pricing.model import STANDARDISATION_GRADES, FrequencyModel


@dataclass(frozen=True, eq=False)
class ClientMetrics:
    """The hazard metrics of M client enterprises (one row each), from each one's latest
    hazard snapshot on or before the rating date and its profile.

    ``standardisation`` indexes ``model.STANDARDISATION_GRADES``; ``accidents_3y`` is M × 4
    (general, larger, major, especially major); ``iot_alarm_rate`` is alarms per 1,000
    device-hours, NaN where the enterprise has no IoT monitoring.
    """

    employees: np.ndarray
    standardisation: np.ndarray
    major_hazard_sources: np.ndarray
    closure_rate: np.ndarray
    overdue_rectifications: np.ndarray
    accidents_3y: np.ndarray
    iot_alarm_rate: np.ndarray

    def __post_init__(self) -> None:
        rows = len(self.employees)
        for name in self.__dataclass_fields__:
            value = np.asarray(getattr(self, name))
            if len(value) != rows:
                raise PricingError(f"{name} has {len(value)} rows, employees has {rows}")
            finite = value if name != "iot_alarm_rate" else value[~np.isnan(value)]
            if not np.isfinite(finite).all() or (finite < 0).any():
                raise PricingError(f"{name} must be finite and >= 0; got ({name}={value!r})")
        grades = np.asarray(self.standardisation)
        if grades.dtype.kind not in "iu" or (grades >= len(STANDARDISATION_GRADES)).any():
            raise PricingError(
                "standardisation must be integer indices into STANDARDISATION_GRADES; got "
                f"(standardisation={grades!r})"
            )
        if (np.asarray(self.employees) <= 0).any():
            raise PricingError("employees must be > 0")
        if (np.asarray(self.closure_rate) > 1).any():
            raise PricingError("closure_rate must be in [0, 1]")


def frequency_features(metrics: ClientMetrics, model: FrequencyModel) -> np.ndarray:
    """The design matrix x (M × ``FREQUENCY_FEATURES``), e.g. for a GLM or a worksheet."""
    return np.column_stack(feature_columns(metrics, model))


def feature_columns(metrics: ClientMetrics, model: FrequencyModel) -> list[np.ndarray]:
    """The columns of x, one float64 array per ``FREQUENCY_FEATURES`` entry."""
    per_100 = np.asarray(metrics.employees, dtype=np.float64) / 100.0
    accidents = np.asarray(metrics.accidents_3y, dtype=np.float64)
    alarms = np.asarray(metrics.iot_alarm_rate, dtype=np.float64)
    columns = (
        model.standardisation_steps[np.asarray(metrics.standardisation)],
        np.log1p(np.asarray(metrics.major_hazard_sources, dtype=np.float64)),
        1.0 - np.asarray(metrics.closure_rate, dtype=np.float64),
        np.log1p(np.asarray(metrics.overdue_rectifications, dtype=np.float64)),
        np.log1p(accidents[:, 0] / per_100),
        np.log1p(accidents[:, 1]),
        np.log1p(accidents[:, 2]),
        np.log1p(accidents[:, 3]),
        np.where(np.isnan(alarms), model.iot_alarm_rate_default, alarms),
    )
    return [np.asarray(c, dtype=np.float64) for c in columns]


def client_frequency(
    hazard_class: np.ndarray, metrics: ClientMetrics, model: FrequencyModel
) -> np.ndarray:
    """λ_e, expected incidents per year at each client (``hazard_class`` indexes
    ``model.HAZARD_CLASSES``). The linear predictor is summed column by column in the order
    of ``FREQUENCY_FEATURES`` — the same arithmetic as ``linear_predictor`` on the matrix."""
    eta = np.zeros(len(metrics.employees))
    for column, beta in zip(feature_columns(metrics, model), model.coefficients, strict=True):
        eta += column * beta
    exposure = np.asarray(metrics.employees, dtype=np.float64) / 100.0
    return model.base_per_100_employees[hazard_class] * exposure * np.exp(eta)


def service_weight(kinds: np.ndarray, model: FrequencyModel) -> np.ndarray:
    """How much of a client's incident risk an engagement puts on the firm, from the service
    kinds in scope (M × ``SERVICE_KINDS`` booleans): ``1 − Π(1 − w_k)`` over the kinds in
    scope — the chance that at least one service in scope bears on an incident."""
    kinds = np.asarray(kinds, dtype=bool)
    return 1.0 - np.prod(np.where(kinds, 1.0 - model.service_kind_weights, 1.0), axis=1)


def linear_predictor(x: np.ndarray, coefficients: np.ndarray) -> np.ndarray:
    """Row-wise x · β summed in a fixed column order, so that a row's value never depends
    on which other rows share its batch (a BLAS matmul may block differently)."""
    total = np.zeros(len(x))
    for column, beta in enumerate(coefficients):
        total += x[:, column] * beta
    return total
