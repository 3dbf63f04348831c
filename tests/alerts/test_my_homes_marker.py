""""My homes" is read from a marker kept on the alerts (`listing`, `listed_due_at`): it must list
exactly what the definition says — for every open obligation in scope, its highest alert,
unacknowledged first, then by the obligation's deadline, then by alert — while levels climb,
obligations are met or waived, deadlines move and alerts are acknowledged."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.alerts.queries import alerts_in_my_homes, count_in_my_homes
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User
from tests.helpers import alert_levels, my_homes_by_definition, need_to_know_obligations, statements_run, sweep_at

pytestmark = pytest.mark.usefixtures("clock")

T = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
# Need-to-know: due 24 h after the manager became aware; due soon 6 h before, overdue at the
# deadline, then the service manager 24 h and the head of service 48 h after it.
AWARE_HOURS_BEFORE_T = {"a_overdue": 25, "a_due_soon": 20, "a_long_overdue": 50, "a_not_yet": 10,
                        "b_overdue": 26, "b_due_soon": 22}


def _obligations(app, world) -> dict[str, int]:
    return need_to_know_obligations(app, world, AWARE_HOURS_BEFORE_T, T, "incident")



def _check(app, world) -> list[int]:
    """For every kind of reader, the list, its pages and its count equal the definition."""
    with app.app_context():
        readers = [world.users[Role.HEAD_OF_SERVICE], world.users[Role.SERVICE_MANAGER],
                   world.users[Role.REGISTERED_MANAGER], world.users[Role.HOME_STAFF], world.manager_b]
        head_listed: list[int] = []
        for ref in readers:
            user = db.session.get(User, ref.id)
            expected = my_homes_by_definition(user)
            assert [a.id for a in alerts_in_my_homes(user)] == expected, user.role
            paged = [a.id for page in range(1, len(expected) + 2) for a in alerts_in_my_homes(user, page=page, per_page=2)]
            assert paged[:len(expected)] == expected, user.role
            assert count_in_my_homes(user) == len(expected), user.role
            db.session.expire_all()
            if user.role == Role.HEAD_OF_SERVICE:
                head_listed = expected
        return head_listed


def _obligations_of(app, alert_ids: list[int]) -> list[int]:
    with app.app_context():
        return [db.session.get(Alert, alert_id).obligation_id for alert_id in alert_ids]



def test_my_homes_lists_the_highest_alert_of_each_open_obligation_as_it_changes(app, world):
    ids = _obligations(app, world)
    assert _check(app, world) == []  # nothing raised yet

    sweep_at(app, T)
    assert alert_levels(app, ids["a_overdue"]) == [0, 1] and alert_levels(app, ids["a_not_yet"]) == []
    mine = set(ids.values())
    assert mine & set(_obligations_of(app, _check(app, world))) == mine - {ids["a_not_yet"]}

    sweep_at(app, T + timedelta(hours=25))  # levels climb: the service manager's, the head's
    assert alert_levels(app, ids["a_long_overdue"]) == [0, 1, 2, 3]
    assert mine <= set(_obligations_of(app, _check(app, world)))

    with app.app_context(), acting_as("test"):
        service_manager = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        obligations.discharge(db.session.get(Obligation, ids["a_overdue"]), met_at=T + timedelta(hours=25))
        obligations.waive(db.session.get(Obligation, ids["b_due_soon"]), reason="Recorded on paper at the time",
                          by=service_manager)
        # The latest deadline is moved to be the earliest: the list's order changes, no alert is raised.
        obligations.move_due(db.session.get(Obligation, ids["a_not_yet"]), T - timedelta(hours=60))
        db.session.commit()
    listed = _check(app, world)
    assert mine & set(_obligations_of(app, listed)) == mine - {ids["a_overdue"], ids["b_due_soon"]}
    assert _obligations_of(app, listed)[0] == ids["a_not_yet"]

    with app.app_context(), acting_as("test"):
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        alert_service.acknowledge(db.session.get(Alert, listed[0]), note="Spoken to the manager", by=head)
    assert _check(app, world)[-1] == listed[0]  # acknowledged: after the unacknowledged

    sweep_at(app, T + timedelta(hours=26))  # the moved deadline's levels, the acknowledged one outranked
    assert alert_levels(app, ids["a_not_yet"]) == [0, 1, 2, 3]
    assert listed[0] not in _check(app, world)

    with app.app_context(), acting_as("test"):  # an alert added as a record, not by the sweep
        db.session.add(Alert(obligation_id=ids["b_overdue"], level=9, target_role=Role.HEAD_OF_SERVICE,
                             home_id=world.home_b.id, raised_at=T, reached_at=T))
        db.session.commit()
    with app.app_context():
        top = db.session.scalar(select(Alert.id).where(Alert.obligation_id == ids["b_overdue"], Alert.level == 9))
    assert top in _check(app, world)


def test_a_head_of_service_s_list_and_count_do_not_rank_every_open_alert(app, world):
    """The cause of issue 13's growth: no max(level) per alert, no join to every open obligation."""
    _obligations(app, world)
    sweep_at(app, T)
    with app.app_context():
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        with statements_run(app) as seen:
            count_in_my_homes(head)
            alerts_in_my_homes(head, per_page=25)
    count, listed = (statement.lower() for statement in seen[:2])
    assert "max(" not in count and "join" not in count
    assert "max(" not in listed and "order by alerts.listing, alerts.listed_due_at, alerts.id" in listed


def test_a_deadline_mended_by_hand_in_sql_is_listed_right_once_the_sweep_looks_again(app, world):
    # What an operator repairing a snapshot with SQL must do (tests/spine/test_sweep.py): reset
    # next_alert_at; the sweep's next look works the marker out again from the row.
    ids = _obligations(app, world)
    sweep_at(app, T)
    with app.app_context():
        db.session.execute(text("UPDATE obligations SET due_at = :due, next_alert_at = '1970-01-01 00:00:00' "
                                "WHERE id = :id"), {"id": ids["b_due_soon"], "due": (T + timedelta(hours=5)).replace(tzinfo=None)})
        db.session.commit()
    sweep_at(app, T + timedelta(minutes=5))  # still only due soon: nothing new raised, only its place moves
    assert alert_levels(app, ids["b_due_soon"]) == [0]
    order = _obligations_of(app, _check(app, world))
    assert order.index(ids["a_due_soon"]) < order.index(ids["b_due_soon"])  # due T + 4 h, then T + 5 h


def test_0027_fills_the_marker_in_for_existing_alerts_and_goes_down_again(app, world):
    ids = _obligations(app, world)
    sweep_at(app, T + timedelta(hours=25))
    with app.app_context(), acting_as("test"):
        obligations.discharge(db.session.get(Obligation, ids["a_overdue"]), met_at=T + timedelta(hours=25))
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        top = db.session.scalar(select(Alert).where(Alert.obligation_id == ids["b_overdue"]).order_by(Alert.level.desc()))
        alert_service.acknowledge(top, note="Spoken to the manager", by=head)
        top_id = top.id
    listed = _check(app, world)
    with app.app_context():
        downgrade(revision="0026")  # the revision before 0027
        columns = {c["name"] for c in inspect(db.engine).get_columns("alerts")}
        assert not {"listing", "listed_due_at"} & columns
        upgrade()
        db.session.remove()
    assert _check(app, world) == listed and listed[-1] == top_id  # acknowledged: last
