"""Whether a policy covers a claim, with every reason (DESIGN.md section 3, items 1 and 2).

Claims-made cover: claims first *made* in the period (or the extended reporting period,
ERP) for incidents on or after the retro date. All seven rules are judged, in this order, so
that a denial names every ground at once:

1. ``claims_made_trigger``: first made in the period [effective, expiry) or in the ERP
   [expiry, ERP end];
2. ``retro_date``: the incident is on or after the retro date;
3. ``in_force``: the policy is not cancelled; or the incident is before the cancellation
   date C and the claim is first made before C (or, where an ERP was bought, by its end);
4. ``incident_in_period_or_before``: the incident is on or before the first-made date, and
   before the expiry date;
5. ``covered_engagement``: the enterprise was under an engagement the policy covers on the
   incident date;
6. ``category_in_scope``: one of the incident's hazard categories is in the engagement's
   scope (an accident type that maps to no category is not covered);
7. ``exclusions``: none of ``EXCLUSIONS`` applies.

Dates follow ``underwriting/coverage.py``: the period is [effective_date, expiry_date), so a
claim first made on the expiry date is outside the period; a cancellation takes effect at
the start of ``cancelled_date``. The ERP runs from the expiry date itself to its end date
inclusive, so that period and ERP meet without a gap day. Incidents during the ERP are not
covered: the ERP extends the time to *report*, not the time to *err*.

The package's errors and the money check ``require_fen`` live here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from claims.errors import ClaimsError, require_fen

__all__ = [
    "COVERAGE_RULES",
    "EXCLUSIONS",
    "ClaimFacts",
    "ClaimsError",
    "CoverageDecision",
    "CoverageReason",
    "InvalidClaimFacts",
    "InvalidTerms",
    "PolicyTerms",
    "decide_coverage",
    "require_fen",
]

#: The exclusions of DESIGN.md section 3 item 2, as codes.
EXCLUSIONS = ("intentional_act", "outside_qualification", "fines_and_penalties")
_EXCLUSION_WORDS = {
    "intentional_act": "an intentional act",
    "outside_qualification": "a service outside the firm's qualification",
    "fines_and_penalties": "fines and penalties",
}


class InvalidTerms(ClaimsError):
    """The policy terms contradict themselves (an expiry before inception, a limit ≤ 0 …)."""


class InvalidClaimFacts(ClaimsError):
    """The facts of a claim are malformed (an exclusion not in ``EXCLUSIONS`` …)."""


@dataclass(frozen=True, kw_only=True)
class PolicyTerms:
    """The terms of one policy that settle its claims; money in CNY, whole fen.

    ``expiry_date`` is the exclusive end of the period; ``extended_reporting_end_date`` the
    inclusive last day of the ERP, if one was bought. ``defence_inside`` says whether
    defence costs erode the limits (``claims.amounts``).
    """

    effective_date: date
    expiry_date: date
    retro_date: date
    cancelled_date: date | None = None
    extended_reporting_end_date: date | None = None
    per_claim_limit: Decimal
    aggregate_limit: Decimal
    deductible: Decimal
    defence_inside: bool

    def __post_init__(self) -> None:
        self._check_dates()
        require_fen("per_claim_limit", self.per_claim_limit, error=InvalidTerms, positive=True)
        require_fen("aggregate_limit", self.aggregate_limit, error=InvalidTerms, positive=True)
        require_fen("deductible", self.deductible, error=InvalidTerms)
        limit, aggregate = self.per_claim_limit, self.aggregate_limit
        rule = f"must be >= per_claim_limit ({limit})"
        _check(aggregate >= limit, "aggregate_limit", aggregate, rule)

    @property
    def end_of_cover(self) -> date:
        """The first day not covered: the cancellation date, else the expiry date."""
        return self.cancelled_date or self.expiry_date

    def _check_dates(self) -> None:
        start, end, retro = self.effective_date, self.expiry_date, self.retro_date
        cancelled, erp = self.cancelled_date, self.extended_reporting_end_date
        _check(end > start, "expiry_date", end, f"must be after effective_date ({start})")
        _check(retro <= start, "retro_date", retro, f"must not be after effective_date ({start})")
        if cancelled is not None:
            rule = f"must be in the period [{start}, {end})"
            _check(start <= cancelled < end, "cancelled_date", cancelled, rule)
        if erp is not None:
            rule = f"must not be before the end of cover ({self.end_of_cover})"
            _check(erp >= self.end_of_cover, "extended_reporting_end_date", erp, rule)


@dataclass(frozen=True, kw_only=True)
class ClaimFacts:
    """What coverage looks at, gathered by the use case.

    ``covered_engagement`` is decided from the policy's history (was the enterprise under an
    engagement the policy covered on the incident date); ``incident_categories`` are the
    hazard categories the accident type maps to, ``engagement_categories`` the engagement's
    scope; ``exclusions`` the codes of ``EXCLUSIONS`` that apply.
    """

    incident_date: date
    first_made_date: date
    covered_engagement: bool
    incident_categories: frozenset[str]
    engagement_categories: frozenset[str]
    exclusions: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = sorted(self.exclusions - set(EXCLUSIONS))
        rule = f"must be drawn from {', '.join(EXCLUSIONS)}"
        _check(not unknown, "exclusions", unknown, rule, InvalidClaimFacts)


@dataclass(frozen=True)
class CoverageReason:
    """One rule's verdict: its ``code`` (one of ``COVERAGE_RULES``), a sentence, pass or fail."""

    code: str
    text: str
    passed: bool


@dataclass(frozen=True)
class CoverageDecision:
    """Covered when every reason passed; ``reasons`` holds all seven, in rule order."""

    covered: bool
    reasons: tuple[CoverageReason, ...]

    @property
    def failures(self) -> tuple[CoverageReason, ...]:
        """The reasons that failed: the grounds of a denial."""
        return tuple(r for r in self.reasons if not r.passed)


