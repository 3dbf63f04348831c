"""The service manager's start page in real Chromium: from the work queue to a Reg 44 report
to check (and send it), and from the exceptions grid to an overdue item's home page, with the
filters working without a reload. axe-core on every page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44 import service as reg44
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from tests import clock as test_clock
from tests.reg44.test_visits_support import details

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def heading(page):
    return page.get_by_role("heading", level=1)


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def setup(app, world) -> tuple[int, int]:
    """A submitted report at Alder House, and an overdue need-to-know notification there."""
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test"):
        by = db.session.get(User, visitor.id)
        home = db.session.get(Home, world.home_a.id)
        visit = reg44.record_visit(None, by=by, home=home, details=details(TODAY - timedelta(days=2)))
        reg44.save_draft(visit, by=by, fields={
            "safeguarded_opinion": "yes", "safeguarded_narrative": "Staff know the procedures.",
            "wellbeing_opinion": "yes", "wellbeing_narrative": "Children are listened to.", "findings": "Calm."})
        reg44.submit_report(visit, by=by)
        late = obligations.obligation_for_event("incident_ntk_service_manager", home, utcnow() - timedelta(hours=26),
                                                key="incident:journey", label="Incident on the stairs")
        db.session.commit()
        ids = visit.id, late.id
    with app.app_context():
        alerts.sweep(utcnow())
    return ids


def test_service_manager_from_work_queue_and_grid(page, site, app, world, sign_in, a11y):
    visit_id, late_id = setup(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.SERVICE_MANAGER])
    expect(heading(page)).to_have_text("Overview")
    queue = page.locator("#work-queue")
    expect(queue).to_contain_text("Reg 44 reports to check and send")
    a11y()

    # ---------------------------------------------------------------- work queue -> report to check
    follow(page, queue.get_by_role("link", name="Check and send the report for Alder House"))
    expect(heading(page)).to_have_text("Check and send the report to senior managers")
    expect(page).to_have_url(re.compile(rf"/reg44/visits/{visit_id}/report/check$"))
    a11y()
    follow(page, page.get_by_role("button", name="Confirm: checked and sent"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("checked and sent")
    a11y()
    site("/")
    expect(page.locator("#work-queue")).to_contain_text("No reports waiting for your check")
    a11y()

    # ---------------------------------------------------------------- grid -> overdue item
    follow(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="Exceptions"))
    expect(heading(page)).to_have_text("Exceptions")
    a11y()
    # The filter swaps the grid in place (htmx) and the URL can be shared.
    page.get_by_label("Area", exact=True).select_option("notifications")
    expect(page).to_have_url(re.compile(r"area=notifications"))
    grid = page.locator("#exceptions-grid")
    expect(grid.locator("thead")).to_contain_text("Notifications")
    expect(grid.locator("thead")).not_to_contain_text("Fire")
    a11y()
    row = grid.locator(f"#grid-home-{world.home_a.id}")
    expect(row).to_contain_text("1 overdue")
    follow(page, row.get_by_role("link", name=re.compile(r"1 overdue in Notifications")))
    expect(heading(page)).to_have_text("Items needing attention")
    item = page.locator(f"#items-obligation-{late_id}")
    expect(item).to_contain_text("Overdue")
    a11y()
    follow(page, item.get_by_role("link", name=re.compile("Incident on the stairs")))
    expect(heading(page)).to_have_text("Alder House")
    expect(page).to_have_url(re.compile(rf"/homes/{world.home_a.id}#obligation-{late_id}$"))
    expect(page.locator(f"#obligation-{late_id}")).to_contain_text("Overdue")
    a11y()

    # ---------------------------------------------------------------- the monthly KPIs page
    site("/exceptions/")
    a11y()
    follow(page, page.get_by_role("link", name="monthly KPIs"))
    expect(heading(page)).to_have_text("Monthly KPIs")
    expect(page.locator(f"#kpi-home-{world.home_a.id}")).to_contain_text("Alder House")
    a11y()
