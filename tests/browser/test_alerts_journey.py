"""A registered manager with an overdue check: sees the alert count in the header, acknowledges
the alert (htmx swaps the row in place), then records the check as done and it reads "Met late".
axe-core checks every page loaded and the page after the swap."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from playwright.sync_api import expect
from sqlalchemy import select

from homes_qa.core.calendar import london_date
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligation_service
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import sync_catalogue, update_rule
from homes_qa.spine.timestamps import utcnow

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")


def _overdue_gas_check(app, world) -> tuple[int, int]:
    """Gas safety fell due yesterday at home A; the sweep raises its alerts. (obligation, overdue alert)."""
    due_day = london_date(utcnow()) - timedelta(days=1)
    with app.app_context(), acting_as("test setup"):
        sync_catalogue()
        # Calendar audits off, so this check is the only thing due.
        for rule in db.session.scalars(select(Rule).where(Rule.trigger == "calendar")).all():
            update_rule(rule, timing=rule.timing, ladder=rule.ladder, due_soon_days=rule.due_soon_days, active=False)
        obligation_service.record_completion(
            rule_code="gas_safety_check", home=db.session.get(Home, world.home_a.id),
            done_on=due_day - relativedelta(months=12), note="", by=db.session.get(User, world.users[Role.ADMIN].id))
        obligation_id = db.session.scalar(select(Obligation.id).where(
            Obligation.rule_code == "gas_safety_check", Obligation.status == ObligationStatus.OPEN))
        alert_service.sweep(utcnow())
        alert_id = db.session.scalar(select(Alert.id).where(Alert.obligation_id == obligation_id, Alert.level == 1))
    return obligation_id, alert_id


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def test_manager_acknowledges_an_alert_then_records_the_check(app, page, site, world, sign_in, a11y):
    obligation_id, alert_id = _overdue_gas_check(app, world)
    heading = page.get_by_role("heading", level=1)

    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    expect(heading).to_have_text("Overview")
    alerts_link = page.get_by_role("navigation", name="Menu").get_by_role("link", name=re.compile(r"^Alerts"))
    expect(alerts_link.locator(".app-header-count")).to_have_text("1")
    expect(alerts_link).to_have_accessible_name(re.compile(r"^Alerts\s+1\s+to acknowledge\s*$"))
    a11y()

    follow(page, alerts_link)
    expect(heading).to_have_text("Alerts")
    row = page.locator(f"#alert-mine-{alert_id}")
    expect(row).to_contain_text("Gas safety check")
    expect(row.locator(".govuk-tag")).to_have_text("Overdue")
    a11y()

    # Acknowledge: htmx posts the form and swaps the row; no page load.
    loads = []
    page.on("load", lambda: loads.append(page.url))
    row.locator("summary").click()
    row.get_by_label("What is being done about it?").fill("Engineer booked for Friday morning")
    with page.expect_response(re.compile(rf"/alerts/{alert_id}/acknowledge$")) as posted:
        row.get_by_role("button", name=re.compile(r"^Acknowledge")).click()
    assert posted.value.status == 200 and posted.value.request.headers.get("hx-request") == "true"
    row = page.locator(f"#alert-mine-{alert_id}")
    expect(row).to_contain_text("Acknowledged")
    expect(row).to_contain_text("Engineer booked for Friday morning")
    expect(row).to_contain_text("Registered manager A")
    expect(page.locator("#app-alert-count .app-header-count")).to_have_count(0)  # the badge refreshed
    assert loads == [] and page.url.endswith("/alerts/")
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)  # no Post/Redirect/Get round trip
    page.get_by_role("tab", name=re.compile(r"^My homes")).click()
    expect(page.locator(f"#alert-homes-{alert_id}")).to_contain_text("Acknowledged")  # its copy, out of band
    a11y()

    follow(page, page.locator(f"#alert-homes-{alert_id}").get_by_role("link", name="Alder House"))
    expect(heading).to_have_text("Alder House")
    due = page.locator(f"#obligation-{obligation_id}")
    expect(due.locator(".govuk-tag")).to_have_text("Overdue")
    a11y()

    follow(page, due.get_by_role("link", name=re.compile(r"^Record that it was done")))
    expect(heading).to_have_text("Record that it was done")
    a11y()
    today = london_date(utcnow())
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Note (optional)").fill("Certificate GS-2026-11")
    follow(page, page.get_by_role("button", name="Save"))

    expect(heading).to_have_text("Alder House")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Recorded: Gas safety check")
    met = page.locator(f"#obligation-{obligation_id}")
    expect(met.locator(".govuk-tag")).to_have_text("Met late")
    expect(page.locator("#what-is-due")).to_contain_text("Met in the last 30 days")
    a11y()
