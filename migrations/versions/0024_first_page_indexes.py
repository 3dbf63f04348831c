"""first pages at county scale: indexes for "what changed since you last looked" (issue 13)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 18:30:00

Each first page lists what changed in a window of a few days: obligations met, alerts raised
and Reg 44 reports submitted in (since, now]. Without an index on those instants each window
scans every obligation (met_at: 133 ms of a head of service's 240 ms of SQL at 100 homes × 5
years), growing with the history. And a person who sees a few homes reads their open work
through (home, status, due): without it the open obligations of every home are scanned (a
registered manager's start page at 1,000 homes: 52 ms of SQL for one home's work, 9 ms with it).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_obligations_met", "obligations", ["status", "met_at"])
    op.create_index("ix_alerts_raised_at", "alerts", ["raised_at"])
    op.create_index("ix_reg44_reports_submitted_at", "reg44_reports", ["submitted_at"])
    op.create_index("ix_obligations_home_open", "obligations", ["home_id", "status", "due_at"])


def downgrade():
    op.drop_index("ix_obligations_home_open", table_name="obligations")
    op.drop_index("ix_reg44_reports_submitted_at", table_name="reg44_reports")
    op.drop_index("ix_alerts_raised_at", table_name="alerts")
    op.drop_index("ix_obligations_met", table_name="obligations")
