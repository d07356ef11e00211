"""``pricing.GLM`` (glum underneath) against statsmodels, closed forms and known truths."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.special import gammaln

from pricing import GLM, PricingError

LINKS = {"log": sm.families.links.Log, "logit": sm.families.links.Logit}
FAMILIES = {
    "poisson": sm.families.Poisson,
    "binomial": sm.families.Binomial,
    "gamma": sm.families.Gamma,
}


def simulated(family: str, link: str, n: int = 4_000, seed: int = 7):
    """X (n × 4: two continuous, a 3-level one-hot without its base), y, offset, weights."""
    rng = np.random.default_rng(seed)
    level = rng.integers(0, 3, n)
    x = np.column_stack([rng.normal(size=n), rng.uniform(size=n), level == 1, level == 2])
    offset = np.log(rng.uniform(0.2, 2.0, n)) * (0.1 if family == "binomial" else 1.0)
    eta = x @ [0.3, -0.4, 0.2, -0.3] + offset
    eta += {"poisson": -1.0, "binomial": -2.5 if link == "log" else -1.0, "gamma": 1.0}[family]
    mu = np.exp(eta) if link == "log" else 1.0 / (1.0 + np.exp(-eta))
    y = {
        "poisson": lambda: rng.poisson(mu),
        "binomial": lambda: rng.binomial(1, mu),
        "gamma": lambda: rng.gamma(2.0, mu / 2.0),
    }[family]()
    return x, y.astype(float), offset, rng.uniform(0.5, 2.0, n)


def statsmodels_fit(family, link, x, y, offset, weight):
    design, distribution = sm.add_constant(x), FAMILIES[family](LINKS[link]())
    model = sm.GLM(y, design, family=distribution, offset=offset, var_weights=weight)
    return model.fit(tol=1e-12)


CASES = [("poisson", "log"), ("binomial", "logit"), ("binomial", "log"), ("gamma", "log")]


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.DomainWarning")
@pytest.mark.parametrize(("family", "link"), CASES)
def test_agrees_with_statsmodels(family, link):
    x, y, offset, weight = simulated(family, link)
    ours = GLM(family, link).fit(x, y, offset=offset, sample_weight=weight)
    theirs = statsmodels_fit(family, link, x, y, offset, weight)
    params = np.r_[ours.intercept_, ours.coef_]
    np.testing.assert_allclose(params, theirs.params, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.bse_, theirs.bse, rtol=1e-6)
    np.testing.assert_allclose(ours.cov_, theirs.cov_params(), rtol=1e-5, atol=1e-12)
    for mine, theirs_value in [
        (ours.deviance_, theirs.deviance),
        (ours.null_deviance_, theirs.null_deviance),
        (ours.loglik_, theirs.llf),
        (ours.aic_, theirs.aic),
        (ours.dispersion_, theirs.scale),
    ]:
        assert mine == pytest.approx(theirs_value, rel=1e-8)
    assert (ours.n_obs_, ours.n_params_) == (theirs.nobs, theirs.df_model + 1)
    assert ours.converged_ and 1 <= ours.n_iter_ < 100
    new_x, new_offset = x[:50] * 1.1, offset[:50] - 0.1
    np.testing.assert_allclose(
        ours.predict(new_x, offset=new_offset),
        theirs.predict(sm.add_constant(new_x, has_constant="add"), offset=new_offset),
        rtol=1e-6,
    )


def test_binomial_proportions_weighted_by_trials_are_the_grouped_binomial():
    """y = k/n with weights n is statsmodels' (k, n − k) model; the log-likelihood (Bernoulli
    form) differs from the full binomial's only by Σ log C(n, k), which no model changes."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2_000, 2))
    trials = rng.integers(1, 8, 2_000)
    successes = rng.binomial(trials, 1.0 / (1.0 + np.exp(-(0.4 + x @ [0.5, -0.5]))))
    ours = GLM("binomial").fit(x, successes / trials, sample_weight=trials)
    endog = np.column_stack([successes, trials - successes])
    theirs = sm.GLM(endog, sm.add_constant(x), family=sm.families.Binomial()).fit(tol=1e-12)
    np.testing.assert_allclose(np.r_[ours.intercept_, ours.coef_], theirs.params, rtol=1e-6)
    np.testing.assert_allclose(ours.bse_, theirs.bse, rtol=1e-6)
    assert ours.deviance_ == pytest.approx(theirs.deviance, rel=1e-8)
    assert ours.null_deviance_ == pytest.approx(theirs.null_deviance, rel=1e-8)
    log_choose = gammaln(trials + 1) - gammaln(successes + 1) - gammaln(trials - successes + 1)
    assert ours.loglik_ + log_choose.sum() == pytest.approx(theirs.llf, rel=1e-8)


