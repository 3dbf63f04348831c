"""The real Content Security Policy (no bypass): nothing refused, htmx and GOV.UK Frontend run."""
import pytest
from playwright.sync_api import expect


@pytest.mark.browser_context_args(bypass_csp=False)
def test_pages_run_under_the_real_csp(page, site, world, sign_in):
    console_errors, csp_messages, page_errors, failed = [], [], [], []

    def on_console(message):
        if "Content Security Policy" in message.text:
            csp_messages.append(message.text)
        elif message.type == "error" and not message.text.startswith("Failed to load resource"):
            console_errors.append(message.text)  # failed loads are checked by URL below

    def on_response(response):
        # The browser asks for /favicon.ico by itself; the app has no icon (404), which is harmless.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            failed.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("response", on_response)
    # Also count violations the page itself reports, whether or not they reach the console.
    page.add_init_script("""
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    """)

    def assert_page_healthy():
        assert page.evaluate("typeof htmx") == "object", "htmx did not load"
        assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
        # initAll() ran: GOV.UK Frontend marks each component it initialised.
        expect(page.locator('[data-module="govuk-skip-link"]')).to_have_attribute(
            "data-govuk-skip-link-init", "")
        assert page.evaluate("window.__cspViolations") == []

    response = site("/sign-in")
    assert response.status == 200
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    assert_page_healthy()

    # A signed-in page with navigation, and one with an error summary GOV.UK Frontend focuses.
    sign_in(world.users["admin"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    assert_page_healthy()
    site("/admin/homes/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Save home").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_have_attribute("data-govuk-error-summary-init", "")
    assert_page_healthy()

    assert csp_messages == [], csp_messages
    assert page_errors == [], page_errors
    assert console_errors == [], console_errors
    assert failed == [], failed
