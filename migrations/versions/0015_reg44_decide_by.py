"""reg44: progress against the previous visit; each recommendation's decide-by date (reg 44(5)); actions keep their first due date

Revision ID: 0015
Revises: 0014 (re-chained at merge)
Create Date: 2026-12-01 13:15:00

- reg44_recommendations.decide_by / original_decide_by / decide_by_reason: when the registered
  person's decision on the recommendation is due, the first such date when it moves, and why.
  Recommendations submitted before this have none (their response obligation still holds the date).
- reg44_reports.previous_progress: the report's section on progress against the previous
  visit's recommendations.
- reg44_action_plan_responses.original_due_on: the first due date proposed for an action.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reg44_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_progress", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("reg44_recommendations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decide_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("original_decide_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("decide_by_reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("reg44_action_plan_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_due_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("reg44_action_plan_responses", schema=None) as batch_op:
        batch_op.drop_column("original_due_on")
    with op.batch_alter_table("reg44_recommendations", schema=None) as batch_op:
        batch_op.drop_column("decide_by_reason")
        batch_op.drop_column("original_decide_by")
        batch_op.drop_column("decide_by")
    with op.batch_alter_table("reg44_reports", schema=None) as batch_op:
        batch_op.drop_column("previous_progress")
