"""QA reviews: dip samples, thematic reviews and full audits, their findings per home and action plans

Revision ID: 0013
Revises: 0010 (re-chained at merge)
Create Date: 2026-12-01 13:20:00
"""
import sqlalchemy as sa
from alembic import op

import homes_qa.spine.timestamps

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('qa_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('area', sa.String(length=200), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('plan_agreed_on', sa.Date(), nullable=True),
    sa.Column('plan_agreed_by_id', sa.Integer(), nullable=True),
    sa.Column('commissioned_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', homes_qa.spine.timestamps.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('commissioned', 'completed')", name=op.f('ck_qa_reviews_status')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_qa_reviews_assignee_id_users')),
    sa.ForeignKeyConstraint(['commissioned_by_id'], ['users.id'], name=op.f('fk_qa_reviews_commissioned_by_id_users')),
    sa.ForeignKeyConstraint(['plan_agreed_by_id'], ['users.id'], name=op.f('fk_qa_reviews_plan_agreed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_reviews'))
    )
    with op.batch_alter_table('qa_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_reviews_assignee_id'), ['assignee_id'], unique=False)

    op.create_table('qa_review_homes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('rag', sa.String(length=10), nullable=True),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("rag IN ('red', 'amber', 'green')", name=op.f('ck_qa_review_homes_rag')),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_qa_review_homes_home_id_homes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_qa_review_homes_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['review_id'], ['qa_reviews.id'], name=op.f('fk_qa_review_homes_review_id_qa_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_review_homes'))
    )
    with op.batch_alter_table('qa_review_homes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_review_homes_home_id'), ['home_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_review_homes_review_id'), ['review_id'], unique=False)

    op.create_table('qa_review_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'completed')", name=op.f('ck_qa_review_actions_status')),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_qa_review_actions_home_id_homes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_qa_review_actions_owner_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_qa_review_actions_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['review_id'], ['qa_reviews.id'], name=op.f('fk_qa_review_actions_review_id_qa_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_review_actions'))
    )
    with op.batch_alter_table('qa_review_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_review_actions_home_id'), ['home_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_review_actions_review_id'), ['review_id'], unique=False)


def downgrade():
    op.drop_table('qa_review_actions')
    op.drop_table('qa_review_homes')
    op.drop_table('qa_reviews')
