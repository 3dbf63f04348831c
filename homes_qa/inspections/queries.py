"""Inspection reads: a home's inspections and actions, its current outcome for the monitoring
cadence, the review obligations, Ofsted's own return dates; the home page link."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import url_for
from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    bindparam,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased, selectinload

from homes_qa.actionplans.models import ACCEPT, ActionPlan, ActionPlanResponse, PlanStatus
from homes_qa.audit.readable import readable
from homes_qa.audits import policy as audits_policy
from homes_qa.audits.models import AuditFinding
from homes_qa.core import inspections as core
from homes_qa.core.calendar import london_date
from homes_qa.core.roles import Role
from homes_qa.core.timing import Timing
from homes_qa.extensions import db
from homes_qa.inspections.models import (
    ActionFile,
    ActionNote,
    ActionSource,
    ActionStatus,
    Inspection,
    InspectionItem,
    ItemKind,
    MonitoringReview,
    QaReview,
    QaReviewAction,
    QaReviewHome,
    QpagAction,
)
from homes_qa.inspections.policy import (
    EDITORS,
    QA_ASSIGNEES,
    QA_REVIEW_READERS,
    QPAG_EDITORS,
    QPAG_READERS,
    READERS,
    can_see_qpag_action,
)
from homes_qa.reg44.models import Reg44Report
from homes_qa.spine.access import can_see_home, in_viewers_homes, viewer, viewer_home_ids, visible_home_ids_query
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.obligations.models import Completion, Obligation, ObligationStatus
from homes_qa.spine.obligations.queries import state_of
from homes_qa.spine.people.models import Assignment, Home, User
from homes_qa.spine.rules.service import rule_by_code

REVIEW_RULES = tuple(core.CADENCE_RULES.values())
ACTION_RULE = "action_complete"
REQUIREMENT_RULE = "ofsted_requirement_compliance"


def inspections_for(home_id: int) -> list[Inspection]:
    """Newest first, with their items (two queries)."""
    return list(db.session.scalars(select(Inspection).where(Inspection.home_id == home_id)
                                   .options(selectinload(Inspection.items))
                                   .order_by(Inspection.ended_on.desc(), Inspection.id.desc())))


def items_for(home_id: int) -> list[InspectionItem]:
    return list(db.session.scalars(select(InspectionItem).where(InspectionItem.home_id == home_id)
                                   .order_by(InspectionItem.id)))


def open_items(home_id: int) -> list[InspectionItem]:
    return list(db.session.scalars(select(InspectionItem).where(
        InspectionItem.home_id == home_id, InspectionItem.status == ActionStatus.OPEN)
        .options(selectinload(InspectionItem.owner), selectinload(InspectionItem.inspection))
        .order_by(InspectionItem.due_on, InspectionItem.id)))


def reviews_for(home_id: int) -> list[MonitoringReview]:
    return list(db.session.scalars(select(MonitoringReview).where(MonitoringReview.home_id == home_id)
                                   .options(selectinload(MonitoringReview.reviewed_by))
                                   .order_by(MonitoringReview.reviewed_on.desc(), MonitoringReview.id.desc())))


def assigned_people(home_id: int) -> list[User]:
    """Who an action may be given to: the active people assigned to the home."""
    return list(db.session.scalars(select(User).join(Assignment, Assignment.user_id == User.id).where(
        Assignment.home_id == home_id, User.active.is_(True)).order_by(User.name)))


def latest_judged(inspections: list[Inspection]) -> Inspection | None:
    """The newest inspection with an overall judgement (`inspections` newest first)."""
    return next((i for i in inspections if i.overall), None)


def current_cycle(inspections: list[Inspection]) -> list[Inspection]:
    """The latest judged inspection and every visit since (all of them if never judged)."""
    judged = latest_judged(inspections)
    if judged is None:
        return inspections
    return [i for i in inspections if (i.ended_on, i.id) >= (judged.ended_on, judged.id)]


def outcome_of(home_id: int, inspections: list[Inspection] | None = None) -> core.Outcome:
    """The home's Ofsted outcome, from its inspections (`inspections_for`, read here if not given)."""
    if inspections is None:
        inspections = inspections_for(home_id)
    judged = latest_judged(inspections)
    items = [item for inspection in inspections for item in inspection.items if item.is_open]
    return core.Outcome(
        overall=judged.overall if judged else None,
        compliance_notice=any(i.compliance_notice_served_on for i in current_cycle(inspections)),
        open_actions=len(items),
        open_requirement_dates=tuple(sorted({item.compliance_date for item in items
                                             if item.kind == ItemKind.REQUIREMENT and item.compliance_date})))


def open_review_obligations(home_id: int) -> list[Obligation]:
    return list(db.session.scalars(select(Obligation).where(
        Obligation.home_id == home_id, Obligation.rule_code.in_(REVIEW_RULES),
        Obligation.status == ObligationStatus.OPEN).order_by(Obligation.due_at, Obligation.id)))


def review_obligation_count(home_id: int, rule_code: str) -> int:
    return len(db.session.scalars(select(Obligation.id).where(
        Obligation.home_id == home_id, Obligation.rule_code == rule_code)).all())


