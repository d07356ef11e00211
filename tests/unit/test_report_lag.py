"""The right-truncated report-lag estimator (Lynden-Bell 1971) against a known lognormal, its
claims-made steps against the integral of the true CDF, and its refusals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from pricing.errors import PricingError
from pricing.report_lag import DAYS_A_YEAR, report_lag

CAP = 1095.0  # three years, days


def true_cdf(days):
    return np.where(np.asarray(days) >= CAP, 1.0, stats.lognorm(0.9, scale=150).cdf(days))


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(7)
    n = 40_000
    lag = np.minimum(np.round(np.exp(np.log(150) + 0.9 * rng.standard_normal(n))), CAP)
    window = np.round(rng.uniform(0, 6 * 365, n))
    seen = lag <= window
    return lag[seen], window[seen]


def test_the_estimate_corrects_the_truncation_the_naive_one_suffers(sample):
    lag, window = sample
    fitted = report_lag(lag, window)
    for days in (30, 90, 150, 365, 730):
        assert fitted(days) == pytest.approx(true_cdf(days), abs=0.015), days
    # The plain empirical distribution of the lags seen is too short-tailed.
    assert np.mean(lag <= 365) > true_cdf(365) + 0.02


def test_the_claims_made_steps_are_the_yearly_integrals_of_f(sample):
    steps = report_lag(*sample).steps(5)
    truth = [
        integrate.quad(lambda y: float(true_cdf(y * DAYS_A_YEAR)), k - 1, k, limit=200)[0]
        for k in range(1, 5)
    ]
    assert steps[:4] == pytest.approx(truth, abs=0.01)
    assert steps[4] == 1.0 and steps == sorted(steps)


def test_a_hand_worked_example():
    # Lags 1, 2, 3 seen through windows 3, 2, 3. Risk sets n = #{L <= s <= T}: at s=3 the
    # claims (1, 3) and (3, 3) — the one with window 2 could not show a lag of 3 — so 2; at
    # s=2 the claims (1, 3) and (2, 2), so 2; at s=1 only (1, 3), so 1.
    fitted = report_lag(np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 3.0]))
    # F(3) = 1; F(2) = 1 − 1/2; F(1) = F(2)·(1 − 1/2).
    assert fitted.cdf.tolist() == pytest.approx([1 / 4, 1 / 2, 1.0])
    assert fitted(0.5) == 0.0 and fitted(2.5) == pytest.approx(0.5) and fitted(9) == 1.0


@pytest.mark.parametrize(
    ("lags", "windows", "words"),
    [
        ([], [], "no claim"),
        ([5.0], [3.0], "lag <= window"),
        ([-1.0], [3.0], "lag <= window"),
        ([1.0, 2.0], [3.0], "one length"),
    ],
)
def test_impossible_data_is_refused(lags, windows, words):
    with pytest.raises(PricingError, match=words):
        report_lag(np.array(lags), np.array(windows))
