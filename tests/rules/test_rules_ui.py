"""The rules pages: every rule by area in words; administrators edit timing, warning and the
escalation ladder through services.rules.update_rule; bad input saves nothing."""
from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.rules.models import Rule

GAS = "/admin/rules/gas_safety_check/edit"
VALID = {
    "kind": "floating", "amount": "12", "unit": "months", "due_soon_days": "30",
    "step1_role": "registered_manager", "step1_days": "0",
    "step2_role": "service_manager", "step2_days": "1",
    "step3_role": "head_of_service", "step3_days": "3",
    "step4_role": "", "step4_days": "",
    "active": "y",
}


def _rule(app, code: str = "gas_safety_check") -> dict:
    with app.app_context():
        rule = db.session.scalar(select(Rule).where(Rule.code == code))
        return {"timing": dict(rule.timing), "ladder": list(rule.ladder), "due_soon_days": rule.due_soon_days,
                "active": rule.active}


def _summary(html: str) -> list[tuple[str, str]]:
    """(href, text) of each entry of the error summary."""
    assert "govuk-error-summary" in html, "no error summary"
    body = html[html.index("govuk-error-summary__list"):]
    body = body[:body.index("</ul>")]
    return [(href, " ".join(unescape(text).split())) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', body)]


def test_heads_of_service_read_every_rule_by_area(client, world, auth):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    html = client.get("/admin/rules/").get_data(as_text=True)
    assert '<h2 class="govuk-heading-m" id="area-statutory_checks">Statutory checks</h2>' in html
    assert '<h2 class="govuk-heading-m" id="area-reg44">Regulation 44 visits</h2>' in html
    gas = html[html.index('id="rule-gas_safety_check"'):]
    gas = gas[:gas.index("</tr>")]
    assert "Every year from the last completion" in gas
    assert "Registered manager at due time → Service manager after 2 working days → Head of service / QA lead after 5" in gas
    assert "Gas Safety (Installation and Use) Regs 1998 reg 36" in gas
    assert "Verify" not in gas
    fire_drill = html[html.index('id="rule-fire_drill_quarterly"'):]
    assert 'govuk-tag--yellow">Verify<' in fire_drill[:fire_drill.index("</tr>")]
    assert "Quarterly (fixed to the calendar)" in html
    assert "Changes apply to obligations created after the change." in html
    assert "/edit" not in html  # read only
    assert client.get(GAS).status_code == 403
    assert auth.post(GAS, VALID).status_code == 403


def test_other_roles_cannot_see_the_rules(client, world, auth):
    for role in (Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.REG44_VISITOR):
        auth.sign_in(world.users[role])
        assert client.get("/admin/rules/").status_code == 403
        assert "/admin/rules/" not in client.get("/").get_data(as_text=True)  # not in the navigation
        auth.sign_out()


def test_administrator_edits_a_rule_and_the_change_is_audited(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    html = client.get("/admin/rules/").get_data(as_text=True)
    assert f'href="{GAS}"' in html
    page = client.get(GAS).get_data(as_text=True)
    assert "Changes apply to obligations created after the change." in page
    assert '<option value="floating" selected>' in page and 'value="12"' in page
    response = auth.post(GAS, {**VALID, "amount": "24", "step4_role": "admin", "step4_days": "10"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/rules/#rule-gas_safety_check")
    rule = _rule(app)
    # The anniversary window the form does not show is kept.
    assert rule["timing"] == {"kind": "floating", "amount": 24, "unit": "months", "anniversary_window_months": 2}
    assert rule["due_soon_days"] == 30 and rule["active"] is True
    assert [s["after_working_days"] for s in rule["ladder"]] == [0, 1, 3, 10]
    html = client.get("/admin/rules/").get_data(as_text=True)
    assert "changes saved" in html and "Every 2 years from the last completion" in html
    assert "Service manager after 1 working day → Head of service / QA lead after 3 → Administrator after 10" in html
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "Rule", AuditEvent.action == "update")
                                  .order_by(AuditEvent.id.desc()))
        assert event.actor_id == world.users[Role.ADMIN].id and event.record_label == "Rule gas_safety_check"
        assert event.changes["due_soon_days"] == [7, 30]


def test_switching_a_rule_off(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    data = {k: v for k, v in VALID.items() if k != "active"}  # an unticked box is not posted
    assert auth.post(GAS, data).status_code == 303
    assert _rule(app)["active"] is False
    assert re.search(r'id="rule-gas_safety_check".*?Not in use', client.get("/admin/rules/").get_data(as_text=True), re.S)


def test_bad_input_shows_errors_by_the_fields_and_saves_nothing(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    client.get("/admin/rules/")  # fills the table
    before = _rule(app)
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.record_type == "Rule",
                                                                                       AuditEvent.action == "update"))
    cases = [
        ({**VALID, "amount": "0"}, "#timing", "must be at least 1"),
        ({**VALID, "amount": "-3"}, "#timing", "must be at least 1"),
        ({**VALID, "amount": "twelve"}, "#amount", "The number must be a whole number"),
        ({**VALID, "unit": "fortnights"}, "#timing", "Unknown unit 'fortnights'"),
        ({**VALID, "kind": "fixed"}, "#timing", "cannot be a fixed cadence"),
        ({**VALID, "step2_role": "", "step2_days": ""}, "#ladder", "Escalation levels must run 1, 2, 3"),  # skips level 2
        ({**VALID, "step3_days": "1"}, "#ladder", "Level 3 must come later than level 2"),
        ({**VALID, "step1_role": "service_manager"}, "#ladder", "Level 1 of the ladder must be the responsible role"),
        ({**VALID, "step2_days": ""}, "#step2_days", "Enter the working days after due for level 2"),
        ({**VALID, "step2_role": ""}, "#step2_role", "Select who hears at level 2"),
        ({**VALID, "due_soon_days": "91"}, "#due_soon_days", "Days of warning must be a whole number from 0 to 90"),
        ({**VALID, "due_soon_days": ""}, "#due_soon_days", "Enter the days of warning"),
        ({}, "#kind", "Select how it is timed"),
    ]
    for data, href, message in cases:
        response = auth.post(GAS, data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, message
        entries = _summary(html)
        assert any(h == href and message in text for h, text in entries), (message, entries)
        assert "<title>Error: " in html
        target = href[1:]
        assert f'id="{target}"' in html  # the summary links to something on the page
        assert f'id="{target}-error"' in html or f'{target}-error' in html, message  # the message is by the field
    assert _rule(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.record_type == "Rule", AuditEvent.action == "update")) == events


def test_calendar_rules_only_offer_fixed_cadences(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    page = client.get("/admin/rules/hs_audit_monthly/edit").get_data(as_text=True)
    kinds = re.findall(r'<option value="([a-z_]+)"[^>]*>', page[page.index('id="kind"'):page.index("</select>", page.index('id="kind"'))])
    assert kinds == ["fixed"]
    data = {"kind": "fixed", "amount": "2", "unit": "weeks", "due_soon_days": "3",
            "step1_role": "registered_manager", "step1_days": "0", "active": "y"}
    assert auth.post("/admin/rules/hs_audit_monthly/edit", data).status_code == 303
    rule = _rule(app, "hs_audit_monthly")
    assert rule["timing"]["unit"] == "weeks" and rule["timing"]["anchor"] == "2026-01-05"  # weeks start on Monday
    assert "Fortnightly (fixed, weeks starting Monday)" in client.get("/admin/rules/").get_data(as_text=True)


def test_unknown_rule_is_404(client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    assert client.get("/admin/rules/no_such_rule/edit").status_code == 404
