"""Regulation 44 reads for pages: reports and versions, distribution, the deadlines a visit carries,
the dashboard month, the 12-month register and each visitor's workload."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from homes_qa.core.calendar import london_date
from homes_qa.core.drift import DriftState, classify
from homes_qa.core.escalation import ladder_from_list
from homes_qa.core.roles import SEES_ALL_HOMES, Role
from homes_qa.core.timing import Period, Timing, due_for_period, period_containing
from homes_qa.extensions import db
from homes_qa.reg44.models import (
    Distribution,
    Opinion,
    Reg44Recommendation,
    Reg44Report,
    Reg44Visit,
    ReportStatus,
    VisitStatus,
)
from homes_qa.reg44.policy import visits_visible_to
from homes_qa.spine.access import (
    obligation_visible_clause,
    viewer,
    viewer_home_ids,
    viewer_id,
    visible_home_ids_query,
    visible_homes_select,
)
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.obligations.service import scope_key
from homes_qa.spine.paging import Page, paged
from homes_qa.spine.people.models import Assignment, Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import rule_by_code
from homes_qa.spine.timestamps import utcnow

VISIT_RULE = "reg44_visit"


REPORT_RULE = "reg44_report_complete"  # the visitor's report, 2 weeks after the visit
REPORT_RULES = ("reg44_report_complete", "reg44_report_sent", "reg44_report_statutory")
STATUTORY_RULE = "reg44_report_statutory"  # reg 44(7): the visitor provides the copies


FEEDBACK_RULES = ("young_people_feedback_pre_visit", "professional_feedback_pre_visit")


RECOMMENDATION_RULE = "reg44_recommendation_response"


def visit_key(visit: Reg44Visit | MonthVisit) -> str:
    return f"visit:{visit.id}"


def recommendation_key(recommendation: Reg44Recommendation) -> str:
    return f"rec:{recommendation.id}"


def _today(now: datetime) -> date:
    return london_date(now)


def latest_report(visit: Reg44Visit) -> Reg44Report | None:
    return visit.reports[-1] if visit.reports else None


def latest_submitted(visit: Reg44Visit) -> Reg44Report | None:
    submitted = [r for r in visit.reports if r.is_locked]
    return submitted[-1] if submitted else None


def current_draft(visit: Reg44Visit) -> Reg44Report | None:
    report = latest_report(visit)
    return report if report is not None and not report.is_locked else None


def report_version(visit: Reg44Visit, version: int) -> Reg44Report | None:
    return next((r for r in visit.reports if r.version == version), None)


def distributions(visit: Reg44Visit) -> list[Distribution]:
    ids = [r.id for r in visit.reports]
    if not ids:
        return []
    return list(db.session.scalars(select(Distribution).where(Distribution.report_id.in_(ids))
                                   .order_by(Distribution.sent_on, Distribution.id)))


def recorded_by_names(entries: list[Distribution]) -> dict[int, str]:
    ids = {e.recorded_by_id for e in entries}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def visit_obligations(visit: Reg44Visit, user: User) -> list[Obligation]:
    """The deadlines this visit carries (report, sending, feedback), as the user may see them."""
    stmt = select(Obligation).where(Obligation.home_id == visit.home_id,
                                    Obligation.period_key == visit_key(visit),
                                    Obligation.subject_type == "Reg44Visit",
                                    Obligation.subject_id == visit.id)
    stmt = stmt.where(obligation_visible_clause(user))
    return list(db.session.scalars(stmt.order_by(Obligation.due_at)))


def state_of(obligation: Obligation, now: datetime) -> DriftState:
    return classify(obligation.due_at, now, obligation.ladder_value, obligation.due_soon_days,
                    met_at=obligation.met_at, waived=obligation.status == ObligationStatus.WAIVED)


# The statements below are built once, at import, and run with their values bound (issue 13):
# building a select tree and its cache key cost more Python than SQLite takes to answer it.
_HOME_IDS: BindParameter[list[int]] = bindparam("home_ids", expanding=True)

_OPEN_RECOMMENDATIONS_BY_VISIT = (
    select(Reg44Report.visit_id, func.count(Obligation.id))
    .join(Reg44Recommendation, Reg44Recommendation.report_id == Reg44Report.id)
    .join(Obligation, (Obligation.rule_code == RECOMMENDATION_RULE)
          & (Obligation.subject_type == "Reg44Recommendation")
          & (Obligation.subject_id == Reg44Recommendation.id))
    .where(Obligation.status == ObligationStatus.OPEN, Obligation.home_id.in_(_HOME_IDS))
    .group_by(Reg44Report.visit_id))


def open_recommendations_by_visit(home_ids: list[int]) -> dict[int, int]:
    """visit id -> number of recommendations whose response deadline is still open."""
    if not home_ids:
        return {}
    return dict(db.session.execute(_OPEN_RECOMMENDATIONS_BY_VISIT, {"home_ids": home_ids}).all())


def report_status_label(visit: Reg44Visit) -> str:
    return report_status_words(visit.status, visit.reports)


def report_status_words(visit_status: str, reports: Sequence[Reg44Report | ReportVersion]) -> str:
    """The report's state in words, from the visit's status and its report's versions (oldest first)."""
    if visit_status != VisitStatus.RECORDED:
        return "Visit not yet made"
    if not reports:
        return "Not started"
    report = reports[-1]
    if report.is_locked:
        words = "Submitted" if report.version == 1 else f"Submitted (version {report.version})"
        if report.checked_at is not None:
            words += ", checked and sent"
        return words
    if any(r.is_locked for r in reports):
        return f"Correction in draft (version {report.version})"
    return "Draft"


