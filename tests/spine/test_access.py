"""Every route in app.url_map, for every role and for an anonymous visitor.

The table below is the access policy. A route missing from it fails the test, so a new route
cannot be added without deciding who may use it.
"""
from __future__ import annotations

import re

import pytest

from homes_qa.core.roles import ROLES, SEES_ALL_HOMES, Role
from homes_qa.spine.people.models import Assignment
from tests import clock as test_clock

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY  # the London day the `clock` fixture pins

ALL = set(ROLES)
# Home staff see their home's checks and fire log, never its Reg 44 visits and reports.
NOT_HOME_STAFF = ALL - {Role.HOME_STAFF}
ADMIN = {Role.ADMIN}
SENIOR = {Role.HEAD_OF_SERVICE, Role.ADMIN}
PUBLIC = "public"
TOKEN = "token"  # no sign-in; a secret in the URL is the credential (a bogus one answers 404)
FEEDBACK_READERS = {Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE}
REG45_READERS = {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE}
CHECK_RECORDERS = {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, *SENIOR}
# Home staff read and answer the home's own audits (H&S, fire), never the service manager's (round 2).
AUDIT_READERS = {Role.REGISTERED_MANAGER, Role.HOME_STAFF, Role.SERVICE_MANAGER, *SENIOR}

