"""Import records, mapping profiles, recurring programmes and round auditors.

Adds what issue 3 (case lists in, samples out) needs: ``import_mapping_profile`` (a named column
mapping for next month's file), ``import_run`` (each committed import: file name and SHA-256,
list kind, who, when, added / updated / unchanged / rejected counts; no child data),
``programme`` (a recurring audit programme: kind, template key, cadence, files per period,
exclusion window, settings), ``round_auditor`` (who audits a round's files), and on
``audit_round`` the programme it belongs to, the period label and when its sample was drawn.
Enumerations are plain strings, as in 0001.

The new ``audit_round`` columns are added with plain ``ALTER TABLE ... ADD COLUMN`` (the foreign
key written inline on SQLite) rather than by rebuilding the table: on SQLite, with foreign keys
on, dropping the old ``audit_round`` during a rebuild would cascade-delete every sample item.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:14:53.607555
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_mapping_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("list_kind", sa.String(length=32), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_import_mapping_profile_created_by_user_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping_profile")),
        sa.UniqueConstraint("name", name=op.f("uq_import_mapping_profile_name")),
    )
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("list_kind", sa.String(length=32), nullable=False),
        sa.Column("file_format", sa.String(length=16), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=False),
        sa.Column("strict", sa.Boolean(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("teams_created", sa.Integer(), nullable=False),
        sa.Column("workers_created", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_import_run_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_run_sha256"), ["sha256"], unique=False)

    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("template_key", sa.String(length=64), nullable=False),
        sa.Column("template_version", sa.String(length=32), nullable=False),
        sa.Column("cadence", sa.String(length=32), nullable=False),
        sa.Column("files_per_period", sa.Integer(), nullable=False),
        sa.Column("exclusion_months", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["app_user.id"], name=op.f("fk_programme_owner_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("name", name=op.f("uq_programme_name")),
    )
    op.create_table(
        "round_auditor",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["audit_round.id"],
            name=op.f("fk_round_auditor_round_id_audit_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_round_auditor_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("round_id", "user_id", name=op.f("pk_round_auditor")),
    )

    # audit_round: ADD COLUMN in place (see the docstring for why not a batch rebuild).
    fk_name = op.f("fk_audit_round_programme_id_programme")
    if _is_sqlite():
        op.execute(
            f"ALTER TABLE audit_round ADD COLUMN programme_id INTEGER "
            f"CONSTRAINT {fk_name} REFERENCES programme (id)"
        )
    else:
        op.add_column("audit_round", sa.Column("programme_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk_name, "audit_round", "programme", ["programme_id"], ["id"])
    op.add_column(
        "audit_round",
        sa.Column("period_label", sa.String(length=32), nullable=False, server_default=""),
    )
    op.add_column("audit_round", sa.Column("sampled_at", sa.DateTime(timezone=True)))
    op.create_index(
        op.f("ix_audit_round_programme_id"), "audit_round", ["programme_id"], unique=False
    )


def _is_sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_round_programme_id"), table_name="audit_round")
    if _is_sqlite():
        # SQLite 3.35+ drops columns in place; a batch rebuild would cascade-delete sample items.
        for column in ("sampled_at", "period_label", "programme_id"):
            op.execute(f"ALTER TABLE audit_round DROP COLUMN {column}")
    else:
        op.drop_constraint(
            op.f("fk_audit_round_programme_id_programme"), "audit_round", type_="foreignkey"
        )
        for column in ("sampled_at", "period_label", "programme_id"):
            op.drop_column("audit_round", column)
    op.drop_table("round_auditor")
    op.drop_table("programme")
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_run_sha256"))
    op.drop_table("import_run")
    op.drop_table("import_mapping_profile")