def reviewed_through(home_id: int) -> date | None:
    """The latest compliance date a met 'good with requirements' review was due by."""
    due = db.session.scalar(select(Obligation.due_at).where(
        Obligation.home_id == home_id, Obligation.rule_code == core.CADENCE_RULES[core.BY_COMPLIANCE_DATES],
        Obligation.status.in_((ObligationStatus.MET, ObligationStatus.MET_LATE)))
        .order_by(Obligation.due_at.desc()).limit(1))
    return london_date(due) if due is not None else None


def item_obligation(item: InspectionItem, rule_code: str) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == rule_code, Obligation.home_id == item.home_id,
        Obligation.period_key == item_key(item, rule_code)))


def item_key(item: InspectionItem, rule_code: str) -> str:
    prefix = "inspection-requirement" if rule_code == REQUIREMENT_RULE else "inspection-action"
    return f"{prefix}:{item.id}:{item.times_reopened}"


def cadence_timings() -> dict[str, Timing]:
    return {"weekly": rule_by_code(core.CADENCE_RULES[core.WEEKLY]).timing_value,
            "fortnightly": rule_by_code(core.CADENCE_RULES[core.FORTNIGHTLY]).timing_value}


@dataclass(frozen=True)
class FollowUp:
    inspection: Inspection
    complete_by: date
    ofsted_visit_on: date


@dataclass(frozen=True)
class HomeSummary:
    outcome: core.Outcome
    judged: Inspection | None
    window: core.InspectionWindow | None
    follow_ups: list[FollowUp]
    reviews_due: list[tuple[Obligation, str]]


def home_summary(home_id: int, now: datetime, inspections: list[Inspection] | None = None) -> HomeSummary:
    """The home's outcome, next inspection window, follow-ups and reviews due, from its
    inspections (`inspections_for`, read here if not given: a page showing them reads them once)."""
    if inspections is None:
        inspections = inspections_for(home_id)
    judged = latest_judged(inspections)
    today = london_date(now)
    window = core.next_inspection_window(judged.overall if judged else None,
                                         [i.ended_on for i in inspections if core.is_judged_type(i.inspection_type)],
                                         today=today)
    follow_ups = [FollowUp(i, i.compliance_notice_complete_by,
                           core.compliance_notice_follow_up(i.compliance_notice_complete_by))
                  for i in current_cycle(inspections) if i.compliance_notice_complete_by]
    reviews_due = [(o, state_of(o, now).label) for o in open_review_obligations(home_id)]
    return HomeSummary(outcome_of(home_id, inspections), judged, window, follow_ups, reviews_due)


def home_links(user: User, home: Home) -> list[dict[str, str]]:
    """For the home page: its Ofsted inspections and monitoring reviews, for those who may see them."""
    if user.role not in READERS:
        return []
    return [{"href": url_for("inspections.index", home_id=home.id), "text": "Ofsted inspections",
             "hint": "judgements, requirements and their actions, and the monitoring reviews they set"},
            {"href": url_for("inspections.actions", home=home.id), "text": "Action list",
             "hint": "every action of the home: Ofsted, Reg 44, QA reviews, audits; each with its history and evidence"}]


# ---------------------------------------------------------------- the combined action list

ACTION_SOURCES: dict[str, str] = {ActionSource.INSPECTION: "Ofsted inspection", ActionSource.REG44: "Reg 44 action plan",
                  ActionSource.QPAG: "QPAG", ActionSource.QA_REVIEW: "QA review", ActionSource.AUDIT: "Monthly audit"}
ACTION_STATUSES = {"open": "Open", "completed": "Completed", "all": "All"}
ACTION_PAGE_SIZE = 50  # rows a page of the action list shows
ACTION_MAX_PAGE = 100  # pages it goes to (5,000 actions); past that the filters must narrow it
TRACKER_LIMIT = 500  # rows of the QPAG tracker
OWNER_FILTER_MAX = 120


@dataclass(frozen=True)
class ActionFilters:
    home: int | None = None
    source: str | None = None
    status: str = "open"
    overdue: bool = False
    owner: str = ""  # part of the owner's name (Reg 44 owners are free text)

    @classmethod
    def from_args(cls, args) -> ActionFilters:
        """From a shareable URL's query string; values outside the lists fall back to the default."""
        home = args.get("home", "")
        source = args.get("source", "")
        status = args.get("status", "open")
        return cls(home=int(home) if home.isascii() and home.isdigit() and len(home) < 10 else None,
                   source=source if source in ACTION_SOURCES else None,
                   status=status if status in ACTION_STATUSES else "open",
                   overdue=args.get("overdue") == "1", owner=args.get("owner", "").strip()[:OWNER_FILTER_MAX])

    def args(self) -> dict[str, str]:
        """The query string that gives these filters (those not at their default): kept on the
        links to other pages of the list."""
        given = {"home": "" if self.home is None else str(self.home), "source": self.source or "",
                 "status": "" if self.status == "open" else self.status, "overdue": "1" if self.overdue else "",
                 "owner": self.owner}
        return {key: value for key, value in given.items() if value}


