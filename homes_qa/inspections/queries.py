"""Inspection reads: a home's inspections and actions, its current outcome for the monitoring
cadence, the review obligations, Ofsted's own return dates; the home page link."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from homes_qa.actionplans.models import ACCEPT, ActionPlan, ActionPlanResponse, PlanStatus
from homes_qa.core import inspections as core
from homes_qa.core.calendar import london_date
from homes_qa.core.roles import Role
from homes_qa.core.timing import Timing
from homes_qa.extensions import db
from homes_qa.inspections.models import (
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
from homes_qa.inspections.policy import QA_ASSIGNEES, QPAG_READERS, READERS
from homes_qa.reg44.models import Reg44Report
from homes_qa.spine.access import visible_home_ids_query, visible_homes
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
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


def outcome_of(home_id: int) -> core.Outcome:
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


def home_summary(home_id: int, now: datetime) -> HomeSummary:
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
    return HomeSummary(outcome_of(home_id), judged, window, follow_ups, reviews_due)


def home_links(user: User, home: Home) -> list[dict[str, str]]:
    """For the home page: its Ofsted inspections and monitoring reviews, for those who may see them."""
    if user.role not in READERS:
        return []
    return [{"href": url_for("inspections.index", home_id=home.id), "text": "Ofsted inspections",
             "hint": "judgements, requirements and their actions, and the monitoring reviews they set"},
            {"href": url_for("inspections.actions", home=home.id), "text": "Action list",
             "hint": "every action of the home's Ofsted inspections and Reg 44 action plans"}]


def homes_for_filter(user: User) -> list[tuple[int, str]]:
    return [(home.id, home.name) for home in visible_homes(user)]


# ---------------------------------------------------------------- the combined action list

ACTION_SOURCES = {"inspection": "Ofsted inspection", "reg44": "Reg 44 action plan", "qpag": "QPAG",
                  "qa_review": "QA review"}
ACTION_STATUSES = {"open": "Open", "completed": "Completed", "all": "All"}
ACTION_LIST_LIMIT = 500
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
        return cls(home=int(home) if home.isdigit() and len(home) < 10 else None,
                   source=source if source in ACTION_SOURCES else None,
                   status=status if status in ACTION_STATUSES else "open",
                   overdue=args.get("overdue") == "1", owner=args.get("owner", "").strip()[:OWNER_FILTER_MAX])


@dataclass(frozen=True)
class ActionRow:
    source: str
    home_id: int
    home_name: str
    text: str
    owner: str
    due_on: date | None
    completed_on: date | None
    href: str

    @property
    def is_open(self) -> bool:
        return self.completed_on is None

    def overdue_on(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


def _contains(text: str) -> str:
    """A LIKE pattern matching the text anywhere, with the user's % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def combined_actions(user: User, filters: ActionFilters, now: datetime,
                     limit: int | None = ACTION_LIST_LIMIT) -> tuple[list[ActionRow], bool]:
    """Every action of Ofsted inspections and approved Reg 44 action plans in the homes the user
    sees, filtered; most overdue first. Two queries whatever the number of homes. Returns the rows
    (at most `limit`; None for every one, as the CSV export) and whether more were left off."""
    fetch = None if limit is None else limit + 1
    today = london_date(now)
    visible = visible_home_ids_query(user)
    rows: list[ActionRow] = []
    if filters.source in (None, "inspection"):
        stmt = (select(InspectionItem, Home.name, User.name).join(Home, Home.id == InspectionItem.home_id)
                .join(User, User.id == InspectionItem.owner_id).where(InspectionItem.home_id.in_(visible)))
        if filters.home is not None:
            stmt = stmt.where(InspectionItem.home_id == filters.home)
        if filters.status != "all":
            stmt = stmt.where(InspectionItem.status == filters.status)
        if filters.overdue:
            stmt = stmt.where(InspectionItem.status == ActionStatus.OPEN, InspectionItem.due_on < today)
        if filters.owner:
            stmt = stmt.where(User.name.ilike(_contains(filters.owner), escape="\\"))
        for item, home_name, owner in db.session.execute(stmt.limit(fetch)):
            rows.append(ActionRow("inspection", item.home_id, home_name, item.action, owner, item.due_on,
                                  item.completed_on,
                                  url_for("inspections.detail", inspection_id=item.inspection_id)))
    if filters.source in (None, "reg44"):
        r_stmt = (select(ActionPlanResponse, Home.name, Reg44Report.visit_id)
                  .join(ActionPlan, ActionPlan.id == ActionPlanResponse.plan_id)
                  .join(Reg44Report, Reg44Report.id == ActionPlan.report_id)
                  .join(Home, Home.id == ActionPlanResponse.home_id)
                  .where(ActionPlanResponse.home_id.in_(visible), ActionPlan.status == PlanStatus.APPROVED,
                         ActionPlanResponse.decision == ACCEPT))
        if filters.home is not None:
            r_stmt = r_stmt.where(ActionPlanResponse.home_id == filters.home)
        if filters.status == "open" or filters.overdue:
            r_stmt = r_stmt.where(ActionPlanResponse.completed_on.is_(None))
        elif filters.status == "completed":
            r_stmt = r_stmt.where(ActionPlanResponse.completed_on.is_not(None))
        if filters.overdue:
            r_stmt = r_stmt.where(ActionPlanResponse.due_on < today)
        if filters.owner:
            r_stmt = r_stmt.where(ActionPlanResponse.owner.ilike(_contains(filters.owner), escape="\\"))
        for response, home_name, visit_id in db.session.execute(r_stmt.limit(fetch)):
            rows.append(ActionRow("reg44", response.home_id, home_name, response.action, response.owner,
                                  response.due_on, response.completed_on,
                                  url_for("actionplans.plan", visit_id=visit_id)))
    if filters.source in (None, "qpag") and user.role in QPAG_READERS:
        q_stmt = (select(QpagAction, Home.name, User.name).outerjoin(Home, Home.id == QpagAction.home_id)
                  .join(User, User.id == QpagAction.owner_id)
                  .where(QpagAction.home_id.is_(None) | QpagAction.home_id.in_(visible)))
        if filters.home is not None:
            q_stmt = q_stmt.where(QpagAction.home_id == filters.home)
        if filters.status != "all":
            q_stmt = q_stmt.where(QpagAction.status == filters.status)
        if filters.overdue:
            q_stmt = q_stmt.where(QpagAction.status == ActionStatus.OPEN, QpagAction.due_on < today)
        if filters.owner:
            q_stmt = q_stmt.where(User.name.ilike(_contains(filters.owner), escape="\\"))
        for qpag, home_name, owner in db.session.execute(q_stmt.limit(fetch)):
            rows.append(ActionRow("qpag", qpag.home_id or 0, home_name or "The whole service", qpag.text, owner,
                                  qpag.due_on, qpag.completed_on, url_for("inspections.qpag")))
    if filters.source in (None, "qa_review"):
        rows.extend(_qa_review_action_rows(visible, filters, today))
    rows.sort(key=lambda r: (not r.overdue_on(today), not r.is_open, r.due_on or date.max, r.home_name))
    if limit is None:
        return rows, False
    return rows[:limit], len(rows) > limit