# endpoint -> roles allowed (or PUBLIC). A route with <home_id> is home-scoped: a role that
# does not see every home gets 404 for a home it is not assigned to.
POLICY: dict[str, set | str] = {
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    "main.health": PUBLIC,
    "main.status": PUBLIC,
    "auth.change_password": ALL,
    "main.dashboard": ALL,
    "homes.index": ALL,
    "homes.detail": ALL,
    "homes.names": ALL,
    "audit.index": SENIOR,
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.toggle_user": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.homes": ADMIN,
    "admin.new_home": ADMIN,
    "admin.edit_home": ADMIN,
    "admin.home_people": ADMIN,
    "admin.remove_assignment": ADMIN,
    "admin.assign_person": ADMIN,
    # issue 12: the header's grouped pages (web.templating.MORE_PAGE), for the roles that have any
    "navigation.more": {Role.SERVICE_MANAGER, *SENIOR},  # issue 12: a visitor's independence declaration; a second registered manager
    "feeds.calendar": TOKEN,
    "feeds.account_calendar": ALL,
    # Regulation 44 visits and reports: visitors plan, record and write (their own visits only);
    # service managers and above check and send; everyone in the home reads what is submitted.
    "visits.index": NOT_HOME_STAFF,
    "visits.workload": {Role.REG44_VISITOR, Role.SERVICE_MANAGER, *SENIOR},
    "visits.register": NOT_HOME_STAFF,
    "visits.plan_visit": {Role.REG44_VISITOR},
    "visits.record_new_visit": {Role.REG44_VISITOR},
    "visits.visit_detail": NOT_HOME_STAFF,
    "visits.move_visit": {Role.REG44_VISITOR},
    "visits.record_visit": {Role.REG44_VISITOR},
    "visits.report": NOT_HOME_STAFF,
    "visits.save_report": {Role.REG44_VISITOR},
    "visits.autosave_report": {Role.REG44_VISITOR},
    "visits.check_answers": {Role.REG44_VISITOR},
    "visits.return_report": {Role.SERVICE_MANAGER, *SENIOR},
    "visits.correct_report": {Role.REG44_VISITOR},
    "visits.report_version": NOT_HOME_STAFF,
    "visits.report_print": NOT_HOME_STAFF,
    "visits.report_pdf": NOT_HOME_STAFF,
    "visits.check_report": {Role.SERVICE_MANAGER, *SENIOR},
    "visits.record_distribution": {Role.REG44_VISITOR, Role.SERVICE_MANAGER, *SENIOR},
    # issue 12, reg 44(2)(b): the visit's own visitor lists children's case records and consent
    "visits.case_records": {Role.REG44_VISITOR},
    "visits.remove_case_records": {Role.REG44_VISITOR},
    "alerts.index": ALL,
    "alerts.count": ALL,
    # The alert's target role (the test alert is aimed at registered managers), or a head of
    # service / administrator; any other role gets 403.
    "alerts.acknowledge": {Role.REGISTERED_MANAGER, *SENIOR},
    "rules.index": SENIOR,  # heads of service read the rules; administrators edit them
    "rules.edit": ADMIN,
    # Home staff may open it only for the routine checks (ROUTINE_CHECK_RULES): the walk's record is
    # a gas safety certificate, so they get 403 here; test_home_staff_record_routine_checks_only covers them.
    "obligations.complete": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, *SENIOR},
    "obligations.waive": {Role.SERVICE_MANAGER, *SENIOR},
    "obligations.checks": ALL,
    "obligations.complete_check": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, *SENIOR},
    "organisation.index": {Role.SERVICE_MANAGER, *SENIOR},
    # Pre-visit feedback. Readers: the visit's own visitor, the home's manager (not anonymous
    # answers), service managers and heads of service; administrators never see children's answers.
    "feedback.visit_feedback": FEEDBACK_READERS,
    "feedback.new_links": {Role.REGISTERED_MANAGER, Role.HEAD_OF_SERVICE},
    "feedback.enter_for_young_person": {Role.REGISTERED_MANAGER, Role.HEAD_OF_SERVICE},
    "feedback.none_received": {Role.HEAD_OF_SERVICE},
    "feedback.respond": TOKEN,
    "feedback.thank_you": PUBLIC,
    # Reg 44 action plans: the manager proposes, the service manager (or head of service) decides.
    "actionplans.index": FEEDBACK_READERS,
    "actionplans.plan": FEEDBACK_READERS,
    "actionplans.edit": {Role.REGISTERED_MANAGER},
    "actionplans.review": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "actionplans.complete_action": {Role.REGISTERED_MANAGER},
    "actionplans.move_decide_by": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    # Regulation 45 reviews: written by the registered manager, read by their managers.
    "reg45.index": REG45_READERS,
    "reg45.review": REG45_READERS,
    "reg45.print_review": REG45_READERS,
    "reg45.start": {Role.REGISTERED_MANAGER},
    "reg45.edit": {Role.REGISTERED_MANAGER},
    "reg45.refresh_evidence": {Role.REGISTERED_MANAGER},
    "reg45.complete": {Role.REGISTERED_MANAGER},
    "reg45.sent_to_ofsted": {Role.REGISTERED_MANAGER},
    # incidents (issue 8)
    # home staff record events and notifications for their home (issue 8); waiving, extending and
    # closing stay with the registered manager and above
    "incidents.index": REG45_READERS | {Role.HOME_STAFF},
    "incidents.new": {Role.REGISTERED_MANAGER, Role.HOME_STAFF},
    "incidents.incident": REG45_READERS | {Role.HOME_STAFF},
    "incidents.deadlines": REG45_READERS | {Role.HOME_STAFF},
    "incidents.notify": {Role.REGISTERED_MANAGER, Role.HOME_STAFF},
    "incidents.waive": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "incidents.close": REG45_READERS,
    "incidents.correct": REG45_READERS,  # a correction is a new version with a reason (manager and above)
    "incidents.extend": REG45_READERS,
    # Ofsted inspections (issue 10): public reports, read by everyone working with the home;
    # recorded by its manager, service manager and the head of service / QA lead.
    "inspections.index": FEEDBACK_READERS,
    "inspections.new": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.detail": FEEDBACK_READERS,
    "inspections.add_item": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.complete_item": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.reopen_item": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.new_review": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.review": FEEDBACK_READERS,
    "inspections.actions": FEEDBACK_READERS,
    "inspections.export_actions": FEEDBACK_READERS,  # issue 11: the action list as CSV
    # issue 10: one action's history and evidence; those who edit actions add a note to it
    "inspections.action": FEEDBACK_READERS,
    "inspections.action_note": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    # issue 10 (wt-evid): a note's evidence file, to whoever may see the action
    "inspections.action_file": FEEDBACK_READERS,
    "inspections.attach_report": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.report_file": FEEDBACK_READERS,
    # The QPAG action tracker (seed 002 §8): service managers record, the head of service chairs.
    "inspections.qpag": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qpag_new": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qpag_complete": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qpag_escalate": {Role.HEAD_OF_SERVICE},
    # QA reviews (dip samples, thematic reviews, full audits): the QA lead (head of service)
    # commissions; the assignee (a service manager here) records findings and completes; service
    # managers propose the plan and record QPAG's agreement; whoever edits actions completes one.
    # Home staff: none of them.
    "inspections.qa_reviews": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qa_review_new": {Role.HEAD_OF_SERVICE},
    "inspections.qa_review": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qa_review_findings": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qa_review_complete": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qa_review_action_new": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qa_review_agree": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "inspections.qa_review_action_complete": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    # Certificate register and fire log (issue 9): everyone who works with the home reads them;
    # managers and up record; service managers and up say what applies; the cross-home register
    # is for service managers and the head of service; administrators add check types.
    "checks.register": ALL,
    "checks.check_history": ALL,
    "checks.record": CHECK_RECORDERS,
    "checks.applies": {Role.SERVICE_MANAGER, *SENIOR},
    "checks.entry": ALL,
    "checks.add_evidence": CHECK_RECORDERS,
    "checks.evidence": ALL,
    "checks.cross_home": {Role.SERVICE_MANAGER, *SENIOR},
    "checks.new_type": ADMIN,
    "checks.fire_log": ALL,
    "checks.fire_log_print": ALL,
    "checks.log_fire": {*CHECK_RECORDERS, Role.HOME_STAFF},
    # Monthly audits (issue 9): managers and up read them; the template says who conducts each
    # (H&S by the registered manager, the test's template; GDPR and statutory review by service managers).
    "audits.index": AUDIT_READERS,
    "audits.start": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "audits.answers": AUDIT_READERS,
    "audits.grade": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "audits.check": AUDIT_READERS,
    "audits.reaudit": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    # One answer saved as given (htmx; a plain post saves and goes back to the checklist).
    "audits.save_question": {Role.REGISTERED_MANAGER, Role.HOME_STAFF, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "incidents.outcome": {Role.REGISTERED_MANAGER, Role.HOME_STAFF},
    # the weekly safeguarding summary (issue 8): service managers write their own, the head of
    # service reads every submitted one; home staff, visitors and admins do not see them.
    "incidents.summaries": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "incidents.summary_week": {Role.SERVICE_MANAGER},
    "incidents.summary": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "incidents.summary_read": {Role.HEAD_OF_SERVICE},
    # issue 8: the QA case review after a need-to-know is the head of service / QA lead's (seed 004);
    # the organisation's own event types are an administrator's data.
    "incidents.case_review": {Role.HEAD_OF_SERVICE},
    "incidents.event_types": {Role.ADMIN},
    "incidents.new_event_type": {Role.ADMIN},
    "incidents.event_type_active": {Role.ADMIN},
    # Exceptions: the grid for service managers up; the items behind it and the exports for
    # everyone, each scoped to what they may see.
    "exceptions.grid": {Role.SERVICE_MANAGER, *SENIOR},
    "exceptions.items": ALL,
    "exceptions.export_obligations": ALL,
    "exceptions.export_alerts": ALL,
    "exceptions.export_visits": NOT_HOME_STAFF,
    "checks.export_register": ALL,  # issue 11: the register's readers (checks.policy.READERS)
    "exceptions.export_incidents": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "exceptions.export_notifications": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "exceptions.kpis": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, *SENIOR},
    "exceptions.kpi_entry": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, *SENIOR},
    "exceptions.kpi_trends": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, *SENIOR},
    # The QPAG monthly report (issue 11, §8.2–8.4): the service managers' joint report for the
    # whole service, with the head of service (QPAG's chair); nobody else, administrators included.
    "qpag_report.index": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "qpag_report.new": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "qpag_report.report": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "qpag_report.edit": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "qpag_report.redraft": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "qpag_report.finalise": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "qpag_report.correct": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "qpag_report.print_report": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "qpag_report.pdf": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    # issue 11 (wt-excq): monthly audits as CSV, for the audits' readers except home staff.
    "exceptions.export_audits": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, *SENIOR},
    "exceptions.kpis_since_inspection": {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, *SENIOR},
}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_policy_covers_every_route(app):
    endpoints = {r.endpoint for r in _rules(app)}
    assert endpoints - POLICY.keys() == set(), "routes with no access policy"
    assert POLICY.keys() - endpoints == set(), "policy names routes that do not exist"