@dataclass(slots=True)
class MonthVisit:
    """A visit as the month's summaries show it: its dates, kind and visitor (not its notes, which
    these pages do not show), with its home for the first page's "Write the report for ...". """

    id: int
    home_id: int
    visitor_id: int
    status: str
    planned_for: date | None
    announced: bool
    visited_on: date | None
    home: Home


class LastVisit(NamedTuple):
    """A home's latest recorded visit, as the summaries link it."""

    id: int
    visited_on: date | None


class Deadline(NamedTuple):
    """An obligation as a summary shows it: when it is due and its drift state's inputs."""

    key: str
    home_id: int | None
    due_at: datetime
    ladder: list
    due_soon_days: int
    met_at: datetime | None
    status: str

    def state(self, now: datetime) -> DriftState:
        return classify(self.due_at, now, ladder_from_list(self.ladder), self.due_soon_days,
                        met_at=self.met_at, waived=self.status == ObligationStatus.WAIVED)


@dataclass
class HomeMonth:
    """One home's Reg 44 position this month, as shown on the dashboard and home page."""

    home: Home
    month_label: str
    due_at: datetime
    state: DriftState
    recorded: list[MonthVisit] = field(default_factory=list)  # visits made this month
    planned: list[MonthVisit] = field(default_factory=list)   # plans the user may see
    last_visit: LastVisit | None = None
    open_recommendations: int = 0
    reports_to_write: list[MonthVisit] = field(default_factory=list)
    # Each report to write: its deadline and drift state, by visit id.
    report_deadlines: dict[int, tuple[datetime, DriftState]] = field(default_factory=dict)
    latest_report: LatestOpinions | None = None  # the latest submitted report: its two opinions

    @property
    def has_concerns(self) -> bool:
        return opinions_of_concern(self.latest_report)


_DEADLINE_COLUMNS = (Obligation.home_id, Obligation.due_at, Obligation.ladder, Obligation.due_soon_days,
                     Obligation.met_at, Obligation.status)

# Found by the obligation's own key (rule, scope, period: the unique index), one row per home,
# rather than through the home index, which walks every month of the home's history.
_MONTH_OBLIGATIONS = select(Obligation.period_key, *_DEADLINE_COLUMNS).where(
    Obligation.rule_code == VISIT_RULE, Obligation.scope_key.in_(bindparam("scope_keys", expanding=True)),
    Obligation.period_key == bindparam("period_key"))


def _month_obligations(rule: Rule, homes: list[Home], key: str) -> dict[int | None, Deadline]:
    if not homes:
        return {}
    rows = db.session.execute(_MONTH_OBLIGATIONS, {
        "scope_keys": [scope_key(rule, home) for home in homes], "period_key": key})
    return {row.home_id: Deadline(*row) for row in rows}


def _unsubmitted_clause():
    """Recorded visits with no submitted version of the report yet."""
    submitted = select(Reg44Report.id).where(Reg44Report.visit_id == Reg44Visit.id,
                                             Reg44Report.status == ReportStatus.SUBMITTED)
    return (Reg44Visit.status == VisitStatus.RECORDED) & ~submitted.exists()


def _homes_with_reports_to_write(home_ids: Select[int] | BindParameter[list[int]]) -> Select[int]:
    """Of these homes, those with a recorded visit whose report is not yet submitted: those with
    more recorded visits than first versions submitted. A report is written only for a recorded
    visit, in the visit's home; its first version is submitted before any other version exists and
    never goes back to draft: so the two counts are equal exactly when every recorded visit of the
    home has a submitted report. Two counts of index ranges per home, read in order, instead of a
    look-up into the reports for every visit of the history (which `_unsubmitted_clause` then
    makes only in the homes that have one to write)."""
    recorded = aliased(Reg44Visit, name="recorded_visit")
    first = aliased(Reg44Report, name="first_version")
    visits = (select(func.count()).select_from(recorded)
              .where(recorded.home_id == Home.id, recorded.status == VisitStatus.RECORDED)
              .correlate(Home).scalar_subquery())
    submitted = (select(func.count()).select_from(first)
                 .where(first.home_id == Home.id, first.status == ReportStatus.SUBMITTED, first.version == 1)
                 .correlate(Home).scalar_subquery())
    return select(Home.id).where(Home.id.in_(home_ids), visits > submitted)


