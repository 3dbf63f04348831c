"""inspections: a file attached as evidence to a progress note on an action

Revision ID: 0022
Revises: 0020 (re-chained at merge)
Create Date: 2026-12-01 16:00:00

- action_files: one file per note (PDF, image, Word, Excel, CSV or text, judged by content),
  stored under instance/uploads/actions/ with a generated name and its sha256.
"""
import sqlalchemy as sa
from alembic import op

import homes_qa.spine.timestamps

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', homes_qa.spine.timestamps.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('pdf', 'png', 'jpeg', 'docx', 'xlsx', 'doc', 'xls', 'csv', 'txt')",
                       name=op.f('ck_action_files_kind')),
    sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_action_files_home_id_homes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['note_id'], ['action_notes.id'], name=op.f('fk_action_files_note_id_action_notes'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_action_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_files')),
    sa.UniqueConstraint('note_id', name=op.f('uq_action_files_note_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_action_files_stored_name'))
    )
    with op.batch_alter_table('action_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_files_home_id'), ['home_id'], unique=False)


def downgrade():
    with op.batch_alter_table('action_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_files_home_id'))
    op.drop_table('action_files')
