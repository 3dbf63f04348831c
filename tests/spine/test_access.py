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
ADMIN = {Role.ADMIN}
SENIOR = {Role.HEAD_OF_SERVICE, Role.ADMIN}
PUBLIC = "public"
TOKEN = "token"  # no sign-in; a secret in the URL is the credential (a bogus one answers 404)
FEEDBACK_READERS = {Role.REGISTERED_MANAGER, Role.REG44_VISITOR, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE}
REG45_READERS = {Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE}

# endpoint -> roles allowed (or PUBLIC). A route with <home_id> is home-scoped: a role that
# does not see every home gets 404 for a home it is not assigned to.
POLICY: dict[str, set | str] = {
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    "main.health": PUBLIC,
    "auth.change_password": ALL,
    "main.dashboard": ALL,
    "homes.index": ALL,
    "homes.detail": ALL,
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
    "feeds.calendar": TOKEN,
    "feeds.account_calendar": ALL,
    # Regulation 44 visits and reports: visitors plan, record and write (their own visits only);
    # service managers and above check and send; everyone in the home reads what is submitted.
    "visits.index": ALL,
    "visits.workload": {Role.REG44_VISITOR, Role.SERVICE_MANAGER, *SENIOR},
    "visits.register": ALL,
    "visits.plan_visit": {Role.REG44_VISITOR},
    "visits.record_new_visit": {Role.REG44_VISITOR},
    "visits.visit_detail": ALL,
    "visits.move_visit": {Role.REG44_VISITOR},
    "visits.record_visit": {Role.REG44_VISITOR},
    "visits.report": ALL,
    "visits.save_report": {Role.REG44_VISITOR},
    "visits.autosave_report": {Role.REG44_VISITOR},
    "visits.correct_report": {Role.REG44_VISITOR},
    "visits.report_version": ALL,
    "visits.report_print": ALL,
    "visits.report_pdf": ALL,
    "visits.check_report": {Role.SERVICE_MANAGER, *SENIOR},
    "visits.record_distribution": {Role.REG44_VISITOR, Role.SERVICE_MANAGER, *SENIOR},
    "alerts.index": ALL,
    "alerts.count": ALL,
    # The alert's target role (the test alert is aimed at registered managers), or a head of
    # service / administrator; any other role gets 403.
    "alerts.acknowledge": {Role.REGISTERED_MANAGER, *SENIOR},
    "rules.index": SENIOR,  # heads of service read the rules; administrators edit them
    "rules.edit": ADMIN,
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
    "feedback.respond": TOKEN,
    "feedback.thank_you": PUBLIC,
    # Reg 44 action plans: the manager proposes, the service manager (or head of service) decides.
    "actionplans.index": FEEDBACK_READERS,
    "actionplans.plan": FEEDBACK_READERS,
    "actionplans.edit": {Role.REGISTERED_MANAGER},
    "actionplans.review": {Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE},
    "actionplans.complete_action": {Role.REGISTERED_MANAGER},
    # Regulation 45 reviews: written by the registered manager, read by their managers.
    "reg45.index": REG45_READERS,
    "reg45.review": REG45_READERS,
    "reg45.print_review": REG45_READERS,
    "reg45.start": {Role.REGISTERED_MANAGER},
    "reg45.edit": {Role.REGISTERED_MANAGER},
    "reg45.refresh_evidence": {Role.REGISTERED_MANAGER},
    "reg45.complete": {Role.REGISTERED_MANAGER},
    "reg45.sent_to_ofsted": {Role.REGISTERED_MANAGER},
    # Exceptions: the grid for service managers up; the items behind it and the exports for
    # everyone, each scoped to what they may see.
    "exceptions.grid": {Role.SERVICE_MANAGER, *SENIOR},
    "exceptions.items": ALL,
    "exceptions.export_obligations": ALL,
    "exceptions.export_alerts": ALL,
    "exceptions.kpis": {Role.SERVICE_MANAGER, *SENIOR},
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
        elif arg in ("visit_id", "response_id", "review_id"):
            values[arg] = _reg44_records(app, world, home)[arg]
        elif arg == "version":  # a report version of the visit above
            values[arg] = 1
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
        return {"visit_id": visit.id, "response_id": response.id, "review_id": review.id}


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
    return {200, 302, 303}


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
