"""The Reg 44 action plan in real Chromium: the manager proposes (accept one, decline one), the
service manager returns it with a comment, the manager resubmits, the service manager approves,
and the approved action is on the home page as an obligation. axe-core on every page."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44.models import Reg44Recommendation, Reg44Report, Reg44Visit
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home
from tests import clock as test_clock

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")

TODAY = test_clock.TODAY  # the London day the `clock` fixture pins


def heading(page):
    return page.get_by_role("heading", level=1)


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def fill_date(page, field: str, day: date):
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))


def submitted_report(app, world) -> tuple[int, list[int]]:
    home = world.home_a
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test"):
        visit = Reg44Visit(home_id=home.id, visitor_id=visitor.id, status="recorded", announced=True,
                           visited_on=TODAY - timedelta(days=7))
        report = Reg44Report(visit=visit, home_id=home.id, status="submitted", author_id=visitor.id,
                             safeguarded_opinion="yes", wellbeing_opinion="yes",
                             submitted_at=datetime.now(UTC))
        report.recommendations.append(Reg44Recommendation(
            home_id=home.id, number=1, text="Repair the broken garden fence", consider_within_days=28))
        report.recommendations.append(Reg44Recommendation(
            home_id=home.id, number=2, text="Move the weekly house meeting to Sunday", consider_within_days=28))
        db.session.add_all([visit, report])
        db.session.flush()
        for rec in report.recommendations:
            obligations.obligation_for_event("reg44_recommendation_response", db.session.get(Home, home.id),
                                             datetime.now(UTC), key=f"rec:{rec.id}", subject=rec,
                                             target=TODAY + timedelta(days=28))
        db.session.commit()
        return visit.id, [rec.id for rec in report.recommendations]


def sign_out(page, a11y):
    follow(page, page.get_by_role("button", name="Sign out"))
    expect(heading(page)).to_have_text("Sign in to Homes QA")
    a11y()


def test_action_plan_proposed_returned_resubmitted_approved(page, site, app, world, sign_in, a11y):
    visit_id, (first, second) = submitted_report(app, world)
    plan_path = f"/reg44/visits/{visit_id}/action-plan"

    # ---------------------------------------------------------------- the manager proposes
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    expect(heading(page)).to_have_text("Overview")
    a11y()
    follow(page, page.locator("#home-list").get_by_role("link", name="Alder House"))
    expect(heading(page)).to_have_text("Alder House")
    a11y()
    follow(page, page.get_by_role("link", name="Reg 44 action plans"))
    expect(heading(page)).to_have_text("Reg 44 action plans")
    expect(page.get_by_role("table")).to_contain_text("Not started")
    a11y()
    follow(page, page.get_by_role("link", name=re.compile(r"^Visit on ")))
    expect(heading(page)).to_have_text("Action plan")
    expect(page).to_have_url(re.compile(re.escape(plan_path) + "$"))
    a11y()
    follow(page, page.get_by_role("button", name="Propose the action plan"))  # a link styled as a button
    expect(heading(page)).to_have_text("Propose the action plan")
    a11y()  # conditional reveals included (base.html drops GOV.UK's aria-expanded on radios)

    # Nothing chosen: the error summary, with a message by each question.
    follow(page, page.get_by_role("button", name="Submit action plan for approval"))
    expect(page).to_have_title(re.compile(r"^Error: Propose the action plan"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Select whether you accept or decline this recommendation"] * 2)
    a11y()

    # Conditional reveal: the action fields appear only once "Accept" is chosen.
    action = page.locator(f"#action_{first}")
    expect(action).to_be_hidden()
    page.locator(f"#decision_{first}").check()  # Accept
    expect(action).to_be_visible()
    action.fill("Replace the broken fence panels")
    page.locator(f"#owner_{first}").fill("Deputy manager")
    fill_date(page, f"due_on_{first}", TODAY + timedelta(days=30))
    page.locator(f"#decision_{second}-2").check()  # Decline
    expect(page.locator(f"#action_{second}")).to_be_hidden()
    page.locator(f"#decline_reason_{second}").fill("The young people chose Wednesday at their last meeting")
    follow(page, page.get_by_role("button", name="Submit action plan for approval"))
    expect(heading(page)).to_have_text("Action plan")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent to the service manager")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Awaiting approval")
    a11y()
    sign_out(page, a11y)

    # ---------------------------------------------------------------- the service manager returns it
    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    site(plan_path)
    expect(page.locator("#recommendation-1")).to_contain_text("Replace the broken fence panels")
    expect(page.locator("#recommendation-2")).to_contain_text("chose Wednesday")
    a11y()
    page.get_by_label("Return it to the manager for changes").check()
    page.get_by_label("Comments").fill("The fence is a safeguarding risk: fix it within two weeks")
    follow(page, page.get_by_role("button", name="Save decision"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("returned to the manager")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Returned for changes")
    a11y()
    sign_out(page, a11y)

    # ---------------------------------------------------------------- the manager resubmits
    sign_in(world.users[Role.REGISTERED_MANAGER])
    a11y()
    site(plan_path)
    expect(page.locator("#reviewer-comments")).to_contain_text("fix it within two weeks")
    a11y()
    follow(page, page.get_by_role("button", name="Change and resubmit the action plan"))
    expect(page.locator("#reviewer-comments")).to_contain_text("fix it within two weeks")
    expect(page.locator(f"#decision_{first}")).to_be_checked()  # earlier answers kept
    expect(page.locator(f"#action_{first}")).to_have_value("Replace the broken fence panels")
    a11y()
    sooner = TODAY + timedelta(days=12)
    fill_date(page, f"due_on_{first}", sooner)
    follow(page, page.get_by_role("button", name="Submit action plan for approval"))
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Awaiting approval")
    a11y()
    sign_out(page, a11y)

    # ---------------------------------------------------------------- the service manager approves
    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    site(plan_path)
    a11y()
    page.get_by_label("Approve the action plan").check()
    follow(page, page.get_by_role("button", name="Save decision"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("approved")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Approved")
    expect(page.locator("#recommendation-1")).to_contain_text("Upcoming")
    a11y()

    # The approved action is an obligation on the home page ("What is due").
    site(f"/homes/{world.home_a.id}")
    expect(heading(page)).to_have_text("Alder House")
    due = page.locator("#what-is-due")
    expect(due).to_contain_text("Replace the broken fence panels")
    row = due.locator("tr", has_text="Replace the broken fence panels")
    expect(row).to_contain_text(f"{sooner:%a} {sooner.day} {sooner:%b %Y}")
    expect(due).not_to_contain_text("Move the weekly house meeting")  # declined: no action
    a11y()


def test_feedback_and_reg45_pages_pass_axe(page, site, app, world, sign_in, a11y):
    """The other pages of this area, each checked with axe (the public form without an account)."""
    visit_id, _ = submitted_report(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    a11y()

    site(f"/reg44/visits/{visit_id}/feedback")
    expect(heading(page)).to_have_text("Feedback before the visit")
    a11y()
    follow(page, page.get_by_role("button", name="Create feedback links"))
    a11y()
    page.get_by_label("Young people").check()
    page.get_by_label("How many links do you need?").fill("1")
    follow(page, page.get_by_role("button", name="Create links"))
    expect(heading(page)).to_have_text("Copy the links now")
    young_link = page.locator("input.app-feedback-link").input_value()
    a11y()
    site(f"/reg44/visits/{visit_id}/feedback/links/new")
    a11y()
    page.get_by_label("Professionals").check()
    follow(page, page.get_by_role("button", name="Create links"))
    pro_link = page.locator("input.app-feedback-link").input_value()
    a11y()
    site(f"/reg44/visits/{visit_id}/feedback/young-person/new")
    a11y()
    page.get_by_label("Yes", exact=True).first.check()
    page.get_by_label("What is good about living here?").fill("Staff listen to me")
    page.get_by_label("No, keep their answers anonymous").check()
    follow(page, page.get_by_role("button", name="Save their answers"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("answers have been saved")
    a11y()

    # Reg 45: start, write, complete, send, print.
    site(f"/homes/{world.home_a.id}/reg45")
    a11y()
    follow(page, page.get_by_role("button", name="Start a review"))
    a11y()
    follow(page, page.get_by_role("button", name="Start the review"))
    expect(heading(page)).to_have_text("Write the review")
    a11y()
    page.get_by_label("Your view of the quality of care").fill("Good care; children are safe.")
    page.get_by_label("Improvements needed").fill("Garden fence by spring.")
    page.get_by_label("Children's views").fill("They want more trips.")
    follow(page, page.get_by_role("button", name="Save"))
    expect(heading(page)).to_have_text("Regulation 45 review")
    a11y()
    follow(page, page.get_by_role("button", name="Mark as completed"))
    a11y()
    follow(page, page.get_by_role("button", name="Mark as completed"))
    expect(page.locator(".govuk-inset-text").first).to_contain_text("completed and locked")
    a11y()
    follow(page, page.get_by_role("button", name="Record that it was sent to Ofsted"))
    a11y()
    follow(page, page.get_by_role("button", name="Save"))
    a11y()
    follow(page, page.get_by_role("link", name="Printable version"))
    expect(page.get_by_text("Good care; children are safe.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)  # printable: no header
    a11y()
    site("/")
    a11y()
    sign_out(page, a11y)

    # The public pages, with no account.
    # The links name the configured public address; serve their paths from the test server.
    young_link, pro_link = (site.base + "/feedback/" + link.rsplit("/feedback/", 1)[1]
                            for link in (young_link, pro_link))
    for link in (young_link, pro_link):
        page.goto(link)
        expect(heading(page)).to_have_text("Tell us what you think")
        expect(page.get_by_text("Alder House")).to_have_count(0)
        a11y()
        follow(page, page.get_by_role("button", name="Send my answers"))  # nothing answered
        expect(page.locator(".govuk-error-summary")).to_be_focused()
        a11y()
    page.goto(young_link)
    a11y()
    page.get_by_label("Mostly").check()
    page.get_by_label("No, keep my answers anonymous").check()
    follow(page, page.get_by_role("button", name="Send my answers"))
    expect(heading(page)).to_have_text("Thank you")
    a11y()
    response = page.goto(young_link)
    assert response.status == 410
    expect(heading(page)).to_have_text("This link has already been used")
    a11y()