# --- closed forms ----------------------------------------------------------------------------


def test_poisson_intercept_only_is_claims_over_exposure():
    """exp(intercept) = Σ w y / Σ w exposure; Fisher information Σ w μ = Σ w y, so the
    intercept's standard error is 1/√(Σ w y); the model is its own null model."""
    rng = np.random.default_rng(11)
    exposure, weight = rng.uniform(0.1, 3.0, 500), rng.uniform(0.5, 2.0, 500)
    claims = rng.poisson(0.3 * exposure).astype(float)
    glm = GLM("poisson").fit(
        np.empty((500, 0)), claims, offset=np.log(exposure), sample_weight=weight
    )
    assert np.exp(glm.intercept_) == pytest.approx(weight @ claims / (weight @ exposure), 1e-9)
    assert glm.bse_[0] == pytest.approx(1.0 / np.sqrt(weight @ claims), rel=1e-8)
    assert glm.deviance_ == pytest.approx(glm.null_deviance_, rel=1e-10)
    assert glm.coef_.shape == (0,) and glm.n_params_ == 1


def test_without_offset_the_intercept_only_mean_is_the_sample_mean():
    y = np.array([0.0, 1.0, 4.0, 2.0, 3.0])
    assert np.exp(GLM("poisson").fit(np.empty((5, 0)), y).intercept_) == pytest.approx(2.0)
    share = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    fit = GLM("binomial").fit(np.empty((5, 0)), share)
    assert fit.predict(np.empty((1, 0)))[0] == pytest.approx(0.6)


def test_one_indicator_per_group_fits_each_group_its_claims_over_exposure():
    groups = np.repeat([0, 1, 2], [40, 60, 50])
    exposure = np.linspace(0.5, 1.5, groups.size)
    rates = np.array([0.2, 0.5, 0.9])[groups]
    claims = np.random.default_rng(5).poisson(exposure * rates).astype(float)
    x = np.column_stack([groups == 1, groups == 2]).astype(float)
    glm = GLM("poisson", tol=1e-12).fit(x, claims, offset=np.log(exposure))
    fitted = glm.predict(x, offset=np.log(exposure)) / exposure
    for g in range(3):
        rate = claims[groups == g].sum() / exposure[groups == g].sum()
        np.testing.assert_allclose(fitted[groups == g], rate, rtol=1e-9)


# --- known truth -----------------------------------------------------------------------------


def frequency_sample(rng, n):
    x = np.column_stack([rng.normal(size=n), rng.uniform(size=n), rng.integers(0, 2, n)])
    exposure = rng.uniform(0.5, 2.0, n)
    return x, rng.poisson(exposure * np.exp(-1.0 + x @ TRUE_COEF)), np.log(exposure)


TRUE_COEF = np.array([0.25, -0.5, 0.4])


def test_a_large_sample_recovers_the_true_coefficients_inside_their_95_percent_intervals():
    x, y, offset = frequency_sample(np.random.default_rng(2026), 200_000)
    glm = GLM("poisson").fit(x, y, offset=offset)
    estimate, truth = np.r_[glm.intercept_, glm.coef_], np.r_[-1.0, TRUE_COEF]
    assert np.all(np.abs(estimate - truth) < 1.96 * glm.bse_)
    assert np.all(glm.bse_ < 0.02)