# ---------------------------------------------------------------- QPAG action tracker

QPAG_RULE = "qpag_action_complete"


def qpag_actions(user: User, *, status: str = "open") -> list[QpagAction]:
    """The tracker: service-wide actions and those of the homes the user sees (two queries)."""
    stmt = (select(QpagAction).options(selectinload(QpagAction.owner), selectinload(QpagAction.home))
            .where(QpagAction.home_id.is_(None) | QpagAction.home_id.in_(visible_home_ids_query(user)))
            .order_by(QpagAction.due_on, QpagAction.id))
    if status in (ActionStatus.OPEN, ActionStatus.COMPLETED):
        stmt = stmt.where(QpagAction.status == status)
    return list(db.session.scalars(stmt.limit(ACTION_LIST_LIMIT)))


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
    in the homes the user sees (one query)."""
    return list(db.session.scalars(select(Obligation).where(
        Obligation.status == ObligationStatus.OPEN, or_(
            Obligation.rule_code == DIP_SAMPLE_RULE,
            (Obligation.rule_code == FULL_AUDIT_RULE) & Obligation.home_id.in_(visible_home_ids_query(user))))
        .order_by(Obligation.due_at, Obligation.id)))


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


def _qa_review_action_rows(visible, filters: ActionFilters, today: date) -> list[ActionRow]:
    """The actions of QA review plans QPAG agreed, in the homes the user sees (one query)."""
    stmt = (select(QaReviewAction, Home.name, User.name).join(QaReview, QaReview.id == QaReviewAction.review_id)
            .join(Home, Home.id == QaReviewAction.home_id).join(User, User.id == QaReviewAction.owner_id)
            .where(QaReviewAction.home_id.in_(visible), QaReview.plan_agreed_on.is_not(None)))
    if filters.home is not None:
        stmt = stmt.where(QaReviewAction.home_id == filters.home)
    if filters.status != "all":
        stmt = stmt.where(QaReviewAction.status == filters.status)
    if filters.overdue:
        stmt = stmt.where(QaReviewAction.status == ActionStatus.OPEN, QaReviewAction.due_on < today)
    if filters.owner:
        stmt = stmt.where(User.name.ilike(_contains(filters.owner), escape="\\"))
    return [ActionRow("qa_review", action.home_id, home_name, action.text, owner, action.due_on, action.completed_on,
                      url_for("inspections.qa_review_action_complete", qa_review_action_id=action.id))
            for action, home_name, owner in db.session.execute(stmt.limit(ACTION_LIST_LIMIT + 1))]
