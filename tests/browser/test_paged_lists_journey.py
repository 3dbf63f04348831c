"""Lists across every home page and search (issue 13): an administrator finds one person among
many and pages through the homes; a head of service pages through the homes list, the Reg 44
page and the visitors' workload. axe-core and the Nu HTML Checker check every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import User
from tests.helpers import PASSWORD

pytestmark = pytest.mark.usefixtures("clock")


def _estate(app, world) -> None:
    """28 more homes (30 in all), each with a manager and a visitor of its own."""
    with app.app_context(), acting_as("test setup"):
        head_visitor = db.session.get(User, world.users[Role.REG44_VISITOR].id)
        for i in range(28):
            home = people.create_home(name=f"Zeta House {i:02d}", ofsted_urn=f"SC8{i:05d}",
                                      address=f"{i} Zeta Road", registered_places=3)
            for role, label in ((Role.REGISTERED_MANAGER, "Manager"), (Role.REG44_VISITOR, "Visitor")):
                people.assign(home, people.create_user(name=f"{label} {i:02d}", email=f"{label.lower()}{i}@z.example.org",
                                                       role=role, password=PASSWORD))
            people.assign(home, head_visitor)


def test_an_administrator_finds_a_person_and_pages_through_homes(app, page, site, world, sign_in, a11y):
    _estate(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.ADMIN])
    a11y()
    site("/admin/users")
    expect(page.locator("#users-count")).to_have_text("Showing 1 to 25 of 65 users")
    a11y()
    page.get_by_label("Name or email address contains").fill("manager 1")
    page.get_by_label("Role").select_option(Role.REGISTERED_MANAGER.value)
    with page.expect_navigation():
        page.get_by_role("button", name="Find users").click()
    expect(page.locator("#users-count")).to_have_text("10 users matching the search")
    expect(page.get_by_role("cell", name="Manager 13", exact=True)).to_be_visible()
    a11y()
    site("/admin/homes")
    a11y()
    with page.expect_navigation():
        page.get_by_role("navigation", name="Pages of homes").get_by_role("link", name="Next").click()
    expect(page.locator("#homes-count")).to_have_text("Showing 26 to 30 of 30 homes")
    expect(page.get_by_role("link", name="Zeta House 27", exact=True)).to_be_visible()
    a11y()


def test_a_head_of_service_pages_through_homes_reg44_and_the_workload(app, page, site, world, sign_in, a11y):
    _estate(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()
    for path, count_id, first, label in (("/homes/", "#homes-count", "Showing 1 to 25 of 30 homes", "Pages of homes"),
                                         ("/reg44/", "#homes-count", "Showing 1 to 25 of 30 homes, by name", "Pages of homes"),
                                         ("/reg44/workload", "#visitors-count", "Showing 1 to 25 of 30 visitors, by name",
                                          "Pages of visitors")):
        site(path)
        expect(page.locator(count_id)).to_have_text(first)
        a11y()
        with page.expect_navigation():
            page.get_by_role("navigation", name=label).get_by_role("link", name="Page 2", exact=True).click()
        assert "page=2" in page.url
        expect(page.locator(count_id)).to_contain_text("Showing 26 to 30 of 30")
        a11y()
    site("/reg44/?q=zeta+house+2")
    expect(page.locator("#homes-count")).to_have_text("8 homes matching the search, by name")
    a11y()
