"""qpag_reports: the list of reports from an index (issue 13)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03 11:25:00

The reports list reads id, month, version, status and author of each report. `author_id` lies
after `facts` in the row, a snapshot of every home (1 MB at 1,000 homes), so reading it walked
every listed report's overflow pages: 3.2 ms for 25 reports at 1,000 homes, ten times the figure
at 100. An index holding those columns gives the list without touching the rows (0.02 ms).
"""
from alembic import op

from homes_qa.database import analyze_added

# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_qpag_reports_listed", "qpag_reports", ["month", "version", "status", "author_id"])
    # Statistics for the new index at once (homes_qa.database.analyze_added): without them SQLite
    # kept reading the rows through the unique index on (month, version).
    analyze_added(op.get_bind(), sqlite=["qpag_reports"], postgresql=["qpag_reports"])


def downgrade():
    op.drop_index("ix_qpag_reports_listed", table_name="qpag_reports")
