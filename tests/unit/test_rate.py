"""The one rating function, ``pricing.rate``, checked against independent methods and laws.

- closed forms: a firm's factors by hand from the JSON document's numbers, the compound
  Poisson mean when the aggregate limit never binds, the gross-premium formula, the minimum
  premium, and fen components that sum to the premium;
- the worksheet recomputes its premium to the fen from its recorded inputs alone;
- laws as hypothesis properties: the premium never falls as a client hazard worsens or a
  limit rises, never rises as the deductible rises or audit quality improves; neither the
  order of firms and clients nor the batch a firm is rated in changes a bit of its premium;
- the tier reflects how a firm serves, never whom it serves;
- bad input is refused with a ``PricingError`` naming the parameter.

Books come from ``make_book``: random but seeded, clients with realistic hazard metrics,
firms with quality deficits around the model's market average.

The monotonicity properties compare fen with no tolerance, for changes of at least one part
in a thousand (``STEP``). Below that, the FFT's round-off decides the last fen; that is
pinned as a bug of its own (``test_an_infinitesimal_worsening_never_lowers_a_premium``).
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import pricing
from pricing import (
    COMPONENTS,
    HAZARD_CLASSES,
    QUALITY_FEATURES,
    STANDARDISATION_GRADES,
    ClientMetrics,
    CoverageOption,
    PricingError,
    RatingBook,
    RatingModel,
    rate,
    recompute,
    worksheet,
)
from pricing.aggregate import aggregate_loss
from pricing.model import FREQUENCY_FEATURES
from pricing.rate import firm_factors

MODEL = RatingModel.load("pl-2026.1")
DOC = MODEL.document
TIERS = "ABCDE"
ENGINEERS = QUALITY_FEATURES.index("engineers_per_engagement")
COLOUR = QUALITY_FEATURES.index("credit_colour_steps")
BASIC = CoverageOption(per_claim_limit=1e6, aggregate_limit=3e6)

# Rating is a few milliseconds a call; hypothesis's per-example deadline would only measure
# the machine's load.
rating = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def model_with(**loads: float) -> RatingModel:
    """The shipped model with some ``loads`` replaced (a new version, so nothing confuses
    the two)."""
    doc = copy.deepcopy(DOC)
    doc["loads"].update(loads)
    doc["version"] = "pl-test"
    return RatingModel.from_document(doc)


# --- the book factory --------------------------------------------------------------------


def make_book(seed: int, *, firms: int = 3, clients: tuple[int, int] = (0, 4)) -> RatingBook:
    """``firms`` firms with ``clients`` (low, high) clients each, drawn from ``seed``.

    Clients: 20–3,000 employees, every standardisation grade, a few major hazard sources,
    closure rates 40–100%, a few overdue rectifications, accidents mostly general, IoT alarm
    rates with 40% of clients unmonitored (NaN). Firms: each deficit the market's times
    0.3–2.0, a credit colour, 0.1–1.0 engineers per engagement, 0–6 years since the retro
    date, experience of up to ¥200,000 actual and expected, a schedule factor in ±25%.
    """
    rng = np.random.default_rng(seed)
    counts = rng.integers(clients[0], clients[1] + 1, firms)
    m = int(counts.sum())
    colours = np.array(list(DOC["liability"]["credit_colour_steps"].values()), dtype=float)
    deficits = MODEL.liability.market * rng.uniform(0.3, 2.0, (firms, len(QUALITY_FEATURES)))
    deficits[:, COLOUR] = rng.choice(colours, firms)
    deficits[:, ENGINEERS] = rng.uniform(0.1, 1.0, firms)
    accidents = np.column_stack(
        [rng.poisson(1.5, m), rng.poisson(0.15, m), rng.poisson(0.03, m), rng.poisson(0.005, m)]
    )
    iot = rng.uniform(0.0, 3.0, m)
    iot[rng.random(m) < 0.4] = np.nan
    metrics = ClientMetrics(
        employees=rng.integers(20, 3000, m).astype(float),
        standardisation=rng.integers(0, len(STANDARDISATION_GRADES), m),
        major_hazard_sources=rng.poisson(1.0, m).astype(float),
        closure_rate=rng.uniform(0.4, 1.0, m),
        overdue_rectifications=rng.poisson(2.0, m).astype(float),
        accidents_3y=accidents.astype(float),
        iot_alarm_rate=iot,
    )
    return RatingBook(
        firm_ids=rng.permutation(np.arange(100, 100 + firms)),
        deficits=deficits,
        years_since_retro=rng.integers(0, 7, firms),
        experience_actual=rng.uniform(0, 2e5, firms) * (rng.random(firms) < 0.7),
        experience_expected=rng.uniform(0, 2e5, firms) * (rng.random(firms) < 0.8),
        schedule_factor=rng.uniform(0.75, 1.25, firms),
        client_firm=np.repeat(np.arange(firms), counts),
        client_class=rng.integers(0, len(HAZARD_CLASSES), m),
        client_metrics=metrics,
        client_weight=rng.uniform(0.15, 1.0, m),
    )


def with_metrics(book: RatingBook, **columns: np.ndarray) -> RatingBook:
    return replace(book, client_metrics=replace(book.client_metrics, **columns))


def column(book: RatingBook, name: str) -> np.ndarray:
    return np.array(getattr(book.client_metrics, name), dtype=float, copy=True)


seeds = st.integers(0, 2**32 - 1)
STEP = 1e-3  # the smallest relative change the monotonicity properties make
steps = st.floats(STEP, 1.0)


@st.composite
def options(draw, *, max_ratio: float = 50.0, max_deductible: float = 0.2) -> CoverageOption:
    limit = draw(st.floats(1e5, 5e6))
    return CoverageOption(
        per_claim_limit=limit,
        aggregate_limit=limit * draw(st.floats(1.0, max_ratio)),
        deductible=limit * draw(st.floats(0.0, max_deductible)),
        defence_inside=draw(st.booleans()),
    )


@st.composite
def book_and_client(draw) -> tuple[RatingBook, int]:
    book = make_book(draw(seeds), firms=draw(st.integers(1, 3)), clients=(1, 3))
    return book, draw(st.integers(0, len(book.client_firm) - 1))


# --- 1. closed forms and independent methods ---------------------------------------------


def lambda_by_hand(book: RatingBook, e: int) -> float:
    """λ_e = λ0[class]·employees/100·exp(β·x_e), from the JSON document's numbers alone."""
    f, m = DOC["frequency"], book.client_metrics
    employees = float(m.employees[e])
    accidents = [float(a) for a in np.asarray(m.accidents_3y)[e]]
    alarms = float(m.iot_alarm_rate[e])
    x = {
        "standardisation_steps": f["standardisation_steps"][
            STANDARDISATION_GRADES[int(m.standardisation[e])]
        ],
        "log1p_major_hazard_sources": math.log1p(float(m.major_hazard_sources[e])),
        "open_rectification_share": 1.0 - float(m.closure_rate[e]),
        "log1p_overdue_rectifications": math.log1p(float(m.overdue_rectifications[e])),
        "log1p_general_accidents_per_100_3y": math.log1p(accidents[0] / (employees / 100)),
        "log1p_larger_accidents_3y": math.log1p(accidents[1]),
        "log1p_major_accidents_3y": math.log1p(accidents[2]),
        "log1p_especially_major_accidents_3y": math.log1p(accidents[3]),
        "iot_alarm_rate": f["iot_alarm_rate_default"] if math.isnan(alarms) else alarms,
    }
    assert set(x) == set(FREQUENCY_FEATURES)
    eta = sum(f["coefficients"][name] * value for name, value in x.items())
    base = f["base_per_100_employees"][HAZARD_CLASSES[int(book.client_class[e])]]
    return base * employees / 100 * math.exp(eta)


