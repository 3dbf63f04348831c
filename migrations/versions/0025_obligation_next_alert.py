"""obligations: when the sweep must next look at each one

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 18:30:00

- obligations.next_alert_at: the instant after which the next alert level is reached
  (1970-01-01 = work it out at the next sweep, which is what every existing row gets;
  NULL = every level raised), indexed with status so a sweep reads only what is due.
- recurring_horizons: per calendar rule, the period every home's stream is made up to and a
  digest of the homes and timing it was made for (so a sweep skips streams already complete).
"""
import sqlalchemy as sa
from alembic import op

import homes_qa.spine.timestamps

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recurring_horizons',
    sa.Column('rule_code', sa.String(length=60), nullable=False),
    sa.Column('upto_key', sa.String(length=80), nullable=False),
    sa.Column('made_for', sa.String(length=64), nullable=False),
    sa.Column('checked_at', homes_qa.spine.timestamps.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('rule_code', name=op.f('pk_recurring_horizons'))
    )
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_alert_at', homes_qa.spine.timestamps.UTCDateTime(), nullable=True,
                                      server_default=sa.text("'1970-01-01 00:00:00'")))
        batch_op.create_index('ix_obligations_open_next_alert', ['status', 'next_alert_at'], unique=False)


def downgrade():
    op.drop_table('recurring_horizons')
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_index('ix_obligations_open_next_alert')
        batch_op.drop_column('next_alert_at')
