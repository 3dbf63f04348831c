"""inspections: progress notes and evidence on any action of the combined action list

Revision ID: 0017
Revises: 0019 (re-chained at merge)
Create Date: 2026-12-01 15:00:00

- action_notes: a note (progress, or the evidence of completion) on one action, whatever its
  source (Ofsted item, Reg 44 action plan response, QPAG action, QA review action, audit finding).
"""
import sqlalchemy as sa
from alembic import op

import homes_qa.spine.timestamps

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', homes_qa.spine.timestamps.UTCDateTime(), nullable=False),
    sa.CheckConstraint("source IN ('inspection', 'reg44', 'qpag', 'qa_review', 'audit')",
                       name=op.f('ck_action_notes_source')),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_action_notes_home_id_homes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_action_notes_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_notes'))
    )
    with op.batch_alter_table('action_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_notes_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_notes_home_id'), ['home_id'], unique=False)


def downgrade():
    with op.batch_alter_table('action_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_notes_home_id'))
        batch_op.drop_index(batch_op.f('ix_action_notes_action_id'))
    op.drop_table('action_notes')
