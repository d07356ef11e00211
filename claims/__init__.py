"""Claims settlement rules for SecondLock: trigger, coverage, liability, amounts.

Pure Python: this package imports nothing of the database, HTTP or the application
(DESIGN.md section 5). ``grade`` grades an accident (Decree 493); ``coverage`` decides
whether a claim is covered, with a reason per rule; ``liability`` assesses the firm's share
against its service records (``accident_categories`` maps GB 6441 types to hazard
categories); ``amounts`` computes what is payable under the limits and the deductible.
The use cases that settle claims on the ledger live in ``underwriting``.
"""

from claims.accident_categories import ACCIDENT_CATEGORIES, ACCIDENT_TYPES, HAZARD_CATEGORIES
from claims.amounts import (
    Cap,
    InvalidRecovery,
    InvalidSettlement,
    Payable,
    RecoveryExceedsPaid,
    Settlement,
    payable,
    recovery_allowed,
)
from claims.coverage import (
    COVERAGE_RULES,
    EXCLUSIONS,
    ClaimFacts,
    CoverageDecision,
    CoverageReason,
    InvalidClaimFacts,
    InvalidTerms,
    PolicyTerms,
    decide_coverage,
)
from claims.errors import ClaimsError
from claims.grade import AccidentGrade, accident_grade
from claims.liability import (
    Assessment,
    CategoryFinding,
    Doubt,
    FlaggedRecord,
    LiabilityRule,
    assess_liability,
)
from claims.liability_facts import (
    FlagReason,
    HazardFinding,
    Incident,
    LiabilityError,
    Record,
    Scope,
    ShareTable,
    hazard_categories,
)

__all__ = [
    "ACCIDENT_CATEGORIES",
    "ACCIDENT_TYPES",
    "COVERAGE_RULES",
    "EXCLUSIONS",
    "HAZARD_CATEGORIES",
    "AccidentGrade",
    "Assessment",
    "Cap",
    "CategoryFinding",
    "ClaimFacts",
    "ClaimsError",
    "CoverageDecision",
    "CoverageReason",
    "Doubt",
    "FlagReason",
    "FlaggedRecord",
    "HazardFinding",
    "Incident",
    "InvalidClaimFacts",
    "InvalidRecovery",
    "InvalidSettlement",
    "InvalidTerms",
    "LiabilityError",
    "LiabilityRule",
    "Payable",
    "PolicyTerms",
    "Record",
    "RecoveryExceedsPaid",
    "Scope",
    "Settlement",
    "ShareTable",
    "accident_grade",
    "assess_liability",
    "decide_coverage",
    "hazard_categories",
    "payable",
    "recovery_allowed",
]
