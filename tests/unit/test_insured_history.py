"""The insured history on top of the demo market: determinism, claims-made attachment,
limits, development, as-of views that never see the future, triangles, and that what it
draws follows the ground truth it documents."""

from __future__ import annotations

import doctest
import importlib
import json
import math
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from claims import ClaimFacts, PolicyTerms, Settlement, decide_coverage, payable
from pricing import QUALITY_FEATURES, RatingModel, full_years_between
from pricing.model import FREQUENCY_FEATURES
from underwriting.demo_market import generate_market, insured_history, read_market
from underwriting.demo_market.claim_draws import report_lags
from underwriting.demo_market.claim_settlement import PolicyTermsTable, settle
from underwriting.demo_market.cover_pricing import model_in_force
from underwriting.demo_market.insured_truth import REPORT_LAG, SHARES, insured_truth

ROOT = Path(__file__).resolve().parents[2]
SMALL_ARGUMENTS = {"firms": 6, "enterprises": 80, "years": 4, "seed": 11, "first_year": 2020}
AS_OF_DATES = ("2015-06-30", "2016-01-01", "2018-06-30", "2021-03-31", "2025-12-31", "2029-02-28")
#: Rules of ``claims.decide_coverage`` that the claims-made trigger and retro date decide.
TRIGGER_RULES = ("claims_made_trigger", "retro_date", "in_force", "incident_in_period_or_before")


@pytest.fixture(scope="module")
def market():
    return read_market(ROOT / "fixtures" / "demo")


@pytest.fixture(scope="module")
def history(market):
    return insured_history(market)


@pytest.fixture(scope="module")
def small():
    return insured_history(generate_market(**SMALL_ARGUMENTS))


def tables(history) -> dict[str, object]:
    return {
        name: getattr(history, name)
        for name in ("policies", "decisions", "claims", "movements", "incidents", "exposure")
    }


def same_table(a, b) -> bool:
    return all(
        np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=_numeric(a, f.name))
        for f in fields(a)
    )


def _numeric(table, name: str) -> bool:
    return getattr(table, name).dtype.kind in "fcmM"  # NaN and NaT equal themselves


