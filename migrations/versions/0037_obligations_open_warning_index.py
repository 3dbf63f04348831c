"""obligations: the open work's warning periods by index (issue 13)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03 11:20:00

Someone who sees every home has their open work classified with the distinct warning periods
(`due_soon_days`) of every open obligation: a DISTINCT that read each open obligation's index
entry, 49,000 at 1,000 homes (3.4 ms of a head of service's first page and of each count of the
estate's open work). With (status, due_soon_days, due_at) each period is one seek past the last.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_obligations_open_warning", "obligations", ["status", "due_soon_days", "due_at"])
    # Statistics for the new index at once, as 0036 gives its own: on an analyzed SQLite database
    # an index without them looks more selective than it is. The index alone (SQLite may analyze
    # one index; PostgreSQL samples the table).
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.execute("ANALYZE obligations")
    elif bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first() is not None:
        op.execute("ANALYZE ix_obligations_open_warning")


def downgrade():
    op.drop_index("ix_obligations_open_warning", table_name="obligations")
