"""A registered manager completes the monthly health and safety audit with one "no" (which
becomes an action), each answer saved as it is given (htmx), grades it and submits it; the service manager reads the graded audit.
axe-core checks every page loaded."""
from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from homes_qa.audits.templates import latest
from homes_qa.core.roles import Role
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
HS = latest("health_safety")


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def test_manager_completes_the_hs_audit_and_the_service_manager_reads_it(page, site, world, sign_in, a11y):
    heading = page.get_by_role("heading", level=1)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    a11y()
    site(f"/homes/{world.home_a.id}")
    a11y()
    follow(page, page.get_by_role("link", name="Audits", exact=True))
    expect(heading).to_have_text("Audits")
    a11y()
    follow(page, page.get_by_role("button", name="Start the health and safety audit"))
    expect(heading).to_have_text("Health and safety audit")
    expect(page.locator("#progress")).to_contain_text(f"0 of {len(HS.questions)} questions answered")
    a11y()

    # Each change posts its question (htmx) and the server's copy of the question is swapped in,
    # with the progress count out of band; wait for each save before the next change.
    def saved(code, change):
        # Wait for htmx to have swapped the reply in, not only for the reply: a change made
        # between the two lands on the element being replaced, and posts nothing.
        page.evaluate("() => { window.settled = false; document.addEventListener("
                      "'htmx:afterSettle', () => { window.settled = true; }, {once: true}); }")
        with page.expect_response(lambda r: r.url.endswith(f"/questions/{code}") and r.request.method == "POST"
                                  and r.status == 200):
            change()
        page.wait_for_function("() => window.settled === true")

    def typed(code, field, text):
        saved(code, lambda: (field.fill(text), field.blur()))

    manager = world.users[Role.REGISTERED_MANAGER]
    for number, question in enumerate(HS.questions, start=1):
        code = question.code
        block = page.locator(f"#question-{code}")
        if code == "hs_windows":
            saved(code, block.get_by_label("No", exact=True).check)
            expect(block.locator("details")).to_have_attribute("open", "")  # a "no" opens the action
            typed(code, block.get_by_label("What you found"), "Bedroom 3 window restrictor missing")
            typed(code, block.get_by_label("If no: the action"), "Fit a new restrictor to bedroom 3")
            saved(code, partial(block.get_by_label("If no: who owns the action").select_option,
                                label=f"{manager.name} (Registered manager)"))
            due = TODAY + timedelta(days=7)
            group = block.get_by_role("group", name="If no: due by")
            for part, value in (("Day", due.day), ("Month", due.month), ("Year", due.year)):
                typed(code, group.get_by_label(part), str(value))
            saved(code, block.get_by_label("High").check)
        else:
            saved(code, block.get_by_label("Yes", exact=True).check)
            typed(code, block.get_by_label("What you found"), "Seen this month's record")
        expect(page.locator("#progress")).to_contain_text(f"{number} of {len(HS.questions)} questions answered")
    expect(page.locator("#question-hs_windows")).to_contain_text("Saved")
    a11y()
    # Saved as given: the answers are there when the checklist is opened again.
    page.reload()
    expect(page.locator("#progress")).to_contain_text(f"{len(HS.questions)} of {len(HS.questions)} questions answered")
    expect(page.locator("#question-hs_windows").get_by_label("If no: the action")).to_have_value(
        "Fit a new restrictor to bedroom 3")
    expect(page.locator("#question-hs_windows").get_by_label("High")).to_be_checked()
    follow(page, page.get_by_role("button", name="Save and continue"))
    expect(heading).to_have_text("Grade the health and safety audit")
    a11y()
    for section in HS.sections:
        page.get_by_role("group", name=f"Grade for {section.title.lower()}").get_by_label("Good").check()
        page.get_by_label(f"Evidence for the {section.title.lower()} grade").fill("Records complete and current")
    page.get_by_role("group", name="Overall grade").get_by_label("Requires improvement").check()
    page.get_by_label("Evidence for the overall grade").fill("One restrictor missing; records good")
    page.get_by_label("Learning point 1 (optional)").fill("Check restrictors after every repair")
    follow(page, page.get_by_role("button", name="Save and continue"))
    expect(heading).to_have_text("Check your answers")
    expect(page.locator("#missing")).to_have_count(0)
    a11y()
    follow(page, page.get_by_role("button", name="Submit the audit"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("submitted and locked")
    expect(page.locator("#actions")).to_contain_text("Fit a new restrictor to bedroom 3")
    a11y()

    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()
    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    site(f"/homes/{world.home_a.id}/audits")
    a11y()
    row = page.locator("#audits tbody tr").first
    expect(row).to_contain_text("Requires improvement")
    follow(page, row.get_by_role("link", name="Health and safety audit"))
    expect(heading).to_have_text("Health and safety audit")
    expect(page.get_by_role("heading", name="Overall: Requires improvement")).to_be_visible()
    expect(page.locator("#actions")).to_contain_text("High priority")
    a11y()