_VISIT_COLUMNS = (Reg44Visit.id, Reg44Visit.home_id, Reg44Visit.visitor_id, Reg44Visit.status,
                  Reg44Visit.planned_for, Reg44Visit.announced, Reg44Visit.visited_on)
_CURRENT, _TO_WRITE = 1, 2  # why a row of `_month_visits` is there


@cache
def _month_visits(role: str) -> CompoundSelect:
    """This month's (and planned) visits of the homes, and those with the reports still to write,
    for anyone of the role (the person and the month bound when it is run): built once per role.

    Three parts, each a range of the (home, status, day) index: the planned visits, those made
    this month and the recorded ones with no submitted report. A visit made this month whose
    report is not submitted comes twice, once as each."""
    visible = visits_visible_to(role).with_only_columns(*_VISIT_COLUMNS).where(Reg44Visit.home_id.in_(_HOME_IDS))
    current, to_write = literal_column(str(_CURRENT), Integer), literal_column(str(_TO_WRITE), Integer)
    planned = visible.where(Reg44Visit.status == VisitStatus.PLANNED).add_columns(current.label("why"))
    made = visible.where(Reg44Visit.status == VisitStatus.RECORDED,
                         Reg44Visit.visited_on.between(bindparam("start"), bindparam("end"))).add_columns(current)
    writing = visible.where(Reg44Visit.home_id.in_(_homes_with_reports_to_write(_HOME_IDS)), _unsubmitted_clause())
    if role == Role.REG44_VISITOR:
        writing = writing.where(Reg44Visit.visitor_id == viewer_id())
    return union_all(planned, made, writing.add_columns(to_write))


@cache  # built on first use, not at import: aliases configure the mappers, which need every model
def _home_positions() -> Select[int, int, int | None, date | None, int | None, date | None, str | None, str | None]:
    """Built once (issue 13): every first page and Reg 44 page asks it, and building it cost more
    than running it. Per home: open recommendations, the latest recorded visit and the latest submitted report
    (each found by walking the home's (home, status, day) index back from its newest visit, not by
    grouping its whole history), one row per submitted version of that report, oldest first."""
    def newest(visit, *conditions):
        return (select(visit.id).where(visit.home_id == Home.id, visit.status == VisitStatus.RECORDED,
                                       visit.visited_on.is_not(None), *conditions)
                .order_by(visit.visited_on.desc(), visit.id.desc()).limit(1).correlate(Home).scalar_subquery())
    recorded, reported = aliased(Reg44Visit, name="recorded"), aliased(Reg44Visit, name="reported")
    submitted = select(Reg44Report.id).where(Reg44Report.visit_id == reported.id,
                                             Reg44Report.status == ReportStatus.SUBMITTED).exists()
    open_recommendations = (select(func.count(Obligation.id)).where(
        Obligation.home_id == Home.id, Obligation.rule_code == RECOMMENDATION_RULE,
        Obligation.status == ObligationStatus.OPEN).correlate(Home).scalar_subquery())
    per_home = (select(Home.id.label("home_id"), open_recommendations.label("open_recommendations"),
                       newest(recorded).label("last_id"), newest(reported, submitted).label("reported_id"))
                .where(Home.id.in_(_HOME_IDS)).subquery("per_home"))
    last, report_visit = aliased(Reg44Visit, name="last_visit"), aliased(Reg44Visit, name="report_visit")
    return (select(per_home.c.home_id, per_home.c.open_recommendations, last.id, last.visited_on,
                   report_visit.id, report_visit.visited_on,
                   Reg44Report.safeguarded_opinion, Reg44Report.wellbeing_opinion)
            .select_from(per_home)
            .outerjoin(last, last.id == per_home.c.last_id)
            .outerjoin(report_visit, report_visit.id == per_home.c.reported_id)
            .outerjoin(Reg44Report, (Reg44Report.visit_id == per_home.c.reported_id)
                       & (Reg44Report.status == ReportStatus.SUBMITTED))
            .order_by(per_home.c.home_id, Reg44Report.version))


class HomePosition(NamedTuple):
    open_recommendations: int
    last_visit: LastVisit | None
    latest_report: LatestOpinions | None


