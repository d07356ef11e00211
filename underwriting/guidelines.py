"""Underwriting guidelines: which quotes are accepted, referred or declined, and on what terms.

Every rule is anchored to the quote's own effective date, never to today: a firm whose
qualification lapses before its cover starts is declined even if the certificate is still
valid on the day it is quoted. Each rule that fires gives a reason code and a sentence an
underwriter (and the firm) can read; conditions to bind are *subjectivities*, re-checked at
bind time.

| code | outcome | when |
|---|---|---|
| ``qualification_lapsed`` | decline | the qualification expires before the effective date |
| ``credit_red`` | decline | the regulator's credit colour is red |
| ``tier_e`` | refer | the firm's tier is E |
| ``authority`` | refer | an option's aggregate limit exceeds the underwriter's authority |
| ``hazardous_share`` | refer | hazardous-class clients over ``hazardous_share_limit`` |
| ``false_report`` | refer | a false (虚假) report in the last ``false_report_audits`` audits |
| ``recent_audit`` | subjectivity | no audit in ``audit_recency_months`` before the effective date |
| ``qualification_renewal`` | subjectivity | the qualification expires inside the period |

This module is pure: the use case gathers the facts, these functions judge them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from underwriting.vocabulary import CreditColour, HazardClass, QuoteDecision

#: The eight sectors where work-safety liability insurance is compulsory (DESIGN.md §1).
HAZARDOUS_CLASSES = frozenset(HazardClass) - {
    HazardClass.LIGHT_MANUFACTURING,
    HazardClass.HEAVY_MANUFACTURING,
}


@dataclass(frozen=True)
class Guidelines:
    """The insurer's appetite; every threshold a documented parameter."""

    quote_valid_days: int = 30
    #: Authority of an underwriter key minted without one: aggregate limit, CNY.
    default_authority: Decimal = Decimal("5000000.00")
    #: Settlement authority of an adjuster key minted without one: a payment, CNY.
    default_settlement_authority: Decimal = Decimal("500000.00")
    hazardous_share_limit: float = 0.6
    false_report_audits: int = 3
    audit_recency_months: int = 12


GUIDELINES = Guidelines()


@dataclass(frozen=True)
class Reason:
    outcome: QuoteDecision
    code: str
    text: str
    option_index: int | None = None


@dataclass(frozen=True)
class Subjectivity:
    code: str
    text: str


@dataclass(frozen=True)
class QuoteFacts:
    """What the rules look at, gathered by the quote use case as of the quote date."""

    effective: date
    expiry: date
    qualification_expiry: date
    credit_colour: str
    tier: str
    aggregate_limits: Sequence[Decimal]
    authority: Decimal
    client_classes: Sequence[str]
    client_weights: Sequence[float]
    #: (audit date, false reports) of the firm's latest audits, newest first.
    last_audits: Sequence[tuple[date, int]]


@dataclass(frozen=True)
class Judgement:
    decision: QuoteDecision
    reasons: list[Reason]
    subjectivities: list[Subjectivity]


def judge(facts: QuoteFacts, guidelines: Guidelines = GUIDELINES) -> Judgement:
    """Apply every rule; the decision is the gravest outcome among the reasons."""
    reasons = [
        *_declines(facts),
        *_referrals(facts, guidelines),
    ]
    outcomes = {r.outcome for r in reasons}
    decision = next(
        (o for o in (QuoteDecision.DECLINE, QuoteDecision.REFER) if o in outcomes),
        QuoteDecision.ACCEPT,
    )
    return Judgement(decision, reasons, subjectivities(facts, guidelines))


def _declines(facts: QuoteFacts) -> list[Reason]:
    found = []
    if facts.qualification_expiry < facts.effective:
        found.append(
            Reason(
                QuoteDecision.DECLINE,
                "qualification_lapsed",
                f"the firm's qualification expires on {facts.qualification_expiry.isoformat()}, "
                f"before the cover starts on {facts.effective.isoformat()}",
            )
        )
    if facts.credit_colour == CreditColour.RED:
        found.append(
            Reason(QuoteDecision.DECLINE, "credit_red", "the regulator's credit colour is red")
        )
    return found


def _referrals(facts: QuoteFacts, guidelines: Guidelines) -> list[Reason]:
    found = []
    if facts.tier == "E":
        found.append(
            Reason(QuoteDecision.REFER, "tier_e", "the firm's service quality puts it in tier E")
        )
    for index, limit in enumerate(facts.aggregate_limits):
        if limit > facts.authority:
            found.append(
                Reason(
                    QuoteDecision.REFER,
                    "authority",
                    f"option {index}: aggregate limit {limit} CNY exceeds the underwriter's "
                    f"authority of {facts.authority} CNY",
                    option_index=index,
                )
            )
    share = hazardous_share(facts.client_classes, facts.client_weights)
    if share > guidelines.hazardous_share_limit:
        found.append(
            Reason(
                QuoteDecision.REFER,
                "hazardous_share",
                f"clients in compulsory-insurance sectors are {share:.0%} of the exposure, "
                f"over the {guidelines.hazardous_share_limit:.0%} the guidelines allow",
            )
        )
    false = [day for day, count in facts.last_audits[: guidelines.false_report_audits] if count]
    if false:
        found.append(
            Reason(
                QuoteDecision.REFER,
                "false_report",
                f"the audit of {false[0].isoformat()} found false (虚假) reports",
            )
        )
    return found


def subjectivities(facts: QuoteFacts, guidelines: Guidelines = GUIDELINES) -> list[Subjectivity]:
    """Conditions to bind that the facts do not meet yet."""
    found = []
    if not has_recent_audit([d for d, _ in facts.last_audits], facts.effective, guidelines):
        found.append(
            Subjectivity(
                "recent_audit",
                f"an audit of the firm dated after {audit_cutoff(facts.effective, guidelines)}",
            )
        )
    if facts.effective <= facts.qualification_expiry < facts.expiry:
        found.append(
            Subjectivity(
                "qualification_renewal",
                f"the firm's qualification renewed beyond {facts.qualification_expiry.isoformat()}",
            )
        )
    return found


def audit_cutoff(effective: date, guidelines: Guidelines = GUIDELINES) -> date:
    """The day ``audit_recency_months`` before ``effective`` (month ends clamp: 31 → 30)."""
    months = effective.year * 12 + effective.month - 1 - guidelines.audit_recency_months
    year, month = divmod(months, 12)
    for day in range(effective.day, 27, -1):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    return date(year, month + 1, effective.day)


def has_recent_audit(
    audit_dates: Sequence[date], effective: date, guidelines: Guidelines = GUIDELINES
) -> bool:
    """Whether an audit is newer than ``audit_recency_months`` before ``effective``."""
    cutoff = audit_cutoff(effective, guidelines)
    return any(day > cutoff for day in audit_dates)


def hazardous_share(classes: Sequence[str], weights: Sequence[float]) -> float:
    """The exposure-weighted share of clients in the compulsory-insurance sectors."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    return sum(w for c, w in zip(classes, weights, strict=True) if c in HAZARDOUS_CLASSES) / total