def liability_by_hand(deficits: np.ndarray) -> float:
    li = DOC["liability"]
    gamma = li["coefficients"]
    q = dict(zip(QUALITY_FEATURES, map(float, deficits), strict=True))
    return min(1.0, li["base_probability"] * math.exp(sum(gamma[k] * q[k] for k in q)))


def mod_by_hand(actual: float, expected: float) -> float:
    x = DOC["experience"]
    if expected == 0:
        return 1.0
    k = x["credibility_k"]
    z = expected / (expected + k)
    return min(max(1 + z * (actual / expected - 1), x["floor"]), x["cap"])


@settings(max_examples=50, deadline=None)
@given(seeds)
def test_one_firm_one_client_factors_by_hand(seed):
    book = make_book(seed, firms=1, clients=(1, 1))
    factors = firm_factors(book, MODEL)
    c = int(book.client_class[0])
    incidents = float(book.client_weight[0]) * lambda_by_hand(book, 0)
    # rate rounds each client's term to a multiple of 2**-32 incidents, on purpose
    assert factors.incidents[0, c] == pytest.approx(incidents, rel=1e-9, abs=2.0**-32)
    assert np.count_nonzero(np.delete(factors.incidents[0], c)) == 0
    pi = liability_by_hand(book.deficits[0])
    assert factors.liability[0] == pytest.approx(pi, rel=1e-12)
    steps = DOC["claims_made_steps"]
    step = steps[min(int(book.years_since_retro[0]), len(steps) - 1)]
    assert factors.step[0] == step
    mod = mod_by_hand(float(book.experience_actual[0]), float(book.experience_expected[0]))
    assert factors.mod[0] == pytest.approx(mod, rel=1e-12)
    claims = factors.incidents[0] * factors.liability[0] * step * factors.mod[0]
    np.testing.assert_allclose(factors.claims[0], claims, rtol=1e-15, atol=0)
    by_hand = incidents * pi * step * mod  # π·step·mod ≤ 1.5 scales the rounding
    assert factors.claims[0, c] == pytest.approx(by_hand, rel=1e-9, abs=1.5 * 2.0**-32)


def test_liability_probability_is_capped_at_one():
    book = make_book(1, firms=1, clients=(1, 1))
    awful = book.deficits.copy()
    awful[0, :ENGINEERS] = [100, 100, 100, 1, 1, 3]
    awful[0, ENGINEERS] = 0
    assert firm_factors(replace(book, deficits=awful), MODEL).liability[0] == 1.0


def layer_mean(hazard_class: int, option: CoverageOption) -> float:
    """E[Y] per claim of the indemnity layer that erodes the limits, CNY."""
    severity = MODEL.severity[hazard_class]
    if option.defence_inside:
        severity = severity.scaled(1 + MODEL.defence_cost_ratio)
    return float(severity.layer_cost(option.deductible, option.per_claim_limit))


NEVER_BINDING = [
    CoverageOption(1e6, 1e12),
    CoverageOption(1e6, 2e7),
    CoverageOption(5e5, 5e8, deductible=2e4, defence_inside=False),
    CoverageOption(2e6, 4e7, deductible=1e4),
    CoverageOption(2e5, 4e6, deductible=5e3, defence_inside=False),
]


