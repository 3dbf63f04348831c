"""Exceptions: each role's start page is its work; the homes × areas grid; the items behind a
cell; CSV exports in scope and safe for Excel."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def _home(home_id: int) -> Home:
    return db.session.get(Home, home_id)


def _incidents(app, home_id: int, *, escalated: int = 0, overdue: int = 0, due_soon: int = 0,
               prefix: str = "i", label: str | None = None) -> list[int]:
    """Need-to-know notifications (24 h after awareness) in each state, then a sweep."""
    now = utcnow()
    ids = []
    with app.app_context(), acting_as("test"):
        home = _home(home_id)
        ages = [timedelta(days=10)] * escalated + [timedelta(hours=26)] * overdue + [timedelta(hours=1)] * due_soon
        for n, age in enumerate(ages):
            made = obligations.obligation_for_event("incident_ntk_service_manager", home, now - age, key=f"{prefix}:{home_id}:{n}",
                                                    label=label)
            db.session.flush()
            ids.append(made.id)
        db.session.commit()
        alerts.sweep(now)
    return ids


def _overdue_check(app, world, home_id: int) -> int:
    """An overdue gas safety check (recordable with "Record that it was done")."""
    with app.app_context(), acting_as("test"):
        obligations.record_completion(rule_code="gas_safety_check", home=_home(home_id),
                                      done_on=TODAY - timedelta(days=400), note="",
                                      by=db.session.get(User, world.users[Role.ADMIN].id))
        return db.session.scalar(select(Obligation.id).where(Obligation.rule_code == "gas_safety_check",
                                                             Obligation.home_id == home_id,
                                                             Obligation.status == "open"))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- the grid

def test_grid_counts_each_home_and_area_escalated_first_with_links(app, client, world, auth):
    _incidents(app, world.home_a.id, overdue=1, due_soon=1)
    _incidents(app, world.home_b.id, escalated=2, overdue=1)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get("/exceptions/").get_data(as_text=True)
    assert "<table" in page and '<th scope="col" class="govuk-table__header">Notifications</th>' in page
    assert page.index(f'id="grid-home-{world.home_b.id}"') < page.index(f'id="grid-home-{world.home_a.id}"')
    row_b = page[page.index(f'id="grid-home-{world.home_b.id}"'):]
    row_b = row_b[:row_b.index("</tr>")]
    assert "2 escalated, 1 overdue" in row_b and "govuk-tag--red" in row_b
    assert f"/exceptions/items?home={world.home_b.id}&amp;area=notifications" in row_b
    row_a = page[page.index(f'id="grid-home-{world.home_a.id}"'):]
    assert "1 overdue, 1 due soon" in row_a[:row_a.index("</tr>")]
    assert "Whole service" in page  # heads of service see whole-service work as a row


def test_grid_filters_by_home_and_area_in_a_shareable_url(app, client, world, auth):
    _incidents(app, world.home_a.id, overdue=1)
    _incidents(app, world.home_b.id, overdue=1)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get(f"/exceptions/?home={world.home_b.id}&area=notifications").get_data(as_text=True)
    assert f'id="grid-home-{world.home_b.id}"' in page and f'id="grid-home-{world.home_a.id}"' not in page
    header = page[page.index("<thead"):page.index("</thead>")]
    assert "Notifications" in header and "Fire" not in header
    # htmx asks for the grid alone.
    partial = client.get(f"/exceptions/?home={world.home_b.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert partial.lstrip().startswith("<div id=\"exceptions-grid\">") and "<html" not in partial


def test_grid_is_scoped_and_bad_filters_are_refused(app, client, world, auth):
    _incidents(app, world.home_b.id, overdue=1)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])  # manages home A only
    page = client.get("/exceptions/").get_data(as_text=True)
    assert "Birch House" not in page and "Alder House" in page
    assert client.get(f"/exceptions/?home={world.home_b.id}").status_code == 404
    assert client.get(f"/exceptions/items?home={world.home_b.id}").status_code == 404
    bad = client.get("/exceptions/?area=not-an-area&home=abc")
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "There is a problem" in html and "Choose an area from the list" in html and "Choose a home from the list" in html
    assert client.get("/exceptions/items?status=nonsense").status_code == 400
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get("/exceptions/").status_code == 403
    assert client.get("/exceptions/items?home=0").status_code == 404  # whole service is not theirs


def test_items_behind_a_cell_agree_with_its_count_and_link_where_each_is_done(app, client, world, auth):
    escalated = _incidents(app, world.home_b.id, escalated=1, overdue=1, due_soon=1)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get(f"/exceptions/items?home={world.home_b.id}&area=notifications").get_data(as_text=True)
    rows = re.findall(r'id="items-obligation-(\d+)"', page)
    assert [int(r) for r in rows] == escalated  # escalated, then overdue, then due soon
    text = _text(page)
    assert text.index("Escalated") < text.index("Overdue") < text.index("Due soon")
    only = client.get(f"/exceptions/items?home={world.home_b.id}&status=overdue").get_data(as_text=True)
    assert re.findall(r'id="items-obligation-(\d+)"', only) == [str(escalated[1])]


def test_hidden_obligations_never_reach_home_staff(app, client, world, auth):
    ids = _incidents(app, world.home_a.id, overdue=2)
    with app.app_context(), acting_as("test"):
        db.session.get(Obligation, ids[0]).hidden_from_home_staff = True
        db.session.commit()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(f"/exceptions/items?home={world.home_a.id}").get_data(as_text=True)
    listed = re.findall(r'id="items-obligation-(\d+)"', page)
    assert str(ids[1]) in listed and str(ids[0]) not in listed
    body = client.get("/exceptions/export/obligations.csv").get_data(as_text=True)
    found = {row[0] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))}
    assert str(ids[1]) in found and str(ids[0]) not in found
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get(f"/exceptions/items?home={world.home_a.id}").get_data(as_text=True)
    assert {str(i) for i in ids} <= set(re.findall(r'id="items-obligation-(\d+)"', page))


# ---------------------------------------------------------------- query counts

class StatementCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def _history(app, world, home_ids: list[int]) -> None:
    """Years of history per home (met and waived obligations, alerts) plus open late work."""
    with app.app_context(), acting_as("test"):
        admin = db.session.get(User, world.users[Role.ADMIN].id)
        for home_id in home_ids:
            home = _home(home_id)
            for month in range(24):
                old = obligations.obligation_for_event(
                    "incident_ntk_service_manager", home, utcnow() - timedelta(days=30 * month + 40), key=f"old:{home_id}:{month}")
                db.session.flush()
                if month % 5 == 0:
                    obligations.waive(old, reason="Duplicate record", by=admin)
                else:
                    obligations.discharge(old, met_at=old.due_at + timedelta(hours=month % 3))
        db.session.commit()
    for home_id in home_ids:
        _incidents(app, home_id, escalated=1, overdue=1, due_soon=1, prefix="now")


def _counts(app, client, urls) -> dict[str, int]:
    counts = {}
    with app.app_context():
        for url in urls:
            with StatementCounter(db.engine) as counter:
                assert client.get(url).status_code == 200
            counts[url] = counter.count
    return counts


def test_query_count_does_not_grow_with_homes_or_history(app, client, world, auth):
    manager = world.users[Role.REGISTERED_MANAGER].id
    urls = ["/exceptions/", "/", "/exceptions/items", "/exceptions/items?area=notifications",
            f"/exceptions/?person={manager}&period=last_3_months",
            f"/exceptions/items?person={manager}&period=custom&from=2025-01-01&to=2027-12-31"]
    with app.app_context(), acting_as("test"):
        sm = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        people.assign(_home(world.home_b.id), sm)
    _history(app, world, [world.home_a.id, world.home_b.id])
    for index, role in enumerate((Role.HEAD_OF_SERVICE, Role.SERVICE_MANAGER)):
        auth.sign_in(world.users[role])
        client.get("/")  # the first look makes the person's "since you last looked" marker
        small = _counts(app, client, urls)
        auth.sign_out()
        with app.app_context(), acting_as("test"):
            sm = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
            new_ids = []
            for n in range(10):
                home = people.create_home(name=f"Home {role} {n:02d}", ofsted_urn=f"SC8{index}{n:03d}",
                                          address="1 Road", registered_places=3)
                people.assign(home, sm)
                new_ids.append(home.id)
        _history(app, world, new_ids)
        auth.sign_in(world.users[role])
        large = _counts(app, client, urls)
        auth.sign_out()
        assert large == small, role
        assert 0 < small["/exceptions/"] <= 12


# ---------------------------------------------------------------- each role's start page

def test_registered_manager_starts_with_their_homes_late_work_linked_to_its_form(app, client, world, auth):
    check = _overdue_check(app, world, world.home_a.id)
    incidents = _incidents(app, world.home_a.id, escalated=1, due_soon=1)
    _incidents(app, world.home_b.id, overdue=1)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get("/").get_data(as_text=True)
    assert "Overview" in page and "Needs doing now" in page and "Birch House" not in page
    now_table = page[page.index('id="work-now"'):page.index("Coming this week")]
    rows = [int(r) for r in re.findall(r'id="work-now-obligation-(\d+)"', now_table)]
    assert {check, *incidents} <= set(rows)
    assert rows.index(incidents[0]) < rows.index(incidents[1])  # escalated before due soon
    assert f'href="/obligations/{check}/complete"' in now_table
    assert "Escalated" in now_table and "Due soon" in now_table
    assert "Exceptions" not in _text(page[page.index("<main"):])  # no grid for home staff


def _submitted_report(app, world) -> int:
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test"):
        from tests.reg44.test_visits_support import details
        visit = reg44.record_visit(None, by=db.session.get(User, visitor.id), home=_home(world.home_a.id),
                                   details=details(TODAY - timedelta(days=2)))
        by = db.session.get(User, visitor.id)
        reg44.save_draft(visit, by=by, fields={
            "safeguarded_opinion": "yes", "safeguarded_narrative": "Staff know the procedures.",
            "wellbeing_opinion": "yes", "wellbeing_narrative": "Children are listened to.",
            "findings": "Calm."})
        reg44.submit_report(visit, by=by)
        return visit.id


def test_service_manager_work_queue_lists_reports_to_check_and_escalations(app, client, world, auth):
    visit_id = _submitted_report(app, world)
    escalated = _incidents(app, world.home_a.id, escalated=1)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get("/").get_data(as_text=True)
    queue = page[page.index('id="work-queue"'):]
    assert f'href="/reg44/visits/{visit_id}/report/check"' in queue
    assert "No action plans awaiting approval" in queue
    escalations = page[page.index('id="escalations"'):]
    assert f'id="escalations-obligation-{escalated[0]}"' in escalations
    assert page.index('id="work-queue"') < page.index('id="exceptions-grid"')
    # Once checked and sent it leaves the queue.
    with app.app_context(), acting_as("test"):
        visit = db.session.get(Reg44Visit, visit_id)
        reg44.check_and_send(visit.reports[-1], by=db.session.get(User, world.users[Role.SERVICE_MANAGER].id))
    page = client.get("/").get_data(as_text=True)
    assert "No reports waiting for your check" in page


def test_visitor_starts_with_visits_reports_and_feedback(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test"):
        from tests.reg44.test_visits_support import details
        visit = reg44.record_visit(None, by=db.session.get(User, visitor.id), home=_home(world.home_a.id),
                                   details=details(TODAY))
        visit_id = visit.id
    auth.sign_in(visitor)
    page = client.get("/").get_data(as_text=True)
    assert "Visits to make this month" in page and "Every home has had its visit this month" in page
    reports = page[page.index('id="reports-to-write"'):]
    assert f'href="/reg44/visits/{visit_id}/report"' in reports
    assert "Due soon" in reports or "Upcoming" in reports or "Overdue" in reports
    assert "No feedback waiting" in page
    assert "Birch House" not in page


def test_head_of_service_starts_with_the_grid_and_escalations(app, client, world, auth):
    _incidents(app, world.home_b.id, escalated=1)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get("/").get_data(as_text=True)
    assert 'id="exceptions-grid"' in page and "Escalated to you" in page
    assert 'id="escalations-obligation-' in page  # the urgent ladder reaches the head of service in 2 days
    assert 'id="work-queue"' not in page


# ---------------------------------------------------------------- exports

def test_csv_export_is_excel_friendly_scoped_and_neutralises_formulas(app, client, world, auth):
    mine = _incidents(app, world.home_a.id, overdue=1, label="=HYPERLINK(\"http://x\")")
    theirs = _incidents(app, world.home_b.id, overdue=1)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = client.get("/exceptions/export/obligations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "home", "ofsted_urn"]
    ids = {row[0] for row in body}
    assert str(mine[0]) in ids and str(theirs[0]) not in ids
    row = next(r for r in body if r[0] == str(mine[0]))
    record = dict(zip(header, row, strict=True))
    assert record["due_at"].endswith("+00:00") and record["due_at"][:4].isdigit() and "T" in record["due_at"]
    assert record["drift"] == "Overdue" and record["area"] == "notifications"
    assert not record["title"].startswith("=")  # "Need-to-know … — =HYPERLINK" is inside the text
    alerts_csv = client.get("/exceptions/export/alerts.csv").get_data().decode("utf-8-sig")
    alert_rows = list(csv.reader(io.StringIO(alerts_csv)))
    assert alert_rows[0][:2] == ["id", "obligation_id"]
    alerted = {r[1] for r in alert_rows[1:]}
    assert str(mine[0]) in alerted and str(theirs[0]) not in alerted
    assert client.get("/exceptions/export/alerts.csv?area=bogus").status_code == 400


def test_csv_cell_that_starts_like_a_formula_is_prefixed(app, client, world, auth):
    """A title that begins with = (a rule renamed by an administrator) is prefixed with '."""
    ids = _incidents(app, world.home_a.id, overdue=1)
    with app.app_context(), acting_as("test"):
        db.session.get(Obligation, ids[0]).title = "=1+1"
        db.session.commit()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    rows = list(csv.reader(io.StringIO(client.get("/exceptions/export/obligations.csv").get_data().decode("utf-8-sig"))))
    record = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == str(ids[0])), strict=True))
    assert record["title"] == "'=1+1"


