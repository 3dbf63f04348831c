"""QA's case review after each need-to-know (seed 004): an obligation on the head of service /
QA lead, shown on the event, recorded with findings and learning (which discharges it), alerted
and escalated by the sweep, audited; bad input refused GOV.UK-style."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.incidents import CASE_REVIEW_RULE
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.incidents.models import IncidentCaseReview
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.mail.models import OutboundEmail
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from tests.incidents.test_incidents import TODAY, dmy, record, sign_in

pytestmark = pytest.mark.usefixtures("clock")


def case_review(app, incident_id) -> Obligation | None:
    with app.app_context():
        found = db.session.scalar(select(Obligation).where(Obligation.rule_code == CASE_REVIEW_RULE,
                                                           Obligation.period_key == f"case-review:{incident_id}"))
        if found is not None:
            db.session.expunge(found)
        return found


def review_form(day=None, **extra) -> dict:
    data = {**dmy(day or TODAY, "reviewed_on"), "findings": "The care plan was not updated after the last episode.",
            "learning": "Update plans within a week of an episode."}
    data.update(extra)
    return data


def test_a_need_to_know_asks_qa_for_a_case_review_and_other_events_do_not(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    need_to_know = record(auth, world)
    complaint = record(auth, world, type_code="complaint")
    found = case_review(app, need_to_know)
    assert found is not None and found.status == ObligationStatus.OPEN
    assert found.responsible_role == Role.HEAD_OF_SERVICE and found.subject_id == need_to_know
    with app.app_context():  # 10 working days from when the event was recorded
        from homes_qa.core.timing import Timing, due_at
        assert found.due_at == due_at(Timing("working_days", 10), db.session.get(Obligation, found.id).created_at)
    assert case_review(app, complaint) is None
    # It is QA's, not a notification: it is not in "who must be told" and does not stop closing.
    page = auth.client.get(f"/incidents/{need_to_know}").get_data(as_text=True)
    assert "QA case review" in page and 'id="deadline-incident_qa_case_review"' not in page
    assert "Record the case review" not in page  # the manager does not record it


def test_home_staff_do_not_see_the_case_review(app, world, auth):
    sign_in(auth, world.users[Role.HOME_STAFF])
    incident_id = record(auth, world)
    assert 'id="case-review"' not in auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)


def test_the_qa_lead_records_the_review_which_meets_the_obligation_and_is_audited(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    auth.sign_out()
    sign_in(auth, world.users[Role.HEAD_OF_SERVICE])
    listing = auth.client.get("/incidents").get_data(as_text=True)
    assert "QA case reviews to carry out" in listing and f"/incidents/{incident_id}/case-review" in listing
    page = auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Record the case review" in page
    response = auth.post(f"/incidents/{incident_id}/case-review", review_form())
    assert response.status_code == 303
    met = case_review(app, incident_id)
    assert met is not None and met.status == ObligationStatus.MET
    with app.app_context():
        review = db.session.scalar(select(IncidentCaseReview))
        assert review.incident_id == incident_id and met.discharged_by_id == review.id
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "IncidentCaseReview"))
    page = auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "The care plan was not updated" in page and "Record the case review" not in page
    # once: the form is gone, a second post is refused politely
    assert auth.client.get(f"/incidents/{incident_id}/case-review").status_code == 303
    assert "QA case reviews to carry out" not in auth.client.get("/incidents").get_data(as_text=True)


@pytest.mark.parametrize("change, message", [
    ({"findings": ""}, "Enter the findings of the review"),
    ({"learning": ""}, "Enter the learning, or say there was none"),
    ({"findings": "x" * 5001}, "5000 characters or fewer"),
    ({"future": True}, "The date of the review must be today or in the past"),
    ({"before": True}, "The review cannot be before the event was recorded"),
    ({"reviewed_on": ["31", "2", "2026"]}, "must be a real date"),
])
def test_bad_input_is_refused_by_the_field(app, world, auth, change, message):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    auth.sign_out()
    sign_in(auth, world.users[Role.HEAD_OF_SERVICE])
    day = TODAY + timedelta(days=1) if change.pop("future", False) else (
        TODAY - timedelta(days=3) if change.pop("before", False) else TODAY)
    response = auth.post(f"/incidents/{incident_id}/case-review", review_form(day, **change))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    assert case_review(app, incident_id).status == ObligationStatus.OPEN


def test_another_home_is_not_found_and_only_the_qa_lead_records_it(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    assert auth.post(f"/incidents/{incident_id}/case-review", review_form()).status_code == 403
    auth.sign_out()
    sign_in(auth, world.manager_b)
    assert auth.client.get(f"/incidents/{incident_id}").status_code == 404


def test_the_sweep_alerts_the_qa_lead_when_it_is_overdue_and_e_mails_them(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    due = case_review(app, incident_id).due_at
    with app.app_context():
        alerts.sweep(due + timedelta(minutes=1))
        raised = [(a.level, a.target_role) for a in db.session.scalars(
            select(Alert).join(Obligation).where(Obligation.rule_code == CASE_REVIEW_RULE))]
        assert (1, Role.HEAD_OF_SERVICE) in raised
        mail = db.session.scalars(select(OutboundEmail.to_address).where(
            OutboundEmail.subject.like("Overdue: QA case review%"))).all()
        assert mail == [world.users[Role.HEAD_OF_SERVICE].email]
