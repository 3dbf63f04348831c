"""The QPAG report the access walk (tests/spine/test_access.py) needs: last month's draft (made once)."""
from __future__ import annotations

from sqlalchemy import select

from homes_qa.core.qpag import previous_month
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.qpag_report import service
from homes_qa.qpag_report.models import QpagReport
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people.models import User
from tests import clock as test_clock


def qpag_report_record(app, world) -> int:
    month = previous_month(test_clock.TODAY)
    with app.app_context():
        found = db.session.scalar(select(QpagReport.id).where(QpagReport.month == month.first))
        if found is None:
            with acting_as("test setup"):
                found = service.start_draft(year=month.first.year, month=month.first.month,
                                            by=db.session.get(User, world.users[Role.SERVICE_MANAGER].id)).id
        return found
