"""certificate register (check types, per-home settings, entries, evidence), the fire log,
monthly audits (audits, answers, findings), and the home_staff role

Revision ID: 0006
Revises: 0005 (re-chained at merge)
Create Date: 2026-12-01 12:30:00

The CHECK constraints are written out (as migration 0004 does), so this revision builds the
same schema whatever the enums say later.
"""
from alembic import op
import sqlalchemy as sa
import homes_qa.spine.timestamps

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

UTC = homes_qa.spine.timestamps.UTCDateTime

# users.role gains home_staff (deputies, shift leaders, residential workers): ck_users_role
# (migration 0004) is replaced by one that allows it.
ROLES_BEFORE = ("registered_manager", "reg44_visitor", "service_manager", "head_of_service", "admin")
ROLES_AFTER = ROLES_BEFORE + ("home_staff",)


def _in(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _replace_role_check(values):
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), _in('role', values))


def upgrade():
    _replace_role_check(ROLES_AFTER)
    op.create_table(
        'check_types',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('rule_code', sa.String(length=60), nullable=False),
        sa.Column('applies_by_default', sa.Boolean(), nullable=False),
        sa.Column('applies_hint', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', UTC(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_types')),
        sa.UniqueConstraint('code', name=op.f('uq_check_types_code')),
        sa.UniqueConstraint('rule_code', name=op.f('uq_check_types_rule_code')),
    )
    op.create_table(
        'home_check_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('home_id', sa.Integer(), nullable=False),
        sa.Column('check_type_id', sa.Integer(), nullable=False),
        sa.Column('applies', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', UTC(), nullable=False),
        sa.ForeignKeyConstraint(['check_type_id'], ['check_types.id'],
                                name=op.f('fk_home_check_settings_check_type_id_check_types'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_home_check_settings_changed_by_id_users')),
        sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_home_check_settings_home_id_homes'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_home_check_settings')),
        sa.UniqueConstraint('home_id', 'check_type_id', name='uq_home_check_settings_home_type'),
    )
    with op.batch_alter_table('home_check_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_check_settings_home_id'), ['home_id'], unique=False)

    op.create_table(
        'certificate_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('home_id', sa.Integer(), nullable=False),
        sa.Column('check_type_id', sa.Integer(), nullable=False),
        sa.Column('completion_id', sa.Integer(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('next_due_on', sa.Date(), nullable=True),
        sa.Column('contractor', sa.String(length=200), nullable=False),
        sa.Column('certificate_number', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', UTC(), nullable=False),
        sa.ForeignKeyConstraint(['check_type_id'], ['check_types.id'],
                                name=op.f('fk_certificate_entries_check_type_id_check_types')),
        sa.ForeignKeyConstraint(['completion_id'], ['completions.id'],
                                name=op.f('fk_certificate_entries_completion_id_completions')),
        sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_certificate_entries_home_id_homes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_certificate_entries_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_entries')),
    )
    with op.batch_alter_table('certificate_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_entries_home_id'), ['home_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_entries_check_type_id'), ['check_type_id'], unique=False)

    op.create_table(
        'certificate_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('home_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', UTC(), nullable=False),
        sa.CheckConstraint("kind IN ('pdf', 'png', 'jpeg')", name=op.f('ck_certificate_evidence_kind')),
        sa.ForeignKeyConstraint(['entry_id'], ['certificate_entries.id'],
                                name=op.f('fk_certificate_evidence_entry_id_certificate_entries'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_certificate_evidence_home_id_homes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_certificate_evidence_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_evidence')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_certificate_evidence_stored_name')),
    )
    with op.batch_alter_table('certificate_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_evidence_home_id'), ['home_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_evidence_entry_id'), ['entry_id'], unique=False)

    op.create_table(
        'fire_log_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('home_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('call_point', sa.String(length=100), nullable=False),
        sa.Column('result', sa.String(length=20), nullable=False),
        sa.Column('conditions', sa.String(length=10), nullable=True),
        sa.Column('evacuation_seconds', sa.Integer(), nullable=True),
        sa.Column('participants', sa.Text(), nullable=False),
        sa.Column('deficiencies', sa.Text(), nullable=False),
        sa.Column('remedy', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', UTC(), nullable=False),
        sa.CheckConstraint("kind IN ('alarm_test', 'drill', 'emergency_lighting')",
                           name=op.f('ck_fire_log_entries_kind')),
        sa.CheckConstraint("result IN ('satisfactory', 'faults')", name=op.f('ck_fire_log_entries_result')),
        sa.CheckConstraint("conditions IN ('day', 'night')", name=op.f('ck_fire_log_entries_conditions')),
        sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_fire_log_entries_home_id_homes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_fire_log_entries_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fire_log_entries')),
    )
    with op.batch_alter_table('fire_log_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fire_log_entries_home_id'), ['home_id'], unique=False)

    op.create_table(
        'home_audits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('home_id', sa.Integer(), nullable=False),
        sa.Column('template_code', sa.String(length=40), nullable=False),
        sa.Column('template_version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('period_key', sa.String(length=20), nullable=False),
        sa.Column('reaudit_of_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('section_grades', sa.JSON(), nullable=False),
        sa.Column('overall_grade', sa.String(length=30), nullable=True),
        sa.Column('overall_evidence', sa.Text(), nullable=False),
        sa.Column('learning_points', sa.JSON(), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=False),
        sa.Column('started_at', UTC(), nullable=False),
        sa.Column('submitted_at', UTC(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f('ck_home_audits_status')),
        sa.CheckConstraint("overall_grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate')",
                           name=op.f('ck_home_audits_overall_grade')),
        sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_home_audits_home_id_homes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reaudit_of_id'], ['home_audits.id'],
                                name=op.f('fk_home_audits_reaudit_of_id_home_audits')),
        sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_home_audits_started_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_home_audits')),
    )
    with op.batch_alter_table('home_audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_audits_home_id'), ['home_id'], unique=False)

    op.create_table(
        'home_audit_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('audit_id', sa.Integer(), nullable=False),
        sa.Column('home_id', sa.Integer(), nullable=False),
        sa.Column('question_code', sa.String(length=40), nullable=False),
        sa.Column('answer', sa.String(length=10), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('action', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('priority', sa.String(length=10), nullable=True),
        sa.CheckConstraint("answer IN ('yes', 'no', 'na')", name=op.f('ck_home_audit_answers_answer')),
        sa.ForeignKeyConstraint(['audit_id'], ['home_audits.id'],
                                name=op.f('fk_home_audit_answers_audit_id_home_audits'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_home_audit_answers_home_id_homes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_home_audit_answers_owner_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_home_audit_answers')),
        sa.UniqueConstraint('audit_id', 'question_code', name='uq_home_audit_answers_question'),
    )
    with op.batch_alter_table('home_audit_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_audit_answers_audit_id'), ['audit_id'], unique=False)

    op.create_table(
        'home_audit_findings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('audit_id', sa.Integer(), nullable=False),
        sa.Column('home_id', sa.Integer(), nullable=False),
        sa.Column('question_code', sa.String(length=40), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('finding', sa.Text(), nullable=False),
        sa.Column('action', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('priority', sa.String(length=10), nullable=False),
        sa.CheckConstraint("priority IN ('high', 'medium', 'low')", name=op.f('ck_home_audit_findings_priority')),
        sa.ForeignKeyConstraint(['audit_id'], ['home_audits.id'],
                                name=op.f('fk_home_audit_findings_audit_id_home_audits'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['home_id'], ['homes.id'], name=op.f('fk_home_audit_findings_home_id_homes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_home_audit_findings_owner_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_home_audit_findings')),
    )
    with op.batch_alter_table('home_audit_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_audit_findings_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_audit_findings_home_id'), ['home_id'], unique=False)


def downgrade():
    op.drop_table('home_audit_findings')
    op.drop_table('home_audit_answers')
    op.drop_table('home_audits')
    op.drop_table('fire_log_entries')
    op.drop_table('certificate_evidence')
    op.drop_table('certificate_entries')
    op.drop_table('home_check_settings')
    op.drop_table('check_types')
    op.execute("DELETE FROM assignments WHERE user_id IN (SELECT id FROM users WHERE role = 'home_staff')")
    op.execute("UPDATE users SET active = false WHERE role = 'home_staff'")
    op.execute("UPDATE users SET role = 'registered_manager' WHERE role = 'home_staff'")
    _replace_role_check(ROLES_BEFORE)
