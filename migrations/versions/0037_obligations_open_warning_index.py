"""obligations: the open work's warning periods by index (issue 13)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03 11:20:00

Someone who sees every home has their open work classified with the distinct warning periods
(`due_soon_days`) of every open obligation: a DISTINCT that read each open obligation's index
entry, 49,000 at 1,000 homes (3.4 ms of a head of service's first page and of each count of the
estate's open work). With (status, due_soon_days, due_at) each period is one seek past the last.
"""
from alembic import op

from homes_qa.database import analyze_added

# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_obligations_open_warning", "obligations", ["status", "due_soon_days", "due_at"])
    # Statistics for the new index at once (homes_qa.database.analyze_added).
    analyze_added(op.get_bind(), sqlite=["ix_obligations_open_warning"], postgresql=["obligations"])


def downgrade():
    op.drop_index("ix_obligations_open_warning", table_name="obligations")
