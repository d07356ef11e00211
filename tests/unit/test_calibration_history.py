"""Calibration recovers the demo market's ground truth (issue 6, item 4, done-when): on a
market of the generator's default size, drawn from ``underwriting/demo_market/truth.py``,
at least 90% of the true frequency and liability coefficients fall inside their fitted 95%
intervals."""

from __future__ import annotations

import math
from datetime import date

import pytest

from underwriting.calibrations import calibrate_history
from underwriting.demo_market import generate_market, truth
from underwriting.demo_market.insured import insured_history


@pytest.fixture(scope="module")
def calibrated():
    market = generate_market(firms=200, enterprises=5000, years=10, seed=2026)
    return calibrate_history(insured_history(market), as_of=date(2025, 12, 31))


def test_the_true_coefficients_fall_inside_their_intervals(calibrated):
    true = {
        **{f"log base[{c.value}]": math.log(v) for c, v in truth.BASE_FREQUENCY.items()},
        **truth.FREQUENCY_COEFFICIENTS,
        "log base_probability": math.log(truth.BASE_LIABILITY),
        **truth.LIABILITY_COEFFICIENTS,
    }
    rows = [
        row
        for part in ("frequency", "liability")
        for row in calibrated.diagnostics[part]["coefficients"]
    ]
    inside = [row["lower95"] <= true[row["name"]] <= row["upper95"] for row in rows]
    assert len(rows) >= 20  # the classes, most metrics and most deficits were estimated
    assert sum(inside) / len(inside) >= 0.9, [
        r for r, ok in zip(rows, inside, strict=True) if not ok
    ]


def test_the_draft_is_a_valid_model_effective_the_next_day(calibrated):
    model = calibrated.model
    assert str(model.effective_from) == "2026-01-01"
    assert calibrated.diagnostics["severity"]["classes"]["mining"]["n"] > 100