@dataclass(frozen=True)
class ActionRow:
    source: str
    home_id: int
    home_name: str
    text: str
    owner: str
    due_on: date | None
    completed_on: date | None
    href: str  # the source record's page
    action_id: int = 0  # the id in the source's table: the action's own page (history and evidence)
    waived: bool = False  # closed without being done (an audit finding's obligation waived with a reason)

    @property
    def is_open(self) -> bool:
        return self.completed_on is None and not self.waived

    def overdue_on(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    def order_key(self, today: date) -> tuple[Any, ...]:
        """Most overdue first, then open, then by due date (none last), home, source and id:
        a total order, so each page follows the one before (`_worst_first` is the same in SQL)."""
        return (not self.overdue_on(today), not self.is_open, self.due_on is None, self.due_on or date.min,
                self.home_id, self.source, self.action_id)


def _contains(text: str) -> str:
    """A LIKE pattern matching the text anywhere, with the user's % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class ActionPage:
    """One page of the combined action list: its rows, its 1-based number and whether more
    follow. No total: counting every action of every source for a county is the cost paging
    avoids (issue 13); a page past the end is the last one with rows."""
    rows: list[ActionRow]
    number: int
    more: bool
    size: int = ACTION_PAGE_SIZE

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)

    @property
    def at_limit(self) -> bool:
        """More rows follow the last page this list pages to: the filters must narrow it."""
        return self.more and self.number >= ACTION_MAX_PAGE


def action_page(user: User, filters: ActionFilters, now: datetime, number: int) -> ActionPage:
    """The `number`th page of the combined list (clamped to 1..ACTION_MAX_PAGE; past the end,
    the last page with rows). One query per source, each reading at most the rows up to this
    page's end (and one more, to know whether more follow)."""
    number = min(max(number, 1), ACTION_MAX_PAGE)
    offset = (number - 1) * ACTION_PAGE_SIZE
    rows = _merged_actions(user, filters, now, offset + ACTION_PAGE_SIZE + 1)
    if offset and len(rows) <= offset:  # past the end: the last page that has rows
        number = max(-(-len(rows) // ACTION_PAGE_SIZE), 1)
        offset = (number - 1) * ACTION_PAGE_SIZE
    return ActionPage(rows[offset:offset + ACTION_PAGE_SIZE], number, len(rows) > offset + ACTION_PAGE_SIZE)


def combined_actions(user: User, filters: ActionFilters, now: datetime) -> list[ActionRow]:
    """Every action the filters match, most overdue first (the CSV export)."""
    return _merged_actions(user, filters, now, None)


# Each source's statement is built once per shape of the filters and run with the values bound:
# building five select trees (and their cache keys) on every request cost more Python than
# SQLite takes to answer them (issue 13, as the first pages' statements).
_TODAY, _HOME, _OWNER, _LIMIT = "action_today", "action_home", "action_owner", "action_limit"


@dataclass(frozen=True)
class _Shape:
    """What decides the statements: whose scope, and which filters are given (not their values)."""
    sees_all: bool
    source: str | None
    home: bool
    status: str
    overdue: bool
    owner: bool
    limited: bool
    qpag: bool  # QPAG's tracker is listed (service managers and up)
    audits: bool  # monthly audits' findings are listed (those who read audits)


def _worst_first(is_open: Any, due_on: Any, home_id: Any, row_id: Any) -> tuple[Any, ...]:
    """The list's order in SQL, as `ActionRow.order_key` orders in Python: overdue first, then
    open, then by due date (none last), home and id. Each source is cut at the rows a page needs
    in this order, so the merged page holds the most overdue of all of them."""
    today = bindparam(_TODAY, type_=Date)
    return (case((is_open & (due_on < today), 0), else_=1), case((is_open, 0), else_=1),
            due_on.is_(None), due_on, home_id, row_id)


def _owner_like(name: Any) -> ColumnElement[bool]:
    return name.ilike(bindparam(_OWNER, type_=String), escape="\\")


def _filtered_by_status(stmt: Any, model: Any, shape: _Shape, home_key: Any) -> Any:
    """The filters and order of a source whose actions carry an `ActionStatus` (Ofsted items,
    QPAG's tracker, QA review plans), its owner the joined `User`; `home_key` orders by home."""
    if shape.home:
        stmt = stmt.where(model.home_id == bindparam(_HOME, type_=Integer))
    if shape.status != "all":
        stmt = stmt.where(model.status == shape.status)
    if shape.overdue:
        stmt = stmt.where(model.status == ActionStatus.OPEN, model.due_on < bindparam(_TODAY, type_=Date))
    if shape.owner:
        stmt = stmt.where(_owner_like(User.name))
    return stmt.order_by(*_worst_first(model.completed_on.is_(None), model.due_on, home_key, model.id))


@lru_cache(maxsize=256)
def _action_statements(shape: _Shape) -> tuple[tuple[str, Select], ...]:
    """(source, statement) of each source listed, for the shape; bound when run: `viewer_id`,
    today, the home, the owner pattern and the limit."""
    today, home = bindparam(_TODAY, type_=Date), bindparam(_HOME, type_=Integer)
    statements: list[tuple[str, Select]] = []
    stmt: Any  # each source selects its own columns
    if shape.source in (None, "inspection"):
        stmt = (select(InspectionItem, Home.name, User.name).join(Home, Home.id == InspectionItem.home_id)
                .join(User, User.id == InspectionItem.owner_id)
                .where(in_viewers_homes(InspectionItem.home_id, shape.sees_all)))
        statements.append(("inspection", _filtered_by_status(stmt, InspectionItem, shape, InspectionItem.home_id)))
    if shape.source in (None, "reg44"):
        stmt = (select(ActionPlanResponse, Home.name, Reg44Report.visit_id)
                .join(ActionPlan, ActionPlan.id == ActionPlanResponse.plan_id)
                .join(Reg44Report, Reg44Report.id == ActionPlan.report_id)
                .join(Home, Home.id == ActionPlanResponse.home_id)
                .where(in_viewers_homes(ActionPlanResponse.home_id, shape.sees_all),
                       ActionPlan.status == PlanStatus.APPROVED, ActionPlanResponse.decision == ACCEPT))
        if shape.home:
            stmt = stmt.where(ActionPlanResponse.home_id == home)
        if shape.status == "open" or shape.overdue:
            stmt = stmt.where(ActionPlanResponse.completed_on.is_(None))
        elif shape.status == "completed":
            stmt = stmt.where(ActionPlanResponse.completed_on.is_not(None))
        if shape.overdue:
            stmt = stmt.where(ActionPlanResponse.due_on < today)
        if shape.owner:
            stmt = stmt.where(_owner_like(ActionPlanResponse.owner))
        if shape.status == "open" or shape.overdue:
            # Every row open: the list's order is the due date's (overdue is due before today), so
            # the open actions are walked in the order of their index (migration 0035) and the read
            # stops after a page, not after sorting every open action of the estate (20.6 → 0.1 ms
            # at 1,000 homes). The few with no due date come after all of them, as in Python.
            statements.append(("reg44", stmt.where(ActionPlanResponse.due_on.is_not(None)).order_by(
                ActionPlanResponse.due_on, ActionPlanResponse.home_id, ActionPlanResponse.id)))
            statements.append(("reg44", stmt.where(ActionPlanResponse.due_on.is_(None)).order_by(
                ActionPlanResponse.home_id, ActionPlanResponse.id)))
        else:
            statements.append(("reg44", stmt.order_by(*_worst_first(
                ActionPlanResponse.completed_on.is_(None), ActionPlanResponse.due_on, ActionPlanResponse.home_id,
                ActionPlanResponse.id))))
    if shape.source in (None, "qpag") and shape.qpag:
        stmt = (select(QpagAction, Home.name, User.name).outerjoin(Home, Home.id == QpagAction.home_id)
                .join(User, User.id == QpagAction.owner_id))
        if not shape.sees_all:
            stmt = stmt.where(QpagAction.home_id.is_(None) | in_viewers_homes(QpagAction.home_id, False))
        # The whole service's (no home) are home 0 in the list's order, as in `ActionRow`.
        statements.append(("qpag", _filtered_by_status(stmt, QpagAction, shape, func.coalesce(QpagAction.home_id, 0))))
    if shape.source in (None, "qa_review"):
        stmt = (select(QaReviewAction, Home.name, User.name).join(QaReview, QaReview.id == QaReviewAction.review_id)
                .join(Home, Home.id == QaReviewAction.home_id).join(User, User.id == QaReviewAction.owner_id)
                .where(in_viewers_homes(QaReviewAction.home_id, shape.sees_all), QaReview.plan_agreed_on.is_not(None)))
        statements.append(("qa_review", _filtered_by_status(stmt, QaReviewAction, shape, QaReviewAction.home_id)))
    if shape.source in (None, "audit") and shape.audits:
        statements.extend(("audit", stmt) for stmt in _audit_finding_statements(shape))
    if shape.limited:
        return tuple((source, stmt.limit(bindparam(_LIMIT, type_=Integer))) for source, stmt in statements)
    return tuple(statements)


def _merged_actions(user: User, filters: ActionFilters, now: datetime, fetch: int | None) -> list[ActionRow]:
    """Every source's first `fetch` actions (all of them with None) in the list's order, merged:
    Ofsted requirements and recommendations, approved Reg 44 action plans, QPAG's tracker
    (service managers and up), agreed QA review plans, and submitted monthly audits' findings
    (for those who read audits). One query per source whatever the number of homes (two for the
    audits' open actions)."""
    today = london_date(now)
    shape = _Shape(sees_all=user.sees_all_homes, source=filters.source, home=filters.home is not None,
                   status=filters.status, overdue=filters.overdue, owner=bool(filters.owner),
                   limited=fetch is not None, qpag=user.role in QPAG_READERS, audits=sees_audit_actions(user))
    values = {**viewer(user), _TODAY: today, _HOME: filters.home, _OWNER: _contains(filters.owner), _LIMIT: fetch}
    rows: list[ActionRow] = []
    for source, stmt in _action_statements(shape):
        for record, *columns in db.session.execute(stmt, values):
            rows.append(_ACTION_ROW[source](record, *columns))
    rows.sort(key=lambda r: r.order_key(today))
    return rows if fetch is None else rows[:fetch]


def _inspection_row(item: InspectionItem, home_name: str, owner: str) -> ActionRow:
    return ActionRow("inspection", item.home_id, home_name, item.action, owner, item.due_on, item.completed_on,
                     url_for("inspections.detail", inspection_id=item.inspection_id), item.id)


def _reg44_row(response: ActionPlanResponse, home_name: str, visit_id: int) -> ActionRow:
    return ActionRow("reg44", response.home_id, home_name, response.action, response.owner, response.due_on,
                     response.completed_on, url_for("actionplans.plan", visit_id=visit_id), response.id)


def _qpag_row(qpag: QpagAction, home_name: str | None, owner: str) -> ActionRow:
    return ActionRow("qpag", qpag.home_id or 0, home_name or "The whole service", qpag.text, owner,
                     qpag.due_on, qpag.completed_on, url_for("inspections.qpag"), qpag.id)


def _qa_review_row(action: QaReviewAction, home_name: str, owner: str) -> ActionRow:
    return ActionRow("qa_review", action.home_id, home_name, action.text, owner, action.due_on, action.completed_on,
                     url_for("inspections.qa_review_action_complete", qa_review_action_id=action.id), action.id)


def _audit_row(finding: AuditFinding, home_name: str, owner: str, status: str | None,
               met_at: datetime | None) -> ActionRow:
    return ActionRow("audit", finding.home_id, home_name, finding.action, owner, finding.due_on,
                     london_date(met_at) if met_at is not None else None,
                     url_for("audits.check", audit_id=finding.audit_id), finding.id,
                     waived=status == ObligationStatus.WAIVED)


_ACTION_ROW: dict[str, Callable[..., ActionRow]] = {
    "inspection": _inspection_row, "reg44": _reg44_row, "qpag": _qpag_row, "qa_review": _qa_review_row,
    "audit": _audit_row}


# ---------------------------------------------------------------- QPAG action tracker

QPAG_RULE = "qpag_action_complete"


def qpag_actions(user: User, *, status: str = "open") -> list[QpagAction]:
    """The tracker: service-wide actions and those of the homes the user sees (two queries)."""
    stmt = (select(QpagAction).options(selectinload(QpagAction.owner), selectinload(QpagAction.home))
            .where(QpagAction.home_id.is_(None) | QpagAction.home_id.in_(visible_home_ids_query(user)))
            .order_by(QpagAction.due_on, QpagAction.id))
    if status in (ActionStatus.OPEN, ActionStatus.COMPLETED):
        stmt = stmt.where(QpagAction.status == status)
    return list(db.session.scalars(stmt.limit(TRACKER_LIMIT)))


QPAG_FIRST_PAGE_LIMIT = 50


def qpag_actions_for_chair(user: User, today: date, limit: int = QPAG_FIRST_PAGE_LIMIT) -> list[QpagAction]:
    """For the head of service's first page: open QPAG actions escalated to CSLT or past their
    agreed date, in the user's scope; the ones still to escalate first, then by date. Three queries."""
    return list(db.session.scalars(_qpag_actions_for_chair(user.sees_all_homes),
                                   {**viewer(user), "today": today, "limit": limit}))


@lru_cache(maxsize=4)
def _qpag_actions_for_chair(sees_all_homes: bool) -> Select[QpagAction]:
    # Built once and run with the viewer, the day and the limit bound: the first page runs it on
    # every look (issue 13).
    return (select(QpagAction).options(selectinload(QpagAction.owner), selectinload(QpagAction.home))
            .where(true() if sees_all_homes else QpagAction.home_id.is_(None) | QpagAction.home_id.in_(viewer_home_ids()),
                   QpagAction.status == ActionStatus.OPEN,
                   QpagAction.escalated_on.is_not(None)
                   | (QpagAction.due_on < bindparam("today", type_=QpagAction.due_on.type)))
            .order_by(QpagAction.escalated_on.is_not(None), QpagAction.due_on, QpagAction.id)
            .limit(bindparam("limit", type_=Integer)))


def qpag_owner_choices(home_id: int | None) -> list[User]:
    """Who may own a QPAG action: service managers and heads of service, and for a home's action
    the people assigned to it."""
    senior = select(User).where(User.active.is_(True), User.role.in_((Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)))
    people = {u.id: u for u in db.session.scalars(senior)}
    if home_id is not None:
        people.update({u.id: u for u in assigned_people(home_id)})
    return sorted(people.values(), key=lambda u: u.name)


def qpag_owner_options(user: User) -> list[User]:
    """Everyone who could own a QPAG action in the homes the user sees, in one query (the
    service checks the owner against the action's home)."""
    return list(db.session.scalars(select(User).where(User.active.is_(True), or_(
        User.role.in_((Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE)),
        User.id.in_(select(Assignment.user_id).where(Assignment.home_id.in_(visible_home_ids_query(user))))))
        .order_by(User.name)))


def qpag_obligation(action: QpagAction) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(Obligation.rule_code == QPAG_RULE,
                                                      Obligation.period_key == f"qpag-action:{action.id}"))


def due_for_escalation(action: QpagAction, today: date) -> bool:
    """Not completed in the time QPAG agreed, and not yet escalated to CSLT (seed 002 §8.8)."""
    return action.is_open and action.escalated_on is None and action.due_on < today


# ---------------------------------------------------------------- QA reviews (seed 002 §7.1, §8.5)

QA_REVIEW_RULE = "qa_review_complete"
DIP_SAMPLE_RULE = "dip_sample_bimonthly"
QA_REVIEW_LIST_LIMIT = 200


def qa_review_key(review: QaReview) -> str:
    return f"qa-review:{review.id}"


def qa_action_key(action: QaReviewAction) -> str:
    return f"qa-review-action:{action.id}"


def qa_reviews(user: User) -> list[QaReview]:
    """The reviews the user is assigned or that cover a home they see, newest due first (three queries)."""
    covers = select(QaReviewHome.review_id).where(QaReviewHome.home_id.in_(visible_home_ids_query(user)))
    return list(db.session.scalars(
        select(QaReview).where(or_(QaReview.assignee_id == user.id, QaReview.id.in_(covers)))
        .options(selectinload(QaReview.assignee), selectinload(QaReview.homes).selectinload(QaReviewHome.home))
        .order_by(QaReview.status, QaReview.due_on.desc(), QaReview.id.desc()).limit(QA_REVIEW_LIST_LIMIT)))


def qa_assignee_choices() -> list[User]:
    """Who a review may be assigned to: active service managers and the QA lead (head of service)."""
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(QA_ASSIGNEES))
                                   .order_by(User.name)))


