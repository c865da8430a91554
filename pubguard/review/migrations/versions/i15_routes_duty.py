"""分级审批, 政策解读 links and 值班读网 (issue 15)

Revision ID: i15_routes_duty
Revises: 0003_i16_interaction
Create Date: 2026-12-02

Drafts carry an information class (and the scanner's suggestion); a policy draft can be linked
to its 解读 draft; duty roster, daily re-scan runs and duty items of the 值班读网日志.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i15_routes_duty"
down_revision = "0003_i16_interaction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duty_roster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site"], ["sites.key"], name=op.f("fk_duty_roster_site_sites")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_duty_roster_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_roster")),
        sa.UniqueConstraint("site", "on_date", "user_id", name=op.f("uq_duty_roster_site")),
    )
    with op.batch_alter_table("duty_roster", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_roster_site"), ["site"], unique=False)

    op.create_table(
        "duty_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("new_items", sa.Integer(), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["site"], ["sites.key"], name=op.f("fk_duty_runs_site_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_runs")),
    )
    with op.batch_alter_table("duty_runs", schema=None) as batch_op:
        batch_op.create_index("ix_duty_runs_site_run_on", ["site", "run_on"], unique=False)

    op.create_table(
        "interpretation_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_draft_id", sa.Integer(), nullable=False),
        sa.Column("interpretation_draft_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_interpretation_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["interpretation_draft_id"],
            ["drafts.id"],
            name=op.f("fk_interpretation_links_interpretation_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_draft_id"],
            ["drafts.id"],
            name=op.f("fk_interpretation_links_policy_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interpretation_links")),
        sa.UniqueConstraint(
            "interpretation_draft_id", name=op.f("uq_interpretation_links_interpretation_draft_id")
        ),
        sa.UniqueConstraint("policy_draft_id", name=op.f("uq_interpretation_links_policy_draft_id")),
    )
    op.create_table(
        "duty_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("finding", sa.JSON(), nullable=True),
        sa.Column("rescan", sa.JSON(), nullable=True),
        sa.Column("rescanned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("found", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_duty_items_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["checked_by_id"], ["users.id"], name=op.f("fk_duty_items_checked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_duty_items_draft_id_drafts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_duty_items_release_id_releases")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["duty_runs.id"], name=op.f("fk_duty_items_run_id_duty_runs")),
        sa.ForeignKeyConstraint(["site"], ["sites.key"], name=op.f("fk_duty_items_site_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_items")),
    )
    with op.batch_alter_table("duty_items", schema=None) as batch_op:
        batch_op.create_index("ix_duty_items_site_status", ["site", "status"], unique=False)

    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("info_class", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("info_class_proposal", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("info_class_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_column("info_class_reason")
        batch_op.drop_column("info_class_proposal")
        batch_op.drop_column("info_class")

    with op.batch_alter_table("duty_items", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_items_site_status")

    op.drop_table("duty_items")
    op.drop_table("interpretation_links")
    with op.batch_alter_table("duty_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_runs_site_run_on")

    op.drop_table("duty_runs")
    with op.batch_alter_table("duty_roster", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_roster_site"))

    op.drop_table("duty_roster")
