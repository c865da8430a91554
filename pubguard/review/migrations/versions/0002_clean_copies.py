"""clean copies: the clean-copy report stored with the version PubGuard made

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

One row per version that is a clean copy of an earlier version (`clean_bytes`): its source,
the re-scan verdict and the full report (masked evidence only).
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
        "clean_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("source_version_id", sa.Integer(), nullable=False),
        sa.Column("releasable", sa.Boolean(), nullable=False),
        sa.Column("remaining_blockers", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_clean_copies_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_clean_copies_draft_id_drafts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_version_id"],
            ["versions.id"],
            name=op.f("fk_clean_copies_source_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_clean_copies_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clean_copies")),
        sa.UniqueConstraint("version_id", name=op.f("uq_clean_copies_version_id")),
    )
    with op.batch_alter_table("clean_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clean_copies_draft_id"), ["draft_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("clean_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clean_copies_draft_id"))
    op.drop_table("clean_copies")