def qa_review_prompts(user: User) -> list[Obligation]:
    """What should prompt the QA lead to commission: the open dip-sample request of the period
    (whole service, §8.5) and a full audit of each home with a new registered manager (§7.1),
    in the homes the user sees (one query). A UNION ALL of the two, each read through the
    (rule, status, due) index: written as one OR, SQLite walked every open obligation instead
    (issue 13: 20 ms at 1,000 homes, for two rows)."""
    return list(db.session.scalars(_qa_review_prompts(user.sees_all_homes), viewer(user)))


@lru_cache(maxsize=4)
def _qa_review_prompts(sees_all_homes: bool) -> Select[Obligation]:
    # Built once and run with the viewer bound: the QA lead's first page renders it on every look,
    # and a fresh alias of the union builds every column of the table again (issue 13).
    open_ = Obligation.status == ObligationStatus.OPEN
    both = union_all(
        select(Obligation).where(open_, Obligation.rule_code == DIP_SAMPLE_RULE),
        select(Obligation).where(open_, Obligation.rule_code == FULL_AUDIT_RULE,
                                 in_viewers_homes(Obligation.home_id, sees_all_homes))).subquery()
    prompt = aliased(Obligation, both)
    return select(prompt).order_by(prompt.due_at, prompt.id)


def prompt_kind(obligation: Obligation) -> str:
    """The kind of review a prompt asks for (the commission form's preselected kind)."""
    return "full_audit" if obligation.rule_code == FULL_AUDIT_RULE else "dip_sample"


