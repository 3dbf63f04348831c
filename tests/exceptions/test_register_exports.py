"""CSV exports of the Reg 44 visits and incident registers: Excel-friendly, formula-safe, in
the user's scope, and never showing the manager or home staff an unannounced plan (reg 44(3))."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.incidents.models import Incident, IncidentNotification
from homes_qa.reg44.models import Reg44Report, Reg44Visit
from homes_qa.spine.audit.models import acting_as
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def _rows(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _visits(app, world) -> dict[str, int]:
    with app.app_context(), acting_as("test"):
        visitor = world.users[Role.REG44_VISITOR].id
        recorded = Reg44Visit(home_id=world.home_a.id, visitor_id=visitor, status="recorded", announced=False,
                              visited_on=TODAY - timedelta(days=20))
        report = Reg44Report(visit=recorded, home_id=world.home_a.id, version=1, status="submitted",
                             author_id=visitor, safeguarded_opinion="with_concerns", wellbeing_opinion="yes",
                             submitted_at=datetime(2026, 10, 20, 12, 0, tzinfo=UTC))
        draft_visit = Reg44Visit(home_id=world.home_a.id, visitor_id=visitor, status="recorded", announced=True,
                                 visited_on=TODAY - timedelta(days=2))
        draft = Reg44Report(visit=draft_visit, home_id=world.home_a.id, version=1, status="draft",
                            author_id=visitor, safeguarded_opinion="no")
        secret = Reg44Visit(home_id=world.home_a.id, visitor_id=visitor, status="planned", announced=False,
                            planned_for=TODAY + timedelta(days=5))
        other = Reg44Visit(home_id=world.home_b.id, visitor_id=world.visitor_b.id, status="planned", announced=True,
                           planned_for=TODAY + timedelta(days=5))
        db.session.add_all([recorded, report, draft_visit, draft, secret, other])
        db.session.commit()
        return {"recorded": recorded.id, "draft": draft_visit.id, "secret": secret.id, "other": other.id}


def test_reg44_visits_export_respects_scope_and_reg_44_3(app, client, world, auth):
    ids = _visits(app, world)
    auth.sign_in(world.users[Role.REG44_VISITOR])
    rows = {r["visit_id"]: r for r in _rows(client, "/exceptions/export/reg44-visits.csv")}
    assert set(rows) == {str(ids["recorded"]), str(ids["draft"]), str(ids["secret"])}  # the visitor's own plan
    recorded = rows[str(ids["recorded"])]
    assert (recorded["children_effectively_safeguarded"], recorded["wellbeing_promoted"]) == ("with_concerns", "yes")
    assert recorded["submitted_at"] == "2026-10-20T12:00:00+00:00" and recorded["announced"] == "no"
    # A draft's opinion is never exported, even to its visitor: only submitted versions.
    assert rows[str(ids["draft"])]["children_effectively_safeguarded"] == ""
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    seen = {r["visit_id"] for r in _rows(client, "/exceptions/export/reg44-visits.csv")}
    assert str(ids["secret"]) not in seen and str(ids["other"]) not in seen and str(ids["recorded"]) in seen
    assert client.get(f"/exceptions/export/reg44-visits.csv?home={world.home_b.id}").status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    every = {r["visit_id"] for r in _rows(client, "/exceptions/export/reg44-visits.csv")}
    assert {str(v) for v in ids.values()} <= every
    only_b = {r["visit_id"] for r in _rows(client, f"/exceptions/export/reg44-visits.csv?home={world.home_b.id}")}
    assert only_b == {str(ids["other"])}
    assert client.get("/exceptions/export/reg44-visits.csv?home=x").status_code == 400
    auth.sign_out()
    auth.sign_in(world.users[Role.HOME_STAFF])
    assert client.get("/exceptions/export/reg44-visits.csv").status_code in (403, 404)


def test_incidents_and_notifications_export_scoped_and_formula_safe(app, client, world, auth):
    at = datetime(2026, 10, 3, 10, 0, tzinfo=UTC)
    with app.app_context(), acting_as("test"):
        manager = world.users[Role.REGISTERED_MANAGER].id
        mine = Incident(home_id=world.home_a.id, type_code="restraint", occurred_at=at, aware_at=at, children="AB",
                        what_happened="=cmd|' /C calc'!A0", action_taken="-1+1", recorded_by_id=manager)
        theirs = Incident(home_id=world.home_b.id, type_code="complaint", occurred_at=at, aware_at=at,
                          what_happened="Complaint", action_taken="Replied", recorded_by_id=world.manager_b.id)
        db.session.add_all([mine, theirs])
        db.session.flush()
        db.session.add(IncidentNotification(incident_id=mine.id, home_id=world.home_a.id,
                                            rule_code="incident_restraint_record", recipient="@Records",
                                            notified_at=at + timedelta(hours=2), method="record",
                                            recorded_by_id=manager))
        db.session.commit()
        mine_id, theirs_id = mine.id, theirs.id
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    incidents = {r["incident_id"]: r for r in _rows(client, "/exceptions/export/incidents.csv")}
    assert set(incidents) == {str(mine_id)}
    record = incidents[str(mine_id)]
    assert record["what_happened"] == "'=cmd|' /C calc'!A0" and record["action_taken"] == "'-1+1"
    assert record["occurred_at"] == "2026-10-03T10:00:00+00:00" and record["notifications"] == "1"
    assert record["type"].startswith("Restraint")
    notifications = _rows(client, "/exceptions/export/notifications.csv")
    assert [(n["incident_id"], n["recipient"]) for n in notifications] == [(str(mine_id), "'@Records")]
    auth.sign_out()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    assert {r["incident_id"] for r in _rows(client, "/exceptions/export/incidents.csv")} == {str(mine_id), str(theirs_id)}
    assert _rows(client, f"/exceptions/export/notifications.csv?home={world.home_b.id}") == []
    auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])
    assert client.get("/exceptions/export/incidents.csv").status_code in (403, 404)


def test_certificate_register_export_in_scope(app, client, world, auth):
    from homes_qa.checks import service as checks_service
    from homes_qa.checks.models import CheckType
    from homes_qa.spine.people.models import Home, User
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    client.get("/register")  # the default check types are added on first use
    with app.app_context(), acting_as("test"):
        gas = db.session.query(CheckType).filter_by(code="gas_safety").one()
        checks_service.record_certificate(db.session.get(Home, world.home_a.id), gas, done_on=TODAY - timedelta(days=30),
                                          contractor="=Gas Co", certificate_number="GS-1", note="", upload=None,
                                          by=db.session.get(User, world.users[Role.SERVICE_MANAGER].id))
    rows = _rows(client, "/register/export.csv")
    assert {r["home"] for r in rows} == {"Alder House"}  # the service manager's home only
    gas_row = next(r for r in rows if r["rule_code"] == "gas_safety_check")
    assert gas_row["contractor"] == "'=Gas Co" and gas_row["last_done"] == (TODAY - timedelta(days=30)).isoformat()
    assert gas_row["applies"] == "yes" and gas_row["next_due"].endswith("+00:00")
    assert any(r["status"] == "No record" for r in rows)
    auth.sign_out()
    auth.sign_in(world.manager_b)
    assert {r["home"] for r in _rows(client, "/register/export.csv")} == {"Birch House"}


def test_action_list_export_every_row_in_scope_and_formula_safe(app, client, world, auth):
    from homes_qa.inspections.models import InspectionItem
    from tests.inspections.records import inspection_records
    mine = inspection_records(app, world, world.home_a)
    inspection_records(app, world, world.home_b)
    with app.app_context(), acting_as("test"):
        db.session.get(InspectionItem, mine["inspection_item_id"]).action = "=Audit the records"
        db.session.commit()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    rows = _rows(client, "/actions/export.csv?status=all")
    assert {r["home"] for r in rows} == {"Alder House"}
    ofsted = next(r for r in rows if r["source"] == "Ofsted inspection")
    assert ofsted["action"] == "'=Audit the records" and ofsted["status"] == "Open" and ofsted["overdue"] == "no"
    assert ofsted["due_on"] == (TODAY + timedelta(days=20)).isoformat()
    assert client.get(f"/actions/export.csv?home={world.home_b.id}").status_code == 404


# ---------------------------------------------------------------- monthly audits

def _audits(app, world) -> dict[str, int]:
    from homes_qa.audits.models import AuditFinding, HomeAudit
    with app.app_context(), acting_as("test"):
        manager = world.users[Role.REGISTERED_MANAGER].id
        sm = world.users[Role.SERVICE_MANAGER].id
        fire = HomeAudit(home_id=world.home_a.id, template_code="fire", template_version=1,
                         title="=HYPERLINK(\"http://x\")", sections=[], period_key="2026-10", status="submitted",
                         overall_grade="good", started_by_id=manager,
                         started_at=datetime(2026, 10, 3, 9, 0, tzinfo=UTC),
                         submitted_at=datetime(2026, 10, 5, 16, 30, tzinfo=UTC))
        gdpr = HomeAudit(home_id=world.home_a.id, template_code="gdpr", template_version=1,
                         title="GDPR compliance check", sections=[], period_key="2026-10", status="draft",
                         started_by_id=sm, started_at=datetime(2026, 10, 10, 9, 0, tzinfo=UTC))
        other = HomeAudit(home_id=world.home_b.id, template_code="fire", template_version=1,
                          title="Fire safety audit", sections=[], period_key="2026-10", status="draft",
                          started_by_id=world.manager_b.id, started_at=datetime(2026, 10, 4, 9, 0, tzinfo=UTC))
        db.session.add_all([fire, gdpr, other])
        db.session.flush()
        db.session.add(AuditFinding(audit_id=fire.id, home_id=world.home_a.id, question_code="fire_fra_current",
                                    question="Is the fire risk assessment current?", finding="Out of date",
                                    action="Review it", owner_id=manager, due_on=TODAY + timedelta(days=7),
                                    priority="high"))
        db.session.commit()
        return {"fire": fire.id, "gdpr": gdpr.id, "other": other.id}


def test_monthly_audits_export_scoped_formula_safe_with_iso_dates(app, client, world, auth):
    ids = _audits(app, world)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    rows = {r["audit_id"]: r for r in _rows(client, "/exceptions/export/audits.csv")}
    assert set(rows) == {str(ids["fire"]), str(ids["gdpr"])}  # not another home's
    fire = rows[str(ids["fire"])]
    assert fire["audit"].startswith("'=")  # formula injection neutralised
    assert fire["submitted_at"] == "2026-10-05T16:30:00+00:00" and fire["findings"] == "1"
    assert (fire["home"], fire["ofsted_urn"], fire["overall_grade"], fire["period"]) == (
        "Alder House", "SC900001", "good", "2026-10")
    assert client.get(f"/exceptions/export/audits.csv?home={world.home_b.id}").status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    only_b = {r["audit_id"] for r in _rows(client, f"/exceptions/export/audits.csv?home={world.home_b.id}")}
    assert only_b == {str(ids["other"])}
    assert client.get("/exceptions/export/audits.csv?home=abc").status_code == 400
    auth.sign_out()
    for role in (Role.HOME_STAFF, Role.REG44_VISITOR):
        auth.sign_in(world.users[role])
        assert client.get("/exceptions/export/audits.csv").status_code in (403, 404)
        auth.sign_out()
