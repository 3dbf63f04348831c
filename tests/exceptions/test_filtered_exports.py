"""The obligations and alerts exports reached from a filtered grid or items page carry the
page's person and period filters in their link (a shareable URL) and apply them, so the file
holds what the page lists; a bad filter is 400 and someone else's person 404, as on the page."""
from __future__ import annotations

import csv
import io
import re

import pytest

from homes_qa.core.roles import Role
from tests.exceptions.test_exceptions import _incidents
from tests.exceptions.test_grid_filters import _due_day

pytestmark = pytest.mark.usefixtures("clock")


def _rows(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _export_link(page: str, name: str) -> str:
    return re.search(rf'href="(/exceptions/export/{name}\.csv[^"]*)"', page)[1].replace("&amp;", "&")


def test_grid_exports_carry_and_apply_the_period_filter(app, client, world, auth):
    escalated, overdue = _incidents(app, world.home_a.id, escalated=1, overdue=1)
    early, late = _due_day(app, escalated), _due_day(app, overdue)
    assert early < late
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get(f"/exceptions/?period=custom&from={early.isoformat()}&to={early.isoformat()}")
    page = page.get_data(as_text=True)
    link = _export_link(page, "obligations")
    assert "period=custom" in link and f"from={early.isoformat()}" in link and f"to={early.isoformat()}" in link
    ids = {int(r["id"]) for r in _rows(client, link)}
    assert escalated in ids and overdue not in ids
    alerts = _rows(client, _export_link(page, "alerts"))
    assert alerts and {int(r["obligation_id"]) for r in alerts} == {escalated}
    # Unfiltered, both are in the file.
    everything = {int(r["id"]) for r in _rows(client, "/exceptions/export/obligations.csv")}
    assert {escalated, overdue} <= everything
    # A period with nothing due: an empty register (the header only).
    assert _rows(client, "/exceptions/export/obligations.csv?period=custom&from=2001-01-01&to=2001-12-31") == []


def test_items_exports_carry_and_apply_the_person_filter(app, client, world, auth):
    in_a = _incidents(app, world.home_a.id, overdue=2, prefix="a")
    in_b = _incidents(app, world.home_b.id, overdue=1, prefix="b")
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get(f"/exceptions/items?area=notifications&person={world.manager_b.id}").get_data(as_text=True)
    link = _export_link(page, "obligations")
    assert f"person={world.manager_b.id}" in link and "area=notifications" in link
    rows = _rows(client, link)
    ids = {int(r["id"]) for r in rows}
    assert set(in_b) <= ids and not set(in_a) & ids
    assert {r["home"] for r in rows} == {"Birch House"}
    alert_ids = {int(r["obligation_id"]) for r in _rows(client, _export_link(page, "alerts"))}
    assert alert_ids == set(in_b)
    # The person filter on its own, as a shared link, without the page.
    shared = {int(r["id"]) for r in _rows(client, f"/exceptions/export/alerts.csv?person={world.manager_b.id}")}
    assert not set(in_a) & shared


def test_export_filters_are_checked_like_the_pages(app, client, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])  # Alder House only
    for name in ("obligations", "alerts"):
        assert client.get(f"/exceptions/export/{name}.csv?person={world.manager_b.id}").status_code == 404
        assert client.get(f"/exceptions/export/{name}.csv?person=abc").status_code == 400
        assert client.get(f"/exceptions/export/{name}.csv?period=forever").status_code == 400
        assert client.get(f"/exceptions/export/{name}.csv?period=custom&from=2026-13-01&to=x").status_code == 400


def test_register_exports_carry_the_home_and_period_and_apply_them_to_when_it_happened(app, client, world, auth):
    from datetime import timedelta

    from homes_qa.core.calendar import london_day_start
    from homes_qa.extensions import db
    from homes_qa.incidents.models import Incident, IncidentNotification
    from homes_qa.reg44.models import Reg44Visit
    from homes_qa.spine.audit.models import acting_as
    from tests import clock as test_clock

    today = test_clock.TODAY
    inside_day, outside_day = today - timedelta(days=40), today - timedelta(days=400)
    made: dict[str, int] = {}
    with app.app_context(), acting_as("test"):
        manager = world.users[Role.REGISTERED_MANAGER].id
        visitor = world.users[Role.REG44_VISITOR].id
        for name, day in (("inside", inside_day), ("outside", outside_day)):
            at = london_day_start(day) + timedelta(hours=12)
            incident = Incident(home_id=world.home_a.id, type_code="complaint", occurred_at=at, aware_at=at,
                                what_happened=f"Complaint {name}", action_taken="Replied", recorded_by_id=manager)
            visit = Reg44Visit(home_id=world.home_a.id, visitor_id=visitor, status="recorded", visited_on=day)
            db.session.add_all([incident, visit])
            db.session.flush()
            db.session.add(IncidentNotification(incident_id=incident.id, home_id=world.home_a.id,
                                                rule_code="incident_ntk_service_manager", recipient="SM",
                                                notified_at=at + timedelta(hours=1), method="email",
                                                recorded_by_id=manager))
            made[f"incident-{name}"], made[f"visit-{name}"] = incident.id, visit.id
        db.session.commit()
    start, end = inside_day - timedelta(days=1), inside_day + timedelta(days=1)
    period = f"period=custom&from={start.isoformat()}&to={end.isoformat()}"
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    page = client.get(f"/exceptions/?home={world.home_a.id}&{period}").get_data(as_text=True)
    incidents_link = _export_link(page, "incidents")
    assert f"home={world.home_a.id}" in incidents_link and f"from={start.isoformat()}" in incidents_link
    assert {int(r["incident_id"]) for r in _rows(client, incidents_link)} == {made["incident-inside"]}
    notified = _rows(client, _export_link(page, "notifications"))
    assert [int(r["incident_id"]) for r in notified] == [made["incident-inside"]]
    visits = {int(r["visit_id"]) for r in _rows(client, _export_link(page, "reg44-visits"))}
    assert made["visit-inside"] in visits and made["visit-outside"] not in visits
    assert _export_link(page, "audits").count("period=custom") == 1
    # Without the period, both; a bad period is 400.
    both = {int(r["incident_id"]) for r in _rows(client, "/exceptions/export/incidents.csv")}
    assert {made["incident-inside"], made["incident-outside"]} <= both
    assert client.get("/exceptions/export/incidents.csv?period=custom&from=2026-02-30&to=").status_code == 400
