"""alerts: the alert each open obligation is listed by for its role (issue 13)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03 11:05:00

"For me" lists, for every open obligation, its highest alert aimed at my role, unacknowledged
first, then by the obligation's deadline; the first page's "Escalated to you" is the open
obligations with an escalation aimed at my role, earliest deadline first. For a head of service
both joined every alert aimed at the role (4,480 at 1,000 homes) to its obligation, took a
max(level) for each, then sorted all of them: 17 and 12 ms of one request's SQL, ten times the
100-home figures. On that one alert alerts.role_listing says whether it is acknowledged (NULL on
the others and once the obligation is closed), and alerts.listed_due_at, until now on the
"My homes" alert only, is the obligation's due_at on it too: ix_alerts_role_listed gives
"For me" in its order and ix_alerts_role_due a role's escalations by deadline, each list's
first page and its count read from its index alone. Existing rows are filled in here, by the same rule.
"""
import sqlalchemy as sa
from alembic import op

from homes_qa.database import analyze_added

# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None

_OPEN = ("EXISTS (SELECT 1 FROM obligations"
         " WHERE obligations.id = alerts.obligation_id AND obligations.status = 'open')")
_DUE = "(SELECT obligations.due_at FROM obligations WHERE obligations.id = alerts.obligation_id)"


def upgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_listing', sa.Integer(), nullable=True))
    # The highest level raised for its obligation and role, while the obligation is open:
    # 0 unacknowledged, 1 acknowledged (Alert.UNACKNOWLEDGED, Alert.ACKNOWLEDGED).
    op.execute(
        "UPDATE alerts SET"
        " role_listing = CASE WHEN acknowledged_at IS NULL THEN 0 ELSE 1 END,"
        f" listed_due_at = {_DUE} "
        "WHERE alerts.level = (SELECT max(other_alert.level) FROM alerts AS other_alert"
        " WHERE other_alert.obligation_id = alerts.obligation_id AND other_alert.target_role = alerts.target_role)"
        f" AND {_OPEN}")
    op.create_index('ix_alerts_role_listed', 'alerts', ['target_role', 'role_listing', 'listed_due_at', 'id'])
    # "Escalated to you": the role's listed alerts by deadline, with the level to test.
    op.create_index('ix_alerts_role_due', 'alerts', ['target_role', 'listed_due_at', 'obligation_id', 'level'])
    # Statistics for the new indexes at once (homes_qa.database.analyze_added).
    analyze_added(op.get_bind(), sqlite=["alerts"], postgresql=["alerts"])


def downgrade():
    op.drop_index('ix_alerts_role_due', table_name='alerts')
    op.drop_index('ix_alerts_role_listed', table_name='alerts')
    # As 0027 left it: the due date on the "My homes" alert alone.
    op.execute("UPDATE alerts SET listed_due_at = NULL WHERE listing IS NULL")
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('role_listing')
