"""reg44: open action plan responses in due-date order (issue 13)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 08:30:00

The action list, for someone who sees every home, orders the approved Reg 44 actions still to
do by due date and shows a page of them: without an index in that order SQLite read and sorted
every open response of the estate (14,000 at 1,000 homes, 20 ms) to return 51.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_reg44_action_plan_responses_open_due", "reg44_action_plan_responses",
                    ["decision", "completed_on", "due_on", "home_id", "id"])


def downgrade():
    op.drop_index("ix_reg44_action_plan_responses_open_due", table_name="reg44_action_plan_responses")
