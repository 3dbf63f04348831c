"""The personal calendar feed: a secret, revocable address; the person's own obligations only."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts.service import sweep
from homes_qa.spine.audit.models import REDACTED, AuditEvent, acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.obligations.service import ensure_recurring, obligation_for_event
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")

PAGE = "/account/calendar"
FEED_URL = re.compile(r'id="feed-url"[^>]*value="http://127\.0\.0\.1:5000(/calendar/[A-Za-z0-9_-]+\.ics)"')


def _obligations(app, world) -> None:
    """Calendar obligations for both homes, an overdue and an escalated incident in each."""
    now = utcnow()
    with app.app_context(), acting_as("test"):
        ensure_recurring(now)
        for home_id in (world.home_a.id, world.home_b.id):
            home = db.session.get(Home, home_id)
            obligation_for_event("incident_ntk_service_manager", home, now - timedelta(hours=30), key="incident:overdue")
            obligation_for_event("incident_ntk_service_manager", home, now - timedelta(days=12), key="incident:escalated")
        db.session.commit()
    with app.app_context(), acting_as("scheduler"):
        sweep(now)


def _feed_path(client) -> str | None:
    match = FEED_URL.search(client.get(PAGE).get_data(as_text=True))
    return match.group(1) if match else None


def _issue(auth) -> str:
    """Issue a feed: its address is shown once, in the answer to the POST (only its hash is kept)."""
    response = auth.post(PAGE, {"action": "issue"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    match = FEED_URL.search(response.get_data(as_text=True))
    assert match
    assert _feed_path(auth.client) is None  # never shown again
    return match.group(1)


def _events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _expected_uids(app, home_id: int, role: str) -> set[str]:
    with app.app_context():
        ids = db.session.scalars(select(Obligation.id).where(
            Obligation.home_id == home_id, Obligation.responsible_role == role,
            Obligation.status == ObligationStatus.OPEN, Obligation.due_at <= utcnow() + timedelta(days=400)))
        return {f"obligation-{i}@homes-qa" for i in ids}


def test_feed_lists_the_users_home_obligations_only(app, world, auth):
    _obligations(app, world)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    path = _issue(auth)
    events = _events(app.test_client().get(path))  # a client with no session: the token is enough
    expected = _expected_uids(app, world.home_a.id, Role.REGISTERED_MANAGER)
    assert len(expected) >= 3
    assert set(events) == expected
    summaries = " ".join(str(e["SUMMARY"]) for e in events.values())
    assert "Alder House" in summaries and "Birch House" not in summaries
    with app.app_context():
        overdue = db.session.scalar(select(Obligation).where(
            Obligation.home_id == world.home_a.id, Obligation.period_key == "incident:overdue"))
        event = events[f"obligation-{overdue.id}@homes-qa"]
        assert event.decoded("DTEND") == overdue.due_at.replace(microsecond=0)
        assert event.decoded("DTSTART") < event.decoded("DTEND")
        assert event.decoded("DTEND").utcoffset() == timedelta(0)
        assert str(event["SUMMARY"]) == overdue.title
        description = str(event["DESCRIPTION"])
        assert "Home: Alder House" in description
        assert "Rule: Need-to-know: service manager told" in description
        assert "Responsible: Registered manager" in description
        assert f"http://127.0.0.1:5000/homes/{world.home_a.id}" in description
    assert b"END:VCALENDAR" in app.test_client().get(path).get_data()


def test_escalations_reach_the_service_managers_feed(app, world, auth):
    _obligations(app, world)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    events = _events(app.test_client().get(_issue(auth)))
    with app.app_context():
        escalated_a, escalated_b, overdue_a = (db.session.scalar(select(Obligation.id).where(
            Obligation.home_id == home, Obligation.period_key == key)) for home, key in (
            (world.home_a.id, "incident:escalated"), (world.home_b.id, "incident:escalated"),
            (world.home_a.id, "incident:overdue")))
    assert f"obligation-{escalated_a}@homes-qa" in events  # escalated to the service manager
    assert f"obligation-{escalated_b}@homes-qa" not in events  # not their home
    assert f"obligation-{overdue_a}@homes-qa" not in events  # still with the registered manager
    assert _expected_uids(app, world.home_a.id, Role.SERVICE_MANAGER) <= set(events)


def test_revoke_and_regenerate_retire_the_old_address(app, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = auth.client.get(PAGE).get_data(as_text=True)
    assert "You do not have a calendar feed" in page and "Create a calendar feed" in page
    anonymous = app.test_client()
    first = _issue(auth)
    assert anonymous.get(first).status_code == 200
    second = _issue(auth)  # regenerate
    assert second != first
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    assert auth.post(PAGE, {"action": "revoke"}).status_code == 303
    assert anonymous.get(second).status_code == 404
    assert _feed_path(auth.client) is None
    assert "You do not have a calendar feed" in auth.client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.users[Role.REGISTERED_MANAGER].id).ical_token is None
        # Audited, and the secret never written into the trail.
        changes = [e.changes for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "User", AuditEvent.record_id == world.users[Role.REGISTERED_MANAGER].id))
            if "ical_token" in e.changes]
        assert len(changes) == 3
        trail = repr(changes)
        assert first.split("/")[-1][:-4] not in trail and second.split("/")[-1][:-4] not in trail
        assert changes[-1]["ical_token"] == [REDACTED, REDACTED]


def test_deactivated_users_feed_answers_404(app, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    path = _issue(auth)
    with app.app_context(), acting_as("test"):
        db.session.get(User, world.users[Role.REGISTERED_MANAGER].id).active = False
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_anonymous_access_is_only_through_a_token(app, client, world):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/calendar/" + "A" * 43 + ".ics").status_code == 404
    response = client.get(PAGE)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_buttons_need_csrf(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="csrf_token"' in page and re.search(r'<button[^>]*value="issue" name="action"', page)
    refused = client.post(PAGE, data={"action": "issue"})
    assert refused.status_code == 400 and "This form has expired" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.users[Role.REGISTERED_MANAGER].id).ical_token is None
    path = _issue(auth)
    assert client.post(PAGE, data={"action": "revoke", "csrf_token": "forged"}).status_code == 400
    assert app.test_client().get(path).status_code == 200
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="revoke"' in page and 'name="csrf_token"' in page
    assert client.get(PAGE).headers["Cache-Control"] == "private, no-store"


def test_feed_is_rate_limited(app, client):
    statuses = [client.get("/calendar/" + "B" * 43 + ".ics").status_code for _ in range(61)]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429


def test_change_password_page_links_to_the_feed(app, client, world, auth):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    assert 'href="/account/calendar"' in client.get("/account/password").get_data(as_text=True)
