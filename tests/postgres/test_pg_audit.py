"""The audit trail on PostgreSQL: written in the change's own transaction, append-only in the database."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import REDACTED, AuditEvent, AuditTrailError, acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home
from homes_qa.spine.transaction import ServiceError

PASSWORD = "correct-horse-battery"  # as in the pg_world fixture


def _events(record_type: str, record_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == record_type, AuditEvent.record_id == record_id).order_by(AuditEvent.id)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new_home(**overrides) -> Home:
    values = dict(name="Alder House", ofsted_urn="sc900001 ", address=" 1 Alder Road", registered_places=4)
    values.update(overrides)
    with acting_as("test"):
        return people.create_home(**values)


# ---------------------------------------------------------------- what is written

def test_create_home_writes_a_create_event(pg_app):
    home = _new_home()
    [event] = _events("Home", home.id)
    assert event.action == "create"
    assert event.record_id == home.id
    assert event.home_id == home.id
    assert event.actor_id is None and event.actor_label == "test"
    assert event.record_label == "Alder House"
    assert event.at.tzinfo is not None
    assert event.changes == {
        "id": [None, home.id],
        "name": [None, "Alder House"],
        "ofsted_urn": [None, "SC900001"],
        "address": [None, "1 Alder Road"],
        "registered_places": [None, 4],
        "status": [None, "open"],
    }


def test_audit_row_is_in_the_same_transaction_as_the_change(pg_app):
    """PostgreSQL stamps every row with its inserting transaction id (xmin)."""
    home = _new_home()
    home_xmin = db.session.execute(text("SELECT xmin::text FROM homes WHERE id = :id"), {"id": home.id}).scalar()
    audit_xmin = db.session.execute(text(
        "SELECT xmin::text FROM audit_events WHERE record_type = 'Home' AND record_id = :id"), {"id": home.id}).scalar()
    assert home_xmin is not None
    assert audit_xmin == home_xmin


def test_update_records_before_and_after(pg_app):
    home = _new_home()
    with acting_as("test"):
        people.update_home(home, name="Alder Lodge", ofsted_urn="SC900001", address="1 Alder Road",
                           registered_places=5, status="temporarily_closed")
    create, update = _events("Home", home.id)
    assert create.action == "create"
    assert update.action == "update"
    assert update.home_id == home.id
    assert update.record_label == "Alder Lodge"
    # Only what changed, each as [before, after].
    assert update.changes == {
        "name": ["Alder House", "Alder Lodge"],
        "registered_places": [4, 5],
        "status": ["open", "temporarily_closed"],
    }


def test_unchanged_update_writes_no_event(pg_app):
    home = _new_home()
    with acting_as("test"):
        people.update_home(home, name="Alder House", ofsted_urn="SC900001", address="1 Alder Road",
                           registered_places=4, status="open")
    assert [e.action for e in _events("Home", home.id)] == ["create"]


def test_password_change_is_redacted(pg_app):
    with acting_as("test"):
        user = people.create_user(name="Pat", email="pat@example.org", role=Role.ADMIN, password=PASSWORD)
        old_hash = user.password_hash
        people.set_password(user, "a-brand-new-password")
        new_hash = user.password_hash
    assert old_hash != new_hash
    create, update = _events("User", user.id)
    assert create.changes["password_hash"] == [None, REDACTED]
    assert update.action == "update"
    assert update.changes == {"password_hash": [REDACTED, REDACTED]}
    # Neither the hashes nor the passwords appear anywhere in the stored trail.
    stored = " ".join(db.session.execute(text("SELECT changes::text FROM audit_events")).scalars())
    for secret in (old_hash, new_hash, PASSWORD, "a-brand-new-password", "$argon2"):
        assert secret not in stored
    assert "pat@example.org" in stored  # the trail itself was read


def test_assignment_event_carries_its_home(pg_app):
    home = _new_home()
    with acting_as("test"):
        user = people.create_user(name="Sam", email="sam@example.org", role=Role.REGISTERED_MANAGER,
                                  password=PASSWORD)
        assignment = people.assign(home, user)
    [event] = _events("Assignment", assignment.id)
    assert event.action == "create"
    assert event.home_id == home.id
    assert event.changes["user_id"] == [None, user.id]
    with acting_as("test"):
        people.unassign(assignment)
    create, delete = _events("Assignment", assignment.id)
    assert delete.action == "delete"
    assert delete.home_id == home.id
    assert delete.changes["home_id"] == [home.id, None]


# ---------------------------------------------------------------- append-only

def _snapshot() -> list[tuple]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(text(
        "SELECT id, actor_label, action, changes::text FROM audit_events ORDER BY id"))]


def test_database_refuses_raw_update(pg_app):
    _new_home()
    before = _snapshot()
    assert before, "the trigger only fires on existing rows: need at least one"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET actor_label = 'forged'"))
    db.session.rollback()
    assert _snapshot() == before


def test_database_refuses_raw_delete(pg_app):
    _new_home()
    before = _snapshot()
    assert before
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()
    assert _snapshot() == before


def test_database_refuses_update_on_a_separate_connection(pg_app):
    """Not only through the app's session: any client of the database."""
    _new_home()
    before = _snapshot()
    with db.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("UPDATE audit_events SET changes = '{}' WHERE id = :id"), {"id": before[0][0]})
        conn.rollback()
    assert _snapshot() == before


