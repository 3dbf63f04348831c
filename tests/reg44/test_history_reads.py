"""The Reg 44 pages' reads of a home's (or a visitor's) history (issue 13): statements built once
and run with each request's person and month, the columns shown rather than whole visits and
reports, and the questions "which reports are still to write?", "which is the latest visit, the
latest report?" answered from ranges of the (home or visitor, status, day) indexes of migration
0029 rather than by reading every visit and report of the history from the table."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import event
from test_visits_support import plan, record, submit, today

from homes_qa.actionplans import queries as action_plans
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44 import queries
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow

pytestmark = pytest.mark.usefixtures("clock")


def _submit(app, visit_id: int, visitor_id: int, **opinions) -> None:
    """Submit a report that also says how the previous visit's recommendations went."""
    with app.app_context():
        reg44.save_draft(db.session.get(Reg44Visit, visit_id), by=db.session.get(User, visitor_id),
                         fields={"previous_progress": "The rota has been reviewed."})
    submit(app, visit_id, visitor_id, **opinions)


@pytest.fixture
def history(app, world):
    """Home A: two visits on one day two months back (the later one "with concerns"), one on the
    last day of last month whose report was corrected (version 2 says "no"), one today not yet
    reported on, a plan next week; and a visit today by the home B visitor (also assigned to
    home A), its report in draft. Dated by the month, not by a number of days, so the months
    are the same whatever today is (the suite runs on any date, the last of a month included)."""
    visitor = world.users[Role.REG44_VISITOR].id
    home = world.home_a.id
    last_month_end = today().replace(day=1) - timedelta(days=1)
    two_months_back = last_month_end.replace(day=1) - timedelta(days=10)
    earlier = record(app, visitor, two_months_back, home_id=home)
    submit(app, earlier, visitor)
    same_day = record(app, visitor, two_months_back, home_id=home)
    _submit(app, same_day, visitor, safeguarded="with_concerns")
    corrected = record(app, visitor, last_month_end, home_id=home)
    _submit(app, corrected, visitor)
    with app.app_context():
        visit, by = db.session.get(Reg44Visit, corrected), db.session.get(User, visitor)
        reg44.start_correction(visit, by=by, reason="The date of the fire drill was wrong")
        reg44.save_draft(visit, by=by, fields={"safeguarded_opinion": "no"})
        reg44.submit_report(visit, by=by)
    made_today = record(app, visitor, today(), home_id=home)
    with app.app_context(), acting_as("test setup"):
        people.assign(db.session.get(Home, home), db.session.get(User, world.visitor_b.id))
        db.session.commit()
    others = record(app, world.visitor_b.id, today(), home_id=home)
    with app.app_context():  # a draft is not a submitted report: still to write
        reg44.save_draft(db.session.get(Reg44Visit, others), by=db.session.get(User, world.visitor_b.id),
                         fields={"findings": "Begun."})
    planned = plan(app, home, visitor, today() + timedelta(days=7))
    return {"earlier": earlier, "same_day": same_day, "corrected": corrected, "made_today": made_today,
            "planned": planned, "others": others}


def _summary(user_id: int, home_id: int, now) -> queries.HomeMonth:
    user, home = db.session.get(User, user_id), db.session.get(Home, home_id)
    return queries.home_summaries(user, [home], now)[0]


def test_the_latest_visit_and_report_are_the_newest_of_the_history(app, world, history):
    with app.app_context():
        month = _summary(world.users[Role.SERVICE_MANAGER].id, world.home_a.id, utcnow())
        assert month.last_visit is not None and month.last_visit.id == history["others"]  # today, the later made
        # The most recent visit with a submitted report, its newest version (the correction).
        assert month.latest_report is not None
        assert (month.latest_report.visit_id, month.latest_report.safeguarded_opinion) == (history["corrected"], "no")
        assert month.has_concerns
        assert [v.id for v in month.recorded] == [history["made_today"], history["others"]]
        assert [v.id for v in month.planned] == [history["planned"]]
        assert [v.id for v in month.reports_to_write] == [history["made_today"], history["others"]]
        assert set(month.report_deadlines) == {history["made_today"], history["others"]}
        # Home staff never see a report's opinions (they do not see Reg 44 reports).
        staff = _summary(world.users[Role.HOME_STAFF].id, world.home_a.id, utcnow())
        assert staff.latest_report is None and staff.last_visit == month.last_visit


