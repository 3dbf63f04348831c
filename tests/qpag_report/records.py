"""Records for the QPAG report tests: last month's draft for the access walk
(tests/spine/test_access.py, made once), and a month of records across both homes."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from homes_qa.core.calendar import london_day_end, london_day_start
from homes_qa.core.qpag import previous_month
from homes_qa.core.roles import Role
from homes_qa.exceptions.models import MonthlyKpi
from homes_qa.extensions import db
from homes_qa.inspections.models import QaReview, QaReviewHome, QpagAction
from homes_qa.qpag_report import service
from homes_qa.qpag_report.models import QpagReport
from homes_qa.reg44.models import Reg44Report, Reg44Visit
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import ObligationStatus
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock

MONTH = previous_month(test_clock.TODAY)  # the report's month in the tests: last month


def qpag_report_record(app, world) -> int:
    month = MONTH
    with app.app_context():
        found = db.session.scalar(select(QpagReport.id).where(QpagReport.month == month.first))
        if found is None:
            with acting_as("test setup"):
                found = service.start_draft(year=month.first.year, month=month.first.month,
                                            by=db.session.get(User, world.users[Role.SERVICE_MANAGER].id)).id
        return found


def in_month(day: int) -> date:
    return MONTH.first + timedelta(days=day - 1)


def seed_month(app, world) -> None:
    """Last month's records across both homes, and some just outside it."""
    sm = world.users[Role.SERVICE_MANAGER]
    hos = world.users[Role.HEAD_OF_SERVICE]
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test setup"):
        home_a, home_b = db.session.get(Home, world.home_a.id), db.session.get(Home, world.home_b.id)
        # QA reviews: a thematic review completed in the month; a dip sample completed before it; one still open.
        thematic = QaReview(kind="thematic", area="Medication", assignee_id=sm.id, due_on=in_month(20),
                            status="completed", completed_on=in_month(10), summary="Errors in two homes",
                            commissioned_by_id=hos.id)
        thematic.homes.append(QaReviewHome(home_id=home_a.id, rag="amber", findings="Two missed signatures"))
        earlier = QaReview(kind="dip_sample", area="Missing from care", assignee_id=sm.id, due_on=in_month(1),
                           status="completed", completed_on=MONTH.first - timedelta(days=1),
                           summary="OUTSIDE-THE-MONTH", commissioned_by_id=hos.id)
        open_review = QaReview(kind="dip_sample", area="STILL-OPEN", assignee_id=sm.id, due_on=in_month(25),
                               commissioned_by_id=hos.id)
        # Reg 44: an adverse visit at A, a good one at B, a draft-only one at B, a planned one and one last-but-one month.
        adverse = Reg44Visit(home_id=home_a.id, visitor_id=visitor.id, status="recorded", visited_on=in_month(5),
                             announced=False)
        good = Reg44Visit(home_id=home_b.id, visitor_id=world.visitor_b.id, status="recorded", visited_on=in_month(8))
        drafted = Reg44Visit(home_id=home_b.id, visitor_id=world.visitor_b.id, status="recorded",
                             visited_on=in_month(12))
        planned = Reg44Visit(home_id=home_a.id, visitor_id=visitor.id, status="planned", planned_for=in_month(20),
                             announced=False)
        older = Reg44Visit(home_id=home_a.id, visitor_id=visitor.id, status="recorded",
                           visited_on=MONTH.first - timedelta(days=3))
        db.session.add_all([thematic, earlier, open_review, adverse, good, drafted, planned, older])
        db.session.flush()
        db.session.add_all([
            Reg44Report(visit_id=adverse.id, home_id=home_a.id, version=1, status="submitted", author_id=visitor.id,
                        safeguarded_opinion="yes", wellbeing_opinion="yes", findings="SUPERSEDED version one"),
            Reg44Report(visit_id=adverse.id, home_id=home_a.id, version=2, status="submitted", author_id=visitor.id,
                        safeguarded_opinion="no", wellbeing_opinion="with_concerns",
                        findings="Medication records were missing"),
            Reg44Report(visit_id=good.id, home_id=home_b.id, version=1, status="submitted",
                        author_id=world.visitor_b.id, safeguarded_opinion="yes", wellbeing_opinion="yes",
                        findings="A warm, well-run home"),
            Reg44Report(visit_id=drafted.id, home_id=home_b.id, version=1, status="draft",
                        author_id=world.visitor_b.id, findings="DRAFT-NOT-SHOWN"),
            Reg44Report(visit_id=older.id, home_id=home_a.id, version=1, status="submitted", author_id=visitor.id,
                        safeguarded_opinion="no", wellbeing_opinion="no", findings="OLDER-VISIT"),
        ])
        # KPIs: entered for A only; A's deadlines of the month: one met on time, one late, one waived.
        db.session.add(MonthlyKpi(home_id=home_a.id, month=MONTH.first, children_resident=3, admissions=1, leavers=0,
                                  average_placement_days=0, staff_at_start=10, staff_leavers=1, compliments=2,
                                  complaints=1, safeguarding_concerns=1, restraint_incidents=2, restraint_children=1,
                                  missing_episodes=4, entered_by_id=world.users[Role.REGISTERED_MANAGER].id))
        on_time = obligations.obligation_for_period("hs_audit_monthly", home_a, MONTH.first)
        late = obligations.obligation_for_period("fire_safety_monthly", home_a, MONTH.first)
        waived = obligations.obligation_for_period("kpi_review_monthly", home_a, MONTH.first)
        obligations.discharge(on_time, met_at=london_day_start(in_month(15)))
        obligations.discharge(late, met_at=london_day_end(MONTH.last) + timedelta(days=2))
        waived.status = ObligationStatus.WAIVED
        # Escalations: one alert escalated in the month (level 2), an overdue alert (level 1), one the month after.
        escalated_at = london_day_start(in_month(16)) + timedelta(hours=9)
        db.session.add_all([
            Alert(obligation_id=late.id, level=2, target_role=Role.SERVICE_MANAGER, home_id=home_a.id,
                  raised_at=escalated_at, reached_at=escalated_at),
            Alert(obligation_id=late.id, level=1, target_role=Role.REGISTERED_MANAGER, home_id=home_a.id,
                  raised_at=escalated_at, reached_at=escalated_at),
            Alert(obligation_id=on_time.id, level=3, target_role=Role.HEAD_OF_SERVICE, home_id=home_a.id,
                  raised_at=london_day_end(MONTH.last) + timedelta(hours=2),
                  reached_at=london_day_end(MONTH.last) + timedelta(hours=2)),
            QpagAction(home_id=None, meeting_on=MONTH.first - timedelta(days=60), text="Recruit night staff",
                       owner_id=sm.id, due_on=MONTH.first - timedelta(days=10), escalated_on=in_month(3),
                       escalation_note="Two months late", escalated_by_id=hos.id, created_by_id=sm.id),
        ])
        db.session.commit()