def home_positions(user: User, home_ids: list[int]) -> dict[int, HomePosition]:
    """Each home's open recommendations, latest recorded visit and latest submitted report (the
    newest version for the most recent visit that has one; never for home staff, who do not see
    Reg 44 reports). One query whatever the history."""
    if not home_ids:
        return {}
    sees_reports = user.role != Role.HOME_STAFF
    found: dict[int, HomePosition] = {}
    # ascending by version: the last row seen per home is its newest
    for home_id, open_recs, last_id, last_on, reported_id, reported_on, safeguarded, wellbeing in db.session.execute(
            _home_positions(), {"home_ids": home_ids}):
        latest = (LatestOpinions(reported_id, reported_on, safeguarded, wellbeing)
                  if sees_reports and reported_id is not None else None)
        found[home_id] = HomePosition(open_recs or 0, LastVisit(last_id, last_on) if last_id is not None else None,
                                      latest)
    return found


_REPORT_DEADLINES = select(*_DEADLINE_COLUMNS).add_columns(Obligation.period_key).where(
    Obligation.rule_code == REPORT_RULE, Obligation.home_id.in_(_HOME_IDS),
    Obligation.period_key.in_(bindparam("period_keys", expanding=True)))


def home_summaries(user: User, homes: list[Home], now: datetime | None = None, *,
                   rule: Rule | None = None, with_report_deadlines: bool = True) -> list[HomeMonth]:
    """This month's visit due, the latest visit, open recommendations, per home.

    A fixed number of queries whatever the history: the month's visit obligations, this month's
    and planned visits with the reports not yet submitted, each home's latest visit, report and
    counts, and the reports' deadlines. `with_report_deadlines` False: the caller reads those
    deadlines its own way (the first page), so not here too.
    """
    now = now or utcnow()
    if not homes:
        return []
    home_ids = [h.id for h in homes]
    by_id = {h.id: h for h in homes}
    rule = rule or rule_by_code(VISIT_RULE)  # `rule`: the visit rule, if the caller has read it
    period = period_containing(rule.timing_value, now)
    due = due_for_period(period)
    month_obligations = _month_obligations(rule, homes, period.key)
    # One read for this month's (and planned) visits and the reports still to write.
    visits: dict[int, MonthVisit] = {}
    why: dict[int, set[int]] = {}
    for visit_id, home_id, visitor_id, status, planned_for, announced, visited_on, reason in db.session.execute(
            _month_visits(user.role), {**viewer(user), "home_ids": home_ids, "start": period.start,
                                       "end": period.end}):
        if visit_id not in visits:
            visits[visit_id] = MonthVisit(visit_id, home_id, visitor_id, status, planned_for, announced, visited_on,
                                          by_id[home_id])
        why.setdefault(visit_id, set()).add(reason)
    current = sorted((v for v in visits.values() if _CURRENT in why[v.id]),
                     key=lambda v: (v.visited_on or date.min, v.planned_for or date.min, v.id))
    to_write = sorted((v for v in visits.values() if _TO_WRITE in why[v.id]),
                      key=lambda v: (v.visited_on or date.min, v.id))
    positions = home_positions(user, home_ids)
    deadlines: dict[int, tuple[datetime, DriftState]] = {}
    if to_write and with_report_deadlines:
        keys = {visit_key(v): v.id for v in to_write}
        for *columns, key in db.session.execute(_REPORT_DEADLINES, {"home_ids": home_ids, "period_keys": list(keys)}):
            deadline = Deadline(key, *columns)
            deadlines[keys[key]] = (deadline.due_at, deadline.state(now))
    summaries = []
    label = f"{period.start:%B %Y}" if period.start.day == 1 else period.key
    # The homes' month obligations mostly share their due time and ladder: each state worked out once.
    states: dict[tuple | None, DriftState] = {}
    for home in homes:
        obligation = month_obligations.get(home.id)
        if obligation is not None:
            key = (obligation.due_at, repr(obligation.ladder), obligation.due_soon_days, obligation.met_at,
                   obligation.status)
            state, due_at = states.get(key) or states.setdefault(key, obligation.state(now)), obligation.due_at
        else:
            if None not in states:
                states[None] = classify(due, now, rule.ladder_value, rule.due_soon_days)
            state, due_at = states[None], due
        mine = [v for v in current if v.home_id == home.id]
        position = positions.get(home.id)
        summaries.append(HomeMonth(
            home=home, month_label=label, due_at=due_at, state=state,
            recorded=[v for v in mine if v.status == VisitStatus.RECORDED],
            planned=sorted([v for v in mine if v.status == VisitStatus.PLANNED],
                           key=lambda v: v.planned_for or date.max),
            last_visit=position.last_visit if position else None,
            open_recommendations=position.open_recommendations if position else 0,
            reports_to_write=[v for v in to_write if v.home_id == home.id],
            report_deadlines={v.id: deadlines[v.id] for v in to_write if v.home_id == home.id and v.id in deadlines},
            latest_report=position.latest_report if position else None))
    return summaries