def decide_coverage(facts: ClaimFacts, *, terms: PolicyTerms) -> CoverageDecision:
    """Judge every rule of the module docstring, in order, on ``facts`` under ``terms``.

    >>> terms = PolicyTerms(
    ...     effective_date=date(2026, 3, 1), expiry_date=date(2027, 3, 1),
    ...     retro_date=date(2025, 3, 1), per_claim_limit=Decimal("1000000.00"),
    ...     aggregate_limit=Decimal("3000000.00"), deductible=Decimal("10000.00"),
    ...     defence_inside=True)
    >>> facts = ClaimFacts(
    ...     incident_date=date(2026, 5, 4), first_made_date=date(2027, 3, 1),
    ...     covered_engagement=True, incident_categories=frozenset({"lifting"}),
    ...     engagement_categories=frozenset({"lifting", "electrical"}))
    >>> decision = decide_coverage(facts, terms=terms)
    >>> decision.covered, [r.code for r in decision.failures]
    (False, ['claims_made_trigger'])
    >>> decision.failures[0].text
    'first made 2027-03-01, after the policy period ended on 2027-02-28'
    """
    reasons = tuple(_reason(code, *rule(facts, terms)) for code, rule in _RULES.items())
    return CoverageDecision(covered=all(r.passed for r in reasons), reasons=reasons)


_Verdict = tuple[bool, str]  # passed, and the sentence saying why


def _trigger(facts: ClaimFacts, terms: PolicyTerms) -> _Verdict:
    made, erp = facts.first_made_date, terms.extended_reporting_end_date
    start, last = terms.effective_date, _last_day(terms.expiry_date)
    if start <= made < terms.expiry_date:
        return True, f"first made {made}, in the period {start} to {last}"
    if erp is not None and terms.expiry_date <= made <= erp:
        text = f"first made {made}, in the extended reporting period {terms.expiry_date} to {erp}"
        return True, text
    if made < start:
        return False, f"first made {made}, before the period began {start}"
    text = f"first made {made}, after the policy period ended on {last}"
    if erp is not None:
        text += f" and after the extended reporting period ended on {erp}"
    return False, text


def _retro(facts: ClaimFacts, terms: PolicyTerms) -> _Verdict:
    incident, retro = facts.incident_date, terms.retro_date
    if incident >= retro:
        return True, f"incident on {incident}, on or after the retro date {retro}"
    return False, f"incident on {incident}, before the retro date {retro}"


def _in_force(facts: ClaimFacts, terms: PolicyTerms) -> _Verdict:
    cancelled, erp = terms.cancelled_date, terms.extended_reporting_end_date
    incident, made = facts.incident_date, facts.first_made_date
    if cancelled is None:
        return True, "the policy is not cancelled"
    head = f"the policy was cancelled from {cancelled}; "
    if incident >= cancelled:
        return False, head + f"the incident on {incident} is not before that date"
    if made < cancelled:
        return True, head + f"incident ({incident}) and claim ({made}) precede it"
    if erp is not None and made <= erp:
        text = head + f"the claim, first made {made}, is in the extended reporting period to {erp}"
        return True, text
    text = head + f"the claim was first made on {made}, not before that date"
    return False, text + (f" nor in the extended reporting period to {erp}" if erp else "")


def _incident_before_claim(facts: ClaimFacts, terms: PolicyTerms) -> _Verdict:
    incident, made = facts.incident_date, facts.first_made_date
    if incident > made:
        return False, f"incident on {incident}, after the claim was first made on {made}"
    if incident >= terms.expiry_date:
        last = _last_day(terms.expiry_date)
        return False, f"incident on {incident}, after the policy period ended on {last}"
    return True, f"incident on {incident}, before the period ended and by the claim ({made})"


def _engagement(facts: ClaimFacts, terms: PolicyTerms) -> _Verdict:
    day = facts.incident_date
    if facts.covered_engagement:
        return True, f"the enterprise was under an engagement the policy covers on {day}"
    return False, f"the enterprise was under no engagement the policy covers on {day}"


def _category(facts: ClaimFacts, terms: PolicyTerms) -> _Verdict:
    incident, scope = facts.incident_categories, facts.engagement_categories
    if not incident:
        return False, "the accident type maps to no hazard category"
    if incident & scope:
        return True, f"in scope: {_listed(incident & scope)}"
    text = f"{_listed(incident)} outside the engagement's scope ({_listed(scope) or 'empty'})"
    return False, text


def _exclusions(facts: ClaimFacts, terms: PolicyTerms) -> _Verdict:
    applying = [_EXCLUSION_WORDS[code] for code in EXCLUSIONS if code in facts.exclusions]
    if not applying:
        return True, "no exclusion applies"
    return False, "excluded: " + "; ".join(applying)


_RULES = {
    "claims_made_trigger": _trigger,
    "retro_date": _retro,
    "in_force": _in_force,
    "incident_in_period_or_before": _incident_before_claim,
    "covered_engagement": _engagement,
    "category_in_scope": _category,
    "exclusions": _exclusions,
}
#: The rule codes, in the order their reasons are given.
COVERAGE_RULES = tuple(_RULES)


def _reason(code: str, passed: bool, text: str) -> CoverageReason:
    return CoverageReason(code=code, text=text, passed=passed)


def _last_day(expiry: date) -> date:
    return expiry - timedelta(days=1)


def _listed(categories: frozenset[str]) -> str:
    return ", ".join(sorted(categories))


def _check(
    holds: bool, field: str, value: Any, rule: str, error: type[ClaimsError] = InvalidTerms
) -> None:
    if not holds:
        raise error(rule, field=field, value=value)
