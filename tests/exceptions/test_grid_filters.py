"""The exceptions grid and its items filtered by person (what they answer for) and period
(when the items fall due): shareable GET URLs, errors by their field, 404 for someone else's
person, and the cell links carry the filters to the items."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from homes_qa.core.calendar import london_date
from homes_qa.core.periods import preset
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import User
from homes_qa.spine.timestamps import utcnow
from tests.exceptions.test_exceptions import _incidents, _text

pytestmark = pytest.mark.usefixtures("clock")


def _row(page: str, key: int) -> str:
    row = page[page.index(f'id="grid-home-{key}"'):]
    return _text(row[:row.index("</tr>")])


def _due_day(app, obligation_id: int):
    with app.app_context():
        return london_date(db.session.get(Obligation, obligation_id).due_at)


def test_person_filter_shows_what_that_person_answers_for(app, client, world, auth):
    _incidents(app, world.home_a.id, overdue=2)
    _incidents(app, world.home_b.id, overdue=1)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    everyone = client.get("/exceptions/").get_data(as_text=True)
    assert "2 overdue" in _row(everyone, world.home_a.id) and "1 overdue" in _row(everyone, world.home_b.id)
    assert f'<option value="{world.manager_b.id}"' in everyone

    page = client.get(f"/exceptions/?person={world.manager_b.id}").get_data(as_text=True)
    assert "Manager B" in _text(page[page.index('id="grid-filters-caption"'):][:200])
    assert "overdue" not in _row(page, world.home_a.id) and "1 overdue" in _row(page, world.home_b.id)
    assert f"person={world.manager_b.id}" in page[page.index(f'id="grid-home-{world.home_b.id}"'):]
    items = client.get(f"/exceptions/items?home={world.home_b.id}&area=notifications&person={world.manager_b.id}")
    assert items.status_code == 200 and "Manager B" in items.get_data(as_text=True)
    assert len(re.findall(r'id="items-obligation-\d+"', items.get_data(as_text=True))) == 1
    # The visitor answers for no notification.
    visitor = client.get(f"/exceptions/?person={world.users[Role.REG44_VISITOR].id}").get_data(as_text=True)
    assert "overdue" not in _row(visitor, world.home_a.id)


def test_person_outside_the_users_homes_is_404_and_bad_values_are_errors(app, client, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])  # Alder House only
    assert client.get(f"/exceptions/?person={world.manager_b.id}").status_code == 404
    assert client.get(f"/exceptions/items?person={world.manager_b.id}").status_code == 404
    bad = client.get("/exceptions/?person=abc")
    assert bad.status_code == 400 and "Choose a person from the list" in bad.get_data(as_text=True)
    assert client.get(f"/exceptions/?person={2**40}").status_code == 400
    page = client.get("/exceptions/?period=forever")
    assert page.status_code == 400 and 'href="#period"' in page.get_data(as_text=True)
    page = client.get("/exceptions/?period=custom&from=2026-13-01&to=2026-11-30").get_data(as_text=True)
    assert "govuk-error-summary" in page and 'href="#period-from"' in page and "govuk-input--error" in page
    page = client.get("/exceptions/items?period=custom&from=2026-11-30&to=2026-11-01")
    assert page.status_code == 400
    assert "The last date must be the same as or after the first date" in page.get_data(as_text=True)
    assert client.get("/exceptions/?period=custom&from=1900-01-01&to=2026-01-01").status_code == 400


def test_period_filter_counts_what_falls_due_in_the_range(app, client, world, auth):
    escalated, overdue = _incidents(app, world.home_a.id, escalated=1, overdue=1)
    early, late = _due_day(app, escalated), _due_day(app, overdue)
    assert early < late
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    url = f"/exceptions/?period=custom&from={early.isoformat()}&to={early.isoformat()}"
    page = client.get(url).get_data(as_text=True)
    assert "1 escalated" in _row(page, world.home_a.id) and "overdue" not in _row(page, world.home_a.id)
    cell_link = re.search(r'href="(/exceptions/items\?[^"]*area=notifications[^"]*)"', page)[1].replace("&amp;", "&")
    assert "period=custom" in cell_link and f"from={early.isoformat()}" in cell_link
    items = client.get(cell_link).get_data(as_text=True)
    assert f'id="items-obligation-{escalated}"' in items and f'id="items-obligation-{overdue}"' not in items

    today = london_date(utcnow())
    this_month = preset("this_month", today)
    expected = {oid for oid, day in ((escalated, early), (overdue, late)) if this_month.start <= day < this_month.end}
    items = client.get(f"/exceptions/items?home={world.home_a.id}&period=this_month").get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'id="items-obligation-(\d+)"', items)}
    assert listed & {escalated, overdue} == expected
    # A period with nothing due: the grid says so in every cell.
    page = client.get("/exceptions/?period=custom&from=2001-01-01&to=2001-12-31").get_data(as_text=True)
    assert "overdue" not in _row(page, world.home_a.id) and "escalated" not in _row(page, world.home_a.id)


def test_filtered_grid_query_count_does_not_grow_with_homes(app, client, world, auth):
    from homes_qa.spine.audit.models import acting_as
    from tests.exceptions.test_exceptions import StatementCounter, _history
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.id == world.users[Role.REGISTERED_MANAGER].id))
        manager_id = manager.id
    urls = [f"/exceptions/?person={manager_id}&period=last_3_months",
            f"/exceptions/items?person={manager_id}&period=custom&from=2026-01-01&to=2027-12-31"]
    _history(app, world, [world.home_a.id])

    def counts():
        found = {}
        with app.app_context():
            for url in urls:
                with StatementCounter(db.engine) as counter:
                    assert client.get(url).status_code == 200
                found[url] = counter.count
        return found
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    small = counts()
    with app.app_context(), acting_as("test"):
        new_ids = [people.create_home(name=f"Home {n:02d}", ofsted_urn=f"SC77{n:04d}", address="1 Road",
                                      registered_places=3).id for n in range(8)]
    _history(app, world, new_ids)
    assert counts() == small
