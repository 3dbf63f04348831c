"""The combined action list: Ofsted and approved Reg 44 actions, per home and across homes,
filtered by home, source, status and overdue through a shareable query string (htmx swaps the
results), scoped to the homes the user sees, in a bounded number of queries."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from homes_qa.actionplans.models import ActionPlan, ActionPlanResponse
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import Inspection, InspectionItem
from homes_qa.reg44.models import Reg44Recommendation, Reg44Report, Reg44Visit
from homes_qa.spine.audit.models import acting_as
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def seed(app, world, home, owner_id, visitor_id, tag: str):
    """Per home: an overdue Ofsted action, a completed one, an open Reg 44 action, a declined one."""
    with app.app_context(), acting_as("test"):
        inspection = Inspection(home_id=home.id, inspection_type="full", started_on=TODAY - timedelta(days=30),
                                ended_on=TODAY - timedelta(days=29), overall="good", helped_protected="good",
                                leadership="good", recorded_by_id=owner_id)
        for action, due, done in ((f"{tag} OFSTED-OVERDUE", TODAY - timedelta(days=2), None),
                                  (f"{tag} OFSTED-DONE", TODAY - timedelta(days=5), TODAY - timedelta(days=6))):
            inspection.items.append(InspectionItem(home_id=home.id, kind="recommendation", text="x", action=action,
                                                   owner_id=owner_id, due_on=due, completed_on=done,
                                                   status="completed" if done else "open"))
        visit = Reg44Visit(home_id=home.id, visitor_id=visitor_id, status="recorded", announced=True,
                           visited_on=TODAY - timedelta(days=10))
        report = Reg44Report(visit=visit, home_id=home.id, status="submitted", author_id=visitor_id,
                             safeguarded_opinion="yes", wellbeing_opinion="yes")
        for n in (1, 2):
            report.recommendations.append(Reg44Recommendation(home_id=home.id, number=n, text="r",
                                                              consider_within_days=28))
        db.session.add_all([inspection, visit, report])
        db.session.flush()
        plan = ActionPlan(report_id=report.id, home_id=home.id, status="approved")
        plan.responses.append(ActionPlanResponse(recommendation_id=report.recommendations[0].id, home_id=home.id,
                                                 decision="accept", action=f"{tag} REG44-OPEN", owner="Deputy",
                                                 due_on=TODAY + timedelta(days=9)))
        plan.responses.append(ActionPlanResponse(recommendation_id=report.recommendations[1].id, home_id=home.id,
                                                 decision="decline", decline_reason="no", action=f"{tag} DECLINED"))
        db.session.add(plan)
        db.session.commit()


@pytest.fixture
def seeded(app, world):
    seed(app, world, world.home_a, world.users[Role.REGISTERED_MANAGER].id, world.users[Role.REG44_VISITOR].id, "A")
    seed(app, world, world.home_b, world.manager_b.id, world.visitor_b.id, "B")


def page(auth, query=""):
    response = auth.client.get(f"/actions{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_manager_sees_open_actions_of_their_home_only(auth, world, seeded):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = page(auth)
    assert "A OFSTED-OVERDUE" in html
    assert "A REG44-OPEN" in html
    assert "A OFSTED-DONE" not in html  # open by default
    assert "DECLINED" not in html  # a declined recommendation is not an action
    assert "B OFSTED" not in html
    assert auth.client.get(f"/actions?home={world.home_b.id}").status_code == 404


def test_head_of_service_filters_across_homes(auth, world, seeded):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    both = page(auth)
    assert "A OFSTED-OVERDUE" in both
    assert "B REG44-OPEN" in both
    only_b = page(auth, f"?home={world.home_b.id}")
    assert "B OFSTED-OVERDUE" in only_b
    assert "A OFSTED-OVERDUE" not in only_b
    overdue = page(auth, "?overdue=1")
    assert "A OFSTED-OVERDUE" in overdue
    assert "REG44-OPEN" not in overdue
    done = page(auth, "?status=completed&source=inspection")
    assert "A OFSTED-DONE" in done
    assert "OFSTED-OVERDUE" not in done
    every = page(auth, "?status=all&source=reg44")
    assert "A REG44-OPEN" in every
    assert "OFSTED" not in every.split('id="action-results"')[1]


def test_bad_filter_values_fall_back_to_defaults(auth, world, seeded):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    html = page(auth, "?home=abc&status=nonsense&source=incidents&overdue=yes")
    assert "A OFSTED-OVERDUE" in html
    assert "A REG44-OPEN" in html
    assert auth.client.get("/actions?home=99999").status_code == 404


def test_htmx_request_gets_the_results_only(auth, world, seeded):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    response = auth.client.get("/actions?overdue=1", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="action-results">')
    assert "A OFSTED-OVERDUE" in html


def test_query_count_does_not_grow_with_homes(app, auth, world, seeded):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    counts = [0]

    def count(*_args, **_kwargs):
        counts[-1] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page(auth)  # warm-up: the first request loads what later ones have cached
        counts.append(0)
        page(auth)
        counts.append(0)  # the seeding's own queries
        seed(app, world, world.home_b, world.manager_b.id, world.visitor_b.id, "C")
        counts.append(0)
        page(auth)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[1] == counts[3]


def test_filter_by_owner(auth, world, seeded):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    html = page(auth, "?owner=deputy")  # the Reg 44 owner is free text
    assert "A REG44-OPEN" in html
    assert "OFSTED-OVERDUE" not in html
    html = page(auth, "?owner=manager%20b")  # "Manager B", case-insensitive
    assert "B OFSTED-OVERDUE" in html
    assert "A OFSTED-OVERDUE" not in html
    assert "No actions match" in page(auth, "?owner=%25")  # a literal %, not a wildcard