def _url(app, rule, world, home) -> str:
    """Fill a rule's arguments with records of the given home."""
    from sqlalchemy import select

    from homes_qa.extensions import db
    values = {}
    for arg in rule.arguments:
        if arg == "home_id":
            values[arg] = home.id
        elif arg == "user_id":
            values[arg] = world.manager_b.id if home == world.home_b else world.unassigned_manager.id
        elif arg == "token":
            values[arg] = "not-a-real-calendar-token-0000000000000000"
        elif arg == "assignment_id":
            with app.app_context():
                values[arg] = db.session.scalar(select(Assignment.id).where(Assignment.home_id == home.id))
        elif arg in ("alert_id", "obligation_id"):
            values[arg] = _overdue_check(app, world, home)[arg]
        elif arg in ("code", "rule_code"):
            values[arg] = "gas_safety_check"
        elif arg in ("visit_id", "response_id", "review_id", "recommendation_id"):
            values[arg] = _reg44_records(app, world, home)[arg]
        elif arg in ("qa_review_id", "qa_review_action_id"):
            from tests.inspections.records import qa_review_records
            values[arg] = qa_review_records(app, world, home)[arg]
        elif arg in ("inspection_id", "inspection_item_id", "monitoring_review_id", "qpag_action_id"):
            from tests.inspections.records import inspection_records
            values[arg] = inspection_records(app, world, home)[arg]
        elif arg == "source":  # an action of the combined list: the Ofsted item below
            values[arg] = "inspection"
        elif arg == "action_id":
            from tests.inspections.records import inspection_records
            values[arg] = inspection_records(app, world, home)["inspection_item_id"]
        elif arg == "version":  # a report version of the visit above
            values[arg] = 1
        elif arg == "incident_id":
            values[arg] = _incident(app, world, home)
        elif arg == "week":  # the service manager's current week
            from homes_qa.incidents.queries import week_start_of
            values[arg] = week_start_of(TODAY).isoformat()
        elif arg == "summary_id":
            values[arg] = _safeguarding_summary(app, world)
        elif arg == "type_id":  # an event type the organisation added (issue 8)
            values[arg] = _event_type(app, world)
        elif arg == "type_code":
            values[arg] = "gas_safety"
        elif arg == "kind":
            values[arg] = "alarm-test"
        elif arg == "template_code":
            values[arg] = "health_safety"
        elif arg == "audit_id":
            values[arg] = _audit_record(app, world, home)
        elif arg == "month":  # monthly KPIs (issue 11): this month
            values[arg] = TODAY.strftime("%Y-%m")
        elif arg == "qpag_report_id":  # last month's QPAG report, a draft
            from tests.qpag_report.records import qpag_report_record
            values[arg] = qpag_report_record(app, world)
        elif arg == "consent_id":  # issue 12: a child's case-record consent on the visit above
            values[arg] = _case_record_consent(app, world, home)
        elif arg == "action_file_id":  # a file on a note on the Ofsted item above (issue 10)
            values[arg] = _action_file(app, world, home)
        elif arg in ("entry_id", "evidence_id"):
            values[arg] = _certificate_records(app, world, home)[arg]
        else:  # pragma: no cover - forces the table above to learn new argument kinds
            raise AssertionError(f"no test value for <{arg}> in {rule.rule}")
    return rule.build(values)[1]


