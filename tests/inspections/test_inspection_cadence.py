"""The monitoring cadence through the services, with time passed in (seed 002 §7.1):
requires improvement → fortnightly review obligations that stop when the last action closes
and restart when one reopens; inadequate → weekly; good with requirements → by compliance
date; a new inspection that changes the outcome changes the cadence; overdue actions escalate."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.calendar import london_date
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections import service
from homes_qa.inspections.models import Inspection, InspectionItem
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from tests.core.core_helpers import london

T0 = london(2026, 12, 1, 10)  # the inspection is recorded at this instant
EOD = (23, 59, 59)
REVIEW_RULES = ("ofsted_monitoring_review_ri", "ofsted_monitoring_review_inadequate", "ofsted_monitoring_review_good")


@pytest.fixture
def ctx(app, world):
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        yield home, manager, head


def inspect(home, by, *, overall, helped="good", leadership=None, kind="full", now=T0, notice=None):
    leadership = leadership or ("good" if overall in ("good", "outstanding") else overall)
    grades = {"overall": overall, "helped_protected": helped, "leadership": leadership} if kind == "full" else {}
    enforcement = service.Enforcement(*notice) if notice else service.Enforcement()
    return service.record_inspection(home, inspection_type=kind, started_on=london_date(now) - timedelta(days=2),
                                     ended_on=london_date(now) - timedelta(days=1), grades=grades,
                                     confirm_limiting=False, enforcement=enforcement, summary="", by=by, now=now)


def requirement(inspection, owner, *, compliance, due=None, now=T0):
    return service.add_item(inspection, kind="requirement", text="Records are incomplete", regulation="Regulation 37",
                            compliance_date=compliance, action="Audit every record", owner_id=owner.id,
                            due_on=due or compliance, by=owner, now=now)


def recommendation(inspection, owner, *, due, now=T0):
    return service.add_item(inspection, kind="recommendation", text="Improve the garden", regulation="",
                            compliance_date=None, action="Plant it", owner_id=owner.id, due_on=due, by=owner, now=now)


def reviews(home, status=ObligationStatus.OPEN) -> list[Obligation]:
    return list(db.session.scalars(select(Obligation).where(
        Obligation.home_id == home.id, Obligation.rule_code.in_(REVIEW_RULES), Obligation.status == status)
        .order_by(Obligation.due_at)))


def review(home, by, *, on, now):
    items = db.session.scalars(select(InspectionItem).where(InspectionItem.home_id == home.id,
                                                            InspectionItem.status == "open")).all()
    return service.record_review(home, reviewed_on=on, next_steps="Keep going", by=by, now=now,
                                 progress=[service.Progress(i.id, "amber", "Half done") for i in items])


def test_requires_improvement_fortnightly_stops_when_last_action_closes_and_restarts_on_reopen(ctx):
    home, manager, head = ctx
    inspection = inspect(home, manager, overall="requires_improvement")
    assert reviews(home) == []  # no actions yet: nothing to monitor
    first = requirement(inspection, manager, compliance=date(2027, 1, 29))
    second = recommendation(inspection, manager, due=date(2027, 1, 15))
    [due] = reviews(home)
    assert due.rule_code == "ofsted_monitoring_review_ri"
    assert due.due_at == london(2026, 12, 15, *EOD)  # two weeks after the cadence started

    review(home, head, on=date(2026, 12, 14), now=london(2026, 12, 14, 16))
    assert [o.status for o in reviews(home, ObligationStatus.MET)] == [ObligationStatus.MET]
    [due] = reviews(home)
    assert due.due_at == london(2026, 12, 28, *EOD)  # two weeks after the review

    service.complete_item(first, completed_on=date(2026, 12, 20), by=manager, now=london(2026, 12, 20, 12))
    assert len(reviews(home)) == 1  # one action still open
    service.complete_item(second, completed_on=date(2026, 12, 21), by=manager, now=london(2026, 12, 21, 12))
    assert reviews(home) == []  # the last action closed: the cadence stops
    [withdrawn] = reviews(home, ObligationStatus.WAIVED)
    assert "All actions are completed" in withdrawn.waived_reason

    service.reopen_item(first, due_on=date(2027, 1, 20), reason="Audit missed two files", by=manager,
                        now=london(2027, 1, 4, 9))
    [due] = reviews(home)
    assert due.rule_code == "ofsted_monitoring_review_ri"
    assert due.due_at == london(2027, 1, 18, *EOD)  # restarted: two weeks from the reopening


def test_inadequate_is_weekly(ctx):
    home, manager, head = ctx
    inspection = inspect(home, manager, overall="inadequate", helped="inadequate")
    requirement(inspection, manager, compliance=date(2027, 1, 10))
    [due] = reviews(home)
    assert due.rule_code == "ofsted_monitoring_review_inadequate"
    assert due.due_at == london(2026, 12, 8, *EOD)
    review(home, head, on=date(2026, 12, 8), now=london(2026, 12, 8, 15))
    [due] = reviews(home)
    assert due.due_at == london(2026, 12, 15, *EOD)


def test_compliance_notice_makes_it_weekly_even_when_good(ctx):
    home, manager, _ = ctx
    inspection = inspect(home, manager, overall="good", notice=(date(2026, 11, 30), date(2026, 12, 30)))
    requirement(inspection, manager, compliance=date(2026, 12, 30))
    [due] = reviews(home)
    assert due.rule_code == "ofsted_monitoring_review_inadequate"


def test_good_with_requirements_is_by_compliance_date(ctx):
    home, manager, head = ctx
    inspection = inspect(home, manager, overall="good")
    recommendation(inspection, manager, due=date(2027, 1, 5))
    assert reviews(home) == []  # recommendations alone set no reviews for a good home
    requirement(inspection, manager, compliance=date(2027, 2, 26))
    requirement(inspection, manager, compliance=date(2027, 1, 29))
    [due] = reviews(home)
    assert due.rule_code == "ofsted_monitoring_review_good"
    assert due.due_at == london(2027, 1, 29, *EOD)  # the earliest compliance date
    review(home, head, on=date(2027, 1, 28), now=london(2027, 1, 28, 15))
    [due] = reviews(home)
    assert due.due_at == london(2027, 2, 26, *EOD)  # then the next one


def test_a_new_inspection_that_changes_the_outcome_changes_the_cadence(ctx):
    home, manager, _ = ctx
    inspection = inspect(home, manager, overall="requires_improvement")
    requirement(inspection, manager, compliance=date(2027, 3, 1))
    assert [o.rule_code for o in reviews(home)] == ["ofsted_monitoring_review_ri"]
    inspect(home, manager, overall="inadequate", helped="inadequate", now=london(2027, 1, 12, 10))
    [due] = reviews(home)
    assert due.rule_code == "ofsted_monitoring_review_inadequate"
    assert due.due_at == london(2027, 1, 19, *EOD)
    assert len(reviews(home, ObligationStatus.WAIVED)) == 1


def test_monitoring_visit_keeps_the_outcome(ctx):
    home, manager, _ = ctx
    inspection = inspect(home, manager, overall="requires_improvement")
    requirement(inspection, manager, compliance=date(2027, 3, 1))
    [before] = reviews(home)
    inspect(home, manager, overall=None, kind="monitoring_visit", now=london(2026, 12, 9, 10))
    assert reviews(home) == [before]


def test_actions_and_requirements_are_obligations_that_escalate(ctx):
    home, manager, _ = ctx
    inspection = inspect(home, manager, overall="requires_improvement")
    item = requirement(inspection, manager, compliance=date(2026, 12, 20), due=date(2026, 12, 10))
    codes = {o.rule_code: o for o in db.session.scalars(select(Obligation).where(Obligation.subject_id == item.id,
                                                                                Obligation.subject_type == "InspectionItem"))}
    assert codes["action_complete"].due_at == london(2026, 12, 10, *EOD)
    assert codes["ofsted_requirement_compliance"].due_at == london(2026, 12, 20, *EOD)
    alerts.sweep(london(2026, 12, 23, 9))
    levels = {(a.obligation_id, a.target_role) for a in db.session.scalars(select(Alert))}
    assert (codes["action_complete"].id, Role.SERVICE_MANAGER) in levels  # escalated past the manager
    service.complete_item(item, completed_on=date(2026, 12, 22), by=manager, now=london(2026, 12, 23, 10))
    assert codes["action_complete"].status == ObligationStatus.MET_LATE
    assert codes["ofsted_requirement_compliance"].status == ObligationStatus.MET_LATE


def test_inspection_rows_keep_the_record(ctx):
    home, manager, _ = ctx
    inspect(home, manager, overall="good")
    [row] = db.session.scalars(select(Inspection)).all()
    assert (row.overall, row.helped_protected, row.leadership) == ("good", "good", "good")
