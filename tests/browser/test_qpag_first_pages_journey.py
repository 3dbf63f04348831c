"""The QPAG report from the first pages in real Chromium: a service manager's work queue says
last month's report is to be drafted, the link opens the form on that month, the draft is made,
and the work queue then links to continuing it; the head of service's "QPAG items" list the
report and an overdue QPAG action, whose link opens its escalation to CSLT. axe-core and the
Nu HTML Checker on every page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.core.qpag import meeting_month
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import QpagAction
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from tests import clock as test_clock
from tests.qpag_report.records import MONTH, seed_month

pytestmark = pytest.mark.usefixtures("clock")


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def _setup(app, world) -> None:
    seed_month(app, world)
    with app.app_context(), acting_as("test setup"):
        obligations.obligation_for_period("qpag_report_monthly", None, meeting_month(MONTH).first)
        sm = world.users[Role.SERVICE_MANAGER]
        db.session.add(QpagAction(home_id=world.home_a.id, meeting_on=test_clock.TODAY - timedelta(days=60),
                                  text="Review the missing-from-care protocol", owner_id=sm.id,
                                  due_on=test_clock.TODAY - timedelta(days=3), created_by_id=sm.id))
        db.session.commit()


def test_work_queue_to_the_draft_and_qpag_items_to_an_escalation(app, page, site, world, sign_in, a11y):
    _setup(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.SERVICE_MANAGER])
    queue = page.locator("#work-queue")
    expect(queue).to_contain_text(f"Draft the QPAG report for {MONTH.label}")
    a11y()
    follow(page, queue.get_by_role("link", name=f"Draft the QPAG report for {MONTH.label}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft a QPAG report")
    expect(page.get_by_label("Month")).to_have_value(str(MONTH.first.month))
    expect(page.get_by_label("Year")).to_have_value(str(MONTH.first.year))
    a11y()
    follow(page, page.get_by_role("button", name="Draft the report"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Write the QPAG report for {MONTH.label}")
    expect(page.locator("#kpis-section")).to_contain_text("Audits on time")
    a11y()
    site("/")
    a11y()
    follow(page, page.locator("#work-queue").get_by_role(
        "link", name=f"Continue the draft QPAG report for {MONTH.label}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Write the QPAG report for {MONTH.label}")
    a11y()
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()

    site("/sign-in")
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    items = page.locator("#qpag-items")
    expect(items).to_contain_text(f"Continue the draft QPAG report for {MONTH.label}")
    expect(items.locator("#qpag-actions-attention")).to_contain_text("Overdue")
    a11y()
    follow(page, items.get_by_role("link", name="Escalate to CSLT: Review the missing-from-care protocol"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Escalate the action to CSLT")
    a11y()
