"""A firm's loss run: five years of its policies, of every insurer, and their claims.

A loss run is what a firm shows an insurer it moves to, so it crosses insurers on purpose:
the firm itself, admins and any insurer's staff may read it. Each claim's money is read
from the ledger as of the date, in ``Decimal`` CNY:

- paid = Σ legs on ``claims_paid`` (indemnity) and ``defence_paid`` (defence costs), debits
  positive, net of reversed payments;
- case reserve = the outstanding balance of ``case_reserve`` (indemnity) and
  ``expense_reserve`` (defence costs), each raised by a debit and released by a credit;
- incurred = paid + case reserve: a payment out of a reserve moves money from one to the
  other and leaves it unchanged.

Recoveries are not netted off. Totals are per policy year — the calendar year of a policy's
effective date — and over the window; the loss ratio is incurred / written premium,
rounded half up to 4 places, or ``None`` where no premium was written. The experience mod of
the firm's next quote reads the same policies and the same incurred
(``underwriting.experience``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from underwriting import clock
from underwriting.access import Principal
from underwriting.db.tables import Claim, Firm, Incident, Policy
from underwriting.db.uow import UnitOfWorkFactory
from underwriting.errors import NotFound, RoleNotAllowed
from underwriting.vocabulary import INSURER_STAFF, LedgerAccount, Role

#: How far back a loss run reaches from its ``as_of`` date.
WINDOW_YEARS = 5
RATIO_PLACES = Decimal("0.0001")
ZERO = Decimal("0.00")
PAID_ACCOUNTS = (LedgerAccount.CLAIMS_PAID, LedgerAccount.DEFENCE_PAID)
RESERVE_ACCOUNTS = (LedgerAccount.CASE_RESERVE, LedgerAccount.EXPENSE_RESERVE)
#: The accounts whose legs sum to a claim's incurred loss.
INCURRED_ACCOUNTS = PAID_ACCOUNTS + RESERVE_ACCOUNTS


@dataclass(frozen=True)
class ClaimLine:
    id: int
    incident_id: int
    incident_date: date  # China time
    accident_type: str
    grade: str
    first_made_date: date
    status: str
    paid: Decimal  # indemnity and defence, CNY
    case_reserve: Decimal  # outstanding indemnity and expense reserves, CNY

    @property
    def incurred(self) -> Decimal:
        return self.paid + self.case_reserve


@dataclass(frozen=True)
class PolicyLine:
    id: int
    number: str
    insurer_id: int
    insurer_name: str
    effective_date: date
    expiry_date: date
    status: str
    cancelled_date: date | None
    written_premium: Decimal | None
    claims: list[ClaimLine]


@dataclass(frozen=True)
class Totals:
    claim_count: int
    paid: Decimal
    case_reserve: Decimal
    written_premium: Decimal

    @property
    def incurred(self) -> Decimal:
        return self.paid + self.case_reserve

    @property
    def loss_ratio(self) -> Decimal | None:
        if not self.written_premium:
            return None
        return (self.incurred / self.written_premium).quantize(RATIO_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class PolicyYear(Totals):
    policy_year: int


@dataclass(frozen=True)
class LossRun:
    firm: Firm
    as_of_date: date
    window_start_date: date
    policies: list[PolicyLine]
    policy_years: list[PolicyYear]
    totals: Totals


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def firm_loss_run(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    firm_id: int,
    *,
    as_of: date | None = None,
) -> LossRun:
    """The firm's policies meeting [as_of − 5 years, as_of] and their claims first made by
    ``as_of`` (default today, China time), with the ledger read as of that date."""
    if principal.role not in INSURER_STAFF | {Role.ADMIN, Role.FIRM}:
        raise RoleNotAllowed(principal.role.value, "read a firm's loss run")
    day = as_of or clock.today()
    start = years_before(day, WINDOW_YEARS)
    with uow_factory() as uow:
        firm = uow.firms.get(firm_id, principal)
        if firm is None:
            raise NotFound("firm", firm_id)
        policies = uow.loss_runs.policies_of(firm_id, start=start, end=day)
        claims = uow.loss_runs.claims_of([p.id for p, _ in policies], made_by=day)
        balances = uow.loss_runs.claim_balances(
            [c.id for c, _ in claims],
            on=day,
            accounts=[a.value for a in INCURRED_ACCOUNTS],
        )
    lines: dict[int, list[ClaimLine]] = {p.id: [] for p, _ in policies}
    for claim, incident in claims:
        lines[claim.policy_id].append(_claim_line(claim, incident, balances))
    rows = [_policy_line(p, name, lines[p.id]) for p, name in policies]
    return LossRun(
        firm=firm,
        as_of_date=day,
        window_start_date=start,
        policies=rows,
        policy_years=policy_years(rows),
        totals=totals(rows),
    )


def totals(policies: Sequence[PolicyLine]) -> Totals:
    """Claim count and money summed over ``policies``; a policy without premium adds 0."""
    claims = [c for p in policies for c in p.claims]
    return Totals(
        claim_count=len(claims),
        paid=sum((c.paid for c in claims), ZERO),
        case_reserve=sum((c.case_reserve for c in claims), ZERO),
        written_premium=sum((p.written_premium or ZERO for p in policies), ZERO),
    )


def policy_years(policies: Sequence[PolicyLine]) -> list[PolicyYear]:
    """``totals`` per calendar year of the policies' effective dates, oldest first."""

    def year(policy: PolicyLine) -> int:
        return policy.effective_date.year

    return [
        PolicyYear(**vars(totals(list(group))), policy_year=key)
        for key, group in groupby(sorted(policies, key=year), key=year)
    ]


def _claim_line(
    claim: Claim, incident: Incident, balances: dict[tuple[int, str], Decimal]
) -> ClaimLine:
    return ClaimLine(
        id=claim.id,
        incident_id=incident.id,
        incident_date=incident.occurred_at.astimezone(clock.CHINA).date(),
        accident_type=incident.accident_type,
        grade=incident.grade,
        first_made_date=claim.first_made_date,
        status=claim.status,
        paid=_balance(balances, claim.id, PAID_ACCOUNTS),
        case_reserve=_balance(balances, claim.id, RESERVE_ACCOUNTS),
    )


def _balance(
    balances: dict[tuple[int, str], Decimal], claim_id: int, accounts: Sequence[LedgerAccount]
) -> Decimal:
    return sum((balances.get((claim_id, a.value), ZERO) for a in accounts), ZERO)


def _policy_line(policy: Policy, insurer_name: str, claims: list[ClaimLine]) -> PolicyLine:
    return PolicyLine(
        id=policy.id,
        number=policy.number,
        insurer_id=policy.insurer_id,
        insurer_name=insurer_name,
        effective_date=policy.effective_date,
        expiry_date=policy.expiry_date,
        status=policy.status,
        cancelled_date=policy.cancelled_date,
        written_premium=policy.written_premium,
        claims=claims,
    )
