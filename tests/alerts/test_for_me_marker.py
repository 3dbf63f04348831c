""""For me", the header badge and the first page's "Escalated to you" are read from a marker
kept on the alerts (`role_listing`, `listed_due_at`): they must list exactly what their
definitions say — for every open obligation in scope, its highest alert aimed at my role,
unacknowledged first, then by the obligation's deadline; the open obligations with an
escalation aimed at my role, earliest first — while levels climb, obligations are met or
waived, deadlines move, alerts are acknowledged and an alert is added as a record."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from homes_qa.core.roles import Role
from homes_qa.exceptions.queries import my_work
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.alerts.queries import (
    BADGE_CAP,
    alerts_for_me,
    count_for_me,
    unacknowledged_for_me_count,
)
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User
from tests.helpers import (
    alert_levels,
    escalated_to_me_by_definition,
    for_me_by_definition,
    need_to_know_obligations,
    statements_run,
    sweep_at,
)

pytestmark = pytest.mark.usefixtures("clock")

T = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
# Need-to-know: due 24 h after the manager became aware; due soon 6 h before, overdue at the
# deadline (the service manager's), then the service manager 24 h and the head of service 48 h after.
AWARE_HOURS_BEFORE_T = {"a_overdue": 25, "a_due_soon": 20, "a_long_overdue": 50, "a_not_yet": 10,
                        "b_overdue": 26, "b_due_soon": 22, "b_long_overdue": 75}



def _readers(world) -> list[int]:
    return [world.users[Role.HEAD_OF_SERVICE].id, world.users[Role.ADMIN].id, world.users[Role.SERVICE_MANAGER].id,
            world.users[Role.REGISTERED_MANAGER].id, world.users[Role.HOME_STAFF].id, world.manager_b.id]


def _check(app, world, now: datetime) -> dict[str, list[int]]:
    """For every kind of reader: "For me", its pages, its count and the badge; "Escalated to
    you" and its total, each equal to its definition. The head of service's two lists."""
    with app.app_context():
        seen: dict[str, list[int]] = {}
        for user_id in _readers(world):
            user = db.session.get(User, user_id)
            expected = for_me_by_definition(user)
            assert [a.id for a in alerts_for_me(user)] == expected, user.role
            paged = [a.id for page in range(1, len(expected) + 2) for a in alerts_for_me(user, page=page, per_page=2)]
            assert paged[:len(expected)] == expected, user.role
            assert count_for_me(user) == len(expected), user.role
            unacknowledged = [i for i in expected if db.session.get(Alert, i).acknowledged_at is None]
            assert unacknowledged_for_me_count(user) == min(len(unacknowledged), BADGE_CAP + 1), user.role
            if user.role != Role.REGISTERED_MANAGER:  # a manager's first page has no such list
                escalated = escalated_to_me_by_definition(user, now)
                work = my_work(user, now, limit=2, mine=False)
                assert [item.obligation.id for item in work.escalations] == escalated[:2], user.role
                assert work.total("escalations") == len(escalated), user.role
                assert {item.status for item in work.escalations} <= {"escalated"}
            if user.role == Role.HEAD_OF_SERVICE:
                seen = {"for_me": expected, "escalated": escalated_to_me_by_definition(user, now)}
            db.session.expire_all()
        return seen



