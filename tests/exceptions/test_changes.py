"""Each first page: "What changed since you last looked" (issue 11), and the service manager's
work queue listing late notifications and safeguarding signals."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from homes_qa.core.calendar import to_london
from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.exceptions.models import FirstPageView
from homes_qa.extensions import db
from homes_qa.incidents import service as incidents
from homes_qa.spine import signals
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow

pytestmark = pytest.mark.usefixtures("clock")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _changes(page: str) -> str:
    start = page.index('id="changes"')
    return page[start:page.index("</section>", start)]


def _listed(page: str) -> list[str]:
    """The changes listed, as text ("Overdue Need-to-know … a1, Wed 4 Nov 2026, 10:01")."""
    return [_text(li).strip() for li in re.findall(r"<li>(.*?)</li>", _changes(page), re.S)]


def _has(page: str, kind: str, what: str) -> bool:
    return any(item.startswith(kind + " ") and what in item for item in _listed(page))


def _notification(app, home_id: int, *, hours_ago: float, key: str) -> int:
    """A need-to-know due 24 h after awareness, made `hours_ago`, swept (alerts raised now)."""
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, home_id)
        made = obligations.obligation_for_event("incident_ntk_service_manager", home, utcnow() - timedelta(hours=hours_ago),
                                                key=key, label=f"Need-to-know {key}")
        db.session.commit()
        made_id = made.id
        alerts.sweep(utcnow())
    return made_id


def _event(app, world, home_id: int, manager_id: int) -> int:
    local = to_london(utcnow() - timedelta(hours=2))
    at, which = local.time().replace(second=0, microsecond=0), "later" if local.fold else "earlier"
    with app.app_context(), acting_as("test"):
        return incidents.record_incident(
            db.session.get(Home, home_id), type_code="need_to_know", occurred_on=local.date(), occurred_time=at,
            occurred_occurrence=which, aware_on=local.date(), aware_time=at, aware_occurrence=which,
            children="AB", what_happened="A child was hurt playing football", action_taken="First aid",
            notifiable=False, paragraph=None, by=db.session.get(User, manager_id)).id


def _settled(app, clock) -> None:
    """The sweep's routine alerts raised first, so what a test makes next is the newest."""
    with app.app_context():
        alerts.sweep(utcnow())
    clock.shift(timedelta(minutes=1))


def test_first_look_lists_the_last_week_in_scope_then_only_what_is_new(app, client, world, auth, clock):
    _settled(app, clock)
    mine = _notification(app, world.home_a.id, hours_ago=30, key="a1")  # overdue now
    _notification(app, world.home_b.id, hours_ago=30, key="b1")  # another home
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get("/").get_data(as_text=True)
    changes = _text(_changes(page))
    assert "What changed since you last looked" in changes
    assert "This is your first look: here is what changed in the last 7 days" in changes
    assert _has(page, "Overdue", "Alder House — Need-to-know a1")
    assert "b1" not in changes and "Birch House" not in changes

    # Back within the session: the same list (a refresh does not empty it).
    clock.shift(timedelta(minutes=5))
    assert _has(client.get("/").get_data(as_text=True), "Overdue", "Need-to-know a1")

    # The next day (a new sign-in): only what changed since the last look.
    clock.shift(timedelta(hours=20))
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    event_id = _event(app, world, world.home_a.id, world.users[Role.REGISTERED_MANAGER].id)
    with app.app_context(), acting_as("test"):
        obligations.discharge(db.session.get(Obligation, mine), met_at=utcnow())
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    changes = _changes(page)
    text = _text(changes)
    assert "Since you last looked, at" in text and "first look" not in text
    assert not _has(page, "Overdue", "Need-to-know a1")  # seen last time
    assert _has(page, "Done", "Alder House — Need-to-know a1")
    assert f'href="/homes/{world.home_a.id}#obligation-{mine}"' in changes
    assert "Event recorded" in text and f'href="/incidents/{event_id}"' in changes
    with app.app_context():
        view = db.session.scalar(select(FirstPageView).where(
            FirstPageView.user_id == world.users[Role.REGISTERED_MANAGER].id))
        assert view.since is not None and view.since < view.viewed_at
        # A new session's start is in the audit trail; each look alone is not.
        trail = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "FirstPageView")).all()
        assert [e.action for e in trail] == ["create", "update"]


