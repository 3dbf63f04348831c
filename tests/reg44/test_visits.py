"""Regulation 44 visits: planning, recording, the obligations they imply, scoping and secrecy."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from test_visits_support import NOW, date_fields, days_ahead, error_summary, obligation, plan, record, submit, today

from homes_qa.core.calendar import london_date, london_day_end, working_days_after
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.access import obligation_visible_clause
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import User
from homes_qa.spine.rules.service import rule_by_code

FEEDBACK = ("young_people_feedback_pre_visit", "professional_feedback_pre_visit")
PLAN = "/reg44/homes/{}/plan"

# "Today" is the pinned day (tests/clock.py): services and routes see the same clock.
pytestmark = pytest.mark.usefixtures("clock")


def _visit(app, visit_id) -> dict:
    with app.app_context():
        v = db.session.get(Reg44Visit, visit_id)
        return {"status": v.status, "announced": v.announced, "planned_for": v.planned_for,
                "visited_on": v.visited_on, "home_id": v.home_id, "visitor_id": v.visitor_id}


def _only_visit(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Reg44Visit.id).order_by(Reg44Visit.id.desc()))


# ---------------------------------------------------------------- planning

def test_visitor_plans_an_announced_visit_and_its_feedback_falls_due_before_it(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    auth.sign_in(visitor)
    day = days_ahead(20)
    response = auth.post(PLAN.format(world.home_a.id), {**date_fields("planned_for", day), "announced": "announced"})
    assert response.status_code == 303
    visit_id = _only_visit(app)
    assert response.headers["Location"].endswith(f"/reg44/visits/{visit_id}")
    assert _visit(app, visit_id)["status"] == "planned"
    for code in FEEDBACK:
        ob = obligation(app, code, f"visit:{visit_id}")
        # the rule table says 7 calendar days before the planned date (read, not hard-coded here)
        with app.app_context():
            days = reg44.rule_by_code(code).timing["amount"]
        assert ob["due_at"] == london_day_end(day - timedelta(days=days))
        assert ob["hidden"] is False and ob["status"] == "open"

    # the registered manager sees an announced plan
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/reg44/visits/{visit_id}").status_code == 200
    assert f"/reg44/visits/{visit_id}" in client.get(f"/reg44/homes/{world.home_a.id}").get_data(as_text=True)


# Also pinned where the deadlines (13 and 23 days ahead) straddle a clock change: ten days
# later is ten London days later, not 240 hours.
@pytest.mark.parametrize("pinned", [None, datetime(2027, 3, 8, 10, 0, tzinfo=UTC),
                                    datetime(2027, 10, 20, 10, 0, tzinfo=UTC)],
                         ids=["pinned-day", "across-spring-change", "across-autumn-change"])
def test_moving_the_planned_date_moves_the_feedback_deadlines(app, client, world, auth, clock, pinned):
    if pinned:
        clock.move_to(pinned)
    start = london_date(pinned) if pinned else today()
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = plan(app, world.home_a.id, visitor.id, start + timedelta(days=20))
    before = obligation(app, FEEDBACK[0], f"visit:{visit_id}")["due_at"]
    auth.sign_in(visitor)
    new_day = start + timedelta(days=30)
    response = auth.post(f"/reg44/visits/{visit_id}/plan", {**date_fields("planned_for", new_day),
                                                             "announced": "announced"})
    assert response.status_code == 303
    assert _visit(app, visit_id)["planned_for"] == new_day
    for code in FEEDBACK:
        after = obligation(app, code, f"visit:{visit_id}")
        assert after["due_at"] == london_day_end(london_date(before) + timedelta(days=10))
        assert new_day.strftime("%b %Y") in after["title"]


def test_a_plan_in_the_past_is_refused(app, client, world, auth):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    response = auth.post(PLAN.format(world.home_a.id), {**date_fields("planned_for", today() - timedelta(days=1)),
                                                        "announced": "announced"})
    assert response.status_code == 200
    assert "#planned_for-day The date of the planned visit must be today or in the future" in error_summary(
        response.get_data(as_text=True))
    assert _only_visit(app) is None


def test_plan_form_errors(app, client, world, auth):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    page = auth.post(PLAN.format(world.home_a.id), {}).get_data(as_text=True)
    assert error_summary(page) == ["#planned_for-day Enter the date of the planned visit",
                                   "#announced Select whether the visit will be announced"]
    page = auth.post(PLAN.format(world.home_a.id), {"planned_for": ["31", "2", "2027"],
                                                    "announced": "announced"}).get_data(as_text=True)
    assert "The date of the visit must be a real date" in page


# ---------------------------------------------------------------- unannounced plans are secret from home staff

def test_unannounced_plans_are_invisible_to_home_staff(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    auth.sign_in(visitor)
    day = days_ahead(9)
    assert auth.post(PLAN.format(world.home_a.id), {**date_fields("planned_for", day),
                                                    "announced": "unannounced"}).status_code == 303
    visit_id = _only_visit(app)
    words = f"{day:%a} {day.day} {day:%b %Y}"
    # the visitor and the service manager see it
    assert words in client.get("/reg44/").get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert client.get(f"/reg44/visits/{visit_id}").status_code == 200
    assert words in client.get(f"/reg44/homes/{world.home_a.id}").get_data(as_text=True)

    # the registered manager: not in lists, not on the home page, 404 on its URLs
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    for url in ("/reg44/", f"/reg44/homes/{world.home_a.id}", f"/homes/{world.home_a.id}", "/"):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.get_data(as_text=True)
        assert words not in text and f"/reg44/visits/{visit_id}" not in text, url
    for url in (f"/reg44/visits/{visit_id}", f"/reg44/visits/{visit_id}/report"):
        assert client.get(url).status_code == 404, url

    # its feedback obligations are hidden from home staff, and the visibility clause drops them
    for code in FEEDBACK:
        assert obligation(app, code, f"visit:{visit_id}")["hidden"] is True
    with app.app_context():
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        seen = db.session.scalars(select(Obligation.rule_code).where(
            Obligation.home_id == world.home_a.id, obligation_visible_clause(manager))).all()
        assert not set(FEEDBACK) & set(seen)
        # an alert raised on a hidden obligation stays with the hidden obligation
        alerts.sweep(london_day_end(day) + timedelta(days=1))
        hidden_alerts = db.session.scalars(select(Alert).join(Obligation).where(
            Obligation.rule_code.in_(FEEDBACK), obligation_visible_clause(manager))).all()
        assert hidden_alerts == []

    # once recorded, the visit and its obligations are the home's to see
    record(app, visitor.id, today(), visit_id=visit_id, announced=False)
    for code in FEEDBACK:
        assert obligation(app, code, f"visit:{visit_id}")["hidden"] is False
    assert client.get(f"/reg44/visits/{visit_id}").status_code == 200
    register = client.get(f"/reg44/homes/{world.home_a.id}").get_data(as_text=True)
    assert f"/reg44/visits/{visit_id}" in register and "Unannounced" in register


def test_an_unannounced_plan_changed_to_announced_becomes_visible(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = plan(app, world.home_a.id, visitor.id, days_ahead(12), announced=False)
    auth.sign_in(visitor)
    assert auth.post(f"/reg44/visits/{visit_id}/plan", {**date_fields("planned_for", days_ahead(12)),
                                                         "announced": "announced"}).status_code == 303
    assert obligation(app, FEEDBACK[0], f"visit:{visit_id}")["hidden"] is False
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/reg44/visits/{visit_id}").status_code == 200


# ---------------------------------------------------------------- recording

def test_recording_discharges_the_month_and_starts_the_report_deadlines(app, world):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = plan(app, world.home_a.id, visitor.id, date(2026, 11, 2), now=NOW - timedelta(days=10))
    record(app, visitor.id, date(2026, 11, 2), visit_id=visit_id, now=NOW, arrived_at="09:30", left_at="12:00")

    month = obligation(app, "reg44_visit", "2026-11")
    assert month["status"] == "met" and month["discharged_by"] == ("Reg44Visit", visit_id)
    assert month["met_at"] == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # GMT in November
    key = f"visit:{visit_id}"
    assert obligation(app, "reg44_report_complete", key)["due_at"] == london_day_end(date(2026, 11, 16))
    assert obligation(app, "reg44_report_sent", key)["due_at"] == london_day_end(working_days_after(date(2026, 11, 2), 22))
    # no statutory deadline in reg 44: the copies are due with the check-and-send ([verify] default)
    assert obligation(app, "reg44_report_statutory", key)["due_at"] == london_day_end(working_days_after(date(2026, 11, 2), 22))
    for code in ("reg44_report_complete", "reg44_report_sent", "reg44_report_statutory"):
        assert obligation(app, code, key)["status"] == "open"


def test_a_visit_late_in_the_month_has_its_deadlines_in_order(app, world):
    # Issue 12: a visit on 21 Nov had Ofsted due 30 Nov, before the report (5 Dec) and check (22 Dec).
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, date(2026, 11, 21), home_id=world.home_a.id,
                      now=datetime(2026, 11, 21, 15, 0, tzinfo=UTC), arrived_at="10:00", left_at="12:00")
    key = f"visit:{visit_id}"
    due = {code: obligation(app, code, key)["due_at"]
           for code in ("reg44_report_complete", "reg44_report_sent", "reg44_report_statutory")}
    assert due == {"reg44_report_complete": london_day_end(date(2026, 12, 5)),
                   "reg44_report_sent": london_day_end(date(2026, 12, 22)),
                   "reg44_report_statutory": london_day_end(date(2026, 12, 22))}


def test_the_statutory_copies_are_never_due_before_the_local_deadlines(app, world):
    # An administrator may set the statutory rule shorter (it is [verify]); it still cannot fall
    # before the 2-week report or the 22-working-day check.
    with app.app_context():
        rule = rule_by_code("reg44_report_statutory")
        rule.timing = {"kind": "end_of_month"}
        db.session.commit()
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, date(2026, 11, 21), home_id=world.home_a.id,
                      now=datetime(2026, 11, 21, 15, 0, tzinfo=UTC), arrived_at="10:00", left_at="12:00")
    statutory = obligation(app, "reg44_report_statutory", f"visit:{visit_id}")
    assert statutory["due_at"] == london_day_end(date(2026, 12, 22))
    with app.app_context():
        rule = rule_by_code("reg44_report_statutory")
        rule.timing = {"kind": "working_days", "amount": 40}  # longer than the local ones: kept as set
        db.session.commit()
    later = record(app, visitor.id, date(2026, 11, 23), home_id=world.home_a.id,
                   now=datetime(2026, 11, 23, 15, 0, tzinfo=UTC), arrived_at="10:00", left_at="12:00")
    assert obligation(app, "reg44_report_statutory", f"visit:{later}")["due_at"] == london_day_end(
        working_days_after(date(2026, 11, 23), 40))


def test_recording_uses_the_scheduler_made_obligation_for_the_month(app, world):
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context():
        obligations.ensure_recurring(NOW - timedelta(days=1))
        db.session.commit()
    made = obligation(app, "reg44_visit", "2026-11")
    assert made is not None and made["status"] == "open"
    record(app, visitor.id, date(2026, 11, 2), home_id=world.home_a.id, now=NOW)
    after = obligation(app, "reg44_visit", "2026-11")
    assert after["id"] == made["id"] and after["status"] == "met"
    with app.app_context():
        count = db.session.scalars(select(Obligation).where(Obligation.rule_code == "reg44_visit",
                                                            Obligation.period_key == "2026-11",
                                                            Obligation.home_id == world.home_a.id)).all()
        assert len(count) == 1


def test_a_visit_in_the_future_cannot_be_recorded_as_done(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = plan(app, world.home_a.id, visitor.id, days_ahead(3))
    auth.sign_in(visitor)
    form = {**date_fields("visited_on", days_ahead(3)), "arrived_at": "09:00", "left_at": "11:00",
            "announced": "announced"}
    response = auth.post(f"/reg44/visits/{visit_id}/record", form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error_summary(page) == ["#visited_on-day The date of the visit must be today or in the past"]
    assert 'id="visited_on-error"' in page  # the message sits by the date field
    assert _visit(app, visit_id)["status"] == "planned"
    assert obligation(app, "reg44_report_complete", f"visit:{visit_id}") is None


def test_recording_through_the_form(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = plan(app, world.home_a.id, visitor.id, today())
    auth.sign_in(visitor)
    form = {**date_fields("visited_on", today()), "arrived_at": "0.00", "left_at": "00:05",
            "announced": "announced", "spoke_children": "3", "spoke_parents": "", "spoke_staff": "2",
            "spoke_professionals": "1", "spoke_roles": "deputy manager, social worker",
            "records_inspected": "Complaints log", "notes": "Calm evening"}
    response = auth.post(f"/reg44/visits/{visit_id}/record", form)
    assert response.status_code == 303, error_summary(response.get_data(as_text=True))
    with app.app_context():
        v = db.session.get(Reg44Visit, visit_id)
        assert (v.status, v.arrived_at, v.spoke_children, v.spoke_parents, v.spoke_professionals) == (
            "recorded", "00:00", 3, 0, 1)
    assert obligation(app, "reg44_visit", today().strftime("%Y-%m"))["status"] in ("met", "met_late")
    # recorded twice? refused politely
    again = auth.post(f"/reg44/visits/{visit_id}/record", form)
    assert again.status_code == 303


def test_record_form_errors(app, client, world, auth):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    url = f"/reg44/homes/{world.home_a.id}/record"
    page = auth.post(url, {"spoke_children": "two"}).get_data(as_text=True)
    assert error_summary(page) == [
        "#visited_on-day Enter the date of the visit", "#arrived_at Enter the time you arrived",
        "#left_at Enter the time you left", "#announced Select whether the visit was announced",
        "#spoke_children Children must be a whole number, like 2"]
    page = auth.post(url, {**date_fields("visited_on", today()), "arrived_at": "25:00", "left_at": "10:00",
                           "announced": "announced"}).get_data(as_text=True)
    assert "Time you arrived must be a 24-hour time" in page
    page = auth.post(url, {**date_fields("visited_on", today() - timedelta(days=1)), "arrived_at": "11:00",
                           "left_at": "10:00", "announced": "announced"}).get_data(as_text=True)
    assert error_summary(page) == ["#left_at The time you left must be after the time you arrived"]
    assert _only_visit(app) is None


def test_an_unplanned_visit_can_be_recorded(app, client, world, auth):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    response = auth.post(f"/reg44/homes/{world.home_a.id}/record", {
        **date_fields("visited_on", today()), "arrived_at": "00:00", "left_at": "00:30", "announced": "unannounced"})
    assert response.status_code == 303
    visit = _visit(app, _only_visit(app))
    assert visit["status"] == "recorded" and visit["announced"] is False and visit["planned_for"] is None


# ---------------------------------------------------------------- scoping

def test_a_visitor_sees_only_their_assigned_homes(app, client, world, auth):
    b_visit = record(app, world.visitor_b.id, today(), home_id=world.home_b.id)
    auth.sign_in(world.users[Role.REG44_VISITOR])
    index = client.get("/reg44/").get_data(as_text=True)
    assert "Alder House" in index and "Birch House" not in index
    for url in (f"/reg44/homes/{world.home_b.id}", f"/reg44/homes/{world.home_b.id}/plan",
                f"/reg44/homes/{world.home_b.id}/record", f"/reg44/visits/{b_visit}",
                f"/reg44/visits/{b_visit}/report", f"/reg44/visits/{b_visit}/record"):
        assert client.get(url).status_code == 404, url
    assert auth.post(f"/reg44/visits/{b_visit}/report/autosave", {"findings": "x"}).status_code == 404


def test_only_the_visits_own_visitor_may_change_it(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test"):
        second = people.create_user(name="Second Visitor", email="second@a.example.org", role=Role.REG44_VISITOR,
                                    password="correct-horse-battery")
        people.assign(db.session.get(people.Home, world.home_a.id), second)
        second_email = second.email
    # Planned for next month: recording this month's visit does not ask about it (tests/reg44/test_other_plan.py).
    planned = plan(app, world.home_a.id, visitor.id, (today().replace(day=1) + timedelta(days=32)).replace(day=5))
    done = record(app, visitor.id, today(), home_id=world.home_a.id)
    auth.sign_in(second_email)
    assert client.get(f"/reg44/visits/{planned}").status_code == 200  # may read
    for url in (f"/reg44/visits/{planned}/plan", f"/reg44/visits/{planned}/record"):
        assert client.get(url).status_code == 403, url
    assert auth.post(f"/reg44/visits/{done}/report", {"findings": "mine now"}).status_code == 403
    assert auth.post(f"/reg44/visits/{done}/report/autosave", {"findings": "mine now"}).status_code == 403


def test_other_roles_cannot_plan_or_record(app, client, world, auth):
    for role in (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        auth.sign_in(world.users[role])
        assert client.get(PLAN.format(world.home_a.id)).status_code == 403
        assert auth.post(f"/reg44/homes/{world.home_a.id}/record", {}).status_code == 403
        auth.sign_out()


# ---------------------------------------------------------------- registers and workload

def test_the_register_shows_twelve_months_with_opinions_and_open_recommendations(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, today(), home_id=world.home_a.id, announced=False)
    submit(app, visit_id, visitor.id, safeguarded="with_concerns",
           recommendations=(("Update the missing-from-care plan", 14), ("Repair the garden fence", 60)))
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(f"/reg44/homes/{world.home_a.id}").get_data(as_text=True)
    assert page.count('<th scope="row"') == 12
    row = page.split(f'id="month-{today():%Y-%m}"')[1].split("</tr>")[0]
    assert "Unannounced" in row and "Submitted" in row and "Yes, with concerns" in row
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in row
    index = client.get("/reg44/").get_data(as_text=True)
    assert "Open recommendations" in index


def test_workload_per_visitor(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    record(app, visitor.id, today(), home_id=world.home_a.id)
    record(app, world.visitor_b.id, today(), home_id=world.home_b.id)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get("/reg44/workload").get_data(as_text=True)
    assert visitor.name in page and "Visitor B" in page
    card = page.split(f'id="visitor-{visitor.id}"')[1].split("govuk-summary-card\"")[0]
    assert "1 (1 of 1 homes visited)" in card
    assert "Reports outstanding</dt>" in card and '<dd class="govuk-summary-list__value">1' in card
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])  # home A only: visitor B is not theirs
    page = client.get("/reg44/workload").get_data(as_text=True)
    assert visitor.name in page and "Visitor B" not in page
    auth.sign_out()
    auth.sign_in(visitor)
    page = client.get("/reg44/workload").get_data(as_text=True)
    assert "Your workload" in page and "Visitor B" not in page
    assert client.get("/reg44/").get_data(as_text=True).count("1 report to write") == 1


def test_the_home_page_has_a_regulation_44_section(app, client, world, auth):
    visit_id = record(app, world.users[Role.REG44_VISITOR].id, today(), home_id=world.home_a.id)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert 'id="regulation-44"' in page and f"/reg44/homes/{world.home_a.id}" in page
    assert f"/reg44/visits/{visit_id}" in page  # last visit


# ---------------------------------------------------------------- drift through the scheduler

def test_a_month_without_a_visit_raises_an_alert_through_the_scheduler(app, world):
    with app.app_context():
        alerts.sweep(datetime(2026, 11, 5, 10, 0, tzinfo=UTC))  # the scheduler ran in November
        result = alerts.sweep(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
        raised = [(r.rule, r.home_id, r.level) for r in result.raised]
        assert ("reg44_visit", world.home_a.id, 1) in raised
        assert ("reg44_visit", world.home_b.id, 1) in raised
        november = db.session.scalar(select(Obligation).where(
            Obligation.rule_code == "reg44_visit", Obligation.period_key == "2026-11",
            Obligation.home_id == world.home_a.id))
        assert {a.level for a in november.alerts} >= {1}


def test_a_visited_month_raises_no_alert(app, world):
    with app.app_context():
        alerts.sweep(datetime(2026, 11, 1, 10, 0, tzinfo=UTC))
    record(app, world.users[Role.REG44_VISITOR].id, date(2026, 11, 2), home_id=world.home_a.id, now=NOW)
    with app.app_context():
        result = alerts.sweep(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
        raised = {(r.rule, r.home_id) for r in result.raised}
        assert ("reg44_visit", world.home_a.id) not in raised
        assert ("reg44_visit", world.home_b.id) in raised


def test_a_late_report_raises_an_overdue_alert_through_the_scheduler(app, world):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, date(2026, 11, 2), home_id=world.home_a.id, now=NOW)
    with app.app_context():
        before = alerts.sweep(datetime(2026, 11, 16, 10, 0, tzinfo=UTC))  # due end of 16 Nov
        assert not [r for r in before.raised if r.rule == "reg44_report_complete" and r.level >= 1]
        result = alerts.sweep(datetime(2026, 11, 17, 10, 0, tzinfo=UTC))
        overdue = [r for r in result.raised if r.rule == "reg44_report_complete"]
        assert [(r.home_id, r.level) for r in overdue] == [(world.home_a.id, 1)]
        ob = db.session.scalar(select(Obligation).where(Obligation.rule_code == "reg44_report_complete",
                                                        Obligation.period_key == f"visit:{visit_id}"))
        assert ob.status == "open"
    # submitting late meets it late
    submit(app, visit_id, visitor.id, now=datetime(2026, 11, 18, 9, 0, tzinfo=UTC))
    assert obligation(app, "reg44_report_complete", f"visit:{visit_id}")["status"] == "met_late"