# ---------------------------------------------------------------- full audit when a new registered manager is assigned

FULL_AUDIT_RULE = "full_audit_new_manager"
PREVIOUS_ASSIGNMENTS_LIMIT = 1000  # the audit trail's assignment rows read for one home


def full_audit_key(manager: User) -> str:
    return f"new-manager:{manager.id}"


def had_other_manager(home_id: int, manager_id: int) -> bool:
    """Whether the home has, or once had, a registered manager other than this one: a current
    assignment, or one the audit trail shows was made and since removed (three queries at most)."""
    current = db.session.scalar(select(Assignment.id).join(User, User.id == Assignment.user_id).where(
        Assignment.home_id == home_id, Assignment.user_id != manager_id,
        User.role == Role.REGISTERED_MANAGER).limit(1))
    if current is not None:
        return True
    made = db.session.scalars(select(AuditEvent.changes).where(
        AuditEvent.record_type == "Assignment", AuditEvent.action == "create", AuditEvent.home_id == home_id)
        .order_by(AuditEvent.id.desc()).limit(PREVIOUS_ASSIGNMENTS_LIMIT))
    people: set[int] = set()
    for changes in made:
        values = (changes or {}).get("user_id")
        if isinstance(values, list) and len(values) == 2 and isinstance(values[1], int):
            people.add(values[1])
    people.discard(manager_id)
    if not people:
        return False
    return db.session.scalar(select(User.id).where(User.id.in_(people), User.role == Role.REGISTERED_MANAGER)
                             .limit(1)) is not None


