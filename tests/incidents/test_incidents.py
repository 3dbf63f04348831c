"""Incidents: recording an event (times on clock-change days, bad input), who must be told by when,
notifications discharging obligations, waivers, closing and locking, scope, and hour escalation."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.incidents.models import Incident, IncidentNotification
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")

NOW = test_clock.PINNED_NOW  # 4 Nov 2026 10:00 UTC (GMT) unless the session is pinned elsewhere
TODAY = test_clock.TODAY
H = timedelta(hours=1)
AFTER_AUTUMN_2026 = datetime(2026, 11, 4, 10, tzinfo=UTC)  # the clock-change tests run as if it were then


def dmy(day: date, name: str) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def london_at(instant: datetime) -> tuple[date, str]:
    from homes_qa.core.calendar import to_london
    local = to_london(instant)
    return local.date(), local.strftime("%H:%M")


def which(instant: datetime) -> str:
    """The answer to "which 01:30?" when the session is pinned at the autumn clock change."""
    from homes_qa.core.calendar import to_london
    from homes_qa.core.localtime import is_ambiguous
    local = to_london(instant)
    if not is_ambiguous(local.date(), local.time()):
        return ""
    return "later" if local.fold else "earlier"


def event_form(type_code="need_to_know", occurred=None, aware=None, **extra) -> dict:
    occurred, aware = occurred or NOW - 3 * H, aware or NOW - 2 * H
    occurred_on, occurred_time = london_at(occurred)
    aware_on, aware_time = london_at(aware)
    data = {"type_code": type_code, **dmy(occurred_on, "occurred_on"), "occurred_time": occurred_time,
            "occurred_occurrence": which(occurred), "aware_occurrence": which(aware),
            **dmy(aware_on, "aware_on"), "aware_time": aware_time, "children": "AB, C-1042",
            "what_happened": "AB left the home after an argument and was found by staff.",
            "action_taken": "Staff stayed with AB; the social worker was told.", "notifiable": "no",
            "paragraph": ""}
    data.update(extra)
    return data


def sign_in(auth, user):
    assert auth.sign_in(user).status_code == 303
    return auth


def record(auth, world, **kwargs):
    response = auth.post(f"/homes/{world.home_a.id}/incidents/new", event_form(**kwargs))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def obligations_of(app, incident_id) -> dict[str, Obligation]:
    with app.app_context():
        rows = db.session.scalars(select(Obligation).where(  # its notifications (not QA's case review)
            Obligation.subject_type == "Incident", Obligation.subject_id == incident_id,
            Obligation.rule_code != "incident_qa_case_review")).all()
        for row in rows:
            db.session.expunge(row)
        return {row.rule_code: row for row in rows}


def notify(auth, incident_id, rule, when=None, **extra):
    when = when or NOW - H
    on, at = london_at(when)
    data = {"rule_code": rule, "recipient": "J Patel (service manager)", **dmy(on, "notified_on"),
            "notified_time": at, "notified_occurrence": which(when), "method": "telephone", "reference": "", "late_reason": ""}
    data.update(extra)
    return auth.post(f"/incidents/{incident_id}/notifications/new", data)


# ---------------------------------------------------------------- recording an event

def test_a_manager_records_a_need_to_know_and_sees_both_deadlines(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    found = obligations_of(app, incident_id)
    assert set(found) == {"incident_ntk_service_manager", "incident_ntk_head_of_service"}
    aware = NOW - 2 * H
    assert {o.due_at for o in found.values()} == {aware + 24 * H}
    page = auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Need-to-know: service manager told" in page and "Need-to-know: head of service told" in page
    assert "21 hours 59 minutes left" in page or "22 hours left" in page
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        assert incident.children == "AB, C-1042" and incident.aware_at == aware


def test_the_deadlines_partial_renders_alone_for_htmx(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    response = auth.client.get(f"/incidents/{incident_id}/deadlines", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and 'hx-trigger="every 60s"' in body


@pytest.mark.parametrize("change, field_message", [
    ({"aware": NOW - 4 * H}, "You cannot have become aware before it happened"),
    ({"occurred": NOW + 2 * H, "aware": NOW + 3 * H}, "The time it happened must be now or in the past"),
    ({"aware": NOW + H}, "The time you became aware must be now or in the past"),
    ({"children": "Alice Smith"}, "initials or reference only"),
    ({"what_happened": ""}, "Enter what happened"),
    ({"notifiable": ""}, "Select whether this is notifiable"),
    ({"notifiable": "yes", "paragraph": ""}, "Select the paragraph"),
    ({"type_code": "reg40_death", "notifiable": "no"}, "always notifiable under regulation 40(1)"),
    ({"type_code": "nonsense"}, "Select the type of event"),
    ({"type_code": "data_breach"}, "must be reported to the ICO"),
    ({"occurred_time": "25:00"}, "must be a 24-hour time"),
    ({"aware": NOW - timedelta(days=400), "occurred": NOW - timedelta(days=401)}, "within a year"),
])
def test_bad_input_is_refused_by_the_field(app, world, auth, change, field_message):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    times = {k: change.pop(k) for k in ("aware", "occurred") if k in change}
    response = auth.post(f"/homes/{world.home_a.id}/incidents/new", event_form(**times, **change))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in body and field_message in body
    with app.app_context():
        assert db.session.scalar(select(Incident.id)) is None


def test_a_time_in_the_spring_forward_gap_does_not_exist(app, world, auth, clock):
    clock.move_to(AFTER_AUTUMN_2026)
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    spring = date(2026, 3, 29)
    data = event_form(**dmy(spring, "occurred_on"), occurred_time="00:30", **dmy(spring, "aware_on"),
                      aware_time="01:30")
    body = auth.post(f"/homes/{world.home_a.id}/incidents/new", data).get_data(as_text=True)
    assert "There is a problem" in body and "did not happen in the UK" in body


def test_an_ambiguous_autumn_time_is_asked_about_then_recorded(app, world, auth, clock):
    clock.move_to(AFTER_AUTUMN_2026)
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    autumn = date(2026, 10, 25)
    data = event_form(**dmy(autumn, "occurred_on"), occurred_time="00:45", **dmy(autumn, "aware_on"),
                      aware_time="01:30")
    body = auth.post(f"/homes/{world.home_a.id}/incidents/new", data).get_data(as_text=True)
    assert "happened twice in the UK" in body and 'name="aware_occurrence"' in body
    response = auth.post(f"/homes/{world.home_a.id}/incidents/new", {**data, "aware_occurrence": "later"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Incident.aware_at)) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_the_first_autumn_occurrence_is_summer_time(app, world, auth, clock):
    clock.move_to(AFTER_AUTUMN_2026)
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    autumn = date(2026, 10, 25)
    data = event_form(**dmy(autumn, "occurred_on"), occurred_time="00:45", **dmy(autumn, "aware_on"),
                      aware_time="01:30", aware_occurrence="earlier")
    assert auth.post(f"/homes/{world.home_a.id}/incidents/new", data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Incident.aware_at)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_death_of_a_child_needs_the_seven_recipients_and_the_need_to_know(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world, type_code="reg40_death", notifiable="yes", paragraph="40(1)")
    assert set(obligations_of(app, incident_id)) == {
        "incident_reg40_hmci", "incident_reg40_placing_authority", "incident_reg40_secretary_of_state",
        "incident_reg40_home_local_authority", "incident_reg40_icb", "incident_reg40_ppo",
        "incident_reg40_other_relevant", "incident_ntk_service_manager", "incident_ntk_head_of_service"}


def test_an_allegation_under_40_4_c_needs_ofsted_the_lado_and_the_need_to_know(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world, type_code="reg40_allegation", notifiable="yes", paragraph="40(4)(c)")
    assert set(obligations_of(app, incident_id)) == {
        "incident_reg40_hmci", "incident_reg40_placing_authority", "incident_reg40_other_relevant",
        "incident_lado", "incident_ntk_service_manager", "incident_ntk_head_of_service"}


def test_a_missing_episode_the_manager_judges_notifiable_adds_the_40_4_b_recipients(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    assert obligations_of(app, record(auth, world, type_code="missing")) == {}
    incident_id = record(auth, world, type_code="missing", notifiable="yes", paragraph="40(4)(b)")
    assert set(obligations_of(app, incident_id)) == {
        "incident_reg40_hmci", "incident_reg40_placing_authority", "incident_reg40_other_relevant"}


def test_a_reportable_breach_has_72_hours_for_the_ico_and_an_unreportable_one_is_only_logged(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    reportable = obligations_of(app, record(auth, world, type_code="data_breach", ico_reportable="yes"))
    assert list(reportable) == ["incident_ico_breach"]
    assert reportable["incident_ico_breach"].due_at == NOW - 2 * H + 72 * H
    assert obligations_of(app, record(auth, world, type_code="data_breach", ico_reportable="no")) == {}


def test_restraint_clocks_run_from_its_use_24h_48h_and_5_days(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    used = NOW - 5 * H
    found = obligations_of(app, record(auth, world, type_code="restraint", occurred=used, aware=NOW - H))
    assert found["incident_restraint_record"].due_at == used + 24 * H
    assert found["incident_restraint_staff_spoken"].due_at == used + 48 * H
    from homes_qa.core.calendar import london_date, london_day_end
    assert found["incident_restraint_child_spoken"].due_at == london_day_end(london_date(used) + timedelta(days=5))


def test_a_subject_access_request_is_due_in_one_calendar_month(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    found = obligations_of(app, record(auth, world, type_code="subject_access_request"))
    from dateutil.relativedelta import relativedelta

    from homes_qa.core.calendar import london_date
    received = london_date(NOW - 2 * H)
    from homes_qa.core.calendar import london_day_end
    assert found["incident_sar_response"].due_at == london_day_end(received + relativedelta(months=1))


def test_only_the_registered_manager_records_events(app, world, auth):
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    assert auth.post(f"/homes/{world.home_a.id}/incidents/new", event_form()).status_code == 403


def test_another_homes_manager_gets_404(app, world, auth, client):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    auth.sign_out()
    sign_in(auth, world.manager_b)
    assert auth.client.get(f"/incidents/{incident_id}").status_code == 404
    assert auth.client.get(f"/incidents/{incident_id}/deadlines").status_code == 404
    assert notify(auth, incident_id, "incident_ntk_service_manager").status_code == 404
    assert auth.post(f"/incidents/{incident_id}/close").status_code == 404
    assert auth.post(f"/homes/{world.home_a.id}/incidents/new", event_form()).status_code == 404


# ---------------------------------------------------------------- notifications, waivers, closing

def test_a_notification_discharges_its_recipient_and_closing_needs_all(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    assert notify(auth, incident_id, "incident_ntk_service_manager", reference="NTK-1").status_code == 303
    found = obligations_of(app, incident_id)
    assert found["incident_ntk_service_manager"].status == ObligationStatus.MET
    assert found["incident_ntk_head_of_service"].status == ObligationStatus.OPEN
    refused = auth.post(f"/incidents/{incident_id}/close")
    assert refused.status_code == 200 and "Still waiting: Need-to-know: head of service told" in refused.get_data(
        as_text=True)
    assert notify(auth, incident_id, "incident_ntk_head_of_service", method="email").status_code == 303
    assert auth.post(f"/incidents/{incident_id}/close").status_code == 303
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        assert not incident.is_open and incident.closed_at is not None
        assert [n.reference for n in incident.notifications] == ["NTK-1", ""]


def test_a_closed_event_is_locked(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world, type_code="complaint")
    assert auth.post(f"/incidents/{incident_id}/close").status_code == 303
    assert auth.post(f"/incidents/{incident_id}/close").status_code == 303  # flashed: closed
    response = auth.client.get(f"/incidents/{incident_id}/notifications/new", follow_redirects=True)
    assert "This event is closed and can no longer be changed" in response.get_data(as_text=True)
    from homes_qa.incidents import service
    from homes_qa.spine.people.models import User
    from homes_qa.spine.transaction import ServiceError
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        with pytest.raises(ServiceError, match="closed"):
            service.close_incident(incident, by=manager)


def test_a_late_notification_needs_a_reason(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world, occurred=NOW - 30 * H, aware=NOW - 28 * H)
    body = notify(auth, incident_id, "incident_ntk_service_manager").get_data(as_text=True)
    assert "There is a problem" in body and "give the reason it was late" in body
    response = notify(auth, incident_id, "incident_ntk_service_manager",
                      late_reason="The service manager was on leave; told the duty manager first.")
    assert response.status_code == 303
    assert obligations_of(app, incident_id)["incident_ntk_service_manager"].status == ObligationStatus.MET_LATE


@pytest.mark.parametrize("change, message", [
    ({"when": NOW + H}, "must be now or in the past"),
    ({"when": NOW - 5 * H}, "cannot have been told before the event was known"),
    ({"recipient": ""}, "Enter who was told"),
    ({"method": "pigeon"}, "Select how they were told"),
    ({"rule": "incident_lado"}, "Select who was told"),
])
def test_bad_notifications_are_refused(app, world, auth, change, message):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    rule = change.pop("rule", "incident_ntk_service_manager")
    body = notify(auth, incident_id, rule, **change).get_data(as_text=True)
    assert "There is a problem" in body and message in body
    with app.app_context():
        assert db.session.scalar(select(IncidentNotification.id)) is None


def test_a_service_manager_waives_with_a_reason_and_the_manager_cannot(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    url = f"/incidents/{incident_id}/waive"
    rule = {"rule_code": "incident_ntk_head_of_service"}
    assert auth.post(url, {**rule, "reason": "Head of service was told in person."}).status_code == 403
    auth.sign_out()
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    body = auth.post(url, {**rule, "reason": "short"}).get_data(as_text=True)
    assert "at least 10 characters" in body
    body = auth.post(url, {"rule_code": "incident_lado", "reason": "Not an allegation at all."}).get_data(as_text=True)
    assert "Select the notification that is not needed" in body
    assert auth.post(url, {**rule, "reason": "Head of service was at the home and told in person."}).status_code == 303
    assert obligations_of(app, incident_id)["incident_ntk_head_of_service"].status == ObligationStatus.WAIVED
    page = auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Waived: Head of service was at the home and told in person." in page


# ---------------------------------------------------------------- hour escalation through the sweep

def test_an_overdue_need_to_know_reaches_the_service_manager_in_hours(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    due = NOW - 2 * H + 24 * H
    with app.app_context():
        raised = alerts.sweep(due - 5 * H)  # within the 6 hours' warning
        mine = [(r.level, r.target_role) for r in raised.raised if r.rule == "incident_ntk_service_manager"]
        assert mine == [(0, "registered_manager")]
        raised = alerts.sweep(due + 24 * H + timedelta(minutes=1))
        mine = [(r.level, r.target_role) for r in raised.raised if r.rule == "incident_ntk_service_manager"]
        assert mine == [(1, "registered_manager"), (2, "service_manager")]
        raised = alerts.sweep(due + 48 * H + timedelta(minutes=1))
        mine = [(r.level, r.target_role) for r in raised.raised if r.rule == "incident_ntk_service_manager"]
        assert mine == [(3, "head_of_service")]
        obligation_ids = [o.id for o in obligations_of(app, incident_id).values()]
        assert db.session.scalar(select(Alert.id).where(Alert.obligation_id.in_(obligation_ids),
                                                        Alert.level == 2)) is not None


# ---------------------------------------------------------------- Reg 45 evidence

def test_events_feed_the_reg45_evidence(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    first = record(auth, world)
    record(auth, world, type_code="complaint")
    record(auth, world, type_code="missing", notifiable="yes", paragraph="40(4)(b)")
    assert notify(auth, first, "incident_ntk_service_manager").status_code == 303
    from homes_qa.reg45 import queries as reg45_queries
    from homes_qa.spine.people.models import Home
    with app.app_context():
        home = db.session.get(Home, world.home_a.id)
        evidence = reg45_queries.gather_evidence(home, TODAY - timedelta(days=180), TODAY, NOW)["incidents"]
        other = reg45_queries.gather_evidence(db.session.get(Home, world.home_b.id), TODAY - timedelta(days=180),
                                              TODAY, NOW)["incidents"]
    assert evidence == {"total": 3, "notifiable": 1,
                        "by_type": {"Child missing from the home": 1, "Complaint": 1, "Need-to-know": 1},
                        "notifications": {"on_time": 1, "late": 0, "waived": 0, "open": 4}}
    assert other["total"] == 0


# ---------------------------------------------------------------- subject access requests

def test_a_complex_subject_access_request_is_extended_by_two_months_once(app, world, auth):
    from dateutil.relativedelta import relativedelta

    from homes_qa.core.calendar import london_date, london_day_end
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world, type_code="subject_access_request")
    url = f"/incidents/{incident_id}/extend"
    assert "Extend: the request is complex" in auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "at least 10 characters" in auth.post(url, {"reason": "big"}).get_data(as_text=True)
    assert auth.post(url, {"reason": "Ten years of records across three homes."}).status_code == 303
    received = london_date(NOW - 2 * H)
    assert obligations_of(app, incident_id)["incident_sar_response"].due_at == london_day_end(
        received + relativedelta(months=3))
    page = auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Ten years of records across three homes." in page and "Extend: the request is complex" not in page
    again = auth.client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "Only a subject access request not yet extended can be extended" in again


def test_only_a_subject_access_request_can_be_extended(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    response = auth.post(f"/incidents/{incident_id}/extend", {"reason": "Ten years of records."})
    assert response.status_code == 303
    assert obligations_of(app, incident_id)["incident_ntk_service_manager"].due_at == NOW - 2 * H + 24 * H


def test_an_extension_must_be_decided_within_the_first_month(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    received = NOW - timedelta(days=40)
    incident_id = record(auth, world, type_code="subject_access_request", occurred=received, aware=received)
    body = auth.post(f"/incidents/{incident_id}/extend", {"reason": "Ten years of records."}).get_data(as_text=True)
    assert "There is a problem" in body and "The first month has passed" in body


# ---------------------------------------------------------------- Reg 40(4)(d): two stages

def test_a_child_protection_enquiry_is_notified_in_two_stages_quoting_ofsteds_reference(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world, type_code="reg40_child_protection", notifiable="yes", paragraph="40(4)(d)",
                         occurred=NOW - 6 * H, aware=NOW - 5 * H)
    outcome_url = f"/incidents/{incident_id}/outcome"
    known_on, known_time = london_at(NOW - H)
    outcome = {**dmy(known_on, "outcome_on"), "outcome_time": known_time, "outcome_occurrence": which(NOW - H),
               "outcome": "Strategy meeting: no further action; safety plan kept."}
    body = auth.post(outcome_url, outcome).get_data(as_text=True)
    assert "Record the first notification to Ofsted, with its reference" in body
    body = notify(auth, incident_id, "incident_reg40_hmci", when=NOW - 4 * H).get_data(as_text=True)
    assert "Enter Ofsted&#39;s reference" in body or "Enter Ofsted's reference" in body
    assert notify(auth, incident_id, "incident_reg40_hmci", when=NOW - 4 * H, reference="OF-77").status_code == 303
    for rule in ("incident_reg40_placing_authority", "incident_reg40_other_relevant", "incident_ntk_service_manager",
                 "incident_ntk_head_of_service"):
        assert notify(auth, incident_id, rule, when=NOW - 4 * H).status_code == 303
    body = auth.post(f"/incidents/{incident_id}/close").get_data(as_text=True)
    assert "the outcome of the child protection enquiry (second stage)" in body
    assert auth.post(outcome_url, outcome).status_code == 303
    found = obligations_of(app, incident_id)
    assert found["incident_reg40_cp_outcome"].due_at == NOW - H + 24 * H
    body = notify(auth, incident_id, "incident_reg40_cp_outcome", reference="OF-78").get_data(as_text=True)
    assert "Quote Ofsted&#39;s reference from the first notification: OF-77" in body or \
        "Quote Ofsted's reference from the first notification: OF-77" in body
    assert notify(auth, incident_id, "incident_reg40_cp_outcome", reference="OF-77").status_code == 303
    assert auth.post(f"/incidents/{incident_id}/close").status_code == 303
    with app.app_context():
        assert not db.session.get(Incident, incident_id).is_open


def test_only_a_40_4_d_event_has_a_second_stage(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    response = auth.client.get(f"/incidents/{incident_id}/outcome", follow_redirects=True)
    assert "Only a child protection enquiry" in response.get_data(as_text=True)


# ---------------------------------------------------------------- home staff (issue 8: "registered manager and home staff")

def test_home_staff_record_an_event_and_its_notification_but_do_not_waive_or_close(app, world, auth):
    sign_in(auth, world.users[Role.HOME_STAFF])
    incident_id = record(auth, world)
    assert notify(auth, incident_id, "incident_ntk_service_manager").status_code == 303
    found = obligations_of(app, incident_id)
    assert found["incident_ntk_service_manager"].status == ObligationStatus.MET
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        assert incident.recorded_by_id == world.users[Role.HOME_STAFF].id
    page = auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Record notification" in page and "Close the event" not in page and "Waive" not in page
    assert auth.post(f"/incidents/{incident_id}/close", {}).status_code == 403
    assert auth.client.get(f"/incidents/{incident_id}/waive").status_code == 403
    assert auth.client.get(f"/homes/{world.home_b.id}/incidents/new").status_code == 404


# ---------------------------------------------------------------- corrections (a closed event is not edited)

def test_a_closed_event_is_corrected_as_a_new_version_with_a_reason_and_the_original_kept(app, world, auth):
    from homes_qa.incidents.models import IncidentCorrection
    from homes_qa.spine.audit.models import AuditEvent
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    incident_id = record(auth, world)
    for rule in ("incident_ntk_service_manager", "incident_ntk_head_of_service"):
        assert notify(auth, incident_id, rule).status_code == 303
    assert auth.post(f"/incidents/{incident_id}/close", {}).status_code == 303
    url = f"/incidents/{incident_id}/correct"
    base = {"children": "AB", "what_happened": "AB left the home after an argument and was found by staff at 9pm.",
            "action_taken": "Staff stayed with AB; the social worker was told."}
    no_reason = auth.post(url, {**base, "reason": ""})
    assert no_reason.status_code == 200 and "Enter the reason for the correction" in no_reason.get_data(as_text=True)
    unchanged = auth.post(url, {"children": "AB, C-1042", "what_happened": event_form()["what_happened"],
                                "action_taken": event_form()["action_taken"], "reason": "Checked with the log book"})
    assert unchanged.status_code == 200 and "Nothing has changed" in unchanged.get_data(as_text=True)
    assert auth.post(url, {**base, "reason": "C-1042 was not involved; the time was missing"}).status_code == 303
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        assert incident.status == "closed" and incident.children == "AB, C-1042"  # the original, unchanged
        assert "found by staff." in incident.what_happened
        correction = db.session.scalar(select(IncidentCorrection))
        assert correction.version == 2 and correction.children == "AB" and "9pm" in correction.what_happened
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "IncidentCorrection"))
    page = auth.client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "version 2 of the account" in page and "C-1042 was not involved" in page
    assert "Version 1, as recorded" in page and "found by staff.</p>" in page  # the original stays readable
    auth.sign_out()
    sign_in(auth, world.manager_b)
    assert auth.client.get(url).status_code == 404  # another home's event
    auth.sign_out()
    sign_in(auth, world.users[Role.HOME_STAFF])
    assert auth.client.get(url).status_code == 403
