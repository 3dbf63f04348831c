"""Phones (issue 11): at 375 px wide every list and table page stays usable — nothing runs off
the side of the page (a wide table scrolls inside its own region, the GOV.UK pattern), and
axe-core and the HTML checker pass at that width."""
from __future__ import annotations

from datetime import timedelta

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44 import service as reg44
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from tests import clock as test_clock
from tests.reg44.test_visits_support import details

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
PHONE = {"width": 375, "height": 800}


def _data(app, world) -> None:
    """Something in every list: a submitted Reg 44 report, late notifications, alerts."""
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test"):
        by = db.session.get(User, visitor.id)
        home = db.session.get(Home, world.home_a.id)
        visit = reg44.record_visit(None, by=by, home=home, details=details(TODAY - timedelta(days=2)))
        reg44.save_draft(visit, by=by, fields={
            "safeguarded_opinion": "with_concerns", "safeguarded_narrative": "One concern about night cover.",
            "wellbeing_opinion": "yes", "wellbeing_narrative": "Children are listened to.", "findings": "Calm."})
        reg44.submit_report(visit, by=by)
        for n, hours in enumerate((26, 24 * 10)):
            obligations.obligation_for_event("incident_ntk_service_manager", home, utcnow() - timedelta(hours=hours),
                                             key=f"incident:phone:{n}", label=f"Incident on the stairs {n}")
        db.session.commit()
    with app.app_context():
        alerts.sweep(utcnow())


def _fits(page) -> tuple[int, str]:
    """The page's scroll width, and what sticks out past 375 px if anything does."""
    return page.evaluate("""() => {
        const width = document.documentElement.scrollWidth;
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.right > 376 && !el.closest('.app-table-wrap')) {
                out.push(el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' + Math.round(box.right));
            }
        }
        return [width, out.slice(0, 8).join('; ')];
    }""")


PAGES = {
    Role.SERVICE_MANAGER: ["/", "/exceptions/", "/exceptions/items", "/exceptions/kpis",
                           "/exceptions/kpis/since-inspection", "/exceptions/kpis/trends", "/alerts/", "/homes/",
                           "/reg44/", "/actions", "/incidents", "/safeguarding-summaries", "/register",
                           "/homes/{a}", "/homes/{a}/audits", "/homes/{a}/inspections", "/organisation/"],
    Role.REGISTERED_MANAGER: ["/", "/exceptions/items", "/alerts/", "/incidents"],
    Role.REG44_VISITOR: ["/", "/reg44/"],
    Role.HEAD_OF_SERVICE: ["/", "/exceptions/?period=last_3_months", "/qpag", "/qa-reviews"],
    Role.HOME_STAFF: ["/", "/exceptions/items"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_list_pages_fit_a_375px_phone(page, site, app, world, sign_in, a11y, role):
    _data(app, world)
    page.set_viewport_size(PHONE)
    site("/sign-in")
    a11y()
    sign_in(world.users[role])
    a11y()
    for path in PAGES[role]:
        response = site(path.format(a=world.home_a.id))
        assert response is not None and response.status == 200, path
        width, sticking_out = _fits(page)
        assert width <= PHONE["width"], f"{path} is {width} px wide at 375 px: {sticking_out}"
        a11y()