CONCERN_OPINIONS = (Opinion.NO, Opinion.CONCERNS)


class LatestOpinions(NamedTuple):
    """A home's latest submitted report as the pages show it: its two statutory opinions and the
    visit it reports on (not the report's narratives, which these pages do not show)."""

    visit_id: int
    visited_on: date | None
    safeguarded_opinion: str | None
    wellbeing_opinion: str | None


def opinions_of_concern(report: LatestOpinions | None) -> bool:
    """A "No" or "Yes, with concerns" on either statutory opinion."""
    return report is not None and (report.safeguarded_opinion in CONCERN_OPINIONS
                                   or report.wellbeing_opinion in CONCERN_OPINIONS)


def latest_reports(user: User, home_ids: list[int]) -> dict[int, LatestOpinions]:
    """Each home's latest submitted report: the newest version for the most recent visit that has
    one. Never for home staff (they do not see Reg 44 reports). One query whatever the history."""
    if user.role == Role.HOME_STAFF:
        return {}
    return {home_id: position.latest_report for home_id, position in home_positions(user, home_ids).items()
            if position.latest_report is not None}


class ReportVersion(NamedTuple):
    """A version of a visit's report as the register reads it: its state and opinions, not its text."""

    version: int
    status: str
    checked_at: datetime | None
    safeguarded_opinion: str | None
    wellbeing_opinion: str | None

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.SUBMITTED


@dataclass(slots=True)
class RegisterEntry:
    """A recorded visit as the register lists it, with its report's versions (oldest first)."""

    id: int
    visited_on: date | None
    announced: bool
    status: str
    reports: list[ReportVersion] = field(default_factory=list)


@dataclass
class RegisterVisit:
    visit: RegisterEntry
    report_status: str
    report: ReportVersion | None  # latest submitted version
    open_recommendations: int


@dataclass
class RegisterMonth:
    start: date
    label: str
    state: DriftState | None  # the month's visit obligation, if one was made
    visits: list[RegisterVisit]


@cache
def _register_visits(role: str) -> Select[int, date | None, bool, str, int | None, str | None, datetime | None,
                                          str | None, str | None]:
    """A home's visits recorded since a day, each with its report's versions (their state and
    opinions, not their text), for anyone of the role (the person, home and day bound when it is
    run): built once per role."""
    return (visits_visible_to(role)
            .with_only_columns(Reg44Visit.id, Reg44Visit.visited_on, Reg44Visit.announced, Reg44Visit.status,
                               Reg44Report.version, Reg44Report.status, Reg44Report.checked_at,
                               Reg44Report.safeguarded_opinion, Reg44Report.wellbeing_opinion)
            .select_from(Reg44Visit).outerjoin(Reg44Report, Reg44Report.visit_id == Reg44Visit.id)
            .where(Reg44Visit.home_id == bindparam("home_id"), Reg44Visit.status == VisitStatus.RECORDED,
                   Reg44Visit.visited_on >= bindparam("oldest"))
            .order_by(Reg44Visit.visited_on, Reg44Visit.id, Reg44Report.version))


# A home's visit obligations of some months, by their own key (the unique index).
_MONTHS_OBLIGATIONS = select(Obligation.period_key, *_DEADLINE_COLUMNS).where(
    Obligation.rule_code == VISIT_RULE, Obligation.scope_key == bindparam("scope_key"),
    Obligation.period_key.in_(bindparam("period_keys", expanding=True)))


class PlannedVisit(NamedTuple):
    """A planned visit as the register lists it: when, whether announced, and by whom."""

    id: int
    planned_for: date | None
    announced: bool
    visitor_name: str


def planned_visits_seen_by(user: User, home: Home) -> list[PlannedVisit]:
    """The home's planned visits the user may see, soonest first, each with its visitor's name (the
    register names them): one query."""
    return [PlannedVisit(*row) for row in db.session.execute(_planned_visits(user.role),
                                                             {**viewer(user), "home_id": home.id})]


@cache
def _planned_visits(role: str) -> Select[int, date | None, bool, str]:
    return (visits_visible_to(role)
            .with_only_columns(Reg44Visit.id, Reg44Visit.planned_for, Reg44Visit.announced, User.name)
            .join(User, User.id == Reg44Visit.visitor_id)
            .where(Reg44Visit.home_id == bindparam("home_id"), Reg44Visit.status == VisitStatus.PLANNED)
            .order_by(Reg44Visit.planned_for, Reg44Visit.id))


def visit_rule() -> Rule:
    """The monthly visit rule (its timing makes the months), for a page that reads it once."""
    return rule_by_code(VISIT_RULE)


