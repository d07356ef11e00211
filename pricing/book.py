"""What ``rate`` prices: a book of firms and their clients as arrays, and coverage options.

A single quote is a batch of one. Everything is plain numpy, built by ``underwriting`` from
the database (or by an actuary from a file), so the same function prices a quote, a renewal,
a what-if and a backtest over millions of rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pricing.errors import PricingError
from pricing.frequency import ClientMetrics
from pricing.model import HAZARD_CLASSES, QUALITY_FEATURES


@dataclass(frozen=True)
class CoverageOption:
    """One line of a quote's grid: per-claim limit × aggregate limit × deductible, CNY, and
    whether defence costs erode the limit (``defence_inside``) or are paid on top."""

    per_claim_limit: float
    aggregate_limit: float
    deductible: float = 0.0
    defence_inside: bool = True

    def __post_init__(self) -> None:
        for name in ("per_claim_limit", "aggregate_limit", "deductible"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise PricingError(f"{name} must be a finite amount >= 0; got ({name}={value!r})")
        if self.per_claim_limit <= 0:
            raise PricingError(f"per_claim_limit must be > 0; got ({self.per_claim_limit})")
        if self.aggregate_limit < self.per_claim_limit:
            raise PricingError(
                "aggregate_limit must be >= per_claim_limit; got "
                f"({self.aggregate_limit} < {self.per_claim_limit})"
            )
        if self.deductible >= self.per_claim_limit:
            raise PricingError(
                f"deductible must be below per_claim_limit; got ({self.deductible} >= "
                f"{self.per_claim_limit})"
            )


@dataclass(frozen=True, eq=False)
class RatingBook:
    """F firms and the M clients they serve over the policy period.

    Firms: ``deficits`` (F × ``QUALITY_FEATURES``, see ``pricing.liability``), full years
    since the retro date, developed actual and model-expected losses of the experience
    period (CNY), and the schedule factor (1 ± credits and debits). Clients: the firm (row
    index) and hazard class (index into ``HAZARD_CLASSES``) of each engagement, its hazard
    metrics, and its exposure weight — the share of the policy period the engagement runs
    times the weight of its service kinds (``pricing.frequency.service_weight``).
    """

    firm_ids: np.ndarray
    deficits: np.ndarray
    years_since_retro: np.ndarray
    experience_actual: np.ndarray
    experience_expected: np.ndarray
    schedule_factor: np.ndarray
    client_firm: np.ndarray
    client_class: np.ndarray
    client_metrics: ClientMetrics
    client_weight: np.ndarray

    def __post_init__(self) -> None:
        firms, clients = len(self.firm_ids), len(self.client_firm)
        if np.shape(self.deficits) != (firms, len(QUALITY_FEATURES)):
            raise PricingError(f"deficits must be {firms} × {len(QUALITY_FEATURES)}")
        deficits = np.asarray(self.deficits, dtype=np.float64)
        if not np.isfinite(deficits).all() or (deficits < 0).any():
            raise PricingError(f"deficits must be finite and >= 0; got (deficits={deficits!r})")
        for name in (
            "years_since_retro",
            "experience_actual",
            "experience_expected",
            "schedule_factor",
        ):
            _check(name, getattr(self, name), firms)
        for name in ("client_class", "client_weight"):
            _check(name, getattr(self, name), clients)
        if len(self.client_metrics.employees) != clients:
            raise PricingError("client_metrics must have one row per client")
        if clients and not (np.min(self.client_firm) >= 0 and np.max(self.client_firm) < firms):
            raise PricingError("client_firm must index the firms")
        for name in ("client_firm", "client_class"):
            if np.asarray(getattr(self, name)).dtype.kind not in "iu":
                raise PricingError(f"{name} must be integer indices; got ({name}=...)")
        if clients and np.max(self.client_class) >= len(HAZARD_CLASSES):
            raise PricingError("client_class must index HAZARD_CLASSES")
        if (np.asarray(self.client_weight) > 1).any():
            raise PricingError("client_weight must be in [0, 1]")

    @property
    def firms(self) -> int:
        return len(self.firm_ids)

    def take(self, rows: np.ndarray) -> RatingBook:
        """The sub-book of the firms at ``rows`` (with their clients), in that order."""
        rows = np.asarray(rows)
        position = np.full(self.firms, -1)
        position[rows] = np.arange(len(rows))
        keep = position[self.client_firm] >= 0
        metrics = {
            name: np.asarray(getattr(self.client_metrics, name))[keep]
            for name in ClientMetrics.__dataclass_fields__
        }
        return RatingBook(
            firm_ids=self.firm_ids[rows],
            deficits=self.deficits[rows],
            years_since_retro=self.years_since_retro[rows],
            experience_actual=self.experience_actual[rows],
            experience_expected=self.experience_expected[rows],
            schedule_factor=self.schedule_factor[rows],
            client_firm=position[self.client_firm[keep]],
            client_class=self.client_class[keep],
            client_metrics=ClientMetrics(**metrics),
            client_weight=self.client_weight[keep],
        )


def _check(name: str, values: np.ndarray, rows: int) -> None:
    values = np.asarray(values)
    if values.shape != (rows,):
        raise PricingError(f"{name} must have {rows} rows; got shape {values.shape}")
    if not np.isfinite(values).all() or (values < 0).any():
        raise PricingError(f"{name} must be finite and >= 0; got ({name}={values!r})")
