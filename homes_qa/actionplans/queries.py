"""Action plan reads: the plan for a report, its responses, the obligation of each action."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache, lru_cache
from typing import NamedTuple

from flask import url_for
from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import aliased

from homes_qa.actionplans.models import ActionPlan, ActionPlanResponse, PlanStatus
from homes_qa.actionplans.policy import READERS
from homes_qa.extensions import db
from homes_qa.reg44.models import Reg44Recommendation, Reg44Report, Reg44Visit, ReportStatus
from homes_qa.spine.access import viewer, viewer_home_ids, visible_home_ids_query
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Home, User

STATUS_LABELS: dict[str | None, str] = {
    None: "Not started",
    PlanStatus.DRAFT: "Not started",
    PlanStatus.SUBMITTED: "Awaiting approval",
    PlanStatus.RETURNED: "Returned for changes",
    PlanStatus.APPROVED: "Approved",
}


def action_key(response: ActionPlanResponse) -> str:
    return f"reg44action:{response.id}"


def latest_submitted_report(visit: Reg44Visit) -> Reg44Report | None:
    """The newest submitted version of the visit's report (a correction supersedes earlier ones)."""
    return db.session.scalar(select(Reg44Report).where(
        Reg44Report.visit_id == visit.id, Reg44Report.status == ReportStatus.SUBMITTED)
        .order_by(Reg44Report.version.desc()).limit(1))


def plan_for(report: Reg44Report) -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.report_id == report.id))


def responses_by_recommendation(plan: ActionPlan | None) -> dict[int, ActionPlanResponse]:
    if plan is None:
        return {}
    return {response.recommendation_id: response for response in plan.responses}


def action_obligation(response: ActionPlanResponse) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == "action_complete", Obligation.home_id == response.home_id,
        Obligation.period_key == action_key(response)))


class PlanRow(NamedTuple):
    """A visit with a submitted report as the home's action plans list it: the report's latest
    version, how many recommendations it makes, and its plan's status (None: no plan yet)."""

    visit_id: int
    visited_on: date | None
    version: int
    recommendations: int
    plan_status: str | None


def plans_for_home(home_id: int) -> list[PlanRow]:
    """Each visit with a submitted report, newest first, with its latest report and plan. One
    query however many visits the home has had: the columns listed, not the reports' text."""
    return [PlanRow(*row) for row in db.session.execute(_plans_for_home(), {"home_id": home_id})]


@cache  # built on first use (aliases configure the mappers, which need every model) and kept (issue 13)
def _plans_for_home() -> Select[int, date | None, int, int, str | None]:
    newer = aliased(Reg44Report, name="newer")
    is_latest = ~select(newer.id).where(newer.visit_id == Reg44Report.visit_id,
                                        newer.status == ReportStatus.SUBMITTED,
                                        newer.version > Reg44Report.version).exists()
    recommendations = (select(func.count(Reg44Recommendation.id))
                       .where(Reg44Recommendation.report_id == Reg44Report.id).scalar_subquery())
    # The home's own reports (through their home index), not every report of the estate.
    return (select(Reg44Visit.id, Reg44Visit.visited_on, Reg44Report.version, recommendations, ActionPlan.status)
            .select_from(Reg44Report).join(Reg44Visit, Reg44Visit.id == Reg44Report.visit_id)
            .outerjoin(ActionPlan, ActionPlan.report_id == Reg44Report.id)
            .where(Reg44Report.home_id == bindparam("home_id"), Reg44Report.status == ReportStatus.SUBMITTED,
                   Reg44Visit.home_id == bindparam("home_id"), is_latest)
            .order_by(Reg44Visit.visited_on.desc(), Reg44Visit.id.desc()))


# ---------------------------------------------------------------- panels on other areas' pages

def visit_panel(user: User, visit: Reg44Visit) -> dict[str, str | None] | None:
    """For the visit page: the plan's address and status, if the user may see it and it exists."""
    if not user.is_authenticated or user.role not in READERS:
        return None
    report = latest_submitted_report(visit)
    if report is None:
        return None
    action_plan = plan_for(report)
    return {"href": url_for("actionplans.plan", visit_id=visit.id),
            "status": STATUS_LABELS.get(action_plan.status if action_plan else None)}


def home_links(user: User, home: Home) -> list[dict[str, str]]:
    """For the home page: the home's action plans, for those who may see them."""
    if user.role not in READERS:
        return []
    return [{"href": url_for("actionplans.index", home_id=home.id), "text": "Reg 44 action plans",
             "hint": "the home's responses to the visitors' recommendations, and their actions"}]


# ---------------------------------------------------------------- the service manager's work queue

def plans_with_status(user: User, status: str, limit: int = 100) -> list[tuple[ActionPlan, Reg44Report, Home]]:
    """Action plans in a status (submitted: awaiting approval; returned) in the user's homes,
    with their report and home. One query."""
    stmt = (select(ActionPlan, Reg44Report, Home).join(Reg44Report, Reg44Report.id == ActionPlan.report_id)
            .join(Home, Home.id == ActionPlan.home_id).where(ActionPlan.status == status)
            .order_by(ActionPlan.proposed_at, ActionPlan.id).limit(limit))
    if not user.sees_all_homes:
        stmt = stmt.where(ActionPlan.home_id.in_(visible_home_ids_query(user)))
    return [(plan, report, home) for plan, report, home in db.session.execute(stmt)]


class QueuedPlan(NamedTuple):
    """A plan in the work queue, as the first page shows it: read as columns, not as the plan,
    its report (with the visitor's whole text) and its home loaded (issue 13)."""
    status: str
    proposed_at: datetime | None
    reviewed_at: datetime | None
    visit_id: int
    home_name: str


def plans_by_status(user: User, statuses: Sequence[str], limit: int = 100) -> dict[str, list[QueuedPlan]]:
    """Action plans in each status (the work queue's awaiting approval and returned) in the
    user's homes: the first `limit` of each, earliest proposed first. One query."""
    found: dict[str, list[QueuedPlan]] = {status: [] for status in statuses}
    for row in db.session.execute(_plans_by_status(user.sees_all_homes, tuple(statuses)),
                                  {**viewer(user), "limit": limit}):
        found[row.status].append(QueuedPlan(*row))
    return found


@lru_cache(maxsize=16)
def _plans_by_status(sees_all_homes: bool, statuses: tuple[str, ...]) -> Select:
    # Built once per shape and run with the viewer and the limit bound: building the ranked
    # subquery and its joins cost more Python than SQLite takes to answer it (issue 13).
    rank = func.row_number().over(partition_by=ActionPlan.status,
                                  order_by=(ActionPlan.proposed_at, ActionPlan.id)).label("rank")
    ranked = select(ActionPlan.id, rank).where(ActionPlan.status.in_(statuses))
    if not sees_all_homes:
        ranked = ranked.where(ActionPlan.home_id.in_(viewer_home_ids()))
    first = ranked.subquery()
    return (select(ActionPlan.status, ActionPlan.proposed_at, ActionPlan.reviewed_at, Reg44Report.visit_id,
                   Home.name.label("home_name"))
            .join(first, first.c.id == ActionPlan.id)
            .join(Reg44Report, Reg44Report.id == ActionPlan.report_id).join(Home, Home.id == ActionPlan.home_id)
            .where(first.c.rank <= bindparam("limit", type_=Integer)).order_by(ActionPlan.proposed_at, ActionPlan.id))
