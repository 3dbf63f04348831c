"""Recording a visit when another is planned at the home that month asks whether to close the
plan (this visit replaces it) or move it to another month."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from test_visits_support import date_fields, error_summary, plan, today

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.obligations.models import Obligation

pytestmark = pytest.mark.usefixtures("clock")


def _form(**extra) -> dict:
    return {**date_fields("visited_on", today()), "arrived_at": "00:00", "left_at": "00:30",
            "announced": "unannounced", **extra}


def _next_month():
    return (today().replace(day=1) + timedelta(days=32)).replace(day=1)


def _visit(app, visit_id):
    with app.app_context():
        v = db.session.get(Reg44Visit, visit_id)
        feedback = db.session.scalars(select(Obligation.status).where(
            Obligation.period_key == f"visit:{visit_id}", Obligation.rule_code.like("%feedback%"))).all()
        return v.status, v.planned_for, sorted(feedback)


def test_the_record_form_asks_and_refuses_without_an_answer(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    planned = plan(app, world.home_a.id, visitor.id, today())
    auth.sign_in(visitor)
    url = f"/reg44/homes/{world.home_a.id}/record"
    page = client.get(url).get_data(as_text=True)
    assert "What should happen to the visit planned for that month?" in page
    assert "Close the plan: this visit replaces it" in page and "Move the planned visit to another date" in page
    refused = auth.post(url, _form())
    assert refused.status_code == 200
    [problem] = error_summary(refused.get_data(as_text=True))
    assert problem.startswith("#other_plan ") and "select whether to close that plan or move it" in problem
    same_month = auth.post(url, _form(other_plan="move", **date_fields("other_plan_date", today())))
    assert error_summary(same_month.get_data(as_text=True)) == [
        "#other_plan_date-day Move the planned visit to another month, or close it"]
    assert _visit(app, planned)[:2] == ("planned", today())
    with app.app_context():
        assert db.session.scalar(select(Reg44Visit).where(Reg44Visit.status == "recorded")) is None


def test_closing_the_plan_cancels_it_and_waives_its_feedback(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    planned = plan(app, world.home_a.id, visitor.id, today())
    auth.sign_in(visitor)
    done = auth.post(f"/reg44/homes/{world.home_a.id}/record", _form(other_plan="close"))
    assert done.status_code == 303, error_summary(done.get_data(as_text=True))
    status, _day, feedback = _visit(app, planned)
    assert status == "cancelled" and feedback and all(s in ("waived", "met", "met_late") for s in feedback)


def test_moving_the_plan_moves_it_and_its_feedback_deadlines(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    planned = plan(app, world.home_a.id, visitor.id, today())
    auth.sign_in(visitor)
    new_day = _next_month() + timedelta(days=9)
    done = auth.post(f"/reg44/homes/{world.home_a.id}/record",
                     _form(other_plan="move", **date_fields("other_plan_date", new_day)))
    assert done.status_code == 303, error_summary(done.get_data(as_text=True))
    status, day, feedback = _visit(app, planned)
    assert (status, day) == ("planned", new_day) and "waived" not in feedback


def test_a_plan_in_another_month_is_left_alone_and_no_answer_is_needed(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    planned = plan(app, world.home_a.id, visitor.id, _next_month())
    auth.sign_in(visitor)
    assert auth.post(f"/reg44/homes/{world.home_a.id}/record", _form()).status_code == 303
    assert _visit(app, planned)[:2] == ("planned", _next_month())