def _overdue_check(app, world, home) -> dict:
    """An overdue gas safety check at the home and its alert to the registered manager (made once)."""
    from datetime import timedelta

    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.spine.alerts import service as alerts
    from homes_qa.spine.alerts.models import Alert
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.obligations import service as obligations
    from homes_qa.spine.people.models import Home, User
    from homes_qa.spine.timestamps import utcnow
    with app.app_context():
        mine = select(Alert).where(Alert.home_id == home.id, Alert.target_role == Role.REGISTERED_MANAGER)
        if db.session.scalar(mine) is None:
            with acting_as("test setup"):
                obligations.record_completion(rule_code="gas_safety_check", home=db.session.get(Home, home.id),
                                              done_on=TODAY - timedelta(days=400), note="",
                                              by=db.session.get(User, world.users[Role.ADMIN].id))
                alerts.sweep(utcnow())
        alert = db.session.scalar(mine.order_by(Alert.level.desc()))
        return {"alert_id": alert.id, "obligation_id": alert.obligation_id}


def _reg44_records(app, world, home) -> dict:
    """A recorded visit (by the home's visitor) with a submitted report, an approved action plan
    with one open action, and a Reg 45 review in progress (made once per home)."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from homes_qa.actionplans.models import ActionPlan, ActionPlanResponse
    from homes_qa.extensions import db
    from homes_qa.reg44.models import Reg44Recommendation, Reg44Report, Reg44Visit
    from homes_qa.reg45.models import Reg45Review
    from homes_qa.spine.audit.models import acting_as
    with app.app_context():
        visit = db.session.scalar(select(Reg44Visit).where(Reg44Visit.home_id == home.id).order_by(Reg44Visit.id))
        if visit is None:
            visitor = world.visitor_b if home == world.home_b else world.users[Role.REG44_VISITOR]
            with acting_as("test setup"):
                visit = Reg44Visit(home_id=home.id, visitor_id=visitor.id, status="recorded",
                                   visited_on=TODAY - timedelta(days=3), announced=True)
                report = Reg44Report(visit=visit, home_id=home.id, version=1, status="submitted",
                                     author_id=visitor.id, safeguarded_opinion="yes", wellbeing_opinion="yes")
                report.recommendations.append(Reg44Recommendation(home_id=home.id, number=1, text="Fix the fence",
                                                                  consider_within_days=28))
                db.session.add_all([visit, report])
                db.session.flush()
                plan = ActionPlan(report_id=report.id, home_id=home.id, status="approved")
                plan.responses.append(ActionPlanResponse(
                    recommendation_id=report.recommendations[0].id, home_id=home.id, decision="accept",
                    action="Mend it", owner="Deputy", due_on=TODAY + timedelta(days=20)))
                manager = world.manager_b if home == world.home_b else world.users[Role.REGISTERED_MANAGER]
                db.session.add_all([plan, Reg45Review(home_id=home.id, period_start=date(2026, 1, 1),
                                                      period_end=date(2026, 6, 30), author_id=manager.id)])
                db.session.commit()
        response = db.session.scalar(select(ActionPlanResponse).where(ActionPlanResponse.home_id == home.id))
        review = db.session.scalar(select(Reg45Review).where(Reg45Review.home_id == home.id))
        return {"visit_id": visit.id, "response_id": response.id, "review_id": review.id,
                "recommendation_id": response.recommendation_id}


def _case_record_consent(app, world, home) -> int:
    """A child's case-record consent on the home's visit (made once per home)."""
    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.reg44.models import CaseRecordConsent, Reg44Visit
    from homes_qa.spine.audit.models import acting_as
    visit_id = _reg44_records(app, world, home)["visit_id"]
    with app.app_context():
        found = db.session.scalar(select(CaseRecordConsent.id).where(CaseRecordConsent.visit_id == visit_id))
        if found is None:
            visit = db.session.get(Reg44Visit, visit_id)
            with acting_as("test setup"):
                consent = CaseRecordConsent(visit=visit, home_id=home.id, child_ref="AB", child_consented=True,
                                            authority_consented=True, records_seen=True,
                                            recorded_by_id=visit.visitor_id)
                db.session.add(consent)
                db.session.commit()
                found = consent.id
        return found


def _safeguarding_summary(app, world) -> int:
    """Last week's submitted weekly safeguarding summary by home A's service manager (made once)."""
    from datetime import timedelta

    from homes_qa.extensions import db
    from homes_qa.incidents import service as incidents
    from homes_qa.incidents.queries import summary_for, week_start_of
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people.models import User
    week = week_start_of(TODAY) - timedelta(weeks=1)
    manager_id = world.users[Role.SERVICE_MANAGER].id
    with app.app_context():
        found = summary_for(manager_id, week)
        if found is None:
            with acting_as("test setup"):
                found = incidents.save_summary(db.session.get(User, manager_id), week, themes="Quiet week",
                                               learning="None", actions="", submit=True)
        return found.id


def _incident(app, world, home) -> int:
    """An open need-to-know at the home, its two notifications waiting (made once per home)."""
    from datetime import timedelta

    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.incidents import service as incidents
    from homes_qa.incidents.models import Incident
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people.models import Home, User
    from homes_qa.spine.timestamps import utcnow
    with app.app_context():
        found = db.session.scalar(select(Incident.id).where(Incident.home_id == home.id))
        if found is None:
            manager = world.manager_b if home == world.home_b else world.users[Role.REGISTERED_MANAGER]
            when = utcnow() - timedelta(hours=2)
            from homes_qa.core.calendar import to_london
            local = to_london(when)
            with acting_as("test setup"):
                at, which = local.time().replace(second=0, microsecond=0), "later" if local.fold else "earlier"
                found = incidents.record_incident(
                    db.session.get(Home, home.id), type_code="need_to_know", occurred_on=local.date(),
                    occurred_time=at, occurred_occurrence=which, aware_on=local.date(), aware_time=at,
                    aware_occurrence=which, children="AB",
                    what_happened="Test event", action_taken="Test action", notifiable=False, paragraph=None,
                    by=db.session.get(User, manager.id)).id
        return found


def _event_type(app, world) -> int:
    """An event type added by the administrator (made once)."""
    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.incidents import service as incidents
    from homes_qa.incidents.models import IncidentEventType
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people.models import User
    with app.app_context():
        found = db.session.scalar(select(IncidentEventType.id))
        if found is None:
            with acting_as("test setup"):
                found = incidents.add_event_type(label="Self-harm needing hospital treatment", notifiable_default=False,
                                                 rules=["incident_ntk_service_manager"], source="Local procedure",
                                                 by=db.session.get(User, world.users[Role.ADMIN].id)).id
        return found


def _certificate_records(app, world, home) -> dict:
    """A gas safety certificate at the home with a PDF attached (made once per home)."""
    from sqlalchemy import select

    from homes_qa.checks import service as checks
    from homes_qa.checks.models import CertificateEntry, CheckType, Evidence
    from homes_qa.extensions import db
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people.models import Home, User
    with app.app_context():
        entry = db.session.scalar(select(CertificateEntry).where(CertificateEntry.home_id == home.id))
        if entry is None:
            with acting_as("test setup"):
                checks.sync_types()
                gas = db.session.scalar(select(CheckType).where(CheckType.code == "gas_safety"))
                entry = checks.record_certificate(
                    db.session.get(Home, home.id), gas, done_on=TODAY, contractor="Test Gas Ltd",
                    certificate_number="G1", note="", by=db.session.get(User, world.users[Role.ADMIN].id),
                    upload=checks.Upload("gas.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"))
        evidence = db.session.scalar(select(Evidence.id).where(Evidence.entry_id == entry.id))
        return {"entry_id": entry.id, "evidence_id": evidence}


def _action_file(app, world, home) -> int:
    """A PDF attached to a progress note on the home's Ofsted item (made once per home)."""
    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.inspections import queries as inspection_queries
    from homes_qa.inspections import service as inspection_service
    from homes_qa.inspections.models import ActionFile
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people.models import User
    from tests.inspections.records import inspection_records
    item_id = inspection_records(app, world, home)["inspection_item_id"]
    with app.test_request_context():
        found = db.session.scalar(select(ActionFile.id).where(ActionFile.home_id == home.id))
        if found is None:
            admin = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
            detail = inspection_queries.action_detail(admin, "inspection", item_id)
            with acting_as("test setup"):
                note = inspection_service.add_action_note(
                    detail, text="Evidence attached", by=admin,
                    upload=inspection_service.NoteFile("evidence.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"))
                found = note.file.id
        return found


