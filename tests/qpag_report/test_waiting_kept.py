"""The QPAG reports waiting (service managers' and the head of service's first pages) are read by
two statements built once and run with the instant's horizon and the months bound (issue 13):
the same kept statements must answer for the instant they are run at."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect

from homes_qa.core import drift
from homes_qa.core.qpag import meeting_month, previous_month
from homes_qa.extensions import db
from homes_qa.qpag_report import queries
from homes_qa.qpag_report.models import QpagReport
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import utcnow
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")

MONTH = previous_month(test_clock.TODAY)


def test_waiting_answers_for_the_instant_it_is_run_at(app, world):
    with app.app_context(), acting_as("test"):
        made = obligations.obligation_for_period("qpag_report_monthly", None, meeting_month(MONTH).first)
        db.session.commit()
        due = db.session.get(Obligation, made.id).due_at
        now = utcnow()
        listed = queries.waiting(now)
        assert [(w.month.first, w.report) for w in listed] == [(MONTH.first, None)]
        assert listed[0].state is not None and listed[0].state.status != drift.OVERDUE
        later = queries.waiting(due + timedelta(days=1))[0].state
        assert later is not None and later.status == drift.OVERDUE
        # Beyond the horizon then: the report month had not begun.
        assert queries.waiting(due - queries.WAITING_HORIZON - timedelta(days=1)) == []
        assert [w.month.first for w in queries.waiting(now)] == [MONTH.first]
        kept = queries._waiting_statements()
        assert queries._waiting_statements() is kept


def test_a_draft_is_found_by_its_month_and_read_without_its_facts(app, world):
    with app.app_context(), acting_as("test"):
        obligations.obligation_for_period("qpag_report_monthly", None, meeting_month(MONTH).first)
        author = db.session.scalar(db.select(User).limit(1))
        db.session.add(QpagReport(month=MONTH.first, version=1, status="final", author_id=author.id,
                                  facts={"big": "x" * 1000}))
        db.session.commit()
        db.session.expire_all()
        listed = queries.waiting(utcnow())
        assert [(w.month.first, w.report.version if w.report else None) for w in listed] == [(MONTH.first, 1)]
        report = listed[0].report
        assert report is not None and "facts" in inspect(report).unloaded  # the list shows month and version
        assert not listed[0].is_draft