@pytest.mark.parametrize("option", NEVER_BINDING, ids=lambda o: f"{o}")
def test_expected_capped_is_the_compound_poisson_mean_when_the_aggregate_never_binds(option):
    """E[S ∧ A] = E[S] = Σ_c ν_c·E[Y_c] when A is beyond any plausible S (at least 20 full
    per-claim limits, against at most ~1 expected claim a firm)."""
    book = make_book(7, firms=4, clients=(0, 4))
    result = rate(book, MODEL, [option])
    means = np.array([layer_mean(c, option) for c in range(len(HAZARD_CLASSES))])
    claims = result.factors.claims
    assert claims.sum(axis=1).max() < 2  # so A ≥ 20 L never binds
    for f in range(book.firms):
        exact = float(sum(claims[f, c] * means[c] for c in range(len(means))))
        assert result.expected_capped[f, 0] == pytest.approx(exact, rel=1e-6, abs=1e-9), f
        k = MODEL.defence_cost_ratio
        defence = 0.0 if option.defence_inside else k * exact
        assert result.defence_outside[f, 0] == pytest.approx(defence, rel=1e-10, abs=1e-12)


def gross_by_hand(result: pricing.RatingResult, model: RatingModel) -> np.ndarray:
    loads = model.loads
    schedule = np.asarray(result.book.schedule_factor, dtype=float)[:, None]
    loss = (result.expected_capped + result.defence_outside) * schedule
    risk = loads.risk_multiple * np.maximum(result.tvar_capped - result.expected_capped, 0)
    costs = loss + risk * schedule + loads.fixed_expense
    return np.maximum(costs / (1 - loads.variable_expense - loads.profit), loads.minimum_premium)


GRID = [
    BASIC,
    CoverageOption(5e5, 1e6, deductible=1e4),
    CoverageOption(2e6, 2e6, deductible=5e4, defence_inside=False),
    CoverageOption(1e5, 3e5),
    CoverageOption(5e6, 1e7, deductible=2e5),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gross_premium_by_hand_and_never_below_the_minimum(seed):
    book = make_book(seed, firms=5, clients=(0, 5))
    for model in (MODEL, model_with(minimum_premium=0.0)):
        result = rate(book, model, GRID)
        np.testing.assert_allclose(result.gross, gross_by_hand(result, model), rtol=1e-13)
        assert (result.gross >= model.loads.minimum_premium).all()
        assert (result.premium_fen >= round(model.loads.minimum_premium * 100)).all()
        assert (result.tvar_capped >= result.expected_capped).all()


def test_a_firm_with_no_clients_pays_exactly_the_minimum_premium():
    book = make_book(11, firms=3, clients=(0, 0))
    loads = MODEL.loads
    result = rate(book, MODEL, GRID)
    assert (result.factors.incidents == 0).all() and (result.expected_capped == 0).all()
    assert (result.premium_fen == round(loads.minimum_premium * 100)).all()
    parts = dict(zip(COMPONENTS, np.moveaxis(result.components_fen, -1, 0), strict=True))
    assert (parts["loss_cost"] == 0).all() and (parts["risk_load"] == 0).all()
    assert (parts["fixed_expense"] == round(loads.fixed_expense * 100)).all()
    unfloored = loads.fixed_expense / (1 - loads.variable_expense - loads.profit)
    uplift = (loads.minimum_premium - unfloored) * 100  # fen
    assert (np.abs(parts["minimum_premium_adjustment"] - uplift) <= 1).all()
    assert (np.abs(parts["variable_expense"] - unfloored * loads.variable_expense * 100) <= 1).all()
    assert (np.abs(parts["profit"] - unfloored * loads.profit * 100) <= 1).all()


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_components_sum_exactly_to_the_premium_in_fen(seed):
    book = make_book(seed, firms=6, clients=(0, 6))
    result = rate(book, MODEL, GRID)
    assert result.premium_fen.dtype == np.int64 and result.components_fen.dtype == np.int64
    assert result.components_fen.shape == (*result.premium_fen.shape, len(COMPONENTS))
    assert (result.components_fen.sum(axis=-1) == result.premium_fen).all()
    assert (result.components_fen >= 0).all()
    assert np.array_equal(result.premium_fen, pricing.to_fen(result.gross))
    # each component is within a fen of its share: loss and risk as the formula has them
    schedule = np.asarray(book.schedule_factor)[:, None]
    loss = (result.expected_capped + result.defence_outside) * schedule
    assert (np.abs(result.components_fen[..., 0] - loss * 100) <= 1).all()
    floored = result.gross > MODEL.loads.minimum_premium
    assert (result.components_fen[..., -1][floored] == 0).all()


# --- 2. the worksheet ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [21, 22])
def test_the_worksheet_recomputes_its_premium_to_the_fen(seed):
    book = make_book(seed, firms=4, clients=(0, 4))
    result = rate(book, MODEL, GRID[:3])
    for f in range(book.firms):
        for o in range(len(GRID[:3])):
            sheet = worksheet(result, f, o)
            assert sheet["model_version"] == "pl-2026.1"
            assert sheet["firm_id"] == int(book.firm_ids[f])
            premium = pricing.fen_to_decimal(int(result.premium_fen[f, o]))
            assert recompute(sheet, MODEL) == premium
            assert str(premium) == sheet["premium"]["total"]
            text = json.dumps(sheet, allow_nan=False)
            assert json.loads(text) == sheet
            assert recompute(json.loads(text), MODEL) == premium


def test_a_worksheet_is_recomputed_only_with_its_own_model_version():
    book = make_book(23, firms=1, clients=(2, 2))
    sheet = worksheet(rate(book, MODEL, [BASIC]), 0, 0)
    with pytest.raises(ValueError, match=r"pl-2026\.1"):
        recompute(sheet, model_with(profit=0.05))


# --- 3. laws of the premium ----------------------------------------------------------------


def worsened(book: RatingBook, e: int, metric: str, amount: float) -> tuple[RatingBook, RatingBook]:
    """(base, worse): the book before and after one metric of client ``e`` worsens; ``amount``
    in (0, 1] sets by how much."""
    if metric == "iot_alarm_rate":  # NaN (unmonitored) is not ordered: start from a rate
        alarms = column(book, metric)
        alarms[e] = 1.0
        book = with_metrics(book, iot_alarm_rate=alarms)
    if metric.startswith("accidents_"):
        grade = ("general", "larger", "major", "especially_major").index(metric[10:])
        accidents = column(book, "accidents_3y")
        accidents[e, grade] += math.ceil(5 * amount)
        return book, with_metrics(book, accidents_3y=accidents)
    if metric == "standardisation":
        grades = np.array(book.client_metrics.standardisation, copy=True)
        grades[e] = min(grades[e] + math.ceil(3 * amount), len(STANDARDISATION_GRADES) - 1)
        return book, with_metrics(book, standardisation=grades)
    values = column(book, metric)
    if metric == "closure_rate":
        values[e] *= 1 - amount
    elif metric in ("major_hazard_sources", "overdue_rectifications"):
        values[e] += math.ceil(10 * amount)
    else:  # employees, iot_alarm_rate: up by the share amount
        values[e] += values[e] * amount
    return book, with_metrics(book, **{metric: values})


HAZARDS = [
    "major_hazard_sources",
    "closure_rate",
    "overdue_rectifications",
    "accidents_general",
    "accidents_larger",
    "accidents_major",
    "accidents_especially_major",
    "standardisation",
    "iot_alarm_rate",
    "employees",
]


@rating
@given(book_and_client(), st.sampled_from(HAZARDS), steps, options())
def test_the_premium_never_falls_as_a_client_hazard_worsens(drawn, metric, amount, option):
    book, e = drawn
    base, worse = worsened(book, e, metric, amount)
    before, after = (rate(b, MODEL, [option, BASIC]) for b in (base, worse))
    f = int(book.client_firm[e])
    assert (after.premium_fen[f] >= before.premium_fen[f]).all()
    others = np.arange(book.firms) != f
    assert np.array_equal(after.gross[others], before.gross[others])


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(1, 50_000))
def test_more_employees_never_price_lower_under_a_general_accident_beta_up_to_one(beta, extra):
    """The README's "every β ≥ 0 is enforced, so a worse metric never lowers the price",
    for employees: λ ∝ emp^(1−β)·(emp + 100a)^β rises with emp while β ≤ 1 (the shipped
    β is 0.2). Above 1, ``from_document`` must refuse the model: see the test below."""
    doc = copy.deepcopy(DOC)
    doc["frequency"]["coefficients"]["log1p_general_accidents_per_100_3y"] = beta
    doc["loads"]["minimum_premium"] = 0.0  # so that the floor cannot hide a fall
    model = RatingModel.from_document(doc)
    book = clean_client(accidents=5.0, employees=100.0)
    more = with_metrics(book, employees=np.array([100.0 + extra]))
    fen = [rate(b, model, [BASIC]).premium_fen[0, 0] for b in (book, more)]
    assert fen[1] > fen[0]


