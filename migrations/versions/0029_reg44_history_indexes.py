"""reg44: visits by home, status and day; reports by visit and status (issue 13)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 06:00:00

The Reg 44 pages ask of each home (or visitor) which recorded visits have no submitted report,
which is the latest visit and which the latest submitted report. With the home alone indexed,
each question read every visit of the home's history from the table and each report from the
table to test its status: a head of service's /reg44/ spent 8 ms of SQL on 25 homes of 60 months.
With (home, status, day) the planned visits, the month's visits and the recorded ones are each a
range of the index, the latest is its last entry, and (visit, status) tests a report without
reading it. (visitor, status, day, home, planned day) does the same for the visitors' workload,
which scanned every visit of the estate. And (home, status, version) counts a home's submitted
first versions: fewer than its recorded visits is the one way a home has a report to write, so
only such homes' visits are tested one by one (a head of service's workload tested 9,000).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_reg44_visits_home_status_day", "reg44_visits", ["home_id", "status", "visited_on"])
    op.create_index("ix_reg44_visits_visitor_status_day", "reg44_visits", ["visitor_id", "status", "visited_on", "home_id", "planned_for"])
    op.create_index("ix_reg44_reports_visit_status", "reg44_reports", ["visit_id", "status"])
    op.create_index("ix_reg44_reports_home_status_version", "reg44_reports", ["home_id", "status", "version"])


def downgrade():
    op.drop_index("ix_reg44_reports_home_status_version", table_name="reg44_reports")
    op.drop_index("ix_reg44_reports_visit_status", table_name="reg44_reports")
    op.drop_index("ix_reg44_visits_visitor_status_day", table_name="reg44_visits")
    op.drop_index("ix_reg44_visits_home_status_day", table_name="reg44_visits")
