"""The alerts page renders a page of each list at a time (issue 13: what a page renders stays
the same size however many alerts are open), with GOV.UK pagination and the true totals."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.queries import PAGE_SIZE
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people.models import Home
from homes_qa.spine.timestamps import utcnow

pytestmark = pytest.mark.usefixtures("clock")

OPEN = PAGE_SIZE + 5


def _overdue_alerts(app, world, count: int = OPEN) -> None:
    """`count` need-to-know obligations of home A, 25 hours old, swept: one alert row each."""
    with app.app_context(), acting_as("test setup"):
        home = db.session.get(Home, world.home_a.id)
        for n in range(count):
            obligation_for_event("incident_ntk_service_manager", home, utcnow() - timedelta(hours=25), key=f"incident:{n}")
        db.session.commit()
        alert_service.sweep(utcnow())


def _rows(body: str, section: str) -> set[str]:
    return set(re.findall(rf'<tr class="govuk-table__row" id="alert-{section}-(\d+)"', body))


def test_alerts_list_pages_of_a_fixed_size_with_the_whole_count(app, world, auth):
    _overdue_alerts(app, world)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    first = auth.client.get("/alerts/").get_data(as_text=True)
    total = len(_rows(first, "homes"))
    assert total == PAGE_SIZE  # not every alert at once
    assert "All homes (" in first
    listed_total = int(re.search(r"All homes \((\d+)\)", first).group(1))
    assert listed_total >= OPEN
    assert f"Page 1 of {-(-listed_total // PAGE_SIZE)}" in first
    assert 'href="/alerts/?homes_page=2#alerts-panel-homes"' in first and 'rel="next"' in first

    second = auth.client.get("/alerts/?homes_page=2").get_data(as_text=True)
    assert _rows(second, "homes") and not (_rows(second, "homes") & _rows(first, "homes"))
    assert 'href="/alerts/#alerts-panel-homes" rel="prev"' in second  # back to page 1
    pages = -(-listed_total // PAGE_SIZE)
    seen = set()
    for page in range(1, pages + 1):
        seen |= _rows(auth.client.get(f"/alerts/?homes_page={page}").get_data(as_text=True), "homes")
    assert len(seen) == listed_total  # every alert is on exactly one page


@pytest.mark.parametrize("page", ["0", "-1", "²", "99999999999999999999", "abc", "3.5", "1e3", " 2"])
def test_a_bad_page_number_is_the_first_page_never_an_error(app, world, auth, page):
    _overdue_alerts(app, world, count=PAGE_SIZE + 1)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    first = _rows(auth.client.get("/alerts/").get_data(as_text=True), "homes")
    response = auth.client.get("/alerts/", query_string={"homes_page": page, "mine_page": page})
    assert response.status_code == 200
    assert _rows(response.get_data(as_text=True), "homes") == first


def test_a_page_past_the_end_is_the_last_page(app, world, auth):
    _overdue_alerts(app, world, count=PAGE_SIZE + 1)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    body = auth.client.get("/alerts/?homes_page=500").get_data(as_text=True)
    pages = int(re.search(r"Page (\d+) of (\d+)", body).group(2))
    assert f"Page {pages} of {pages}" in body and _rows(body, "homes")
