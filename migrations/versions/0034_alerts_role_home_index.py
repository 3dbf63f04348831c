"""alerts: a role's unacknowledged alerts by home (issue 13)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-02 16:55:00

The header badge and the "For me" list of someone with a few homes read their role's
unacknowledged alerts, then kept those in their homes: a registered manager's badge walked every
manager's unacknowledged alert of the estate (2,933 at 100 homes, ten times that at 1,000) on
every page. `home_id` joins `(target_role, acknowledged_at)`, so each of their homes is a seek.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_alerts_role_unacknowledged", table_name="alerts")
    op.create_index("ix_alerts_role_unacknowledged", "alerts", ["target_role", "acknowledged_at", "home_id"])


def downgrade():
    op.drop_index("ix_alerts_role_unacknowledged", table_name="alerts")
    op.create_index("ix_alerts_role_unacknowledged", "alerts", ["target_role", "acknowledged_at"])
