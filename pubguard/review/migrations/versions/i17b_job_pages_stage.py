"""job pages stage: which stage of a running scan the page progress counts (read | analyse)

Revision ID: i17b_job_pages_stage
Revises: i17_job_pages
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i17b_job_pages_stage"
down_revision = "i17_job_pages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages_stage", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("pages_stage")
