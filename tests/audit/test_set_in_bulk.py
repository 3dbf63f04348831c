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
from homes_qa.spine.audit.models import AuditEvent, acting_as, set_in_bulk
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
