"""Incidents in real Chromium: a manager records a need-to-know (first refused with the error
summary), records both notifications (the service manager's and the head of service's) and
closes the event, which is then locked. axe-core on every page."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.core.calendar import to_london
from homes_qa.core.localtime import is_ambiguous
from homes_qa.core.roles import Role
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")

NOW = test_clock.PINNED_NOW


def heading(page):
    return page.get_by_role("heading", level=1)


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def fill_when(page, prefix: str, hours_ago: float):
    local = to_london(NOW - timedelta(hours=hours_ago))
    day: date = local.date()
    page.locator(f"#{prefix}_on-day").fill(str(day.day))
    page.locator(f"#{prefix}_on-month").fill(str(day.month))
    page.locator(f"#{prefix}_on-year").fill(str(day.year))
    page.locator(f"#{prefix}_time").fill(local.strftime("%H:%M"))
    return is_ambiguous(local.date(), local.time())


def test_manager_records_a_need_to_know_notifies_both_and_closes_it(page, site, app, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    expect(heading(page)).to_have_text("Overview")
    a11y()
    follow(page, page.get_by_role("link", name="Incidents"))
    expect(heading(page)).to_have_text("Incidents and notifications")
    a11y()
    follow(page, page.get_by_role("button", name="Record an event at Alder House"))  # a link styled as a button
    expect(heading(page)).to_have_text("Record an event")
    a11y()

    # Nothing filled in: the error summary, focused, links to each question.
    follow(page, page.get_by_role("button", name="Record the event"))
    expect(page).to_have_title(re.compile(r"^Error: Record an event"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the date it happened")
    a11y()

    page.get_by_label("Need-to-know", exact=True).check()
    twice = {"occurred": fill_when(page, "occurred", 3), "aware": fill_when(page, "aware", 2)}
    page.get_by_label("Children involved").fill("AB")
    page.get_by_label("What happened").fill("AB was found with a knife in their bedroom.")
    page.get_by_label("What was done").fill("Staff removed the knife calmly and stayed with AB.")
    page.locator("#notifiable-2").check()  # No
    follow(page, page.get_by_role("button", name="Record the event"))
    if any(twice.values()):  # only when the session is pinned in the repeated autumn hour: the form asks
        for prefix, hours_ago in (("occurred", 3), ("aware", 2)):
            if twice[prefix]:
                later = to_london(NOW - timedelta(hours=hours_ago)).fold
                page.locator(f"#{prefix}_occurrence" + ("-2" if later else "")).check()
        a11y()
        follow(page, page.get_by_role("button", name="Record the event"))
    expect(heading(page)).to_have_text("Need-to-know")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The event has been recorded")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Need-to-know: service manager told")
    expect(table).to_contain_text("Need-to-know: head of service told")
    expect(table).to_contain_text("left")
    expect(page.get_by_role("button", name="Close the event")).to_have_count(0)
    a11y()

    for who, rule, method in (("J Patel (service manager)", "incident_ntk_service_manager", "#method"),
                              ("R Okafor (head of service)", "incident_ntk_head_of_service", "#method-2")):
        follow(page, page.locator(f"#deadline-{rule}").get_by_role("link", name=re.compile("Record notification")))
        expect(heading(page)).to_have_text("Record a notification")
        expect(page.locator(f"input[name=rule_code][value={rule}]")).to_be_checked()
        a11y()
        page.get_by_label("Name, role or organisation").fill(who)
        asked = fill_when(page, "notified", 1)
        page.locator(method).check()
        page.get_by_label("Reference (optional)").fill(f"NTK-{rule[-7:]}")
        follow(page, page.get_by_role("button", name="Record the notification"))
        if asked:  # pinned in the repeated autumn hour
            later = to_london(NOW - timedelta(hours=1)).fold
            page.locator("#notified_occurrence" + ("-2" if later else "")).check()
            a11y()
            follow(page, page.get_by_role("button", name="Record the notification"))
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("notification has been recorded")
        expect(page.locator(f"#deadline-{rule}")).to_contain_text(who)
        expect(page.locator(f"#deadline-{rule}")).to_contain_text("Met")
        a11y()

    follow(page, page.get_by_role("button", name="Close the event"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("closed and locked")
    expect(page.locator(".govuk-inset-text")).to_contain_text("is locked")
    expect(page.get_by_role("link", name=re.compile("Record notification"))).to_have_count(0)
    a11y()

    # Locked: a correction of the account is a new version with its reason; the original stays readable.
    follow(page, page.get_by_role("link", name=re.compile("Correct the account")))
    expect(heading(page)).to_have_text("Correct the account of the event")
    a11y()
    page.get_by_label("What happened").fill("AB was found with a kitchen knife in their bedroom at 21:40.")
    page.get_by_label("Reason for the correction").fill("The time and the kind of knife were missing.")
    follow(page, page.get_by_role("button", name="Save the correction"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("new version")
    expect(page.locator("#versions")).to_contain_text("version 2 of the account")
    page.locator("#versions summary").click()
    expect(page.locator("#versions")).to_contain_text("AB was found with a knife in their bedroom.")
    a11y()

    # Seed 004: a need-to-know asks QA for a case review; the QA lead records it on the event.
    expect(page.locator("#case-review")).to_contain_text("Due")
    event_url = page.url
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()
    page.goto(event_url)
    a11y()
    follow(page, page.get_by_role("button", name="Record the case review"))
    expect(heading(page)).to_have_text("Record the QA case review")
    a11y()
    follow(page, page.get_by_role("button", name="Record the case review"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date of the review")
    a11y()
    today = to_london(NOW).date()
    page.locator("#reviewed_on-day").fill(str(today.day))
    page.locator("#reviewed_on-month").fill(str(today.month))
    page.locator("#reviewed_on-year").fill(str(today.year))
    page.get_by_label("Findings").fill("AB's risk assessment did not mention knives; the plan was updated the next day.")
    page.get_by_label("Learning").fill("Room searches are recorded against the risk assessment.")
    follow(page, page.get_by_role("button", name="Record the case review"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("case review has been recorded")
    expect(page.locator("#case-review")).to_contain_text("risk assessment did not mention knives")
    a11y()


def test_an_administrator_adds_an_event_type_that_a_manager_then_records(page, site, app, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.ADMIN])
    a11y()
    follow(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="More"))  # issue 12
    a11y()
    follow(page, page.locator("#more-pages").get_by_role("link", name="Event types"))
    expect(heading(page)).to_have_text("Event types")
    a11y()
    follow(page, page.get_by_role("button", name="Add an event type"))
    expect(heading(page)).to_have_text("Add an event type")
    a11y()
    follow(page, page.get_by_role("button", name="Add the event type"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the name of the event type")
    a11y()
    page.get_by_label("Name of the event type").fill("Self-harm needing hospital treatment")
    page.locator("input[name=notifiable_default][value=no]").check()
    page.get_by_label("Need-to-know: service manager told").check()
    page.get_by_label("Source or reason").fill("Local self-harm procedure, section 4")
    follow(page, page.get_by_role("button", name="Add the event type"))
    expect(page.locator("#organisation-types")).to_contain_text("Self-harm needing hospital treatment")
    a11y()
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    a11y()
    site(f"/homes/{world.home_a.id}/incidents/new")
    expect(page.get_by_label("Self-harm needing hospital treatment")).to_be_visible()
    a11y()


def test_manager_records_a_40_4_c_allegation_and_a_service_manager_waives_one(page, site, app, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    a11y()
    site(f"/homes/{world.home_a.id}/incidents/new")
    a11y()
    page.get_by_label("Allegation of abuse against the home or staff (Regulation 40(4)(c))").check()
    twice = [fill_when(page, "occurred", 3), fill_when(page, "aware", 2)]
    page.get_by_label("What happened").fill("CD said a night worker pushed them.")
    page.get_by_label("What was done").fill("The worker was moved off shift; CD was seen by the nurse.")
    page.locator("#notifiable").check()  # Yes
    page.get_by_label("Under which paragraph?").select_option("40(4)(c)")
    follow(page, page.get_by_role("button", name="Record the event"))
    if any(twice):  # pinned in the repeated autumn hour: answer the questions the form asks
        for prefix, hours_ago in (("occurred", 3), ("aware", 2)):
            if page.locator(f"#{prefix}_occurrence").count():
                later = to_london(NOW - timedelta(hours=hours_ago)).fold
                page.locator(f"#{prefix}_occurrence" + ("-2" if later else "")).check()
        a11y()
        follow(page, page.get_by_role("button", name="Record the event"))
    expect(heading(page)).to_have_text("Allegation of abuse against the home or staff (Regulation 40(4)(c))")
    for title in ("Ofsted (HMCI) notified (Regulation 40)", "Placing authority notified (Regulation 40)",
                  "Each other relevant person notified (Regulation 40)",
                  "Allegation against an adult referred to the LADO", "Need-to-know: service manager told",
                  "Need-to-know: head of service told"):
        expect(page.get_by_role("table")).to_contain_text(title)
    a11y()
    follow(page, page.locator("#deadline-incident_reg40_hmci").get_by_role("link", name=re.compile("Record")))
    a11y()
    page.get_by_label("Name, role or organisation").fill("Ofsted")
    asked = fill_when(page, "notified", 1)
    page.locator("#method-3").check()  # online form
    page.get_by_label("Reference (optional)").fill("NOT-2026-118")
    follow(page, page.get_by_role("button", name="Record the notification"))
    if asked:  # pinned in the repeated autumn hour
        later = to_london(NOW - timedelta(hours=1)).fold
        page.locator("#notified_occurrence" + ("-2" if later else "")).check()
        a11y()
        follow(page, page.get_by_role("button", name="Record the notification"))
    expect(page.locator("#deadline-incident_reg40_hmci")).to_contain_text("NOT-2026-118")
    a11y()
    event_url = page.url
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()

    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    page.goto(event_url)
    a11y()
    follow(page, page.locator("#deadline-incident_reg40_placing_authority").get_by_role("link", name=re.compile("Waive")))
    expect(heading(page)).to_have_text("Waive a notification")
    a11y()
    page.get_by_label("Why is this notification not needed?").fill("The placing authority is the LADO's own council and was told by them.")
    follow(page, page.get_by_role("button", name="Waive this notification"))
    expect(page.locator("#deadline-incident_reg40_placing_authority")).to_contain_text("Waived")
    a11y()


def _missing_episode_at_home_a(app, world) -> None:
    """A missing episode recorded this week at home A (so the summary has a figure to show)."""
    from homes_qa.extensions import db
    from homes_qa.incidents import service as incidents
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people.models import Home, User
    when = to_london(NOW - timedelta(minutes=30))
    with app.app_context(), acting_as("test setup"):
        incidents.record_incident(
            db.session.get(Home, world.home_a.id), type_code="missing", occurred_on=when.date(),
            occurred_time=when.time().replace(second=0, microsecond=0),
            occurred_occurrence="later" if when.fold else "earlier", aware_on=when.date(),
            aware_time=when.time().replace(second=0, microsecond=0),
            aware_occurrence="later" if when.fold else "earlier", children="EF",
            what_happened="EF did not come back from school.", action_taken="Police told; EF returned at 19:00.",
            notifiable=False, paragraph=None, by=db.session.get(User, world.users[Role.REGISTERED_MANAGER].id))


def test_a_service_manager_completes_the_weekly_summary_and_the_head_of_service_reads_it(
        page, site, app, world, sign_in, a11y):
    _missing_episode_at_home_a(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.SERVICE_MANAGER])
    a11y()
    follow(page, page.get_by_role("link", name="Incidents"))
    expect(page.get_by_role("link", name="Weekly safeguarding summaries")).to_be_visible()
    a11y()
    follow(page, page.get_by_role("link", name="Weekly safeguarding summaries"))
    expect(heading(page)).to_have_text("Weekly safeguarding summaries")
    expect(page.locator("#summary-weeks")).to_contain_text("Not started")
    a11y()
    follow(page, page.locator("#summary-weeks a").first)
    expect(heading(page)).to_have_text("Weekly safeguarding summary")
    expect(page.locator("#summary-figures")).to_contain_text("Missing from the home")
    expect(page.get_by_role("table")).to_contain_text("Child missing from the home")
    a11y()

    # Submitting with nothing written: the error summary says what is missing.
    follow(page, page.get_by_role("button", name="Submit the summary"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the themes of the week")
    a11y()
    page.get_by_label("Themes of the week").fill("One missing episode at Alder House; EF returned the same day.")
    follow(page, page.get_by_role("button", name="Save as draft"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("draft has been saved")
    expect(page.get_by_label("Themes of the week")).to_have_value(
        "One missing episode at Alder House; EF returned the same day.")
    page.get_by_label("Learning").fill("The return interview was done within 72 hours.")
    follow(page, page.get_by_role("button", name="Submit the summary"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("submitted to the head of service")
    expect(page.get_by_role("button", name="Submit the summary")).to_have_count(0)
    expect(page.locator("#summary-themes")).to_contain_text("One missing episode")
    a11y()
    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()
    site("/safeguarding-summaries")
    rows = page.locator("#submitted-summaries")
    expect(rows).to_contain_text(world.users[Role.SERVICE_MANAGER].name)
    expect(rows).to_contain_text("Not read")
    a11y()
    follow(page, rows.get_by_role("link").first)
    expect(page.locator("#summary-themes")).to_contain_text("One missing episode")
    a11y()
    follow(page, page.get_by_role("button", name="Mark as read"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Marked as read")
    expect(page.locator("#submitted-summaries")).to_contain_text("Read")
    expect(page.locator("#submitted-summaries")).not_to_contain_text("Not read")
    a11y()
