"""obligations, inspection_items: the action list's open actions from indexes (issue 13)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-03 12:00:00

The action list reads a monthly audit's open actions as the open `action_complete` obligations
whose subject is a finding: `ix_obligations_rule_open` found them by (rule, status) but each
one's subject was read from its row, and every open action of every kind was read (2,130 at
1,000 homes, 304 of them audits': 4.4 ms of the head of service's list). With the subject in the
index they are read from it alone. Ofsted's open items were found by reading every item of
every inspection (11,342 at 1,000 homes, none open: 1.2 ms): an index on (status, home).
"""
from alembic import op

from homes_qa.database import analyze_added

# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_obligations_rule_open", table_name="obligations")
    op.create_index("ix_obligations_rule_open", "obligations",
                    ["rule_code", "status", "due_at", "subject_type", "subject_id"])
    op.create_index("ix_inspection_items_status_home", "inspection_items", ["status", "home_id"])
    # Statistics for the new indexes at once (homes_qa.database.analyze_added).
    analyze_added(op.get_bind(), sqlite=["ix_obligations_rule_open", "inspection_items"],
                  postgresql=["obligations", "inspection_items"])


def downgrade():
    op.drop_index("ix_inspection_items_status_home", table_name="inspection_items")
    op.drop_index("ix_obligations_rule_open", table_name="obligations")
    op.create_index("ix_obligations_rule_open", "obligations", ["rule_code", "status", "due_at"])
