"""An hour clock's rule stays editable: its ladder in hours and its warning in hours."""
from __future__ import annotations

from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.rules.models import Rule

URL = "/admin/rules/incident_ntk_service_manager/edit"
VALID = {"kind": "elapsed_hours", "amount": "24", "unit": "", "due_soon_days": "4", "active": "y",
         "step1_role": "registered_manager", "step1_days": "0", "step2_role": "service_manager", "step2_days": "12",
         "step3_role": "head_of_service", "step3_days": "36"}


def _rule(app) -> Rule:
    with app.app_context():
        rule = db.session.scalar(select(Rule).where(Rule.code == "incident_ntk_service_manager"))
        db.session.expunge(rule)
        return rule


def test_the_form_shows_hours_and_saves_hours(app, world, auth):
    assert auth.sign_in(world.users[Role.ADMIN]).status_code == 303
    page = auth.client.get(URL).get_data(as_text=True)
    assert "Level 2: hours after due" in page and "Hours of warning before it is due" in page
    assert 'value="24"' in page and 'value="6"' in page  # the 24 h step and the 6 hours' warning
    assert auth.post(URL, VALID).status_code == 303
    rule = _rule(app)
    assert [s.get("after_hours") for s in rule.ladder] == [0, 12, 36]
    assert rule.due_soon_hours == 4 and rule.due_soon_days == 7
    listing = auth.client.get("/admin/rules/").get_data(as_text=True)
    assert "Service manager 12 hours after" in listing


def test_bad_hours_are_refused(app, world, auth):
    assert auth.sign_in(world.users[Role.ADMIN]).status_code == 303
    body = auth.post(URL, {**VALID, "due_soon_days": "1000"}).get_data(as_text=True)
    assert "Hours of warning must be a whole number from 0 to 720" in body
    body = auth.post(URL, {**VALID, "step3_days": "10"}).get_data(as_text=True)
    assert "must come later than level 2" in body
    assert _rule(app).due_soon_hours == 6