def full_audit_prompts(home_ids: list[int]) -> list[Obligation]:
    """The open new-manager prompts of these homes (one query)."""
    if not home_ids:
        return []
    return list(db.session.scalars(select(Obligation).where(
        Obligation.rule_code == FULL_AUDIT_RULE, Obligation.status == ObligationStatus.OPEN,
        Obligation.home_id.in_(home_ids)).order_by(Obligation.id)))


def qa_review_obligation(review: QaReview, home_id: int) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == QA_REVIEW_RULE, Obligation.home_id == home_id,
        Obligation.period_key == qa_review_key(review)))


def qa_action_obligation(action: QaReviewAction) -> Obligation | None:
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == ACTION_RULE, Obligation.home_id == action.home_id,
        Obligation.period_key == qa_action_key(action)))


def sees_audit_actions(user: User) -> bool:
    """Monthly audits' findings are listed for those who read audits (not the independent visitor)."""
    return user.role in audits_policy.READERS


_CLOSED = (ObligationStatus.MET, ObligationStatus.MET_LATE, ObligationStatus.WAIVED)


def _audit_finding_statements(shape: _Shape) -> list[Select]:
    """The actions of submitted monthly audits' findings. A finding is completed when its
    `action_complete` obligation is met ("Record that it was done"), closed when waived, and
    open while its obligation is open or when it has none (the rule was off when it was made).

    The open ones (the list's default) are read from the open obligations, then the findings
    without any (`untracked`, a few): two queries. Reading every finding of five years with its
    obligation took the head of service's list 14 ms at 100 homes (issue 13)."""
    subject = ((Obligation.subject_type == "AuditFinding") & (Obligation.subject_id == AuditFinding.id)
               & (Obligation.rule_code == ACTION_RULE))

    def findings(status: Any, met_at: Any) -> Select:
        stmt = (select(AuditFinding, Home.name, User.name, status, met_at)
                .join(Home, Home.id == AuditFinding.home_id).join(User, User.id == AuditFinding.owner_id)
                .where(in_viewers_homes(AuditFinding.home_id, shape.sees_all)))
        if shape.home:
            stmt = stmt.where(AuditFinding.home_id == bindparam(_HOME, type_=Integer))
        if shape.overdue:
            stmt = stmt.where(AuditFinding.due_on < bindparam(_TODAY, type_=Date))
        if shape.owner:
            stmt = stmt.where(_owner_like(User.name))
        return stmt

    def worst_first(is_open: Any) -> tuple[Any, ...]:
        return _worst_first(is_open, AuditFinding.due_on, AuditFinding.home_id, AuditFinding.id)

    with_obligation = findings(Obligation.status, Obligation.met_at)
    if shape.status == "open" or shape.overdue:
        # Driven by the open action obligations (few), each finding then by its id: joined the
        # other way, SQLite walked every finding of the estate (136 ms at 1,000 homes). Someone
        # with a few homes reads only theirs, by (home, rule, status): the IN of every open
        # audit action of the estate grew with the estate, not with their homes (issue 13).
        open_actions = select(Obligation.subject_id).where(
            Obligation.rule_code == ACTION_RULE, Obligation.status == ObligationStatus.OPEN,
            Obligation.subject_type == "AuditFinding")
        if not shape.sees_all:
            open_actions = open_actions.where(in_viewers_homes(Obligation.home_id, False))
        return [findings(literal(ObligationStatus.OPEN.value), null()).where(AuditFinding.id.in_(open_actions))
                .order_by(*worst_first(true())),
                findings(null(), null()).where(AuditFinding.untracked.is_(True)).order_by(*worst_first(true()))]
    if shape.status == "completed":
        return [with_obligation.join(Obligation, subject).where(Obligation.status.in_(_CLOSED))
                .order_by(*worst_first(false()))]
    # No obligation (made while the rule was off) or an open one: open.
    is_open = Obligation.id.is_(None) | (Obligation.status == ObligationStatus.OPEN)
    return [with_obligation.outerjoin(Obligation, subject).order_by(*worst_first(is_open))]


