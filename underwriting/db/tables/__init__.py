"""Every table, importable from one place so that ``Base.metadata`` is complete."""

from underwriting.db.tables.access import ApiKey, AuditEvent, IdempotencyRecord
from underwriting.db.tables.actuarial import Backtest, Calibration
from underwriting.db.tables.base import Base
from underwriting.db.tables.book import (
    Audit,
    Engagement,
    Enterprise,
    Finding,
    Firm,
    HazardSnapshot,
    Organisation,
    ServiceRecord,
)
from underwriting.db.tables.contracts import (
    Policy,
    PolicyEngagement,
    PolicyTransaction,
    Quote,
    QuoteReason,
    RatingModel,
)
from underwriting.db.tables.losses import (
    Claim,
    ClaimSettlement,
    Incident,
    LedgerEntry,
    LedgerTransaction,
)

__all__ = [
    "ApiKey",
    "Audit",
    "AuditEvent",
    "Backtest",
    "Base",
    "Calibration",
    "Claim",
    "ClaimSettlement",
    "Engagement",
    "Enterprise",
    "Finding",
    "Firm",
    "HazardSnapshot",
    "IdempotencyRecord",
    "Incident",
    "LedgerEntry",
    "LedgerTransaction",
    "Organisation",
    "Policy",
    "PolicyEngagement",
    "PolicyTransaction",
    "Quote",
    "QuoteReason",
    "RatingModel",
    "ServiceRecord",
]
