"""First journeys in real Chromium, with axe-core on every page loaded (`a11y()`)."""
import re

import pytest
from playwright.sync_api import expect


def heading(page):
    return page.get_by_role("heading", level=1)


def home_links(page):
    """The names of the homes linked from the homes table on the page."""
    return page.locator("table.govuk-table tbody tr td:first-child a").all_inner_texts()


def follow(page, locator):
    """Click a link or submit button and wait for the next page."""
    with page.expect_navigation():
        locator.click()


def test_manager_sees_only_their_own_home(page, site, world, sign_in, a11y):
    site("/")  # not signed in: sent to sign-in
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))
    expect(heading(page)).to_have_text("Sign in to Homes QA")
    a11y()

    sign_in(world.users["registered_manager"])
    expect(heading(page)).to_have_text("Overview")
    assert home_links(page) == ["Alder House"]
    a11y()

    follow(page, page.get_by_role("navigation").get_by_role("link", name="Homes", exact=True))
    expect(heading(page)).to_have_text("Homes")
    assert home_links(page) == ["Alder House"]
    expect(page.get_by_text("Birch House")).to_have_count(0)
    a11y()

    follow(page, page.get_by_role("link", name="Alder House"))
    expect(page).to_have_url(re.compile(rf"/homes/{world.home_a.id}$"))
    expect(heading(page)).to_have_text("Alder House")
    expect(page.locator(".govuk-summary-list")).to_contain_text(["1 Alder Road"])
    expect(page.locator("#main-content").get_by_text("Registered manager A")).to_be_visible()
    a11y()

    response = site(f"/homes/{world.home_b.id}")
    assert response.status == 404
    expect(heading(page)).to_have_text("Page not found")
    expect(page.get_by_text("Birch House")).to_have_count(0)
    a11y()


def test_admin_adds_a_home_and_assigns_its_manager(page, site, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users["admin"])
    expect(heading(page)).to_have_text("Overview")
    assert home_links(page) == ["Alder House", "Birch House"]  # administrators see every home
    a11y()

    follow(page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="More"))
    a11y()
    follow(page, page.locator("#more-pages").get_by_role("link", name="Manage homes"))
    expect(heading(page)).to_have_text("Manage homes")
    a11y()
    follow(page, page.get_by_role("button", name="Add a home"))  # a link styled as a button
    expect(heading(page)).to_have_text("Add a home")
    a11y()

    page.get_by_label("Name of the home").fill("Cedar Lodge")
    page.get_by_label("Ofsted unique reference number (URN)").fill("SC900003")
    page.get_by_label("Address").fill("3 Cedar Lane\nTownsville")
    page.get_by_label("Registered places").fill("5")
    expect(page.get_by_label("Open", exact=True)).to_be_checked()  # the default
    page.get_by_label("Temporarily closed").check()
    follow(page, page.get_by_role("button", name="Save home"))

    expect(page).to_have_url(re.compile(r"/admin/homes/\d+/people$"))
    expect(heading(page)).to_have_text("People at this home")
    expect(page.locator(".govuk-caption-l")).to_have_text("Cedar Lodge")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Cedar Lodge has been added. Now assign its people.")
    expect(page.get_by_text("No one is assigned to this home yet.")).to_be_visible()
    a11y()

    page.get_by_label("Person").select_option(label="New Manager (Registered manager)")
    follow(page, page.get_by_role("button", name="Assign to this home"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "New Manager is now assigned to Cedar Lodge")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(0)).to_have_text("New Manager")
    expect(rows.first.locator("td").nth(1)).to_have_text("Registered manager")
    a11y()

    follow(page, page.get_by_role("button", name="Sign out"))
    expect(heading(page)).to_have_text("Sign in to Homes QA")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    a11y()

    sign_in(world.unassigned_manager)
    expect(heading(page)).to_have_text("Overview")
    assert home_links(page) == ["Cedar Lodge"]
    row = page.locator("table.govuk-table tbody tr").first
    expect(row).to_contain_text("SC900003")
    expect(row).to_contain_text("Temporarily closed")
    a11y()
    follow(page, page.get_by_role("link", name="Cedar Lodge"))
    expect(heading(page)).to_have_text("Cedar Lodge")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("3 Cedar Lane")
    a11y()


def test_add_a_home_with_nothing_filled_in_shows_the_errors(page, site, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users["admin"])
    a11y()
    site("/admin/homes/new")
    a11y()

    follow(page, page.get_by_role("button", name="Save home"))
    expect(page).to_have_title(re.compile(r"^Error: Add a home"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expected = {
        "Enter the name of the home": "#name",
        "Enter the Ofsted URN": "#ofsted_urn",
        "Enter the address": "#address",
        "Enter the number of registered places": "#registered_places",
    }
    links = summary.get_by_role("link")
    expect(links).to_have_text(list(expected))
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == list(expected.values())
    for message, target in expected.items():  # each message is also by its field
        expect(page.locator(f"{target}-error")).to_contain_text(message)
        assert "govuk-form-group--error" in page.locator(target).locator(
            "xpath=ancestor::div[contains(@class, 'govuk-form-group')][1]").get_attribute("class")
    expect(page.get_by_label("Open", exact=True)).to_be_checked()  # status kept its default
    a11y()

    links.first.click()  # the summary link takes the user to the field
    expect(page.locator("#name")).to_be_focused()

    follow(page, page.locator(".govuk-back-link"))
    expect(heading(page)).to_have_text("Manage homes")
    assert home_links(page) == ["Alder House", "Birch House"]  # nothing saved
    a11y()


@pytest.mark.parametrize("email, wrong_password", [
    ("registered_manager@a.example.org", "not-the-password"),
    ("nobody@a.example.org", None),  # the right password of someone else, an unknown email
], ids=["wrong-password", "unknown-email"])
def test_sign_in_failure_shows_a_generic_message(page, site, world, sign_in, a11y, password,
                                                  email, wrong_password):
    site("/sign-in")
    a11y()
    sign_in(email, wrong_password or password)
    message = "The email address or password is not correct"
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text([message])
    expect(page.locator("#password-error")).to_contain_text(message)
    expect(page.get_by_label("Email address")).to_have_value(email)  # kept
    expect(page.get_by_label("Password", exact=True)).to_have_value("")  # never echoed back
    a11y()

    site("/")  # still not signed in
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    a11y()


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
def test_phone_width_pages_do_not_scroll_sideways(page, site, world, sign_in, a11y):
    def assert_fits():
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{page.url} is {width}px wide at a 375px viewport"

    site("/sign-in")
    assert_fits()
    a11y()
    sign_in(world.users["admin"])  # sees every home: the widest homes table
    expect(heading(page)).to_have_text("Overview")
    assert_fits()
    a11y()
    site("/homes/")
    expect(heading(page)).to_have_text("Homes")
    expect(page.get_by_role("link", name="Birch House")).to_be_visible()
    assert_fits()
    a11y()


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
def test_manage_homes_does_not_scroll_sideways_on_a_phone(page, site, world, sign_in):
    site("/sign-in")
    sign_in(world.users["admin"])
    site("/admin/homes")
    expect(heading(page)).to_have_text("Manage homes")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