# ---------------------------------------------------------------- monthly KPIs

def test_monthly_kpis_equal_hand_computed_values(app, client, world, auth):
    """A fixture month (October 2026) at Birch House: notifications 1 of 2 on time; one
    notification met 2 days late and one waived (not counted); one action overdue at the end
    of the month; Alder House had nothing due."""
    from datetime import UTC, datetime

    from homes_qa.core.calendar import london_day_start
    from homes_qa.exceptions import queries as exceptions_queries
    aware = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    with app.app_context(), acting_as("test"):
        home = _home(world.home_b.id)
        admin = db.session.get(User, world.users[Role.ADMIN].id)
        on_time = obligations.obligation_for_event("incident_ntk_service_manager", home, aware, key="k:1")
        late = obligations.obligation_for_event("incident_ntk_service_manager", home, aware + timedelta(days=3), key="k:2")
        waived = obligations.obligation_for_event("incident_ntk_service_manager", home, aware + timedelta(days=4), key="k:3")
        action = obligations.obligation_for_event("action_complete", home, aware, key="a:1",
                                                  target=aware.date() + timedelta(days=10))
        db.session.flush()
        obligations.discharge(on_time, met_at=on_time.due_at - timedelta(hours=2))
        obligations.discharge(late, met_at=late.due_at + timedelta(days=2))
        obligations.waive(waived, reason="Logged twice", by=admin)
        assert action.is_open
        db.session.commit()
        start, end = london_day_start(aware.date().replace(day=1)), london_day_start(aware.date().replace(month=11, day=1))
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        now = max(utcnow(), end + timedelta(days=1))
        rows = {r.name: r for r in exceptions_queries.monthly_kpis(head, now, start, end)}
    birch, alder = rows["Birch House"], rows["Alder House"]
    assert (birch.due["notifications"], birch.on_time["notifications"], birch.percent("notifications")) == (2, 1, 50)
    assert birch.percent("reg44_reports") is None and birch.actions_overdue == 1
    assert birch.average_days_late == 2.0
    assert alder.percent("notifications") is None and alder.actions_overdue == 0 and alder.average_days_late is None
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get("/exceptions/kpis?month=2026-10").get_data(as_text=True)
    row = page[page.index(f'id="kpi-home-{world.home_b.id}"'):]
    assert "50%" in _text(row[:row.index("</tr>")]) and "(1 of 2)" in _text(row[:row.index("</tr>")])
    bad = client.get("/exceptions/kpis?month=2026-13")
    assert bad.status_code == 400 and "Enter a month as year and month" in bad.get_data(as_text=True)
    assert client.get("/exceptions/kpis?month=99999-01").status_code == 400