def day(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


def to_date(value: np.datetime64) -> date:
    return value.astype("datetime64[D]").astype(object)


def yuan(fen: int) -> Decimal:
    return Decimal(int(fen)).scaleb(-2)


# --- determinism ---------------------------------------------------------------------------


def test_same_market_gives_the_same_history(market, history):
    again = insured_history(market)
    for name, table in tables(history).items():
        assert same_table(table, getattr(again, name)), name
    assert again.truth == history.truth


def test_a_generated_market_gives_the_history_of_its_committed_copy(small):
    again = insured_history(generate_market(**SMALL_ARGUMENTS))
    assert all(same_table(t, getattr(again, n)) for n, t in tables(small).items())


def test_a_different_seed_gives_a_different_history(small):
    other = insured_history(generate_market(**{**SMALL_ARGUMENTS, "seed": 12}))
    assert not same_table(small.incidents, other.incidents)


def test_the_history_has_ten_years_of_policies_and_claims(history):
    years = np.unique(history.policies.policy_year)
    assert years.tolist() == list(range(2016, 2026))
    assert len(history.claims) >= 50 and len(history.policies) >= 150


def test_truth_is_json_native_and_documents_every_parameter(history):
    assert json.loads(json.dumps(history.truth)) == history.truth
    assert history.truth["insured"] == insured_truth()
    readme = (ROOT / "fixtures" / "README.md").read_text(encoding="utf-8")
    assert "## The insured history" in readme
    for section in insured_truth():
        assert f"`{section}`" in readme, section


def test_the_docstring_examples_run():
    for name in ("underwriting.demo_market.insured", "underwriting.demo_market.triangles"):
        failed, attempted = doctest.testmod(importlib.import_module(name))
        assert failed == 0 and attempted > 0, name


# --- policies ------------------------------------------------------------------------------


def test_one_policy_per_firm_and_year_running_to_1_january(history):
    p = history.policies
    pairs = set(zip(p.firm_id.tolist(), p.policy_year.tolist(), strict=True))
    assert len(pairs) == len(p)
    assert (p.expiry_date == (p.policy_year + 1 - 1970).astype("datetime64[Y]")).all()
    assert (p.effective_date.astype("datetime64[Y]").astype(int) + 1970 == p.policy_year).all()
    assert (p.retro_date <= p.effective_date).all()


def test_continuous_cover_keeps_the_retro_date_and_a_gap_starts_a_new_one(history):
    p = history.policies
    last = {}
    for i in np.lexsort((p.policy_year, p.firm_id)).tolist():
        firm, year = int(p.firm_id[i]), int(p.policy_year[i])
        before = last.get(firm)
        if before is not None and p.policy_year[before] == year - 1:
            assert p.renewal[i] and p.retro_date[i] == p.retro_date[before]
        else:
            assert not p.renewal[i] and p.retro_date[i] == p.effective_date[i]
        retro, effective = to_date(p.retro_date[i]), to_date(p.effective_date[i])
        assert p.years_since_retro[i] == full_years_between(retro, effective)
        last[firm] = i


def test_premiums_come_from_the_model_and_decisions_match_the_policies(history):
    p, d = history.policies, history.decisions
    model = RatingModel.load()
    assert (p.model_version == model.version).all()
    minimum = model.loads.minimum_premium * 100
    renewal = p.effective_date == (p.policy_year - 1970).astype("datetime64[Y]")
    assert (p.premium_fen[renewal] >= minimum).all() and (p.premium_fen > 0).all()
    assert set(p.tier.tolist()) <= set("ABCDE")
    bought = np.isin(d.outcome, ["new", "renewed"])
    assert bought.sum() == len(p)
    assert ((d.outcome == "renewed") == (bought & d.insured_before)).all()
    assert (d.tier[d.outcome == "declined"] == "E").all()
    assert (d.outcome[~d.eligible] == "ineligible").all()


def test_model_in_force_back_dates_the_only_model():
    model = RatingModel.load()
    assert model_in_force([model], date(2016, 1, 1)) is model
    assert model_in_force([model], date(2030, 1, 1)) is model


# --- claims --------------------------------------------------------------------------------


def test_every_claim_attaches_to_its_firms_policy_in_force_when_first_made(history):
    p, c = history.policies, history.claims
    for k in range(len(c)):
        policy = int(c.policy[k])
        assert c.firm_id[k] == p.firm_id[policy] and c.policy_id[k] == p.policy_id[policy]
        terms = _terms(p, policy)
        facts = ClaimFacts(
            incident_date=to_date(c.incident_date[k]),
            first_made_date=to_date(c.first_made_date[k]),
            covered_engagement=True,
            incident_categories=frozenset({"general"}),
            engagement_categories=frozenset({"general"}),
        )
        reasons = {r.code: r.passed for r in decide_coverage(facts, terms=terms).reasons}
        assert all(reasons[rule] for rule in TRIGGER_RULES), (k, reasons)


def test_every_liable_incident_under_cover_when_made_is_a_claim(history):
    p, i = history.policies, history.incidents
    cover = {
        (int(f), int(y)): k for k, (f, y) in enumerate(zip(p.firm_id, p.policy_year, strict=True))
    }
    for k in np.flatnonzero(i.liable).tolist():
        made = i.first_made_date[k]
        policy = cover.get((int(i.firm_id[k]), int(str(made)[:4])))
        covered = (
            policy is not None
            and p.effective_date[policy] <= made < p.expiry_date[policy]
            and p.retro_date[policy] <= i.occurred_date[k]
        )
        assert covered == (i.claim[k] >= 0), k
    assert not (i.claim[~i.liable] >= 0).any()


def test_payable_is_claims_payable_in_the_order_claims_are_made(history):
    p, c = history.policies, history.claims
    remaining: dict[int, Decimal] = {}
    for k in range(len(c)):
        policy = int(c.policy[k])
        terms = _terms(p, policy)
        left = remaining.get(policy, terms.aggregate_limit)
        paid = payable(
            Settlement(
                loss=yuan(c.loss_fen[k]),
                defence_costs=yuan(c.defence_costs_fen[k]),
                share=Decimal(str(c.share[k])),
                aggregate_remaining=left,
            ),
            terms=terms,
        )
        assert yuan(c.ultimate_fen[k]) == paid.total
        assert yuan(c.indemnity_fen[k]) <= terms.per_claim_limit
        remaining[policy] = left - paid.charged_to_aggregate
    charged = np.bincount(c.policy, c.charged_fen, minlength=len(p))
    assert (charged <= p.aggregate_limit_fen).all()


def test_limits_and_the_aggregate_hold_when_losses_are_huge():
    table = PolicyTermsTable(
        effective_day=np.array([day_number_of("2020-01-01")]),
        expiry_day=np.array([day_number_of("2021-01-01")]),
        retro_day=np.array([day_number_of("2019-01-01")]),
        per_claim_fen=np.array([100_000_000]),
        aggregate_fen=np.array([250_000_000]),
        deductible_fen=np.array([1_000_000]),
        defence_inside=np.array([True]),
    )
    losses = np.array([900_000_000, 30_000_000, 500_000_000, 400_000_000, 2_000_000])
    settled = settle(
        np.zeros(5, dtype=np.int64),
        losses,
        losses // 10,
        np.full(5, SHARES.values.index("0.9")),
        table=table,
        remaining={},
    )
    assert (settled.ultimate <= 100_000_000).all()
    assert settled.charged.sum() == 250_000_000
    assert settled.capped_by[-1] == "aggregate_limit" and settled.ultimate[-1] == 0


def test_paid_rises_to_the_ultimate_and_incurred_converges_to_it(history):
    c, m = history.claims, history.movements
    assert (m.paid_fen >= 0).all()
    assert (np.diff(m.claim) >= 0).all()
    for k in range(len(c)):
        rows = m.claim == k
        dates = m.date[rows]
        assert (np.diff(dates.astype(np.int64)) > 0).all()
        assert dates[0] == c.first_made_date[k] and dates[-1] == c.closed_date[k]
        paid = np.cumsum(m.paid_fen[rows])
        reserve = np.cumsum(m.reserve_change_fen[rows])
        assert paid[-1] == c.ultimate_fen[k] and reserve[-1] == 0
        assert (reserve >= 0).all()
        years = (dates[-1] - dates[0]).astype(int) / 365
        assert 30 / 365 <= years <= 6


def test_case_reserves_start_noisy_and_biased_low(history):
    c, m = history.claims, history.movements
    first = np.searchsorted(m.claim, np.arange(len(c)))
    initial = m.paid_fen[first] + m.reserve_change_fen[first]
    ratio = np.log(np.maximum(initial, 1) / np.maximum(c.ultimate_fen, 1))
    assert -0.6 < np.median(ratio) < 0.1 and np.std(ratio) > 0.2


# --- as of a date --------------------------------------------------------------------------


@pytest.mark.parametrize("when", AS_OF_DATES)
def test_a_view_shows_nothing_dated_after_its_date(history, when):
    view, on = history.as_of(when), day(when)
    assert (view.policies.effective_date <= on).all()
    assert (view.policies.adjustment_fen[view.policies.expiry_date > on] == 0).all()
    assert (view.decisions.quote_date <= on).all()
    assert (view.claims.first_made_date <= on).all()
    closed = view.claims.closed_date
    assert (closed[~np.isnat(closed)] <= on).all()
    assert (view.movements.date <= on).all()
    assert (view.incidents.occurred_date <= on).all()
    assert (view.exposure.period_start <= on).all()
    truth = history.claims.take(np.isin(history.claims.claim_id, view.claims.claim_id))
    assert (view.claims.paid_fen <= truth.ultimate_fen).all()
    assert (view.claims.case_reserve_fen >= 0).all()
    open_now = np.isnat(closed)
    assert (view.claims.incurred_fen[~open_now] == truth.ultimate_fen[~open_now]).all()


def test_a_view_after_every_claim_closed_shows_the_ultimates(history):
    last = history.claims.closed_date.max()
    view = history.as_of(last)
    assert (view.claims.paid_fen == history.claims.ultimate_fen).all()
    assert (view.claims.incurred_fen == history.claims.ultimate_fen).all()
    assert view.incidents.claimed.sum() == len(history.claims)


def test_exposure_to_date_is_pro_rata(history):
    view = history.as_of("2021-03-31")
    e = view.exposure
    current = e.period_start == day("2021-01-01")
    assert np.allclose(e.exposure_years[current], 0.5 * 90 / 181)
    assert np.allclose(e.exposure_years[~current], 0.5)
    occurred = history.incidents.occurred_date
    assert e.incidents.sum() == (occurred <= day("2021-03-31")).sum()


# --- triangles -----------------------------------------------------------------------------


@pytest.mark.parametrize("when", ("2018-06-30", "2022-12-31", "2025-12-31", "2027-02-28"))
@pytest.mark.parametrize("origin", ("policy_year", "accident_year"))
def test_triangles_are_nan_beyond_the_diagonal_and_end_on_the_totals(history, when, origin):
    view = history.as_of(when)
    c = view.claims
    years = c.policy_year if origin == "policy_year" else _years(c.incident_date)
    totals = {
        "paid": c.paid_fen / 100.0,
        "incurred": c.incurred_fen / 100.0,
        "reported": np.ones(len(c)),
    }
    for measure, per_claim in totals.items():
        t = view.triangle(measure, origin=origin)
        n = len(t.origins)
        beyond = np.add.outer(np.arange(n), np.arange(n)) > n - 1
        assert np.isnan(t.values[beyond]).all() and not np.isnan(t.values[~beyond]).any()
        expected = np.bincount(years - t.origins[0], per_claim, minlength=n)
        assert np.allclose(t.latest(), expected, rtol=0, atol=1e-6), measure
        if measure != "incurred":  # case incurred may fall; paid and counts never do
            steps = np.diff(t.values, axis=1)
            assert (steps[~np.isnan(steps)] >= -1e-9).all(), measure


def test_each_diagonal_is_the_view_as_of_its_evaluation_date(history):
    t = history.as_of("2025-06-30").triangle("incurred")
    earlier = history.as_of("2022-06-30").triangle("incurred")
    n, m = len(t.origins), len(earlier.origins)
    known = ~np.isnan(earlier.values)
    assert np.allclose(t.values[:m, :m][known], earlier.values[known])
    assert t.age_months.tolist() == [6.0 + 12 * j for j in range(n)]


def test_year_end_triangles_are_aged_in_whole_years(history):
    t = history.as_of("2025-12-31").triangle("paid")
    assert t.origins.tolist() == list(range(2016, 2026))
    assert t.age_months.tolist() == [12.0 * (j + 1) for j in range(10)]


def test_no_triangle_before_the_window(history):
    assert history.as_of("2015-06-30").triangle("paid").values.shape == (0, 0)


# --- the ground truth ----------------------------------------------------------------------


def test_liable_rate_by_firm_quality_bucket_matches_the_truths_pi(history):
    """Bucket the served incidents by the truth's π_f (quartiles) and test each bucket's
    liable count against Σπ: a normal approximation to the Poisson-binomial, within 3.5
    standard errors (a false alarm chance under 0.05% a bucket)."""
    i = history.incidents
    served = i.firm_id > 0
    pi, liable = i.liability_probability[served], i.liable[served]
    edges = np.quantile(pi, [0.25, 0.5, 0.75])
    bucket = np.searchsorted(edges, pi, side="right")
    for b in range(4):
        p, y = pi[bucket == b], liable[bucket == b]
        z = (y.sum() - p.sum()) / math.sqrt((p * (1 - p)).sum())
        assert abs(z) < 3.5, (b, y.mean(), p.mean(), z)
    assert not i.liable[~served].any()


def test_report_lags_follow_the_truncated_lognormal():
    """The lag sampler against its CDF, P(lag <= k) = Φ((ln k − μ)/σ) / Φ((ln cap − μ)/σ) at
    whole days: Kolmogorov's distance on 100,000 draws within 1.63/√n (the 1% level)."""
    lags = report_lags(100_000, np.random.default_rng(1))
    assert lags.min() >= 1 and lags.max() <= REPORT_LAG.cap_days
    _check_lags(lags, critical=1.63)


def test_the_historys_report_lags_follow_their_parameters(history):
    i = history.incidents
    lags = (i.first_made_date[i.liable] - i.occurred_date[i.liable]).astype(np.int64)
    _check_lags(lags, critical=1.63)


def _check_lags(lags: np.ndarray, *, critical: float) -> None:
    mu, sigma, cap = math.log(REPORT_LAG.median_days), REPORT_LAG.sigma, REPORT_LAG.cap_days

    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf((math.log(x) - mu) / (sigma * math.sqrt(2))))

    days = np.arange(1, cap + 1)
    model = np.array([cdf(k) for k in days.tolist()]) / cdf(cap)
    empirical = np.searchsorted(np.sort(lags), days, side="right") / len(lags)
    assert np.abs(empirical - model).max() < critical / math.sqrt(len(lags))


