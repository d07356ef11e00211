"""Calibration recovers a known truth (issue 6, item 4), on data drawn from the model's own
forms with the default model's parameters as the truth: frequency, liability with immature
incidents, severity, and Bühlmann–Straub K."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from pricing import RatingModel
from pricing.calibration import (
    CalibrationData,
    ExperienceData,
    FrequencyData,
    LiabilityData,
    ReportingData,
    SeverityData,
    calibrate,
)
from pricing.errors import PricingError
from pricing.model import FREQUENCY_FEATURES, HAZARD_CLASSES, MODELS, QUALITY_FEATURES
from pricing.severity import SplicedLognormalPareto

DATES = {"effective_from": date(2027, 1, 1), "as_of": date(2026, 6, 30)}
BASE = json.loads((MODELS / "pl-2026.1.json").read_text())
TRUTH = RatingModel.from_document(BASE)


def _frequency(rng, n=60_000) -> FrequencyData:
    classes = rng.integers(0, len(HAZARD_CLASSES), n)
    x = np.column_stack(
        [
            rng.integers(0, 4, n),  # standardisation steps
            np.log1p(rng.poisson(1.0, n)),
            rng.beta(2, 8, n),
            np.log1p(rng.poisson(1.5, n)),
            np.log1p(rng.gamma(1.0, 1.0, n)),
            np.log1p(rng.poisson(0.2, n)),
            np.log1p(rng.poisson(0.05, n)),
            np.log1p(rng.poisson(0.01, n)),
            rng.gamma(1.0, 0.5, n),
        ]
    )
    exposure = rng.uniform(0.5, 20.0, n)
    base = np.array([BASE["frequency"]["base_per_100_employees"][c] for c in HAZARD_CLASSES])
    beta = np.array([BASE["frequency"]["coefficients"][f] for f in FREQUENCY_FEATURES])
    counts = rng.poisson(base[classes] * exposure * np.exp(x @ beta))
    return FrequencyData(classes, x, exposure, counts)


def _liability(rng, n=80_000) -> tuple[LiabilityData, ReportingData]:
    q = np.column_stack(
        [
            rng.gamma(2.0, 6.0, n),
            rng.gamma(1.0, 3.0, n),
            rng.gamma(0.5, 1.0, n),
            rng.beta(2, 6, n),
            rng.beta(2, 8, n),
            rng.integers(0, 4, n),
            rng.uniform(0.2, 1.0, n),
        ]
    )
    gamma = np.array([BASE["liability"]["coefficients"][f] for f in QUALITY_FEATURES])
    p = np.minimum(1.0, BASE["liability"]["base_probability"] * np.exp(q @ gamma))
    liable = rng.random(n) < p
    # Report lags of median 150 days, at most three years; a third of the incidents are
    # seen for a short window only (recent, or the firm lapsed), so some claims are unseen.
    lag = np.minimum(np.round(np.exp(np.log(150) + 0.9 * rng.standard_normal(n))), 1095)
    window = np.where(rng.random(n) < 1 / 3, rng.uniform(0, 1095, n).round(), 3000.0)
    seen = liable & (lag <= window)
    liability = LiabilityData(q, seen.astype(float), window)
    return liability, ReportingData(lag[seen], window[seen])


def _severity(rng, per_class=4_000) -> SeverityData:
    classes, losses = [], []
    for index, name in enumerate(HAZARD_CLASSES):
        truth = SplicedLognormalPareto(**BASE["severity"][name])
        sample = truth.sample(per_class, rng)
        classes.append(np.full(per_class, index))
        losses.append(sample)
    return SeverityData(np.concatenate(classes), np.concatenate(losses))


def _experience(rng, firms=400, years=6, k=500_000.0) -> ExperienceData:
    # Firm means drawn with between-variance tau² and within-variance sigma²/w: K = sigma²/tau².
    tau2, sigma2 = 0.09, 0.09 * k
    expected = rng.uniform(20_000, 200_000, (firms, years))
    means = 1 + rng.normal(0, math.sqrt(tau2), (firms, 1))
    actual = expected * (means + rng.normal(0, 1, expected.shape) * np.sqrt(sigma2 / expected))
    return ExperienceData(actual, expected)


def _data(rng, frequency, liability_and_reporting, severity) -> CalibrationData:
    liability, reporting = liability_and_reporting
    return CalibrationData(frequency, liability, severity, _experience(rng), reporting)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(2026)
    data = _data(rng, _frequency(rng), _liability(rng), _severity(rng))
    return calibrate(
        data,
        base=BASE,
        version="pl-test.1",
        effective_from=date(2027, 1, 1),
        as_of=date(2026, 6, 30),
    )


def test_at_least_ninety_percent_of_the_true_coefficients_fall_in_their_intervals(fitted):
    truth = {
        **{
            f"log base[{c}]": math.log(v)
            for c, v in BASE["frequency"]["base_per_100_employees"].items()
        },
        **BASE["frequency"]["coefficients"],
    }
    rows = fitted.diagnostics["frequency"]["coefficients"]
    liability_truth = {
        "log base_probability": math.log(BASE["liability"]["base_probability"]),
        **BASE["liability"]["coefficients"],
    }
    rows_l = fitted.diagnostics["liability"]["coefficients"]
    covered = [r["lower95"] <= truth[r["name"]] <= r["upper95"] for r in rows] + [
        r["lower95"] <= liability_truth[r["name"]] <= r["upper95"] for r in rows_l
    ]
    assert len(covered) == len(HAZARD_CLASSES) + len(FREQUENCY_FEATURES) + 1 + len(QUALITY_FEATURES)
    assert np.mean(covered) >= 0.9, [r for r in rows + rows_l]


def test_the_document_is_a_valid_model_under_the_new_version(fitted):
    model = fitted.model
    assert model.version == "pl-test.1"
    assert fitted.document["effective_from"] == "2027-01-01"
    assert fitted.document["loads"] == BASE["loads"]  # untouched parts are the base's
    assert fitted.diagnostics["base_version"] == "pl-2026.1"


def test_severity_is_fitted_per_class_close_to_the_truth(fitted):
    for name in HAZARD_CLASSES:
        got, true = fitted.document["severity"][name], BASE["severity"][name]
        assert got["mu"] == pytest.approx(true["mu"], abs=0.1), name
        assert got["sigma"] == pytest.approx(true["sigma"], rel=0.05), name
        assert fitted.diagnostics["severity"]["classes"][name]["n"] == 4_000


def test_credibility_k_is_recovered_within_a_factor(fitted):
    k = fitted.diagnostics["experience"]["credibility_k"]
    assert 250_000 < k < 1_000_000


def test_thin_severity_data_keeps_the_base_parameters():
    rng = np.random.default_rng(1)
    thin = SeverityData(np.zeros(5, dtype=int), np.array([1e4, 2e4, 3e4, 4e4, 5e4]))
    data = _data(rng, _frequency(rng, 5_000), _liability(rng, 5_000), thin)
    out = calibrate(
        data, base=BASE, version="v", effective_from=date(2027, 1, 1), as_of=date(2026, 1, 1)
    )
    assert out.document["severity"]["mining"] == BASE["severity"]["mining"]
    assert "fewer than 30" in out.diagnostics["severity"]["classes"]["mining"]["kept"]


def test_bad_data_is_refused_naming_it():
    rng = np.random.default_rng(3)
    good = _data(rng, _frequency(rng, 2_000), _liability(rng, 2_000), _severity(rng, 50))
    f = good.frequency
    collinear = np.column_stack([f.features[:, :8], f.features[:, 0] * 2.0])
    cases = [
        (FrequencyData(f.hazard_class, f.features, -f.exposure, f.incidents), "exposure"),
        (FrequencyData(f.hazard_class, f.features[:, :3], f.exposure, f.incidents), "features"),
        (FrequencyData(f.hazard_class[:10], f.features, f.exposure, f.incidents), "frequency"),
        (FrequencyData(f.hazard_class, collinear, f.exposure, f.incidents), "rank"),
    ]
    for bad, text in cases:
        data = replace(good, frequency=bad)
        with pytest.raises(PricingError, match=text):
            calibrate(data, base=BASE, version="v", **DATES)


def test_direct_losses_are_scaled_to_claim_amounts_by_the_assessed_share():
    rng = np.random.default_rng(11)
    claims = _severity(rng, 3_000)
    direct = SeverityData(claims.hazard_class, claims.losses * 2.0, share=0.5, claims=40)
    data = _data(rng, _frequency(rng, 5_000), _liability(rng, 5_000), direct)
    out = calibrate(data, base=BASE, version="v", **DATES)
    got, true = out.document["severity"]["mining"], BASE["severity"]["mining"]
    assert got["mu"] == pytest.approx(true["mu"], abs=0.1)
    assert out.diagnostics["severity"]["share"] == 0.5
    unassessed = SeverityData(claims.hazard_class, claims.losses, share=None)
    data = replace(data, severity=unassessed)
    kept = calibrate(data, base=BASE, version="v", **DATES)
    assert kept.document["severity"] == BASE["severity"]
    assert "no claim assessed" in kept.diagnostics["severity"]["kept"]
