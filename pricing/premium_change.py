"""Why a renewal's premium differs from the expiring one, factor by factor.

Sequential (chain) substitution, the factor analysis of cost accounting's variance
analysis applied to the rating function: start from the expiring worksheet's inputs,
coverage and model, which re-rate to the expiring premium (``pricing.worksheet.recompute``);
then swap in the renewal's values one group at a time, re-rating after each, in the order
of :data:`FACTORS`:

- ``model`` — the rating model version;
- ``hazard`` — the clients served (their number, classes, metrics and weights);
- ``quality`` — the firm's quality deficits;
- ``experience`` — the firm's actual and expected losses of the experience period;
- ``claims_made`` — full years since the retro date;
- ``schedule`` — the schedule factor;
- ``coverage`` — limits, deductible and defence.

Each step's change is the premium after its swap less the premium before, so the steps
telescope exactly, in fen, to the renewal premium less the expiring one. The attribution
depends on the order: a factor swapped later is measured at the renewal's values of the
factors before it. Steps that change nothing stay in the list, so a reader sees that the
model (say) did not move the price.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pricing.book import CoverageOption
from pricing.errors import PricingError
from pricing.model import QUALITY_FEATURES, RatingModel
from pricing.premium import fen_to_decimal
from pricing.rate import RatingResult, rate
from pricing.worksheet import book_from_inputs

__all__ = ["FACTORS", "ChangeStep", "PremiumChange", "explain_change"]

FACTORS = ("model", "hazard", "quality", "experience", "claims_made", "schedule", "coverage")

#: How a step's percentage of the expiring premium is shown: to 0.1, halves away from zero.
PERCENT_ROUNDING = ROUND_HALF_UP


@dataclass(frozen=True)
class ChangeStep:
    """One substitution: the premium, fen, before and after ``factor`` took its renewal value.

    ``detail`` is JSON-native and names the values that changed.
    """

    factor: str
    before_fen: int
    after_fen: int
    detail: dict[str, Any]

    @property
    def change_fen(self) -> int:
        """``after_fen - before_fen``."""
        return self.after_fen - self.before_fen


@dataclass(frozen=True)
class PremiumChange:
    """The expiring and renewal premiums, fen, and the steps between them, in ``FACTORS``
    order: ``Σ step.change_fen == renewal_fen - expiring_fen``."""

    expiring_fen: int
    renewal_fen: int
    steps: tuple[ChangeStep, ...]

    @property
    def change_fen(self) -> int:
        """``renewal_fen - expiring_fen``."""
        return self.renewal_fen - self.expiring_fen

    def to_dict(self) -> dict[str, Any]:
        """JSON-native: amounts as decimal strings in CNY, and each change as a percentage of
        the expiring premium, a string to 0.1 (``None`` if the expiring premium is 0)."""
        return {
            "expiring_premium": str(fen_to_decimal(self.expiring_fen)),
            "renewal_premium": str(fen_to_decimal(self.renewal_fen)),
            "change": str(fen_to_decimal(self.change_fen)),
            "change_percent": _percent(self.change_fen, of=self.expiring_fen),
            "steps": [
                {
                    "factor": step.factor,
                    "before": str(fen_to_decimal(step.before_fen)),
                    "after": str(fen_to_decimal(step.after_fen)),
                    "change": str(fen_to_decimal(step.change_fen)),
                    "change_percent": _percent(step.change_fen, of=self.expiring_fen),
                    "detail": step.detail,
                }
                for step in self.steps
            ],
        }


@dataclass(frozen=True)
class _Stage:
    """What is rated at one point of the substitution: a worksheet's inputs, option, model."""

    model: RatingModel
    inputs: dict[str, Any]
    option: dict[str, Any]


def explain_change(
    expiring: dict[str, Any],
    renewal: dict[str, Any],
    *,
    expiring_model: RatingModel,
    renewal_model: RatingModel,
) -> PremiumChange:
    """The change from the ``expiring`` worksheet's premium to the ``renewal`` one's, in steps.

    Both are worksheets (``pricing.worksheet``) of the same firm, rated with
    ``expiring_model`` and ``renewal_model``; each must re-rate to its recorded total, or a
    ``PricingError`` says the worksheet was not made with that model. Amounts are integer
    fen; one step per name of :data:`FACTORS`, in that order, each re-rating a one-firm book
    with :func:`pricing.rate.rate`, so ``Σ step.change_fen == renewal_fen - expiring_fen``.
    """
    _check_pair(expiring, renewal, expiring_model=expiring_model, renewal_model=renewal_model)
    stage = _Stage(expiring_model, expiring["inputs"], expiring["option"])
    start = before = _rated(stage, expiring["firm_id"])
    _check_total(expiring, start, which="expiring")
    steps = []
    for factor in FACTORS:
        stage = _swapped(stage, factor, renewal, renewal_model)
        after = _rated(stage, expiring["firm_id"])
        steps.append(ChangeStep(factor, _fen(before), _fen(after), _detail(factor, before, after)))
        before = after
    _check_total(renewal, before, which="renewal")
    return PremiumChange(_fen(start), _fen(before), tuple(steps))