def test_honest_empty_state_and_a_bounded_list_with_the_count_of_the_rest(app, client, world, auth, clock):
    _settled(app, clock)
    with app.app_context(), acting_as("test"):  # the routine alerts raised more than a week ago
        from homes_qa.spine.alerts.models import Alert
        for alert in db.session.scalars(select(Alert)):
            alert.raised_at = alert.raised_at - timedelta(days=8)
        db.session.commit()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get("/").get_data(as_text=True)
    assert 'id="changes-none"' in page
    assert "Nothing has changed in your homes since 7 days ago" in _text(_changes(page))
    clock.shift(timedelta(hours=2))
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    for n in range(12):
        _notification(app, world.home_a.id if n % 2 else world.home_b.id, hours_ago=30, key=f"n{n}")
    page = client.get("/").get_data(as_text=True)
    changes = _changes(page)
    assert len(re.findall(r"<li>", changes)) == 10
    # 12 notifications 30 hours old: each reached "due soon" and "overdue" (24 alerts)
    assert "And 14 more changes not listed: the latest 10 are shown." in _text(changes)


def test_past_the_count_the_page_says_more_than(app, client, world, auth, clock, monkeypatch):
    """The changes are counted up to CHANGES_COUNTED (a county's first look holds thousands):
    exact up to it, "more than" past it, and the listed ones the same either way."""
    _settled(app, clock)
    with app.app_context(), acting_as("test"):
        from homes_qa.spine.alerts.models import Alert
        for alert in db.session.scalars(select(Alert)):
            alert.raised_at = alert.raised_at - timedelta(days=8)
        db.session.commit()
    clock.shift(timedelta(hours=2))
    for n in range(12):
        _notification(app, world.home_a.id if n % 2 else world.home_b.id, hours_ago=30, key=f"n{n}")
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    pages = {}
    for counted in (24, 23, 11):  # 24 changes in all: counted exactly, then one short, then far short
        monkeypatch.setattr(queries, "CHANGES_COUNTED", counted)
        with app.app_context():
            db.session.execute(delete(FirstPageView))  # each a first look at the same week
            db.session.commit()
        pages[counted] = _changes(client.get("/").get_data(as_text=True))
    assert "And 14 more changes not listed: the latest 10 are shown." in _text(pages[24])
    assert "And more than 13 changes not listed: the latest 10 are shown." in _text(pages[23])
    assert "And more than 1 change not listed" in _text(pages[11])
    listed = {counted: re.findall(r"<li>.*?</li>", page, re.S) for counted, page in pages.items()}
    assert len(listed[24]) == 10 and listed[24] == listed[23] == listed[11]


def test_escalations_and_reports_are_listed_and_home_staff_never_see_reg44(app, client, world, auth, clock):
    _settled(app, clock)
    _notification(app, world.home_a.id, hours_ago=24 * 10, key="old")  # escalated by now
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        signals.raise_signal(home, utcnow(), key="test:signal", subject=home, label="Young person said unsafe")
        db.session.commit()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get("/").get_data(as_text=True)
    assert _has(page, "Escalated", "Alder House — Need-to-know old")
    assert _has(page, "Due soon", "Young person said unsafe")
    auth.sign_out()
    auth.sign_in(world.users[Role.HOME_STAFF])
    text = _text(_changes(client.get("/").get_data(as_text=True)))
    assert "Report submitted" not in text
    assert "Young person said unsafe" not in text  # the signal is a service manager's, not in staff scope


# ---------------------------------------------------------------- the work queue