def clean_client(*, accidents: float, employees: float) -> RatingBook:
    """One firm with one light-manufacturing client whose only hazard is general accidents."""
    return RatingBook(
        firm_ids=np.array([1]),
        deficits=MODEL.liability.market[None, :].copy(),
        years_since_retro=np.array([4]),
        experience_actual=np.zeros(1),
        experience_expected=np.zeros(1),
        schedule_factor=np.ones(1),
        client_firm=np.zeros(1, dtype=int),
        client_class=np.array([HAZARD_CLASSES.index("light_manufacturing")]),
        client_metrics=ClientMetrics(
            employees=np.array([employees]),
            standardisation=np.zeros(1, dtype=int),
            major_hazard_sources=np.zeros(1),
            closure_rate=np.ones(1),
            overdue_rectifications=np.zeros(1),
            accidents_3y=np.array([[accidents, 0.0, 0.0, 0.0]]),
            iot_alarm_rate=np.zeros(1),
        ),
        client_weight=np.ones(1),
    )


def test_with_a_general_accident_beta_above_one_more_employees_still_never_price_lower():
    """With β = 2, λ ∝ emp^(1−β)·(emp + 100a)^β falls with employees: such a model must be
    refused, or at least never price a bigger client lower."""
    doc = copy.deepcopy(DOC)
    doc["frequency"]["coefficients"]["log1p_general_accidents_per_100_3y"] = 2.0
    try:
        model = RatingModel.from_document(doc)
    except pricing.ModelError:
        return  # refusing the model is as good as pricing it monotonely
    fen = [
        rate(clean_client(accidents=3.0, employees=n), model, [BASIC]).premium_fen[0, 0]
        for n in (20.0, 50.0, 100.0, 200.0, 400.0)
    ]
    assert fen == sorted(fen)


