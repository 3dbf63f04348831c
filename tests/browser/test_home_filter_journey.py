"""A head of service with more homes than a select should hold (issue 13) finds a home by typing
part of its name: the box suggests names as they type (htmx), Enter filters the action list, a
part in several names offers them as links, on the action list and on the exceptions grid
(whose htmx swap selects the grid alone: the field comes back out of band). axe-core and the
Nu HTML Checker check every state."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import Inspection, InspectionItem
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.web.home_filter import SELECT_MAX
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")


def _estate(app, world) -> None:
    today = test_clock.TODAY
    with app.app_context(), acting_as("test setup"):
        homes = [people.create_home(name=f"Zeta House {n:02d}", ofsted_urn=f"SC8{n:05d}", address=f"{n} Zeta Road",
                                    registered_places=2) for n in range(SELECT_MAX + 2)]
        for n in (7, 17):
            inspection = Inspection(home_id=homes[n].id, inspection_type="full", started_on=today - timedelta(days=30),
                                    ended_on=today - timedelta(days=29), overall="good", helped_protected="good",
                                    leadership="good", recorded_by_id=world.users[Role.HEAD_OF_SERVICE].id)
            inspection.items.append(InspectionItem(home_id=homes[n].id, kind="recommendation", text="x",
                                                   action=f"Zeta action {n:02d}", due_on=today + timedelta(days=5),
                                                   owner_id=world.users[Role.HEAD_OF_SERVICE].id, status="open"))
            db.session.add(inspection)
        db.session.commit()


def _enter(page, box) -> None:
    """Enter in the box, then wait for the form's answer (htmx keeps only the latest request).
    Not "networkidle": a page already loaded has reached it, so it did not wait at all."""
    with page.expect_response(lambda response: "home_name=" in response.url and "/homes/names" not in response.url):
        box.press("Enter")


def test_head_of_service_types_a_homes_name_to_filter(app, page, site, world, sign_in, a11y):
    _estate(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()

    site("/actions")
    box = page.get_by_label("Home", exact=True)
    expect(box).to_have_attribute("name", "home_name")
    expect(page.get_by_text("Zeta action 07")).to_be_visible()
    a11y()
    box.press_sequentially("Zeta House 1")
    expect(page.locator("#home-names option")).to_have_count(10)  # suggested as one types
    expect(page.locator('#home-names option[value="Zeta House 17"]')).to_have_count(1)
    box.fill("zeta house 17")
    _enter(page, box)
    expect(page.get_by_text("Zeta action 07")).to_have_count(0)
    expect(page.get_by_text("Zeta action 17")).to_be_visible()
    expect(box).to_have_value("Zeta House 17")  # the field came back with the home's own name
    expect(page).to_have_url(re.compile(r"home_name=zeta"))
    a11y()

    box.fill("Zeta House 0")
    _enter(page, box)
    matches = page.locator("#home-matches")
    expect(matches).to_contain_text("10 homes have “Zeta House 0” in their name")
    expect(page.get_by_text("Zeta action 07")).to_be_visible()
    a11y()
    with page.expect_navigation():
        matches.get_by_role("link", name="Zeta House 07").click()
    expect(page.get_by_text("Zeta action 17")).to_have_count(0)
    expect(page.get_by_label("Home", exact=True)).to_have_value("Zeta House 07")
    a11y()

    for url in ("/actions?home_name=Nowhere", "/actions?home_name=Zeta", "/audit/?home_name=Zeta",
                "/audit/?home_name=Zeta%20House%2007"):  # the same states, loaded whole; the audit trail
        site(url)
        a11y()

    site("/exceptions/")
    a11y()
    box = page.get_by_label("Home", exact=True)
    box.fill("Nowhere")
    _enter(page, box)
    expect(page.locator("#home-error")).to_contain_text("No home you work with has “Nowhere” in its name")
    expect(page).to_have_url(re.compile(r"home_name=Nowhere"))
    a11y()
    box.fill("Zeta House 1")
    _enter(page, box)
    expect(page.locator("#home-matches")).to_contain_text("homes have “Zeta House 1” in their name")
    expect(page.locator("#home-error")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"home_name=Zeta"))
    a11y()
