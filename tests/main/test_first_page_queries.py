"""Issue 13 ("prove it holds"): the first pages and a home's pages make at most 15 queries,
and the same number with few or many homes and records; the exceptions grid renders 25 homes
a page (filters kept, bad page numbers the first page, past the end the last) while its
exports stay complete. Query counts, not times: speed is measured by `make bench`."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44 import service as reg44
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.service import sync_catalogue
from homes_qa.spine.timestamps import utcnow
from tests import clock as test_clock
from tests.helpers import page_queries
from tests.reg44.test_visits_support import details

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
MAX_QUERIES = 15


def _queries(app, client, url: str) -> int:
    return page_queries(app, client, url, warm=False)  # the caller looked once already


def _late_work(app, home_ids: list[int], prefix: str) -> None:
    """Per home: an escalated, an overdue and a due-soon need-to-know, and a met one, then a sweep."""
    now = utcnow()
    with app.app_context(), acting_as("test"):
        for home_id in home_ids:
            home = db.session.get(Home, home_id)
            for n, age in enumerate((timedelta(days=10), timedelta(hours=26), timedelta(hours=1))):
                obligations.obligation_for_event("incident_ntk_service_manager", home, now - age,
                                                 key=f"{prefix}:{home_id}:{n}")
            met = obligations.obligation_for_event("incident_ntk_service_manager", home, now - timedelta(days=2),
                                                   key=f"{prefix}:{home_id}:met")
            db.session.flush()
            obligations.discharge(met, met_at=now - timedelta(days=1))
        db.session.commit()
        alerts.sweep(now)


def _submitted_visit(app, visitor_id: int, home_id: int, days_ago: int) -> int:
    with app.app_context(), acting_as("test"):
        by = db.session.get(User, visitor_id)
        visit = reg44.record_visit(None, by=by, home=db.session.get(Home, home_id),
                                   details=details(TODAY - timedelta(days=days_ago)))
        reg44.save_draft(visit, by=by, fields={
            "safeguarded_opinion": "yes", "safeguarded_narrative": "Staff know the procedures.",
            "wellbeing_opinion": "yes", "wellbeing_narrative": "Children are listened to.", "findings": "Calm."})
        reg44.submit_report(visit, by=by)
        return visit.id


def _recorded_visit(app, visitor_id: int, home_id: int, days_ago: int) -> int:
    with app.app_context(), acting_as("test"):
        visit = reg44.record_visit(None, by=db.session.get(User, visitor_id), home=db.session.get(Home, home_id),
                                   details=details(TODAY - timedelta(days=days_ago)))
        return visit.id


def _more_homes(app, world, count: int, tag: str) -> list[int]:
    """Homes assigned to the service manager, the visitor and the registered manager of home A."""
    with app.app_context(), acting_as("test setup"):
        ids = []
        for n in range(count):
            home = people.create_home(name=f"Extra {tag} {n:02d}", ofsted_urn=f"SC7{tag}{n:04d}",
                                      address=f"{n} Extra Road", registered_places=3)
            for role in (Role.SERVICE_MANAGER, Role.REG44_VISITOR):
                people.assign(home, db.session.get(User, world.users[role].id))
            ids.append(home.id)
        return ids


def _pages(world, visit_id: int) -> list[tuple[str, str]]:
    home = world.home_a.id
    return [(Role.HEAD_OF_SERVICE, "/"), (Role.SERVICE_MANAGER, "/"), (Role.REGISTERED_MANAGER, "/"),
            (Role.REG44_VISITOR, "/"), (Role.REGISTERED_MANAGER, f"/homes/{home}"),
            (Role.REGISTERED_MANAGER, f"/reg44/homes/{home}"), (Role.HEAD_OF_SERVICE, f"/reg44/homes/{home}"),
            (Role.REG44_VISITOR, f"/reg44/visits/{visit_id}/report"), (Role.HEAD_OF_SERVICE, "/exceptions/")]


def _count_pages(app, client, auth, world, pages) -> dict[tuple[str, str], int]:
    counts = {}
    for role, url in pages:
        auth.sign_in(world.users[role])
        client.get(url)  # the first look at `/` makes the person's marker (one write, once)
        counts[(role, url)] = _queries(app, client, url)
        auth.sign_out()
    return counts


def test_first_pages_and_home_pages_make_at_most_15_queries_however_many_homes_and_records(app, client, world,
                                                                                         auth):
    with app.app_context():
        sync_catalogue()
    visitor = world.users[Role.REG44_VISITOR].id
    _submitted_visit(app, visitor, world.home_a.id, 130)  # the report page's previous visit
    visit_id = _submitted_visit(app, visitor, world.home_a.id, 3)
    _late_work(app, [world.home_a.id, world.home_b.id], "few")
    _recorded_visit(app, visitor, world.home_a.id, 2)  # a report still to write: its deadline is shown
    pages = _pages(world, visit_id)
    few = _count_pages(app, client, auth, world, pages)

    more = _more_homes(app, world, 30, "1")
    _late_work(app, [world.home_a.id, *more], "many")
    for days_ago in (10, 40, 70, 100):  # the register's months: more visits and reports
        _submitted_visit(app, visitor, world.home_a.id, days_ago)
    for home_id in more[:5]:
        _submitted_visit(app, visitor, home_id, 5)
        _recorded_visit(app, visitor, home_id, 1)
    many = _count_pages(app, client, auth, world, pages)

    assert many == few  # nothing grows with the estate
    over = {page: n for page, n in many.items() if n > MAX_QUERIES}
    assert not over, over


def _grid_rows(body: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" id="grid-home-(\d+)"', body)


def test_the_exceptions_grid_shows_25_homes_a_page_with_its_filters_and_complete_exports(app, client, world,
                                                                                        auth):
    with app.app_context():
        sync_catalogue()
    _more_homes(app, world, 30, "2")  # 32 homes and the whole service: 33 rows, two pages
    _late_work(app, [world.home_b.id], "grid")
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    first = client.get("/exceptions/").get_data(as_text=True)
    rows = _grid_rows(first)
    assert len(rows) == 25 and rows[0] == str(world.home_b.id)  # the most urgent first
    assert "Showing 1 to 25 of 33 rows" in first
    assert 'href="/exceptions/?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/exceptions/?page=2").get_data(as_text=True)
    second_rows = _grid_rows(second)
    assert len(second_rows) == 8 and not set(rows) & set(second_rows)
    assert "Showing 26 to 33 of 33 rows" in second and 'href="/exceptions/"' in second and 'rel="next"' not in second
    for bad in ("²", "abc", "-1", "0", ""):  # not a page number: the first page, never an error
        response = client.get(f"/exceptions/?page={bad}")
        assert response.status_code == 200 and _grid_rows(response.get_data(as_text=True)) == rows, bad
    last = client.get("/exceptions/?page=99999999999999999999")  # past the end: the last page
    assert last.status_code == 200 and _grid_rows(last.get_data(as_text=True)) == second_rows
    assert _grid_rows(client.get("/exceptions/?page=3").get_data(as_text=True)) == second_rows
    # Filters are kept from page to page, and a filtered grid that fits one page has no pages.
    filtered = client.get("/exceptions/?area=notifications&page=2").get_data(as_text=True)
    assert 'href="/exceptions/?area=notifications"' in filtered and len(_grid_rows(filtered)) == 8
    one = client.get(f"/exceptions/?home={world.home_b.id}").get_data(as_text=True)
    assert _grid_rows(one) == [str(world.home_b.id)] and "govuk-pagination" not in one
    # The export has every matching row, not one page's.
    body = client.get("/exceptions/export/obligations.csv").get_data(as_text=True)
    exported = {row[1] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))}
    with app.app_context():
        names = set(db.session.scalars(select(Home.name)))
    homes_with_obligations = exported & names
    assert "Birch House" in homes_with_obligations and len(homes_with_obligations) > 25


def test_the_work_queue_shows_the_first_ten_late_notifications_with_the_true_total(app, client, world, auth):
    with app.app_context():
        sync_catalogue()
    now = utcnow()
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        for n in range(13):
            obligations.obligation_for_event("incident_ntk_service_manager", home, now - timedelta(days=3),
                                             key=f"late:{n}")
        db.session.commit()
        alerts.sweep(now)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    body = client.get("/").get_data(as_text=True)
    late = body.split('id="late-notifications"', 1)[1].split("</ul>", 1)[0]
    assert late.count("<li>") == 10
    assert re.search(r'id="late-notifications-more"><a class="govuk-link" href="/exceptions/items\?area=notifications">'
                     r"And 3 more late notifications", body)