#: Every option shares the model's lattice cells (``grid_span``), so a higher limit or a
#: lower deductible is a larger claim in every outcome on the same cells, and the premium
#: follows it exactly; the examples below once caught per-option lattices reversing small
#: true rises across a book of 3,000 firms.


@settings(rating, max_examples=25)
@given(
    seeds,
    st.floats(1e5, 5e6),
    st.floats(1 + STEP, 2.0),
    st.floats(1.0, 200.0),
    st.floats(0.0, 0.5),
    st.booleans(),
)
def test_the_premium_never_falls_as_the_per_claim_limit_rises(seed, low, up, ratio, d, inside):
    high = low * up
    aggregate = high * ratio
    book = make_book(seed, firms=3, clients=(1, 3))
    grid = [
        CoverageOption(low, aggregate, deductible=low * d, defence_inside=inside),
        CoverageOption(high, aggregate, deductible=low * d, defence_inside=inside),
    ]
    fen = rate(book, MODEL, grid).premium_fen
    assert (fen[:, 1] >= fen[:, 0]).all()


@rating
@example(seed=2026, firms=3000, limit=1e6, low=10.0, up=3.0, d=0.5, inside=True)
@given(
    seeds,
    st.integers(1, 3),
    st.floats(1e5, 5e6),
    st.floats(1.0, 1000.0),
    st.floats(1 + STEP, 3.0),
    st.floats(0.0, 0.5),
    st.booleans(),
)
def test_the_premium_never_falls_as_the_aggregate_limit_rises(
    seed, firms, limit, low, up, d, inside
):
    book = make_book(seed, firms=firms, clients=(1, 3))
    grid = [
        CoverageOption(limit, limit * low, deductible=limit * d, defence_inside=inside),
        CoverageOption(limit, limit * low * up, deductible=limit * d, defence_inside=inside),
    ]
    fen = rate(book, MODEL, grid).premium_fen
    assert (fen[:, 1] >= fen[:, 0]).all()


@rating
@given(seeds, options(), st.floats(0.0, 0.99), steps)
def test_the_premium_never_rises_as_the_deductible_rises(seed, option, low, gap):
    high = low + gap * (1 - low)
    book = make_book(seed, firms=3, clients=(1, 3))
    top = math.nextafter(option.per_claim_limit, 0)
    grid = [replace(option, deductible=top * low), replace(option, deductible=top * high)]
    fen = rate(book, MODEL, grid).premium_fen
    assert (fen[:, 1] <= fen[:, 0]).all()


@rating
@given(
    seeds,
    st.integers(0, 2),
    st.lists(st.just(1.0) | st.floats(0.0, 1 - STEP), min_size=ENGINEERS, max_size=ENGINEERS),
    st.just(0.0) | st.floats(STEP, 2.0),
    options(),
)
def test_the_premium_never_rises_as_audit_quality_improves(seed, f, shrink, engineers, option):
    book = make_book(seed, firms=3, clients=(0, 3))
    better = book.deficits.copy()
    better[f, :ENGINEERS] *= np.array(shrink)
    better[f, COLOUR] = np.floor(better[f, COLOUR])  # credit colours are whole steps
    better[f, ENGINEERS] += engineers
    before = rate(book, MODEL, [option])
    after = rate(replace(book, deficits=better), MODEL, [option])
    assert after.premium_fen[f, 0] <= before.premium_fen[f, 0]
    assert TIERS.index(after.factors.tier[f]) <= TIERS.index(before.factors.tier[f])


def test_an_infinitesimal_worsening_never_lowers_a_premium():
    book = make_book(2026, firms=3000, clients=(1, 1))
    grid = [BASIC, CoverageOption(5e5, 1e6, deductible=1e4)]
    base = rate(book, MODEL, grid).premium_fen
    employees = np.asarray(book.client_metrics.employees) * (1 + 1e-9)
    more = rate(with_metrics(book, employees=employees), MODEL, grid).premium_fen
    better = rate(replace(book, deficits=book.deficits * (1 - 1e-9)), MODEL, grid).premium_fen
    assert (more >= base).all() and (better <= base).all()


def test_a_large_hazardous_client_is_priced_not_refused():
    """A 7,000-employee mine in poor shape expects ~270 incidents a year, a clean one of
    64,001 employees 256: both are clients to price, not inputs to refuse."""
    big = clean_client(accidents=0.0, employees=64001.0)
    big = replace(big, client_class=np.array([HAZARD_CLASSES.index("mining")]))
    assert rate(big, MODEL, [BASIC]).premium_fen[0, 0] > 0
    book = clean_client(accidents=20.0, employees=7000.0)
    mine = replace(
        book.client_metrics,
        standardisation=np.array([STANDARDISATION_GRADES.index("none")]),
        major_hazard_sources=np.array([5.0]),
        closure_rate=np.array([0.6]),
        overdue_rectifications=np.array([10.0]),
        accidents_3y=np.array([[20.0, 1.0, 0.0, 0.0]]),
        iot_alarm_rate=np.array([2.0]),
    )
    book = replace(book, client_metrics=mine, client_class=np.array([0]))
    assert rate(book, MODEL, [BASIC]).premium_fen[0, 0] > 0


NO_FLOOR = model_with(minimum_premium=0.0, fixed_expense=0.0)


