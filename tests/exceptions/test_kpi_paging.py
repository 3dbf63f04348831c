"""The Monthly KPIs page at county scale (issue 13): a page of 25 homes by name, each row's
figures the same as when every home is worked out at once, the month kept on the page links,
and the same number of queries however many homes there are."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from homes_qa.core.calendar import london_day_start
from homes_qa.core.roles import Role
from homes_qa.exceptions import queries as exceptions_queries
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.paging import PAGE_SIZE
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.service import sync_catalogue
from homes_qa.spine.timestamps import utcnow

pytestmark = pytest.mark.usefixtures("clock")
AWARE = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" id="kpi-home-(\d+)">', html)


def _queries(app, client, url: str) -> int:
    count = 0

    def counted(*_args, **_kwargs):
        nonlocal count
        count += 1
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_kpis_page_a_page_of_homes_with_the_figures_of_all(app, client, world, auth):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    client.get("/exceptions/kpis?month=2026-10")  # warm
    few = _queries(app, client, "/exceptions/kpis?month=2026-10")
    with app.app_context(), acting_as("test"):
        sync_catalogue()
        made = [people.create_home(name=f"Zeta House {n:02d}", ofsted_urn=f"SC7{n:05d}",
                                   address=f"{n} Zeta Road", registered_places=2) for n in range(PAGE_SIZE + 2)]
        last = db.session.get(Home, made[-1].id)  # by name, on the second page
        late = obligations.obligation_for_event("incident_ntk_service_manager", last, AWARE, key="k:1")
        db.session.flush()
        obligations.discharge(late, met_at=late.due_at + timedelta(days=2))
        db.session.commit()
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        start, end = london_day_start(AWARE.date().replace(day=1)), london_day_start(AWARE.date().replace(month=11, day=1))
        now = max(utcnow(), end + timedelta(days=1))
        every = {k.key: (k.due, k.on_time, k.actions_overdue, k.average_days_late)
                 for k in exceptions_queries.monthly_kpis(head, now, start, end)}
        by_name = [h.id for h in sorted(db.session.query(Home).all(), key=lambda h: (h.name, h.id))]
    total = len(by_name)
    first = client.get("/exceptions/kpis?month=2026-10").get_data(as_text=True)
    assert _rows(first) == [str(i) for i in by_name[:PAGE_SIZE]]
    assert f"Showing 1 to {PAGE_SIZE} of {total} homes" in first
    assert 'href="/exceptions/kpis?month=2026-10&amp;page=2"' in first  # the month is kept
    second = client.get("/exceptions/kpis?month=2026-10&page=2").get_data(as_text=True)
    assert _rows(second) == [str(i) for i in by_name[PAGE_SIZE:]]
    row = second[second.index(f'id="kpi-home-{last.id}"'):]
    assert "0%" in row[:row.index("</tr>")] and "(0 of 1)" in row[:row.index("</tr>")]
    assert f'id="entered-home-{last.id}"' in second and f'id="entered-home-{by_name[0]}"' not in second
    with app.app_context():
        paged_page = exceptions_queries.monthly_kpis(
            db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id), now, start, end,
            [db.session.get(Home, i) for i in by_name[PAGE_SIZE:]])
    assert {k.key: (k.due, k.on_time, k.actions_overdue, k.average_days_late) for k in paged_page} == \
        {i: every[i] for i in by_name[PAGE_SIZE:]}
    # A page past the end is the last; anything not a number, the first.
    assert _rows(client.get("/exceptions/kpis?month=2026-10&page=99999999999999999999").get_data(as_text=True)) == \
        [str(i) for i in by_name[PAGE_SIZE:]]
    assert _rows(client.get("/exceptions/kpis?month=2026-10&page=%C2%B2").get_data(as_text=True)) == \
        [str(i) for i in by_name[:PAGE_SIZE]]
    assert _queries(app, client, "/exceptions/kpis?month=2026-10") == few  # the same statements however many homes


def test_a_registered_manager_sees_only_their_home_on_the_kpis_page(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = client.get("/exceptions/kpis?month=2026-10").get_data(as_text=True)
    assert _rows(html) == [str(world.home_a.id)] and "govuk-pagination" not in html
