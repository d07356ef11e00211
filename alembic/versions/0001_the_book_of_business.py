"""the book of business

Revision ID: 0001
Revises:
Create Date: 2026-11-28 21:26:37.233874
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from underwriting.db.tables.base import ExactDecimal, UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "organisation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('platform', 'insurer', 'firm', 'enterprise')",
            name=op.f("ck_organisation_kind"),
        ),
        sa.CheckConstraint(
            "length(credit_code) = 18", name=op.f("ck_organisation_credit_code_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_organisation_credit_code")),
    )
    op.create_table(
        "rating_model",
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("effective_from_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("approved_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'active', 'retired')",
            name=op.f("ck_rating_model_status"),
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_rating_model")),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'underwriter', 'adjuster', 'actuary', 'firm', 'enterprise')",
            name=op.f("ck_api_key_role"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_api_key_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_key_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "enterprise",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hazard_class", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("standardisation_grade", sa.String(length=4), nullable=False),
        sa.Column("major_hazard_sources", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "hazard_class IN ('mining', 'hazardous_chemicals', 'fireworks', 'transport', 'construction', 'civil_explosives', 'metal_smelting', 'fishery', 'light_manufacturing', 'heavy_manufacturing')",
            name=op.f("ck_enterprise_hazard_class"),
        ),
        sa.CheckConstraint(
            "standardisation_grade IN ('1', '2', '3', 'none')", name=op.f("ck_enterprise_grade")
        ),
        sa.CheckConstraint("employees > 0", name=op.f("ck_enterprise_employees")),
        sa.CheckConstraint("length(region_code) = 6", name=op.f("ck_enterprise_region_code")),
        sa.CheckConstraint(
            "major_hazard_sources >= 0", name=op.f("ck_enterprise_major_hazard_sources")
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["organisation.id"], name=op.f("fk_enterprise_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
    )
    op.create_table(
        "firm",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("qualification_kind", sa.String(length=32), nullable=False),
        sa.Column("qualification_expiry_date", sa.Date(), nullable=False),
        sa.Column("credit_colour", sa.String(length=8), nullable=False),
        sa.Column("safety_engineers", sa.Integer(), nullable=False),
        sa.Column("founded_year", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "credit_colour IN ('blue', 'yellow', 'orange', 'red')",
            name=op.f("ck_firm_credit_colour"),
        ),
        sa.CheckConstraint(
            "qualification_kind IN ('safety_assessment', 'testing_inspection', 'safety_consulting', 'occupational_health')",
            name=op.f("ck_firm_qualification"),
        ),
        sa.CheckConstraint("founded_year >= 1949", name=op.f("ck_firm_founded_year")),
        sa.CheckConstraint("safety_engineers >= 0", name=op.f("ck_firm_engineers")),
        sa.ForeignKeyConstraint(["id"], ["organisation.id"], name=op.f("fk_firm_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firm")),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("firm_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "auditor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("audit_date", sa.Date(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("score_completeness", sa.Float(), nullable=False),
        sa.Column("score_accuracy", sa.Float(), nullable=False),
        sa.Column("score_follow_up", sa.Float(), nullable=False),
        sa.Column("score_evidence", sa.Float(), nullable=False),
        sa.Column("inaccurate_reports", sa.Integer(), nullable=False),
        sa.Column("false_reports", sa.Integer(), nullable=False),
        sa.Column(
            "supersedes_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "inaccurate_reports >= 0 AND false_reports >= 0 AND inaccurate_reports + false_reports <= sample_size",
            name=op.f("ck_audit_reports"),
        ),
        sa.CheckConstraint("sample_size > 0", name=op.f("ck_audit_sample_size")),
        sa.CheckConstraint(
            "score_accuracy >= 0 AND score_accuracy <= 100", name=op.f("ck_audit_accuracy")
        ),
        sa.CheckConstraint(
            "score_completeness >= 0 AND score_completeness <= 100",
            name=op.f("ck_audit_completeness"),
        ),
        sa.CheckConstraint(
            "score_evidence >= 0 AND score_evidence <= 100", name=op.f("ck_audit_evidence")
        ),
        sa.CheckConstraint(
            "score_follow_up >= 0 AND score_follow_up <= 100", name=op.f("ck_audit_follow_up")
        ),
        sa.ForeignKeyConstraint(
            ["auditor_id"], ["organisation.id"], name=op.f("fk_audit_auditor_id_organisation")
        ),
        sa.ForeignKeyConstraint(["firm_id"], ["firm.id"], name=op.f("fk_audit_firm_id_firm")),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["audit.id"], name=op.f("fk_audit_supersedes_id_audit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_audit_supersedes_id")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_firm_id"), ["firm_id"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "at", UtcDateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "api_key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"], name=op.f("fk_audit_event_api_key_id_api_key")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_audit_event_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_event_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "engagement",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("firm_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("service_kinds", sa.JSON(), nullable=False),
        sa.Column("hazard_categories", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("annual_fee", ExactDecimal(2), nullable=False),
        sa.Column("inspection_interval_days", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("annual_fee >= 0", name=op.f("ck_engagement_fee")),
        sa.CheckConstraint("end_date > start_date", name=op.f("ck_engagement_dates")),
        sa.CheckConstraint("inspection_interval_days > 0", name=op.f("ck_engagement_interval")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_engagement_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(["firm_id"], ["firm.id"], name=op.f("fk_engagement_firm_id_firm")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement")),
    )
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_enterprise_id", ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagement_firm_id"), ["firm_id"], unique=False)

    op.create_table(
        "hazard_snapshot",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("as_of_date", sa.Date(), nullable=False),
        sa.Column("hidden_hazards_general", sa.Integer(), nullable=False),
        sa.Column("hidden_hazards_major", sa.Integer(), nullable=False),
        sa.Column("rectification_closure_rate", sa.Float(), nullable=False),
        sa.Column("overdue_rectifications", sa.Integer(), nullable=False),
        sa.Column("accidents_general_3y", sa.Integer(), nullable=False),
        sa.Column("accidents_larger_3y", sa.Integer(), nullable=False),
        sa.Column("accidents_major_3y", sa.Integer(), nullable=False),
        sa.Column("accidents_especially_major_3y", sa.Integer(), nullable=False),
        sa.Column("iot_alarm_rate", sa.Float(), nullable=True),
        sa.Column("penalties", sa.Integer(), nullable=False),
        sa.Column(
            "submitted_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "accidents_general_3y >= 0 AND accidents_larger_3y >= 0 AND accidents_major_3y >= 0 AND accidents_especially_major_3y >= 0",
            name=op.f("ck_hazard_snapshot_accidents"),
        ),
        sa.CheckConstraint("hidden_hazards_general >= 0", name=op.f("ck_hazard_snapshot_general")),
        sa.CheckConstraint("hidden_hazards_major >= 0", name=op.f("ck_hazard_snapshot_major")),
        sa.CheckConstraint(
            "iot_alarm_rate IS NULL OR iot_alarm_rate >= 0", name=op.f("ck_hazard_snapshot_iot")
        ),
        sa.CheckConstraint("overdue_rectifications >= 0", name=op.f("ck_hazard_snapshot_overdue")),
        sa.CheckConstraint("penalties >= 0", name=op.f("ck_hazard_snapshot_penalties")),
        sa.CheckConstraint(
            "rectification_closure_rate >= 0 AND rectification_closure_rate <= 1",
            name=op.f("ck_hazard_snapshot_closure_rate"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_hazard_snapshot_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_snapshot")),
        sa.UniqueConstraint(
            "enterprise_id", "as_of_date", name=op.f("uq_hazard_snapshot_enterprise_id")
        ),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "api_key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("resource_kind", sa.String(length=32), nullable=False),
        sa.Column("resource_ids", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_key.id"], name=op.f("fk_idempotency_record_api_key_id_api_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("api_key_id", "key", name=op.f("uq_idempotency_record_api_key_id")),
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("accident_type", sa.String(length=32), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("serious_injuries", sa.Integer(), nullable=False),
        sa.Column("minor_injuries", sa.Integer(), nullable=False),
        sa.Column("direct_loss", ExactDecimal(2), nullable=False),
        sa.Column("grade", sa.String(length=24), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "reported_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "accident_type IN ('struck_by_object', 'vehicle', 'machinery', 'lifting', 'electrocution', 'drowning', 'burns', 'fire', 'fall_from_height', 'collapse', 'roof_fall', 'water_inrush', 'blasting', 'gunpowder_explosion', 'gas_explosion', 'boiler_explosion', 'vessel_explosion', 'other_explosion', 'poisoning_asphyxiation', 'other_injury')",
            name=op.f("ck_incident_accident_type"),
        ),
        sa.CheckConstraint(
            "grade IN ('general', 'larger', 'major', 'especially_major')",
            name=op.f("ck_incident_grade"),
        ),
        sa.CheckConstraint(
            "deaths >= 0 AND serious_injuries >= 0 AND minor_injuries >= 0",
            name=op.f("ck_incident_casualties"),
        ),
        sa.CheckConstraint("direct_loss >= 0", name=op.f("ck_incident_direct_loss")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_incident_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["organisation.id"],
            name=op.f("fk_incident_reported_by_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_enterprise_id"), ["enterprise_id"], unique=False
        )

    op.create_table(
        "quote",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("firm_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "insurer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("retro_date", sa.Date(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_until_date", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "decision IN ('accept', 'refer', 'decline')", name=op.f("ck_quote_decision")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'bound', 'expired', 'withdrawn')", name=op.f("ck_quote_status")
        ),
        sa.CheckConstraint("expiry_date > effective_date", name=op.f("ck_quote_period")),
        sa.CheckConstraint("retro_date <= effective_date", name=op.f("ck_quote_retro")),
        sa.ForeignKeyConstraint(["firm_id"], ["firm.id"], name=op.f("fk_quote_firm_id_firm")),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisation.id"], name=op.f("fk_quote_insurer_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["model_version"],
            ["rating_model.version"],
            name=op.f("fk_quote_model_version_rating_model"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
    )
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_firm_id"), ["firm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_insurer_id"), ["insurer_id"], unique=False)

    op.create_table(
        "policy",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("quote_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("firm_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "insurer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("retro_date", sa.Date(), nullable=False),
        sa.Column("per_claim_limit", ExactDecimal(2), nullable=False),
        sa.Column("aggregate_limit", ExactDecimal(2), nullable=False),
        sa.Column("deductible", ExactDecimal(2), nullable=False),
        sa.Column("defence_inside", sa.Boolean(), nullable=False),
        sa.Column("aggregate_remaining", ExactDecimal(2), nullable=False),
        sa.Column("extended_reporting_end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('in_force', 'cancelled', 'expired')", name=op.f("ck_policy_status")
        ),
        sa.CheckConstraint(
            "aggregate_remaining >= 0 AND aggregate_remaining <= aggregate_limit",
            name=op.f("ck_policy_aggregate_remaining"),
        ),
        sa.CheckConstraint("deductible >= 0", name=op.f("ck_policy_deductible")),
        sa.CheckConstraint("expiry_date > effective_date", name=op.f("ck_policy_period")),
        sa.CheckConstraint(
            "per_claim_limit > 0 AND aggregate_limit >= per_claim_limit",
            name=op.f("ck_policy_limits"),
        ),
        sa.CheckConstraint("retro_date <= effective_date", name=op.f("ck_policy_retro")),
        sa.ForeignKeyConstraint(["firm_id"], ["firm.id"], name=op.f("fk_policy_firm_id_firm")),
        sa.ForeignKeyConstraint(
            ["insurer_id"], ["organisation.id"], name=op.f("fk_policy_insurer_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["model_version"],
            ["rating_model.version"],
            name=op.f("fk_policy_model_version_rating_model"),
        ),
        sa.ForeignKeyConstraint(["quote_id"], ["quote.id"], name=op.f("fk_policy_quote_id_quote")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy")),
        sa.UniqueConstraint("number", name=op.f("uq_policy_number")),
    )
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_firm_id"), ["firm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_insurer_id"), ["insurer_id"], unique=False)

    op.create_table(
        "service_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "engagement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("categories_inspected", sa.JSON(), nullable=False),
        sa.Column("evidence_photo_hashes", sa.JSON(), nullable=False),
        sa.Column("signer", sa.String(length=100), nullable=False),
        sa.Column(
            "supersedes_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_service_record_engagement_id_engagement"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["service_record.id"],
            name=op.f("fk_service_record_supersedes_id_service_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_record")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_service_record_supersedes_id")),
    )
    with op.batch_alter_table("service_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_record_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "claim",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("first_made_date", sa.Date(), nullable=False),
        sa.Column("claimant", sa.String(length=200), nullable=False),
        sa.Column("heads_of_damage", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("coverage_decision", sa.JSON(), nullable=True),
        sa.Column("liability_share", ExactDecimal(4), nullable=True),
        sa.Column(
            "related_group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open', 'referred', 'settled', 'denied', 'closed', 'reopened')",
            name=op.f("ck_claim_status"),
        ),
        sa.CheckConstraint(
            "liability_share IS NULL OR (liability_share >= 0 AND liability_share <= 1)",
            name=op.f("ck_claim_liability_share"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_claim_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_claim_policy_id_policy")
        ),
        sa.ForeignKeyConstraint(
            ["related_group_id"], ["claim.id"], name=op.f("fk_claim_related_group_id_claim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "finding",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "service_record_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rectification_deadline_date", sa.Date(), nullable=False),
        sa.Column("closed_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "category IN ('struck_by_objects', 'vehicles', 'machinery', 'lifting', 'electrical', 'drowning', 'burns', 'fire', 'falls_from_height', 'collapse', 'roof_fall', 'water_inrush', 'explosives', 'gas', 'pressure_equipment', 'dust_explosion', 'toxic_asphyxiation', 'general')",
            name=op.f("ck_finding_category"),
        ),
        sa.CheckConstraint("severity IN ('general', 'major')", name=op.f("ck_finding_severity")),
        sa.ForeignKeyConstraint(
            ["service_record_id"],
            ["service_record.id"],
            name=op.f("fk_finding_service_record_id_service_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_service_record_id"), ["service_record_id"], unique=False
        )

    op.create_table(
        "policy_engagement",
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "engagement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_policy_engagement_engagement_id_engagement"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_policy_engagement_policy_id_policy")
        ),
        sa.PrimaryKeyConstraint("policy_id", "engagement_id", name=op.f("pk_policy_engagement")),
    )
    op.create_table(
        "policy_transaction",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("premium_delta", ExactDecimal(2), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('new_business', 'endorsement', 'cancellation', 'reinstatement', 'renewal', 'extended_reporting')",
            name=op.f("ck_policy_transaction_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_policy_transaction_policy_id_policy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_transaction")),
    )
    with op.batch_alter_table("policy_transaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_transaction_policy_id"), ["policy_id"], unique=False
        )

    op.create_table(
        "ledger_transaction",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("policy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("claim_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("memo", sa.String(length=2000), nullable=False),
        sa.Column(
            "created_at",
            UtcDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_ledger_transaction_claim_id_claim")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_ledger_transaction_policy_id_policy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transaction")),
    )
    with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_transaction_claim_id"), ["claim_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_transaction_policy_id"), ["policy_id"], unique=False
        )

    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("amount", ExactDecimal(2), nullable=False),
        sa.CheckConstraint(
            "account IN ('premium_receivable', 'premium_written', 'case_reserve', 'reserve_expense', 'claims_paid', 'cash', 'recoveries')",
            name=op.f("ck_ledger_entry_account"),
        ),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_ledger_entry_amount_nonzero")),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_ledger_entry_transaction_id_ledger_transaction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_entry_transaction_id"), ["transaction_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entry_transaction_id"))

    op.drop_table("ledger_entry")
    with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_transaction_policy_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_transaction_claim_id"))

    op.drop_table("ledger_transaction")
    with op.batch_alter_table("policy_transaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_transaction_policy_id"))

    op.drop_table("policy_transaction")
    op.drop_table("policy_engagement")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_service_record_id"))

    op.drop_table("finding")
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_policy_id"))
        batch_op.drop_index(batch_op.f("ix_claim_incident_id"))

    op.drop_table("claim")
    with op.batch_alter_table("service_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_record_engagement_id"))

    op.drop_table("service_record")
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_insurer_id"))
        batch_op.drop_index(batch_op.f("ix_policy_firm_id"))

    op.drop_table("policy")
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_insurer_id"))
        batch_op.drop_index(batch_op.f("ix_quote_firm_id"))

    op.drop_table("quote")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_enterprise_id"))

    op.drop_table("incident")
    op.drop_table("idempotency_record")
    op.drop_table("hazard_snapshot")
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_firm_id"))
        batch_op.drop_index("ix_engagement_enterprise_id")

    op.drop_table("engagement")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_organisation_id"))

    op.drop_table("audit_event")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_firm_id"))

    op.drop_table("audit")
    op.drop_table("firm")
    op.drop_table("enterprise")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_organisation_id"))

    op.drop_table("api_key")
    op.drop_table("rating_model")
    op.drop_table("organisation")
