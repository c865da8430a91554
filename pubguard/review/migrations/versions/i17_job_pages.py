"""job pages: pages done / total of a running scan job (progress of long PDFs)

Revision ID: i17_job_pages
Revises: i10c_login_failures
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i17_job_pages"
down_revision = "i10c_login_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages_done", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pages_total", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("pages_total")
        batch_op.drop_column("pages_done")
