"""The exceptions queries on PostgreSQL: the grid's GROUP BY, the item lists and my work."""
from datetime import UTC, datetime, timedelta

from homes_qa.exceptions import queries
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.service import obligation_for_event


def test_grid_items_and_work_on_postgres(pg_world):
    now = datetime.now(UTC)
    with acting_as("test"):
        for n, age in enumerate((timedelta(days=10), timedelta(hours=26), timedelta(hours=1))):
            obligation_for_event("incident_ntk_service_manager", pg_world.birch, now - age, key=f"incident:{n}")
        db.session.commit()
    alerts.sweep(now)
    grid = queries.grid(pg_world.head, now)
    birch = next(row for row in grid.rows if row.name == "Birch House")
    cell = birch.cells["notifications"]
    assert (cell.escalated, cell.overdue, cell.due_soon) == (1, 1, 1)
    assert grid.rows[0].name == "Birch House"  # escalated first
    listed = queries.items(pg_world.head, now, home=pg_world.birch.id, area="notifications")
    assert [item.status for item in listed] == ["escalated", "overdue", "due_soon"]
    assert queries.my_work(pg_world.head, now).escalations
    assert list(queries.obligation_rows(pg_world.head, now, home=pg_world.birch.id))


def test_changes_since_one_union_on_postgres(pg_world):
    """What changed since you last looked: every source in one UNION ALL with its total."""
    now = datetime.now(UTC)
    with acting_as("test"):
        for n in range(3):
            obligation_for_event("incident_ntk_service_manager", pg_world.birch, now - timedelta(days=3),
                                 key=f"changes:{n}")
        db.session.commit()
    alerts.sweep(now)
    changes = queries.changes_since(pg_world.head, now - timedelta(days=7), now + timedelta(minutes=1), limit=2)
    assert changes.total >= 3 and len(changes.items) == 2
    assert all(change.kind in ("Overdue", "Escalated", "Due soon") for change in changes.items)
    assert changes.items[0].at >= changes.items[1].at
    capped = queries.changes_since(pg_world.head, now - timedelta(days=7), now + timedelta(minutes=1), limit=1,
                                   counted=2)  # counted up to two, one listed: "more than one" more
    assert (capped.total, capped.more_than, capped.items) == (3, 1, changes.items[:1])


def test_kept_open_work_counts_on_postgres(pg_world):
    """Each home's open work counted after a sweep, read back and brought up to a later look, on
    PostgreSQL: the same grid as counting every open obligation at the look."""
    from sqlalchemy import delete, update

    from homes_qa.exceptions.service import count_open_work
    from homes_qa.spine.obligations.models import HomeOpenWork

    now = datetime.now(UTC)
    with acting_as("test"):
        for n, age in enumerate((timedelta(days=10), timedelta(hours=23, minutes=40), timedelta(hours=1))):
            obligation_for_event("incident_ntk_service_manager", pg_world.birch, now - age, key=f"kept:{n}")
        db.session.commit()
    alerts.sweep(now)
    count_open_work(now)
    later = now + timedelta(minutes=30)  # the second notification falls overdue meanwhile

    def totals(grid):
        return {row.name: (row.total.escalated, row.total.overdue, row.total.due_soon) for row in grid.rows}

    kept = totals(queries.grid(pg_world.head, later))
    assert queries.grid(pg_world.head, later).rows[0].name == "Birch House"  # escalated first
    # The ranking reads the kept counts (the cells are counted for the page's homes): a wrong
    # kept count for Alder House ranks it first, until the count is done again.
    db.session.execute(update(HomeOpenWork).where(HomeOpenWork.home_key == pg_world.alder.id).values(escalated=5))
    db.session.commit()
    assert queries.grid(pg_world.head, later).rows[0].name == "Alder House"
    db.session.execute(delete(HomeOpenWork))
    db.session.commit()
    counted = totals(queries.grid(pg_world.head, later))
    # escalated; overdue meanwhile; due soon: the third notification and Birch's monthly check
    assert kept == counted and counted["Birch House"] == (1, 1, 2)


def test_whole_service_work_a_page_at_a_time_on_postgres(pg_app, pg_world):
    """`what_is_due_page` reads each ladder as its stored text (CAST(json AS TEXT)) and classifies
    each distinct timing once: on PostgreSQL too, the same rows and states as `what_is_due`."""
    from homes_qa.spine.obligations.models import Obligation, ObligationStatus
    from homes_qa.spine.obligations.queries import what_is_due, what_is_due_page
    from homes_qa.spine.rules.models import Rule
    from homes_qa.spine.rules.service import sync_catalogue
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    with acting_as("test"):
        sync_catalogue()
        rule = db.session.scalars(db.select(Rule).where(Rule.code == "safeguarding_monitoring_weekly")).one()
        for n in range(30):
            db.session.add(Obligation(
                rule_id=rule.id, rule_code=rule.code, home_id=None, scope_key=f"manager:{n}", period_key="pg",
                title=f"Weekly update {n:02d}", due_at=now + timedelta(days=n // 3 - 5), responsible_role=rule.responsible_role,
                ladder=list(rule.ladder), due_soon_days=2, status=ObligationStatus.OPEN))
        db.session.commit()
    whole = [(row.obligation.id, row.state) for row in what_is_due(None, now, pg_world.head).open]
    with pg_app.test_request_context("/organisation/?page=2"):
        due, page = what_is_due_page(None, now, pg_world.head)
    assert page.total == len(whole) == 30 and [(row.obligation.id, row.state) for row in due.open] == whole[25:]
