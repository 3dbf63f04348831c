"""`set_in_bulk` changes thousands of rows in one UPDATE (the sweep marks every alert it has
e-mailed): the rows, the objects in the session and the audit trail must end exactly as if each
object had been changed and flushed one by one through the unit of work (issue 13)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.alerts.service import sweep
from homes_qa.spine.audit.models import AuditEvent, acting_as, insert_in_bulk, set_in_bulk
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people.models import Home

pytestmark = pytest.mark.usefixtures("clock")

T = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _alerts(app, world) -> list[int]:
    """Four alerts, none e-mailed yet: two obligations, each overdue (due soon and overdue raised)."""
    with app.app_context(), acting_as("test"):
        for key, home in (("bulk:a", world.home_a.id), ("bulk:b", world.home_b.id)):
            obligation_for_event("incident_ntk_service_manager", db.session.get(Home, home),
                                 T - timedelta(hours=30), key=key)
        db.session.commit()
        sweep(T)
        db.session.execute(Alert.__table__.update().values(notified_at=None))
        db.session.commit()
        return list(db.session.scalars(select(Alert.id).order_by(Alert.id)))


def _trail(ids: list[int], actor: str = "scheduler") -> list[tuple]:
    """What the trail says `actor` changed on these alerts (the trail is append-only: each
    run below acts under its own name)."""
    return [(e.action, e.record_type, e.record_id, e.record_label, e.home_id, e.changes)
            for e in db.session.scalars(select(AuditEvent).where(
                AuditEvent.record_type == "Alert", AuditEvent.actor_label == actor,
                AuditEvent.record_id.in_(ids)).order_by(AuditEvent.record_id))]


def test_a_bulk_change_ends_as_the_unit_of_work_would_leave_it(app, world):
    ids = _alerts(app, world)
    assert len(ids) >= 4
    at = T + timedelta(hours=1)
    # One by one, through the unit of work: the trail it writes is the reference.
    with app.app_context(), acting_as("one by one"):
        for alert in db.session.scalars(select(Alert).where(Alert.id.in_(ids))):
            alert.notified_at = at
        db.session.commit()
        by_unit_of_work = _trail(ids, "one by one")
        db.session.execute(Alert.__table__.update().values(notified_at=None))
        db.session.commit()
    with app.app_context(), acting_as("scheduler"):
        alerts = list(db.session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)))
        set_in_bulk(alerts, {"notified_at": at})
        assert not db.session.dirty  # nothing left for a later flush to write (or audit) again
        assert all(alert.notified_at == at for alert in alerts)
        db.session.commit()
        assert _trail(ids) == by_unit_of_work
        assert len(by_unit_of_work) == len(ids)
        stored = dict(db.session.execute(select(Alert.id, Alert.notified_at).where(Alert.id.in_(ids))).all())
        assert set(stored.values()) == {at}


def test_rows_already_holding_the_value_are_not_written_to_the_trail(app, world):
    ids = _alerts(app, world)
    at = T + timedelta(hours=1)
    with app.app_context(), acting_as("scheduler"):
        alerts = list(db.session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)))
        set_in_bulk(alerts[:1], {"notified_at": at})
        db.session.commit()
    with app.app_context(), acting_as("scheduler"):
        alerts = list(db.session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)))
        set_in_bulk(alerts, {"notified_at": at})
        db.session.commit()
        assert [row[2] for row in _trail(ids)] == ids  # one entry each, the first one's only once


def test_a_bulk_change_is_rolled_back_with_its_transaction(app, world):
    ids = _alerts(app, world)
    with app.app_context(), acting_as("scheduler"):
        set_in_bulk(list(db.session.scalars(select(Alert).where(Alert.id.in_(ids)))), {"notified_at": T})
        db.session.rollback()
        assert _trail(ids) == []
        assert set(db.session.scalars(select(Alert.notified_at).where(Alert.id.in_(ids)))) == {None}


def test_objects_of_two_models_are_refused(app, world):
    _alerts(app, world)
    with app.app_context():
        mixed = [db.session.scalars(select(Alert)).first(), db.session.get(Home, world.home_a.id)]
        with pytest.raises(TypeError):
            set_in_bulk(mixed, {"notified_at": T})


def _obligation_trail(actor: str) -> list[tuple]:
    return sorted((e.action, e.record_type, e.record_label, e.home_id, sorted(e.changes.items()))
                  for e in db.session.scalars(select(AuditEvent).where(
                      AuditEvent.record_type == "Obligation", AuditEvent.actor_label == actor)))


def _columns(obligation) -> dict:
    skip = {"id", "created_at"}
    return {c.key: getattr(obligation, c.key) for c in Obligation.__table__.columns if c.key not in skip}


def test_records_made_in_bulk_are_stored_and_audited_as_the_unit_of_work_makes_them(app, world):
    """A month's calendar obligations made by `insert_in_bulk` (as the sweep makes them) and the
    same obligations made one by one through the unit of work: the same rows, the same trail."""
    from homes_qa.spine.obligations import service as obligations
    from homes_qa.spine.rules.models import Rule
    from homes_qa.spine.rules.service import sync_catalogue
    with app.app_context():
        sync_catalogue()
        db.session.commit()
        rule = db.session.scalars(select(Rule).where(Rule.trigger == "calendar", Rule.scope == "home")).first()
        home = db.session.get(Home, world.home_a.id)
        due = datetime(2027, 7, 31, 22, 59, 59, tzinfo=UTC)  # in summer time: the offset must not differ
        with acting_as("one by one"):
            one = obligations._new(rule, home, "2027-07", due, "July 2027")
            db.session.add(one)
            db.session.commit()
            by_unit_of_work, reference = _obligation_trail("one by one"), _columns(one)
            db.session.execute(Obligation.__table__.delete().where(Obligation.id == one.id))
            db.session.commit()
        with acting_as("in bulk"):
            made = insert_in_bulk(Obligation, [obligations._row(rule, home, "2027-07", due, "July 2027")])
            db.session.commit()
            assert _obligation_trail("in bulk") == by_unit_of_work
            db.session.expire_all()
            assert _columns(db.session.get(Obligation, made[0].id)) == reference
