"""A registered manager enters the month's KPIs in real Chromium: a number out of range is
refused by its field, the saved month shows each measure beside the incident log's count, and
the trends page draws the SVG chart with its table. axe-core and vnu on every page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from homes_qa.core.kpis import MEASURES
from homes_qa.core.roles import Role
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
VALUES = {"children_resident": "3", "admissions": "1", "leavers": "1", "average_placement_days": "200",
          "staff_at_start": "12", "staff_leavers": "3", "compliments": "4", "complaints": "0",
          "safeguarding_concerns": "0", "restraint_incidents": "0", "restraint_children": "0",
          "missing_episodes": "0"}


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def test_manager_enters_monthly_kpis_and_sees_the_trend(page, site, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    a11y()
    follow(page, page.get_by_role("link", name="Monthly KPIs"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly KPIs")
    a11y()
    follow(page, page.get_by_role("link", name=re.compile("Enter.*Alder House's KPIs")))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"KPIs for {TODAY:%B %Y}")
    a11y()
    for measure in MEASURES:
        page.get_by_label(measure.label, exact=True).fill(VALUES[measure.code])
    page.get_by_label(MEASURES[0].label, exact=True).fill("9")  # 4 registered places
    follow(page, page.get_by_role("button", name="Save the month's KPIs"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("no more than its 4 registered places")
    a11y()
    page.get_by_label(MEASURES[0].label, exact=True).fill("3")
    follow(page, page.get_by_role("button", name="Save the month's KPIs"))
    expect(page.locator("#kpi-rates")).to_contain_text("Occupancy 75% of registered places")
    expect(page.locator("#compare-complaints")).to_contain_text("Matches")
    a11y()
    follow(page, page.get_by_role("link", name="Monthly KPIs").first)
    a11y()
    follow(page, page.get_by_role("link", name="Trends across homes"))
    a11y()
    page.get_by_label("Measure").select_option("staff_at_start")
    follow(page, page.get_by_role("button", name="Show"))
    expect(page.locator("#kpi-chart path")).to_have_count(1)
    expect(page.locator("#kpi-trend-table")).to_contain_text("12")
    a11y()
