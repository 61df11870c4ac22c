"""Initial schema: organisation, cases, templates, rounds, audits, actions and the change log.

Creates every table of the first release. Enumerations are plain strings (see models.base).
The change log is made append-only by triggers that refuse UPDATE and DELETE, on SQLite and on
PostgreSQL alike, so a past entry cannot be altered through SQL without dropping the trigger
(which the trail verification in a later release also detects).

Revision ID: 0001
Revises:
Create Date: 2026-11-22 19:04:06.459037
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

APPEND_ONLY_MESSAGE = "change_log is append-only"


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_template")),
        sa.UniqueConstraint("key", name=op.f("uq_audit_template_key")),
    )
    op.create_table(
        "child",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("case_key", sa.String(length=32), nullable=False),
        sa.Column("gender", sa.String(length=32), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("ethnicity", sa.String(length=100), nullable=False),
        sa.Column("disability", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child")),
        sa.UniqueConstraint("case_key", name=op.f("uq_child_case_key")),
        sa.UniqueConstraint("external_id", name=op.f("uq_child_external_id")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "child_identity",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(length=16), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
            name=op.f("fk_child_identity_child_id_child"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("child_id", name=op.f("pk_child_identity")),
    )
    op.create_table(
        "related_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relationship_to_child", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
            name=op.f("fk_related_person_child_id_child"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_related_person")),
    )
    with op.batch_alter_table("related_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_related_person_child_id"), ["child_id"], unique=False)

    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("service", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_team_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("name", name=op.f("uq_team_name")),
    )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "template_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("scale", sa.String(length=32), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["audit_template.id"],
            name=op.f("fk_template_version_template_id_audit_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_version")),
        sa.UniqueConstraint("template_id", "version", name="uq_template_version_version"),
    )
    with op.batch_alter_table("template_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_template_version_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_worker_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker")),
        sa.UniqueConstraint("external_id", name=op.f("uq_worker_external_id")),
    )
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_team_id"), ["team_id"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_app_user_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("iro_worker_id", sa.Integer(), nullable=True),
        sa.Column("current_stage", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("legal_status", sa.String(length=64), nullable=False),
        sa.Column("placement_type", sa.String(length=64), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("source_list", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_case_file_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["iro_worker_id"], ["worker.id"], name=op.f("fk_case_file_iro_worker_id_worker")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_case_file_team_id_team")),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_case_file_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_file_child_id"), ["child_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_file_iro_worker_id"), ["iro_worker_id"], unique=False
        )
        batch_op.create_index(
            "ix_case_file_stage_status", ["current_stage", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_file_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_file_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "audit_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("template_version_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("sample_spec", sa.JSON(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("method", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_audit_round_created_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["template_version.id"],
            name=op.f("fk_audit_round_template_version_id_template_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_round")),
        sa.UniqueConstraint("name", name=op.f("uq_audit_round_name")),
    )
    with op.batch_alter_table("audit_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_round_template_version_id"), ["template_version_id"], unique=False
        )

    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_change_log_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    op.create_table(
        "pathway_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_file_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_file_id"],
            ["case_file.id"],
            name=op.f("fk_pathway_event_case_file_id_case_file"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_event")),
        sa.UniqueConstraint("external_id", name=op.f("uq_pathway_event_external_id")),
    )
    with op.batch_alter_table("pathway_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pathway_event_case_file_id"), ["case_file_id"], unique=False
        )

    op.create_table(
        "sample_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("case_file_id", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reason_note", sa.Text(), nullable=False),
        sa.Column("auditor_user_id", sa.Integer(), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("removed_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["auditor_user_id"],
            ["app_user.id"],
            name=op.f("fk_sample_item_auditor_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["case_file_id"], ["case_file.id"], name=op.f("fk_sample_item_case_file_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["audit_round.id"],
            name=op.f("fk_sample_item_round_id_audit_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_item")),
        sa.UniqueConstraint("round_id", "case_file_id", name="uq_sample_item_round_case"),
    )
    with op.batch_alter_table("sample_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sample_item_auditor_user_id"), ["auditor_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sample_item_case_file_id"), ["case_file_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sample_item_round_id"), ["round_id"], unique=False)

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_file_id", sa.Integer(), nullable=False),
        sa.Column("template_version_id", sa.Integer(), nullable=False),
        sa.Column("sample_item_id", sa.Integer(), nullable=True),
        sa.Column("auditor_user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("suggested_grade", sa.Integer(), nullable=True),
        sa.Column("overall_grade", sa.Integer(), nullable=True),
        sa.Column("overall_rationale", sa.Text(), nullable=False),
        sa.Column("compliance_percent", sa.Double(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["auditor_user_id"], ["app_user.id"], name=op.f("fk_audit_auditor_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_file_id"], ["case_file.id"], name=op.f("fk_audit_case_file_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["sample_item_id"], ["sample_item.id"], name=op.f("fk_audit_sample_item_id_sample_item")
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["template_version.id"],
            name=op.f("fk_audit_template_version_id_template_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
        sa.UniqueConstraint("sample_item_id", name=op.f("uq_audit_sample_item_id")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_auditor_user_id"), ["auditor_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_case_file_id"), ["case_file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_template_version_id"), ["template_version_id"], unique=False
        )

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("na_reason", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_answer_audit_id_audit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("audit_id", "question_id", name="uq_answer_audit_question"),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_audit_id"), ["audit_id"], unique=False)

    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("section_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_worker_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_worker_id"],
            ["worker.id"],
            name=op.f("fk_finding_acknowledged_by_worker_id_worker"),
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_finding_audit_id_audit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_audit_id"), ["audit_id"], unique=False)

    op.create_table(
        "section_judgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("commentary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audit.id"],
            name=op.f("fk_section_judgement_audit_id_audit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_judgement")),
        sa.UniqueConstraint("audit_id", "section_id", name="uq_section_judgement_audit_section"),
    )
    with op.batch_alter_table("section_judgement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_section_judgement_audit_id"), ["audit_id"], unique=False
        )

    op.create_table(
        "sign_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_sign_off_audit_id_audit")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_sign_off_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off")),
    )
    with op.batch_alter_table("sign_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_off_audit_id"), ["audit_id"], unique=False)

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("section_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_worker_id", sa.Integer(), nullable=True),
        sa.Column("timescale_band", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completion_evidence", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], name=op.f("fk_action_audit_id_audit")),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_action_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(
            ["owner_worker_id"], ["worker.id"], name=op.f("fk_action_owner_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_audit_id"), ["audit_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_owner_worker_id"), ["owner_worker_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_action_status"), ["status"], unique=False)

    _create_append_only_triggers()


def _create_append_only_triggers() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION change_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log "
            "FOR EACH ROW EXECUTE FUNCTION change_log_refuse()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER change_log_no_{verb.lower()} BEFORE {verb} ON change_log "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS change_log_append_only ON change_log")
        op.execute("DROP FUNCTION IF EXISTS change_log_refuse()")
    else:
        op.execute("DROP TRIGGER IF EXISTS change_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS change_log_no_delete")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_status"))
        batch_op.drop_index(batch_op.f("ix_action_owner_worker_id"))
        batch_op.drop_index(batch_op.f("ix_action_audit_id"))

    op.drop_table("action")
    with op.batch_alter_table("sign_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_off_audit_id"))

    op.drop_table("sign_off")
    with op.batch_alter_table("section_judgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_judgement_audit_id"))

    op.drop_table("section_judgement")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_audit_id"))

    op.drop_table("finding")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_audit_id"))

    op.drop_table("answer")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_template_version_id"))
        batch_op.drop_index(batch_op.f("ix_audit_status"))
        batch_op.drop_index(batch_op.f("ix_audit_case_file_id"))
        batch_op.drop_index(batch_op.f("ix_audit_auditor_user_id"))

    op.drop_table("audit")
    with op.batch_alter_table("sample_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_item_round_id"))
        batch_op.drop_index(batch_op.f("ix_sample_item_case_file_id"))
        batch_op.drop_index(batch_op.f("ix_sample_item_auditor_user_id"))

    op.drop_table("sample_item")
    with op.batch_alter_table("pathway_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pathway_event_case_file_id"))

    op.drop_table("pathway_event")
    op.drop_table("change_log")
    with op.batch_alter_table("audit_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_round_template_version_id"))

    op.drop_table("audit_round")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_worker_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_team_id"))
        batch_op.drop_index("ix_case_file_stage_status")
        batch_op.drop_index(batch_op.f("ix_case_file_iro_worker_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_child_id"))

    op.drop_table("case_file")
    op.drop_table("app_user")
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_team_id"))

    op.drop_table("worker")
    with op.batch_alter_table("template_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_template_version_template_id"))

    op.drop_table("template_version")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_organisation_id"))

    op.drop_table("team")
    with op.batch_alter_table("related_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_related_person_child_id"))

    op.drop_table("related_person")
    op.drop_table("child_identity")
    op.drop_table("organisation")
    op.drop_table("child")
    op.drop_table("audit_template")
