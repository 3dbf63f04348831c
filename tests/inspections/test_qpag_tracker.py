"""The QPAG action tracker (seed 002 §8.7–8.8): service managers record the actions QPAG agreed
(each an obligation by its agreed date), complete them; the chair (head of service) escalates
one not completed in time to CSLT, and the escalation is recorded. Refusals by the field."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import QpagAction
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def dmy(name: str, day: date) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def action_data(world, **overrides) -> dict:
    data = {"home_id": str(world.home_a.id), **dmy("meeting_on", TODAY - timedelta(days=20)),
            "text": "Thematic review of missing episodes", "owner_id": str(world.users[Role.SERVICE_MANAGER].id),
            **dmy("due_on", TODAY - timedelta(days=3))}
    data.update(overrides)
    return data


def refused(response, message):
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert message in html


def only_action(app) -> QpagAction | None:
    with app.app_context():
        return db.session.scalar(select(QpagAction))


def test_service_manager_adds_an_action_with_its_obligation(app, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.post("/qpag/actions/new", data=action_data(world)).status_code == 303
    action = only_action(app)
    with app.app_context():
        obligation = db.session.scalar(select(Obligation).where(Obligation.rule_code == "qpag_action_complete"))
        assert obligation.period_key == f"qpag-action:{action.id}"
        assert obligation.status == ObligationStatus.OPEN
    assert "Thematic review of missing episodes" in auth.client.get("/qpag").get_data(as_text=True)
    assert "Thematic review of missing episodes" in auth.client.get("/actions?source=qpag").get_data(as_text=True)


def test_refusals(app, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    refused(auth.post("/qpag/actions/new", data=action_data(world, text="")), "Enter the action QPAG agreed")
    refused(auth.post("/qpag/actions/new", data=action_data(world, **dmy("due_on", TODAY - timedelta(days=30)))),
            "must be due after the meeting")
    refused(auth.post("/qpag/actions/new", data=action_data(world, owner_id=str(world.manager_b.id))),
            "Select who owns the action")
    refused(auth.post("/qpag/actions/new", data=action_data(world, **dmy("meeting_on", TODAY + timedelta(days=1)))),
            "must be today or in the past")
    assert auth.post("/qpag/actions/new", data=action_data(world, home_id=str(world.home_b.id))).status_code == 404
    assert only_action(app) is None


def test_chair_escalates_an_overdue_action_to_cslt_and_it_is_recorded(app, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    auth.post("/qpag/actions/new", data=action_data(world))
    action_id = only_action(app).id
    # A service manager is not the chair.
    assert auth.client.get(f"/qpag/actions/{action_id}/escalate").status_code == 403
    auth.sign_out()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    url = f"/qpag/actions/{action_id}/escalate"
    refused(auth.post(url, data={**dmy("escalated_on", TODAY), "note": ""}), "Enter what was escalated")
    refused(auth.post(url, data={**dmy("escalated_on", TODAY - timedelta(days=4)), "note": "Late"}),
            "after the date QPAG agreed")
    assert auth.post(url, data={**dmy("escalated_on", TODAY), "note": "Three months late; no plan"}).status_code == 303
    action = only_action(app)
    assert action.escalated_on == TODAY
    assert action.escalation_note == "Three months late; no plan"
    assert action.escalated_by_id == world.users[Role.HEAD_OF_SERVICE].id
    page = auth.client.get("/qpag").get_data(as_text=True)
    assert "Escalated to CSLT on" in page
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "QpagAction",
                                                          AuditEvent.record_id == action.id,
                                                          AuditEvent.action == "update"))
    # Once escalated, not again.
    assert auth.client.get(url).status_code == 303


def test_action_not_yet_due_cannot_be_escalated(app, world, auth):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    auth.post("/qpag/actions/new", data=action_data(world, **dmy("due_on", TODAY + timedelta(days=5))))
    action_id = only_action(app).id
    assert auth.client.get(f"/qpag/actions/{action_id}/escalate").status_code == 303
    assert "Escalate to CSLT" not in auth.client.get("/qpag").get_data(as_text=True)


def test_completing_discharges_the_obligation(app, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    auth.post("/qpag/actions/new", data=action_data(world))
    action_id = only_action(app).id
    assert auth.post(f"/qpag/actions/{action_id}/complete", data=dmy("completed_on", TODAY)).status_code == 303
    with app.app_context():
        obligation = db.session.scalar(select(Obligation).where(Obligation.rule_code == "qpag_action_complete"))
        assert obligation.status == ObligationStatus.MET_LATE
    assert only_action(app).status == "completed"
