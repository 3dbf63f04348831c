"""Obligations on the home page: "What is due", recording a check as done, waiving, the
floating checks of a home, and whole-service work. Every route is home-scoped."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from homes_qa.core.calendar import london_date
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligation_service
from homes_qa.spine.obligations.models import Completion, Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import sync_catalogue, update_rule
from homes_qa.spine.timestamps import utcnow

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")

# ---------------------------------------------------------------- setup through the services

def quiet_calendar(app) -> None:
    """Switch the calendar rules off, so the only obligations are the ones a test makes."""
    with app.app_context(), acting_as("test setup"):
        sync_catalogue()
        for rule in db.session.scalars(select(Rule).where(Rule.trigger == "calendar")).all():
            update_rule(rule, timing=rule.timing, ladder=rule.ladder, due_soon_days=rule.due_soon_days, active=False)


def floating_check(app, world, rule_code: str, due_in_days: int, *, home=None, months: int = 12) -> int:
    """Record a floating check as done long enough ago that its next one is due in `due_in_days`."""
    home = home or world.home_a
    due_day = london_date(utcnow()) + timedelta(days=due_in_days)
    with app.app_context(), acting_as("test setup"):
        obligation_service.record_completion(
            rule_code=rule_code, home=db.session.get(Home, home.id), done_on=due_day - relativedelta(months=months),
            note="", by=db.session.get(User, world.users[Role.ADMIN].id))
        return db.session.scalar(select(Obligation.id).where(
            Obligation.rule_code == rule_code, Obligation.home_id == home.id,
            Obligation.status == ObligationStatus.OPEN))


def _obligation(app, obligation_id: int) -> Obligation:
    with app.app_context():
        obligation = db.session.get(Obligation, obligation_id)
        db.session.expunge(obligation)
        return obligation


def _completions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Completion))


def _today_fields(day: date | None = None) -> dict:
    day = day or london_date(utcnow())
    return {"done_on": [str(day.day), str(day.month), str(day.year)]}


def _section(html: str) -> str:
    start = html.index('id="what-is-due"')
    return html[start:html.index("</section>", start)]


# ---------------------------------------------------------------- the home page

def test_what_is_due_lists_overdue_first_then_due_soon_then_upcoming(app, client, world, auth):
    quiet_calendar(app)
    upcoming = floating_check(app, world, "pat_testing", 30)
    overdue = floating_check(app, world, "gas_safety_check", -1)
    due_soon = floating_check(app, world, "eicr", 3, months=60)
    far = floating_check(app, world, "legionella_risk_assessment", 100, months=24)
    floating_check(app, world, "fire_alarm_service", -3, home=world.home_b, months=6)  # another home
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = _section(client.get(f"/homes/{world.home_a.id}").get_data(as_text=True))
    rows = re.findall(r'id="obligation-(\d+)"', html)
    assert rows == [str(overdue), str(due_soon), str(upcoming)]  # not the one due in 100 days
    assert str(far) not in rows
    assert "Fire alarm service" not in html
    assert re.search(r'govuk-tag--red">Overdue<', html)
    assert re.search(r'govuk-tag--yellow">Due soon<', html)
    assert re.search(r'<strong class="govuk-tag">Upcoming<', html)  # the default (blue) tag
    # The registered manager may record checks but not waive them.
    assert f"/obligations/{overdue}/complete" in html and f"/obligations/{overdue}/waive" not in html


def test_service_manager_sees_waive_and_visitor_sees_no_actions(app, client, world, auth):
    quiet_calendar(app)
    overdue = floating_check(app, world, "gas_safety_check", -1)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    html = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert f"/obligations/{overdue}/complete" in html and f"/obligations/{overdue}/waive" in html
    auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])
    html = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert f'id="obligation-{overdue}"' in html
    assert "/complete" not in html and "/waive" not in html


def test_escalated_status_shows_its_level(app, client, world, auth):
    quiet_calendar(app)
    floating_check(app, world, "gas_safety_check", -30)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert re.search(r'govuk-tag--pink">Escalated \(level 3\)<', html)


# ---------------------------------------------------------------- record that it was done

def test_record_completion_meets_the_obligation_late_and_starts_the_next(app, client, world, auth):
    quiet_calendar(app)
    overdue = floating_check(app, world, "gas_safety_check", -1)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(f"/obligations/{overdue}/complete")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Record that it was done" in html and 'id="done_on-day"' in html and "Overdue" in html
    response = auth.post(f"/obligations/{overdue}/complete", {**_today_fields(), "note": "Certificate GS-123"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/homes/{world.home_a.id}#what-is-due")
    obligation = _obligation(app, overdue)
    assert obligation.status == ObligationStatus.MET_LATE
    with app.app_context():
        completion = db.session.scalar(select(Completion).where(Completion.obligation_id == overdue))
        assert completion.note == "Certificate GS-123" and completion.recorded_by_id == world.users[Role.REGISTERED_MANAGER].id
        nxt = db.session.scalar(select(Obligation).where(Obligation.rule_code == "gas_safety_check",
                                                         Obligation.status == ObligationStatus.OPEN))
        assert london_date(nxt.due_at) == london_date(utcnow()) + relativedelta(months=12)
    html = _section(client.get(f"/homes/{world.home_a.id}").get_data(as_text=True))
    met = html[html.index("Met in the last 30 days"):]
    assert f'id="obligation-{overdue}"' in met and re.search(r'govuk-tag--orange">Met late<', met)


def test_recording_on_time_reads_met(app, client, world, auth):
    quiet_calendar(app)
    due_soon = floating_check(app, world, "gas_safety_check", 5)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.post(f"/obligations/{due_soon}/complete", _today_fields()).status_code == 303
    assert _obligation(app, due_soon).status == ObligationStatus.MET
    html = _section(client.get(f"/homes/{world.home_a.id}").get_data(as_text=True))
    assert re.search(r'govuk-tag--green">Met<', html)


def test_bad_dates_are_refused_with_an_error_summary_and_nothing_saved(app, client, world, auth):
    quiet_calendar(app)
    overdue = floating_check(app, world, "gas_safety_check", -1)
    before = _completions(app)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    tomorrow = london_date(utcnow()) + timedelta(days=1)
    cases = [
        (_today_fields(tomorrow), "The date it was done must be today or in the past"),
        ({"done_on": ["31", "2", "2026"]}, "The date it was done must be a real date"),
        ({"done_on": ["", "", ""]}, "Enter the date it was done"),
        ({}, "Enter the date it was done"),
        ({"done_on": ["3", "", "2026"]}, "Date it was done must include a month"),
        ({**_today_fields(), "note": "x" * 2001}, "The note must be 2000 characters or fewer"),
    ]
    for data, message in cases:
        response = auth.post(f"/obligations/{overdue}/complete", data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, message
        assert "govuk-error-summary" in html and message in html, message
        assert "<title>Error: " in html
    assert 'href="#done_on-day"' in auth.post(f"/obligations/{overdue}/complete", _today_fields(tomorrow)).get_data(as_text=True)
    assert _completions(app) == before
    assert _obligation(app, overdue).status == ObligationStatus.OPEN


def test_completion_is_home_scoped_and_role_checked(app, client, world, auth):
    quiet_calendar(app)
    in_a = floating_check(app, world, "gas_safety_check", -1)
    auth.sign_in(world.manager_b)
    assert client.get(f"/obligations/{in_a}/complete").status_code == 404
    assert auth.post(f"/obligations/{in_a}/complete", _today_fields()).status_code == 404
    assert client.get("/obligations/999999/complete").status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])
    assert client.get(f"/obligations/{in_a}/complete").status_code == 403
    assert auth.post(f"/obligations/{in_a}/complete", _today_fields()).status_code == 403
    assert _obligation(app, in_a).status == ObligationStatus.OPEN
    auth.sign_out()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])  # sees every home
    assert client.get(f"/obligations/{in_a}/complete").status_code == 200


def test_event_deadlines_are_not_met_by_a_bare_completion(app, client, world, auth):
    quiet_calendar(app)
    with app.app_context(), acting_as("test setup"):
        notification = obligation_service.obligation_for_event(
            "incident_ntk_service_manager", db.session.get(Home, world.home_a.id), utcnow() - timedelta(hours=30),
            key="incident:1", label="incident 1")
        notification_id = notification.id
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert f'id="obligation-{notification_id}"' in html  # listed, overdue
    assert f"/obligations/{notification_id}/complete" not in html
    assert client.get(f"/obligations/{notification_id}/complete").status_code == 404


def test_hidden_obligations_are_not_shown_to_home_staff(app, client, world, auth):
    quiet_calendar(app)
    hidden = floating_check(app, world, "gas_safety_check", -1)
    with app.app_context():  # as the visits feature does while an unannounced visit is planned
        db.session.get(Obligation, hidden).hidden_from_home_staff = True
        db.session.commit()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert f'id="obligation-{hidden}"' not in client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert client.get(f"/obligations/{hidden}/complete").status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert f'id="obligation-{hidden}"' in client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)


# ---------------------------------------------------------------- waive

def test_waive_needs_a_reason_and_a_service_manager(app, client, world, auth):
    quiet_calendar(app)
    overdue = floating_check(app, world, "gas_safety_check", -1)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/obligations/{overdue}/waive").status_code == 403
    assert auth.post(f"/obligations/{overdue}/waive", {"reason": "Home closed all month"}).status_code == 403
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert client.get(f"/obligations/{overdue}/waive").status_code == 200
    for reason, message in [("", "Enter the reason for waiving"), ("too short", "at least 10 characters")]:
        html = auth.post(f"/obligations/{overdue}/waive", {"reason": reason}).get_data(as_text=True)
        assert "govuk-error-summary" in html and message in html and 'href="#reason"' in html
    assert _obligation(app, overdue).status == ObligationStatus.OPEN
    response = auth.post(f"/obligations/{overdue}/waive", {"reason": "The boiler was removed in October"})
    assert response.status_code == 303
    obligation = _obligation(app, overdue)
    assert obligation.status == ObligationStatus.WAIVED and obligation.waived_reason == "The boiler was removed in October"
    assert obligation.waived_by_id == world.users[Role.SERVICE_MANAGER].id
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "Obligation",
                                                           AuditEvent.record_id == overdue,
                                                           AuditEvent.action == "update"))
        assert event.actor_id == world.users[Role.SERVICE_MANAGER].id and event.changes["status"] == ["open", "waived"]
    html = _section(client.get(f"/homes/{world.home_a.id}").get_data(as_text=True))
    assert f'id="obligation-{overdue}"' not in html  # closed: no longer due
    assert client.get(f"/obligations/{overdue}/waive").status_code == 303  # already closed


def test_waive_is_home_scoped(app, client, world, auth):
    quiet_calendar(app)
    in_b = floating_check(app, world, "gas_safety_check", -1, home=world.home_b)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])  # assigned to home A only
    assert client.get(f"/obligations/{in_b}/waive").status_code == 404
    assert auth.post(f"/obligations/{in_b}/waive", {"reason": "Not our home at all"}).status_code == 404
    assert _obligation(app, in_b).status == ObligationStatus.OPEN


# ---------------------------------------------------------------- floating checks of a home

def test_checks_page_and_recording_the_last_time_a_check_was_done(app, client, world, auth):
    quiet_calendar(app)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = client.get(f"/homes/{world.home_a.id}/checks").get_data(as_text=True)
    assert "Gas safety check" in html and "Electrical installation condition report" in html
    assert "Monthly health and safety audit" not in html  # calendar audits are not floating
    row = html[html.index('id="check-eicr"'):]
    row = row[:row.index("</tr>")]
    assert "Not recorded" in row and "Not known" in row
    url = f"/homes/{world.home_a.id}/checks/eicr/complete"
    assert url in row
    assert client.get(url).status_code == 200
    last = london_date(utcnow()) - timedelta(days=10)
    bad = auth.post(url, {"done_on": ["40", "1", "2026"]})
    assert bad.status_code == 200 and "must be a real date" in bad.get_data(as_text=True)
    response = auth.post(url, _today_fields(last))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/homes/{world.home_a.id}/checks")
    with app.app_context():
        nxt = db.session.scalar(select(Obligation).where(Obligation.rule_code == "eicr", Obligation.home_id == world.home_a.id))
        assert nxt.status == ObligationStatus.OPEN and london_date(nxt.due_at) == last + relativedelta(months=60)
    html = client.get(f"/homes/{world.home_a.id}/checks").get_data(as_text=True)
    row = html[html.index('id="check-eicr"'):]
    row = row[:row.index("</tr>")]
    assert f"{last.day} {last:%b %Y}" in row and "Upcoming" in row


def test_checks_are_home_scoped_and_only_for_floating_rules(app, client, world, auth):
    quiet_calendar(app)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/homes/{world.home_b.id}/checks").status_code == 404
    assert client.get(f"/homes/{world.home_b.id}/checks/eicr/complete").status_code == 404
    assert auth.post(f"/homes/{world.home_b.id}/checks/eicr/complete", _today_fields()).status_code == 404
    assert client.get(f"/homes/{world.home_a.id}/checks/hs_audit_monthly/complete").status_code == 404
    assert client.get(f"/homes/{world.home_a.id}/checks/no_such_rule/complete").status_code == 404
    assert _completions(app) == 0
    auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])
    html = client.get(f"/homes/{world.home_a.id}/checks").get_data(as_text=True)
    assert "Gas safety check" in html and "/checks/eicr/complete" not in html  # may look, not record
    assert client.get(f"/homes/{world.home_a.id}/checks/eicr/complete").status_code == 403


# ---------------------------------------------------------------- whole-service work

def test_whole_service_obligations_for_service_managers_only(app, client, world, auth):
    with app.app_context(), acting_as("test setup"):
        obligation_service.ensure_recurring(utcnow())
        db.session.commit()
        qpag = db.session.scalar(select(Obligation.id).where(Obligation.rule_code == "qpag_report_monthly")
                                 .order_by(Obligation.due_at))
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    html = client.get("/organisation/").get_data(as_text=True)
    assert "Whole-service work" in html and f'id="obligation-{qpag}"' in html
    assert "Monthly joint report to QPAG" in html
    assert client.get(f"/obligations/{qpag}/complete").status_code == 200
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get("/organisation/").status_code == 403
    assert client.get(f"/obligations/{qpag}/complete").status_code == 404  # not theirs to see
    assert "Whole service" not in client.get("/").get_data(as_text=True)  # no navigation entry


def test_the_reg45_review_is_not_among_certificates_and_checks(app, client, world, auth):
    """Issue 12: the Regulation 45 review is completed on its own pages, never as a bare check."""
    quiet_calendar(app)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = client.get(f"/homes/{world.home_a.id}/checks").get_data(as_text=True)
    assert "Gas safety check" in html and "Regulation 45 review" not in html
    assert client.get(f"/homes/{world.home_a.id}/checks/reg45_review/complete").status_code == 404
    assert _completions(app) == 0


def test_whole_service_work_is_paged_worst_first(app, client, world, auth):
    """Issue 13: each service manager's weekly update is a whole-service row (170 in a county of
    1,000 homes): the open work is 25 a page, overdue first, with every row on exactly one page."""
    quiet_calendar(app)
    now = utcnow()
    with app.app_context(), acting_as("test setup"):
        rule = db.session.scalars(select(Rule).where(Rule.code == "safeguarding_monitoring_weekly")).one()
        made = []
        for n in range(30):  # n days overdue … 29 - n days ahead; the first 10 overdue
            obligation = Obligation(
                rule_id=rule.id, rule_code=rule.code, home_id=None, scope_key=f"manager:{n}", period_key="p",
                title=f"Weekly update {n:02d}", due_at=now + timedelta(days=n - 10, hours=1),
                responsible_role=rule.responsible_role, ladder=list(rule.ladder), due_soon_days=0,
                status=ObligationStatus.OPEN)
            db.session.add(obligation)
            made.append(obligation)
        db.session.commit()
        ids = [o.id for o in made]
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    first = client.get("/organisation/").get_data(as_text=True)
    second = client.get("/organisation/?page=2").get_data(as_text=True)
    on_first = [i for i in ids if f'id="obligation-{i}"' in first]
    on_second = [i for i in ids if f'id="obligation-{i}"' in second]
    assert len(on_first) == 25 and len(on_second) == 5 and not set(on_first) & set(on_second)
    assert "Showing 1 to 25 of 30 open obligations" in first and 'href="/organisation/?page=2"' in first
    assert "Showing 26 to 30 of 30 open obligations" in second
    # Overdue first: the ten overdue on page one, the furthest ahead on page two.
    assert set(ids[:10]) <= set(on_first) and set(on_second) == set(ids[25:])
    assert first.index(f'id="obligation-{ids[0]}"') < first.index(f'id="obligation-{ids[9]}"')
    # Anything not a page number is the first; past the end, the last.
    assert [i for i in ids if f'id="obligation-{i}"' in client.get("/organisation/?page=%C2%B2").get_data(
        as_text=True)] == on_first
    assert [i for i in ids if f'id="obligation-{i}"' in client.get("/organisation/?page=999999999999").get_data(
        as_text=True)] == on_second


def test_whole_service_pages_hold_what_is_due_in_its_order_and_load_only_their_rows(app, world):
    """Issue 13: the whole service's open work is classified from its columns and only the page's
    obligations are loaded. Page by page it is `what_is_due`'s list: the same rows, states and
    order (escalated and overdue, due soon, upcoming within 45 days; ties by deadline, then id)."""
    from homes_qa.spine.obligations.queries import what_is_due, what_is_due_page
    from tests.helpers import statements_run
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    with app.app_context(), acting_as("test setup"):
        sync_catalogue()
        rule = db.session.scalars(select(Rule).where(Rule.code == "safeguarding_monitoring_weekly")).one()
        for n in range(60):  # 40 days overdue … 19 days ahead, some sharing a deadline, two ladders
            ladder = list(rule.ladder) if n % 3 else [{"level": 1, "role": "service_manager", "after_working_days": 0},
                                                      {"level": 2, "role": "head_of_service", "after_working_days": 12}]
            db.session.add(Obligation(
                rule_id=rule.id, rule_code=rule.code, home_id=None, scope_key=f"manager:{n}", period_key="p",
                title=f"Weekly update {n:02d}", due_at=now + timedelta(days=(n // 2) - 40, hours=n % 2),
                responsible_role=rule.responsible_role, ladder=ladder, due_soon_days=n % 8,
                status=ObligationStatus.OPEN if n % 11 else ObligationStatus.MET))
        far = Obligation(rule_id=rule.id, rule_code=rule.code, home_id=None, scope_key="manager:far", period_key="p",
                         title="Far ahead", due_at=now + timedelta(days=60), responsible_role=rule.responsible_role,
                         ladder=list(rule.ladder), due_soon_days=0, status=ObligationStatus.OPEN)
        db.session.add(far)
        db.session.commit()
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        whole = what_is_due(None, now, head).open
        assert len(whole) > 25 and far.id not in {row.obligation.id for row in whole}
        paged, met = [], None
        for number in (1, 2, 3):
            with app.test_request_context(f"/organisation/?page={number}"):
                db.session.expunge_all()
                head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
                with statements_run(app) as seen:
                    due, page = what_is_due_page(None, now, head)
                loaded_open = {o.id for o in db.session.identity_map.values()
                               if isinstance(o, Obligation) and o.status == ObligationStatus.OPEN}
                assert loaded_open == {row.obligation.id for row in due.open}  # the page's, no others
                assert page.number == number and page.total == len(whole)
                assert len([statement for statement in seen if "FROM obligations" in statement]) == 3
                assert len(due.open) == min(25, len(whole) - 25 * (number - 1))
                paged += [(row.obligation.id, row.state.status, row.can_record, row.can_waive) for row in due.open]
                met = [row.obligation.id for row in due.met]
        assert paged == [(row.obligation.id, row.state.status, row.can_record, row.can_waive) for row in whole]
        assert met == [row.obligation.id for row in what_is_due(None, now, head).met]