def test_for_me_and_escalated_to_you_follow_their_definitions_as_alerts_change(app, world):
    ids = need_to_know_obligations(app, world, AWARE_HOURS_BEFORE_T, T, "for-me")
    assert _check(app, world, T) == {"for_me": [], "escalated": []}  # nothing raised yet

    sweep_at(app, T)
    assert alert_levels(app, ids["b_long_overdue"]) == [0, 1, 2, 3]  # up to the head of service
    head = _check(app, world, T)
    assert head["escalated"] == [ids["b_long_overdue"]]

    later = T + timedelta(hours=25)
    sweep_at(app, later)  # levels climb: more reach the head of service
    head = _check(app, world, later)
    assert {ids["a_long_overdue"], ids["b_long_overdue"]} <= set(head["escalated"])

    with app.app_context(), acting_as("test"):
        service_manager = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        obligations.discharge(db.session.get(Obligation, ids["a_long_overdue"]), met_at=later)
        obligations.waive(db.session.get(Obligation, ids["b_due_soon"]), reason="Recorded on paper at the time",
                          by=service_manager)
        # The latest deadline is moved to be the earliest: the lists' order changes.
        obligations.move_due(db.session.get(Obligation, ids["a_not_yet"]), T - timedelta(hours=90))
        db.session.commit()
    head = _check(app, world, later)
    assert ids["a_long_overdue"] not in head["escalated"]

    sweep_at(app, later + timedelta(minutes=5))  # the moved deadline reaches the head of service
    head = _check(app, world, later)
    assert head["escalated"][0] == ids["a_not_yet"]

    with app.app_context(), acting_as("test"):  # acknowledged: after the unacknowledged in "For me"
        user = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        first = db.session.get(Alert, head["for_me"][0])
        alert_service.acknowledge(first, note="Spoken to the manager", by=user)
        first_id = first.id
    head = _check(app, world, later)
    assert head["for_me"][-1] == first_id and head["escalated"][0] == ids["a_not_yet"]

    with app.app_context(), acting_as("test"):  # an alert added as a record, not by the sweep
        db.session.add(Alert(obligation_id=ids["b_overdue"], level=9, target_role=Role.HEAD_OF_SERVICE,
                             home_id=world.home_b.id, raised_at=T, reached_at=T))
        db.session.commit()
    head = _check(app, world, later)
    assert ids["b_overdue"] in head["escalated"]


def test_a_head_of_service_s_lists_do_not_join_every_alert_to_its_obligation(app, world):
    """The cause of issue 13's growth: "For me" and its count took a max(level) per alert of the
    role and joined each to its obligation; "Escalated to you" tested every open obligation."""
    need_to_know_obligations(app, world, AWARE_HOURS_BEFORE_T, T, "for-me")
    sweep_at(app, T)
    with app.app_context():
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        with statements_run(app) as seen:
            count_for_me(head)
            alerts_for_me(head, per_page=25)
            my_work(head, T, limit=10, mine=False)
    count, listed, work = (statement.lower() for statement in seen[:3])
    assert "max(" not in count and "join" not in count and "alerts.role_listing is not null" in count
    assert "max(" not in listed and "order by alerts.role_listing, alerts.listed_due_at, alerts.id" in listed
    # The first page's rows in the index's order, and the count, from the alerts alone.
    assert "order by alerts.listed_due_at, alerts.obligation_id" in " ".join(work.split())
    assert "alerts join obligations" not in work and "max(" not in work


def test_0036_fills_the_marker_in_for_existing_alerts_and_goes_down_again(app, world):
    ids = need_to_know_obligations(app, world, AWARE_HOURS_BEFORE_T, T, "for-me")
    later = T + timedelta(hours=25)
    sweep_at(app, later)
    with app.app_context(), acting_as("test"):
        obligations.discharge(db.session.get(Obligation, ids["a_overdue"]), met_at=later)
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        top = db.session.scalar(select(Alert).where(Alert.obligation_id == ids["b_long_overdue"],
                                                    Alert.target_role == Role.HEAD_OF_SERVICE))
        alert_service.acknowledge(top, note="Spoken to the manager", by=head)
        top_id = top.id
    listed = _check(app, world, later)
    assert listed["for_me"][-1] == top_id
    with app.app_context():
        downgrade(revision="0035")
        columns = {c["name"] for c in inspect(db.engine).get_columns("alerts")}
        assert "role_listing" not in columns
        # As 0027 left it: the due date on the "My homes" alert alone.
        assert not db.session.execute(db.text(
            "SELECT count(*) FROM alerts WHERE listing IS NULL AND listed_due_at IS NOT NULL")).scalar()
        upgrade()
        db.session.remove()
    assert _check(app, world, later) == listed