def _check_pair(
    expiring: dict[str, Any],
    renewal: dict[str, Any],
    *,
    expiring_model: RatingModel,
    renewal_model: RatingModel,
) -> None:
    if renewal["firm_id"] != expiring["firm_id"]:
        raise PricingError(
            f"of the renewal worksheet must be the expiring one's ({expiring['firm_id']})",
            field="firm_id",
            value=renewal["firm_id"],
        )
    for sheet, model, name in (
        (expiring, expiring_model, "expiring"),
        (renewal, renewal_model, "renewal"),
    ):
        if sheet["model_version"] != model.version:
            raise PricingError(
                f"must be {sheet['model_version']}, the version the {name} worksheet was rated "
                "with",
                field=f"{name}_model",
                value=model.version,
            )


def _check_total(sheet: dict[str, Any], result: RatingResult, *, which: str) -> None:
    """Refuse a model that does not re-rate ``sheet`` to the total it records."""
    recorded = Decimal(sheet["premium"]["total"])
    recomputed = fen_to_decimal(_fen(result))
    if recomputed != recorded:
        raise PricingError(
            f"must re-rate the {which} worksheet to its recorded {recorded} CNY, but gives "
            f"{recomputed} CNY: the worksheet was not made with this model",
            field=f"{which}_model",
            value=result.model.version,
        )


def _rated(stage: _Stage, firm_id: int) -> RatingResult:
    book = book_from_inputs(firm_id, stage.inputs)
    return rate(book, stage.model, [CoverageOption(**stage.option)])


def _fen(result: RatingResult) -> int:
    return int(result.premium_fen[0, 0])


# --- the substitutions, in FACTORS order ----------------------------------------------------

#: The worksheet's firm inputs (``sheet["inputs"]["firm"]``) each firm factor swaps.
FIRM_INPUTS = {
    "quality": ("deficits",),
    "experience": ("experience_actual", "experience_expected"),
    "claims_made": ("years_since_retro",),
    "schedule": ("schedule_factor",),
}


def _swapped(stage: _Stage, factor: str, renewal: dict[str, Any], model: RatingModel) -> _Stage:
    """``stage`` with ``factor`` at its renewal value: ``model`` is the renewal model."""
    if factor == "model":
        return replace(stage, model=model)
    if factor == "hazard":
        return replace(stage, inputs=stage.inputs | {"clients": renewal["inputs"]["clients"]})
    if factor == "coverage":
        return replace(stage, option=renewal["option"])
    new = {key: renewal["inputs"]["firm"][key] for key in FIRM_INPUTS[factor]}
    return replace(stage, inputs=stage.inputs | {"firm": stage.inputs["firm"] | new})


# --- what each step says changed -------------------------------------------------------------


#: The worksheet name and ``pricing.rate.FirmFactors`` attribute of the factor a step moves.
MOVED_FACTOR = {
    "quality": ("quality_relativity", "relativity"),
    "experience": ("experience_mod", "mod"),
    "claims_made": ("claims_made_step", "step"),
}


def _detail(factor: str, before: RatingResult, after: RatingResult) -> dict[str, Any]:
    """JSON-native: the values ``factor`` swapped and the factor of ``rate`` they moved."""
    if factor == "model":
        return {"version": _pair(before.model.version, after.model.version)}
    if factor == "hazard":
        return _hazard(before, after)
    if factor == "coverage":
        return {"option": _pair(_option(before), _option(after))}
    if factor == "quality":
        swapped = {"deficits": _deficits(before, after)}
    else:
        swapped = {name: _firm_input(before, after, name) for name in FIRM_INPUTS[factor]}
    if factor not in MOVED_FACTOR:
        return swapped
    shown, attribute = MOVED_FACTOR[factor]
    return {shown: _factor(before, after, attribute)} | swapped


def _pair(before: Any, after: Any) -> dict[str, Any]:
    return {"before": before, "after": after}


def _factor(before: RatingResult, after: RatingResult, name: str) -> dict[str, float]:
    """A firm factor of ``rate`` (``pricing.rate.FirmFactors``) before and after."""
    return _pair(float(getattr(before.factors, name)[0]), float(getattr(after.factors, name)[0]))


def _firm_input(before: RatingResult, after: RatingResult, name: str) -> dict[str, Any]:
    """A firm input of the book before and after, as the worksheet writes it."""
    old, new = getattr(before.book, name)[0], getattr(after.book, name)[0]
    return _pair(old.item(), new.item())


def _hazard(before: RatingResult, after: RatingResult) -> dict[str, Any]:
    """Clients and expected incidents at them per year, Σ weight × λ, under the renewal model."""
    return {
        "clients": _pair(len(before.book.client_firm), len(after.book.client_firm)),
        "expected_client_incidents": _pair(
            float(before.factors.incidents[0].sum()), float(after.factors.incidents[0].sum())
        ),
    }


def _deficits(before: RatingResult, after: RatingResult) -> dict[str, Any]:
    """Each quality deficit that changed, before and after."""
    old, new = before.book.deficits[0], after.book.deficits[0]
    return {
        name: _pair(float(a), float(b))
        for name, a, b in zip(QUALITY_FEATURES, old, new, strict=True)
        if a != b
    }


def _option(result: RatingResult) -> dict[str, Any]:
    option = result.options[0]
    return {name: getattr(option, name) for name in CoverageOption.__dataclass_fields__}


def _percent(change_fen: int, *, of: int) -> str | None:
    """``100 × change / of`` to 0.1, halves away from zero, as a string; never ``-0.0``."""
    if of == 0:
        return None
    percent = (Decimal(change_fen) * 100 / Decimal(of)).quantize(
        Decimal("0.1"), rounding=PERCENT_ROUNDING
    )
    return str(percent if percent else abs(percent))
