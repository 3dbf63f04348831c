"""Monthly KPIs entered per home (Ofsted Annex A measures) beside what the incident log counts,
missed deadlines in a row, and the trends across homes (issue 11)."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.exceptions import queries as kpi_queries
from homes_qa.exceptions import service as kpi_service
from homes_qa.exceptions.models import MonthlyKpi
from homes_qa.extensions import db
from homes_qa.incidents.models import Incident
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.people.models import Home, User

pytestmark = pytest.mark.usefixtures("clock")

OCTOBER = "2026-10"
ENTERED = {"children_resident": "3", "admissions": "1", "leavers": "1", "average_placement_days": "200",
           "staff_at_start": "12", "staff_leavers": "3", "compliments": "4", "complaints": "1",
           "safeguarding_concerns": "2", "restraint_incidents": "2", "restraint_children": "3",
           "missing_episodes": "2"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, row_id: str) -> str:
    part = html[html.index(f'id="{row_id}"'):]
    return _text(part[part.index(">") + 1:part.index("</tr>")])


def _incidents(app, world):
    """October 2026 at Alder House, by when each happened (London time): three restraints
    (children AB; ab, CD; EF — three different children; the last at 00:30 BST on 1 October,
    23:30 UTC on 30 September), two missing episodes, one complaint, two safeguarding concerns
    (a LADO allegation and a child protection enquiry); a need-to-know (not a measure), a
    restraint at 00:30 on 1 November and one at Birch House, none of which count."""
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    rows = [(world.home_a, "restraint", "2026-10-03T10:00", "AB"), (world.home_a, "restraint", "2026-10-10T10:00", "ab, CD"),
            (world.home_a, "restraint", "2026-09-30T23:30", "EF"), (world.home_a, "missing", "2026-10-04T20:00", "AB"),
            (world.home_a, "missing", "2026-10-20T20:00", "AB"), (world.home_a, "complaint", "2026-10-05T09:00", ""),
            (world.home_a, "lado_allegation", "2026-10-06T09:00", ""),
            (world.home_a, "reg40_child_protection", "2026-10-07T09:00", "CD"),
            (world.home_a, "need_to_know", "2026-10-08T09:00", ""),
            (world.home_a, "restraint", "2026-11-01T00:30", "GH"), (world.home_b, "restraint", "2026-10-03T10:00", "ZZ")]
    with app.app_context(), acting_as("test"):
        manager = world.users[Role.REGISTERED_MANAGER].id
        for home, type_code, when, children in rows:
            db.session.add(Incident(home_id=home.id, type_code=type_code, occurred_at=at(when), aware_at=at(when),
                                    children=children, what_happened="Recorded", action_taken="Recorded",
                                    recorded_by_id=manager))
        db.session.commit()


def test_entered_kpis_beside_the_incident_log_with_hand_computed_values(app, client, world, auth):
    _incidents(app, world)
    with app.app_context():
        derived = kpi_queries.derived_measures(
            [world.home_a.id, world.home_b.id], datetime(2026, 9, 30, 23, 0, tzinfo=UTC),
            datetime(2026, 11, 1, 0, 0, tzinfo=UTC))
    assert derived[world.home_a.id] == {"complaints": 1, "safeguarding_concerns": 2, "restraint_incidents": 3,
                                        "restraint_children": 3, "missing_episodes": 2}
    assert derived[world.home_b.id]["restraint_incidents"] == 1
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    url = f"/exceptions/kpis/{world.home_a.id}/{OCTOBER}"
    page = client.get(url).get_data(as_text=True)
    assert "Incident log: 3 (restraints recorded under Incidents)" in page
    assert "Not entered yet" in page
    response = auth.post(url, data=ENTERED)
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Occupancy 75% of registered places. Staff retention: 75%." in _text(page)
    assert _row(page, "compare-restraint_incidents") == " Restraint incidents 2 3 Differs "
    assert _row(page, "compare-restraint_children") == " Children involved in restraint 3 3 Matches "
    assert _row(page, "compare-missing_episodes").strip().endswith("2 2 Matches")
    assert _row(page, "compare-safeguarding_concerns").strip().endswith("2 2 Matches")
    with app.app_context():
        entry = db.session.scalar(select(MonthlyKpi).where(MonthlyKpi.home_id == world.home_a.id))
        assert (entry.month, entry.staff_at_start, entry.average_placement_days) == (date(2026, 10, 1), 12, 200)
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.record_type.in_(("monthly_kpis", "MonthlyKpi")))) is not None
    # Correcting the month changes the one entry.
    assert auth.post(url, data={**ENTERED, "restraint_incidents": "3"}).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(MonthlyKpi.restraint_incidents)).all() == [3]
    # The month's page lists what was entered, per home, with a link to change it.
    overview = client.get(f"/exceptions/kpis?month={OCTOBER}").get_data(as_text=True)
    assert _row(overview, f"entered-home-{world.home_a.id}").startswith(" Alder House 3 1 1 200 12 3 4 1 2 3 3 2 Change")
    assert f"entered-home-{world.home_b.id}" not in overview  # the manager sees only their home


@pytest.mark.parametrize(("field", "value", "message"), [
    ("children_resident", "5", "Children living at the home must be no more than its 4 registered places"),
    ("compliments", "1000", "Compliments must be between 0 and 999"),
    ("compliments", "-1", "Compliments must be between 0 and 999"),
    ("missing_episodes", "two", "Missing episodes must be a whole number, like 2"),
    ("admissions", "", "Enter the number of admissions"),
    ("staff_leavers", "13", "Staff who left must be no more than the staff in post at the start"),
    ("average_placement_days", "99999999999999999999", "Average placement length of leavers, in days must be between 0 and 9999"),
])
def test_out_of_range_numbers_are_refused_by_their_field(app, client, world, auth, field, value, message):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    response = auth.post(f"/exceptions/kpis/{world.home_a.id}/{OCTOBER}", data={**ENTERED, field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # the form again, as every form here (tests/spine/test_access.py)
    assert "There is a problem" in page and f'href="#{field}"' in page and message in page
    with app.app_context():
        assert db.session.scalar(select(MonthlyKpi.id)) is None


def test_restraint_children_without_a_restraint_and_leavers_rules(app, world):
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        user = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        values = {k: int(v) for k, v in ENTERED.items()}
        with pytest.raises(kpi_service.ServiceError) as refused:
            kpi_service.record_monthly_kpis(home, date(2026, 10, 1), {**values, "restraint_incidents": 0},
                                            by=user, today=date(2026, 11, 4))
        assert refused.value.field == "restraint_children"
        with pytest.raises(kpi_service.ServiceError) as refused:
            kpi_service.record_monthly_kpis(home, date(2026, 10, 1), {**values, "leavers": 0},
                                            by=user, today=date(2026, 11, 4))
        assert refused.value.field == "average_placement_days"
        with pytest.raises(kpi_service.ServiceError):
            kpi_service.record_monthly_kpis(home, date(2026, 12, 1), values, by=user, today=date(2026, 11, 4))


def test_another_homes_month_is_404_and_bad_months_too(client, world, auth):
    auth.sign_in(world.manager_b)
    assert client.get(f"/exceptions/kpis/{world.home_a.id}/{OCTOBER}").status_code == 404
    assert auth.post(f"/exceptions/kpis/{world.home_a.id}/{OCTOBER}", data=ENTERED).status_code == 404
    assert client.get(f"/exceptions/kpis/{world.home_b.id}/{OCTOBER}").status_code == 200
    for month in ("2026-13", "1999-01", "2101-01", "october", "2099-01"):  # 2099: not begun
        assert client.get(f"/exceptions/kpis/{world.home_b.id}/{month}").status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.HOME_STAFF])
    assert client.get(f"/exceptions/kpis/{world.home_a.id}/{OCTOBER}").status_code in (403, 404)


def test_missed_deadlines_in_a_row(app, client, world, auth):
    """Alder House: need-to-know notifications in September and October, the first on time,
    the next two late, so two missed in a row at the end of October; Birch House none."""
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        aware = datetime(2026, 9, 20, 9, 0, tzinfo=UTC)
        made = [obligations.obligation_for_event("incident_ntk_service_manager", home, aware + timedelta(days=n * 10), key=f"m:{n}")
                for n in range(3)]
        db.session.flush()
        obligations.discharge(made[0], met_at=made[0].due_at - timedelta(hours=1))
        obligations.discharge(made[1], met_at=made[1].due_at + timedelta(hours=5))
        obligations.discharge(made[2], met_at=made[2].due_at + timedelta(days=1))
        db.session.commit()
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        misses = kpi_queries.consecutive_misses(head, datetime(2026, 11, 20, tzinfo=UTC),
                                                datetime(2026, 11, 1, tzinfo=UTC))
        # By the end of September only the first (met on time) had fallen due: none missed in a row.
        september = kpi_queries.consecutive_misses(head, datetime(2026, 11, 20, tzinfo=UTC),
                                                   datetime(2026, 10, 1, tzinfo=UTC))
    assert misses[world.home_a.id].count == 2 and world.home_b.id not in misses
    assert world.home_a.id not in september
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get(f"/exceptions/kpis?month={OCTOBER}").get_data(as_text=True)
    assert _row(page, f"kpi-home-{world.home_a.id}").strip().endswith(f"2 ({misses[world.home_a.id].rule_title})")


def test_trends_chart_and_table_across_homes(app, client, world, auth):
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        user = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        values = {k: int(v) for k, v in ENTERED.items()}
        kpi_service.record_monthly_kpis(home, date(2026, 9, 1), {**values, "restraint_incidents": 1},
                                        by=user, today=date(2026, 11, 4))
        kpi_service.record_monthly_kpis(home, date(2026, 10, 1), values, by=user, today=date(2026, 11, 4))
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    response = client.get(f"/exceptions/kpis/trends?measure=restraint_incidents&month={OCTOBER}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # 12 months Nov 2025 – Oct 2026 across 560 px inside 20 px padding; top 2 at y 20, 1 at y 120.
    assert f'd="M529.1 120 L580 20" fill="none" stroke="#1d70b8" stroke-width="3" data-home="{world.home_a.id}"' in page
    assert f'data-home="{world.home_b.id}"' not in page  # nothing entered: no line
    table = page[page.index('id="kpi-trend-table"'):]
    assert "Alder House" in table and "Birch House" in table
    oct_row = table[table.index("Oct 2026"):]
    assert _text(oct_row[:oct_row.index("</tr>")]).split() == ["Oct", "2026", "2", "Not", "entered"]
    bad = client.get("/exceptions/kpis/trends?measure=nonsense&month=2026-13")
    assert bad.status_code == 400
    assert "Choose a measure from the list" in bad.get_data(as_text=True)
    assert "Enter a month as year and month" in bad.get_data(as_text=True)
