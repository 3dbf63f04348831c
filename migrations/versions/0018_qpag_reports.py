"""the QPAG monthly report (seed 002 §8.2–8.4), one row per version

Revision ID: 0018
Revises: 0016 (re-chained at merge)
Create Date: 2026-12-01 15:00:00
"""
import sqlalchemy as sa
from alembic import op

import homes_qa.spine.timestamps

revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qpag_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('reviews_commentary', sa.Text(), nullable=False),
    sa.Column('reg44_commentary', sa.Text(), nullable=False),
    sa.Column('kpis_commentary', sa.Text(), nullable=False),
    sa.Column('escalations_commentary', sa.Text(), nullable=False),
    sa.Column('surveys_commentary', sa.Text(), nullable=False),
    sa.Column('correction_reason', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', homes_qa.spine.timestamps.UTCDateTime(), nullable=False),
    sa.Column('drafted_at', homes_qa.spine.timestamps.UTCDateTime(), nullable=False),
    sa.Column('finalised_at', homes_qa.spine.timestamps.UTCDateTime(), nullable=True),
    sa.Column('finalised_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'final')", name=op.f('ck_qpag_reports_status')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_qpag_reports_author_id_users')),
    sa.ForeignKeyConstraint(['finalised_by_id'], ['users.id'], name=op.f('fk_qpag_reports_finalised_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qpag_reports')),
    sa.UniqueConstraint('month', 'version', name='uq_qpag_reports_month_version')
    )
    with op.batch_alter_table('qpag_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qpag_reports_month'), ['month'], unique=False)


def downgrade():
    with op.batch_alter_table('qpag_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qpag_reports_month'))
    op.drop_table('qpag_reports')