def test_orm_refuses_to_modify_an_event(pg_app):
    home = _new_home()
    [event] = _events("Home", home.id)
    event.actor_label = "forged"
    with pytest.raises(AuditTrailError):
        db.session.flush()
    db.session.rollback()
    [event] = _events("Home", home.id)
    assert event.actor_label == "test"


def test_orm_refuses_to_delete_an_event(pg_app):
    home = _new_home()
    [event] = _events("Home", home.id)
    db.session.delete(event)
    with pytest.raises(AuditTrailError):
        db.session.flush()
    db.session.rollback()
    assert len(_events("Home", home.id)) == 1


# ---------------------------------------------------------------- rollback

def test_refused_service_call_writes_nothing(pg_app):
    _new_home()
    homes, events = _count(Home), _count(AuditEvent)
    with pytest.raises(ServiceError) as error:
        _new_home(name="Another House")  # same URN
    assert error.value.field == "ofsted_urn"
    db.session.rollback()
    assert _count(Home) == homes == 1
    assert _count(AuditEvent) == events == 1
    assert db.session.scalar(select(Home).where(Home.name == "Another House")) is None


def test_failed_transaction_leaves_no_home_and_no_audit_row(pg_app):
    """A change flushed (and audited) then failing later in the same transaction leaves nothing."""
    existing = _new_home()
    events = _count(AuditEvent)
    with acting_as("test"):
        cedar = Home(name="Cedar House", ofsted_urn="SC900003", address="3 Cedar Road", registered_places=2)
        db.session.add(cedar)
        db.session.flush()  # the home row and its audit row are written now...
        cedar_id = cedar.id
        assert len(db.session.execute(text(
            "SELECT id FROM audit_events WHERE record_type = 'Home' AND record_id = :id"),
            {"id": cedar_id}).all()) == 1
        # ...then the same transaction fails at the database.
        db.session.add(Home(name="Birch House", ofsted_urn=existing.ofsted_urn, address="x", registered_places=1))
        with pytest.raises(IntegrityError):
            db.session.commit()
    db.session.rollback()
    # Checked on a separate connection: what is actually in the database.
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM homes WHERE id = :id OR name IN ('Cedar House', 'Birch House')"),
                            {"id": cedar_id}).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM audit_events WHERE record_type = 'Home' AND record_id = :id"),
                            {"id": cedar_id}).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() == events


def test_database_refuses_truncate(pg_app):
    _new_home()
    before = _snapshot()
    try:
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("TRUNCATE audit_events"))
    finally:
        db.session.rollback()
    assert _snapshot() == before
