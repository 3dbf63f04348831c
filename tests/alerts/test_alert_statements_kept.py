"""The alerts' lists and counts, and the header badge on every page, are statements built once
per role and run with the person bound (issue 13): a kept statement must answer for the person
it is run with, never for the one whose request built it, and a role's for that role alone."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.access import visible_home_ids_query
from homes_qa.spine.alerts import queries
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people.models import User
from tests.helpers import my_homes_by_definition, need_to_know_obligations, statements_run

pytestmark = pytest.mark.usefixtures("clock")

T = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
# Need-to-know notifications, due 24 hours after awareness: overdue to the registered manager
# (the one aware of 60 hours ago escalated to the service manager too).
AWARE_HOURS_BEFORE_T = {"a": 30, "a_long": 60, "b": 30}


@pytest.fixture
def alerts(app, world) -> dict[str, int]:
    """Obligations in home A (two) and home B (one), swept at T: alerts for both homes' roles."""
    ids = need_to_know_obligations(app, world, AWARE_HOURS_BEFORE_T, T, "kept")
    with app.app_context(), acting_as("scheduler"):
        alert_service.sweep(T)
    return ids


def _for_me(user: User) -> list[tuple[int, int | None]]:
    return [(alert.obligation_id, alert.home_id) for alert in queries.alerts_for_me(user)]


def _for_me_by_definition(user: User) -> list[int]:
    """The obligations of "For me" worked out in Python: open, in the person's homes, with an
    alert aimed at their role (each obligation once, at its highest level for the role)."""
    homes = None if user.sees_all_homes else set(db.session.scalars(visible_home_ids_query(user)))
    listed = {alert.obligation_id for alert in db.session.query(Alert)
              if alert.target_role == user.role and alert.obligation.is_open
              and (homes is None or alert.home_id in homes or alert.home_id is None)}
    return sorted(listed)


def test_the_badge_and_lists_answer_for_the_person_they_are_run_with(app, world, alerts):
    with app.app_context():
        manager_a = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        manager_b = db.session.get(User, world.manager_b.id)
        for first, second in ((manager_a, manager_b), (manager_b, manager_a)):  # either builds it
            for user in (first, second):
                expected = _for_me_by_definition(user)
                assert expected, user.email
                assert sorted(obligation for obligation, _ in _for_me(user)) == expected, user.email
                assert queries.count_for_me(user) == len(expected)
                assert queries.unacknowledged_for_me_count(user) == len(expected)
                assert [a.id for a in queries.alerts_in_my_homes(user)] == my_homes_by_definition(user)
                assert queries.count_in_my_homes(user) == len(my_homes_by_definition(user))
        assert {home for _, home in _for_me(manager_a)} == {world.home_a.id}
        assert {home for _, home in _for_me(manager_b)} == {world.home_b.id}
        assert queries.unacknowledged_for_me_count(manager_a) > queries.unacknowledged_for_me_count(manager_b)


def test_each_role_keeps_its_own_statement(app, world, alerts):
    """Same homes, other roles: the service manager's badge counts the escalations aimed at
    them, the registered manager's their own alerts; the head of service's covers every home."""
    with app.app_context():
        users = {role: db.session.get(User, world.users[role].id)
                 for role in (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)}
        for _ in range(2):  # built the first time round, kept the second
            for user in users.values():
                expected = _for_me_by_definition(user)
                assert queries.unacknowledged_for_me_count(user) == len(expected), user.role
                assert sorted(obligation for obligation, _ in _for_me(user)) == expected, user.role
                assert [a.id for a in queries.alerts_in_my_homes(user)] == my_homes_by_definition(user)
        head = users[Role.HEAD_OF_SERVICE]
        assert {home for _, home in _for_me(head)} <= {world.home_a.id, world.home_b.id}
        kept = queries._badge_statement(Role.SERVICE_MANAGER)
        assert queries._badge_statement(Role.SERVICE_MANAGER) is kept
        assert queries._badge_statement(Role.REGISTERED_MANAGER) is not kept


def test_an_acknowledged_alert_leaves_the_badge_of_that_person_only(app, world, alerts):
    with app.app_context(), acting_as("test"):
        manager_a = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        manager_b = db.session.get(User, world.manager_b.id)
        before_a, before_b = queries.unacknowledged_for_me_count(manager_a), queries.unacknowledged_for_me_count(manager_b)
        alert = queries.alerts_for_me(manager_a)[0]
        alert.acknowledged_at, alert.acknowledged_by_id = T, manager_a.id
        db.session.commit()
        assert queries.unacknowledged_for_me_count(manager_a) == before_a - 1
        assert queries.count_for_me(manager_a) == before_a  # still listed, acknowledged last
        assert queries.alerts_for_me(manager_a)[-1].id == alert.id
        assert queries.unacknowledged_for_me_count(manager_b) == before_b


def test_a_page_of_a_list_is_bound_when_run(app, world, alerts):
    with app.app_context():
        manager_a = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        whole = [a.id for a in queries.alerts_for_me(manager_a)]
        paged = [a.id for page in (1, 2, 3, 4) for a in queries.alerts_for_me(manager_a, page=page, per_page=1)]
        assert paged == whole and len(whole) == 3  # two notifications, and home A's weekly fire alarm test
        with statements_run(app) as seen:
            queries.unacknowledged_for_me_count(manager_a)
        assert len(seen) == 1

