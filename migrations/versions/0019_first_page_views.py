"""exceptions: when each person last looked at their first page ("what changed since you last looked")

Revision ID: 0019
Revises: 0018 (re-chained at merge)
Create Date: 2026-12-01 15:00:00

- first_page_views: one row per user: viewed_at (the last look) and since (where the page's
  list of changes starts; NULL before any earlier look).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "first_page_views",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("viewed_at", sa.DateTime(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("user_id", name="uq_first_page_views_user_id"),
    )


def downgrade():
    op.drop_table("first_page_views")