@lru_cache(maxsize=64)
def _periods_back(timing: Timing, day: date, months: int) -> tuple[Period, ...]:
    """The `months` periods of the cadence ending with the one containing the London day, newest
    first: the same all day, so worked out once (each step is calendar arithmetic)."""
    periods = []
    period = period_containing(timing, day)
    for _ in range(months):
        periods.append(period)
        period = period_containing(timing, period.start - timedelta(days=1))
    return tuple(periods)


def register(home: Home, user: User, now: datetime | None = None, months: int = 12, *,
             rule: Rule | None = None) -> list[RegisterMonth]:
    """The last `months` calendar months (newest first): each month's visits, reports and opinions."""
    now = now or utcnow()
    rule = rule or rule_by_code(VISIT_RULE)
    periods = _periods_back(rule.timing_value, london_date(now), months)
    oldest = periods[-1].start
    visits: dict[int, RegisterEntry] = {}
    for visit_id, visited_on, announced, status, version, report_status, checked_at, safeguarded, wellbeing in (
            db.session.execute(_register_visits(user.role), {**viewer(user), "home_id": home.id, "oldest": oldest})):
        visit = visits.get(visit_id)
        if visit is None:
            visit = visits[visit_id] = RegisterEntry(visit_id, visited_on, announced, status)
        if version is not None and report_status is not None:  # a version of its report
            visit.reports.append(ReportVersion(version, report_status, checked_at, safeguarded, wellbeing))
    obligations_by_key = {row.period_key: Deadline(*row) for row in db.session.execute(_MONTHS_OBLIGATIONS, {
        "scope_key": scope_key(rule, home), "period_keys": [p.key for p in periods]})}
    open_recs = open_recommendations_by_visit([home.id])
    rows = []
    for period in periods:
        obligation = obligations_by_key.get(period.key)
        in_month = [v for v in visits.values()
                    if v.visited_on is not None and period.start <= v.visited_on <= period.end]
        rows.append(RegisterMonth(
            start=period.start, label=f"{period.start:%B %Y}" if period.start.day == 1 else period.key,
            state=obligation.state(now) if obligation is not None else None,
            visits=[RegisterVisit(v, report_status_words(v.status, v.reports),
                                  next((r for r in reversed(v.reports) if r.is_locked), None),
                                  open_recs.get(v.id, 0))
                    for v in in_month]))
    return rows


@dataclass
class VisitorWorkload:
    visitor: User
    homes: list[WorkloadHome]
    visited_this_month: list[WorkloadHome]
    planned_this_month: int
    visits_this_month: int
    reports_outstanding: int
    reports_overdue: int

    @property
    def still_to_visit(self) -> list[WorkloadHome]:
        done = {h.id for h in self.visited_this_month}
        return [h for h in self.homes if h.id not in done]


def _visitor_assignments_clause(user: User) -> ColumnElement[bool]:
    """Assignments of active visitors that the user's workload counts: a visitor's own, a
    service manager's homes' visitors, everyone for senior roles (no home filter at all)."""
    clause = (User.role == Role.REG44_VISITOR) & User.active.is_(True)
    if user.role == Role.REG44_VISITOR:
        return clause & (Assignment.user_id == user.id)
    if not user.sees_all_homes:
        return clause & Assignment.home_id.in_(visible_home_ids_query(user))
    return clause


@cache
def _workload_homes(role: str) -> Select[int, int, str]:
    """The visitors' homes that the workload of someone of the role counts (`_visitor_assignments_clause`,
    the person bound when it is run): built once per role."""
    clause = (User.role == Role.REG44_VISITOR) & User.active.is_(True)
    if role == Role.REG44_VISITOR:
        clause = clause & (Assignment.user_id == viewer_id())
    elif role not in SEES_ALL_HOMES:
        clause = clause & Assignment.home_id.in_(viewer_home_ids())
    return (select(Assignment.user_id, Home.id, Home.name).join(Home, Home.id == Assignment.home_id)
            .join(User, User.id == Assignment.user_id)
            .where(Assignment.user_id.in_(bindparam("visitor_ids", expanding=True)), clause)
            .order_by(Home.name, Home.id))


_MADE, _PLANNED, _OUTSTANDING = 1, 2, 3  # why a row of `_workload_visits` is there


