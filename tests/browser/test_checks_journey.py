"""A registered manager logs the weekly fire alarm test from the home page in two clicks and
records a gas safety certificate with its PDF; a service manager then sees the cross-home
certificate register. axe-core checks every page loaded."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import Role
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def fill_date(page, legend: str, day):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_manager_logs_a_fire_test_and_a_gas_certificate_then_the_service_manager_reviews(
        page, site, world, sign_in, a11y):
    heading = page.get_by_role("heading", level=1)
    site("/sign-in")
    a11y()
    sign_in(world.users[Role.REGISTERED_MANAGER])
    expect(heading).to_have_text("Overview")
    a11y()

    site(f"/homes/{world.home_a.id}")
    expect(heading).to_have_text("Alder House")
    a11y()

    # The weekly fire alarm test: click 1 opens the form, click 2 saves it.
    follow(page, page.get_by_role("button", name="Log a weekly fire alarm test"))
    expect(heading).to_have_text("Log a weekly fire alarm test")
    a11y()
    fill_date(page, "Date", TODAY)
    page.get_by_label("Call point tested").fill("CP2 first floor landing")
    page.get_by_label("Satisfactory").check()
    follow(page, page.get_by_role("button", name="Save"))
    expect(heading).to_have_text("Fire log")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("weekly fire alarm test")
    expect(page.locator("#fire-log")).to_contain_text("CP2 first floor landing")
    a11y()

    follow(page, page.get_by_role("link", name="Print the fire log (Schedule 4 record)"))
    expect(heading).to_have_text("Record of fire drills and fire alarm tests")
    expect(page.locator("#fire-log")).to_contain_text("CP2 first floor landing")
    a11y()
    follow(page, page.get_by_role("link", name="Back to the fire log"))
    a11y()

    # The gas safety certificate, with its PDF.
    follow(page, page.get_by_role("link", name="Alder House"))
    a11y()
    follow(page, page.get_by_role("link", name="Certificate register"))
    expect(heading).to_have_text("Certificate register")
    gas = page.locator("#check-gas_safety")
    expect(gas.locator(".govuk-tag")).to_have_text("No record")
    a11y()
    follow(page, gas.get_by_role("link", name=re.compile("^Record a certificate")))
    expect(heading).to_have_text("Record a gas safety certificate")
    a11y()
    fill_date(page, "Date done", TODAY)
    page.get_by_label("Contractor or competent person").fill("Warm Homes Gas Ltd")
    page.get_by_label("Certificate number (optional)").fill("GS-2026-118")
    page.get_by_label("Certificate file (optional)").set_input_files(
        files=[{"name": "gas-safety-2026.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    follow(page, page.get_by_role("button", name="Save"))
    expect(heading).to_have_text("Certificate register")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Gas safety certificate done on")
    gas = page.locator("#check-gas_safety")
    expect(gas.locator(".govuk-tag")).to_have_text("In date")
    expect(gas).to_contain_text("Warm Homes Gas Ltd")
    expect(gas).to_contain_text("1 file")
    a11y()
    follow(page, gas.get_by_role("link", name=re.compile("^1 file")))
    expect(page.locator(".govuk-list")).to_contain_text("gas-safety-2026.pdf")
    a11y()
    with page.expect_download() as download:
        page.get_by_role("link", name="gas-safety-2026.pdf").click()
    assert download.value.suggested_filename == "gas-safety-2026.pdf"

    follow(page, page.get_by_role("button", name="Sign out"))
    a11y()
    sign_in(world.users[Role.SERVICE_MANAGER])
    expect(heading).to_have_text("Overview")
    a11y()
    # Cross-home registers are on the "More" page (issue 12: the navigation fits on one row)
    follow(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="More"))
    a11y()
    follow(page, page.locator("#more-pages").get_by_role("link", name="Certificates"))
    expect(heading).to_have_text("Certificate register: all homes")
    row = page.locator(f"#home-{world.home_a.id}")
    expect(row).to_contain_text("Alder House")
    expect(row).to_contain_text("EICR")  # still no record: a problem
    expect(row).not_to_contain_text("Gas safety certificate")  # recorded and in date
    expect(page.locator(f"#home-{world.home_b.id}")).to_have_count(0)  # not one of their homes
    a11y()
