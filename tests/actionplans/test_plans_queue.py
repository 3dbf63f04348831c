"""The service manager's queue of action plans (the first page) is one statement built once per
shape and run with the person and the limit bound (issue 13): it must answer for the person it
is run with, and read the columns the page shows, not each plan's report and home."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from homes_qa.actionplans import queries
from homes_qa.actionplans.models import ActionPlan, PlanStatus
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people.models import User
from tests.actionplans.test_action_plans import make_report
from tests.helpers import statements_run

pytestmark = pytest.mark.usefixtures("clock")

QUEUE = (PlanStatus.SUBMITTED, PlanStatus.RETURNED)
PROPOSED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def plans(app, world) -> dict[str, int]:
    """Home A: one plan awaiting approval, one returned; home B: one awaiting, proposed first."""
    made = {"a_submitted": make_report(app, world), "a_returned": make_report(app, world, recs=("Mend the gate",)),
            "b_submitted": make_report(app, world, home=world.home_b)}
    statuses = {"a_submitted": PlanStatus.SUBMITTED, "a_returned": PlanStatus.RETURNED,
                "b_submitted": PlanStatus.SUBMITTED}
    with app.app_context(), acting_as("test"):
        for hours, (name, report) in enumerate(reversed(made.items())):
            home = world.home_b if name.startswith("b") else world.home_a
            db.session.add(ActionPlan(report_id=report["report_id"], home_id=home.id, status=statuses[name],
                                      proposed_at=PROPOSED + timedelta(hours=hours),
                                      reviewed_at=PROPOSED + timedelta(days=1) if name == "a_returned" else None))
        db.session.commit()
    return {name: report["visit_id"] for name, report in made.items()}


def _queue(user: User, limit: int = 11) -> dict[str, list[int]]:
    return {status: [plan.visit_id for plan in listed]
            for status, listed in queries.plans_by_status(user, QUEUE, limit=limit).items()}


def test_the_queue_answers_for_the_person_it_is_run_with(app, world, plans):
    with app.app_context():
        manager_a = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        manager_b = db.session.get(User, world.manager_b.id)
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        for _ in range(2):  # built the first time round, kept the second
            assert _queue(manager_a) == {PlanStatus.SUBMITTED: [plans["a_submitted"]],
                                         PlanStatus.RETURNED: [plans["a_returned"]]}
            assert _queue(manager_b) == {PlanStatus.SUBMITTED: [plans["b_submitted"]], PlanStatus.RETURNED: []}
            assert _queue(head) == {PlanStatus.SUBMITTED: [plans["b_submitted"], plans["a_submitted"]],
                                    PlanStatus.RETURNED: [plans["a_returned"]]}
        assert _queue(head, limit=1)[PlanStatus.SUBMITTED] == [plans["b_submitted"]]  # the limit is bound
        returned = queries.plans_by_status(manager_a, QUEUE)[PlanStatus.RETURNED][0]
        assert (returned.home_name, returned.proposed_at, returned.reviewed_at) == (
            "Alder House", PROPOSED + timedelta(hours=1), PROPOSED + timedelta(days=1))


def test_the_queue_reads_columns_in_one_statement(app, world, plans):
    with app.app_context():
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        queries.plans_by_status(head, QUEUE)
        with statements_run(app) as seen:
            queries.plans_by_status(head, QUEUE)
        assert len(seen) == 1
        assert "findings" not in seen[0] and "reviewer_comments" not in seen[0]  # not the report, not the plan
        assert queries._plans_by_status(True, QUEUE) is queries._plans_by_status(True, QUEUE)
