"""A renewal's premium change by sequential substitution: ``pricing.explain_change``.

- the steps telescope: they start at the expiring premium, each starts where the last
  ended, and together they make the renewal premium less the expiring one, to the fen —
  on fixed cases and on random perturbations of every group of inputs (hypothesis);
- a factor whose inputs did not change does not move: identical worksheets give seven
  zero steps; a new model moves only ``model``, a worse audit only ``quality`` (upwards), an
  added client only ``hazard`` (upwards);
- worksheets rated with other models, or of another firm, are refused with a
  ``PricingError``;
- ``to_dict`` is JSON-native, in CNY strings, with percentages of the expiring premium.

Worksheets are made the way the application makes them: a ``RatingBook`` built here by hand,
rated by ``rate`` and written by ``worksheet``, then sent through JSON as if stored.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import (
    HAZARD_CLASSES,
    QUALITY_FEATURES,
    ChangeStep,
    ClientMetrics,
    CoverageOption,
    PremiumChange,
    PricingError,
    RatingBook,
    RatingModel,
    explain_change,
    rate,
    worksheet,
)
from pricing.premium_change import FACTORS

MODEL = RatingModel.load("pl-2026.1")
BASIC = CoverageOption(per_claim_limit=1e6, aggregate_limit=3e6)
AUDIT = QUALITY_FEATURES.index("audit_score_deficit")


def model_with(version: str = "pl-test", **loads: float) -> RatingModel:
    """The shipped model with some ``loads`` replaced, published as ``version``."""
    doc = copy.deepcopy(MODEL.document)
    doc["loads"].update(loads)
    doc["version"] = version
    return RatingModel.from_document(doc)


NEXT = model_with(profit=0.08)


@dataclass(frozen=True)
class Client:
    hazard_class: str = "construction"
    employees: float = 800.0
    standardisation: int = 1  # grade "2"
    major_hazard_sources: float = 2.0
    closure_rate: float = 0.8
    overdue_rectifications: float = 1.0
    accidents_3y: tuple[float, float, float, float] = (3.0, 0.0, 0.0, 0.0)
    iot_alarm_rate: float = math.nan
    weight: float = 1.0


@dataclass(frozen=True)
class Firm:
    clients: tuple[Client, ...] = (
        Client(),
        Client("hazardous_chemicals", employees=300.0, iot_alarm_rate=1.2),
        Client("light_manufacturing", employees=1500.0, standardisation=0, weight=0.5),
    )
    deficits: tuple[float, ...] = tuple(MODEL.liability.market.tolist())
    years_since_retro: int = 3
    experience_actual: float = 60_000.0
    experience_expected: float = 40_000.0
    schedule_factor: float = 1.0


def book(firm: Firm) -> RatingBook:
    """A one-firm book of ``firm``, built column by column."""
    cs = firm.clients

    def column(name: str, dtype: type = float) -> np.ndarray:
        return np.array([getattr(c, name) for c in cs], dtype=dtype)

    metrics = ClientMetrics(
        employees=column("employees"),
        standardisation=column("standardisation", np.int64),
        major_hazard_sources=column("major_hazard_sources"),
        closure_rate=column("closure_rate"),
        overdue_rectifications=column("overdue_rectifications"),
        accidents_3y=np.array([c.accidents_3y for c in cs], dtype=float).reshape(-1, 4),
        iot_alarm_rate=column("iot_alarm_rate"),
    )
    return RatingBook(
        firm_ids=np.array([7]),
        deficits=np.array([firm.deficits]),
        years_since_retro=np.array([firm.years_since_retro]),
        experience_actual=np.array([firm.experience_actual]),
        experience_expected=np.array([firm.experience_expected]),
        schedule_factor=np.array([firm.schedule_factor]),
        client_firm=np.zeros(len(cs), dtype=np.int64),
        client_class=np.array([HAZARD_CLASSES.index(c.hazard_class) for c in cs], np.int64),
        client_metrics=metrics,
        client_weight=column("weight"),
    )


def sheet(firm: Firm, model: RatingModel = MODEL, option: CoverageOption = BASIC) -> dict:
    """The worksheet of ``firm`` rated with ``model``, as stored (through JSON)."""
    return json.loads(json.dumps(worksheet(rate(book(firm), model, [option]), 0, 0)))


def premium_fen(firm: Firm, model: RatingModel = MODEL, option: CoverageOption = BASIC) -> int:
    return int(rate(book(firm), model, [option]).premium_fen[0, 0])


def explain(before: Firm, after: Firm, *, old=MODEL, new=MODEL, option=BASIC, renewed=BASIC):
    """Explain the change from ``before`` to ``after``, each rated and written as a worksheet."""
    expiring, renewal = sheet(before, old, option), sheet(after, new, renewed)
    return explain_change(expiring, renewal, expiring_model=old, renewal_model=new)


def assert_telescopes(change: PremiumChange, *, expiring_fen: int, renewal_fen: int) -> None:
    assert (change.expiring_fen, change.renewal_fen) == (expiring_fen, renewal_fen)
    assert tuple(step.factor for step in change.steps) == FACTORS
    ends = [change.expiring_fen] + [step.after_fen for step in change.steps]
    assert [step.before_fen for step in change.steps] == ends[:-1]
    assert ends[-1] == change.renewal_fen
    assert sum(step.change_fen for step in change.steps) == renewal_fen - expiring_fen


def moved(change: PremiumChange) -> dict[str, int]:
    return {step.factor: step.change_fen for step in change.steps if step.change_fen}


def worse_audit(firm: Firm, by: float = 15.0) -> Firm:
    deficits = list(firm.deficits)
    deficits[AUDIT] += by
    return replace(firm, deficits=tuple(deficits))


RISKY = Client("mining", employees=2000.0, major_hazard_sources=5.0, accidents_3y=(9, 1, 0, 0))

# --- the steps telescope ----------------------------------------------------------------------

CASES = {
    "everything": (
        Firm(),
        Firm(
            clients=(*Firm().clients[1:], RISKY),
            deficits=worse_audit(Firm()).deficits,
            years_since_retro=0,
            experience_actual=0.0,
            experience_expected=90_000.0,
            schedule_factor=1.1,
        ),
        CoverageOption(2e6, 4e6, deductible=2e4, defence_inside=False),
    ),
    "a smaller firm with no clients": (Firm(), Firm(clients=()), BASIC),
    "a firm that found clients": (Firm(clients=()), Firm(), BASIC),
    "better in every way": (
        worse_audit(Firm(schedule_factor=1.2, years_since_retro=1)),
        Firm(experience_actual=10_000.0, years_since_retro=2, schedule_factor=0.9),
        CoverageOption(5e5, 1e6, deductible=5e3),
    ),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("new", [MODEL, NEXT], ids=["same model", "new model"])
def test_the_steps_telescope_to_the_change_in_premium(case, new):
    before, after, renewed = CASES[case]
    change = explain(before, after, new=new, renewed=renewed)
    expected = premium_fen(before), premium_fen(after, new, renewed)
    assert_telescopes(change, expiring_fen=expected[0], renewal_fen=expected[1])
    assert change.change_fen == expected[1] - expected[0] != 0


def test_identical_worksheets_change_nothing_at_any_step():
    change = explain(Firm(), Firm())
    assert [step.change_fen for step in change.steps] == [0] * len(FACTORS)
    assert change.expiring_fen == change.renewal_fen == premium_fen(Firm())


# --- a factor moves only its own step ---------------------------------------------------------


def test_a_new_model_moves_only_the_model_step():
    change = explain(Firm(), Firm(), new=NEXT)
    assert list(moved(change)) == ["model"]
    assert change.steps[0].detail == {"version": {"before": "pl-2026.1", "after": "pl-test"}}
    assert change.change_fen > 0  # a higher profit load


def test_a_worse_audit_moves_only_quality_and_upwards():
    change = explain(Firm(), worse_audit(Firm()))
    assert list(moved(change)) == ["quality"] and change.change_fen > 0
    detail = change.steps[FACTORS.index("quality")].detail
    market = float(MODEL.liability.market[AUDIT])
    assert detail["deficits"] == {"audit_score_deficit": {"before": market, "after": market + 15}}
    relativity = detail["quality_relativity"]
    assert relativity["after"] == pytest.approx(relativity["before"] * math.exp(0.02 * 15))


def test_an_added_client_moves_only_hazard_and_upwards():
    after = replace(Firm(), clients=(*Firm().clients, RISKY))
    change = explain(Firm(), after)
    assert list(moved(change)) == ["hazard"] and change.change_fen > 0
    detail = change.steps[FACTORS.index("hazard")].detail
    assert detail["clients"] == {"before": 3, "after": 4}
    incidents = detail["expected_client_incidents"]
    assert incidents["after"] > incidents["before"] > 0


@pytest.mark.parametrize(
    ("after", "factor", "shown"),
    [
        (Firm(experience_actual=200_000.0), "experience", "experience_mod"),
        (Firm(years_since_retro=5), "claims_made", "claims_made_step"),  # 0.95 → 1.00
        (Firm(schedule_factor=1.25), "schedule", "schedule_factor"),
    ],
)
def test_each_firm_input_moves_only_its_step_and_shows_its_factor(after, factor, shown):
    change = explain(Firm(), after)
    assert list(moved(change)) == [factor] and change.change_fen > 0
    detail = change.steps[FACTORS.index(factor)].detail[shown]
    assert detail["after"] > detail["before"]


def test_a_new_coverage_moves_only_the_coverage_step():
    renewed = CoverageOption(2e6, 6e6)
    change = explain(Firm(), Firm(), renewed=renewed)
    assert list(moved(change)) == ["coverage"] and change.change_fen > 0
    option = change.steps[-1].detail["option"]
    assert option["after"]["per_claim_limit"] == 2e6 and option["before"]["deductible"] == 0


# --- refusals ----------------------------------------------------------------------------------


def test_a_worksheet_rated_with_another_model_version_is_refused():
    old, new = sheet(Firm()), sheet(Firm(), NEXT)
    with pytest.raises(PricingError, match=r"renewal_model.*got \(renewal_model='pl-2026.1'\)"):
        explain_change(old, new, expiring_model=MODEL, renewal_model=MODEL)
    with pytest.raises(PricingError, match="expiring_model"):
        explain_change(old, new, expiring_model=NEXT, renewal_model=NEXT)


@pytest.mark.parametrize("which", ["expiring", "renewal"])
def test_a_model_that_does_not_re_rate_the_worksheet_is_refused(which):
    impostor = model_with("pl-2026.1", profit=0.02)  # the same name, other parameters
    models = {"expiring_model": MODEL, "renewal_model": MODEL, f"{which}_model": impostor}
    with pytest.raises(PricingError, match=f"{which}_model must re-rate the {which} worksheet"):
        explain_change(sheet(Firm()), sheet(Firm()), **models)


def test_a_tampered_total_is_refused():
    tampered = sheet(Firm())
    tampered["premium"]["total"] = str(Decimal(tampered["premium"]["total"]) + Decimal("0.01"))
    with pytest.raises(PricingError, match="renewal_model"):
        explain_change(sheet(Firm()), tampered, expiring_model=MODEL, renewal_model=MODEL)


def test_another_firms_worksheet_is_refused():
    other = sheet(Firm()) | {"firm_id": 8}
    with pytest.raises(PricingError, match=r"renewal worksheet.*got \(firm_id=8\)"):
        explain_change(sheet(Firm()), other, expiring_model=MODEL, renewal_model=MODEL)


# --- the report ----------------------------------------------------------------------------------


def test_to_dict_is_json_native_and_its_cny_strings_add_up():
    before, after, renewed = CASES["everything"]
    out = explain(before, after, new=NEXT, renewed=renewed).to_dict()
    assert json.loads(json.dumps(out)) == out
    assert out["expiring_premium"] == sheet(before)["premium"]["total"]
    assert out["renewal_premium"] == sheet(after, NEXT, renewed)["premium"]["total"]
    steps = sum(Decimal(step["change"]) for step in out["steps"])
    assert (
        steps
        == Decimal(out["change"])
        == Decimal(out["renewal_premium"]) - Decimal(out["expiring_premium"])
    )
    assert [step["factor"] for step in out["steps"]] == list(FACTORS)


def test_percentages_are_of_the_expiring_premium_to_a_tenth_halves_away_from_zero():
    def percent(change_fen: int) -> str:
        step = ChangeStep("model", 10_000, 10_000 + change_fen, {})
        return PremiumChange(10_000, 10_000 + change_fen, (step,)).to_dict()["change_percent"]

    assert percent(5) == "0.1" and percent(-5) == "-0.1"  # 0.05% either way
    assert percent(4) == "0.0" and percent(-4) == "0.0"  # never "-0.0"
    assert percent(1_234) == "12.3" and percent(-10_000) == "-100.0"
    step = PremiumChange(0, 100, (ChangeStep("model", 0, 100, {}),)).to_dict()["steps"][0]
    assert step["change_percent"] is None and step["change"] == "1.00"


# --- telescoping under random renewals -----------------------------------------------------------


@st.composite
def renewals(draw):
    """(renewal firm, model, option, factors changed) of a renewal of ``Firm()`` rated with
    ``MODEL`` under ``BASIC``: each group of inputs changed or not, at random."""
    changed, firm = set(), Firm()
    model = draw(st.sampled_from([MODEL, NEXT]))
    changed |= {"model"} if model is NEXT else set()
    if draw(st.booleans()):
        kept = draw(st.lists(st.sampled_from(firm.clients), max_size=4))
        extra = draw(st.lists(st.builds(Client, st.sampled_from(HAZARD_CLASSES)), max_size=2))
        firm, changed = replace(firm, clients=(*kept, *extra)), changed | {"hazard"}
    if draw(st.booleans()):
        firm, changed = worse_audit(firm, draw(st.floats(-15, 30))), changed | {"quality"}
    if draw(st.booleans()):
        actual, expected = draw(st.floats(0, 3e5)), draw(st.floats(0, 3e5))
        firm = replace(firm, experience_actual=actual, experience_expected=expected)
        changed |= {"experience"}
    if draw(st.booleans()):
        years = draw(st.integers(0, 6))
        firm, changed = replace(firm, years_since_retro=years), changed | {"claims_made"}
    if draw(st.booleans()):
        factor = draw(st.floats(0.75, 1.25))
        firm, changed = replace(firm, schedule_factor=factor), changed | {"schedule"}
    option = BASIC
    if draw(st.booleans()):
        limit = draw(st.sampled_from([2e5, 5e5, 2e6]))
        option, changed = (
            CoverageOption(limit, limit * draw(st.integers(1, 4))),
            changed | {"coverage"},
        )
    return firm, model, option, changed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(renewals())
def test_random_renewals_telescope_and_unchanged_factors_stay_still(renewal):
    after, model, option, changed = renewal
    change = explain(Firm(), after, new=model, renewed=option)
    expected = premium_fen(Firm()), premium_fen(after, model, option)
    assert_telescopes(change, expiring_fen=expected[0], renewal_fen=expected[1])
    assert set(moved(change)) <= changed
