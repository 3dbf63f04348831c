"""The daily digest: one message per person, three sections, acknowledgement respected, once a day."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.alerts.service import acknowledge, sweep
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.digest import queue_digests
from homes_qa.spine.mail.models import OutboundEmail
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User

# Thu 19 Nov 2026, 07:00 UTC (= London), when the scheduler runs the digest.
NOW = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)
# incident_ntk_service_manager: due 24 h after the event, "due soon" 6 hours before; level 2 (service
# manager) 24 hours after the due time; level 3 (head of service) 48 hours after.
INCIDENTS = {
    "incident:1": datetime(2026, 11, 18, 5, 0, tzinfo=UTC),   # due Thu 19 05:00: overdue (level 1)
    "incident:2": datetime(2026, 11, 16, 9, 0, tzinfo=UTC),   # due Tue 17 09:00: escalated (level 2)
    "incident:3": datetime(2026, 11, 18, 9, 0, tzinfo=UTC),   # due Thu 19 09:00: due soon (6 hours' warning)
    "incident:4": datetime(2026, 11, 16, 9, 30, tzinfo=UTC),  # due Tue 17 09:30: escalated (level 2)
}
SECTIONS = ("Escalated", "Overdue", "Due soon")


def _setup(app, world, home_b_incident: bool = True) -> dict[str, int]:
    """The incidents in home A (one overdue in home B); then the sweep raises their alerts."""
    ids = {}
    with app.app_context(), acting_as("test"):
        home_a = db.session.get(Home, world.home_a.id)
        for key, at in INCIDENTS.items():
            obligation = obligation_for_event("incident_ntk_service_manager", home_a, at, key=key)
            db.session.flush()
            ids[key] = obligation.id
        if home_b_incident:
            home_b = db.session.get(Home, world.home_b.id)
            obligation = obligation_for_event("incident_ntk_service_manager", home_b, INCIDENTS["incident:2"], key="incident:b")
            db.session.flush()
            ids["incident:b"] = obligation.id
        db.session.commit()
    with app.app_context(), acting_as("scheduler"):
        sweep(NOW)
    return ids


def _digests(app) -> dict[str, OutboundEmail]:
    with app.app_context():
        rows = db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "digest")).all()
        db.session.expunge_all()
    return {row.to_address: row for row in rows}


def _sections(body: str) -> dict[str, str]:
    """The text of each section of a digest body, by heading."""
    out, current = {}, None
    for line in body.splitlines():
        heading = next((s for s in SECTIONS if line.startswith(f"{s} (")), None)
        if heading:
            current = heading
            out[current] = ""
        elif current and line.startswith("- "):
            out[current] += line + "\n"
        elif current and not line.strip():
            current = None
    return out


def _run(app, now=NOW) -> int:
    with app.app_context(), acting_as("scheduler"):
        return queue_digests(now)


def _ack(app, obligation_id: int, level: int, user_id: int) -> None:
    with app.app_context(), acting_as("test"):
        alert = db.session.scalar(select(Alert).where(Alert.obligation_id == obligation_id, Alert.level == level))
        acknowledge(alert, note="We are on it", by=db.session.get(User, user_id))


def test_each_person_gets_their_sections(app, world):
    _setup(app, world)
    assert _run(app) > 0
    digests = _digests(app)
    manager = digests[world.users[Role.REGISTERED_MANAGER].email]
    sections = _sections(manager.body_text)
    assert set(sections) == set(SECTIONS)
    assert "incident:2" in sections["Escalated"] and "incident:4" in sections["Escalated"]
    assert "incident:1" in sections["Overdue"] and "incident:1" not in sections["Escalated"]
    assert "incident:3" in sections["Due soon"]
    assert sections["Overdue"] == (
        "- Alder House: Need-to-know: service manager told — incident:1 — due Thu 19 Nov 2026, 05:00\n")
    assert "due Tue 17 Nov 2026, 09:00 (level 2, with the service manager)" in sections["Escalated"]
    assert "Birch House" not in manager.body_text and "incident:b" not in manager.body_text
    assert manager.subject.startswith("Your daily summary for Thu 19 Nov 2026: 2 escalated, 1 overdue")
    assert manager.dedupe_key == f"digest:2026-11-19:user:{world.users[Role.REGISTERED_MANAGER].id}"

    # The service manager hears of the escalated ones (alerts at level 2 target them), not the rest.
    service = _sections(digests[world.users[Role.SERVICE_MANAGER].email].body_text)
    assert "incident:2" in service["Escalated"] and "incident:4" in service["Escalated"]
    assert not any(k in "".join(service.values()) for k in ("incident:1", "incident:3", "incident:b"))

    # Home B's manager: home B's escalated incident only; home A's are not theirs.
    other = digests[world.manager_b.email].body_text
    assert "incident:b" in _sections(other)["Escalated"] and "Alder House" not in other

    # Nothing has reached the head of service; administrators never get a digest.
    head = digests.get(world.users[Role.HEAD_OF_SERVICE].email)
    assert head is None or "incident" not in head.body_text
    assert world.users[Role.ADMIN].email not in digests


def test_acknowledgement_stops_reminders_at_that_level_only(app, world):
    ids = _setup(app, world)
    manager_id = world.users[Role.REGISTERED_MANAGER].id
    service_manager_id = world.users[Role.SERVICE_MANAGER].id
    _ack(app, ids["incident:1"], 1, manager_id)          # overdue, acknowledged at its level
    _ack(app, ids["incident:2"], 1, manager_id)          # escalated to 2 since: level 1 ack
    _ack(app, ids["incident:2"], 2, service_manager_id)  # ... and its level 2 acknowledged
    _ack(app, ids["incident:4"], 1, manager_id)          # level 2 not acknowledged: still listed
    _run(app)
    digests = _digests(app)
    manager = _sections(digests[world.users[Role.REGISTERED_MANAGER].email].body_text)
    assert "incident:1" not in "".join(manager.values())
    assert "incident:2" not in "".join(manager.values())
    assert "incident:4" in manager["Escalated"]
    assert "incident:3" in manager["Due soon"]
    service = _sections(digests[world.users[Role.SERVICE_MANAGER].email].body_text)
    assert "incident:4" in service["Escalated"] and "incident:2" not in "".join(service.values())

    # Next day incident:2 reaches level 3 (head of service): not acknowledged, so it is back.
    friday = NOW + timedelta(days=1)
    with app.app_context(), acting_as("scheduler"):
        sweep(friday)
    _run(app, friday)
    with app.app_context():
        rows = db.session.scalars(select(OutboundEmail).where(
            OutboundEmail.dedupe_key.like("digest:2026-11-20:%"))).all()
        by_address = {r.to_address: r.body_text for r in rows}
    head = _sections(by_address[world.users[Role.HEAD_OF_SERVICE].email])
    assert "incident:2" in head["Escalated"]
    assert "incident:2" in _sections(by_address[world.users[Role.REGISTERED_MANAGER].email])["Escalated"]
    # incident:1 acknowledged at level 1 reached level 2 (24 hours after its deadline) since: a new
    # level, not acknowledged, so it is back.
    assert "incident:1" in _sections(by_address[world.users[Role.REGISTERED_MANAGER].email])["Escalated"]
    # The service manager acknowledged incident:2 at their level: it is with the head of service
    # now. incident:4's level 2 alert is still unacknowledged, so it stays in their digest.
    service = by_address[world.users[Role.SERVICE_MANAGER].email]
    assert "incident:2" not in service and "incident:4" in _sections(service)["Escalated"]


def test_running_twice_a_day_queues_once(app, world):
    _setup(app, world)
    first = _run(app)
    assert first >= 3
    assert _run(app) == 0
    assert _run(app, NOW + timedelta(hours=10)) == 0  # 17:00 the same London day
    with app.app_context():
        keys = db.session.scalars(select(OutboundEmail.dedupe_key).where(OutboundEmail.kind == "digest")).all()
    assert len(keys) == first == len(set(keys))
    assert _run(app, NOW + timedelta(days=1)) > 0  # a new day, a new digest


def test_nothing_to_report_means_no_message(app, world):
    with app.app_context(), acting_as("test"):
        home_a = db.session.get(Home, world.home_a.id)
        obligation_for_event("incident_ntk_service_manager", home_a, NOW + timedelta(days=30), key="incident:later")
    assert _run(app) == 0  # due in a month: upcoming, in nobody's digest
    assert _digests(app) == {}


def test_digest_queries_do_not_grow_with_people_and_homes(app, world):
    _setup(app, world)

    def statements(now) -> int:
        count = 0

        def on_execute(*args):
            nonlocal count
            count += 1
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", on_execute)
            try:
                with acting_as("scheduler"):
                    queue_digests(now)
            finally:
                event.remove(db.engine, "before_cursor_execute", on_execute)
        return count

    small = statements(NOW)
    with app.app_context(), acting_as("test"):
        for n in range(6):
            home = people.create_home(name=f"Extra {n}", ofsted_urn=f"SC80000{n}", address="x", registered_places=2)
            for role in (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER):
                user = people.create_user(name=f"{role} {n}", email=f"{role}.{n}@x.example.org", role=role,
                                          password="correct-horse-battery")
                people.assign(home, user)
            obligation_for_event("incident_ntk_service_manager", home, INCIDENTS["incident:2"], key=f"incident:x{n}")
        sweep(NOW)
    large = statements(NOW + timedelta(days=1))
    assert large == small, (small, large)
    assert small <= 12


def test_hidden_obligations_stay_out_of_home_staff_digests(app, world):
    """An obligation that would reveal an unannounced Reg 44 visit never reaches the manager."""
    from homes_qa.spine.obligations.models import Obligation
    ids = _setup(app, world, home_b_incident=False)
    with app.app_context(), acting_as("test"):
        db.session.get(Obligation, ids["incident:1"]).hidden_from_home_staff = True
        db.session.commit()
    with app.app_context(), acting_as("scheduler"):
        queue_digests(NOW)
    manager = _digests(app)[world.users[Role.REGISTERED_MANAGER].email]
    assert "incident:3" in manager.body_text
    assert "incident:1" not in manager.body_text
