"""Annex A's "since the last full inspection" view: KPIs from the day after each home's last
full Ofsted inspection to today, against hand-computed values, and a clear empty state."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from homes_qa.core.calendar import london_date, london_day_start
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.incidents.models import Incident
from homes_qa.inspections.models import Inspection
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home
from homes_qa.spine.timestamps import utcnow

pytestmark = pytest.mark.usefixtures("clock")


def _cell(page: str, home_id: int, attribute: str) -> str:
    row = page[page.index(f'id="since-home-{home_id}"'):]
    row = row[:row.index("</tr>")]
    match = re.search(rf'{attribute}>(.*?)</td>', row, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match[1])).strip()


def _setup(app, world) -> None:
    now = utcnow()
    today = london_date(now)
    ended = today - timedelta(days=60)
    start = london_day_start(ended + timedelta(days=1))
    manager = world.users[Role.REGISTERED_MANAGER].id
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        db.session.add_all([
            Inspection(home_id=home.id, inspection_type="full", started_on=ended - timedelta(days=400),
                       ended_on=ended - timedelta(days=399), recorded_by_id=manager),  # an older one
            Inspection(home_id=home.id, inspection_type="full", started_on=ended - timedelta(days=1),
                       ended_on=ended, recorded_by_id=manager, overall="good"),
            # A monitoring visit since is not a full inspection: the view still counts from `ended`.
            Inspection(home_id=home.id, inspection_type="monitoring_visit", started_on=today - timedelta(days=10),
                       ended_on=today - timedelta(days=10), recorded_by_id=manager),
        ])
        # Need-to-know notifications (due 24 hours after awareness):
        before = obligations.obligation_for_event("incident_ntk_service_manager", home, start - timedelta(days=5), key="before")
        on_time = obligations.obligation_for_event("incident_ntk_service_manager", home, start + timedelta(days=10), key="ok")
        late = obligations.obligation_for_event("incident_ntk_service_manager", home, start + timedelta(days=20), key="late")
        obligations.obligation_for_event("incident_ntk_service_manager", home, now - timedelta(hours=30), key="open")
        db.session.flush()
        obligations.discharge(before, met_at=before.due_at + timedelta(days=9))  # late, but before: not counted
        obligations.discharge(on_time, met_at=on_time.due_at - timedelta(hours=1))
        obligations.discharge(late, met_at=late.due_at + timedelta(days=2))

        def event(type_code: str, at, children: str = "") -> Incident:
            return Incident(home_id=home.id, type_code=type_code, occurred_at=at, aware_at=at, children=children,
                            what_happened="Recorded for the test", action_taken="None", recorded_by_id=manager)
        db.session.add_all([
            event("complaint", start - timedelta(hours=1)),  # the day the inspection ended: not counted
            event("complaint", start + timedelta(hours=1)),
            event("restraint", start + timedelta(days=3), "AB, CD"),
            event("restraint", start + timedelta(days=4), "ab"),
            event("missing", now - timedelta(days=2)),
            event("lado_allegation", now - timedelta(days=1)),
        ])
        db.session.commit()


def test_kpis_since_the_last_full_inspection_equal_hand_computed_values(app, client, world, auth):
    _setup(app, world)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    assert 'href="/exceptions/kpis/since-inspection"' in client.get("/exceptions/kpis").get_data(as_text=True)
    response = client.get("/exceptions/kpis/since-inspection")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    a = world.home_a.id
    # Due since: on time, late, open and overdue -> 1 of 3 on time.
    assert _cell(page, a, 'data-group="notifications"') == "33% (1 of 3)"
    assert _cell(page, a, 'data-measure="average_days_late"') == "2.0"  # the one met 2 days late
    assert _cell(page, a, 'data-measure="complaints"') == "1"
    assert _cell(page, a, 'data-measure="restraint_incidents"') == "2 (2)"  # AB, CD; "ab" is AB again
    assert _cell(page, a, 'data-measure="missing_episodes"') == "1"
    assert _cell(page, a, 'data-measure="safeguarding_concerns"') == "1"
    ended = london_date(utcnow()) - timedelta(days=60)
    row = page[page.index(f'id="since-home-{a}"'):]
    assert f"{(ended + timedelta(days=1)).day} " in row[:row.index("</td>", row.index("<td"))]
    # Birch House has no full inspection: said plainly, with where to record one.
    assert 'id="never-inspected"' in page and f'id="since-home-{world.home_b.id}"' not in page
    assert f'href="/homes/{world.home_b.id}/inspections"' in page


def test_scope_and_empty_state_for_a_manager_with_no_inspection(app, client, world, auth):
    auth.sign_in(world.manager_b)
    page = client.get("/exceptions/kpis/since-inspection").get_data(as_text=True)
    assert "No full inspection recorded" in page and "Birch House" in page and "Alder House" not in page
    assert 'id="since-inspection"' not in page
    auth.sign_out()
    auth.sign_in(world.users[Role.REG44_VISITOR])
    assert client.get("/exceptions/kpis/since-inspection").status_code in (403, 404)
