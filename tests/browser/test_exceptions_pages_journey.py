"""The exceptions grid at county scale (issue 13): a head of service with more homes than a page
shows pages through the grid with the GOV.UK pagination links, the filters kept. axe-core and
the Nu HTML Checker check every page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from homes_qa.exceptions.routes import GRID_PAGE_SIZE
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.rules.service import sync_catalogue

pytestmark = pytest.mark.usefixtures("clock")


def test_head_of_service_pages_through_the_exceptions_grid(app, page, site, world, sign_in, a11y):
    with app.app_context(), acting_as("test setup"):
        sync_catalogue()
        for n in range(GRID_PAGE_SIZE + 2):
            people.create_home(name=f"Zeta House {n:02d}", ofsted_urn=f"SC8{n:05d}", address=f"{n} Zeta Road",
                               registered_places=2)
    rows = GRID_PAGE_SIZE + 2 + 2 + 1  # the new homes, the world's two and the whole service
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    a11y()
    site("/exceptions/?area=notifications")
    expect(page.locator("#grid-showing")).to_have_text(f"Showing 1 to {GRID_PAGE_SIZE} of {rows} rows, most urgent first.")
    expect(page.locator("#exceptions-grid tbody tr")).to_have_count(GRID_PAGE_SIZE)
    a11y()
    with page.expect_navigation():
        page.get_by_role("link", name="Next page of the grid").click()
    assert "page=2" in page.url and "area=notifications" in page.url  # the filter is kept
    expect(page.locator("#exceptions-grid tbody tr")).to_have_count(rows - GRID_PAGE_SIZE)
    expect(page.locator("#grid-showing")).to_contain_text(f"Showing {GRID_PAGE_SIZE + 1} to {rows}")
    a11y()
    with page.expect_navigation():
        page.get_by_role("link", name="Previous page of the grid").click()
    assert "page=" not in page.url and "area=notifications" in page.url
    expect(page.locator("#exceptions-grid tbody tr")).to_have_count(GRID_PAGE_SIZE)
    a11y()
