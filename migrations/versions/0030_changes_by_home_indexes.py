"""what changed since you last looked: alerts and met obligations by home, audits and events by instant (issue 13)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 11:40:00

"What changed since you last looked" reads the alerts raised and the obligations met in the
window. Indexed by instant alone, a registered manager's look at their one home read every
alert and every met obligation of the estate in the window and kept their own: 15 ms of SQL at
1,000 homes, 1.4 ms at 100. Led by the home, each source reads the viewer's homes alone.
`ix_alerts_home_raised` replaces `ix_alerts_home_id`, whose one column it begins with. For a
head of service (every home) the audits and events submitted in the window are read by their
instant, where an IN of every home walked each home's records.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_alerts_home_raised", "alerts", ["home_id", "raised_at"])
    op.drop_index("ix_alerts_home_id", table_name="alerts")
    op.create_index("ix_obligations_home_met", "obligations", ["home_id", "status", "met_at"])
    op.create_index("ix_home_audits_submitted_at", "home_audits", ["submitted_at"])
    op.create_index("ix_incidents_created_at", "incidents", ["created_at"])


def downgrade():
    op.drop_index("ix_incidents_created_at", table_name="incidents")
    op.drop_index("ix_home_audits_submitted_at", table_name="home_audits")
    op.drop_index("ix_obligations_home_met", table_name="obligations")
    op.create_index("ix_alerts_home_id", "alerts", ["home_id"])
    op.drop_index("ix_alerts_home_raised", table_name="alerts")