@rating
@example(seed=2026, firms=3000, limits=[7e6, 8e6], inside=False)
@given(
    seeds,
    st.integers(1, 3),
    st.lists(st.floats(1e5, 1e7), min_size=2, max_size=5, unique=True),
    st.booleans(),
)
def test_increased_limits_factors_rise_with_the_limit(seed, firms, limits, inside):
    """ILF(L) = premium(L, 3L)/premium(basic, 3·basic): no minimum premium, no fixed expense."""
    limits = sorted(limits)
    book = make_book(seed, firms=firms, clients=(1, 3))
    grid = [CoverageOption(L, 3 * L, defence_inside=inside) for L in limits]
    fen = rate(book, NO_FLOOR, grid).premium_fen
    assert (fen > 0).all()
    ilf = fen / fen[:, :1]
    assert (ilf[:, 0] == 1).all()
    assert (np.diff(ilf, axis=1) >= 0).all()


@rating
@given(seeds, options(max_ratio=200.0, max_deductible=0.95))
def test_expected_capped_lies_between_zero_and_the_aggregate_limit(seed, option):
    book = make_book(seed, firms=3, clients=(0, 4))
    capped = rate(book, MODEL, [option]).expected_capped[:, 0]
    assert (capped >= 0).all()
    assert (capped <= option.aggregate_limit).all()


@rating
@example(
    seed=3701716271,
    option=CoverageOption(
        per_claim_limit=4318934.235018854,
        aggregate_limit=4570086.705207166,
        deductible=3795588.337831755,
        defence_inside=True,
    ),
)
@given(seeds, options(max_ratio=200.0, max_deductible=0.95))
def test_expected_capped_never_exceeds_the_uncapped_mean(seed, option):
    """E[S ∧ A] ≤ Σν·E[Y], to one part in 10⁶ or one fen, whichever is larger: cells the
    FFT zeroes as round-off near the limit (under 10⁻¹¹ of probability each after the e¹⁰
    untilt) count as reaching A, which can add a fraction of a fen to a tiny capped mean."""
    book = make_book(seed, firms=3, clients=(0, 4))
    result = rate(book, MODEL, [option])
    means = np.array([layer_mean(c, option) for c in range(len(HAZARD_CLASSES))])
    uncapped = result.factors.claims @ means
    assert (
        result.expected_capped[:, 0] <= np.maximum(uncapped * (1 + 1e-6), uncapped + 0.01)
    ).all()


def permuted(book: RatingBook, firms: np.ndarray, clients: np.ndarray) -> RatingBook:
    """The same book with its firms in the order ``firms`` and clients in ``clients``."""
    position = np.empty_like(firms)
    position[firms] = np.arange(len(firms))
    metrics = {
        name: np.asarray(getattr(book.client_metrics, name))[clients]
        for name in ClientMetrics.__dataclass_fields__
    }
    return RatingBook(
        firm_ids=book.firm_ids[firms],
        deficits=book.deficits[firms],
        years_since_retro=book.years_since_retro[firms],
        experience_actual=book.experience_actual[firms],
        experience_expected=book.experience_expected[firms],
        schedule_factor=book.schedule_factor[firms],
        client_firm=position[book.client_firm[clients]],
        client_class=book.client_class[clients],
        client_metrics=ClientMetrics(**metrics),
        client_weight=book.client_weight[clients],
    )


@rating
@given(seeds, st.integers(1, 5), st.randoms(use_true_random=False), options())
def test_the_order_of_firms_and_clients_changes_nothing(seed, firms, random, option):
    book = make_book(seed, firms=firms, clients=(0, 5))
    clients = len(book.client_firm)
    firm_order = np.array(random.sample(range(firms), firms), dtype=np.int64)
    client_order = np.array(random.sample(range(clients), clients), dtype=np.int64)
    other = permuted(book, firm_order, client_order)
    a, b = rate(book, MODEL, [option, BASIC]), rate(other, MODEL, [option, BASIC])
    for row, firm_id in enumerate(other.firm_ids):
        i = int(np.flatnonzero(book.firm_ids == firm_id)[0])
        assert np.array_equal(b.gross[row], a.gross[i]), firm_id
        assert np.array_equal(b.premium_fen[row], a.premium_fen[i])
        assert np.array_equal(b.components_fen[row], a.components_fen[i])
        assert np.array_equal(b.factors.incidents[row], a.factors.incidents[i])
        assert b.factors.tier[row] == a.factors.tier[i]


@rating
@given(seeds, st.integers(1, 6), st.data(), options())
def test_a_firm_rated_alone_gets_the_bits_of_its_row_in_the_batch(seed, firms, data, option):
    book = make_book(seed, firms=firms, clients=(0, 4))
    i = data.draw(st.integers(0, firms - 1))
    full = rate(book, MODEL, [option, BASIC])
    alone = rate(book.take(np.array([i])), MODEL, [option, BASIC])
    assert np.array_equal(alone.gross[0], full.gross[i])
    assert np.array_equal(alone.premium_fen[0], full.premium_fen[i])
    assert np.array_equal(alone.components_fen[0], full.components_fen[i])


def test_batch_invariance_across_row_blocks():
    """300 firms span three of the FFT's 128-row blocks; rows at the blocks' edges alone."""
    book = make_book(31, firms=300, clients=(0, 3))
    full = rate(book, MODEL, [BASIC, GRID[2]])
    for i in (0, 127, 128, 255, 256, 299):
        alone = rate(book.take(np.array([i])), MODEL, [BASIC, GRID[2]])
        assert np.array_equal(alone.gross[0], full.gross[i]), i
    rows = np.array([299, 128, 5])
    some = rate(book.take(rows), MODEL, [BASIC, GRID[2]])
    assert np.array_equal(some.gross, full.gross[rows])


