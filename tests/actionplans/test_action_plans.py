"""Reg 44 action plans: propose (accept with an action / decline with a reason), return with
comments, resubmit, approve → action obligations; mark complete → discharged. Nothing is saved
half-way; another home's plan is 404."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from homes_qa.actionplans import queries as action_plans_queries
from homes_qa.actionplans import service as action_plans
from homes_qa.actionplans.models import ActionPlan, ActionPlanResponse
from homes_qa.core.calendar import london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44.models import Reg44Recommendation, Reg44Report, Reg44Visit
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")

TODAY = test_clock.TODAY  # the London day the `clock` fixture pins


def make_report(app, world, *, home=None, recs=("Repair the garden fence", "Review the night staffing rota"),
                version=1, visit_id=None, status="submitted") -> dict:
    """A recorded visit with a submitted report and its recommendations' response obligations."""
    home = home or world.home_a
    visitor = world.visitor_b if home == world.home_b else world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test"):
        home_row = db.session.get(Home, home.id)
        if visit_id is None:
            visit = Reg44Visit(home_id=home.id, visitor_id=visitor.id, status="recorded", announced=True,
                               visited_on=TODAY - timedelta(days=10))
            db.session.add(visit)
        else:
            visit = db.session.get(Reg44Visit, visit_id)
        report = Reg44Report(visit=visit, home_id=home.id, version=version, status=status, author_id=visitor.id,
                             safeguarded_opinion="yes", wellbeing_opinion="with_concerns",
                             submitted_at=datetime.now(UTC) if status == "submitted" else None)
        for number, text in enumerate(recs, start=1):
            report.recommendations.append(Reg44Recommendation(home_id=home.id, number=number, text=text,
                                                              consider_within_days=28))
        db.session.add(report)
        db.session.flush()
        for rec in report.recommendations:
            obligations.obligation_for_event("reg44_recommendation_response", home_row, datetime.now(UTC),
                                             key=f"rec:{rec.id}", subject=rec, target=TODAY + timedelta(days=28))
        db.session.commit()
        return {"visit_id": visit.id, "report_id": report.id, "recs": [r.id for r in report.recommendations]}


def dmy(day: date, prefix: str) -> dict:
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def proposal(recs, *, due=None, reason="We already check the rota weekly with the service manager") -> dict:
    first, second = recs
    due = due or TODAY + timedelta(days=10)
    return {f"decision_{first}": "accept", f"action_{first}": "Replace the broken fence panels",
            f"owner_{first}": "Deputy manager", **dmy(due, f"due_on_{first}"),
            f"decision_{second}": "decline", f"decline_reason_{second}": reason}


def post_form(auth, url, data):
    """Posts lists (the three date boxes share a name) as repeated fields."""
    return auth.client.post(url, data={"csrf_token": auth.token, **data})


def rec_obligations(app, recs) -> list[str]:
    with app.app_context():
        return [db.session.scalar(select(Obligation.status).where(
            Obligation.rule_code == "reg44_recommendation_response", Obligation.period_key == f"rec:{rec}"))
            for rec in recs]


