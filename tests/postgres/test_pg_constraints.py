"""Constraints and column types, enforced by PostgreSQL itself (bypassing the services)."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg.errors
import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from homes_qa.extensions import db
from homes_qa.spine.people.models import Assignment, Home, User

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")


def _integrity_error(excinfo, kind, constraint: str):
    assert isinstance(excinfo.value.orig, kind), type(excinfo.value.orig)
    assert excinfo.value.orig.diag.constraint_name == constraint


def test_duplicate_assignment_refused_by_the_database(pg_world):
    w = pg_world
    with pytest.raises(IntegrityError) as excinfo:
        db.session.execute(insert(Assignment).values(user_id=w.manager.id, home_id=w.alder.id,
                                                     created_at=datetime.now(UTC)))
    _integrity_error(excinfo, psycopg.errors.UniqueViolation, "uq_assignments_user_home")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.user_id == w.manager.id, Assignment.home_id == w.alder.id)) == 1


def test_duplicate_assignment_through_the_orm_refused(pg_world):
    w = pg_world
    db.session.add(Assignment(user_id=w.visitor.id, home_id=w.birch.id))
    with pytest.raises(IntegrityError) as excinfo:
        db.session.commit()
    _integrity_error(excinfo, psycopg.errors.UniqueViolation, "uq_assignments_user_home")
    db.session.rollback()


@pytest.mark.parametrize("column", ["user_id", "home_id"])
def test_foreign_keys_enforced(pg_world, column):
    w = pg_world
    values = {"user_id": w.unassigned.id, "home_id": w.alder.id, column: 987654}
    with pytest.raises(IntegrityError) as excinfo:
        db.session.execute(text("INSERT INTO assignments (user_id, home_id, created_at) "
                                "VALUES (:user_id, :home_id, now())"), values)
    table = "users" if column == "user_id" else "homes"
    _integrity_error(excinfo, psycopg.errors.ForeignKeyViolation, f"fk_assignments_{column}_{table}")
    db.session.rollback()


def test_deleting_a_user_in_sql_cascades_to_assignments(pg_world):
    """ON DELETE CASCADE is in the database, not only in the ORM relationship."""
    w = pg_world
    manager_id = w.manager.id
    db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": manager_id})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.user_id == manager_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Home)) == 3


def test_unique_home_urn_and_user_email(pg_world):
    w = pg_world
    db.session.add(Home(name="Other", ofsted_urn=w.alder.ofsted_urn, address="x", registered_places=1))
    with pytest.raises(IntegrityError) as excinfo:
        db.session.flush()
    _integrity_error(excinfo, psycopg.errors.UniqueViolation, "uq_homes_ofsted_urn")
    db.session.rollback()
    db.session.add(User(name="Dup", email=w.admin.email, password_hash="x", role="admin"))
    with pytest.raises(IntegrityError) as excinfo:
        db.session.flush()
    _integrity_error(excinfo, psycopg.errors.UniqueViolation, "uq_users_email")
    db.session.rollback()


def test_not_null_enforced(pg_app):
    with pytest.raises(IntegrityError) as excinfo:
        db.session.execute(text("INSERT INTO homes (name, ofsted_urn, address, status, created_at) "
                                "VALUES ('A', 'SC1', 'x', 'open', now())"))
    assert isinstance(excinfo.value.orig, psycopg.errors.NotNullViolation)
    db.session.rollback()


# ---------------------------------------------------------------- UTCDateTime

def test_server_runs_in_a_non_utc_zone(pg_app):
    """Otherwise the round-trip tests below could not catch a zone mix-up."""
    zone = db.session.execute(text("SHOW timezone")).scalar()
    offset = db.session.execute(text("SELECT extract(timezone FROM now())")).scalar()
    assert zone not in ("UTC", "Etc/UTC", "GMT", "Etc/GMT", "Universal", "Zulu")
    assert offset != 0, f"server zone {zone} is at UTC today"


def test_aware_datetimes_round_trip_as_utc(pg_world):
    user_id = pg_world.manager.id
    london_summer = datetime(2026, 7, 1, 12, 30, tzinfo=ZoneInfo("Europe/London"))  # 11:30 UTC
    user = db.session.get(User, user_id)
    user.last_sign_in_at = london_summer
    db.session.commit()
    db.session.expire_all()

    loaded = db.session.get(User, user_id).last_sign_in_at
    assert loaded.tzinfo is not None
    assert loaded.utcoffset() == timedelta(0)
    assert loaded == london_summer
    assert (loaded.hour, loaded.minute) == (11, 30)
    # Stored as naive UTC, whatever the server's zone.
    raw = db.session.execute(text("SELECT last_sign_in_at FROM users WHERE id = :id"), {"id": user_id}).scalar()
    assert raw == datetime(2026, 7, 1, 11, 30)
    # The defaults (utcnow) come back aware too, and near now.
    created = db.session.get(User, user_id).created_at
    assert created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)


def test_naive_datetime_refused(pg_world):
    user = db.session.get(User, pg_world.manager.id)
    user.last_sign_in_at = datetime(2026, 1, 1, 9, 0)
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_utc_datetimes_order_correctly_across_zones(pg_world):
    """Instants given in different zones sort by instant, not by wall-clock time."""
    w = pg_world
    earlier = datetime(2026, 3, 1, 23, 0, tzinfo=ZoneInfo("America/New_York"))   # 04:00 UTC 2 Mar
    later = datetime(2026, 3, 2, 6, 0, tzinfo=ZoneInfo("Europe/London"))         # 06:00 UTC 2 Mar
    db.session.get(User, w.admin.id).last_sign_in_at = later
    db.session.get(User, w.head.id).last_sign_in_at = earlier
    db.session.commit()
    db.session.expire_all()
    order = db.session.scalars(select(User.id).where(User.last_sign_in_at.is_not(None))
                               .order_by(User.last_sign_in_at)).all()
    assert order == [w.head.id, w.admin.id]


# ---------------------------------------------------------------- status CHECK constraints

_OUTBOUND_EMAIL = ("INSERT INTO outbound_emails (kind, dedupe_key, to_address, subject, body_text, status, "
                   "attempts, next_attempt_at, created_at) "
                   "VALUES ('alert', 'k', 'a@b.c', 's', 'b', 'lost', 0, now(), now())")
_VISIT = ("INSERT INTO reg44_visits (home_id, visitor_id, status, announced, spoke_children, spoke_parents, "
          "spoke_staff, spoke_professionals, spoke_roles, records_inspected, notes, created_at) "
          "VALUES (:home, :user, 'postponed', true, 0, 0, 0, 0, '', '', '', now())")


@pytest.mark.parametrize(("constraint", "sql"), [
    ("ck_homes_status", "UPDATE homes SET status = 'demolished' WHERE id = :home"),
    ("ck_users_role", "UPDATE users SET role = 'superuser' WHERE id = :user"),
    ("ck_outbound_emails_status", _OUTBOUND_EMAIL),
    ("ck_reg44_visits_status", _VISIT),
])
def test_invalid_status_refused_by_the_database(pg_world, constraint, sql):
    w = pg_world
    with pytest.raises(IntegrityError) as excinfo:
        db.session.execute(text(sql), {"home": w.alder.id, "user": w.visitor.id})
    _integrity_error(excinfo, psycopg.errors.CheckViolation, constraint)
    db.session.rollback()
    assert db.session.get(Home, w.alder.id).status == "open"


def test_status_check_constraints_are_the_models(pg_app):
    """Migration 0004 built every CHECK the models declare, and no other."""
    from sqlalchemy import CheckConstraint

    declared = {c.name for t in db.metadata.tables.values() for c in t.constraints
                if isinstance(c, CheckConstraint)}
    migrated = set(db.session.scalars(text(
        "SELECT conname FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace")))
    assert declared
    assert migrated == declared