class ClassMixture:
    """One claim of firm f: hazard class c with probability ν_fc/ν_f, defence inside the
    limits. All ``pricing.aggregate.aggregate_loss`` needs (LEV and mean), so that it can
    price the firm's aggregate on a lattice of its own choosing (``choose_grid``)."""

    def __init__(self, claims: np.ndarray) -> None:
        self.weights = claims / claims.sum()
        self.classes = [s.scaled(1 + MODEL.defence_cost_ratio) for s in MODEL.severity]

    def lev(self, x):
        return sum(
            w * np.asarray(s.lev(x)) for w, s in zip(self.weights, self.classes, strict=True)
        )

    @property
    def mean(self) -> float:
        return float(sum(w * s.mean for w, s in zip(self.weights, self.classes, strict=True)))


def test_an_aggregate_limit_that_never_binds_does_not_change_the_premium():
    book = make_book(1, firms=4, clients=(0, 4))
    grid = [CoverageOption(1e6, 1e7), CoverageOption(1e6, 1e9)]
    result = rate(book, MODEL, grid)
    claims = result.factors.claims
    assert claims.sum(axis=1).max() < 2  # ten full limits are never reached
    for f in np.flatnonzero(claims.sum(axis=1)):
        reference = aggregate_loss(
            float(claims[f].sum()),
            ClassMixture(claims[f]),
            per_claim_limit=1e6,
            aggregate_limit=1e9,
        ).tvar(MODEL.loads.tvar_level)
        assert result.tvar_capped[f, 0] == pytest.approx(reference, rel=0.01)
        assert result.tvar_capped[f, 1] == pytest.approx(reference, rel=0.01)
    np.testing.assert_allclose(result.gross[:, 1], result.gross[:, 0], rtol=0.001)


# --- 4. tiers ------------------------------------------------------------------------------


def test_a_market_average_firm_without_experience_is_tier_c():
    book = clean_client(accidents=0.0, employees=100.0)
    factors = firm_factors(book, MODEL)
    assert factors.relativity[0] == pytest.approx(1.0, rel=1e-12)
    assert factors.mod[0] == 1.0 and factors.tier[0] == "C"


@rating
@given(seeds, st.floats(1.0, 20.0), st.integers(0, 5), st.integers(1, 3))
def test_the_tier_ignores_how_hazardous_the_clients_are(seed, scale, accidents, steps):
    book = make_book(seed, firms=3, clients=(1, 4))
    m = book.client_metrics
    hazardous = with_metrics(
        book,
        employees=np.asarray(m.employees) * scale,
        major_hazard_sources=np.asarray(m.major_hazard_sources) + accidents,
        accidents_3y=np.asarray(m.accidents_3y) + accidents,
        closure_rate=np.asarray(m.closure_rate) / 2,
        standardisation=np.minimum(np.asarray(m.standardisation) + steps, 3),
    )
    before, after = firm_factors(book, MODEL), firm_factors(hazardous, MODEL)
    assert np.array_equal(after.tier, before.tier)
    assert (after.claims.sum(axis=1) > before.claims.sum(axis=1)).all()


@rating
@given(
    seeds,
    st.lists(st.floats(0.0, 50.0), min_size=ENGINEERS, max_size=ENGINEERS),
    st.floats(0.0, 1.0),
)
def test_the_tier_gets_no_better_as_deficits_worsen(seed, grow, fewer):
    book = make_book(seed, firms=3, clients=(0, 2))
    worse = book.deficits.copy()
    worse[:, :ENGINEERS] += np.array(grow) * MODEL.liability.market[:ENGINEERS]
    worse[:, COLOUR] = np.minimum(np.ceil(worse[:, COLOUR]), 3)
    worse[:, ENGINEERS] *= fewer
    before = firm_factors(book, MODEL).tier
    after = firm_factors(replace(book, deficits=worse), MODEL).tier
    assert all(TIERS.index(a) >= TIERS.index(b) for a, b in zip(after, before, strict=True))


def test_tiers_run_from_a_to_e_as_deficits_grow():
    book = clean_client(accidents=0.0, employees=100.0)
    seen = []
    for scale in np.linspace(0.0, 4.0, 41):
        deficits = MODEL.liability.market[None, :] * scale
        deficits[0, ENGINEERS] = MODEL.liability.market[ENGINEERS]
        seen.append(str(firm_factors(replace(book, deficits=deficits), MODEL).tier[0]))
    assert seen == sorted(seen)
    assert seen[0] == "A" and seen[-1] == "E" and set(seen) == set(TIERS)


