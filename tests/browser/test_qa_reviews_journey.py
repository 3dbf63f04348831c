"""QA reviews in real Chromium: the QA lead (head of service) commissions a dip sample of one
home for a service manager (first without an area: refused by the field); the service manager
records the home's findings (RAG and narrative) and completes the review, proposes an action and
records QPAG's agreement; the action is then on the combined action list. axe-core and the Nu
HTML Checker on every page."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def heading(page):
    return page.get_by_role("heading", level=1)


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def fill_date(page, field: str, day: date):
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def test_qa_lead_commissions_a_dip_sample_and_the_assignee_records_findings_and_completes_it(
        page, site, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()
    follow(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="More"))  # issue 12
    a11y()
    follow(page, page.locator("#more-pages").get_by_role("link", name="QA reviews"))
    expect(heading(page)).to_have_text("Dip samples, thematic reviews and full audits")
    a11y()
    follow(page, page.get_by_role("button", name="Commission a review"))
    expect(heading(page)).to_have_text("Commission a review")
    a11y()
    page.get_by_label("Dip sample").check()
    page.get_by_label("Alder House").check()
    page.get_by_label("Who will carry it out").select_option(str(world.users[Role.SERVICE_MANAGER].id))
    fill_date(page, "due_on", TODAY + timedelta(days=21))
    follow(page, page.get_by_role("button", name="Commission the review"))
    expect(page).to_have_title(re.compile(r"^Error: Commission a review"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the area of the service to sample")
    a11y()
    page.get_by_label("Area of the service or theme").fill("Missing from care: return interviews")
    follow(page, page.get_by_role("button", name="Commission the review"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The review is commissioned")
    expect(heading(page)).to_have_text("Missing from care: return interviews")
    expect(page.locator("#qa-findings")).to_contain_text("Not recorded")
    a11y()
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()

    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    site("/qa-reviews")
    expect(page.locator("#qa-reviews")).to_contain_text("Commissioned")
    a11y()
    follow(page, page.get_by_role("link", name=re.compile("Dip sample: Missing from care")))
    a11y()
    follow(page, page.get_by_role("link", name=re.compile("Record the findings")))
    expect(heading(page)).to_have_text("Findings for Alder House")
    a11y()
    follow(page, page.get_by_role("button", name="Save the findings"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select red, amber or green")
    a11y()
    page.get_by_label("Amber").check()
    page.get_by_label("Findings").fill("Two of five return interviews were late; records otherwise complete.")
    follow(page, page.get_by_role("button", name="Save the findings"))
    expect(page.locator("#qa-findings")).to_contain_text("Amber")
    a11y()
    follow(page, page.get_by_role("button", name="Complete the review"))
    expect(heading(page)).to_have_text("Complete the review")
    a11y()
    follow(page, page.get_by_role("button", name="Complete the review"))
    expect(page.locator("#qa-review-status")).to_contain_text("Completed on")
    a11y()

    # The action plan, then QPAG's agreement: the action is on the combined list.
    follow(page, page.get_by_role("button", name="Add an action to the plan"))
    a11y()
    page.get_by_label("Action", exact=True).fill("Return interviews within 72 hours, checked weekly")
    page.get_by_label("Who owns the action").select_option(str(world.users[Role.REGISTERED_MANAGER].id))
    fill_date(page, "due_on", TODAY + timedelta(days=30))
    follow(page, page.get_by_role("button", name="Add to the action plan"))
    expect(page.locator("#qa-actions")).to_contain_text("Return interviews within 72 hours")
    a11y()
    follow(page, page.get_by_role("button", name="Record QPAG's agreement"))
    a11y()
    fill_date(page, "agreed_on", TODAY)
    follow(page, page.get_by_role("button", name="Record QPAG's agreement"))
    expect(page.locator("#qa-plan-agreed")).to_contain_text("Agreed by QPAG")
    a11y()
    site("/actions?source=qa_review")
    expect(page.locator("main")).to_contain_text("Return interviews within 72 hours")
    a11y()