def test_work_queue_lists_late_notifications_and_safeguarding_signals_linked_to_their_pages(
        app, client, world, auth):
    event_id = _event(app, world, world.home_a.id, world.users[Role.REGISTERED_MANAGER].id)
    with app.app_context(), acting_as("test"):
        late = db.session.scalar(select(Obligation).where(Obligation.subject_type == "Incident",
                                                          Obligation.subject_id == event_id))
        obligations.move_due(late, utcnow() - timedelta(hours=1))
        late_id = late.id
        home = db.session.get(Home, world.home_a.id)
        signals.raise_signal(home, utcnow(), key="test:signal", subject=home, label="Feedback: I do not feel safe")
        db.session.commit()
        signal_id = db.session.scalar(select(Obligation.id).where(Obligation.rule_code == signals.SIGNAL_RULE))
    _notification(app, world.home_b.id, hours_ago=30, key="b-late")  # not the manager's home
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get("/").get_data(as_text=True)
    queue = page[page.index('id="work-queue"'):]
    queue = queue[:queue.index("</section>")]
    late_list = queue[queue.index('id="late-notifications"'):]
    late_list = late_list[:late_list.index("</ul>")]
    assert f'href="/incidents/{event_id}"' in late_list and "Overdue" in _text(late_list)
    assert "b-late" not in queue
    signal_list = queue[queue.index('id="safeguarding-signals"'):]
    signal_list = signal_list[:signal_list.index("</ul>")]
    assert "Feedback: I do not feel safe" in _text(signal_list)
    # The home page's row for the review, where the service manager waives it or sees it recorded.
    href = re.search(r'href="([^"]+)"', signal_list)[1]
    assert href == f"/homes/{world.home_a.id}#obligation-{signal_id}"
    home_page = client.get(href.split("#")[0]).get_data(as_text=True)
    assert f'id="obligation-{signal_id}"' in home_page
    assert f'href="/obligations/{signal_id}/waive"' in home_page
    # The late notification's event page lists it as waiting.
    event_page = client.get(f"/incidents/{event_id}").get_data(as_text=True)
    assert "Need-to-know" in event_page and late_id


def test_work_queue_empty_states(app, client, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    text = _text(client.get("/").get_data(as_text=True))
    assert "No notifications are late." in text
    assert "No safeguarding signals waiting for review." in text


def test_two_first_looks_at_once_keep_one_marker_and_no_error(app, world):
    """Another request inserts the person's marker between this one's read and its insert."""
    import sqlite3

    from sqlalchemy import event

    from homes_qa.exceptions import service as exceptions_service
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    now = utcnow()
    with app.app_context(), acting_as("test"):
        user = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        raced = []

        def other_tab(orm_execute_state):
            if raced or not orm_execute_state.is_select:
                return None
            raced.append(True)
            result = orm_execute_state.invoke_statement()
            with sqlite3.connect(database) as other:
                other.execute("INSERT INTO first_page_views (user_id, viewed_at, since) VALUES (?, ?, NULL)",
                              (user.id, (now - timedelta(minutes=1)).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")))
            return result

        event.listen(db.session, "do_orm_execute", other_tab)
        try:
            marker = exceptions_service.record_first_page_view(user, now)
        finally:
            event.remove(db.session, "do_orm_execute", other_tab)
        assert raced
        rows = db.session.scalars(select(FirstPageView).where(FirstPageView.user_id == user.id)).all()
        assert len(rows) == 1
        assert rows[0].viewed_at == marker.viewed_at


def test_a_refresh_moments_after_a_look_writes_nothing(app, world, clock):
    """Issue 13: a look within a minute of the kept one, in the same session, is not written (the
    update and its commit were the largest cost of a first page); a minute later it is."""
    from homes_qa.core.since import RECORDED_EVERY
    from homes_qa.exceptions import service as exceptions_service
    from tests.helpers import statements_run
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    with app.app_context():
        user = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        exceptions_service.record_first_page_view(user, now)
        db.session.commit()
        with statements_run(app) as statements:
            marker = exceptions_service.record_first_page_view(user, now + timedelta(seconds=30))
        assert marker.viewed_at == now + timedelta(seconds=30)
        assert not [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
        kept = db.session.scalars(select(FirstPageView).where(FirstPageView.user_id == user.id)).one()
        assert kept.viewed_at == now
        exceptions_service.record_first_page_view(user, now + RECORDED_EVERY)
        db.session.expire_all()
        kept = db.session.scalars(select(FirstPageView).where(FirstPageView.user_id == user.id)).one()
        assert kept.viewed_at == now + RECORDED_EVERY
