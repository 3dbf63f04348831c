"""home_audit_findings.untracked: findings made while the action rule was off (issue 13)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-02 16:05:00

The action list's open audit actions are those whose `action_complete` obligation is open, and
those with no obligation at all (made while an administrator had switched the rule off). The
second were found by testing every finding of the history for an obligation: 13 ms for a head
of service at 100 homes × 5 years, ten times that at 1,000 homes. Kept on the finding instead,
set when it is made, and filled here from the obligations that exist.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("home_audit_findings") as batch:
        batch.add_column(sa.Column("untracked", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text(
        "UPDATE home_audit_findings SET untracked = NOT EXISTS (SELECT 1 FROM obligations"
        " WHERE obligations.subject_type = 'AuditFinding' AND obligations.subject_id = home_audit_findings.id"
        " AND obligations.rule_code = 'action_complete')"))
    op.create_index("ix_home_audit_findings_untracked", "home_audit_findings", ["untracked", "home_id"])


def downgrade():
    op.drop_index("ix_home_audit_findings_untracked", table_name="home_audit_findings")
    with op.batch_alter_table("home_audit_findings") as batch:
        batch.drop_column("untracked")
