"""Hostile input found by probing (issue 13): each finding a regression test.

Every answer here is a 4xx or a safe redirect, never a 500, and nothing hostile is stored.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from homes_qa.core.roles import Role
from tests.helpers import PASSWORD, csrf_token

HUGE_IDS = (2**63, 2**63 + 1, 10**30)


# ---------------------------------------------------------------- next= after sign-in

@pytest.mark.parametrize("target", [
    "/%09/evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
    "https://evil.example/", "/%0d%0aSet-Cookie:%20x=1", "/homes/%0a", "/%00/evil", " //evil.example",
    "http:/evil.example", "javascript:alert(1)",
])
def test_next_after_sign_in_never_leaves_the_site_nor_fails(client, world, target):
    token = csrf_token(client)
    response = client.post(f"/sign-in?next={target}", data={
        "email": world.users[Role.ADMIN].email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == "/", location


def test_next_keeps_a_same_site_path_with_its_query(client, world):
    token = csrf_token(client)
    response = client.post("/sign-in?next=/audit/%3Fpage%3D2", data={
        "email": world.users[Role.ADMIN].email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/audit/?page=2"


# ---------------------------------------------------------------- ids and numbers in URLs

@pytest.mark.parametrize("number", HUGE_IDS)
@pytest.mark.parametrize("path", [
    "/homes/{n}", "/admin/users/{n}/edit", "/admin/homes/{n}/edit", "/admin/homes/{n}/people",
    "/obligations/{n}/complete", "/obligations/{n}/waive", "/homes/{n}/checks", "/reg45/{n}",
    "/reg44/visits/{n}", "/reg44/homes/{n}", "/reg44/visits/{n}/action-plan",
])
def test_ids_beyond_64_bits_are_not_found(world, auth, path, number):
    auth.sign_in(world.users[Role.ADMIN])
    assert auth.client.get(path.format(n=number)).status_code == 404


def test_huge_id_in_a_post_is_not_found(world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    assert auth.post(f"/admin/users/{2**63}/active").status_code == 404
    assert auth.post(f"/alerts/{2**64}/acknowledge").status_code == 404


@pytest.mark.parametrize("query", [
    "page=²", "page=٣", "page=" + "9" * 40, "home=" + "9" * 40, "person=²", "record_id=" + "1" * 30,
    "page=-1", "page=1e9", "page=" + "9" * 19, "page=" + "9" * 18, "home=%00",
])
def test_audit_filters_ignore_numbers_they_cannot_use(world, auth, query):
    auth.sign_in(world.users[Role.ADMIN])
    response = auth.client.get(f"/audit/?{query}")
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 5000, str(2**63), "-1"])
@pytest.mark.parametrize("role, url", [
    (Role.HEAD_OF_SERVICE, "/exceptions/?home={}"), (Role.HEAD_OF_SERVICE, "/exceptions/?person={}"),
    (Role.HEAD_OF_SERVICE, "/exceptions/items?home={}"), (Role.HEAD_OF_SERVICE, "/actions?home={}"),
    (Role.REGISTERED_MANAGER, "/homes/{home}/incidents/new?signal={}")])
def test_filters_and_query_ids_that_are_not_plain_numbers_are_refused_not_500(world, auth, role, url, value):
    # "²" and "١٢" pass str.isdigit() but not int(); 5,000 digits pass neither int() nor SQLite.
    auth.sign_in(world.users[role])
    response = auth.client.get(url.format(value, home=world.home_a.id))
    assert response.status_code in (200, 400), (url, response.status_code)


# ---------------------------------------------------------------- dates are bounded

def _date_form(app, values, **bounds):
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    from homes_qa.web.forms import GovDateField

    class Form(FlaskForm):
        class Meta:
            csrf = False
        on = GovDateField("Date of the thing", invalid_message="The date must be a real date, like 2 11 2026",
                          missing_message="Enter the date", **bounds)

    with app.test_request_context(method="POST"):
        form = Form(formdata=MultiDict([("on", v) for v in values]))
        ok = form.validate()
        return ok, form.on.data, form.on.errors


@pytest.mark.parametrize("values", [
    ("31", "12", "9999"), ("1", "1", "2101"), ("1", "1", "1899"), ("1", "1", "99999"), ("1", "1", "٢٠٢٦"),
    ("1", "1", "２０２６"), ("1", "1", "+2026"), ("1", "1", "2026\x00"),
])
def test_a_date_outside_the_default_window_is_refused_with_a_message(app, values):
    ok, data, errors = _date_form(app, values)
    assert not ok and data is None and errors


def test_the_default_window_names_its_bounds(app):
    ok, _, errors = _date_form(app, ("31", "12", "9999"))
    assert errors == ["Date of the thing must be between 1 January 1900 and 31 December 2100"]
    assert _date_form(app, ("31", "12", "2100"))[:2] == (True, date(2100, 12, 31))


def test_a_field_can_be_past_only_or_future_only(app, clock):
    from homes_qa.web.forms import today
    with app.app_context():
        now = today()
    tomorrow, yesterday = now + timedelta(days=1), now - timedelta(days=1)

    def parts(d):
        return (str(d.day), str(d.month), str(d.year))
    assert _date_form(app, parts(tomorrow), latest=today)[2] == ["Date of the thing must be today or in the past"]
    assert _date_form(app, parts(now), latest=today)[0]
    assert _date_form(app, parts(yesterday), earliest=today)[2] == [
        "Date of the thing must be today or in the future"]
    assert _date_form(app, parts(date(2030, 1, 1)), latest=date(2029, 12, 31),
                      range_message="Too late")[2] == ["Too late"]


def test_a_visit_cannot_be_planned_for_the_year_9999(app, world, auth, clock):
    from sqlalchemy import func, select

    from homes_qa.extensions import db
    from homes_qa.reg44.models import Reg44Visit
    auth.sign_in(world.users[Role.REG44_VISITOR])
    response = auth.post(f"/reg44/homes/{world.home_a.id}/plan",
                         {"planned_for": ["31", "12", "9999"], "announced": "announced"})
    assert response.status_code == 200
    assert "must be between 1 January 1900 and 31 December 2100" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reg44Visit)) == 0


# ---------------------------------------------------------------- numbers in rule timings and ladders

RULE = "/admin/rules/gas_safety_check/edit"
VALID_RULE = {
    "kind": "floating", "amount": "12", "unit": "months", "due_soon_days": "30",
    "step1_role": "registered_manager", "step1_days": "0",
    "step2_role": "service_manager", "step2_days": "1",
    "step3_role": "head_of_service", "step3_days": "3",
    "step4_role": "", "step4_days": "", "active": "y",
}


def _rule_row(app):
    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.spine.rules.models import Rule
    with app.app_context():
        rule = db.session.scalar(select(Rule).where(Rule.code == "gas_safety_check"))
        return dict(rule.timing), list(rule.ladder), rule.due_soon_days


@pytest.mark.parametrize(("change", "message"), [
    ({"amount": str(10**30)}, "The number is too big: a timing is ten years or less"),
    ({"amount": str(2**63)}, "The number is too big: a timing is ten years or less"),
    ({"amount": "121"}, "The number must be 120 months or fewer"),
    ({"unit": "days", "amount": "3661"}, "The number must be 3660 days or fewer"),
    ({"kind": "working_days", "unit": "", "amount": "999999999"}, "The number must be 2610 working days or fewer"),
    ({"step4_role": "admin", "step4_days": str(2**63)}, "Level 4: working days after due must be 260 or fewer"),
    ({"step4_role": "admin", "step4_days": str(10**30)}, "Level 4: working days after due must be 260 or fewer"),
    ({"step4_role": "admin", "step4_days": "261"}, "Level 4: working days after due must be 260 or fewer"),
    ({"due_soon_days": str(2**63)}, "Days of warning must be a whole number from 0 to 90"),
])
def test_rule_numbers_are_bounded(app, client, world, auth, change, message):
    from html import unescape
    auth.sign_in(world.users[Role.ADMIN])
    client.get("/admin/rules/")  # fills the rule table
    before = _rule_row(app)
    response = auth.post(RULE, {**VALID_RULE, **change})
    assert response.status_code == 200
    assert message in unescape(response.get_data(as_text=True))
    assert _rule_row(app) == before


def test_rule_numbers_at_their_maximum_are_kept(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    client.get("/admin/rules/")
    response = auth.post(RULE, {**VALID_RULE, "amount": "120", "step4_role": "admin", "step4_days": "260"})
    assert response.status_code == 303
    timing, ladder, _ = _rule_row(app)
    assert timing["amount"] == 120 and ladder[-1]["after_working_days"] == 260


# ---------------------------------------------------------------- names and single-line text

NEW_USER = {"name": "Priya Shah", "email": "priya@example.org", "role": Role.SERVICE_MANAGER,
            "password": "a-long-temporary-pw"}
NEW_HOME = {"name": "Cherry Tree", "ofsted_urn": "SC777777", "address": "7 Cherry Lane",
            "registered_places": "4", "status": "open"}


def _names(app, model):
    from sqlalchemy import select

    from homes_qa.extensions import db
    with app.app_context():
        return set(db.session.scalars(select(model.name)))


@pytest.mark.parametrize("name", ["   ", "\t\u3000 ", "\x00", "\x1b\x1b"])
def test_whitespace_only_names_are_refused(app, world, auth, name):
    from homes_qa.spine.people.models import Home, User
    auth.sign_in(world.users[Role.ADMIN])
    users, homes = _names(app, User), _names(app, Home)
    user = auth.post("/admin/users/new", {**NEW_USER, "name": name})
    assert user.status_code == 200 and "Enter the person&#39;s full name" in user.get_data(as_text=True)
    home = auth.post("/admin/homes/new", {**NEW_HOME, "name": name})
    assert home.status_code == 200 and "Enter the name of the home" in home.get_data(as_text=True)
    assert _names(app, User) == users and _names(app, Home) == homes


@pytest.mark.parametrize("bidi", ["\u202e", "\u202a", "\u202d", "\u2066", "\u2069"])
def test_text_direction_controls_are_refused_in_names(app, world, auth, bidi):
    from homes_qa.spine.people.models import Home, User
    auth.sign_in(world.users[Role.ADMIN])
    users, homes = _names(app, User), _names(app, Home)
    message = "must not contain characters that change the direction of text"
    user = auth.post("/admin/users/new", {**NEW_USER, "name": f"Priya {bidi}hahS"})
    assert user.status_code == 200 and f"Full name {message}" in user.get_data(as_text=True)
    home = auth.post("/admin/homes/new", {**NEW_HOME, "name": f"Cherry{bidi} Tree"})
    assert home.status_code == 200 and f"Name of the home {message}" in home.get_data(as_text=True)
    assert _names(app, User) == users and _names(app, Home) == homes


def test_control_characters_are_stripped_from_single_line_fields(app, world, auth):
    from sqlalchemy import select

    from homes_qa.extensions import db
    from homes_qa.spine.people.models import Home, User
    auth.sign_in(world.users[Role.ADMIN])
    assert auth.post("/admin/users/new", {**NEW_USER, "name": "\x00Priya\x1b[31m Shah\x7f\n",
                                          "email": " priya@example.org\x00"}).status_code == 303
    assert auth.post("/admin/homes/new", {**NEW_HOME, "name": "Cherry\tTree\x00",
                                          "ofsted_urn": "SC777777\x1b"}).status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "priya@example.org"))
        assert user is not None and user.name == "Priya[31m Shah"
        home = db.session.scalar(select(Home).where(Home.ofsted_urn == "SC777777"))
        assert home is not None and home.name == "Cherry Tree"


def test_the_single_line_filter():
    from homes_qa.web.forms import single_line
    assert single_line(" a\x00b\x1bc\x7fd\u0085e\r\nf\u2028g ") == "abcd e f g"
    assert single_line(None) is None


# ---------------------------------------------------------------- two sweeps at once

def test_a_sweep_that_loses_the_race_counts_already_raised_not_errors(app, world, monkeypatch, caplog):
    """The other sweep committed the alerts after this one read what was raised: the unique
    (obligation, level) key refuses the copies, and that is "already raised", not an error."""
    import logging
    from datetime import UTC, datetime
    from datetime import timedelta as td

    from sqlalchemy import func, select, text

    from homes_qa.extensions import db
    from homes_qa.spine.alerts import service as alerts
    from homes_qa.spine.alerts.models import Alert
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.obligations.service import obligation_for_event
    from homes_qa.spine.people.models import Home
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    with app.app_context(), acting_as("test"):
        obligation_for_event("incident_ntk_service_manager", db.session.get(Home, world.home_a.id), now - td(hours=25),
                             key="incident:race")
    with app.app_context(), acting_as("scheduler"):
        first = alerts.sweep(now)
        assert first.raised and not first.errors
        raised = db.session.scalar(select(func.count()).select_from(Alert))
    # This sweep read the obligations and what was raised before the other sweep committed:
    # its obligations were still to be looked at, and nothing was raised yet.
    with app.app_context():
        db.session.execute(text("UPDATE obligations SET next_alert_at = '1970-01-01 00:00:00'"))
        db.session.commit()
    monkeypatch.setattr(alerts, "_raised_before", lambda now: set())
    caplog.set_level(logging.INFO, logger="homes_qa.sweep")
    with app.app_context(), acting_as("scheduler"):
        second = alerts.sweep(now)
        assert second.errors == [] and second.raised == []
        assert len(second.already_raised) == len(first.raised)
        assert second.summary()["errors"] == 0 and second.summary()["already_raised"] == len(first.raised)
        assert db.session.scalar(select(func.count()).select_from(Alert)) == raised
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


# ---------------------------------------------------------------- a bad ladder kept by an obligation

def test_an_obligation_with_an_absurd_ladder_snapshot_does_not_break_pages_or_the_sweep(app, world, auth, clock):
    """Obligations keep the ladder of the rule as it was: one saved before the bounds (2^63 working
    days, ten million days of warning) still shows, can be waived, and the sweep skips nothing."""
    from datetime import UTC, datetime
    from datetime import timedelta as td

    from homes_qa.extensions import db
    from homes_qa.spine.alerts.service import sweep
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.obligations.service import obligation_for_event
    from homes_qa.spine.people.models import Home
    now = datetime.now(UTC)
    with app.app_context(), acting_as("test"):
        obligation = obligation_for_event("incident_restraint_child_spoken", db.session.get(Home, world.home_a.id),
                                          now - td(days=7), key="incident:absurd")  # a working-day ladder
        ladder = [dict(step) for step in obligation.ladder]
        ladder[-1]["after_working_days"] = 2**63
        obligation.ladder, obligation.due_soon_days = ladder, 10**7
        db.session.commit()
        obligation_id = obligation.id
    for role in (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        auth.sign_in(world.users[role])
        for path in (f"/homes/{world.home_a.id}", "/", "/alerts/", f"/homes/{world.home_a.id}/checks"):
            assert auth.client.get(path).status_code == 200, (role, path)
        auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.client.get(f"/obligations/{obligation_id}/waive").status_code == 200
    with app.app_context(), acting_as("scheduler"):
        assert sweep(now).errors == []


def test_drift_never_reaches_a_level_past_the_calendar():
    from datetime import UTC, datetime

    from homes_qa.core.drift import alert_times, classify
    from homes_qa.core.escalation import EscalationStep
    ladder = [EscalationStep(1, Role.REGISTERED_MANAGER, 0), EscalationStep(2, Role.SERVICE_MANAGER, 2**63)]
    due = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    times = alert_times(due, ladder, 10**30)
    assert set(times) == {0, 1}
    assert classify(due, datetime(2099, 1, 1, tzinfo=UTC), ladder, 10**30).status == "overdue"
    near_the_end = datetime(9999, 12, 30, 9, 0, tzinfo=UTC)
    assert set(alert_times(near_the_end, [ladder[0], EscalationStep(2, Role.SERVICE_MANAGER, 5)], 7)) == {0, 1}


@pytest.mark.parametrize("typed", ["9" * 40, str(2**63), "1" * 5000, "²", "٣", "1e9", "0x10"])
def test_whole_number_fields_refuse_long_digit_strings_with_their_range_message(app, typed):
    """The shared field (used by the autosaved recommendation days and the rule form): never an
    int too large for the database, never a 500."""
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms.validators import InputRequired, NumberRange

    from homes_qa.web.forms import WholeNumberField

    class Form(FlaskForm):
        class Meta:
            csrf = False
        days = WholeNumberField("Days", invalid_message="The number of days must be a whole number, like 28",
                                validators=[InputRequired(message="Enter the days"),
                                            NumberRange(min=1, max=365, message="The number of days must be "
                                                                                "between 1 and 365")])

    with app.test_request_context(method="POST"):
        form = Form(formdata=MultiDict({"days": typed}))
        assert not form.validate() and form.days.data is None
        assert form.days.errors[0] in ("The number of days must be between 1 and 365",
                                       "The number of days must be a whole number, like 28")