# The planner's statistics of a county's alerts (1,000 homes × 5 years, 47,813 alerts: the
# bench's 10× estate, read from sqlite_stat1 after the scheduler's ANALYZE), to plan as it plans there.
COUNTY_STATISTICS = {
    "ix_alerts_role_due": "47813 11954 282 1 1", "ix_alerts_role_listed": "47813 11954 6831 282 1",
    "ix_alerts_role_unacknowledged": "47813 11954 11954 12", "ix_alerts_home_raised": "47813 48 48",
    "ix_alerts_escalated": "47813 11954 5313 1", "ix_alerts_listed": "47813 23907 420 1",
    "ix_alerts_raised_at": "47813 47813", "ix_alerts_obligation_id": "47813 3", "sqlite_autoindex_alerts_1": "47813 3 1",
}


def _alert_plan(statement, user) -> list[str]:
    from homes_qa.spine.access import viewer
    compiled = statement.compile(db.engine, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params({**viewer(user), "limit": 25, "offset": 0})
    parameters = tuple(values.get(name) for name in compiled.positiontup)
    rows = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", parameters)
    return [row[3] for row in rows if " alerts " in f" {row[3]} "]


def test_at_county_scale_someone_with_a_few_homes_seeks_their_homes_alerts(app, world):
    """With a county's statistics, the marker's index serves those who see every home; a manager's
    or service manager's "For me", count and badge seek their homes' alerts instead of walking
    every alert of their role in the estate (what SQLite chose with no statistics for the index)."""
    from homes_qa.exceptions.queries import _clock as clock
    from homes_qa.exceptions.queries import _my_work_statement as my_work_statement
    from homes_qa.spine.access import viewer
    from homes_qa.spine.alerts import queries
    with app.app_context():
        db.session.execute(db.text("ANALYZE"))
        db.session.execute(db.text("DELETE FROM sqlite_stat1 WHERE tbl = 'alerts'"))
        for index, stat in COUNTY_STATISTICS.items():
            db.session.execute(db.text("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('alerts', :i, :s)"),
                               {"i": index, "s": stat})
        db.session.execute(db.text("ANALYZE sqlite_schema"))  # the planner reads them again
        for role in (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
            user = db.session.get(User, world.users[role].id)
            for statement in (queries._count_statement(role, queries.FOR_ME), queries._list_statement(role, queries.FOR_ME),
                              queries._badge_statement(role)):
                steps = _alert_plan(statement, user)
                assert steps and all(step.startswith("SEARCH") for step in steps), (role, steps)
                walks_the_role = any("ix_alerts_role_listed" in step for step in steps)
                if role == Role.HEAD_OF_SERVICE and statement is not queries._badge_statement(role):
                    assert walks_the_role, steps
                elif role != Role.HEAD_OF_SERVICE:
                    assert not walks_the_role, (role, steps)
        # "Escalated to you": the head of service's first rows and count from the deadline index.
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        _names, work = my_work_statement(Role.HEAD_OF_SERVICE, False, False, ())
        compiled = work.compile(db.engine, compile_kwargs={"render_postcompile": True})
        values = compiled.construct_params({**viewer(head), **clock(T), "limit": 10})
        parameters = tuple(v.isoformat(" ") if isinstance(v, datetime) else v
                           for v in (values.get(name) for name in compiled.positiontup))
        plan = [row[3] for row in db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", parameters)]
        alert_steps = [step for step in plan if " alerts " in f" {step} "]
        assert alert_steps and all("COVERING INDEX ix_alerts_role_due" in step for step in alert_steps), plan
        db.session.rollback()


def test_0036_gives_an_analyzed_database_the_new_index_s_statistics(app, world):
    need_to_know_obligations(app, world, AWARE_HOURS_BEFORE_T, T, "for-me")
    sweep_at(app, T)
    with app.app_context():
        downgrade(revision="0035")
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        upgrade()
        indexes = set(db.session.scalars(db.text("SELECT idx FROM sqlite_stat1 WHERE tbl = 'alerts'")))
        db.session.remove()
    assert "ix_alerts_role_listed" in indexes