def test_the_95_percent_intervals_cover_about_95_percent_of_the_time():
    rng = np.random.default_rng(99)
    covered = []
    for _ in range(200):
        x, y, offset = frequency_sample(rng, 1_500)
        glm = GLM("poisson").fit(x, y, offset=offset)
        error = np.r_[glm.intercept_, glm.coef_] - np.r_[-1.0, TRUE_COEF]
        covered.extend(np.abs(error) < 1.96 * glm.bse_)
    assert 0.93 <= np.mean(covered) <= 0.97  # 800 intervals: ±2.4 standard errors of 0.95


# --- determinism and purity ------------------------------------------------------------------


def test_the_same_data_give_the_same_fit_bit_for_bit_and_stay_untouched():
    x, y, offset, weight = simulated("poisson", "log")
    copies = [a.copy() for a in (x, y, offset, weight)]
    first = GLM("poisson").fit(x, y, offset=offset, sample_weight=weight)
    second = GLM("poisson").fit(x, y, offset=offset, sample_weight=weight)
    for name in ("coef_", "intercept_", "bse_", "cov_", "deviance_", "aic_", "n_iter_"):
        assert np.array_equal(getattr(first, name), getattr(second, name)), name
    for before, after in zip(copies, (x, y, offset, weight), strict=True):
        assert np.array_equal(before, after)


def test_importing_pricing_does_not_load_glum():
    code = "import sys, pricing; print('glum' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


# --- bad input -------------------------------------------------------------------------------


def refused(match, family="poisson", x=None, y=None, **kwargs):
    x = np.random.default_rng(0).normal(size=(20, 2)) if x is None else x
    y = np.ones(len(x)) if y is None else y
    with pytest.raises(PricingError, match=match):
        GLM(family).fit(x, y, **kwargs)


def test_shapes_that_do_not_line_up_are_refused():
    refused(r"y\.shape must be \(20,\), one per row of X; got \(y\.shape=\(19,\)\)", y=np.ones(19))
    refused(r"offset\.shape must be \(20,\)", offset=np.zeros(21))
    refused(r"sample_weight\.shape must be \(20,\)", sample_weight=np.ones((20, 1)))
    refused(r"X\.shape must be 2-D", x=np.ones(20))
    refused(r"X\.shape needs more rows than parameters \(3\)", x=np.eye(3)[:, :2], y=np.ones(3))


@pytest.mark.parametrize(
    ("where", "match"),
    [
        ("x", r"X\[4, 1\] must be finite; got \(X\[4, 1\]=nan\)"),
        ("y", r"y\[4\] must be finite; got \(y\[4\]=inf\)"),
        ("offset", r"offset\[4\] must be finite; got \(offset\[4\]=-inf\)"),
        ("sample_weight", r"sample_weight\[4\] must be finite"),
    ],
)
def test_nan_and_inf_are_refused_by_position(where, match):
    x, y = np.random.default_rng(0).normal(size=(20, 2)), np.ones(20)
    offset, weight = np.zeros(20), np.ones(20)
    bad = {"x": (x, (4, 1), np.nan), "y": (y, 4, np.inf), "offset": (offset, 4, -np.inf)}
    array, index, value = bad.get(where, (weight, 4, np.nan))
    array[index] = value
    refused(match, x=x, y=y, offset=offset, sample_weight=weight)


def test_values_outside_the_family_are_refused():
    negative = np.r_[1.0, 0.0, -1.0, np.ones(17)]
    refused(r"y\[2\] must be >= 0 for a Poisson GLM \(counts\); got \(y\[2\]=-1\.0\)", y=negative)
    above_one = np.r_[2.0, np.zeros(19)]
    refused(
        r"y\[0\] must be in \[0, 1\] for a binomial GLM; got \(y\[0\]=2\.0\)",
        "binomial",
        y=above_one,
    )
    refused(r"y\[1\] must be in \[0, 1\]", "binomial", y=np.r_[0.5, -0.1, np.zeros(18)])
    refused(r"y\[0\] must be > 0 for a gamma GLM", "gamma", y=np.r_[0.0, np.ones(19)])
    refused(r"sample_weight\[3\] must be > 0", sample_weight=np.r_[1, 1, 1, 0, np.ones(16)])
    refused(r"sample_weight\[0\] must be > 0", sample_weight=-np.ones(20))


