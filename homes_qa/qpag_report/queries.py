"""QPAG report reads: the reports by month, and the month's facts drafted from the records.

`draft_facts` is a snapshot (stored in the report's `facts`), so a finalised report keeps what
the records said when it was drafted. Its query count is fixed whatever the number of homes or
the history: each source is one query over the month (the survey half-year, in June and December).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import load_only, selectinload

from homes_qa.core import qpag as core
from homes_qa.core.calendar import london_date, london_day_end, london_day_start
from homes_qa.core.drift import DriftState, classify
from homes_qa.core.escalation import ladder_from_list
from homes_qa.core.kpis import MEASURES, occupancy_percent, staff_retention_percent
from homes_qa.core.qa_reviews import FINDING_RAGS, review_kind
from homes_qa.core.roles import Role, role_label
from homes_qa.exceptions import queries as exceptions_queries
from homes_qa.exceptions.models import MonthlyKpi
from homes_qa.extensions import db
from homes_qa.feedback import queries as feedback_queries
from homes_qa.feedback.models import FeedbackAudience, FeedbackResponse
from homes_qa.inspections.models import QaReview, QaReviewHome, QaReviewStatus, QpagAction
from homes_qa.qpag_report.models import QpagReport, ReportStatus
from homes_qa.reg44.models import Opinion, Reg44Report, Reg44Visit, VisitStatus
from homes_qa.reg44.models import ReportStatus as Reg44ReportStatus
from homes_qa.spine.alerts.models import Alert, is_escalation
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, HomeStatus, User

RULE = "qpag_report_monthly"
STATUS_LABELS = {ReportStatus.DRAFT: "Draft", ReportStatus.FINAL: "Final"}
ADVERSE = (Opinion.NO, Opinion.CONCERNS)
FINDINGS_LIMIT = 600  # characters of the visitor's findings quoted per visit
LIST_LIMIT = 240  # twenty years of months


# ---------------------------------------------------------------- reports

def reports_by_month() -> list[tuple[date, list[QpagReport]]]:
    """Every month with a report, newest first, each with its versions newest first. One query
    (and its authors). Only the columns the list shows: each version's facts are a snapshot of
    every home (~100 KB at 100 homes), and decoding them all was most of the page (issue 13)."""
    rows = db.session.scalars(select(QpagReport).options(
        load_only(QpagReport.id, QpagReport.month, QpagReport.version, QpagReport.status, QpagReport.author_id,
                  raiseload=True), selectinload(QpagReport.author))
                              .order_by(QpagReport.month.desc(), QpagReport.version.desc()).limit(LIST_LIMIT * 3))
    months: dict[date, list[QpagReport]] = {}
    for report in rows:
        months.setdefault(report.month, []).append(report)
    return list(months.items())[:LIST_LIMIT]


def versions(month: date) -> list[QpagReport]:
    return list(db.session.scalars(select(QpagReport).where(QpagReport.month == month)
                                   .order_by(QpagReport.version)))


def latest(month: date) -> QpagReport | None:
    return db.session.scalar(select(QpagReport).where(QpagReport.month == month)
                             .order_by(QpagReport.version.desc()).limit(1))


def obligation_for(report: QpagReport) -> Obligation | None:
    """The `qpag_report_monthly` obligation the report meets: the following month's (the meeting
    that receives it), if it has been made."""
    meeting = core.meeting_month(core.month_of(report.month.year, report.month.month))
    return db.session.scalar(select(Obligation).where(
        Obligation.rule_code == RULE, Obligation.scope_key == "organisation", Obligation.period_key == meeting.key))


# ---------------------------------------------------------------- the reports waiting, for the first pages

WAITING_LIMIT = 12
WAITING_HORIZON = timedelta(days=91)  # as the exceptions grid's horizon


@dataclass
class Waiting:
    """A month's report still to draft or finalise: the `qpag_report_monthly` obligation it
    meets (None for a correction's draft once the obligation is met) and its latest version."""
    month: core.Month
    obligation: Obligation | None
    state: DriftState | None
    report: QpagReport | None

    @property
    def is_draft(self) -> bool:
        return self.report is not None and self.report.is_draft


def waiting(now: datetime) -> list[Waiting]:
    """The reports waiting for the service managers: each open `qpag_report_monthly` obligation
    whose report month has ended (or already has a draft), with where it stands and its draft;
    then any other draft (a correction). Earliest due first. Two queries, whatever the history."""
    today = london_date(now)
    open_obligations, reports = _waiting_statements()
    months: dict[date, Obligation] = {}
    for obligation in db.session.scalars(open_obligations, {"due_by": now + WAITING_HORIZON}):
        meeting = _meeting_of(obligation.period_key)
        if meeting is not None:
            months.setdefault(core.previous_month(meeting.first).first, obligation)
    latest_by_month: dict[date, QpagReport] = {}
    for report in db.session.scalars(reports, {"months": list(months)}):
        latest_by_month.setdefault(report.month, report)
    found: list[Waiting] = []
    for first, obligation in months.items():
        month = core.month_of(first.year, first.month)
        latest_report = latest_by_month.get(first)
        if month.last >= today and latest_report is None:
            continue  # the month is not over: nothing to draft yet
        state = classify(obligation.due_at, now, ladder_from_list(obligation.ladder), obligation.due_soon_days)
        found.append(Waiting(month, obligation, state, latest_report))
    for first, draft in latest_by_month.items():
        if first not in months and draft.is_draft:
            found.append(Waiting(core.month_of(first.year, first.month), None, None, draft))
    return found[:WAITING_LIMIT]


@cache
def _waiting_statements() -> tuple[Select[Obligation], Select[QpagReport]]:
    """`waiting`'s two statements, built once (the first pages of service managers and the head
    of service run them on every look) and run with the horizon and the months bound. A report
    is read without its facts and commentaries: the list shows its month, version and status."""
    open_obligations = (
        select(Obligation).where(Obligation.rule_code == RULE, Obligation.scope_key == "organisation",
                                 Obligation.status == ObligationStatus.OPEN,
                                 Obligation.due_at <= bindparam("due_by", type_=Obligation.due_at.type))
        .order_by(Obligation.due_at, Obligation.id).limit(WAITING_LIMIT))
    months = bindparam("months", type_=QpagReport.month.type, expanding=True)
    reports = (select(QpagReport).where(or_(QpagReport.month.in_(months), QpagReport.status == ReportStatus.DRAFT))
               .options(load_only(QpagReport.id, QpagReport.month, QpagReport.version, QpagReport.status,
                                  QpagReport.drafted_at))
               .order_by(QpagReport.month, QpagReport.version.desc()).limit(WAITING_LIMIT * 4))
    return open_obligations, reports


def _meeting_of(period_key: str | None) -> core.Month | None:
    """The meeting month of a monthly obligation's period key ("2026-11")."""
    text = period_key or ""
    if len(text) != 7 or text[4] != "-" or not (text.isascii() and text[:4].isdigit() and text[5:].isdigit()):
        return None
    year, month = int(text[:4]), int(text[5:])
    return core.month_of(year, month) if 1 <= month <= 12 else None


# ---------------------------------------------------------------- the facts drafted from the records

def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _reviews(month: core.Month) -> dict[str, Any]:
    """QA reviews (thematic reviews, dip samples, full audits) completed in the month."""
    reviews = db.session.scalars(
        select(QaReview).where(QaReview.status == QaReviewStatus.COMPLETED, QaReview.completed_on >= month.first,
                               QaReview.completed_on <= month.last)
        .options(selectinload(QaReview.homes).selectinload(QaReviewHome.home), selectinload(QaReview.assignee))
        .order_by(QaReview.completed_on, QaReview.id)).all()
    rows = []
    counts: dict[str, int] = {}
    for review in reviews:
        kind = review_kind(review.kind)
        label = kind.label if kind else review.kind
        counts[label] = counts.get(label, 0) + 1
        rows.append({"kind": label, "area": review.area, "completed_on": _iso(review.completed_on),
                     "assignee": review.assignee.name, "summary": review.summary,
                     "homes": [{"home": h.home.name, "rag": FINDING_RAGS.get(h.rag or "", "Not rated"),
                                "findings": h.findings} for h in review.homes]})
    return {"items": rows, "counts": counts}


def _reg44(month: core.Month, homes: list[Home]) -> dict[str, Any]:
    """Visits that took place in the month (never a planned one: reg 44(3)), each with the
    opinions and findings of its latest submitted report; adverse opinions first."""
    visits = db.session.scalars(
        select(Reg44Visit).where(Reg44Visit.status == VisitStatus.RECORDED, Reg44Visit.visited_on >= month.first,
                                 Reg44Visit.visited_on <= month.last)
        .options(selectinload(Reg44Visit.home), selectinload(Reg44Visit.visitor))
        .order_by(Reg44Visit.visited_on, Reg44Visit.id)).all()
    reports: dict[int, Reg44Report] = {}
    if visits:
        for found in db.session.scalars(select(Reg44Report).where(
                Reg44Report.visit_id.in_([v.id for v in visits]), Reg44Report.status == Reg44ReportStatus.SUBMITTED)):
            if found.visit_id not in reports or found.version > reports[found.visit_id].version:
                reports[found.visit_id] = found
    rows = []
    for visit in visits:
        report = reports.get(visit.id)
        row: dict[str, Any] = {"home": visit.home.name, "visited_on": _iso(visit.visited_on),
                               "visitor": visit.visitor.name, "announced": visit.announced,
                               "submitted": report is not None, "safeguarded": "No submitted report",
                               "wellbeing": "No submitted report", "findings": "", "judgement": "awaiting"}
        if report is not None:
            opinions = (report.safeguarded_opinion, report.wellbeing_opinion)
            row.update(safeguarded=Opinion.LABELS.get(report.safeguarded_opinion or "", "Not given"),
                       wellbeing=Opinion.LABELS.get(report.wellbeing_opinion or "", "Not given"),
                       findings=(report.findings or "")[:FINDINGS_LIMIT],
                       judgement=("adverse" if Opinion.NO in opinions
                                  else "concerns" if Opinion.CONCERNS in opinions
                                  else "good" if all(o == Opinion.YES for o in opinions) else "awaiting"))
        rows.append(row)
    order = {"adverse": 0, "concerns": 1, "good": 2, "awaiting": 3}
    rows.sort(key=lambda r: (order[r["judgement"]], r["visited_on"] or "", r["home"]))
    visited = {v.home_id for v in visits}
    return {"items": rows, "visits": len(rows), "submitted": sum(1 for r in rows if r["submitted"]),
            "adverse": sum(1 for r in rows if r["judgement"] == "adverse"),
            "concerns": sum(1 for r in rows if r["judgement"] == "concerns"),
            "good": sum(1 for r in rows if r["judgement"] == "good"),
            "not_visited": [h.name for h in homes if h.id not in visited]}


DERIVED_GROUPS = tuple(exceptions_queries.KPI_GROUPS)  # notifications, reg44_reports, audits


def _service_wide_reader() -> User:
    """Whose scope the derived KPIs are read in: the whole service, as the head of service sees
    it (every home, reg 44(3) not applying), whoever drafts the report. Never saved."""
    return User(role=Role.HEAD_OF_SERVICE, name="QPAG report", email="", active=True)


def _no_derived() -> dict[str, Any]:
    return {"percent": dict.fromkeys(DERIVED_GROUPS), "due": dict.fromkeys(DERIVED_GROUPS, 0),
            "on_time": dict.fromkeys(DERIVED_GROUPS, 0), "actions_overdue": 0, "late": 0,
            "average_days_late": None, "consecutive_misses": 0, "missed_rule": None}


def _derived_kpis(month: core.Month, now: datetime) -> dict[int, dict[str, Any]]:
    """Per home, the monthly KPI review's derived measures for the month, computed as the
    exceptions area's Monthly KPIs page does (exceptions.queries.monthly_kpis and
    consecutive_misses, over [the month's first day, the next month's first day) in London):
    Reg 44 reports, audits and notifications met on time (%), actions overdue at the month's
    end, average days late of what was met late, and the longest current run of missed
    deadlines of one rule. Four queries."""
    start = london_day_start(month.first)
    end = london_day_start(month.last + timedelta(days=1))
    reader = _service_wide_reader()
    misses = exceptions_queries.consecutive_misses(reader, now, end)
    result: dict[int, dict[str, Any]] = {}
    for kpis in exceptions_queries.monthly_kpis(reader, now, start, end):
        missed = misses.get(kpis.key)
        result[kpis.key] = {
            "percent": {group: kpis.percent(group) for group in DERIVED_GROUPS},
            "due": {group: kpis.due[group] for group in DERIVED_GROUPS},
            "on_time": {group: kpis.on_time[group] for group in DERIVED_GROUPS},
            "actions_overdue": kpis.actions_overdue, "late": kpis.late,
            "average_days_late": kpis.average_days_late,
            "consecutive_misses": missed.count if missed else 0, "missed_rule": missed.rule_title if missed else None}
    return result


def _kpis(month: core.Month, homes: list[Home], now: datetime) -> dict[str, Any]:
    """Each open home's entered monthly KPIs (Annex A) and its deadlines of the month met on time."""
    start, end = london_day_start(month.first), london_day_end(month.last)
    entered = {k.home_id: k for k in db.session.scalars(select(MonthlyKpi).where(MonthlyKpi.month == month.first))}
    deadlines: dict[int, list[int]] = {h.id: [0, 0] for h in homes}
    until = min(end, now)
    for home_id, on_time, count in db.session.execute(
            select(Obligation.home_id, Obligation.met_at <= Obligation.due_at, func.count(Obligation.id))
            .where(Obligation.home_id.in_([h.id for h in homes]), Obligation.status != ObligationStatus.WAIVED,
                   Obligation.due_at >= start, Obligation.due_at <= until)
            .group_by(Obligation.home_id, Obligation.met_at <= Obligation.due_at)):
        if home_id in deadlines:
            deadlines[home_id][0] += count
            if on_time:
                deadlines[home_id][1] += count
    derived = _derived_kpis(month, now)
    rows = []
    totals = dict.fromkeys((m.code for m in MEASURES), 0)
    for home in homes:
        kpi = entered.get(home.id)
        due, met = deadlines[home.id]
        row: dict[str, Any] = {"home": home.name, "entered": kpi is not None, "values": {},
                               "occupancy": None, "retention": None, "deadlines": due, "on_time": met,
                               "on_time_percent": core.percent(met, due),
                               "derived": derived.get(home.id, _no_derived())}
        if kpi is not None:
            row["values"] = {m.code: kpi.value(m.code) for m in MEASURES}
            row["occupancy"] = occupancy_percent(kpi.children_resident, home.registered_places)
            row["retention"] = staff_retention_percent(kpi.staff_at_start, kpi.staff_leavers)
            for code, value in row["values"].items():
                totals[code] += value
        rows.append(row)
    due_all = sum(r["deadlines"] for r in rows)
    met_all = sum(r["on_time"] for r in rows)
    return {"items": rows, "totals": totals, "entered": sum(1 for r in rows if r["entered"]),
            "deadlines": due_all, "on_time": met_all, "on_time_percent": core.percent(met_all, due_all),
            "not_entered": [r["home"] for r in rows if not r["entered"]]}


def _escalations(month: core.Month) -> dict[str, Any]:
    """Alerts that reached an escalation level in the month, and QPAG actions the chair
    escalated to CSLT in the month (§8.8)."""
    start, end = london_day_start(month.first), london_day_end(month.last)
    alerts = db.session.execute(
        select(Alert.level, Alert.target_role, Alert.reached_at, Obligation.title, Home.name, Obligation.status)
        .join(Obligation, Obligation.id == Alert.obligation_id).outerjoin(Home, Home.id == Alert.home_id)
        .where(is_escalation(), Alert.reached_at >= start, Alert.reached_at <= end)
        .order_by(Alert.reached_at, Alert.id)).all()
    actions = db.session.scalars(
        select(QpagAction).where(QpagAction.escalated_on >= month.first, QpagAction.escalated_on <= month.last)
        .options(selectinload(QpagAction.home)).order_by(QpagAction.escalated_on, QpagAction.id)).all()
    return {
        "alerts": [{"home": home or "Whole service", "title": title, "to": role_label(role),
                    "reached_at": _iso(reached), "still_open": status == ObligationStatus.OPEN}
                   for _level, role, reached, title, home, status in alerts],
        "cslt": [{"home": a.home.name if a.home else "Whole service", "text": a.text, "due_on": _iso(a.due_on),
                  "escalated_on": _iso(a.escalated_on), "note": a.escalation_note} for a in actions],
    }


def _surveys(month: core.Month, homes: list[Home]) -> dict[str, Any] | None:
    """In June and December: the half-year's young people's and professionals' answers, counted
    and tallied (feedback.queries.summarise: no anonymous answer is quoted), and per home."""
    period = core.survey_period(month)
    if period is None:
        return None
    responses = list(db.session.scalars(select(FeedbackResponse).where(
        FeedbackResponse.submitted_at >= london_day_start(period.first),
        FeedbackResponse.submitted_at <= london_day_end(period.last))))
    names = {h.id: h.name for h in homes}
    per_home: dict[str, dict[str, int]] = {}
    for response in responses:
        counts = per_home.setdefault(names.get(response.home_id, "A closed home"),
                                     {"young_people": 0, "professionals": 0})
        counts["young_people" if response.audience == FeedbackAudience.YOUNG_PERSON else "professionals"] += 1
    return {"period_start": _iso(period.first), "period_end": _iso(period.last),
            "summary": feedback_queries.summarise(responses),
            "per_home": [{"home": name, **counts} for name, counts in sorted(per_home.items())]}


def draft_facts(month: core.Month, now: datetime) -> dict[str, Any]:
    """What the month's records say, for every open home (the report is the whole service's)."""
    homes = list(db.session.scalars(select(Home).where(Home.status == HomeStatus.OPEN).order_by(Home.name)))
    return {"month": _iso(month.first), "drafted_at": _iso(now), "homes": len(homes),
            "reviews": _reviews(month), "reg44": _reg44(month, homes), "kpis": _kpis(month, homes, now),
            "escalations": _escalations(month), "surveys": _surveys(month, homes)}
