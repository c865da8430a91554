"""release records list the 附件 published with the main file (issue 18 item 13)

Revision ID: i18e_release_attachments
Revises: i18c_columns_attachments
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "i18e_release_attachments"
down_revision = "i18c_columns_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_column("attachments")
