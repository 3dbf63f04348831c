"""Event types the organisation adds as data: an administrator adds one (name, usually notifiable,
the incident rules it needs, source); it is offered on the record-an-event form and its rules
drive its deadlines like a built-in type's; switched off, it is no longer offered. Audited; bad
input refused GOV.UK-style."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.incidents.models import Incident, IncidentEventType
from homes_qa.spine.audit.models import AuditEvent
from tests.incidents.test_incidents import NOW, H, event_form, obligations_of, record, sign_in

pytestmark = pytest.mark.usefixtures("clock")

FORM = {"label": "Self-harm needing hospital treatment", "notifiable_default": "no",
        "rules": ["incident_ntk_service_manager", "incident_ntk_head_of_service", "incident_reg40_placing_authority"],
        "source": "Local self-harm procedure, section 4"}


def add(auth, **change):
    return auth.post("/incidents/event-types/new", {**FORM, **change})


def test_an_administrator_adds_a_type_that_managers_record_with_its_deadlines(app, world, auth):
    sign_in(auth, world.users[Role.ADMIN])
    form = auth.client.get("/incidents/event-types/new").get_data(as_text=True)
    assert "Need-to-know: service manager told" in form and "Restraint: record made" in form
    assert "incident_sar_response" in form and "incident_reg40_cp_outcome" not in form  # not a second stage
    assert add(auth).status_code == 303
    listing = auth.client.get("/incidents/event-types").get_data(as_text=True)
    assert "Self-harm needing hospital treatment" in listing and "Local self-harm procedure" in listing
    with app.app_context():
        kind = db.session.scalar(select(IncidentEventType))
        assert kind.code == "org_self_harm_needing_hospital_treatment" and kind.notifiable_default is False
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "IncidentEventType"))
        code = kind.code
    auth.sign_out()
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    page = auth.client.get(f"/homes/{world.home_a.id}/incidents/new").get_data(as_text=True)
    assert f'value="{code}"' in page and "Self-harm needing hospital treatment" in page
    incident_id = record(auth, world, type_code=code)
    found = obligations_of(app, incident_id)
    assert set(found) == {"incident_ntk_service_manager", "incident_ntk_head_of_service",
                          "incident_reg40_placing_authority"}
    assert {o.due_at for o in found.values()} == {NOW - 2 * H + 24 * H}
    page = auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Self-harm needing hospital treatment" in page and "Placing authority notified" in page
    with app.app_context():
        assert db.session.get(Incident, incident_id).type_name == "Self-harm needing hospital treatment"
    # it tells the service manager, so it is a need-to-know: QA is asked for a case review too
    from tests.incidents.test_case_review import case_review
    assert case_review(app, incident_id) is not None


def test_a_type_whose_rules_count_from_the_event_starts_them_when_it_happened(app, world, auth):
    sign_in(auth, world.users[Role.ADMIN])
    assert add(auth, label="Physical intervention (local)", rules=["incident_restraint_record"]).status_code == 303
    auth.sign_out()
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world, type_code="org_physical_intervention_local",
                         occurred=NOW - 5 * H, aware=NOW - 2 * H)
    assert obligations_of(app, incident_id)["incident_restraint_record"].due_at == NOW - 5 * H + 24 * H


def test_usually_notifiable_preselects_yes_and_the_manager_still_decides(app, world, auth):
    sign_in(auth, world.users[Role.ADMIN])
    assert add(auth, label="Serious injury", notifiable_default="yes", rules=[]).status_code == 303
    auth.sign_out()
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    page = auth.client.get(f"/homes/{world.home_a.id}/incidents/new?type=org_serious_injury").get_data(as_text=True)
    assert "Serious injury (usually notifiable under Regulation 40)" in page
    assert 'value="org_serious_injury" checked' in page and 'value="yes" checked' in page
    incident_id = record(auth, world, type_code="org_serious_injury")  # answered "no": logged only
    assert obligations_of(app, incident_id) == {}


def test_a_switched_off_type_is_not_offered_but_its_events_keep_their_name(app, world, auth):
    sign_in(auth, world.users[Role.ADMIN])
    assert add(auth).status_code == 303
    with app.app_context():
        kind_id = db.session.scalar(select(IncidentEventType.id))
    auth.sign_out()
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world, type_code="org_self_harm_needing_hospital_treatment")
    auth.sign_out()
    sign_in(auth, world.users[Role.ADMIN])
    assert auth.post(f"/incidents/event-types/{kind_id}/active", {}).status_code == 303
    auth.sign_out()
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    page = auth.client.get(f"/homes/{world.home_a.id}/incidents/new").get_data(as_text=True)
    assert "org_self_harm" not in page
    response = auth.post(f"/homes/{world.home_a.id}/incidents/new",
                         event_form(type_code="org_self_harm_needing_hospital_treatment"))
    assert response.status_code == 200 and "Select the type of event" in response.get_data(as_text=True)
    assert "Self-harm needing hospital treatment" in auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)


@pytest.mark.parametrize("change, message", [
    ({"label": ""}, "Enter the name of the event type"),
    ({"label": "ab"}, "at least 3 characters"),
    ({"label": "x" * 121}, "120 characters or fewer"),
    ({"label": "need-to-KNOW"}, "There is already an event type with this name"),
    ({"notifiable_default": ""}, "Select whether this type is usually notifiable"),
    ({"rules": ["gas_safety_check"]}, "Choose only from the notification rules listed"),
    ({"rules": ["incident_reg40_cp_outcome"]}, "Choose only from the notification rules listed"),
    ({"rules": ["no_such_rule"]}, "Choose only from the notification rules listed"),
    ({"source": ""}, "Enter the source or reason"),
    ({"source": "s" * 1001}, "1000 characters or fewer"),
])
def test_bad_input_is_refused_by_the_field(app, world, auth, change, message):
    sign_in(auth, world.users[Role.ADMIN])
    response = add(auth, **change)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in body and message in body
    with app.app_context():
        assert db.session.scalar(select(IncidentEventType.id)) is None


def test_the_same_name_twice_is_refused(app, world, auth):
    sign_in(auth, world.users[Role.ADMIN])
    assert add(auth).status_code == 303
    body = add(auth, label=" self-harm NEEDING hospital treatment ").get_data(as_text=True)
    assert "There is already an event type with this name" in body


def test_only_an_administrator_manages_types(app, world, auth):
    sign_in(auth, world.users[Role.HEAD_OF_SERVICE])
    assert auth.client.get("/incidents/event-types").status_code == 403
    assert add(auth).status_code == 403
