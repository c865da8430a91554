"""release intents: the outbox row written before anything goes online

Revision ID: i10a_release_intents
Revises: 0004_i16_foi
Create Date: 2026-12-02

A release first commits an intent (`pending`), then publishes, then records the release and
marks the intent `done` in one transaction. After a crash `reconcile()` settles every pending
intent: finished when the target holds exactly that version, rolled back otherwise.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i10a_release_intents"
down_revision = "0004_i16_foi"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_intents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_release_intents_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_release_intents_draft_id_drafts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=op.f("fk_release_intents_version_id_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_intents")),
    )
    with op.batch_alter_table("release_intents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_release_intents_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index("ix_release_intents_state", ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("release_intents", schema=None) as batch_op:
        batch_op.drop_index("ix_release_intents_state")
        batch_op.drop_index(batch_op.f("ix_release_intents_draft_id"))
    op.drop_table("release_intents")