@cache  # built on first use (it reads the models' columns) and kept (issue 13)
def _workload_visits() -> CompoundSelect:
    """The visitors' visits that their workload counts, each part a range of the (visitor, status,
    day) index rather than every visit of theirs: the reports outstanding (recorded, none
    submitted) with each one's open deadline, the visits made this month and those planned for
    it. A visit made this month whose report is outstanding comes twice, once as each."""
    of_visitors = Reg44Visit.visitor_id.in_(bindparam("visitor_ids", expanding=True))
    why = lambda reason: literal_column(str(reason), Integer).label("why")  # noqa: E731
    # The open report deadline of each visit, found through its home (the index on home, rule and
    # status): compared with now in Python, so SQLite does not walk every open obligation by due date.
    report_due = select(func.min(Obligation.due_at)).where(
        Obligation.home_id == Reg44Visit.home_id, Obligation.rule_code == REPORT_RULE,
        Obligation.status == ObligationStatus.OPEN, Obligation.subject_type == "Reg44Visit",
        Obligation.subject_id == Reg44Visit.id).scalar_subquery()
    # First: its columns' types read the rows (the deadline is an instant, NULL in the others).
    outstanding = select(why(_OUTSTANDING), Reg44Visit.visitor_id, Reg44Visit.home_id,
                         report_due.label("report_due")).where(
        of_visitors, _unsubmitted_clause(), Reg44Visit.home_id.in_(_homes_with_reports_to_write(
            select(Assignment.home_id).where(Assignment.user_id.in_(bindparam("visitor_ids", expanding=True))))))
    made = select(why(_MADE), Reg44Visit.visitor_id, Reg44Visit.home_id, null()).where(
        of_visitors, Reg44Visit.status == VisitStatus.RECORDED,
        Reg44Visit.visited_on.between(bindparam("start"), bindparam("end")))
    planned = select(why(_PLANNED), Reg44Visit.visitor_id, Reg44Visit.home_id, null()).where(
        of_visitors, Reg44Visit.status == VisitStatus.PLANNED,
        Reg44Visit.planned_for.between(bindparam("start"), bindparam("end")))
    return union_all(outstanding, made, planned)


class WorkloadHome(NamedTuple):
    """A home as the workload lists it: its name, linked to its register."""

    id: int
    name: str


def workload_page(user: User, now: datetime | None = None) -> tuple[list[VisitorWorkload], Page]:
    """The page of visitors `?page=` asks for (by name) with their workload: four queries (the
    page of visitors with its total, the rule, their homes, their visits), whatever the number
    of visitors, homes or visits."""
    in_scope = (select(Assignment.user_id).join(User, User.id == Assignment.user_id)
                .where(_visitor_assignments_clause(user)))
    visitors, page = paged(select(User).where(User.id.in_(in_scope)), User.name, User.id)
    return _workload(user, visitors, now or utcnow()), page


def visitor_workload(visitor: User, now: datetime | None = None, *, rule: Rule | None = None) -> VisitorWorkload | None:
    """A visitor's own workload across all their homes (the Reg 44 page's "this month" line),
    or None when they are assigned to no home. Three queries (two with `rule`, the visit rule
    if the caller has read it)."""
    rows = _workload(visitor, [visitor], now or utcnow(), rule) if visitor.role == Role.REG44_VISITOR else []
    return rows[0] if rows else None


def _workload(user: User, visitors: list[User], now: datetime, rule: Rule | None = None) -> list[VisitorWorkload]:
    """Per visitor across their homes: visits this month and reports outstanding.

    A visitor sees their own row; a service manager the visitors of their homes (counting
    those homes only); senior roles everyone. Only this month's and unfinished visits of these
    visitors are read: three queries (the rule, the visitors' homes, their visits).
    """
    if not visitors:
        return []
    rule = rule or rule_by_code(VISIT_RULE)
    period = period_containing(rule.timing_value, now)
    ids = [v.id for v in visitors]
    homes: dict[int, list[WorkloadHome]] = {visitor_id: [] for visitor_id in ids}
    for visitor_id, home_id, name in db.session.execute(_workload_homes(user.role), {**viewer(user), "visitor_ids": ids}):
        homes[visitor_id].append(WorkloadHome(home_id, name))
    visits = db.session.execute(_workload_visits(), {"visitor_ids": ids, "start": period.start,
                                                     "end": period.end}).all()
    rows = []
    for visitor in visitors:
        if not homes[visitor.id]:
            continue  # a visitor not (or no longer) assigned to any home in scope
        home_ids = {h.id for h in homes[visitor.id]}
        mine = [v for v in visits if v.visitor_id == visitor.id and v.home_id in home_ids]
        this_month = [v for v in mine if v.why == _MADE]
        outstanding = [v for v in mine if v.why == _OUTSTANDING]
        visited_ids = {v.home_id for v in this_month}
        rows.append(VisitorWorkload(
            visitor=visitor, homes=homes[visitor.id],
            visited_this_month=[h for h in homes[visitor.id] if h.id in visited_ids],
            planned_this_month=len([v for v in mine if v.why == _PLANNED]),
            visits_this_month=len(this_month), reports_outstanding=len(outstanding),
            reports_overdue=len([v for v in outstanding if v.report_due is not None and v.report_due < now])))
    return rows


