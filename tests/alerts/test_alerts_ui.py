"""Alerts: "For me" and "My homes", acknowledgement (htmx row or Post/Redirect/Get), and the
header count that polls every minute."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import event, select

from homes_qa.core.calendar import london_date
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligation_service
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import sync_catalogue, update_rule
from homes_qa.spine.timestamps import utcnow

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")

HTMX = {"HX-Request": "true"}


def overdue_check(app, world, *, days_overdue: int = 1, home=None, rule_code: str = "gas_safety_check") -> dict:
    """A floating check that fell due `days_overdue` days ago, swept: {level: alert id}, and its obligation.

    Calendar rules are switched off first, so these are the only alerts.
    """
    home = home or world.home_a
    due_day = london_date(utcnow()) - timedelta(days=days_overdue)
    with app.app_context(), acting_as("test setup"):
        sync_catalogue()
        for rule in db.session.scalars(select(Rule).where(Rule.trigger == "calendar", Rule.active.is_(True))).all():
            update_rule(rule, timing=rule.timing, ladder=rule.ladder, due_soon_days=rule.due_soon_days, active=False)
        rule = db.session.scalar(select(Rule).where(Rule.code == rule_code))
        months = rule.timing["amount"]
        obligation_service.record_completion(
            rule_code=rule_code, home=db.session.get(Home, home.id), done_on=due_day - relativedelta(months=months),
            note="", by=db.session.get(User, world.users[Role.ADMIN].id))
        obligation_id = db.session.scalar(select(Obligation.id).where(
            Obligation.rule_code == rule_code, Obligation.home_id == home.id, Obligation.status == ObligationStatus.OPEN))
        alert_service.sweep(utcnow())
        alerts = dict(db.session.execute(select(Alert.level, Alert.id).where(Alert.obligation_id == obligation_id)).all())
    return {"obligation": obligation_id, "alerts": alerts}


def _alert(app, alert_id: int) -> Alert:
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        db.session.expunge(alert)
        return alert


def _section(html: str, key: str) -> str:
    start = html.index(f'id="alerts-panel-{key}"')
    end = html.find('id="alerts-panel-', start + 10)
    return html[start:end if end > 0 else len(html)]


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" id="(alert-[a-z]+-\d+)"', html)


def _badge(html: str) -> str | None:
    match = re.search(r'<span class="app-header-count">(\d+)</span>', html)
    return match.group(1) if match else None


# ---------------------------------------------------------------- the lists

def test_for_me_lists_the_highest_level_once_with_status_and_count(app, client, world, auth):
    made = overdue_check(app, world)
    assert set(made["alerts"]) == {0, 1}  # due soon, then overdue: both to the registered manager
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get("/alerts/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    overdue = made["alerts"][1]
    assert _rows(_section(html, "mine")) == [f"alert-mine-{overdue}"]
    assert _rows(_section(html, "homes")) == [f"alert-homes-{overdue}"]
    mine = _section(html, "mine")
    assert "Alder House" in mine and "Gas safety check" in mine
    assert re.search(r'govuk-tag--red">Overdue<', mine)
    assert "to Registered manager, raised" in mine and "Acknowledge" in mine
    assert _badge(html) == "1"
    assert 'hx-get="/alerts/count"' in html and 'hx-trigger="every 60s, alerts-changed from:body"' in html


def test_escalation_reaches_each_role_and_the_home_list_shows_the_top(app, client, world, auth):
    made = overdue_check(app, world, days_overdue=30)
    assert set(made["alerts"]) == {0, 1, 2, 3}
    expected = {Role.REGISTERED_MANAGER: 1, Role.SERVICE_MANAGER: 2, Role.HEAD_OF_SERVICE: 3}
    for role, level in expected.items():
        auth.sign_in(world.users[role])
        html = client.get("/alerts/").get_data(as_text=True)
        assert _rows(_section(html, "mine")) == [f"alert-mine-{made['alerts'][level]}"], role
        assert _rows(_section(html, "homes")) == [f"alert-homes-{made['alerts'][3]}"], role
        assert re.search(r'govuk-tag--pink">Escalated \(level 3\)<', html)
        assert _badge(html) == "1"
        auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])  # not on this ladder; sees the home's drift
    html = client.get("/alerts/").get_data(as_text=True)
    assert _rows(_section(html, "mine")) == [] and "There are no alerts for you" in html
    assert _rows(_section(html, "homes")) == [f"alert-homes-{made['alerts'][3]}"]
    assert "Not yet acknowledged" in html and "hx-post" not in html  # level 3 is not theirs to acknowledge
    assert _badge(html) is None


def test_other_homes_alerts_are_not_listed(app, client, world, auth):
    overdue_check(app, world, days_overdue=30)
    auth.sign_in(world.manager_b)
    html = client.get("/alerts/").get_data(as_text=True)
    assert "Alder House" not in html and _rows(html) == [] and _badge(html) is None


def test_met_obligations_leave_the_lists(app, client, world, auth):
    made = overdue_check(app, world)
    with app.app_context(), acting_as("test setup"):
        obligation = db.session.get(Obligation, made["obligation"])
        obligation_service.record_completion(rule_code=obligation.rule_code, home=obligation.home,
                                             done_on=london_date(utcnow()), note="", obligation=obligation,
                                             by=db.session.get(User, world.users[Role.ADMIN].id))
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = client.get("/alerts/").get_data(as_text=True)
    assert _rows(html) == [] and _badge(html) is None


# ---------------------------------------------------------------- acknowledging

def test_acknowledge_with_htmx_swaps_the_row_and_is_audited(app, client, world, auth):
    made = overdue_check(app, world)
    overdue = made["alerts"][1]
    user = world.users[Role.REGISTERED_MANAGER]
    auth.sign_in(user)
    response = auth.post(f"/alerts/{overdue}/acknowledge", {"note": "Engineer booked for Friday", "section": "mine"},
                         headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr class="govuk-table__row" id="alert-mine-{overdue}">')
    assert "Acknowledged" in html and "Engineer booked for Friday" in html and user.name in html
    # The copy in "My homes" is swapped out of band; the badge refreshes on the event.
    assert re.search(rf'<template>\s*<tr class="govuk-table__row" id="alert-homes-{overdue}" data-hx-swap-oob="true">', html)
    assert response.headers["HX-Trigger"] == "alerts-changed"
    assert "<html" not in html and "govuk-error-summary" not in html
    alert = _alert(app, overdue)
    assert alert.acknowledged_by_id == user.id and alert.acknowledgement_note == "Engineer booked for Friday"
    with app.app_context():
        event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "Alert",
                                                            AuditEvent.record_id == overdue,
                                                            AuditEvent.action == "update")
                                .order_by(AuditEvent.id.desc()))
        assert event_.actor_id == user.id
        assert event_.changes["acknowledgement_note"] == [None, "Engineer booked for Friday"]
    count = client.get("/alerts/count", headers=HTMX).get_data(as_text=True)
    assert 'id="app-alert-count"' in count and _badge(count) is None
    page = client.get("/alerts/").get_data(as_text=True)
    assert _rows(_section(page, "mine")) == [f"alert-mine-{overdue}"]  # listed until the obligation is met


def test_acknowledge_without_javascript_redirects_to_the_list(app, client, world, auth):
    made = overdue_check(app, world)
    overdue = made["alerts"][1]
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])  # may acknowledge any role's alert
    response = auth.post(f"/alerts/{overdue}/acknowledge", {"note": "Chased the manager", "section": "homes"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/alerts/#alert-homes-{overdue}")
    html = client.get("/alerts/").get_data(as_text=True)
    assert "Alert acknowledged" in html and "Chased the manager" in html
    assert _alert(app, overdue).acknowledged_by_id == world.users[Role.HEAD_OF_SERVICE].id


def test_a_missing_note_is_an_error_and_nothing_is_saved(app, client, world, auth):
    made = overdue_check(app, world)
    overdue = made["alerts"][1]
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    # htmx: the row comes back, open, with its error message, status 200 (htmx swaps 2xx only)
    response = auth.post(f"/alerts/{overdue}/acknowledge", {"note": "  ", "section": "mine"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr class="govuk-table__row" id="alert-mine-{overdue}"')
    assert "Enter a note saying what is being done" in html and "govuk-textarea--error" in html
    assert "<details class=\"govuk-details govuk-!-margin-0\" open>" in html and "govuk-error-summary" not in html
    # Without JavaScript: the whole page, with the error summary linking to this row's box
    response = auth.post(f"/alerts/{overdue}/acknowledge", {"note": "", "section": "mine"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: Alerts" in html
    assert "govuk-error-summary" in html and f'href="#note-mine-{overdue}"' in html
    assert f'id="note-mine-{overdue}"' in html
    assert _alert(app, overdue).acknowledged_at is None


def test_acknowledging_twice_is_refused(app, client, world, auth):
    made = overdue_check(app, world)
    overdue = made["alerts"][1]
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert auth.post(f"/alerts/{overdue}/acknowledge", {"note": "On it", "section": "mine"}).status_code == 303
    html = auth.post(f"/alerts/{overdue}/acknowledge", {"note": "Again", "section": "mine"}).get_data(as_text=True)
    assert "This alert has already been acknowledged" in html and "govuk-error-summary" in html
    assert _alert(app, overdue).acknowledgement_note == "On it"


def test_acknowledge_is_home_scoped_and_role_checked(app, client, world, auth):
    made = overdue_check(app, world)
    overdue = made["alerts"][1]  # aimed at the registered manager
    data = {"note": "Not mine to say", "section": "mine"}
    auth.sign_in(world.manager_b)  # right role, other home
    assert auth.post(f"/alerts/{overdue}/acknowledge", data).status_code == 404
    assert auth.post("/alerts/999999/acknowledge", data).status_code == 404
    auth.sign_out()
    for role in (Role.SERVICE_MANAGER, Role.REG44_VISITOR):  # their home, wrong role
        auth.sign_in(world.users[role])
        assert auth.post(f"/alerts/{overdue}/acknowledge", data).status_code == 403
        assert auth.post(f"/alerts/{overdue}/acknowledge", data, headers=HTMX).status_code == 403
        auth.sign_out()
    assert _alert(app, overdue).acknowledged_at is None


# ---------------------------------------------------------------- the header count

class _Statements:
    def __init__(self, engine):
        self.seen: list[str] = []
        self.engine = engine

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args):
        self.seen.append(statement)


def test_count_is_one_count_query_and_a_partial(app, client, world, auth):
    overdue_check(app, world, days_overdue=30)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    with app.app_context():
        engine = db.engine
    with _Statements(engine) as statements:
        response = client.get("/alerts/count", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith('<span id="app-alert-count"') and _badge(html) == "1"
    counts = [s for s in statements.seen if "count(" in s.lower()]
    assert len(counts) == 1 and "alerts" in counts[0]
    assert len(statements.seen) <= 2  # the signed-in user, then the COUNT


def test_polling_the_count_does_not_keep_an_idle_session_alive(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    with client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - 600
        before = session["last_seen"]
    assert client.get("/alerts/count", headers=HTMX).status_code == 200
    with client.session_transaction() as session:
        assert session["last_seen"] == before
    client.get("/alerts/")  # a real page view is activity
    with client.session_transaction() as session:
        assert session["last_seen"] > before


def test_count_after_sign_out_sends_htmx_to_sign_in(app, client, world, auth):
    plain = client.get("/alerts/count")
    assert plain.status_code == 302 and "/sign-in" in plain.headers["Location"]
    response = client.get("/alerts/count", headers={**HTMX, "HX-Current-URL": "http://localhost/alerts/"})
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert response.headers["HX-Redirect"] == "/sign-in?next=/alerts/"


def test_navigation_shows_alerts_to_every_role(client, world, auth):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'href="/alerts/"[^>]*>\s*Alerts<span id="app-alert-count"', html)


def _unacknowledged_alerts(app, world, count: int) -> None:
    """`count` open obligations at home A, each with one alert for the registered manager."""
    with app.app_context(), acting_as("test setup"):
        sync_catalogue()
        rule = db.session.scalar(select(Rule).where(Rule.code == "gas_safety_check"))
        now = utcnow()
        for n in range(count):
            obligation = Obligation(
                rule_id=rule.id, rule_code=rule.code, home_id=world.home_a.id, scope_key=f"home:{world.home_a.id}",
                period_key=f"badge:{n}", title=f"Badge {n}", due_at=now - timedelta(days=2),
                responsible_role=rule.responsible_role, ladder=list(rule.ladder), status=ObligationStatus.OPEN)
            db.session.add(obligation)
            db.session.flush()
            db.session.add(Alert(obligation_id=obligation.id, level=1, home_id=world.home_a.id,
                                 target_role=Role.REGISTERED_MANAGER, raised_at=now, reached_at=now))
        db.session.commit()


@pytest.mark.parametrize(("alerts", "shown", "spoken"), [(99, "99", "to acknowledge"),
                                                          (100, "99+", "(more than 99) to acknowledge")])
def test_the_badge_counts_to_99_and_then_says_99_plus(app, client, world, auth, alerts, shown, spoken):
    """Counted up to 100, not every alert of the estate on every page (issue 13); the alerts
    page gives the whole number."""
    _unacknowledged_alerts(app, world, alerts)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    for html in (client.get("/").get_data(as_text=True),
                 client.get("/alerts/count", headers=HTMX).get_data(as_text=True)):
        badge = re.search(r'<span class="app-header-count">([^<]+)</span><span class="govuk-visually-hidden"> ([^<]+)</span>',
                          html)
        assert badge is not None and badge.groups() == (shown, spoken)
