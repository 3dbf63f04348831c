"""Issue 12 in Chromium: the service navigation fits on one row at 1280 px (the rest on "More");
the printed report is sans-serif; assigning a visitor or a second manager asks first; the visitor
lists children's case records with consent."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from homes_qa.core.roles import ROLES

pytestmark = pytest.mark.usefixtures("clock")


def nav_boxes(page) -> list[dict]:
    """Each item of the service navigation (links, the name and Sign out) with its box."""
    return page.evaluate("""() => [...document.querySelectorAll('.govuk-service-navigation__item')].map(li => {
        const r = li.getBoundingClientRect();
        return {text: li.innerText.trim(), x: r.x, y: r.y, width: r.width, height: r.height};
    })""")


@pytest.mark.parametrize("role", ROLES)
def test_navigation_items_share_one_row_at_1280px(page, site, world, sign_in, a11y, role):
    page.set_viewport_size({"width": 1280, "height": 900})
    site("/sign-in")
    a11y()
    sign_in(world.users[role])
    a11y()
    boxes = nav_boxes(page)
    print(role, [(b["text"], round(b["x"]), round(b["y"])) for b in boxes])
    assert len(boxes) >= 3
    first, last = boxes[0], boxes[-1]
    assert first["y"] == last["y"], f"{role}: the navigation wraps: {[(b['text'], b['y']) for b in boxes]}"
    assert len({round(b["y"]) for b in boxes}) == 1


def follow(page, locator):
    with page.expect_navigation():
        locator.click()


def test_the_more_page_holds_the_grouped_links_and_marks_itself_current(page, site, world, sign_in, a11y):
    site("/sign-in")
    a11y()
    sign_in(world.users["head_of_service"])
    a11y()
    menu = page.get_by_role("navigation", name="Menu")
    for moved in ("Audit trail", "Whole service", "Rules", "QA reviews", "Certificates"):
        expect(menu.get_by_role("link", name=moved)).to_have_count(0)
    expect(menu.get_by_role("link", name="Reg 44 visits")).to_be_visible()
    follow(page, menu.get_by_role("link", name="More"))
    expect(page.get_by_role("heading", level=1)).to_have_text("More")
    expect(menu.get_by_role("link", name="More")).to_have_attribute("aria-current", "true")
    links = page.locator("#more-pages").get_by_role("link")
    expect(links).to_have_text(["QA reviews", "QPAG reports", "Whole service", "Certificates", "Audit trail", "Rules"])
    a11y()
    follow(page, page.locator("#more-pages").get_by_role("link", name="Audit trail"))
    expect(menu.get_by_role("link", name="More")).to_have_attribute("aria-current", "true")
    a11y()
    # your account is in the organisation bar, not the service navigation
    account = page.get_by_role("navigation", name="Your account")
    expect(account.get_by_role("link", name=world.users["head_of_service"].name)).to_be_visible()
    follow(page, account.get_by_role("button", name="Sign out"))
    a11y()


def test_none_declared_prints_in_the_same_sans_serif_as_the_report(app, page, site, world, sign_in, a11y):
    from test_reg44_journeys import _submitted_visit  # a submitted report: no conflict of interest
    visit_id = _submitted_visit(app, world)
    site("/sign-in")
    a11y()
    sign_in(world.users["registered_manager"])
    a11y()
    site(f"/reg44/visits/{visit_id}/report/v1/print")
    a11y()
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        none_declared = page.get_by_text("None declared.", exact=True)
        expect(none_declared).to_have_count(1)
        font = none_declared.evaluate("e => getComputedStyle(e).fontFamily")
        body_font = page.locator("#opinion-safeguarded").evaluate("e => getComputedStyle(e).fontFamily")
        assert font == body_font and "sans-serif" in font, (media, font, body_font)
        # every text in the report is set in the GOV.UK sans-serif: none falls back to the serif default
        serif = page.evaluate("""() => [...document.querySelectorAll('#main-content *')]
            .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => [e.tagName, e.textContent.trim().slice(0, 40), getComputedStyle(e).fontFamily])
            .filter(([, , f]) => !f.includes('sans-serif'))""")
        assert serif == [], (media, serif)
    page.emulate_media(media="screen")


def test_admin_declares_a_visitors_independence_and_confirms_a_second_manager(app, page, site, world, sign_in, a11y):
    from homes_qa.core.roles import Role
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people import service as people
    with app.app_context(), acting_as("test"):
        people.create_user(name="Ivy Marsh", email="ivy@a.example.org", role=Role.REG44_VISITOR,
                           password="correct-horse-battery")
    site("/sign-in")
    a11y()
    sign_in(world.users["admin"])
    a11y()
    site(f"/admin/homes/{world.home_a.id}/people")
    a11y()
    page.get_by_label("Person").select_option(label="Ivy Marsh (Regulation 44 independent visitor)")
    follow(page, page.get_by_role("button", name="Assign to this home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Declare Ivy Marsh's independence")
    expect(page.locator("#independence-criteria li")).to_have_count(5)
    a11y()
    follow(page, page.get_by_role("button", name="Assign to this home"))  # not ticked
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that Ivy Marsh is independent of Alder House")
    a11y()
    page.get_by_label("I confirm that Ivy Marsh is independent of Alder House").check()
    page.get_by_label("Note (optional)").fill("Checked: not employed by the provider")
    follow(page, page.get_by_role("button", name="Assign to this home"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Ivy Marsh is now assigned")
    row = page.get_by_role("row").filter(has_text="Ivy Marsh")
    expect(row).to_contain_text("Declared")
    expect(row).to_contain_text("Note: Checked: not employed by the provider")
    a11y()

    page.get_by_label("Person").select_option(label="New Manager (Registered manager)")
    follow(page, page.get_by_role("button", name="Assign to this home"))
    expect(page.locator("#second-manager-question")).to_have_text(
        f"Alder House already has a registered manager, {world.users['registered_manager'].name}. "
        "Assign New Manager as well?")
    a11y()
    follow(page, page.get_by_role("button", name="Yes, assign New Manager as well"))
    expect(page.get_by_role("row").filter(has_text="New Manager")).to_have_count(1)
    a11y()


def test_visitor_lists_case_records_with_consent(app, page, site, world, sign_in, a11y):
    from tests.reg44.test_visits_support import record, today
    visit_id = record(app, world.users["reg44_visitor"].id, today(), home_id=world.home_a.id)
    site("/sign-in")
    a11y()
    sign_in(world.users["reg44_visitor"])
    a11y()
    site(f"/reg44/visits/{visit_id}")
    a11y()
    follow(page, page.get_by_role("link", name="Record whose case records you looked at, and with whose consent"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Children's case records")
    a11y()
    page.get_by_label("Child's initials or reference").fill("AB")
    page.get_by_label("The child", exact=True).check()
    page.get_by_role("group", name="Did you look at the child's case records?").get_by_label("Yes").check()
    follow(page, page.get_by_role("button", name="Add"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("only with the consent of both")
    a11y()
    page.get_by_label("The placing authority").check()
    follow(page, page.get_by_role("button", name="Add"))
    expect(page.locator("#case-records-table tbody tr")).to_have_count(1)
    expect(page.locator("#case-records-table tbody tr")).to_contain_text("Consent from the child and the placing authority")
    a11y()
    follow(page, page.get_by_role("link", name="The visit"))
    expect(page.locator("#case-records")).to_contain_text(
        "AB: case records seen, with consent from the child and the placing authority")
    a11y()
