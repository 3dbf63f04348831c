"""The Reg 44 pages' reads on PostgreSQL: the month's visits as one UNION ALL, each home's latest
visit and report by a correlated LIMIT 1, the workload's three ranges, the register's versions
and the action plans' latest version (issue 13: statements built once, the columns shown)."""
from datetime import UTC, datetime, timedelta

from homes_qa.actionplans import queries as action_plans
from homes_qa.core.calendar import london_date
from homes_qa.extensions import db
from homes_qa.reg44 import queries
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Reg44Visit


def _details(day):
    return reg44.VisitDetails(visited_on=day, arrived_at="00:00", left_at="00:01", announced=True, spoke_children=1,
                              spoke_staff=1, spoke_roles="deputy manager", records_inspected="Daily logs")


def _submit(visit, by, *, opinion: str) -> None:
    reg44.save_draft(visit, by=by, fields={
        "safeguarded_opinion": opinion, "safeguarded_narrative": "Staff know the procedures.",
        "wellbeing_opinion": "yes", "wellbeing_narrative": "Children are listened to.",
        "findings": "Calm.", "previous_progress": "Reviewed."})
    reg44.add_recommendation(visit, by=by, text="Review the rota", consider_within_days=28)
    reg44.submit_report(visit, by=by)


def test_reg44_history_reads_on_postgres(pg_world):
    now = datetime.now(UTC)
    today = london_date(now)
    visitor, birch = pg_world.visitor, pg_world.birch
    earlier = reg44.record_visit(None, by=visitor, home=birch, details=_details(today - timedelta(days=40)))
    _submit(earlier, visitor, opinion="with_concerns")
    newest = reg44.record_visit(None, by=visitor, home=birch, details=_details(today))

    month = queries.home_summaries(pg_world.head, [birch], now)[0]
    assert month.last_visit is not None and month.last_visit.id == newest.id
    assert month.latest_report is not None and month.latest_report.visit_id == earlier.id and month.has_concerns
    assert [v.id for v in month.recorded] == [v.id for v in month.reports_to_write] == [newest.id]
    assert set(month.report_deadlines) == {newest.id}
    assert queries.latest_reports(pg_world.head, [birch.id])[birch.id].safeguarded_opinion == "with_concerns"

    work = queries.visitor_workload(visitor, now)
    assert work is not None and (work.visits_this_month, work.reports_outstanding, work.reports_overdue) == (1, 1, 0)
    late = queries.visitor_workload(visitor, now + timedelta(days=31))
    assert late is not None and (late.visits_this_month, late.reports_outstanding, late.reports_overdue) == (0, 1, 1)

    visits = {rv.visit.id: rv for m in queries.register(birch, pg_world.head, now) for rv in m.visits}
    assert visits[newest.id].report_status == "Not started" and visits[earlier.id].report is not None
    assert visits[earlier.id].report.safeguarded_opinion == "with_concerns"
    reg44.plan_visit(home=birch, visitor=visitor, planned_for=today + timedelta(days=40), announced=False)
    assert [p.visitor_name for p in queries.planned_visits_seen_by(pg_world.head, birch)] == ["Visitor B"]
    rows = action_plans.plans_for_home(birch.id)
    assert [(r.visit_id, r.version, r.recommendations, r.plan_status) for r in rows] == [(earlier.id, 1, 1, None)]
    assert db.session.get(Reg44Visit, newest.id) is not None
