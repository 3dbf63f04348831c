"""Helpers for the Reg 44 request tests: make visits and reports through the real services.

(No tests here; the name keeps it with the visit tests. Import with `from test_visits_support import …`.)
"""
from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from homes_qa.extensions import db
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Reg44Report, Reg44Visit
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Home, User
from tests import clock

# A Monday in November 2026 (no clock change, no bank holiday nearby).
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def today() -> date:
    """The London day the `clock` fixture pins (tests using it must take the fixture)."""
    return clock.TODAY


def date_fields(name: str, day: date) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def plan(app, home_id: int, visitor_id: int, planned_for: date, *, announced: bool = True, now=None) -> int:
    with app.app_context():
        visit = reg44.plan_visit(home=db.session.get(Home, home_id),
                                 visitor=db.session.get(User, visitor_id), planned_for=planned_for,
                                 announced=announced, now=now)
        return visit.id


def details(visited_on: date, **overrides) -> reg44.VisitDetails:
    values = dict(visited_on=visited_on, arrived_at="00:00", left_at="00:01", announced=True,
                  spoke_children=2, spoke_staff=3, spoke_roles="deputy manager", records_inspected="Daily logs")
    values.update(overrides)
    return reg44.VisitDetails(**values)


def record(app, visitor_id: int, visited_on: date, *, visit_id: int | None = None, home_id: int | None = None,
           now=None, **overrides) -> int:
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id) if visit_id else None
        home = db.session.get(Home, home_id) if home_id else None
        visit = reg44.record_visit(visit, by=db.session.get(User, visitor_id), home=home,
                                   details=details(visited_on, **overrides), now=now)
        return visit.id


def submit(app, visit_id: int, visitor_id: int, *, recommendations=(("Review the night staffing rota", 28),),
           now=None, safeguarded="yes", wellbeing="yes", findings="The home is calm and well run.") -> int:
    """Write a complete draft and submit it; returns the report id."""
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        by = db.session.get(User, visitor_id)
        reg44.save_draft(visit, by=by, now=now, fields={
            "safeguarded_opinion": safeguarded, "safeguarded_narrative": "Staff know the procedures.",
            "wellbeing_opinion": wellbeing, "wellbeing_narrative": "Children are listened to.",
            "findings": findings})
        for text, days in recommendations:
            reg44.add_recommendation(visit, by=by, text=text, consider_within_days=days, now=now)
        report = reg44.submit_report(visit, by=by, now=now)
        return report.id


def obligation(app, rule_code: str, key: str) -> dict | None:
    """A plain snapshot of one obligation (by rule and period key)."""
    with app.app_context():
        found = db.session.scalar(select(Obligation).where(Obligation.rule_code == rule_code,
                                                           Obligation.period_key == key))
        if found is None:
            return None
        return {"id": found.id, "status": found.status, "due_at": found.due_at, "met_at": found.met_at,
                "hidden": found.hidden_from_home_staff, "title": found.title, "home_id": found.home_id,
                "discharged_by": (found.discharged_by_type, found.discharged_by_id)}


def reports(app, visit_id: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(Reg44Report).where(Reg44Report.visit_id == visit_id)
                                  .order_by(Reg44Report.version))
        return [{"id": r.id, "version": r.version, "status": r.status, "findings": r.findings,
                 "safeguarded_opinion": r.safeguarded_opinion, "checked_by_id": r.checked_by_id,
                 "correction_reason": r.correction_reason, "author_id": r.author_id,
                 "returned_by_id": r.returned_by_id,
                 "recommendations": [(rec.id, rec.number, rec.text, rec.consider_within_days)
                                     for rec in r.recommendations]} for r in rows]


def error_summary(html: str) -> list[str]:
    """The (text, href) pairs in the GOV.UK error summary, as 'href text' strings."""
    box = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not box:
        return []
    return [f"{href} {html_lib.unescape(re.sub(r'<[^>]+>', '', text)).strip()}"
            for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', box.group(1), re.S)]


def days_ahead(n: int) -> date:
    return today() + timedelta(days=n)
