"""A home's pages find the home and check the person's scope in one statement built once and
run with the person and the home bound (issue 13): it must answer for the person it is run with,
and its answer stands for `is_assigned` for the rest of the request."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine import access
from homes_qa.spine.people.models import User
from tests.helpers import statements_run

pytestmark = pytest.mark.usefixtures("clock")


def _as(app, user_id: int, home_id: int, method: str = "GET"):
    """home_or_404 in a request of the signed-in person: the home's id, or None for a 404."""
    from flask_login import login_user
    with app.test_request_context("/", method=method):
        user = db.session.get(User, user_id)
        login_user(user)
        try:
            home = access.home_or_404(home_id)
        except NotFound:
            return None
        with statements_run(app) as seen:  # the scope already read in a GET: no second read
            assigned = access.is_assigned(user, home_id)
        assert assigned is not user.sees_all_homes
        return home.id, len(seen)


def test_each_person_finds_their_own_home_only(app, world):
    a, b = world.home_a.id, world.home_b.id
    manager_a, manager_b = world.users[Role.REGISTERED_MANAGER].id, world.manager_b.id
    head = world.users[Role.HEAD_OF_SERVICE].id
    with app.app_context():
        for _ in range(2):  # built the first time round, kept the second
            assert _as(app, manager_a, a) == (a, 0)
            assert _as(app, manager_a, b) is None
            assert _as(app, manager_b, b) == (b, 0)
            assert _as(app, manager_b, a) is None
            assert _as(app, head, b) == (b, 1)  # sees every home: never assigned, asked once
            assert _as(app, manager_a, 999_999) is None and _as(app, head, 999_999) is None
            assert _as(app, world.unassigned_manager.id, a) is None
        # A POST keeps no answer between reads (an assignment may change within it).
        assert _as(app, manager_a, a, method="POST") == (a, 1)


def test_a_home_page_reads_the_home_and_the_scope_in_one_query(app, world):
    with app.app_context():
        from flask_login import login_user
        with app.test_request_context("/"):
            user = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
            login_user(user)
            assert not user.sees_all_homes
            with statements_run(app) as seen:
                access.home_or_404(world.home_a.id)
            assert len(seen) == 1
