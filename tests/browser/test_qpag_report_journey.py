"""The QPAG monthly report in real Chromium: a service manager drafts last month's report (a
year before 2000 first: refused by the field), reads the facts drafted from the records, writes
the commentary of each section, finalises it (locked), opens the printable version, and starts a
correction (version 2). axe-core and the Nu HTML Checker on every page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from tests.qpag_report.records import MONTH, qpag_report_record, seed_month

pytestmark = pytest.mark.usefixtures("clock")

COMMENTARY = {
    "reviews": "The medication review needs a follow-up at Alder House.",
    "reg44": "Alder House: the visitor found children not effectively safeguarded; Birch House was good.",
    "kpis": "Missing episodes rose at Alder House; Birch House has not entered its KPIs.",
    "escalations": "One deadline escalated to the service manager; one QPAG action went to CSLT.",
    "surveys": "Young people mostly feel safe; professionals rate communication as good.",
}


def heading(page):
    return page.get_by_role("heading", level=1)


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def test_service_manager_drafts_writes_finalises_and_prints_the_report(app, page, site, world, sign_in, a11y):
    seed_month(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    follow(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="More"))  # issue 12
    a11y()
    follow(page, page.locator("#more-pages").get_by_role("link", name="QPAG reports"))
    expect(heading(page)).to_have_text("QPAG monthly reports")
    a11y()
    follow(page, page.get_by_role("button", name="Draft a report"))
    expect(heading(page)).to_have_text("Draft a QPAG report")
    a11y()
    page.get_by_label("Year").fill("1999")
    follow(page, page.get_by_role("button", name="Draft the report"))
    expect(page).to_have_title(re.compile(r"^Error: Draft a QPAG report"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The year must be 2000 or later")
    a11y()
    page.get_by_label("Month").select_option(str(MONTH.first.month))
    page.get_by_label("Year").fill(str(MONTH.first.year))
    follow(page, page.get_by_role("button", name="Draft the report"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been drafted")
    expect(heading(page)).to_have_text(f"Write the QPAG report for {MONTH.label}")
    expect(page.locator("#reg44-section")).to_contain_text("Medication records were missing")
    expect(page.locator("#escalations-section")).to_contain_text("Recruit night staff")
    a11y()
    for code, text in COMMENTARY.items():
        field = page.locator(f"textarea[name={code}]")
        if field.count():  # the surveys' only in June and December
            field.fill(text)
    follow(page, page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The report has been saved")
    expect(page.locator("#kpis-section")).to_contain_text(COMMENTARY["kpis"])
    a11y()
    follow(page, page.get_by_role("button", name="Finalise the report"))
    expect(heading(page)).to_have_text(f"Finalise the QPAG report for {MONTH.label}")
    a11y()
    follow(page, page.get_by_role("button", name="Finalise the report"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is final and locked")
    expect(page.locator(".govuk-inset-text")).to_contain_text("This report is final and locked")
    expect(page.get_by_role("button", name="Write the commentary")).to_have_count(0)
    expect(page.get_by_role("button", name="Correct the report")).to_be_visible()
    a11y()
    follow(page, page.get_by_role("link", name="Printable version"))
    expect(heading(page)).to_have_text(f"Report to the Quality and Performance Assurance Group: {MONTH.label}")
    expect(page.locator("main")).to_contain_text(COMMENTARY["reg44"])
    a11y()
    # A correction is a new draft version, with its reason; version 1 stays final.
    follow(page, page.get_by_role("link", name="Back to the report"))
    a11y()
    follow(page, page.get_by_role("button", name="Correct the report"))
    expect(heading(page)).to_have_text(f"Correct the QPAG report for {MONTH.label}")
    a11y()
    page.get_by_label("Why does the report need correcting?").fill("The KPI commentary named the wrong home")
    follow(page, page.get_by_role("button", name="Start a corrected version"))
    expect(page.locator(".govuk-caption-l")).to_have_text("QPAG report, version 2")
    a11y()


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
def test_the_report_does_not_scroll_sideways_on_a_phone(app, page, site, world, sign_in, a11y):
    seed_month(app, world)
    report_id = qpag_report_record(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()
    for path in ("/qpag-reports", f"/qpag-reports/{report_id}", f"/qpag-reports/{report_id}/edit"):
        site(path)
        expect(page.locator("#escalations-section, .govuk-table").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{page.url} is {width}px wide at a 375px viewport"
        a11y()
