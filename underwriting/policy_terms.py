"""A policy's terms on any date, and their full-term premium under the policy's own model.

The terms are what an endorsement may change: per-claim limit, aggregate limit, deductible,
defence inside or outside, and the engagements covered. A policy's history is a list of
transactions, each with the terms before and after; the terms on a date are those after
the last live (unreversed) transaction effective on or before it, in effective-date order.

Premiums for changed terms are re-rated from the inputs frozen when the policy was quoted
(the firm's deficits, experience, schedule and one client row per engagement) with the
policy's model version, so a mid-term change never picks up a new model or new data for
what was already rated. An engagement added mid-term is rated from the latest data at the
time of the endorsement, and its row joins the frozen inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from pricing import CoverageOption, PricingError, RatingModel, fen_to_decimal, rate, worksheet
from pricing.worksheet import book_from_inputs
from underwriting.errors import InvalidInput


@dataclass(frozen=True)
class Terms:
    """Money in CNY; ``engagement_ids`` sorted."""

    per_claim_limit: Decimal
    aggregate_limit: Decimal
    deductible: Decimal
    defence_inside: bool
    engagement_ids: tuple[int, ...]

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Terms:
        return cls(
            per_claim_limit=Decimal(values["per_claim_limit"]),
            aggregate_limit=Decimal(values["aggregate_limit"]),
            deductible=Decimal(values["deductible"]),
            defence_inside=bool(values["defence_inside"]),
            engagement_ids=tuple(sorted(values["engagement_ids"])),
        )

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        for name in ("per_claim_limit", "aggregate_limit", "deductible"):
            values[name] = f"{values[name]:.2f}"
        values["engagement_ids"] = list(self.engagement_ids)
        return values

    def changed(self, change: Mapping[str, Any]) -> Terms:
        """These terms with ``change`` applied (limits replaced; engagements added/removed).
        Adding a covered engagement or removing an uncovered one changes nothing, so a
        re-applied endorsement stays well defined after an earlier one overlapped it."""
        ids = (set(self.engagement_ids) | set(change.get("add_engagement_ids") or ())) - set(
            change.get("remove_engagement_ids") or ()
        )
        limits = {
            name: Decimal(change[name]) if name != "defence_inside" else bool(change[name])
            for name in ("per_claim_limit", "aggregate_limit", "deductible", "defence_inside")
            if change.get(name) is not None
        }
        return replace(self, engagement_ids=tuple(sorted(ids)), **limits)

    def option(self) -> CoverageOption:
        """The pricing option of these terms; ``InvalidInput`` names a limit that breaks."""
        try:
            return CoverageOption(
                per_claim_limit=float(self.per_claim_limit),
                aggregate_limit=float(self.aggregate_limit),
                deductible=float(self.deductible),
                defence_inside=self.defence_inside,
            )
        except PricingError as error:
            field = str(error).split(" ", 1)[0]
            raise InvalidInput(field, str(getattr(self, field, "")), str(error)) from None


@dataclass(frozen=True)
class Rated:
    premium: Decimal
    worksheet: dict[str, Any]


def full_term_premium(
    firm_id: int, inputs: Mapping[str, Any], terms: Terms, model: RatingModel
) -> Rated:
    """The premium of ``terms`` for the whole period, rated from the frozen ``inputs``."""
    rows = dict(zip(inputs["engagement_ids"], inputs["clients"], strict=True))
    covered = {"firm": inputs["firm"], "clients": [rows[e] for e in terms.engagement_ids]}
    result = rate(book_from_inputs(firm_id, covered), model, [terms.option()])
    return Rated(fen_to_decimal(int(result.premium_fen[0, 0])), worksheet(result, 0, 0))


def terms_on(transactions: Sequence[Any], day: date) -> Terms | None:
    """The terms in force on ``day``: after the last live transaction effective by then
    (``transactions`` in processing order, each with ``details["after"]``)."""
    live = [t for t in transactions if t.reversed_by_id is None and "after" in t.details]
    dated = sorted(
        (t for t in live if t.effective_date <= day), key=lambda t: (t.effective_date, t.sequence)
    )
    return Terms.from_dict(dated[-1].details["after"]) if dated else None


def with_client_rows(
    inputs: Mapping[str, Any], ids: Sequence[int], rows: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The frozen inputs with client rows for engagements ``ids`` added, sorted by id."""
    known = dict(zip(inputs["engagement_ids"], inputs["clients"], strict=True))
    known.update(zip(ids, rows, strict=True))
    order = sorted(known)
    return {**inputs, "engagement_ids": order, "clients": [known[e] for e in order]}
