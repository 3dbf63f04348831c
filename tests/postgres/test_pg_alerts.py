""""My homes" from its marker on PostgreSQL: the flush-time UPDATE that keeps it and the
migration's index give the same list and count as the definition."""
from datetime import UTC, datetime, timedelta

from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.alerts.queries import alerts_in_my_homes, count_in_my_homes
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from tests.helpers import my_homes_by_definition

T = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _same_as_the_definition(*users) -> list[int]:
    for user in users:
        expected = my_homes_by_definition(user)
        assert [a.id for a in alerts_in_my_homes(user)] == expected
        assert count_in_my_homes(user) == len(expected)
        db.session.expire_all()
    return my_homes_by_definition(users[0])


def test_my_homes_follows_levels_closing_moving_and_acknowledging_on_postgres(pg_world):
    with acting_as("test"):
        made = [obligations.obligation_for_event("incident_ntk_service_manager", home, T - timedelta(hours=hours),
                                                 key=f"incident:{n}")
                for n, (home, hours) in enumerate(((pg_world.alder, 25), (pg_world.alder, 50), (pg_world.birch, 20),
                                                   (pg_world.cedar, 10)))]
        db.session.commit()
    alerts.sweep(T)
    _same_as_the_definition(pg_world.head, pg_world.manager)
    alerts.sweep(T + timedelta(hours=25))
    _same_as_the_definition(pg_world.head, pg_world.manager)
    with acting_as("test"):
        obligations.discharge(made[0], met_at=T + timedelta(hours=25))
        obligations.move_due(made[3], T - timedelta(hours=60))
        db.session.commit()
    listed = _same_as_the_definition(pg_world.head, pg_world.manager)
    with acting_as("test"):
        alerts.acknowledge(db.session.get(Alert, listed[0]), note="Spoken to the manager", by=pg_world.head)
    assert _same_as_the_definition(pg_world.head, pg_world.manager)[-1] == listed[0]
