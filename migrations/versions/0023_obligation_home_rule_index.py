"""obligations: an index on (home_id, rule_code, status) for per-home reads of one rule

Revision ID: 0023
Revises: 0022 (re-chained at merge)
Create Date: 2026-12-01 18:30:00

Issue 13: the Reg 44 page counts each shown home's open recommendation responses, reads each
home's visit obligation for the month and each visit's report deadline: "this rule, these homes
(, open)". Without it SQLite walked every open obligation of the estate through
ix_obligations_open_due (31,000 at 1,000 homes: 33 ms a page; 0.3 ms with it).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_obligations_home_rule_status', 'obligations', ['home_id', 'rule_code', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_obligations_home_rule_status', table_name='obligations')