# ---------------------------------------------------------------- one action: its history and evidence

ACTION_HISTORY_LIMIT = 300


@dataclass(frozen=True)
class ActionDetail:
    """One action of the combined list, whatever its source, as its page shows it."""

    source: str
    record: Any  # the source's record (InspectionItem, ActionPlanResponse, QpagAction, QaReviewAction, AuditFinding)
    home_id: int | None
    home_name: str
    text: str
    owner: str
    due_on: date | None
    completed_on: date | None
    source_href: str
    source_text: str  # the link's words: where the action comes from
    waived: bool = False
    may_add_note: bool = False
    extra: list[tuple[str, str]] = field(default_factory=list)  # more rows for the summary list

    @property
    def is_open(self) -> bool:
        return self.completed_on is None and not self.waived

    @property
    def record_type(self) -> str:
        return type(self.record).__name__


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _home_name(home_id: int | None) -> str:
    if home_id is None:
        return "The whole service"
    home = db.session.get(Home, home_id)
    return home.name if home is not None else ""


def action_detail(user: User, source: str, action_id: int) -> ActionDetail | None:
    """The action, if this user may see it (home scope, the source's own readers); else None (404).
    The same rules as the list: an unapproved Reg 44 response, a declined recommendation or a QA
    review action QPAG has not agreed is not an action yet."""
    editors = QPAG_EDITORS if source == ActionSource.QPAG else EDITORS
    may_note = user.role in editors
    if source == ActionSource.INSPECTION:
        item = db.session.get(InspectionItem, action_id)
        if item is None or not can_see_home(user, item.home_id):
            return None
        inspection = item.inspection
        extra = [("Ofsted " + item.kind, item.text)]
        if item.regulation:
            extra.append(("Regulation", item.regulation))
        return ActionDetail(source, item, item.home_id, _home_name(item.home_id), item.action, item.owner.name,
                            item.due_on, item.completed_on, url_for("inspections.detail", inspection_id=inspection.id),
                            f"Ofsted inspection ended {_day(inspection.ended_on)}", may_add_note=may_note,
                            extra=extra)
    if source == ActionSource.REG44:
        response = db.session.get(ActionPlanResponse, action_id)
        if (response is None or response.decision != ACCEPT or response.plan.status != PlanStatus.APPROVED
                or not can_see_home(user, response.home_id)):
            return None
        report = db.session.get(Reg44Report, response.plan.report_id)
        assert report is not None
        return ActionDetail(source, response, response.home_id, _home_name(response.home_id), response.action,
                            response.owner, response.due_on, response.completed_on,
                            url_for("actionplans.plan", visit_id=report.visit_id), "Reg 44 action plan",
                            may_add_note=may_note,
                            extra=[("Reg 44 recommendation", response.recommendation.text)])
    if source == ActionSource.QPAG:
        qpag = db.session.get(QpagAction, action_id)
        if qpag is None or user.role not in QPAG_READERS or not can_see_qpag_action(user, qpag):
            return None
        extra = [("Agreed at the QPAG meeting of", _day(qpag.meeting_on))]
        if qpag.escalated_on is not None:
            extra.append(("Escalated to CSLT", f"{_day(qpag.escalated_on)}: {qpag.escalation_note}"))
        return ActionDetail(source, qpag, qpag.home_id, _home_name(qpag.home_id), qpag.text, qpag.owner.name,
                            qpag.due_on, qpag.completed_on, url_for("inspections.qpag"), "QPAG action tracker",
                            may_add_note=may_note, extra=extra)
    if source == ActionSource.QA_REVIEW:
        action = db.session.get(QaReviewAction, action_id)
        if action is None or action.review.plan_agreed_on is None or not can_see_home(user, action.home_id):
            return None
        href = (url_for("inspections.qa_review", qa_review_id=action.review_id) if user.role in QA_REVIEW_READERS
                else url_for("inspections.qa_review_action_complete", qa_review_action_id=action.id))
        return ActionDetail(source, action, action.home_id, _home_name(action.home_id), action.text,
                            action.owner.name, action.due_on, action.completed_on, href,
                            f"QA review: {action.review.area}", may_add_note=may_note)
    if source == ActionSource.AUDIT:
        finding = db.session.get(AuditFinding, action_id)
        if (finding is None or user.role not in audits_policy.READERS or not can_see_home(user, finding.home_id)
                or not audits_policy.can_read(user, finding.audit.template_code)):
            return None
        obligation = db.session.scalar(select(Obligation).where(
            Obligation.subject_type == "AuditFinding", Obligation.subject_id == finding.id,
            Obligation.rule_code == ACTION_RULE))
        met = obligation.met_at if obligation is not None and obligation.status in _CLOSED else None
        return ActionDetail(source, finding, finding.home_id, _home_name(finding.home_id), finding.action,
                            finding.owner.name, finding.due_on, london_date(met) if met is not None else None,
                            url_for("audits.check", audit_id=finding.audit_id),
                            f"{finding.audit.title} {finding.audit.period_key}",
                            waived=obligation is not None and obligation.status == ObligationStatus.WAIVED,
                            may_add_note=may_note,
                            extra=[("Question", finding.question), ("Finding", finding.finding)])
    return None


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    what: str  # the record the event is about, in words
    changes: list[tuple[str, str, str, str]]  # (label, field, before, after)


