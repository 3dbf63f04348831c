"""alerts: an index by level, so the escalations are read alone (issue 13)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 05:30:00

Every work list and the exceptions grid test each open obligation for an escalation alert
(`obligations.id IN (SELECT obligation_id FROM alerts WHERE level >= 2)`). With no index on the
level, each such test read every alert of the estate: a registered manager's first page, about
their own one home, took 8 ms of SQL at 1,000 homes (19,000 alerts), 1 ms at 100. With the level
first in an index, the test reads the escalations' range of it alone. (A partial index of
`level >= 2` was not chosen by SQLite 3.40's planner over the full unique index.)
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_alerts_escalated", "alerts", ["level", "target_role", "obligation_id"])


def downgrade():
    op.drop_index("ix_alerts_escalated", table_name="alerts")
