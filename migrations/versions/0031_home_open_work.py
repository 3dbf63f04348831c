"""home_open_work, open_work_clock: each home's open work counted after each sweep (issue 13)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02 12:00:00

A head of service's first page and exceptions grid rank every home by its escalated, overdue
and due-soon obligations. Counted from every open obligation on each look, that took 7 ms of
SQL at 1,000 homes and grew with the estate. The scheduler counts them after each sweep into
`home_open_work` (the instants it counted at in `open_work_clock`); a look adds what crossed a
threshold since and counts again only the homes changed since (`changes`). Empty until the
first count: until then every look counts everything, as before.
"""
import sqlalchemy as sa
from alembic import op

from homes_qa.spine.timestamps import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "home_open_work",
        sa.Column("home_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("escalated", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("due_soon", sa.Integer(), nullable=False),
        sa.Column("counted_at", UTCDateTime(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("counted_changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("home_key", name=op.f("pk_home_open_work")),
    )
    op.create_table(
        "open_work_clock",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_open_work_clock")),
    )


def downgrade():
    op.drop_table("open_work_clock")
    op.drop_table("home_open_work")