def action_obligations(app) -> list[Obligation]:
    with app.app_context():
        rows = db.session.scalars(select(Obligation).where(Obligation.rule_code == "action_complete")).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_propose_return_resubmit_approve_complete(app, client, world, auth):
    made = make_report(app, world)
    visit_id, recs = made["visit_id"], made["recs"]
    plan_url = f"/reg44/visits/{visit_id}/action-plan"

    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(plan_url).get_data(as_text=True)
    assert "Not started" in page and "Repair the garden fence" in page and "Propose the action plan" in page
    form = client.get(f"{plan_url}/edit").get_data(as_text=True)
    assert "Do you accept recommendation 1?" in form and 'data-aria-controls="conditional-decision_' in form
    sent = post_form(auth, f"{plan_url}/edit", proposal(recs))
    assert sent.status_code == 303 and sent.headers["Location"].endswith(plan_url)
    assert rec_obligations(app, recs) == [ObligationStatus.MET, ObligationStatus.MET]
    with app.app_context():
        plan = db.session.scalar(select(ActionPlan))
        assert plan.status == "submitted" and plan.proposed_by_id == world.users[Role.REGISTERED_MANAGER].id
        accepted, declined = sorted(plan.responses, key=lambda r: r.recommendation_id)
        assert (accepted.decision, accepted.action, accepted.owner, accepted.due_on) == (
            "accept", "Replace the broken fence panels", "Deputy manager", TODAY + timedelta(days=10))
        assert (declined.decision, declined.due_on) == ("decline", None)
        assert declined.decline_reason.startswith("We already check")
    # Submitted: the manager can no longer change it.
    assert client.get(f"{plan_url}/edit").status_code == 303
    assert action_obligations(app) == []
    auth.sign_out()

    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get(plan_url).get_data(as_text=True)
    assert "Awaiting approval" in page and "Approve or return the action plan" in page
    missing = auth.post(f"{plan_url}/review", {"decision": "return", "comments": " "})
    assert missing.status_code == 200
    assert "Enter what the manager needs to change" in missing.get_data(as_text=True)
    assert "There is a problem" in missing.get_data(as_text=True)
    returned = auth.post(f"{plan_url}/review", {"decision": "return", "comments": "Give the fence a sooner date"})
    assert returned.status_code == 303
    auth.sign_out()

    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(plan_url).get_data(as_text=True)
    assert "Returned for changes" in page and "Give the fence a sooner date" in page
    form = client.get(f"{plan_url}/edit").get_data(as_text=True)
    assert "Give the fence a sooner date" in form and "Replace the broken fence panels" in form
    sooner = TODAY + timedelta(days=5)
    assert post_form(auth, f"{plan_url}/edit", proposal(recs, due=sooner)).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActionPlanResponse)) == 2  # updated, not added
        assert db.session.scalar(select(ActionPlan.status)) == "submitted"
    auth.sign_out()

    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.post(f"{plan_url}/review", {"decision": "approve", "comments": ""}).status_code == 303
    [action] = action_obligations(app)
    with app.app_context():
        response = db.session.scalar(select(ActionPlanResponse).where(ActionPlanResponse.decision == "accept"))
        response_id = response.id
        assert db.session.scalar(select(ActionPlan.status)) == "approved"
    assert action.period_key == f"reg44action:{response_id}" and action.home_id == world.home_a.id
    assert action.due_at == london_day_end(sooner) and action.status == ObligationStatus.OPEN
    assert (action.subject_type, action.subject_id) == ("ActionPlanResponse", response_id)
    assert action.responsible_role == Role.REGISTERED_MANAGER
    assert "Replace the broken fence panels" in action.title
    # The approved action is on the home's "What is due".
    home_page = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert "Replace the broken fence panels" in home_page and "Reg 44 action plans" in home_page
    auth.sign_out()

    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(plan_url).get_data(as_text=True)
    assert "Approved" in page and "Mark as complete" in page
    complete_url = f"/reg44/actions/{response_id}/complete"
    future = auth.client.post(complete_url, data={"csrf_token": auth.token, **dmy(TODAY + timedelta(days=1), "completed_on")})
    assert "must be today or in the past" in future.get_data(as_text=True)
    done = post_form(auth, complete_url, dmy(TODAY, "completed_on"))
    assert done.status_code == 303
    [action] = action_obligations(app)
    assert action.status == ObligationStatus.MET and action.discharged_by_type == "ActionPlanResponse"
    assert client.get(complete_url).status_code == 303  # already complete
    assert "Completed on" in client.get(plan_url).get_data(as_text=True)

    with app.app_context():
        trail = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "ActionPlan")
                                   .order_by(AuditEvent.id)).all()
        statuses = [e.changes["status"][1] for e in trail if "status" in e.changes]
        assert statuses == ["submitted", "returned", "submitted", "approved"]
        assert {e.actor_id for e in trail} == {world.users[Role.REGISTERED_MANAGER].id,
                                               world.users[Role.SERVICE_MANAGER].id}