def test_the_kept_month_statement_answers_for_the_person_and_the_month_it_is_run_with(app, world, history):
    now = utcnow()
    with app.app_context():
        mine = _summary(world.users[Role.REG44_VISITOR].id, world.home_a.id, now)
        theirs = _summary(world.visitor_b.id, world.home_a.id, now)
        # A visitor's reports to write are their own; both see the month's visits.
        assert [v.id for v in mine.reports_to_write] == [history["made_today"]]
        assert [v.id for v in theirs.reports_to_write] == [history["others"]]
        assert [v.id for v in mine.recorded] == [v.id for v in theirs.recorded] == [history["made_today"],
                                                                                   history["others"]]
        # A month later the visits of today are last month's, their reports still to write.
        later = _summary(world.users[Role.REG44_VISITOR].id, world.home_a.id, now + timedelta(days=31))
        assert later.recorded == [] and [v.id for v in later.reports_to_write] == [history["made_today"]]
        # Last month (the corrected visit was then that month's) the same statement says so.
        last_month = datetime.combine(today().replace(day=1) - timedelta(days=1), time(12), tzinfo=UTC)
        before = _summary(world.users[Role.SERVICE_MANAGER].id, world.home_a.id, last_month)
        assert [v.id for v in before.recorded] == [history["corrected"]]


def test_the_workload_counts_each_visit_for_what_it_is(app, world, history):
    now = utcnow()
    with app.app_context():
        visitor = db.session.get(User, world.users[Role.REG44_VISITOR].id)
        row = queries.visitor_workload(visitor, now)
        assert row is not None
        assert (row.visits_this_month, row.planned_this_month, row.reports_outstanding, row.reports_overdue) == (
            1, 0 if (today() + timedelta(days=7)).month != today().month else 1, 1, 0)
        assert [h.id for h in row.visited_this_month] == [world.home_a.id]
        late = queries.visitor_workload(visitor, now + timedelta(days=31))
        assert late is not None and (late.visits_this_month, late.reports_outstanding, late.reports_overdue) == (0, 1, 1)


def test_the_register_and_the_action_plans_read_the_latest_version(app, world, history):
    with app.app_context():
        home = db.session.get(Home, world.home_a.id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        visits = {rv.visit.id: rv for month in queries.register(home, manager, utcnow()) for rv in month.visits}
        assert visits[history["corrected"]].report_status == "Submitted (version 2)"
        assert visits[history["corrected"]].report.safeguarded_opinion == "no"
        assert visits[history["made_today"]].report_status == "Not started" and visits[history["made_today"]].report is None
        assert visits[history["same_day"]].report.safeguarded_opinion == "with_concerns"
        planned = queries.planned_visits_seen_by(manager, home)
        assert [(p.id, p.visitor_name) for p in planned] == [(history["planned"], world.users[Role.REG44_VISITOR].name)]
        rows = action_plans.plans_for_home(home.id)
        assert [(r.visit_id, r.version, r.recommendations, r.plan_status) for r in rows] == [
            (history["corrected"], 2, 1, None), (history["same_day"], 1, 1, None), (history["earlier"], 1, 1, None)]


# ---------------------------------------------------------------- the plans
# (Without ANALYZE, as on a new estate: SQLite then takes every table to be large.)

def _plan(statement, bound: dict[str, object]) -> list[str]:
    """EXPLAIN QUERY PLAN of a kept statement as it is run with these values."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, sql, parameters, context, executemany):
        seen.append((sql, parameters))
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.execute(statement, bound).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    sql, parameters = seen[-1]
    return [row[3] for row in db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)]


def _uses(plan: list[str], index: str, *, covering: bool = False) -> bool:
    return any(f"{'COVERING ' if covering else ''}INDEX {index} " in f"{step} " for step in plan)


def test_reports_to_write_and_the_latest_are_ranges_of_the_indexes(app, history):
    with app.app_context():
        month = _plan(queries._month_visits(Role.SERVICE_MANAGER),
                      {"viewer_id": 1, "home_ids": [1, 2], "start": today(), "end": today()})
        positions = _plan(queries._home_positions(), {"home_ids": [1, 2]})
        for plan in (month, positions):
            assert not [step for step in plan if step.startswith("SCAN reg44_")], plan
            assert _uses(plan, "ix_reg44_visits_home_status_day"), plan
            # Whether a visit has a submitted report is asked of the index alone.
            assert _uses(plan, "ix_reg44_reports_visit_status", covering=True), plan


def test_the_workload_reads_the_visitors_ranges_not_every_visit(app, history):
    with app.app_context():
        plan = _plan(queries._workload_visits(), {"visitor_ids": [1, 2, 3], "start": today(), "end": today()})
        assert not [step for step in plan if step.startswith("SCAN reg44_")], plan
        # The month's visits made and planned: ranges of the visitors' index.
        made_and_planned = [s for s in plan if "ix_reg44_visits_visitor_status_day" in s]
        assert len(made_and_planned) >= 2 and all("COVERING INDEX" in s for s in made_and_planned), plan
        # The reports to write: only in homes with fewer first versions submitted than visits recorded.
        assert _uses(plan, "ix_reg44_reports_home_status_version", covering=True), plan
        assert _uses(plan, "ix_reg44_reports_visit_status", covering=True), plan
