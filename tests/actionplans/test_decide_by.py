"""Reg 44(5): each recommendation has a decide-by date for the registered person's decision,
separate from the action's due date; when either moves, the first date is kept."""
from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from homes_qa.actionplans.models import ActionPlanResponse
from homes_qa.core.calendar import london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44.models import Reg44Recommendation
from homes_qa.spine.obligations.models import Obligation
from tests import clock as test_clock

sys.path.insert(0, str(Path(__file__).parent))
from test_action_plans import dmy, make_report, post_form, proposal

sys.path.insert(0, str(Path(__file__).parents[1] / "reg44"))
from test_visits_support import NOW, record, submit

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def _set_decide_by(app, recs, day: date) -> None:
    with app.app_context():
        for rec_id in recs:
            db.session.get(Reg44Recommendation, rec_id).decide_by = day
        db.session.commit()


def _due(app, rec_id):
    with app.app_context():
        return db.session.scalar(select(Obligation.due_at).where(
            Obligation.rule_code == "reg44_recommendation_response", Obligation.period_key == f"rec:{rec_id}"))


def test_submitting_a_report_sets_each_recommendations_decide_by_date(app, world):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, date(2026, 11, 2), home_id=world.home_a.id, now=NOW)
    submit(app, visit_id, visitor.id, now=datetime(2026, 11, 10, 15, 0, tzinfo=UTC),
           recommendations=(("Review the rota", 28), ("Fix the fence", 60)))
    with app.app_context():
        recs = db.session.scalars(select(Reg44Recommendation).order_by(Reg44Recommendation.number)).all()
        assert [r.decide_by for r in recs] == [date(2026, 12, 8), date(2027, 1, 9)]
        assert [r.original_decide_by for r in recs] == [None, None]
        rec_ids = [r.id for r in recs]
    assert _due(app, rec_ids[0]) == london_day_end(date(2026, 12, 8))


def test_the_service_manager_moves_the_decide_by_date_and_the_first_date_is_kept(app, client, world, auth):
    made = make_report(app, world)
    visit_id, recs = made["visit_id"], made["recs"]
    first = TODAY + timedelta(days=28)
    _set_decide_by(app, recs, first)
    plan_url = f"/reg44/visits/{visit_id}/action-plan"
    move_url = f"/reg44/recommendations/{recs[0]}/decide-by"

    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(plan_url).get_data(as_text=True)
    assert 'id="decide-by-1"' in page and "Decide by" in page and move_url not in page
    assert client.get(move_url).status_code == 403
    auth.sign_out()

    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert move_url in client.get(plan_url).get_data(as_text=True)
    refused = post_form(auth, move_url, {**dmy(TODAY - timedelta(days=1), "decide_by"), "reason": "Holiday"})
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "There is a problem" in body and "must be today or in the future" in body
    no_reason = post_form(auth, move_url, {**dmy(TODAY + timedelta(days=40), "decide_by"), "reason": " "})
    assert "Enter why the date is moving" in no_reason.get_data(as_text=True)

    second = TODAY + timedelta(days=40)
    moved = post_form(auth, move_url, {**dmy(second, "decide_by"), "reason": "Manager on leave; agreed with visitor"})
    assert moved.status_code == 303
    third = TODAY + timedelta(days=45)
    assert post_form(auth, move_url, {**dmy(third, "decide_by"), "reason": "Further agreed delay"}).status_code == 303
    with app.app_context():
        rec = db.session.get(Reg44Recommendation, recs[0])
        assert (rec.decide_by, rec.original_decide_by, rec.decide_by_reason) == (third, first, "Further agreed delay")
        assert db.session.get(Reg44Recommendation, recs[1]).decide_by == first  # the other one did not move
    assert _due(app, recs[0]) == london_day_end(third)
    page = client.get(plan_url).get_data(as_text=True)
    assert "Original decide-by date" in page and "Further agreed delay" in page
    auth.sign_out()

    # The manager decides; the action's due date is its own, separate from decide-by.
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    due = TODAY + timedelta(days=90)
    assert post_form(auth, f"{plan_url}/edit", proposal(recs, due=due)).status_code == 303
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    # Decided: the decide-by date no longer moves.
    late = post_form(auth, move_url, {**dmy(TODAY + timedelta(days=50), "decide_by"), "reason": "Too late"})
    assert "already decided" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Reg44Recommendation, recs[0]).decide_by == third


def test_a_moved_action_due_date_keeps_the_first_one(app, client, world, auth):
    made = make_report(app, world)
    visit_id, recs = made["visit_id"], made["recs"]
    plan_url = f"/reg44/visits/{visit_id}/action-plan"
    first_due, later_due = TODAY + timedelta(days=10), TODAY + timedelta(days=20)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert post_form(auth, f"{plan_url}/edit", proposal(recs, due=first_due)).status_code == 303
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.post(f"{plan_url}/review", {"decision": "return", "comments": "Be realistic"}).status_code == 303
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert post_form(auth, f"{plan_url}/edit", proposal(recs, due=later_due)).status_code == 303
    with app.app_context():
        response = db.session.scalar(select(ActionPlanResponse).where(ActionPlanResponse.recommendation_id == recs[0]))
        assert (response.due_on, response.original_due_on) == (later_due, first_due)
    assert "(originally " in client.get(plan_url).get_data(as_text=True)


def test_another_homes_recommendation_is_404(app, client, world, auth):
    made = make_report(app, world, home=world.home_b)
    _set_decide_by(app, made["recs"], TODAY + timedelta(days=28))
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    # home B is not the service manager's (see tests/conftest.py world)
    assert client.get(f"/reg44/recommendations/{made['recs'][0]}/decide-by").status_code == 404
