"""the weekly safeguarding summary (one per service manager per week) and its reads; corrections
of an event's account as new versions with a reason

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 13:15:00
"""
import sqlalchemy as sa
from alembic import op

from homes_qa.spine.timestamps import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "safeguarding_summaries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("manager_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("themes", sa.Text(), nullable=False),
        sa.Column("learning", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_safeguarding_summaries_status")),
        sa.UniqueConstraint("manager_id", "week_start", name="uq_safeguarding_summary_week"),
    )
    op.create_index("ix_safeguarding_summaries_manager_id", "safeguarding_summaries", ["manager_id"])
    op.create_table(
        "safeguarding_summary_reads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("summary_id", sa.Integer(), sa.ForeignKey("safeguarding_summaries.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("reader_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("summary_id", "reader_id", name="uq_safeguarding_summary_read"),
    )
    op.create_index("ix_safeguarding_summary_reads_summary_id", "safeguarding_summary_reads", ["summary_id"])

    op.create_table(
        "incident_corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("home_id", sa.Integer(), sa.ForeignKey("homes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("children", sa.String(200), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("incident_id", "version", name="uq_incident_correction_version"),
    )
    op.create_index("ix_incident_corrections_incident_id", "incident_corrections", ["incident_id"])
    op.create_index("ix_incident_corrections_home_id", "incident_corrections", ["home_id"])


def downgrade():
    op.drop_table("incident_corrections")
    op.drop_table("safeguarding_summary_reads")
    op.drop_table("safeguarding_summaries")