def homes_page(user: User, q: str = "") -> tuple[list[Home], Page]:
    """The page of the user's homes `?page=` asks for on the Reg 44 page (by name, optionally those
    whose name or URN contains `q`): two queries."""
    return paged(visible_homes_select(user, q), Home.name, Home.id)


def home_panel(user: User, home: Home, now: datetime) -> HomeMonth | None:
    """For the home page: this month's Reg 44 position for the home, as the user may see it."""
    summaries = home_summaries(user, [home], now)
    return summaries[0] if summaries else None


# ---------------------------------------------------------------- the service manager's work queue

class ReportToCheck(NamedTuple):
    """A submitted report waiting for the service manager's check, as the work queue lists it."""

    visit_id: int
    home_name: str
    visited_on: date | None
    submitted_at: datetime | None
    version: int


def reports_to_check(user: User, limit: int = 100) -> list[ReportToCheck]:
    """Submitted reports (the newest version of each visit) not yet checked and sent, in the
    user's homes, oldest submission first. One query."""
    return [ReportToCheck(*row) for row in db.session.execute(
        _reports_to_check(user.role), {**viewer(user), "limit": limit})]


@cache
def _reports_to_check(role: str) -> Select[int, str, date | None, datetime | None, int]:
    """Built once per role (issue 13), the person bound when it is run."""
    visits = visits_visible_to(role).subquery()
    # Only the user's visits are grouped (not every report ever submitted): bounded by scope.
    newest = (select(Reg44Report.visit_id, func.max(Reg44Report.version).label("version"))
              .where(Reg44Report.status == ReportStatus.SUBMITTED, Reg44Report.visit_id.in_(select(visits.c.id)))
              .group_by(Reg44Report.visit_id).subquery())
    return (select(Reg44Visit.id, Home.name, Reg44Visit.visited_on, Reg44Report.submitted_at, Reg44Report.version)
            .join(Reg44Report, Reg44Report.visit_id == Reg44Visit.id)
            .join(newest, (newest.c.visit_id == Reg44Report.visit_id) & (newest.c.version == Reg44Report.version))
            .join(Home, Home.id == Reg44Visit.home_id)
            .where(Reg44Visit.id.in_(select(visits.c.id)), Reg44Report.checked_at.is_(None))
            .order_by(Reg44Report.submitted_at, Reg44Report.id).limit(bindparam("limit")))


def planned_visits(home: Home, *, besides: Reg44Visit | None = None, limit: int = 24) -> list[Reg44Visit]:
    """The home's visits still planned (soonest first), other than `besides`."""
    query = select(Reg44Visit).where(Reg44Visit.home_id == home.id, Reg44Visit.status == VisitStatus.PLANNED)
    if besides is not None and besides.id is not None:
        query = query.where(Reg44Visit.id != besides.id)
    return list(db.session.scalars(query.order_by(Reg44Visit.planned_for, Reg44Visit.id).limit(limit)))


@dataclass
class PreviousRecommendation:
    recommendation: Reg44Recommendation
    status: str  # the registered person's response: open, met, met late or waived


def previous_recommendations(visit: Reg44Visit) -> tuple[Reg44Visit | None, list[PreviousRecommendation]]:
    """The home's previous recorded visit with a submitted report, and that report's (latest
    version's) recommendations with the state of each response. Three queries."""
    if visit.visited_on is None:
        return None, []
    has_report = select(Reg44Report.id).where(Reg44Report.visit_id == Reg44Visit.id,
                                              Reg44Report.status == ReportStatus.SUBMITTED).exists()
    previous = db.session.scalar(
        select(Reg44Visit).where(
            Reg44Visit.home_id == visit.home_id, Reg44Visit.status == VisitStatus.RECORDED,
            Reg44Visit.id != visit.id, has_report,
            or_(Reg44Visit.visited_on < visit.visited_on,
                (Reg44Visit.visited_on == visit.visited_on) & (Reg44Visit.id < visit.id)))
        .order_by(Reg44Visit.visited_on.desc(), Reg44Visit.id.desc()).limit(1))
    if previous is None:
        return None, []
    report = latest_submitted(previous)
    if report is None:
        return previous, []
    recs = list(report.recommendations)
    statuses = dict(db.session.execute(select(Obligation.period_key, Obligation.status).where(
        Obligation.rule_code == RECOMMENDATION_RULE, Obligation.home_id == visit.home_id,
        Obligation.period_key.in_([recommendation_key(r) for r in recs]))).all()) if recs else {}
    words: dict[str | None, str] = {ObligationStatus.OPEN: "Response awaited", ObligationStatus.MET: "Responded",
             ObligationStatus.MET_LATE: "Responded late", ObligationStatus.WAIVED: "Closed"}
    return previous, [PreviousRecommendation(r, words.get(statuses.get(recommendation_key(r)), "No deadline"))
                      for r in recs]