def test_exposure_rates_are_the_truths(history, market):
    e = history.exposure
    assert e.features.shape == (len(e), len(FREQUENCY_FEATURES))
    assert e.incidents.sum() == len(history.incidents)
    last_year = e.period_start >= day("2025-01-01")
    per_enterprise = {}
    for eid, rate in zip(e.enterprise_id[last_year], e.true_rate[last_year], strict=True):
        per_enterprise.setdefault(int(eid), []).append(rate)
    for eid, rates in per_enterprise.items():
        truth = market.truth["enterprises"][str(eid)]["lambda_last_year"]
        assert math.isclose(np.mean(rates), truth, rel_tol=1e-9), eid
    expected, drawn = (e.true_rate * e.exposure_years).sum(), e.incidents.sum()
    assert math.isclose(expected, market.truth["expected_incidents_total"], rel_tol=1e-9)
    assert abs(drawn - expected) < 4 * math.sqrt(expected)


def test_incident_features_are_the_firms_deficits_of_that_year(history):
    i, p = history.incidents, history.policies
    assert i.deficits.shape == (len(i), len(QUALITY_FEATURES))
    assert np.isnan(i.deficits[i.firm_id == 0]).all()
    assert not np.isnan(i.deficits[i.firm_id > 0]).any()
    renewals = p.effective_date == (p.policy_year - 1970).astype("datetime64[Y]")
    for k in np.flatnonzero(renewals)[:20].tolist():
        same = (i.firm_id == p.firm_id[k]) & (_years(i.occurred_date) == p.policy_year[k])
        assert np.allclose(i.deficits[same], p.deficits[k]), k