def _audit_record(app, world, home) -> int:
    """A submitted H&S audit graded requires improvement at the home (made once per home)."""
    from sqlalchemy import select

    from homes_qa.audits.models import HomeAudit
    from homes_qa.audits.templates import latest
    from homes_qa.extensions import db
    from homes_qa.spine.audit.models import acting_as
    with app.app_context():
        audit = db.session.scalar(select(HomeAudit).where(HomeAudit.home_id == home.id))
        if audit is None:
            manager = world.manager_b if home == world.home_b else world.users[Role.REGISTERED_MANAGER]
            with acting_as("test setup"):
                audit = HomeAudit(home_id=home.id, template_code="health_safety", template_version=1,
                                  title="Health and safety audit", sections=latest("health_safety").to_snapshot(),
                                  period_key="2026-10", status="submitted", overall_grade="requires_improvement",
                                  started_by_id=manager.id)
                db.session.add(audit)
                db.session.commit()
        return audit.id


def _expected(endpoint: str, role: str | None, other_home: bool) -> set[int]:
    allowed = POLICY[endpoint]
    if allowed == TOKEN:
        return {404}
    if allowed == PUBLIC:
        return {200, 302, 303}
    if role is None:
        return {302}  # to sign-in
    if role not in allowed:
        return {403}
    if other_home and role not in SEES_ALL_HOMES:
        return {404}
    return {200, 302, 303, 422}  # 422: let in, the empty form refused by its fields (an action's note)


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_every_route_for_role(app, client, world, auth, role):
    if role:
        assert auth.sign_in(world.users[role]).status_code == 303
    else:
        # Someone without an account still has a session and its CSRF token (public link forms).
        # (Not `from conftest import csrf_token`: with the browser tests collected too, `conftest`
        # is tests/browser/conftest.py.)
        page = client.get("/sign-in").get_data(as_text=True)
        auth.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    failures = []
    for rule in sorted(_rules(app), key=lambda r: (("POST" in r.methods), r.rule)):
        if rule.endpoint == "auth.sign_out":
            continue  # would end this session; covered in test_auth
        homes = [(world.home_a, False)]
        if "home_id" in rule.arguments:
            homes.append((world.home_b, True))
        for home, other in homes:
            url = _url(app, rule, world, home)
            expected = _expected(rule.endpoint, role, other)
            for method in sorted(rule.methods & {"GET", "POST"}):
                if method == "GET":
                    status = client.get(url).status_code
                else:
                    status = client.post(url, data={"csrf_token": auth.token or ""}).status_code
                    if status == 400 and auth.token is None:
                        status = 302  # anonymous: no token to send; refused either way
                if status not in expected:
                    failures.append(f"{method} {url} as {role or 'anonymous'}: {status}, expected {sorted(expected)}")
                if role is None and status == 302 and POLICY[rule.endpoint] not in (PUBLIC, TOKEN):
                    location = client.get(url).headers["Location"] if method == "GET" else "/sign-in"
                    if "/sign-in" not in location:
                        failures.append(f"{method} {url} anonymous redirected to {location}, not sign-in")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_post_route_refuses_missing_csrf(app, client, world, auth, role):
    auth.sign_in(world.users[role])
    failures = []
    for rule in _rules(app):
        if "POST" not in rule.methods:
            continue
        url = _url(app, rule, world, world.home_a)
        for headers in ({}, {"X-CSRFToken": "forged"}):
            response = client.post(url, data={}, headers=headers)
            if response.status_code != 400 or "This form has expired" not in response.get_data(as_text=True):
                failures.append(f"POST {url} with headers {headers}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_htmx_header_token_is_accepted(client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    response = client.post(f"/admin/users/{world.unassigned_manager.id}/active",
                           headers={"X-CSRFToken": auth.token}, data={})
    assert response.status_code == 303


