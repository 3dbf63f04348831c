"""Migration 0008: an unedited statutory rule moves from "end of month" to the check-and-send
default, open statutory deadlines that fell before their check move with it; down and up again."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select
from test_visits_support import obligation, record

from homes_qa.core.calendar import london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import rule_by_code

pytestmark = pytest.mark.usefixtures("clock")


def _statutory_rule() -> dict:
    return db.session.scalar(select(Rule.timing).where(Rule.code == "reg44_report_statutory"))


def test_0008_moves_the_old_default_and_early_deadlines(app, world):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, date(2026, 11, 21), home_id=world.home_a.id,
                      now=datetime(2026, 11, 21, 15, 0, tzinfo=UTC), arrived_at="10:00", left_at="12:00")
    key = f"visit:{visit_id}"
    with app.app_context():
        rule_by_code("reg44_report_statutory").timing = {"kind": "end_of_month"}  # as before issue 12
        statutory = db.session.scalar(select(Obligation).where(
            Obligation.rule_code == "reg44_report_statutory", Obligation.period_key == key))
        statutory.due_at = london_day_end(date(2026, 11, 30))
        db.session.commit()
        downgrade(revision="0007")  # the revision before 0008
        columns = {c["name"] for c in inspect(db.engine).get_columns("reg44_reports")}
        assert "returned_by_id" not in columns and _statutory_rule() == {"kind": "end_of_month"}
        upgrade()
        columns = {c["name"] for c in inspect(db.engine).get_columns("reg44_reports")}
        assert {"returned_by_id", "returned_at"} <= columns
        assert _statutory_rule() == {"kind": "working_days", "amount": 22}
        db.session.remove()
    assert obligation(app, "reg44_report_statutory", key)["due_at"] == london_day_end(date(2026, 12, 22))
    assert obligation(app, "reg44_report_sent", key)["due_at"] == london_day_end(date(2026, 12, 22))


def test_0008_keeps_a_rule_an_administrator_changed(app):
    with app.app_context():
        rule_by_code("reg44_report_statutory").timing = {"kind": "calendar_days", "amount": 40}
        db.session.commit()
        downgrade(revision="0007")  # the revision before 0008
        upgrade()
        assert _statutory_rule() == {"kind": "calendar_days", "amount": 40}