def test_claims_take_the_truths_shares_of_the_incidents_loss(history):
    c, i = history.claims, history.incidents
    assert set(c.share.tolist()) <= {float(v) for v in SHARES.values}
    assert (c.loss_fen == i.loss_fen[c.incident]).all()
    for share, loss, liable in zip(c.share, c.loss_fen, c.liable_loss_fen, strict=True):
        exact = Decimal(str(share)) * yuan(loss)
        assert yuan(liable) == exact.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


# --- helpers -------------------------------------------------------------------------------


def _terms(p, k: int) -> PolicyTerms:
    return PolicyTerms(
        effective_date=to_date(p.effective_date[k]),
        expiry_date=to_date(p.expiry_date[k]),
        retro_date=to_date(p.retro_date[k]),
        per_claim_limit=yuan(p.per_claim_limit_fen[k]),
        aggregate_limit=yuan(p.aggregate_limit_fen[k]),
        deductible=yuan(p.deductible_fen[k]),
        defence_inside=bool(p.defence_inside[k]),
    )


def _years(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def day_number_of(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def test_the_experience_a_quote_read_is_what_the_view_showed_that_day(history):
    """A renewal's A is the case incurred, as of its effective date, of the firm's claims on
    its policies of the five years before; its E those policies' loss costs."""
    p = history.policies
    for k in np.flatnonzero(p.renewal).tolist():
        view = history.as_of(p.effective_date[k])
        firm, year = p.firm_id[k], p.policy_year[k]
        window = (p.firm_id == firm) & (p.policy_year >= year - 5) & (p.policy_year < year)
        claims = view.claims
        mine = np.isin(claims.policy_id, p.policy_id[window])
        assert math.isclose(
            p.experience_actual[k], claims.incurred_fen[mine].sum() / 100, abs_tol=1e-6
        )
        assert math.isclose(p.experience_expected[k], p.expected_loss[window].sum(), rel_tol=1e-12)


def test_a_later_model_prices_the_years_it_is_in_force(market, history):
    """Published models take over on their effective date; the incidents and their fate
    (liability, lag, loss) are the same draws whoever prices the cover."""
    base = RatingModel.load()
    early = _variant(base, "pl-2000.test", "2000-01-01")
    later = _variant(base, "pl-2021.test", "2021-01-01", profit=0.15)
    other = insured_history(market, models=[later, early])
    p, switch = other.policies, day("2021-01-01")
    first = p.effective_date < switch
    assert (p.model_version[first] == early.version).all()
    assert (p.model_version[~first] == later.version).all()
    assert other.truth["models"] == [later.version, early.version]
    before = history.policies.take(history.policies.effective_date < switch)
    assert np.array_equal(p.premium_fen[first], before.premium_fen)
    assert np.array_equal(p.experience_actual[first], before.experience_actual)
    for name in ("liable", "first_made_date", "loss_fen", "firm_id"):
        mine, theirs = getattr(other.incidents, name), getattr(history.incidents, name)
        assert np.array_equal(mine, theirs, equal_nan=name == "first_made_date"), name
    # A 2021 renewal's E re-rates the (identical) 2016–2020 policies under the later model:
    # the same loss costs (a profit load is no loss cost), so the base history's E.
    theirs = history.policies
    keys = zip(theirs.firm_id.tolist(), theirs.policy_year.tolist(), strict=True)
    base_e = dict(zip(keys, theirs.experience_expected.tolist(), strict=True))
    renewals = np.flatnonzero(p.renewal & (p.policy_year == 2021)).tolist()
    assert renewals and any(p.experience_expected[k] > 0 for k in renewals)
    for k in renewals:
        e = base_e.get((int(p.firm_id[k]), 2021))
        assert e is None or math.isclose(p.experience_expected[k], e, rel_tol=1e-9)


def _variant(model: RatingModel, version: str, effective: str, **loads: float) -> RatingModel:
    document = {**model.document, "version": version, "effective_from": effective}
    document["loads"] = {**document["loads"], **loads}
    return RatingModel.from_document(document)


@pytest.mark.parametrize(
    "arguments",
    [
        {"firms": 1, "enterprises": 1, "years": 1, "seed": 0},
        {"firms": 2, "enterprises": 5, "years": 2, "seed": 3},
    ],
)
def test_a_tiny_market_has_a_history_and_views_even_without_claims(arguments):
    history = insured_history(generate_market(**arguments))
    for when in ("1900-01-01", "2017-05-05", "2030-01-01"):
        view = history.as_of(when)
        assert len(view.claims) == len(
            history.claims.take(history.claims.first_made_date <= day(when))
        )
        for measure in ("paid", "incurred", "reported"):
            t = view.triangle(measure, origin="accident_year")
            assert not np.nan_to_num(t.values).any() or len(history.claims)


@pytest.mark.parametrize("when", ("2019-09-30", "2025-12-31"))
def test_a_liable_incident_is_claimed_when_its_lag_fits_its_cover(history, when):
    """What a liability model's reported share needs: as of a date, a liable incident is
    claimed exactly when its report lag ends within the cover it happened under."""
    view = history.as_of(when)
    seen = view.incidents
    truth = history.incidents.take(np.isin(history.incidents.incident_id, seen.incident_id))
    assert (np.isnat(seen.covered_until) == ~seen.insured).all()
    assert (seen.covered_until[seen.insured] <= day(when)).all()
    liable = truth.liable & seen.insured
    fits = truth.first_made_date[liable] <= seen.covered_until[liable]
    assert (seen.claimed[liable] == fits).all()
    assert not seen.claimed[~liable].any()