def test_bad_plan_shows_errors_by_field_and_saves_nothing(app, client, world, auth):
    made = make_report(app, world)
    recs = made["recs"]
    url = f"/reg44/visits/{made['visit_id']}/action-plan/edit"
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    first, second = recs
    cases = [
        ({}, ["Select whether you accept or decline this recommendation"]),
        ({f"decision_{first}": "accept", f"decision_{second}": "decline"},
         ["Enter the action you will take", "Enter who will do the action",
          "Enter the date the action will be done by", "Enter the reason for declining this recommendation"]),
        (proposal(recs, due=TODAY), ["The due date must be in the future"]),
        (proposal(recs, due=TODAY - timedelta(days=3)), ["The due date must be in the future"]),
        ({**proposal(recs), f"due_on_{first}": ["31", "2", "2030"]}, ["The due date must be a real date"]),
        ({**proposal(recs), f"due_on_{first}": ["", "2", "2030"]}, ["must include a day"]),
        (proposal(recs, reason=""), ["Enter the reason for declining this recommendation"]),
        ({**proposal(recs), f"decision_{first}": "maybe"}, ["Select whether you accept or decline"]),
    ]
    for data, messages in cases:
        response = post_form(auth, url, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, data
        assert "There is a problem" in page and "<title>Error:" in page, data
        for message in messages:
            assert message in page, (data, message)
    # The summary links to the fields (a date links to its day box).
    page = post_form(auth, url, {f"decision_{first}": "accept", f"decision_{second}": "decline"}).get_data(as_text=True)
    assert f'href="#action_{first}"' in page and f'href="#due_on_{first}-day"' in page
    assert f'href="#decline_reason_{second}"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActionPlan)) == 0
        assert db.session.scalar(select(func.count()).select_from(ActionPlanResponse)) == 0
    assert rec_obligations(app, recs) == [ObligationStatus.OPEN, ObligationStatus.OPEN]


def test_service_refuses_a_partial_plan_in_one_transaction(app, world):
    made = make_report(app, world)
    first, second = made["recs"]
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    with app.app_context(), acting_as("test"):
        report = db.session.get(Reg44Report, made["report_id"])
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        good = action_plans.Proposal(first, "accept", "Mend", "Deputy", date(2026, 12, 1))
        bad = action_plans.Proposal(second, "accept", "Rota", "", date(2026, 12, 1))
        for proposals in ([good], [good, bad]):
            try:
                action_plans.submit_plan(report, proposals, by=manager, now=now)
            except action_plans.ServiceError:
                db.session.rollback()
            else:  # pragma: no cover
                raise AssertionError("a partial plan was accepted")
        assert db.session.scalar(select(func.count()).select_from(ActionPlan)) == 0


def test_due_dates_and_met_late_with_now(app, world):
    made = make_report(app, world, recs=("Fix the boiler",))
    [rec] = made["recs"]
    proposed = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    approved = datetime(2026, 11, 4, 16, 0, tzinfo=UTC)
    with app.app_context(), acting_as("test"):
        report = db.session.get(Reg44Report, made["report_id"])
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        sm = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        plan = action_plans.submit_plan(
            report, [action_plans.Proposal(rec, "accept", "New boiler", "Manager", date(2026, 11, 20))],
            by=manager, now=proposed)
        met = obligations.find("reg44_recommendation_response", db.session.get(Home, world.home_a.id), f"rec:{rec}")
        assert met.met_at == proposed and met.discharged_by_type == "ActionPlan"
        action_plans.approve_plan(plan, by=sm, now=approved)
        [response] = plan.responses
        obligation = action_plans_queries.action_obligation(response)
        assert obligation.due_at == london_day_end(date(2026, 11, 20))
        assert obligation.due_at == datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)  # GMT in November
        action_plans.complete_action(response, completed_on=date(2026, 11, 23), by=manager,
                                     now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
        assert obligation.status == ObligationStatus.MET_LATE
        assert obligation.met_at == london_day_end(date(2026, 11, 23))


def test_roles_and_scope(app, client, world, auth):
    made = make_report(app, world)
    plan_url = f"/reg44/visits/{made['visit_id']}/action-plan"
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert post_form(auth, f"{plan_url}/edit", proposal(made["recs"])).status_code == 303
    assert auth.post(f"{plan_url}/review", {"decision": "approve"}).status_code == 403
    auth.sign_out()
    for role in (Role.REG44_VISITOR, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        auth.sign_in(world.users[role])
        assert client.get(plan_url).status_code == 200, role
        assert client.get(f"{plan_url}/edit").status_code == 403, role
        assert client.get(f"/reg44/homes/{world.home_a.id}/action-plans").status_code == 200, role
        auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])
    assert auth.post(f"{plan_url}/review", {"decision": "approve"}).status_code == 403
    auth.sign_out()
    auth.sign_in(world.manager_b)  # another home's manager
    assert client.get(plan_url).status_code == 404
    assert client.get(f"{plan_url}/edit").status_code == 404
    assert post_form(auth, f"{plan_url}/edit", proposal(made["recs"])).status_code == 404
    assert client.get(f"/reg44/homes/{world.home_a.id}/action-plans").status_code == 404
    with app.app_context():
        response_id = db.session.scalar(select(ActionPlanResponse.id))
    assert client.get(f"/reg44/actions/{response_id}/complete").status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.ADMIN])
    assert client.get(plan_url).status_code == 403


def test_plan_follows_the_latest_submitted_version(app, client, world, auth):
    first = make_report(app, world, recs=("Old wording",))
    second = make_report(app, world, recs=("New wording", "Another"), version=2, visit_id=first["visit_id"])
    make_report(app, world, recs=("Draft wording",), version=3, visit_id=first["visit_id"], status="draft")
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(f"/reg44/visits/{first['visit_id']}/action-plan/edit").get_data(as_text=True)
    assert "New wording" in page and "Another" in page
    assert "Old wording" not in page and "Draft wording" not in page
    assert post_form(auth, f"/reg44/visits/{first['visit_id']}/action-plan/edit",
                     proposal(second["recs"])).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(ActionPlan.report_id)) == second["report_id"]


def test_visit_without_a_submitted_report(app, client, world, auth):
    made = make_report(app, world, status="draft")
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(f"/reg44/visits/{made['visit_id']}/action-plan").get_data(as_text=True)
    assert "has not submitted the report" in page
    assert client.get(f"/reg44/visits/{made['visit_id']}/action-plan/edit").status_code == 303
    index = client.get(f"/reg44/homes/{world.home_a.id}/action-plans").get_data(as_text=True)
    assert "no submitted Regulation 44 reports" in index


def test_visit_page_links_to_feedback_and_the_plan(app, client, world, auth):
    made = make_report(app, world)
    visit_id = made["visit_id"]
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(f"/reg44/visits/{visit_id}").get_data(as_text=True)
    assert f'href="/reg44/visits/{visit_id}/feedback"' in page
    assert f'href="/reg44/visits/{visit_id}/action-plan"' in page and "Not started" in page
    home = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert f'href="/reg44/homes/{world.home_a.id}/action-plans"' in home
    assert f'href="/homes/{world.home_a.id}/reg45"' in home
