"""The certificate register: which checks apply per home, a missing record is a problem,
entries set the next due date floating from the date done and discharge obligations so the
sweep raises expiring and expired alerts, the cross-home register and its bounded queries."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import event, func, select

from homes_qa.checks import queries as check_queries
from homes_qa.checks import service as checks
from homes_qa.checks.models import CertificateEntry, CheckType, HomeCheckSetting
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.timestamps import utcnow
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def dmy(day: date, name: str = "done_on") -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def record(app, world, home_ref, code: str, done_on: date, role=Role.ADMIN, **extra):
    with app.app_context(), acting_as("test setup"):
        checks.sync_types()
        check_type = db.session.scalar(select(CheckType).where(CheckType.code == code))
        return checks.record_certificate(
            db.session.get(Home, home_ref.id), check_type, done_on=done_on, contractor=extra.get("contractor", "Acme"),
            certificate_number=extra.get("number", ""), note="", upload=None,
            by=db.session.get(User, world.users[role].id)).id


def open_obligations(app, home_ref, rule_code):
    with app.app_context():
        return [(o.period_key, o.due_at.date()) for o in db.session.scalars(select(Obligation).where(
            Obligation.home_id == home_ref.id, Obligation.rule_code == rule_code,
            Obligation.status == ObligationStatus.OPEN))]


def row_html(html: str, code: str) -> str:
    start = html.index(f'id="check-{code}"')
    return html[start:html.index("</tr>", start)]


# ---------------------------------------------------------------- the register of a home

def test_register_lists_every_default_check_and_a_missing_record_is_a_problem(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = client.get(f"/homes/{world.home_a.id}/register").get_data(as_text=True)
    for title in ("Gas safety certificate", "EICR", "Fire alarm service", "Fire extinguisher service",
                  "Emergency lighting annual", "Fire risk assessment", "Legionella", "PAT", "LOLER",
                  "Insurance certificate", "Ofsted registration"):
        assert title in html, title
    gas = row_html(html, "gas_safety")
    assert "No record" in gas
    assert "govuk-tag--red" in gas
    assert "Not known" not in html
    assert "Does not apply" in row_html(html, "loler")  # no hoist unless the home says so


def test_recording_a_gas_certificate_sets_next_due_twelve_months_on(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    client.get(f"/homes/{world.home_a.id}/register")
    done = TODAY - timedelta(days=10)
    response = auth.post(f"/homes/{world.home_a.id}/register/gas_safety/record",
                         {**dmy(done), "contractor": "Warm Homes Gas Ltd", "certificate_number": "GS-1234"})
    assert response.status_code == 303
    with app.app_context():
        entry = db.session.scalar(select(CertificateEntry))
        assert (entry.contractor, entry.certificate_number, entry.done_on, entry.next_due_on) == (
            "Warm Homes Gas Ltd", "GS-1234", done, done + relativedelta(months=12))
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.record_type == "CertificateEntry")) == 1
    assert [due for _, due in open_obligations(app, world.home_a, "gas_safety_check")] == [
        done + relativedelta(months=12)]
    gas = row_html(client.get(f"/homes/{world.home_a.id}/register").get_data(as_text=True), "gas_safety")
    assert "Warm Homes Gas Ltd" in gas
    assert "In date" in gas


def test_a_new_certificate_discharges_the_open_one(app, world):
    record(app, world, world.home_a, "eicr", TODAY - relativedelta(years=5, days=3))
    assert len(open_obligations(app, world.home_a, "eicr")) == 1
    record(app, world, world.home_a, "eicr", TODAY)
    assert [due for _, due in open_obligations(app, world.home_a, "eicr")] == [TODAY + relativedelta(years=5)]
    with app.app_context():
        closed = db.session.scalar(select(Obligation).where(Obligation.rule_code == "eicr",
                                                            Obligation.status != ObligationStatus.OPEN))
        assert closed.status == ObligationStatus.MET_LATE


def test_an_expired_certificate_raises_an_overdue_alert(app, world):
    record(app, world, world.home_a, "pat", TODAY - relativedelta(months=13))
    with app.app_context(), acting_as("scheduler"):
        alerts.sweep(utcnow())
        levels = set(db.session.scalars(select(Alert.level).join(Obligation).where(
            Obligation.rule_code == "pat_testing", Alert.home_id == world.home_a.id)))
    assert 1 in levels  # overdue


def test_an_expiring_certificate_raises_a_due_soon_alert_only(app, world):
    record(app, world, world.home_a, "pat", TODAY - relativedelta(months=12) + timedelta(days=3))
    with app.app_context(), acting_as("scheduler"):
        alerts.sweep(utcnow())
        levels = set(db.session.scalars(select(Alert.level).join(Obligation).where(
            Obligation.rule_code == "pat_testing")))
    assert levels == {0}


@pytest.mark.parametrize("data, message", [
    ({**dmy(TODAY + timedelta(days=1)), "contractor": "A"}, "The date it was done must be today or in the past"),
    ({**dmy(TODAY - relativedelta(years=7)), "contractor": "A"}, "must be within the last 6 years"),
    ({"done_on": ["31", "2", "2026"], "contractor": "A"}, "must be a real date"),
    ({**dmy(TODAY)}, "Enter who did the check"),
    ({**dmy(TODAY), "contractor": "x" * 201}, "The contractor must be 200 characters or fewer"),
])
def test_bad_certificate_input_is_refused_and_nothing_saved(app, client, world, auth, data, message):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = auth.post(f"/homes/{world.home_a.id}/register/gas_safety/record", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    with app.app_context():
        assert db.session.scalar(select(func.count(CertificateEntry.id))) == 0


def test_another_homes_register_and_records_are_404(app, client, world, auth):
    entry_id = record(app, world, world.home_b, "gas_safety", TODAY)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/homes/{world.home_b.id}/register").status_code == 404
    assert client.get(f"/homes/{world.home_b.id}/register/gas_safety").status_code == 404
    assert client.get(f"/certificates/{entry_id}").status_code == 404
    assert auth.post(f"/homes/{world.home_b.id}/register/gas_safety/record",
                     {**dmy(TODAY), "contractor": "A"}).status_code == 404


def test_unknown_check_type_is_404(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/homes/{world.home_a.id}/register/no_such_check").status_code == 404


# ---------------------------------------------------------------- which checks apply

def test_no_gas_supply_means_no_gas_check(app, client, world, auth):
    record(app, world, world.home_a, "gas_safety", TODAY - relativedelta(months=13))
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    response = auth.post(f"/homes/{world.home_a.id}/register/gas_safety/applies",
                         {"applies": "no", "reason": "No gas supply: all electric"})
    assert response.status_code == 303
    assert open_obligations(app, world.home_a, "gas_safety_check") == []
    with app.app_context():
        waived = db.session.scalar(select(Obligation).where(Obligation.rule_code == "gas_safety_check",
                                                            Obligation.status == ObligationStatus.WAIVED))
        assert "No gas supply" in waived.waived_reason
    gas = row_html(client.get(f"/homes/{world.home_a.id}/register").get_data(as_text=True), "gas_safety")
    assert "Does not apply" in gas
    assert "No gas supply" in gas
    assert "Record a certificate" not in gas
    refused = auth.post(f"/homes/{world.home_a.id}/register/gas_safety/record", {**dmy(TODAY), "contractor": "A"})
    assert refused.status_code == 303  # back to the register: nothing to record
    with app.app_context():
        assert db.session.scalar(select(func.count(CertificateEntry.id))) == 1  # the old one only


def test_not_applicable_needs_a_reason(app, client, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    response = auth.post(f"/homes/{world.home_a.id}/register/gas_safety/applies", {"applies": "no", "reason": ""})
    assert "Say why this check does not apply" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(HomeCheckSetting.id))) == 0


def test_a_hoist_makes_loler_apply_and_it_is_then_a_problem(app, client, world, auth):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    assert auth.post(f"/homes/{world.home_a.id}/register/loler/applies",
                     {"applies": "yes", "reason": ""}).status_code == 303
    loler = row_html(client.get(f"/homes/{world.home_a.id}/register").get_data(as_text=True), "loler")
    assert "No record" in loler


def test_a_registered_manager_cannot_change_what_applies(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert auth.post(f"/homes/{world.home_a.id}/register/gas_safety/applies", {"applies": "no",
                                                                             "reason": "No gas"}).status_code == 403


# ---------------------------------------------------------------- check types

def test_an_administrator_adds_a_check_type_with_its_rule(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    response = auth.post("/register/types/new", {"title": "Lift thorough examination", "interval_months": "6",
                                                  "source": "LOLER 1998 reg 9", "applies_by_default": "y"})
    assert response.status_code == 303
    with app.app_context():
        rule = db.session.scalar(select(Rule).where(Rule.code == "custom_lift_thorough_examination"))
        assert (rule.trigger, rule.timing["amount"], rule.timing["unit"], rule.source) == (
            "last_completed", 6, "months", "LOLER 1998 reg 9")
    html = client.get(f"/homes/{world.home_b.id}/register").get_data(as_text=True)
    assert "No record" in row_html(html, "custom_lift_thorough_examination")


@pytest.mark.parametrize("interval", ["0", "121", "six"])
def test_a_check_type_interval_is_bounded(app, client, world, auth, interval):
    auth.sign_in(world.users[Role.ADMIN])
    response = auth.post("/register/types/new", {"title": "Lift", "interval_months": interval, "source": "LOLER"})
    assert "How often must be a whole number of months from 1 to 120" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CheckType.id)).where(CheckType.code.like("custom_%"))) == 0


# ---------------------------------------------------------------- the cross-home register

def test_service_manager_sees_their_homes_problems_first(app, client, world, auth):
    record(app, world, world.home_a, "gas_safety", TODAY - relativedelta(months=13))
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    html = client.get("/register").get_data(as_text=True)
    assert "Alder House" in html
    assert "Birch House" not in html  # not one of theirs
    row = html[html.index(f'id="home-{world.home_a.id}"'):]
    assert "Gas safety certificate" in row[:row.index("</tr>")]
    assert "Escalated" in row[:row.index("</tr>")]  # a month overdue: with the service manager


def test_head_of_service_sees_every_home(client, world, auth):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    html = client.get("/register").get_data(as_text=True)
    assert "Alder House" in html and "Birch House" in html


def test_cross_home_register_query_count_does_not_grow_with_homes_or_history(app, world):
    def queries_for_register() -> int:
        with app.app_context():
            count = 0

            def on_execute(*args):
                nonlocal count
                count += 1
            user = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
            event.listen(db.engine, "before_cursor_execute", on_execute)
            try:
                registers = check_queries.cross_home_registers(user, utcnow())
                for register in registers:
                    for row in register.rows:
                        _ = row.entry and row.entry.evidence
            finally:
                event.remove(db.engine, "before_cursor_execute", on_execute)
            return count
    record(app, world, world.home_a, "gas_safety", TODAY)
    small = queries_for_register()
    with app.app_context(), acting_as("test setup"):
        for n in range(4):
            people.create_home(name=f"Extra {n}", ofsted_urn=f"SC90010{n}", address="x", registered_places=2)
    for home in (world.home_a, world.home_b):
        for months in (36, 24, 12):
            record(app, world, home, "pat", TODAY - relativedelta(months=months))
    assert queries_for_register() == small  # evidence of the entries shown: one selectin, not one per row
