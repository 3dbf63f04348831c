"""The head of service's first page reads the QPAG actions to chase and the reviews to commission
with statements built once and run with the person and the day bound (issue 13): each must
answer for the person and the day it is run with, never those of the request that built it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections import queries
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock
from tests.main.test_qpag_first_pages import _actions

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def test_the_qpag_actions_to_chase_answer_for_the_day_and_the_person(app, world):
    made = _actions(app, world)
    with app.app_context():
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        manager_a = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)  # home A only

        def chased(user: User, day) -> list[int]:
            return [action.id for action in queries.qpag_actions_for_chair(user, day)]
        for _ in range(2):  # built the first time round, kept the second
            assert chased(head, TODAY) == [made["overdue"], made["escalated"]]
            assert chased(head, TODAY - timedelta(days=6)) == [made["escalated"]]  # not yet overdue then
            assert chased(head, TODAY + timedelta(days=11)) == [made["overdue"], made["on-track"], made["escalated"]]
            assert chased(manager_a, TODAY) == [made["escalated"]]  # home B's is not in their homes
            assert chased(manager_a, TODAY + timedelta(days=11)) == [made["on-track"], made["escalated"]]
        assert [a.id for a in queries.qpag_actions_for_chair(head, TODAY, limit=1)] == [made["overdue"]]
        assert queries._qpag_actions_for_chair(True) is queries._qpag_actions_for_chair(True)


def test_the_reviews_to_commission_answer_for_the_person(app, world):
    with app.app_context(), acting_as("test admin"):
        newcomer = db.session.get(User, world.unassigned_manager.id)
        for home in (world.home_a, world.home_b):  # each already has a manager: a full audit of each
            people.assign(db.session.get(Home, home.id), newcomer)
    with app.app_context():
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        manager_a = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        manager_b = db.session.get(User, world.manager_b.id)
        for _ in range(2):
            assert sorted(o.home_id for o in queries.qa_review_prompts(head)) == sorted(
                [world.home_a.id, world.home_b.id])
            assert [o.home_id for o in queries.qa_review_prompts(manager_a)] == [world.home_a.id]
            assert [o.home_id for o in queries.qa_review_prompts(manager_b)] == [world.home_b.id]
        assert queries._qa_review_prompts(False) is queries._qa_review_prompts(False)