# --- 5. bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"per_claim_limit": -1.0, "aggregate_limit": 3e6}, "per_claim_limit"),
        ({"per_claim_limit": math.nan, "aggregate_limit": 3e6}, "per_claim_limit"),
        ({"per_claim_limit": math.inf, "aggregate_limit": math.inf}, "per_claim_limit"),
        ({"per_claim_limit": 0.0, "aggregate_limit": 3e6}, "per_claim_limit"),
        ({"per_claim_limit": "1e6", "aggregate_limit": 3e6}, "per_claim_limit"),
        ({"per_claim_limit": 1e6, "aggregate_limit": -3e6}, "aggregate_limit"),
        ({"per_claim_limit": 1e6, "aggregate_limit": math.nan}, "aggregate_limit"),
        ({"per_claim_limit": 1e6, "aggregate_limit": math.inf}, "aggregate_limit"),
        ({"per_claim_limit": 1e6, "aggregate_limit": 5e5}, "aggregate_limit"),
        ({"per_claim_limit": 1e6, "aggregate_limit": 3e6, "deductible": 1e6}, "deductible"),
        ({"per_claim_limit": 1e6, "aggregate_limit": 3e6, "deductible": 2e6}, "deductible"),
        ({"per_claim_limit": 1e6, "aggregate_limit": 3e6, "deductible": -1.0}, "deductible"),
        ({"per_claim_limit": 1e6, "aggregate_limit": 3e6, "deductible": math.nan}, "deductible"),
        ({"per_claim_limit": 1e6, "aggregate_limit": 3e6, "deductible": math.inf}, "deductible"),
    ],
)
def test_a_bad_coverage_option_is_refused_naming_the_parameter(kwargs, match):
    with pytest.raises(PricingError, match=match):
        CoverageOption(**kwargs)


def good_parts(book: RatingBook) -> dict:
    return {name: getattr(book, name) for name in RatingBook.__dataclass_fields__}


def nan_at(values: np.ndarray, index=0) -> np.ndarray:
    values = np.array(values, dtype=float, copy=True)
    values.flat[index] = math.nan
    return values


BOOK = make_book(41, firms=3, clients=(1, 3))
M = BOOK.client_metrics
CLIENTS = len(BOOK.client_firm)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"deficits": BOOK.deficits[:, :-1]}, "deficits"),
        ({"deficits": BOOK.deficits[:-1]}, "deficits"),
        ({"years_since_retro": BOOK.years_since_retro[:-1]}, "years_since_retro"),
        ({"schedule_factor": np.ones(4)}, "schedule_factor"),
        ({"experience_actual": nan_at(BOOK.experience_actual)}, "experience_actual"),
        ({"experience_expected": -BOOK.experience_expected - 1}, "experience_expected"),
        ({"client_class": BOOK.client_class[:-1]}, "client_class"),
        ({"client_class": np.full(CLIENTS, len(HAZARD_CLASSES))}, "client_class"),
        ({"client_class": np.full(CLIENTS, -1)}, "client_class"),
        ({"client_weight": np.ones(CLIENTS + 1)}, "client_weight"),
        ({"client_weight": np.full(CLIENTS, 1.5)}, "client_weight"),
        ({"client_weight": nan_at(BOOK.client_weight)}, "client_weight"),
        ({"client_weight": np.full(CLIENTS, -0.1)}, "client_weight"),
        ({"client_firm": np.full(CLIENTS, 3)}, "client_firm"),
        ({"client_firm": np.full(CLIENTS, -1)}, "client_firm"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else None,
)
def test_a_bad_book_is_refused(change, match):
    with pytest.raises(PricingError, match=match):
        RatingBook(**(good_parts(BOOK) | change))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"employees": -np.asarray(M.employees)}, "employees"),
        ({"employees": np.zeros(CLIENTS)}, "employees"),
        ({"employees": nan_at(M.employees)}, "employees"),
        ({"closure_rate": nan_at(M.closure_rate)}, "closure_rate"),
        ({"closure_rate": np.full(CLIENTS, 1.2)}, "closure_rate"),
        ({"major_hazard_sources": nan_at(M.major_hazard_sources)}, "major_hazard_sources"),
        ({"overdue_rectifications": np.full(CLIENTS, math.inf)}, "overdue_rectifications"),
        ({"accidents_3y": nan_at(M.accidents_3y, 5)}, "accidents_3y"),
        ({"accidents_3y": -np.asarray(M.accidents_3y) - 1}, "accidents_3y"),
        ({"iot_alarm_rate": np.full(CLIENTS, -1.0)}, "iot_alarm_rate"),
        ({"iot_alarm_rate": np.full(CLIENTS, math.inf)}, "iot_alarm_rate"),
        ({"closure_rate": np.asarray(M.closure_rate)[:-1]}, "closure_rate"),
        ({"employees": np.asarray(M.employees)[:-1]}, "rows"),
    ],
    ids=lambda v: next(iter(v)) if isinstance(v, dict) else None,
)
def test_bad_client_metrics_are_refused(change, match):
    with pytest.raises(PricingError, match=match):
        RatingBook(**(good_parts(BOOK) | {"client_metrics": replace(M, **change)}))


def test_nan_quality_deficits_are_refused():
    with pytest.raises(PricingError, match="deficits"):
        rate(replace(BOOK, deficits=nan_at(BOOK.deficits, 3)), MODEL, [BASIC])


def test_rate_needs_at_least_one_option():
    with pytest.raises(PricingError, match="option"):
        rate(BOOK, MODEL, [])


def test_negative_quality_deficits_are_refused():
    deficits = BOOK.deficits.copy()
    deficits[0] = -50.0
    with pytest.raises(PricingError, match="deficits"):
        rate(replace(BOOK, deficits=deficits), MODEL, [BASIC])


def test_an_unknown_standardisation_grade_is_refused():
    grades = np.full(CLIENTS, len(STANDARDISATION_GRADES))
    with pytest.raises(PricingError, match="standardisation"):
        book = with_metrics(BOOK, standardisation=grades)
        rate(book, MODEL, [BASIC])


def test_a_fractional_hazard_class_is_refused():
    with pytest.raises(PricingError, match="client_class"):
        book = RatingBook(**(good_parts(BOOK) | {"client_class": np.full(CLIENTS, 1.5)}))
        rate(book, MODEL, [BASIC])
