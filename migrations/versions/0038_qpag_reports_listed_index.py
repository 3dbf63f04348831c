"""qpag_reports: the list of reports from an index (issue 13)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03 11:25:00

The reports list reads id, month, version, status and author of each report. `author_id` lies
after `facts` in the row, a snapshot of every home (1 MB at 1,000 homes), so reading it walked
every listed report's overflow pages: 3.2 ms for 25 reports at 1,000 homes, ten times the figure
at 100. An index holding those columns gives the list without touching the rows (0.02 ms).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_qpag_reports_listed", "qpag_reports", ["month", "version", "status", "author_id"])
    # Statistics for the new index at once (as 0036, 0037): without them SQLite kept reading the
    # rows through the unique index on (month, version).
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or bind.execute(sa.text(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first() is not None:
        op.execute("ANALYZE qpag_reports")


def downgrade():
    op.drop_index("ix_qpag_reports_listed", table_name="qpag_reports")
