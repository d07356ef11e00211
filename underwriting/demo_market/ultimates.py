"""Each policy's losses developed to ultimate, as an actuary would estimate them on a date.

The policy-year triangle of case incurred of the history's view on ``as_of`` is developed
by the volume-weighted chain ladder (``pricing.ChainLadder``, no tail), and each policy's
case incurred to date is developed by its origin's factor to ultimate (ultimate / latest) —
as ``underwriting.calibration_inputs`` develops the experience the calibration reads.

Why not share each origin's IBNR out in proportion to expected losses, as a
Bornhuetter–Ferguson allocation would: the policies are claims-made, so once its year has
ended a policy year has no claim still to come, only the development of the claims already
made (IBNER). Spread by expected loss, that development would land on policies that
certainly have no loss, turn negative where the chain ladder releases case reserves (an
origin's factor below 1), and tilt the ranking metrics towards whichever model did the
spreading; developed where it arises, it is model-free and never negative. An origin whose
claims have all closed, and the older ones with them, has a factor of exactly 1, and its
policies' ultimates are the claims' final amounts.

>>> from underwriting.demo_market import generate_market, insured_history
>>> history = insured_history(generate_market(firms=30, enterprises=400, years=6, seed=3))
>>> ultimate, development = developed_ultimates(history.as_of("2021-12-31"),
...                                             history.policies, [0, 1])
>>> [row["origin"] for row in development], development[0]["factor"]
([2016, 2017, 2018, 2019, 2020, 2021], 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pricing import ChainLadder
from underwriting.demo_market.insured import InsuredView
from underwriting.demo_market.insured_tables import Policies

__all__ = ["developed_ultimates"]


def developed_ultimates(
    view: InsuredView, policies: Policies, rows: np.ndarray
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """(ultimate per policy at positions ``rows`` of the history's ``policies``, CNY; the
    development of every origin as JSON: case incurred, ultimate and factor)."""
    rows = np.asarray(rows, dtype=np.int64)
    triangle = view.triangle("incurred", origin="policy_year")
    fit = ChainLadder(average="volume", tail=1.0).fit(triangle.values)
    claim_row = np.searchsorted(policies.policy_id, view.claims.policy_id)
    incurred = np.bincount(claim_row, view.claims.incurred_fen / 100.0, minlength=len(policies))
    latest, ultimate = fit.latest_, np.nan_to_num(fit.ultimate_)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(latest > 0, ultimate / latest, 1.0)
    origin = np.asarray(policies.policy_year[rows] - triangle.origins[0], dtype=np.int64)
    return incurred[rows] * factor[origin], _development(triangle.origins, latest, factor)


def _development(origins: np.ndarray, latest: np.ndarray, factor: np.ndarray) -> list[dict]:
    return [
        {
            "origin": year,
            "incurred": float(latest[i]),
            "ultimate": float(latest[i] * factor[i]),
            "factor": float(factor[i]),
        }
        for i, year in enumerate(origins.tolist())
    ]