def test_outcomes_all_at_the_edge_have_no_finite_fit():
    refused(r"y must not be 0 in every row \(the intercept's MLE is infinite\)", y=np.zeros(20))
    refused(r"y must not be 1 in every row", "binomial", y=np.ones(20))


def test_a_full_one_hot_with_the_intercept_names_the_dependent_columns():
    rng = np.random.default_rng(1)
    level = rng.integers(0, 3, 200)
    x = np.column_stack([rng.normal(size=200), level == 0, level == 1, level == 2])
    message = (
        r"the design with the intercept has rank 4 of 5 columns: intercept, X\[:, 1\], "
        r"X\[:, 2\], X\[:, 3\] are linearly dependent; drop one"
    )
    refused(message, x=x, y=rng.poisson(1.0, 200))


@pytest.mark.parametrize(
    ("column", "named"),
    [
        (lambda x: x[:, 0], r"X\[:, 0\], X\[:, 2\] are"),  # a duplicate
        (lambda x: 2.0 * x[:, 0] - x[:, 1] + 3.0, r"intercept, X\[:, 0\], X\[:, 1\], X\[:, 2\]"),
        (lambda x: np.zeros(len(x)), r"columns that are 0 in every row: X\[:, 2\]; drop them"),
        (lambda x: np.full(len(x), 5.0), r"intercept, X\[:, 2\] are"),  # constant
    ],
)
def test_collinear_columns_are_refused_before_fitting(column, named):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 2))
    refused(named, x=np.column_stack([x, column(x)]), y=rng.poisson(1.0, 300))


def test_nearly_collinear_but_identifiable_columns_are_fitted():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5_000, 1))
    x = np.column_stack([x, x[:, 0] + 1e-5 * rng.normal(size=5_000)])
    glm = GLM("poisson").fit(x, rng.poisson(1.0, 5_000))
    assert np.isfinite(glm.bse_).all() and glm.bse_[1] > 100  # identified, but barely


def test_reaching_max_iter_is_an_error_not_a_result():
    x, y, offset, _ = simulated("poisson", "log")
    with pytest.raises(PricingError, match=r"did not converge in max_iter=1 iterations"):
        GLM("poisson", max_iter=1).fit(x, y, offset=offset)


def test_perfect_separation_does_not_pass_as_a_fit():
    x = np.linspace(-1.0, 1.0, 40)[:, None]
    with pytest.raises(PricingError, match=r"no finite maximum-likelihood fit: \d+ row\(s\)"):
        GLM("binomial").fit(x, (x[:, 0] > 0).astype(float))


def test_a_level_without_claims_does_not_pass_as_a_fit():
    """Its coefficient's MLE is −∞; glum stops near −19 on a vanishing gradient."""
    rng = np.random.default_rng(0)
    level = rng.integers(0, 3, 3_000)
    claims = np.where(level == 2, 0.0, rng.poisson(1.0, 3_000))
    x = np.column_stack([level == 1, level == 2]).astype(float)
    first = int(np.argmax(level == 2))
    with pytest.raises(PricingError, match=rf"edge of the mean's range, first row {first} "):
        GLM("poisson").fit(x, claims)


@pytest.mark.parametrize(
    ("glm", "match"),
    [
        (GLM("normal"), r"family must be one of \['binomial', 'gamma', 'poisson'\]"),
        (GLM("poisson", "logit"), r"link for poisson must be one of \('log',\)"),
        (GLM(max_iter=0), r"max_iter must be a positive integer; got \(max_iter=0\)"),
        (GLM(tol=-1.0), r"tol must be a positive number; got \(tol=-1\.0\)"),
    ],
)
def test_bad_settings_are_refused_at_fit(glm, match):
    with pytest.raises(PricingError, match=match):
        glm.fit(np.eye(5)[:, :1], np.ones(5))


def test_predict_needs_a_fit_and_the_same_columns():
    with pytest.raises(PricingError, match="GLM is not fitted"):
        GLM().predict(np.ones((2, 2)))
    x, y, _, _ = simulated("poisson", "log")
    glm = GLM().fit(x, y)
    with pytest.raises(PricingError, match=r"X\.shape must be \(rows, 4\), as in fit"):
        glm.predict(x[:, :3])
