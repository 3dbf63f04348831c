"""monthly KPIs entered per home and month (Ofsted Annex A measures)

Revision ID: 0014
Revises: 0010 (re-chained at merge)
Create Date: 2026-12-01 13:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# Copied, not imported, so the migration keeps meaning what it meant when written.
MEASURES = (("children_resident", 50), ("admissions", 50), ("leavers", 50), ("average_placement_days", 9999),
            ("staff_at_start", 500), ("staff_leavers", 500), ("compliments", 999), ("complaints", 999),
            ("safeguarding_concerns", 999), ("restraint_incidents", 999), ("restraint_children", 50),
            ("missing_episodes", 999))


def upgrade():
    op.create_table(
        "monthly_kpis",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("home_id", sa.Integer(), sa.ForeignKey("homes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *(sa.Column(code, sa.Integer(), nullable=False) for code, _ in MEASURES),
        sa.Column("entered_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("home_id", "month", name="uq_monthly_kpis_home_month"),
        *(sa.CheckConstraint(f"{code} >= 0 AND {code} <= {top}", name=f"ck_monthly_kpis_{code}")
          for code, top in MEASURES),
    )
    op.create_index("ix_monthly_kpis_home_id", "monthly_kpis", ["home_id"])


def downgrade():
    op.drop_index("ix_monthly_kpis_home_id", table_name="monthly_kpis")
    op.drop_table("monthly_kpis")
