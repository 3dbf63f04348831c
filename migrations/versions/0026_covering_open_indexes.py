"""obligations: the open-work indexes also cover what the exceptions grid counts by (issue 13)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 22:00:00

The grid classifies every open obligation in scope by its due time, warning period, home and
rule. With (status, due_at) and (home_id, status, due_at) alone, each of a head of service's
30,000 open obligations at 1,000 homes was also read from the table: the count took 58 ms; with
the columns in the index it reads the index alone (20 ms), and the warning periods' DISTINCT
went from 22 ms to 3 ms. And (rule_code, status, due_at): one rule's open obligations across
every home (the QA lead's prompts: 20 ms at 1,000 homes for two rows, now well under 1 ms).
And alerts (target_role, acknowledged_at): the header's count of what is aimed at my role and
not yet acknowledged, on every page, scanned every alert (3-6 ms at 1,000 homes for a head of
service or an administrator, who have none).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_obligations_open_due", table_name="obligations")
    op.create_index("ix_obligations_open_due", "obligations", ["status", "due_at", "due_soon_days", "home_id", "rule_id"])
    op.drop_index("ix_obligations_home_open", table_name="obligations")
    op.create_index("ix_obligations_home_open", "obligations", ["home_id", "status", "due_at", "rule_id", "due_soon_days"])
    op.create_index("ix_obligations_rule_open", "obligations", ["rule_code", "status", "due_at"])
    op.create_index("ix_alerts_role_unacknowledged", "alerts", ["target_role", "acknowledged_at"])


def downgrade():
    op.drop_index("ix_alerts_role_unacknowledged", table_name="alerts")
    op.drop_index("ix_obligations_rule_open", table_name="obligations")
    op.drop_index("ix_obligations_home_open", table_name="obligations")
    op.create_index("ix_obligations_home_open", "obligations", ["home_id", "status", "due_at"])
    op.drop_index("ix_obligations_open_due", table_name="obligations")
    op.create_index("ix_obligations_open_due", "obligations", ["status", "due_at"])