# ---------------------------------------------------------------- home staff (issue 9, round 2)

def _routine_check(app, home, rule_code="window_restrictors_monthly") -> int:
    from homes_qa.extensions import db
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.obligations import service as obligations
    from homes_qa.spine.people.models import Home
    with app.app_context(), acting_as("test setup"):
        obligation = obligations.obligation_for_period(rule_code, db.session.get(Home, home.id), TODAY)
        assert obligation is not None
        db.session.commit()
        return obligation.id


def test_home_staff_record_routine_checks_only(app, client, world, auth):
    from homes_qa.extensions import db
    from homes_qa.spine.obligations.models import Obligation
    routine = _routine_check(app, world.home_a)
    gas = _overdue_check(app, world, world.home_a)["obligation_id"]
    elsewhere = _routine_check(app, world.home_b)
    auth.sign_in(world.users[Role.HOME_STAFF])
    home = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert f"/obligations/{routine}/complete" in home
    assert f"/obligations/{gas}/complete" not in home
    assert client.get(f"/obligations/{routine}/complete").status_code == 200
    done = auth.post(f"/obligations/{routine}/complete", {
        "done_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)], "note": "All restrictors checked"})
    assert done.status_code == 303
    with app.app_context():
        assert not db.session.get(Obligation, routine).is_open
    assert client.get(f"/obligations/{gas}/complete").status_code == 403
    assert auth.post(f"/obligations/{gas}/complete", {
        "done_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)]}).status_code == 403
    assert client.get(f"/obligations/{elsewhere}/complete").status_code == 404
    with app.app_context():
        assert db.session.get(Obligation, gas).is_open and db.session.get(Obligation, elsewhere).is_open


def test_home_staff_still_see_no_reg44_reports_reg45_reviews_other_homes_or_admin(app, client, world, auth):
    records = _reg44_records(app, world, world.home_a)
    auth.sign_in(world.users[Role.HOME_STAFF])
    with app.test_request_context():
        from flask import url_for
        refused = {
            url_for("visits.index"): 403,
            url_for("visits.visit_detail", visit_id=records["visit_id"]): 403,
            url_for("visits.report", visit_id=records["visit_id"]): 403,
            url_for("visits.report_print", visit_id=records["visit_id"], version=1): 403,
            url_for("reg45.index", home_id=world.home_a.id): 403,
            url_for("reg45.review", review_id=records["review_id"]): 403,
            url_for("admin.users"): 403,
            url_for("admin.homes"): 403,
            url_for("homes.detail", home_id=world.home_b.id): 404,
            url_for("audits.index", home_id=world.home_b.id): 404,
            url_for("checks.fire_log", home_id=world.home_b.id): 404,
        }
        homes = url_for("homes.index")
    got = {url: client.get(url).status_code for url in refused}
    assert got == refused
    listing = client.get(homes).get_data(as_text=True)
    assert world.home_a.name in listing and world.home_b.name not in listing
