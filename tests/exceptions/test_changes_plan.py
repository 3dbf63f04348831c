"""What changed since you last looked is read from indexes led by what bounds it (migration 0030):
for anyone who sees some homes, each home's alerts and met obligations in the window; for
someone who sees every home, the window of each source, latest first. Read by the window alone,
a registered manager's first page at 1,000 homes read every alert of the estate raised in the
week (15 ms of SQL); an IN of every home walked each home's audits and events (issue 13)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.extensions import db
from homes_qa.spine.access import VIEWER

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _changes_plan(role: str) -> list[str]:
    """The query plan of the statement as run (its SQL and values taken from the cursor)."""
    db.session.execute(text("ANALYZE"))
    ran: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        ran.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        db.session.execute(queries._changes_statement(role, True), {
            VIEWER: 1, "start": NOW - timedelta(days=7), queries.NOW: NOW,
            "readable": ["health_safety"], "limit": 10, "counted": 1001}).all()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    (statement, parameters), = ran
    return [row[3] for row in db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]


def _reading(plan: list[str], table: str) -> list[str]:
    """The steps that read `table` through an index of its own (not by its key, from a join)."""
    return [step for step in plan if f" {table} USING" in f" {step}" and "PRIMARY KEY" not in step]


@pytest.mark.parametrize("role", [Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HOME_STAFF])
def test_someone_with_some_homes_reads_their_homes_alerts_and_what_was_met(app, role):
    with app.app_context():
        plan = _changes_plan(role)
    alerts, met = _reading(plan, "alerts"), _reading(plan, "obligations")
    assert alerts and all("ix_alerts_home_raised (home_id=? AND raised_at>?" in step for step in alerts), plan
    assert met and all("ix_obligations_home_met (home_id=? AND status=? AND met_at>?" in step for step in met), plan


@pytest.mark.parametrize("role", [Role.HEAD_OF_SERVICE, Role.ADMIN])
def test_someone_who_sees_every_home_reads_each_window_latest_first(app, role):
    with app.app_context():
        plan = _changes_plan(role)
    assert all("ix_alerts_raised_at (raised_at>?" in step for step in _reading(plan, "alerts")), plan
    assert all("ix_obligations_met (status=? AND met_at>?" in step for step in _reading(plan, "obligations")), plan
    assert all("ix_home_audits_submitted_at" in step for step in _reading(plan, "home_audits")), plan
    assert all("ix_incidents_created_at" in step for step in _reading(plan, "incidents")), plan
    assert not [step for step in plan if "IN-OPERATOR" in step], plan  # no walk of every home
    # Each source's latest are read in its index's order: the only sorts are of the few kept
    # (the latest of each source, then the page), not of every change in the window.
    assert len([step for step in plan if "TEMP B-TREE" in step]) <= 2, plan
