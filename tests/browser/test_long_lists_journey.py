"""Long lists stay short pages (issue 13): a head of service with more homes and alerts than a
page shows pages through the alerts with the GOV.UK pagination links, and the start page ends
each list with a link to the rest. axe-core and the Nu HTML Checker check every page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.main.routes import DASHBOARD_ROWS
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.queries import PAGE_SIZE
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home
from homes_qa.spine.rules.service import sync_catalogue
from homes_qa.spine.timestamps import utcnow

pytestmark = pytest.mark.usefixtures("clock")


def _estate(app, world) -> None:
    with app.app_context(), acting_as("test setup"):
        sync_catalogue()
        for n in range(DASHBOARD_ROWS + 2):
            people.create_home(name=f"Zeta House {n:02d}", ofsted_urn=f"SC8{n:05d}", address=f"{n} Zeta Road",
                               registered_places=2)
        home = db.session.get(Home, world.home_a.id)
        for n in range(PAGE_SIZE + 3):
            obligation_for_event("incident_ntk_service_manager", home, utcnow() - timedelta(hours=25), key=f"incident:{n}")
        db.session.commit()
        alert_service.sweep(utcnow())


def test_head_of_service_pages_through_alerts_and_follows_the_more_links(app, page, site, world, sign_in, a11y):
    _estate(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.HEAD_OF_SERVICE])
    more_homes = page.locator("#homes-more")
    expect(more_homes).to_contain_text("more")
    a11y()

    site("/alerts/")
    expect(page.get_by_text("Page 1 of")).to_have_count(1)
    a11y()
    page.get_by_role("tab", name="All homes").click()
    with page.expect_navigation():
        page.locator("#alerts-panel-homes").get_by_role("link", name="Next page of All homes").click()
    assert "homes_page=2" in page.url
    expect(page.locator("#alerts-panel-homes").get_by_text("Page 2 of")).to_be_visible()
    a11y()

    site("/")
    a11y()
    with page.expect_navigation():
        more_homes.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Zeta House 11")).to_be_visible()  # the list the link leads to has them all
    a11y()