@dataclass(frozen=True)
class ActionHistory:
    notes: list[ActionNote]
    completions: list[Completion]  # "Record that it was done" on the action's obligations, with their notes
    entries: list[HistoryEntry]
    truncated: bool


def action_history(detail: ActionDetail) -> ActionHistory:
    """The action's notes and evidence, and its audit trail: the action's record, its obligations
    (met, waived, moved) and their completions, oldest first. A fixed number of queries."""
    record = detail.record
    notes = list(db.session.scalars(select(ActionNote).where(
        ActionNote.source == detail.source, ActionNote.action_id == record.id)
        .options(selectinload(ActionNote.recorded_by), selectinload(ActionNote.file))
        .order_by(ActionNote.recorded_at, ActionNote.id)))
    obligation_ids = list(db.session.scalars(select(Obligation.id).where(
        Obligation.subject_type == detail.record_type, Obligation.subject_id == record.id)))
    completions: list[Completion] = []
    if obligation_ids:
        completions = list(db.session.scalars(select(Completion).where(Completion.obligation_id.in_(obligation_ids))
                                              .options(selectinload(Completion.recorded_by))
                                              .order_by(Completion.id)))
    wanted = [(AuditEvent.record_type == detail.record_type) & (AuditEvent.record_id == record.id)]
    if obligation_ids:
        wanted.append((AuditEvent.record_type == "Obligation") & AuditEvent.record_id.in_(obligation_ids))
    if completions:
        wanted.append((AuditEvent.record_type == "Completion") & AuditEvent.record_id.in_([c.id for c in completions]))
    if notes:
        wanted.append((AuditEvent.record_type == "ActionNote") & AuditEvent.record_id.in_([n.id for n in notes]))
    file_ids = [n.file.id for n in notes if n.file is not None]
    if file_ids:
        wanted.append((AuditEvent.record_type == "ActionFile") & AuditEvent.record_id.in_(file_ids))
    events = list(db.session.scalars(select(AuditEvent).where(or_(*wanted))
                                     .order_by(AuditEvent.id).limit(ACTION_HISTORY_LIMIT + 1)))
    truncated = len(events) > ACTION_HISTORY_LIMIT
    events = events[:ACTION_HISTORY_LIMIT]
    changes = readable(events)
    names = {detail.record_type: "The action", "Obligation": "Its deadline", "Completion": "Recorded as done",
             "ActionNote": "Note added", "ActionFile": "File attached"}
    return ActionHistory(notes, completions, [HistoryEntry(e, names.get(e.record_type, e.record_type), changes[e.id])
                                              for e in events], truncated)


def action_file_of(detail: ActionDetail, action_file_id: int) -> ActionFile | None:
    """A file on one of this action's notes (the action already checked for the user), else None."""
    return db.session.scalar(select(ActionFile).join(ActionNote, ActionFile.note_id == ActionNote.id).where(
        ActionFile.id == action_file_id, ActionNote.source == detail.source,
        ActionNote.action_id == detail.record.id))
