"""state checks: CHECK constraints keep draft, step, finding and scan states to their enums

Revision ID: i12_state_checks
Revises: i10a_release_intents
Create Date: 2026-12-02

The values are those of pubguard.review.states (DraftStatus, StepStatus, FindingStatus,
ScanStatus), identical to the strings stored before, so existing rows pass. Batch mode: SQLite
recreates the table to add a constraint.
"""

from __future__ import annotations

from alembic import op

from pubguard.review.states import DraftStatus, FindingStatus, ScanStatus, StepStatus, check_constraint

revision = "i12_state_checks"
down_revision = "i10a_release_intents"
branch_labels = None
depends_on = None

CHECKS = (
    ("drafts", "status", DraftStatus),
    ("draft_steps", "status", StepStatus),
    ("findings", "status", FindingStatus),
    ("versions", "scan_status", ScanStatus),
)


def upgrade() -> None:
    for table, column, enum in CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(column, check_constraint(column, enum))


def downgrade() -> None:
    for table, column, _enum in reversed(CHECKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(column, type_="check")  # named ck_<table>_<column> by the convention
