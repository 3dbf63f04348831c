"""In real Chromium: a second registered manager is assigned to a home, so the QA lead's first
page prompts a full audit of it; following the prompt opens the commission form with the kind
and home chosen, and commissioning it clears the prompt. Then, on the combined action list, the
QA lead narrows to monthly audits' actions (htmx), opens a finding's action, is refused an empty
note by the field, adds a progress note and sees it with the action's history. Then a note with
a file as evidence: a disguised executable is refused by the file field, a PDF is attached, its
link is on the action and downloads under its own name. axe-core and the Nu HTML Checker on
every page."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock
from tests.inspections.records import audit_finding

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def fill_date(page, field: str, day: date):
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def test_full_audit_prompt_then_an_actions_history_and_evidence(app, page, site, world, sign_in, a11y):
    with app.app_context(), acting_as("test admin"):
        people.assign(db.session.get(Home, world.home_a.id), db.session.get(User, world.unassigned_manager.id))
    audit_finding(app, world, world.home_a, "Fit door closers to the kitchen fire door")

    site("/sign-in")
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    prompts = page.locator("#qa-commission-prompts")
    expect(prompts).to_contain_text("Full audit commissioned after a new registered manager")
    expect(prompts).to_contain_text("New Manager")
    a11y()
    follow(page, prompts.get_by_role("link").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Commission a review")
    expect(page.get_by_label("Full audit")).to_be_checked()
    expect(page.get_by_label("Alder House")).to_be_checked()
    a11y()
    page.get_by_label("Area of the service or theme").fill("New registered manager: baseline")
    page.get_by_label("Who will carry it out").select_option(str(world.users[Role.SERVICE_MANAGER].id))
    fill_date(page, "due_on", TODAY + timedelta(days=28))
    follow(page, page.get_by_role("button", name="Commission the review"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The review is commissioned")
    a11y()
    site("/")
    expect(page.locator("#qa-commission-prompts")).to_have_count(0)
    a11y()

    # ---------------------------------------------------------------- the action list and one action
    site("/actions")
    a11y()
    with page.expect_response(re.compile(r"/actions\?")):
        page.get_by_label("Source").select_option("audit")
    expect(page).to_have_url(re.compile(r"source=audit"))
    results = page.locator("#action-results")
    expect(results).to_contain_text("Fit door closers to the kitchen fire door")
    expect(results).to_contain_text("Monthly audit")
    a11y()
    follow(page, results.get_by_role("link", name=re.compile("Fit door closers")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Action: history and evidence")
    expect(page.locator("#action-summary")).to_contain_text("Door wedged open")
    expect(page.locator("#action-history")).to_contain_text("The action (created)")
    a11y()
    follow(page, page.get_by_role("button", name="Add the note"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the note")
    a11y()
    page.get_by_label("Progress or evidence").fill("Contractor booked for Friday; quote in the H&S file")
    follow(page, page.get_by_role("button", name="Add the note"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The note is added")
    expect(page.locator("#action-notes")).to_contain_text("Contractor booked for Friday")
    expect(page.locator("#action-history")).to_contain_text("Note added (created)")
    a11y()

    # ---------------------------------------------------------------- a file as evidence
    page.get_by_label("Progress or evidence").fill("Door closers fitted; the invoice is attached")
    page.get_by_label("Attach a file (optional)").set_input_files(
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": EXE}])
    follow(page, page.get_by_role("button", name="Add the note"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The selected file must be a PDF")
    expect(page.locator("#evidence-error")).to_contain_text("its contents are checked, not its name")
    a11y()
    page.get_by_label("Attach a file (optional)").set_input_files(
        files=[{"name": "door closers invoice.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    follow(page, page.get_by_role("button", name="Add the note"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The note is added")
    notes = page.locator("#action-notes")
    expect(notes).to_contain_text("Door closers fitted; the invoice is attached")
    expect(notes.get_by_role("link", name="door closers invoice.pdf")).to_be_visible()
    expect(page.locator("#action-history")).to_contain_text("File attached (created)")
    a11y()
    with page.expect_download() as download:
        notes.get_by_role("link", name="door closers invoice.pdf").click()
    assert download.value.suggested_filename == "door closers invoice.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
