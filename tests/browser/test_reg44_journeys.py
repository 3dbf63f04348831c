"""Regulation 44 journeys in real Chromium, with axe-core on every page loaded (`a11y()`).

- the visitor plans an unannounced visit, records it, writes the report (autosave, resumed)
  and submits it;
- it is checked on a check-your-answers page before it locks;
- the service manager checks and sends it, and logs one sending to several recipients;
- the service manager returns a report for corrections and the visitor resubmits it;
- the visitor's pages fit a 375 px phone without sideways scrolling.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.extensions import db
from homes_qa.reg44 import queries as reg44_queries
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")

VISITOR = "reg44_visitor"


def heading(page):
    return page.get_by_role("heading", level=1)


def follow(page, locator):
    """Click a link or submit button and wait for the next page."""
    with page.expect_navigation():
        locator.click()


def today():
    return test_clock.TODAY  # the London day the `clock` fixture pins


def fill_date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _submitted_visit(app, world) -> int:
    """A visit recorded today at home A with a submitted report (through the services)."""
    visitor_id = world.users[VISITOR].id
    with app.app_context():
        by = db.session.get(User, visitor_id)
        visit = reg44.record_visit(None, by=by, home=db.session.get(Home, world.home_a.id), details=reg44.VisitDetails(
            visited_on=today(), arrived_at="00:00", left_at="00:05", announced=True, spoke_staff=2))
        reg44.save_draft(visit, by=by, fields={"safeguarded_opinion": "yes", "safeguarded_narrative": "Yes.",
                                               "wellbeing_opinion": "with_concerns",
                                               "wellbeing_narrative": "Weekend activities are thin.",
                                               "findings": "A calm evening meal."})
        reg44.add_recommendation(visit, by=by, text="Plan weekend activities with the children",
                                 consider_within_days=28)
        reg44.submit_report(visit, by=by)
        return visit.id


def test_visitor_plans_records_writes_and_submits_a_report(page, site, world, sign_in, a11y):
    visitor = world.users[VISITOR]
    site("/sign-in")
    a11y()
    sign_in(visitor)
    expect(heading(page)).to_have_text("Overview")
    a11y()

    follow(page, page.get_by_role("navigation").get_by_role("link", name="Reg 44 visits"))
    expect(heading(page)).to_have_text("Regulation 44 visits")
    card = page.locator(f"#home-{world.home_a.id}")
    expect(card).to_contain_text("Alder House")
    expect(page.get_by_text("Birch House")).to_have_count(0)  # not assigned to it
    a11y()

    # plan an unannounced visit for today
    follow(page, card.get_by_role("link", name="Plan a visit to Alder House"))
    expect(heading(page)).to_have_text("Plan a visit")
    a11y()
    fill_date(page, "Date of the visit", today())
    page.get_by_label("Unannounced").check()
    follow(page, page.get_by_role("button", name="Save the plan"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("unannounced visit to Alder House")
    expect(heading(page)).to_contain_text("Planned visit on")
    a11y()

    # record it
    follow(page, page.get_by_role("link", name="Record this visit"))
    expect(heading(page)).to_have_text("Record your visit")
    group = page.get_by_role("group", name="Date of the visit")
    expect(group.get_by_label("Day")).to_have_value(f"{today():%d}")  # the planned date, filled in
    a11y()
    page.get_by_label("Time you arrived").fill("00:00")
    page.get_by_label("Time you left").fill("00:05")
    expect(page.get_by_label("Unannounced")).to_be_checked()
    page.get_by_label("Children").fill("3")
    page.get_by_label("Staff").fill("2")
    page.get_by_label("Roles of the people you spoke to").fill("Deputy manager, night care worker")
    page.get_by_label("Records inspected").fill("Complaints log; restraint records")
    follow(page, page.get_by_role("button", name="Record the visit"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been recorded")
    expect(heading(page)).to_contain_text("Visit on")
    expect(page.locator("#deadlines")).to_contain_text("Regulation 44 report completed")
    a11y()

    # write the report: it saves as you type (htmx), and the draft is there when resumed
    follow(page, page.get_by_role("link", name="Write the report"))
    expect(heading(page)).to_have_text("Write the report")
    a11y()
    with page.expect_response(lambda r: r.url.endswith("/report/autosave")) as saved:
        page.get_by_label("Findings").fill("The children were relaxed at tea.\n\nThe house was clean.")
    assert saved.value.status == 200
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    with page.expect_response(lambda r: r.url.endswith("/report/autosave")):  # a radio saves too
        page.get_by_role("group", name=re.compile("effectively safeguarded")).get_by_label("Yes", exact=True).check()
    page.reload()
    expect(heading(page)).to_have_text("Write the report")
    expect(page.get_by_label("Findings")).to_have_value("The children were relaxed at tea.\n\nThe house was clean.")
    expect(page.get_by_role("group", name=re.compile("effectively safeguarded")).get_by_label(
        "Yes", exact=True)).to_be_checked()
    expect(page.locator("#autosave-status")).to_contain_text("Draft last saved")
    a11y()

    # a recommendation, added with the plain form
    page.get_by_label("Add a recommendation").fill("Review the night-time staffing rota")
    page.get_by_label("Days for the registered person to consider it").fill("28")
    follow(page, page.get_by_role("button", name="Add recommendation"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Recommendation 1 has been added")
    expect(page.get_by_label("Recommendation 1", exact=True)).to_have_value("Review the night-time staffing rota")
    a11y()

    # the options read Yes / Yes, with concerns / No
    safeguarding = page.get_by_role("group", name=re.compile("effectively safeguarded"))
    expect(safeguarding.locator(".govuk-radios__label")).to_have_text(["Yes", "Yes, with concerns", "No"])

    # submitting without the second opinion and without reasons is refused, with the GOV.UK error summary
    follow(page, page.get_by_role("button", name="Check and submit the report"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text([
        "Enter the reasons for your opinion on safeguarding",
        "Select whether the conduct of the home promotes children's well-being",
        "Enter the reasons for your opinion on children's well-being"])
    a11y()
    page.get_by_label("Reasons for your opinion on safeguarding").fill("Staff knew the procedures.")
    summary.get_by_role("link").nth(1).click()
    wellbeing = page.get_by_role("group", name=re.compile("promote children's well-being"))
    wellbeing.get_by_label("Yes, with concerns").check()
    page.get_by_label("Reasons for your opinion on well-being").fill("Little to do at weekends.")

    # check your answers first: nothing is locked until the visitor confirms
    follow(page, page.get_by_role("button", name="Check and submit the report"))
    expect(heading(page)).to_have_text("Check your report before you submit it")
    opinions = page.locator("#check-opinions")
    expect(opinions).to_contain_text("Yes, with concerns")
    expect(opinions).to_contain_text("Little to do at weekends.")
    expect(page.locator("#check-report")).to_contain_text("Review the night-time staffing rota")
    a11y()
    follow(page, page.get_by_role("link", name="Change the reasons for your opinion on well-being"))
    expect(heading(page)).to_have_text("Write the report")  # back to the draft, nothing lost
    expect(page.get_by_label("Reasons for your opinion on well-being")).to_have_value("Little to do at weekends.")
    a11y()
    follow(page, page.get_by_role("button", name="Check and submit the report"))
    expect(heading(page)).to_have_text("Check your report before you submit it")
    a11y()
    follow(page, page.get_by_role("button", name="Submit the report"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Version 1 of the report has been submitted")
    expect(heading(page)).to_have_text("Regulation 44 report")
    expect(page.locator("#opinion-wellbeing")).to_have_text("Yes, with concerns")
    expect(page.locator("#report-recommendations")).to_contain_text("Review the night-time staffing rota")
    expect(page.get_by_role("link", name="Correct this report")).to_be_visible()
    a11y()

    # the print-friendly page
    follow(page, page.get_by_role("link", name="Print-friendly version"))
    expect(heading(page)).to_have_text("Regulation 44 independent person's report")
    a11y()


def test_service_manager_checks_sends_and_logs_the_ofsted_copy(app, page, site, world, sign_in, a11y):
    visit_id = _submitted_visit(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users["service_manager"])
    a11y()
    follow(page, page.get_by_role("navigation").get_by_role("link", name="Reg 44 visits"))
    a11y()
    follow(page, page.get_by_role("link", name="Register for Alder House"))
    expect(heading(page)).to_have_text("Regulation 44 register")
    row = page.locator(f"#month-{today():%Y-%m}")
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("Yes, with concerns")
    a11y()
    follow(page, row.get_by_role("link", name="Submitted"))
    expect(heading(page)).to_have_text("Regulation 44 report")
    expect(page.locator("#checked")).to_contain_text("Not yet checked")
    a11y()

    follow(page, page.get_by_role("link", name="Check and send to senior managers"))
    expect(heading(page)).to_have_text("Check and send the report to senior managers")
    a11y()
    follow(page, page.get_by_role("button", name="Confirm: checked and sent"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("checked and sent to senior managers")
    expect(page.locator("#checked")).to_contain_text("Checked and sent to senior managers by Service manager A")
    expect(page.get_by_role("link", name="Check and send to senior managers")).to_have_count(0)
    a11y()

    follow(page, page.get_by_role("link", name="Record where it was sent"))
    expect(heading(page)).to_have_text("Record where the report was sent")
    a11y()
    # one sending, every recipient at once; the date is today unless changed
    expect(page.get_by_role("group", name="Date sent").get_by_label("Day")).to_have_value(f"{today():%d}")
    for recipient in ("Ofsted (HMCI)", "Placing authority", "Responsible individual"):
        page.get_by_label(recipient).check()
    page.get_by_label("Secure e-mail").check()
    follow(page, page.get_by_role("button", name="Record it"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Sending to Ofsted (HMCI), Placing authority and Responsible individual has been recorded")
    log = page.locator("#distribution-log tbody tr")
    expect(log).to_have_count(3)
    expect(log.first).to_contain_text("Ofsted (HMCI)")
    expect(log.first).to_contain_text("Secure e-mail")
    expect(page.locator("#statutory-duty")).to_contain_text("duty of the independent person")
    a11y()

    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        statuses = {o.rule_code: o.status for o in reg44_queries.visit_obligations(visit, visit.visitor)}
    assert statuses["reg44_report_sent"] in ("met", "met_late")
    assert statuses["reg44_report_statutory"] in ("met", "met_late")


def test_service_manager_returns_the_report_and_the_visitor_corrects_it(app, page, site, world, sign_in, a11y):
    visit_id = _submitted_visit(app, world)
    report_url = f"/reg44/visits/{visit_id}/report"
    site("/sign-in")
    a11y()
    sign_in(world.users["service_manager"])
    a11y()
    site(report_url)
    a11y()
    follow(page, page.get_by_role("link", name="Return to the visitor for corrections"))
    expect(heading(page)).to_have_text("Return the report to the visitor for corrections")
    a11y()
    follow(page, page.get_by_role("button", name="Return the report to the visitor"))
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text(["Enter what needs correcting"])
    a11y()
    page.get_by_label("What needs correcting?").fill("The findings give the wrong day for the meal.")
    follow(page, page.get_by_role("button", name="Return the report to the visitor"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been returned to")
    expect(page.locator("#returned")).to_contain_text("The findings give the wrong day for the meal.")
    expect(page.get_by_role("link", name="Check and send to senior managers")).to_have_count(0)
    a11y()
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()
    site("/sign-in")
    a11y()
    sign_in(world.users[VISITOR])
    a11y()
    site(report_url)
    expect(heading(page)).to_have_text("Write the report")
    expect(page.locator("#correction")).to_contain_text("returned it for corrections")
    a11y()
    page.get_by_label("Findings").fill("A calm evening meal on Tuesday.")
    follow(page, page.get_by_role("button", name="Check and submit the report"))
    expect(heading(page)).to_have_text("Check your report before you submit it")
    expect(page.locator("#correction")).to_contain_text("Version 2")
    a11y()
    follow(page, page.get_by_role("button", name="Submit the report"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Version 2 of the report has been submitted")
    a11y()


def test_pre_visit_feedback_counts_when_the_answers_arrive(app, page, site, world, sign_in, a11y):
    with app.app_context():
        by = db.session.get(User, world.users[VISITOR].id)
        visit_id = reg44.plan_visit(home=db.session.get(Home, world.home_a.id), visitor=by,
                                    planned_for=today() + timedelta(days=20), announced=True).id
    site("/sign-in")
    a11y()
    sign_in(world.users["head_of_service"])
    a11y()
    site(f"/reg44/visits/{visit_id}/feedback")
    expect(heading(page)).to_have_text("Feedback before the visit")
    expect(page.locator("#feedback-gathered")).to_contain_text("Waiting for answers")
    a11y()

    # a young person's link: making it meets nothing
    follow(page, page.get_by_role("button", name="Create feedback links"))
    a11y()
    page.get_by_label("Young people").check()
    follow(page, page.get_by_role("button", name="Create links"))
    expect(heading(page)).to_have_text("Copy the links now")
    url = page.locator(".app-feedback-link").first.input_value()
    assert url.startswith("http://localhost/feedback/") or "/feedback/" in url  # PUBLIC_BASE_URL + path
    a11y()
    site(f"/reg44/visits/{visit_id}/feedback")
    expect(page.locator("#feedback-gathered")).to_contain_text("Waiting for answers")
    a11y()

    # the young person answers (the name choice is a GOV.UK conditional radio)
    site("/feedback/" + url.rsplit("/feedback/", 1)[1])
    expect(heading(page)).to_have_text("Tell us what you think")
    a11y()
    page.get_by_label("Yes", exact=True).first.check()
    page.get_by_role("group", name=re.compile("name on your answers")).get_by_label("Yes").check()
    expect(page.locator(".govuk-radios__conditional")).to_be_visible()
    a11y()
    page.get_by_role("textbox", name=re.compile("name", re.I)).fill("J")
    follow(page, page.get_by_role("button", name="Send my answers"))
    a11y()
    site(f"/reg44/visits/{visit_id}/feedback")
    expect(page.locator("#feedback-gathered")).to_contain_text("Answers arrived")
    a11y()

    # no professional answered: the QA lead records it, with the reason
    follow(page, page.get_by_role("button", name="Record that no feedback came"))
    a11y()
    page.get_by_label("Professionals").check()
    page.get_by_label("Why did no feedback come?").fill(
        "The social worker and the IRO were both on leave")
    follow(page, page.get_by_role("button", name="Record that no feedback came"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("no feedback came from professionals")
    expect(page.locator("#feedback-gathered")).to_contain_text("both on leave")
    a11y()


def test_a_future_visit_date_is_refused_in_the_browser(page, site, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users[VISITOR])
    a11y()
    site(f"/reg44/homes/{world.home_a.id}/record")
    a11y()
    fill_date(page, "Date of the visit", today() + timedelta(days=2))
    page.get_by_label("Time you arrived").fill("09:00")
    page.get_by_label("Time you left").fill("10:00")
    follow(page, page.get_by_role("button", name="Record the visit"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["The date of the visit must be today or in the past"])
    expect(page.locator("#visited_on-error")).to_contain_text("must be today or in the past")
    a11y()
    summary.get_by_role("link").first.click()
    expect(page.locator("#visited_on-day")).to_be_focused()


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
def test_visitor_pages_do_not_scroll_sideways_on_a_phone(app, page, site, world, sign_in, a11y):
    visit_id = _submitted_visit(app, world)
    with app.app_context():
        by = db.session.get(User, world.users[VISITOR].id)
        planned = reg44.plan_visit(home=db.session.get(Home, world.home_a.id), visitor=by,
                                   planned_for=today() + timedelta(days=5), announced=False)
        drafted = reg44.record_visit(planned, by=by, details=reg44.VisitDetails(
            visited_on=today(), arrived_at="00:00", left_at="00:05", announced=False))
        reg44.add_recommendation(drafted, by=by, text="A long recommendation " * 12, consider_within_days=14)
        drafted_id = drafted.id

    def assert_fits():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{page.url} is {width}px wide at a 375px viewport"

    site("/sign-in")
    a11y()
    sign_in(world.users[VISITOR])
    a11y()
    for path, title in (
        ("/reg44/", "Regulation 44 visits"),
        ("/reg44/workload", "Your workload"),
        (f"/reg44/homes/{world.home_a.id}", "Regulation 44 register"),
        (f"/reg44/homes/{world.home_a.id}/plan", "Plan a visit"),
        (f"/reg44/homes/{world.home_a.id}/record", "Record a visit"),
        (f"/reg44/visits/{visit_id}", None),
        (f"/reg44/visits/{drafted_id}/report", "Write the report"),
        (f"/reg44/visits/{visit_id}/report", "Regulation 44 report"),
        (f"/reg44/visits/{visit_id}/report/sent", "Record where the report was sent"),
        (f"/reg44/visits/{visit_id}/report/v1/print", "Regulation 44 independent person's report"),
    ):
        response = site(path)
        assert response.status == 200, path
        if title:
            expect(heading(page)).to_have_text(title)
        assert_fits()
        a11y()
