"""The policies of a pricing backtest, checked once: one value per policy in every array.

A rolling-origin backtest (issue 6) prices each test year's policies with a model calibrated
on the data through two years before it, then sets the price against the losses developed to
ultimate. What this module holds is where that ends and the metrics start — plain arrays, no
idea of where they came from:

=====================  ===============================================================
``test_year``          the year the policy was priced in (whole numbers)
``expected``           the current (baseline) model's expected loss, CNY
``premium``            the premium as charged, CNY
``actual``             the developed ultimate loss, CNY
``tier``               the premium tier, ``"A"``–``"E"`` (any non-empty strings)
``hazard_class``       the firm's dominant hazard class (any non-empty strings)
``candidate_expected`` optional: a candidate model's expected loss, CNY
``exposure``           optional: exposure weights, > 0 (policy-years, say); 1 each if absent
=====================  ===============================================================

>>> policies = BacktestPolicies(
...     test_year=[2024, 2025], expected=[100.0, 300.0], premium=[150.0, 420.0],
...     actual=[0.0, 500.0], tier=["A", "C"], hazard_class=["mining", "fireworks"])
>>> policies.size, policies.exposure.tolist(), policies.models
(2, [1.0, 1.0], ('current',))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pricing.errors import PricingError, require_non_negative

__all__ = ["BacktestPolicies", "relativity"]

AMOUNTS = ("expected", "premium", "actual")
LABELS = ("tier", "hazard_class")


@dataclass(frozen=True, eq=False)
class BacktestPolicies:
    """Per-policy arrays of one length, validated and converted on construction.

    Refused with a :class:`PricingError` naming the array: no policy, lengths that differ,
    a year that is not whole, an amount that is negative, NaN or infinite, an exposure
    that is not > 0, a label that is not a non-empty string, or a model whose expected
    losses are all zero (nothing to compare the losses with).

    >>> BacktestPolicies(test_year=[2024], expected=[1.0], premium=[1.0, 2.0], actual=[0.0],
    ...                  tier=["A"], hazard_class=["mining"])
    Traceback (most recent call last):
    ...
    pricing.errors.PricingError: len(premium) must equal len(test_year) = 1; got (len(premium)=2)
    """

    test_year: NDArray[np.int64]
    expected: NDArray[np.float64]
    premium: NDArray[np.float64]
    actual: NDArray[np.float64]
    tier: NDArray[np.str_]
    hazard_class: NDArray[np.str_]
    candidate_expected: NDArray[np.float64] | None = None
    exposure: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        years = _whole_years(self.test_year)
        size = len(years)
        fields: dict[str, Any] = {"test_year": years}
        for name in (*AMOUNTS, "candidate_expected"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = _one_per_policy(name, require_non_negative(name, value), size)
        for name in ("expected", "candidate_expected"):
            if name in fields and not fields[name].any():
                raise PricingError("must not all be zero", field=name, value=0.0)
        for name in LABELS:
            fields[name] = _one_per_policy(name, _labels(name, getattr(self, name)), size)
        fields["exposure"] = _exposure(self.exposure, size)
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @property
    def size(self) -> int:
        """The number of policies."""
        return len(self.test_year)

    @property
    def models(self) -> tuple[str, ...]:
        """``("current",)``, or ``("current", "candidate")`` when a candidate is given."""
        return ("current",) if self.candidate_expected is None else ("current", "candidate")

    def predicted(self, model: str) -> NDArray[np.float64]:
        """The expected losses of ``model`` (``"current"`` or ``"candidate"``), CNY."""
        if model not in self.models:
            raise PricingError(f"must be one of {list(self.models)}", field="model", value=model)
        return self.expected if model == "current" else self.candidate_expected


def relativity(score: NDArray[np.float64], base: NDArray[np.float64]) -> NDArray[np.float64]:
    """``score / base`` per policy, with a zero base read as the limit: ``inf`` where the
    score is positive, 1 (no opinion either way) where it is zero too.

    >>> relativity(np.array([2.0, 3.0, 0.0]), np.array([4.0, 0.0, 0.0])).tolist()
    [0.5, inf, 1.0]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = score / base
    zero = base == 0
    ratio[zero] = np.where(score[zero] > 0, np.inf, 1.0)
    return ratio


def _whole_years(values: Any) -> NDArray[np.int64]:
    years = np.asarray(values)
    if years.ndim != 1 or years.size == 0:
        raise PricingError("must hold at least one policy", field="len(test_year)", value=0)
    if years.dtype.kind in "iu":
        return years.astype(np.int64)
    if years.dtype.kind != "f":
        raise PricingError("must be whole years", field="test_year", value=years.flat[0])
    bad = ~np.isfinite(years) | (years != np.round(years))
    if bad.any():
        raise PricingError("must be whole years", field="test_year", value=years[bad][0])
    return years.astype(np.int64)


def _one_per_policy(name: str, array: np.ndarray, size: int) -> np.ndarray:
    if array.ndim != 1 or len(array) != size:
        length = len(array) if array.ndim == 1 else array.shape
        message = f"must equal len(test_year) = {size}"
        raise PricingError(message, field=f"len({name})", value=length)
    return array


def _labels(name: str, values: Any) -> NDArray[np.str_]:
    labels = np.asarray(values)
    if labels.dtype.kind == "O":
        strange = [v for v in labels.flat if not isinstance(v, str)]
        if strange:
            raise PricingError("must be strings", field=name, value=strange[0])
        labels = labels.astype(str)
    if labels.dtype.kind != "U":
        raise PricingError(
            "must be strings", field=name, value=labels.flat[0] if labels.size else None
        )
    if (labels == "").any():
        raise PricingError("must not be empty", field=name, value="")
    return labels


def _exposure(values: Any, size: int) -> NDArray[np.float64]:
    if values is None:
        return np.ones(size)
    exposure = _one_per_policy("exposure", require_non_negative("exposure", values), size)
    if (exposure == 0).any():
        raise PricingError("must be > 0", field="exposure", value=0.0)
    return exposure
