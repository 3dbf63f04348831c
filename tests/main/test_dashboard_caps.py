"""The start page shows the first few of each list and links to the rest (issue 13): what it
renders stays the same size however many homes and open items the person sees."""
from __future__ import annotations

import re

import pytest

from homes_qa.core.roles import Role
from homes_qa.main.routes import DASHBOARD_ROWS
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.rules.service import sync_catalogue

pytestmark = pytest.mark.usefixtures("clock")

EXTRA = DASHBOARD_ROWS + 3  # with the world's two homes: more than the page shows


def _more_homes(app) -> None:
    with app.app_context(), acting_as("test setup"):
        sync_catalogue()  # the rules, so the grid has its areas
        for n in range(EXTRA):
            people.create_home(name=f"Zeta House {n:02d}", ofsted_urn=f"SC8{n:05d}", address=f"{n} Zeta Road",
                               registered_places=2)


def test_the_head_of_service_sees_the_first_homes_and_a_link_to_all(app, world, auth):
    _more_homes(app)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    body = auth.client.get("/").get_data(as_text=True)
    homes_table = body.split('id="home-list"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'href="/homes/\d+"', homes_table)) == DASHBOARD_ROWS
    assert "Alder House" in homes_table and "Zeta House 12" not in homes_table  # by name, first ones shown
    total = EXTRA + 2
    assert f"And {total - DASHBOARD_ROWS} more." in body and f"See all {total} homes" in body
    # The exceptions grid: the most urgent rows, and the whole grid one link away.
    grid = body.split('id="exceptions-grid"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'<tr class="govuk-table__row" id="grid-home-', grid)) == DASHBOARD_ROWS
    assert 'id="grid-more"' in body and 'href="/exceptions/"' in body


def test_a_manager_of_few_homes_sees_them_all_without_a_more_link(app, world, auth):
    _more_homes(app)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    body = auth.client.get("/").get_data(as_text=True)
    assert 'id="homes-more"' not in body and "Alder House" in body and "Zeta House" not in body
