"""The Schedule 4 fire log: weekly alarm tests, drills and monthly emergency lighting checks,
each with deficiencies and remedy; an entry discharges the period it falls in (never the
next); a missed week raises an alert; logging is two clicks from the home page."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from homes_qa.checks.models import FireLogEntry
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.timestamps import utcnow
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def dmy(day: date) -> dict:
    return {"done_on": [str(day.day), str(day.month), str(day.year)]}


ALARM = {"call_point": "CP3 kitchen", "result": "satisfactory"}
DRILL = {"conditions": "night", "evacuation_seconds": "95", "participants": "Two staff, three young people",
         "result": "satisfactory"}


def weekly(app, home_id):
    with app.app_context():
        return {o.period_key: o.status for o in db.session.scalars(select(Obligation).where(
            Obligation.rule_code == "fire_alarm_test_weekly", Obligation.home_id == home_id))}


def test_the_home_page_links_straight_to_the_weekly_test_form(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    match = re.search(r'href="([^"]+)"[^>]*>\s*Log a weekly fire alarm test', html)
    assert match, "no link on the home page"
    assert match.group(1) == f"/homes/{world.home_a.id}/fire-log/alarm-test/new"
    form = client.get(match.group(1)).get_data(as_text=True)
    assert "Call point tested" in form


def test_a_weekly_test_is_logged_audited_and_discharges_this_week(app, client, world, auth):
    with app.app_context(), acting_as("scheduler"):
        obligations.ensure_recurring(utcnow())  # this week and next
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = auth.post(f"/homes/{world.home_a.id}/fire-log/alarm-test/new", {**dmy(TODAY), **ALARM})
    assert response.status_code == 303
    this_week, next_week = (TODAY.isocalendar(), (TODAY + timedelta(days=7)).isocalendar())
    statuses = weekly(app, world.home_a.id)
    assert statuses[f"{this_week[0]}-W{this_week[1]:02d}"] == ObligationStatus.MET
    assert statuses[f"{next_week[0]}-W{next_week[1]:02d}"] == ObligationStatus.OPEN
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.record_type == "FireLogEntry")) == 1
    html = client.get(f"/homes/{world.home_a.id}/fire-log").get_data(as_text=True)
    assert "CP3 kitchen" in html and "Satisfactory" in html


def test_a_test_on_1_december_discharges_30_november_to_6_december(app, world, auth, clock):
    clock.move_to(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert auth.post(f"/homes/{world.home_a.id}/fire-log/alarm-test/new",
                     {**dmy(date(2026, 12, 1)), **ALARM}).status_code == 303
    with app.app_context(), acting_as("scheduler"):
        obligations.ensure_recurring(utcnow())
    statuses = weekly(app, world.home_a.id)
    assert statuses["2026-W49"] == ObligationStatus.MET  # Monday 30 November to Sunday 6 December
    assert statuses["2026-W50"] == ObligationStatus.OPEN  # 7 to 13 December: still to do


def test_a_backdated_test_discharges_its_own_week_met_on_time(app, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    last_week = TODAY - timedelta(days=7)
    auth.post(f"/homes/{world.home_a.id}/fire-log/alarm-test/new", {**dmy(last_week), **ALARM})
    year, week, _ = last_week.isocalendar()
    assert weekly(app, world.home_a.id) == {f"{year}-W{week:02d}": ObligationStatus.MET}


def test_a_missed_week_raises_an_overdue_alert(app, world):
    with app.app_context(), acting_as("scheduler"):
        obligations.ensure_recurring(utcnow() - timedelta(days=7))
        alerts.sweep(utcnow())
        levels = set(db.session.scalars(select(Alert.level).join(Obligation).where(
            Obligation.rule_code == "fire_alarm_test_weekly", Obligation.home_id == world.home_a.id)))
    assert 1 in levels


def test_a_drill_with_faults_records_deficiencies_and_remedy(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = auth.post(f"/homes/{world.home_a.id}/fire-log/drill/new", {
        **dmy(TODAY), **DRILL, "result": "faults", "deficiencies": "Bedroom 2 door did not close",
        "remedy": "Door closer replaced the next day"})
    assert response.status_code == 303
    with app.app_context():
        entry = db.session.scalar(select(FireLogEntry))
        assert (entry.kind, entry.conditions, entry.evacuation_seconds, entry.result) == (
            "drill", "night", 95, "faults")
        drill = db.session.scalar(select(Obligation).where(Obligation.rule_code == "fire_drill_quarterly"))
        assert drill.status == ObligationStatus.MET
    html = client.get(f"/homes/{world.home_a.id}/fire-log").get_data(as_text=True)
    assert "Door closer replaced" in html and "Night-time conditions" in html


def test_an_emergency_lighting_check_discharges_the_month(app, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert auth.post(f"/homes/{world.home_a.id}/fire-log/emergency-lighting/new",
                     {**dmy(TODAY), "result": "satisfactory"}).status_code == 303
    with app.app_context():
        lighting = db.session.scalar(select(Obligation).where(Obligation.rule_code == "emergency_lighting_monthly"))
        assert (lighting.period_key, lighting.status) == (f"{TODAY:%Y-%m}", ObligationStatus.MET)


@pytest.mark.parametrize("kind, data, message", [
    ("alarm-test", {**dmy(TODAY + timedelta(days=1)), **ALARM}, "The date of the test must be today or in the past"),
    ("alarm-test", {**dmy(TODAY), "result": "satisfactory"}, "Enter which call point was tested"),
    ("alarm-test", {**dmy(TODAY), "call_point": "CP1"}, "Select the result"),
    ("alarm-test", {**dmy(TODAY), **ALARM, "result": "faults"}, "Describe the faults or problems found"),
    ("alarm-test", {**dmy(TODAY), **ALARM, "result": "faults", "deficiencies": "Sounder weak"},
     "Enter the steps taken to remedy them"),
    ("drill", {**dmy(TODAY), **DRILL, "evacuation_seconds": "0"}, "from 1 to 3600"),
    ("drill", {**dmy(TODAY), **DRILL, "evacuation_seconds": "99999"}, "from 1 to 3600"),
    ("drill", {**dmy(TODAY), **DRILL, "evacuation_seconds": "fast"}, "from 1 to 3600"),
    ("drill", {**dmy(TODAY), **DRILL, "participants": ""}, "Enter who took part in the drill"),
    ("drill", {**dmy(TODAY), **DRILL, "conditions": "dusk"}, "Not a valid choice"),
])
def test_bad_fire_log_input_is_refused_and_nothing_saved(app, client, world, auth, kind, data, message):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = auth.post(f"/homes/{world.home_a.id}/fire-log/{kind}/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    with app.app_context():
        assert db.session.scalar(select(func.count(FireLogEntry.id))) == 0


def test_an_unknown_kind_is_404(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/homes/{world.home_a.id}/fire-log/bonfire/new").status_code == 404


def test_another_homes_fire_log_is_404(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/homes/{world.home_b.id}/fire-log").status_code == 404
    assert auth.post(f"/homes/{world.home_b.id}/fire-log/alarm-test/new",
                     {**dmy(TODAY), **ALARM}).status_code == 404


def test_the_visitor_reads_the_fire_log_but_does_not_log(client, world, auth):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    assert client.get(f"/homes/{world.home_a.id}/fire-log").status_code == 200
    assert auth.post(f"/homes/{world.home_a.id}/fire-log/alarm-test/new",
                     {**dmy(TODAY), **ALARM}).status_code == 403


def test_the_fire_log_prints_as_the_schedule_4_record(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    auth.post(f"/homes/{world.home_a.id}/fire-log/drill/new", {
        **dmy(TODAY), **DRILL, "result": "faults", "deficiencies": "Alarm not heard in bedroom 4",
        "remedy": "Extra sounder fitted"})
    page = client.get(f"/homes/{world.home_a.id}/fire-log/print").get_data(as_text=True)
    assert "Record of fire drills and fire alarm tests" in page
    assert "Schedule 4, item 6" in page
    assert "Alarm not heard in bedroom 4" in page and "Extra sounder fitted" in page
    assert "Log a fire drill" not in page
    assert client.get(f"/homes/{world.home_b.id}/fire-log/print").status_code == 404
