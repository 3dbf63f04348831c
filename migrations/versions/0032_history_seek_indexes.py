"""history seeks: a stream's obligations by status and due; a record's obligations; a home's actions to do (issue 13)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-02 16:10:00

Found by `make bench` once its estate held five years of every area's records (≈180,000
obligations at 100 homes). The KPI page's "missed in a row" tests each missed deadline of the
year for a later met one of its stream: `ix_obligations_home_rule_status` gains `due_at` so
that is one seek, not a walk of the stream. The action list read every action plan of the
estate to find one home's open actions (SCAN reg44_action_plans, 11 ms at 100 homes):
`reg44_action_plan_responses (home_id, completed_on)` starts from the home's actions not done.
Each monthly audit finding's action was found by walking every `action_complete` obligation
(no index on the subject): with five years of findings the head of service's action list took
162 s; `obligations (subject_type, subject_id)` makes it a seek (also an incident's, a visit's).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_obligations_home_rule_status", table_name="obligations")
    op.create_index("ix_obligations_home_rule_status", "obligations", ["home_id", "rule_code", "status", "due_at"])
    op.create_index("ix_reg44_action_plan_responses_home_done", "reg44_action_plan_responses",
                    ["home_id", "completed_on"])
    op.create_index("ix_obligations_subject", "obligations", ["subject_type", "subject_id"])


def downgrade():
    op.drop_index("ix_obligations_subject", table_name="obligations")
    op.drop_index("ix_reg44_action_plan_responses_home_done", table_name="reg44_action_plan_responses")
    op.drop_index("ix_obligations_home_rule_status", table_name="obligations")
    op.create_index("ix_obligations_home_rule_status", "obligations", ["home_id", "rule_code", "status"])
