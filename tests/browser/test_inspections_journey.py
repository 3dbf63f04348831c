"""Ofsted inspections in real Chromium: the manager records an RI inspection (first tripping the
limiting-judgement check, then correcting it), adds a requirement with its regulation,
compliance date, owner and due date, and attaches the report; the head of service records a
monitoring review (RAG + narrative), which discharges the fortnightly review and sets the next.
Also: a QPAG action escalated to CSLT by the chair; the action list filtered with htmx.
axe-core on every page."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.core.formats import long_date
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


def test_record_an_inspection_with_a_requirement_then_a_monitoring_review(page, site, world, sign_in, a11y,
                                                                          tmp_path):
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    a11y()
    site(f"/homes/{world.home_a.id}")
    a11y()
    follow(page, page.get_by_role("link", name="Ofsted inspections"))
    expect(heading(page)).to_have_text("Ofsted inspections")
    expect(page.locator("#monitoring-reviews-due")).to_contain_text("No monitoring review is due")
    a11y()
    follow(page, page.get_by_role("button", name="Record an inspection"))
    expect(heading(page)).to_have_text("Record an Ofsted inspection")
    a11y()

    # Leaders and managers inadequate with overall good: SCCIF says no better than RI. Warned.
    page.get_by_label("Full inspection").check()
    fill_date(page, "started_on", TODAY - timedelta(days=3))
    fill_date(page, "ended_on", TODAY - timedelta(days=2))
    page.get_by_label("Overall experiences and progress").select_option("good")
    page.get_by_label("How well children and young people are helped").select_option("good")
    page.get_by_label("The effectiveness of leaders and managers").select_option("inadequate")
    follow(page, page.get_by_role("button", name="Record the inspection"))
    expect(page).to_have_title(re.compile(r"^Error: Record an Ofsted inspection"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("no better than requires improvement")
    a11y()
    # Correct the overall judgement instead of confirming.
    page.get_by_label("Overall experiences and progress").select_option("requires_improvement")
    follow(page, page.get_by_role("button", name="Record the inspection"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The inspection is recorded")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Requires improvement to be good")
    a11y()

    # A requirement: first with a compliance date before the inspection (refused), then right.
    follow(page, page.get_by_role("button", name="Add a requirement or recommendation"))
    expect(heading(page)).to_have_text("Add a requirement or recommendation")
    a11y()
    page.get_by_label("Requirement (cites a regulation").check()
    page.get_by_label("What Ofsted wrote").fill("Staff must record every physical intervention within 24 hours")
    page.get_by_label("Regulation it cites").fill("Regulation 35")
    fill_date(page, "compliance_date", TODAY - timedelta(days=10))
    page.get_by_label("What will be done").fill("Audit restraint records weekly")
    page.get_by_label("Who owns the action").select_option(str(world.users[Role.REGISTERED_MANAGER].id))
    fill_date(page, "due_on", TODAY + timedelta(days=20))
    follow(page, page.get_by_role("button", name="Add"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The compliance date cannot be before the inspection")
    a11y()
    fill_date(page, "compliance_date", TODAY + timedelta(days=28))
    follow(page, page.get_by_role("button", name="Add"))
    expect(page.locator("#inspection-items")).to_contain_text("Regulation 35")
    expect(page.locator("#inspection-items")).to_contain_text("Audit restraint records weekly")
    a11y()
    # Ofsted's report, as a PDF.
    follow(page, page.get_by_role("link", name="Attach the report"))
    expect(heading(page)).to_have_text("Attach Ofsted's report")
    a11y()
    report = tmp_path / "ofsted-report.pdf"
    report.write_bytes(b"%PDF-1.7\n% the published report\n")
    page.get_by_label("Ofsted's report (PDF)").set_input_files(str(report))
    follow(page, page.get_by_role("button", name="Attach the report"))
    expect(page.locator("#report-file")).to_contain_text("ofsted-report.pdf")
    a11y()
    follow(page, page.get_by_role("link", name="Ofsted inspections"))
    first_due = TODAY + timedelta(days=14)
    expect(page.locator("#monitoring-reviews-due")).to_contain_text(long_date(first_due))
    expect(page.locator("#inspection-window")).to_contain_text("another inspection is expected by 31 March")
    a11y()
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()

    # ---------------------------------------------------------------- the head of QA reviews
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()
    site(f"/homes/{world.home_a.id}/inspections")
    a11y()
    follow(page, page.get_by_role("button", name="Record a monitoring review"))
    expect(heading(page)).to_have_text("Record a monitoring review")
    a11y()
    follow(page, page.get_by_role("button", name="Record the review"))  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select red, amber or green")
    a11y()
    page.get_by_label("Amber: some progress").check()
    page.get_by_label(re.compile("What has been done on action 1")).fill("Two weekly audits done; one gap found")
    page.get_by_label("Next steps").fill("Check the gap is closed at the next review")
    fill_date(page, "reviewed_on", TODAY - timedelta(days=1))
    follow(page, page.get_by_role("button", name="Record the review"))
    expect(heading(page)).to_have_text(re.compile("Monitoring review of"))
    expect(page.locator("#review-progress")).to_contain_text("Two weekly audits done")
    expect(page.locator("#review-progress")).to_contain_text("Amber")
    a11y()
    follow(page, page.get_by_role("link", name="Ofsted inspections"))
    # The fortnightly review was discharged; the next is two weeks after this review.
    expect(page.locator("#monitoring-reviews-due")).to_contain_text(long_date(TODAY + timedelta(days=13)))
    expect(page.locator("#monitoring-reviews-due")).not_to_contain_text(long_date(first_due))
    a11y()


def test_qpag_action_escalated_to_cslt(page, site, world, sign_in, a11y):
    """A service manager adds an action QPAG agreed (already past its date); the chair escalates
    it to CSLT and the tracker shows the recorded escalation."""
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    site("/actions")
    a11y()
    follow(page, page.get_by_role("link", name="QPAG action tracker"))
    expect(heading(page)).to_have_text("QPAG action tracker")
    a11y()
    follow(page, page.get_by_role("button", name="Add a QPAG action"))
    expect(heading(page)).to_have_text("Add a QPAG action")
    a11y()
    page.get_by_label("Home", exact=True).select_option(str(world.home_a.id))
    fill_date(page, "meeting_on", TODAY - timedelta(days=30))
    page.get_by_label("Action agreed").fill("Thematic review of missing-from-care episodes")
    page.get_by_label("Who owns the action").select_option(str(world.users[Role.SERVICE_MANAGER].id))
    fill_date(page, "due_on", TODAY - timedelta(days=2))
    follow(page, page.get_by_role("button", name="Add to the tracker"))
    expect(page.locator("#qpag-actions")).to_contain_text("Overdue")
    expect(page.locator("#qpag-actions")).not_to_contain_text("Escalate to CSLT")  # only the chair escalates
    a11y()
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()

    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()
    site("/qpag")
    a11y()
    follow(page, page.get_by_role("link", name=re.compile("Escalate to CSLT")))
    expect(heading(page)).to_have_text("Escalate the action to CSLT")
    a11y()
    follow(page, page.get_by_role("button", name="Record the escalation"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what was escalated to CSLT")
    a11y()
    page.get_by_label("What was escalated, and why").fill("Two months past the agreed date with no plan")
    follow(page, page.get_by_role("button", name="Record the escalation"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("escalation to CSLT is recorded")
    expect(page.locator("#qpag-actions")).to_contain_text(f"Escalated to CSLT on {long_date(TODAY)}")
    expect(page.locator("#qpag-actions")).to_contain_text("Two months past the agreed date")
    a11y()


def test_action_list_filters_with_htmx_and_a_shareable_url(page, site, app, world, sign_in, a11y):
    """Filtering swaps the results in place and puts the filters in the address; opening that
    address again shows the same list."""
    from homes_qa.extensions import db
    from homes_qa.inspections.models import Inspection, InspectionItem
    from homes_qa.spine.audit.models import acting_as
    manager = world.users[Role.REGISTERED_MANAGER]
    with app.app_context(), acting_as("test"):
        inspection = Inspection(home_id=world.home_a.id, inspection_type="full", started_on=TODAY - timedelta(days=20),
                                ended_on=TODAY - timedelta(days=19), overall="good", helped_protected="good",
                                leadership="good", recorded_by_id=manager.id)
        inspection.items.append(InspectionItem(home_id=world.home_a.id, kind="recommendation", text="x",
                                               action="Late fire drill write-up", owner_id=manager.id,
                                               due_on=TODAY - timedelta(days=1)))
        inspection.items.append(InspectionItem(home_id=world.home_a.id, kind="recommendation", text="y",
                                               action="New garden bench", owner_id=manager.id,
                                               due_on=TODAY + timedelta(days=10)))
        db.session.add(inspection)
        db.session.commit()
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    follow(page, page.get_by_role("link", name="Actions", exact=True))
    expect(heading(page)).to_have_text("Action list")
    results = page.locator("#action-results")
    expect(results).to_contain_text("New garden bench")
    a11y()
    page.get_by_label("Overdue only").check()  # htmx: no page load
    expect(results).not_to_contain_text("New garden bench")
    expect(results).to_contain_text("Late fire drill write-up")
    expect(page).to_have_url(re.compile(r"/actions\?.*overdue=1"))
    a11y()
    # htmx re-records the current history entry before pushing the new one: the harness counts
    # a navigation to the same URL as the same page, so nothing is left unchecked
    assert a11y.unchecked == []
    shared = page.url
    site("/")
    a11y()
    page.goto(shared)
    expect(page.get_by_label("Overdue only")).to_be_checked()
    expect(page.locator("#action-results")).not_to_contain_text("New garden bench")
    a11y()
