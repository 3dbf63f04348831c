"""QA reviews (seed 002 §7.1, §8.5): the QA lead commissions a dip sample, thematic review or
full audit (an obligation per home for the assignee); the assignee records findings per home
and completes it (meeting them); the service manager proposes an action plan, QPAG's agreement
is recorded and its actions become obligations on the combined action list (a new registered
manager prompting a full audit: test_full_audit_prompt.py). Refusals by the field; another home's review is 404."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from homes_qa.core import qa_reviews as qa_core
from homes_qa.core.calendar import london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import QaReview, QaReviewAction
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def dmy(name: str, day: date) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def commission_data(world, **overrides) -> dict:
    data = {"kind": "dip_sample", "area": "Missing from care: return interviews", "home_ids": [str(world.home_a.id)],
            "assignee_id": str(world.users[Role.SERVICE_MANAGER].id), **dmy("due_on", TODAY + timedelta(days=21))}
    data.update(overrides)
    return data


def refused(response, message):
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert message in html


def obligations_of(app, rule_code: str) -> list[Obligation]:
    with app.app_context():
        return list(db.session.scalars(select(Obligation).where(Obligation.rule_code == rule_code)
                                       .order_by(Obligation.id)))


def only_review(app) -> QaReview | None:
    with app.app_context():
        return db.session.scalar(select(QaReview))


def commission(auth, world, **overrides) -> int:
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    response = auth.post("/qa-reviews/new", data=commission_data(world, **overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    auth.sign_out()
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_review_kinds_are_data_with_sources():
    assert [k.code for k in qa_core.REVIEW_KINDS] == ["dip_sample", "thematic", "full_audit"]
    assert all("Seed 002" in k.source for k in qa_core.REVIEW_KINDS)
    assert qa_core.review_kind("full_audit").label == "Full audit"
    assert qa_core.review_kind("nonsense") is None


def test_qa_lead_commissions_a_dip_sample_per_home_and_it_meets_the_bimonthly_request(app, world, auth):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = auth.client.get("/qa-reviews").get_data(as_text=True)
    assert "Dip sample (requested every other month)" not in page  # no sweep yet: nothing made
    data = commission_data(world, home_ids=[str(world.home_a.id), str(world.home_b.id)])
    assert auth.post("/qa-reviews/new", data=data).status_code == 303
    review = only_review(app)
    assert review.kind == "dip_sample" and review.due_on == TODAY + timedelta(days=21)
    made = obligations_of(app, "qa_review_complete")
    assert {o.home_id for o in made} == {world.home_a.id, world.home_b.id}
    assert all(o.status == ObligationStatus.OPEN and o.due_at == london_day_end(TODAY + timedelta(days=21))
               and o.period_key == f"qa-review:{review.id}" for o in made)
    # The every-other-month request of this period (whole service, §8.5) is met by commissioning.
    [request] = obligations_of(app, "dip_sample_bimonthly")
    assert request.home_id is None and request.status == ObligationStatus.MET
    assert request.discharged_by_type == "QaReview"
    listing = auth.client.get("/qa-reviews").get_data(as_text=True)
    assert "Missing from care: return interviews" in listing and "Alder House" in listing


def test_commissioning_refusals_and_who_may(app, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.client.get("/qa-reviews/new").status_code == 403
    auth.sign_out()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    refused(auth.post("/qa-reviews/new", data=commission_data(world, kind="")), "Select the kind of review")
    refused(auth.post("/qa-reviews/new", data=commission_data(world, kind="spot_check")), "Select the kind of review")
    refused(auth.post("/qa-reviews/new", data=commission_data(world, area="  ")), "Enter the area of the service")
    refused(auth.post("/qa-reviews/new", data=commission_data(world, kind="full_audit", area="")),
            "Enter why the full audit is needed")
    refused(auth.post("/qa-reviews/new", data=commission_data(world, home_ids=[])), "Select at least one home")
    refused(auth.post("/qa-reviews/new", data=commission_data(world, home_ids=["999999"])), "Select homes from the list")
    refused(auth.post("/qa-reviews/new", data=commission_data(
        world, assignee_id=str(world.users[Role.REGISTERED_MANAGER].id))), "a service manager or the QA lead")
    refused(auth.post("/qa-reviews/new", data=commission_data(world, **dmy("due_on", TODAY - timedelta(days=1)))),
            "must be today or later")
    refused(auth.post("/qa-reviews/new", data=commission_data(world, **dmy("due_on", TODAY + timedelta(days=400)))),
            "within a year")
    refused(auth.post("/qa-reviews/new", data=commission_data(world, area="x" * 201)), "200 characters or fewer")
    assert only_review(app) is None
    assert obligations_of(app, "qa_review_complete") == []


def test_assignee_records_findings_per_home_and_completing_meets_the_obligation(app, world, auth):
    review_id = commission(auth, world)
    url = f"/qa-reviews/{review_id}"
    home = world.home_a.id
    # Someone else (a registered manager) cannot; the assignee (service manager) can.
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert auth.client.get(url).status_code == 403
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    refused(auth.post(f"{url}/complete", data={**dmy("completed_on", TODAY)}), "Record the findings for every home first")
    refused(auth.post(f"{url}/homes/{home}/findings", data={"rag": "", "findings": "Fine"}), "Select red, amber or green")
    refused(auth.post(f"{url}/homes/{home}/findings", data={"rag": "amber", "findings": ""}), "Enter the findings")
    assert auth.post(f"{url}/homes/{world.home_b.id}/findings", data={"rag": "red", "findings": "x"}).status_code == 404
    assert auth.post(f"{url}/homes/{home}/findings",
                     data={"rag": "amber", "findings": "Two of five return interviews late"}).status_code == 303
    refused(auth.post(f"{url}/complete", data={**dmy("completed_on", TODAY + timedelta(days=1))}),
            "must be today or in the past")
    assert auth.post(f"{url}/complete", data={**dmy("completed_on", TODAY), "summary": "For QPAG"}).status_code == 303
    [obligation] = obligations_of(app, "qa_review_complete")
    assert obligation.status == ObligationStatus.MET and obligation.discharged_by_id == review_id
    page = auth.client.get(url).get_data(as_text=True)
    assert "Two of five return interviews late" in page and "Completed on" in page
    # Completed: the findings are locked.
    assert auth.client.get(f"{url}/homes/{home}/findings").status_code == 303
    with app.app_context():
        assert db.session.get(QaReview, review_id).homes[0].rag == "amber"


def _completed_review(app, auth, world) -> int:
    review_id = commission(auth, world)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    auth.post(f"/qa-reviews/{review_id}/homes/{world.home_a.id}/findings", data={"rag": "red", "findings": "Late"})
    assert auth.post(f"/qa-reviews/{review_id}/complete", data=dmy("completed_on", TODAY)).status_code == 303
    return review_id


def test_service_manager_proposes_the_plan_qpag_agrees_and_actions_become_obligations(app, world, auth):
    review_id = _completed_review(app, auth, world)
    url = f"/qa-reviews/{review_id}"
    manager = world.users[Role.REGISTERED_MANAGER]
    action = {"home_id": str(world.home_a.id), "text": "Return interviews within 72 hours",
              "owner_id": str(manager.id), **dmy("due_on", TODAY + timedelta(days=30))}
    refused(auth.post(f"{url}/agree", data=dmy("agreed_on", TODAY)), "no actions yet")
    refused(auth.post(f"{url}/actions/new", data={**action, "owner_id": str(world.manager_b.id)}),
            "someone assigned to the home")
    refused(auth.post(f"{url}/actions/new", data={**action, "text": ""}), "Enter the action")
    refused(auth.post(f"{url}/actions/new", data={**action, **dmy("due_on", TODAY - timedelta(days=1))}),
            "today or later")
    assert auth.post(f"{url}/actions/new", data=action).status_code == 303
    # Proposed, not agreed: no obligation, not on the action list yet.
    assert obligations_of(app, "action_complete") == []
    assert "Return interviews within 72 hours" not in auth.client.get("/actions?source=qa_review").get_data(as_text=True)
    refused(auth.post(f"{url}/agree", data=dmy("agreed_on", TODAY + timedelta(days=1))), "today or in the past")
    assert auth.post(f"{url}/agree", data=dmy("agreed_on", TODAY)).status_code == 303
    with app.app_context():
        review = db.session.get(QaReview, review_id)
        assert review.plan_agreed_on == TODAY and review.plan_agreed_by_id == world.users[Role.SERVICE_MANAGER].id
        action_id = db.session.scalar(select(QaReviewAction.id))
    [obligation] = obligations_of(app, "action_complete")
    assert obligation.period_key == f"qa-review-action:{action_id}" and obligation.home_id == world.home_a.id
    assert obligation.due_at == london_day_end(TODAY + timedelta(days=30))
    listing = auth.client.get("/actions?source=qa_review").get_data(as_text=True)
    assert "Return interviews within 72 hours" in listing and "QA review" in listing
    # Agreed: the plan is locked.
    assert auth.client.get(f"{url}/actions/new").status_code == 303
    auth.sign_out()
    # The owner (registered manager) completes it from the action list.
    auth.sign_in(manager)
    assert "Return interviews within 72 hours" in auth.client.get("/actions").get_data(as_text=True)
    assert auth.post(f"/qa-review-actions/{action_id}/complete", data=dmy("completed_on", TODAY)).status_code == 303
    [obligation] = obligations_of(app, "action_complete")
    assert obligation.status == ObligationStatus.MET


def test_another_homes_review_is_404(app, world, auth):
    review_id = commission(auth, world, home_ids=[str(world.home_b.id)],
                           assignee_id=str(world.users[Role.HEAD_OF_SERVICE].id))
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.client.get(f"/qa-reviews/{review_id}").status_code == 404
    assert "Missing from care" not in auth.client.get("/qa-reviews").get_data(as_text=True)
