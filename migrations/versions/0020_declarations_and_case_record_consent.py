"""Reg 43 independence declarations on visitor assignments; reg 44(2)(b) case-record consent per child

Revision ID: 0020
Revises: 0017 (re-chained at merge)
Create Date: 2026-12-01 15:05:00

- independence_declarations: one per Reg 44 visitor's assignment to a home: the statement the
  administrator confirmed, an optional note, who declared it and when. Deleted with the assignment.
- reg44_case_record_consents: per child (initials or a reference, never a name) on a visit:
  whether the child and the placing authority consented to the visitor reading the child's case
  records, and whether the records were seen. The database refuses "seen" without both consents.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "independence_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("home_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.String(length=1000), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False, server_default=""),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"], ondelete="CASCADE",
                                name=op.f("fk_independence_declarations_assignment_id_assignments")),
        sa.ForeignKeyConstraint(["home_id"], ["homes.id"], ondelete="CASCADE",
                                name=op.f("fk_independence_declarations_home_id_homes")),
        sa.ForeignKeyConstraint(["declared_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_independence_declarations_declared_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_independence_declarations")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_independence_declarations_assignment_id")),
    )
    op.create_index(op.f("ix_independence_declarations_home_id"), "independence_declarations", ["home_id"])
    op.create_table(
        "reg44_case_record_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("home_id", sa.Integer(), nullable=False),
        sa.Column("child_ref", sa.String(length=12), nullable=False),
        sa.Column("child_consented", sa.Boolean(), nullable=False),
        sa.Column("authority_consented", sa.Boolean(), nullable=False),
        sa.Column("records_seen", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("NOT records_seen OR (child_consented AND authority_consented)",
                           name=op.f("ck_reg44_case_record_consents_seen_only_with_consent")),
        sa.ForeignKeyConstraint(["visit_id"], ["reg44_visits.id"], ondelete="CASCADE",
                                name=op.f("fk_reg44_case_record_consents_visit_id_reg44_visits")),
        sa.ForeignKeyConstraint(["home_id"], ["homes.id"], ondelete="CASCADE",
                                name=op.f("fk_reg44_case_record_consents_home_id_homes")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_reg44_case_record_consents_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reg44_case_record_consents")),
        sa.UniqueConstraint("visit_id", "child_ref", name="uq_reg44_case_record_consents_visit_child"),
    )
    op.create_index(op.f("ix_reg44_case_record_consents_visit_id"), "reg44_case_record_consents", ["visit_id"])


def downgrade():
    op.drop_index(op.f("ix_reg44_case_record_consents_visit_id"), table_name="reg44_case_record_consents")
    op.drop_table("reg44_case_record_consents")
    op.drop_index(op.f("ix_independence_declarations_home_id"), table_name="independence_declarations")
    op.drop_table("independence_declarations")
