"""Five years of Ofsted inspections, QA reviews (dip samples, thematic reviews) and QPAG, as
homes_qa/inspections and homes_qa/qpag_report write them.

- Ofsted: about one full inspection per home a year (an assurance inspection 6 months after a
  requires improvement or inadequate judgement; a monitoring visit the day after a compliance
  notice's date), each with its requirements and recommendations, their `action_complete` and
  `ofsted_requirement_compliance` obligations met or met late, and the Head of QA's monitoring
  reviews: the cadence `service.sync_monitoring` keeps (through the pure `cadence_for`), each
  review obligation met by a MonitoringReview with its progress rows, the last one withdrawn
  (waived, with the service's reason) when the last action is completed.
- QA reviews: a dip sample each `dip_sample_bimonthly` period (meeting its request when it is
  commissioned), a thematic review every quarter; per home findings and `qa_review_complete`
  obligations met on completion; an action plan for the amber and red homes agreed at the next
  QPAG meeting, each action an `action_complete` obligation, completed.
- QPAG: each month's meeting agrees a few actions (`qpag_action_complete`, a few escalated to
  CSLT before they were done); the report on the month before is finalised (facts drafted as
  `qpag_report.queries.draft_facts` shapes them), meeting the month's `qpag_report_monthly`.
Every record has its audit rows. Nothing is left open: the current period is the sweep's.
"""
from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bench.estate import Estate, Writer, calendar_label, due_of
from homes_qa.core import inspections as core
from homes_qa.core.calendar import london_date, london_day_end, london_day_start
from homes_qa.core.kpis import MEASURES, occupancy_percent, staff_retention_percent
from homes_qa.core.qa_reviews import DIP_SAMPLE, FINDING_RAGS, THEMATIC, review_kind
from homes_qa.core.qpag import meeting_month, month_of, survey_period
from homes_qa.extensions import db
from homes_qa.inspections import queries
from homes_qa.inspections.models import (
    Inspection,
    InspectionItem,
    MonitoringReview,
    QaReview,
    QaReviewAction,
    QaReviewHome,
    QpagAction,
    ReviewProgress,
)
from homes_qa.qpag_report.models import QpagReport
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User

REQUIREMENTS = (
    ("Regulation 12 (the protection of children standard)",
     "Ensure that risk assessments are updated after every incident and shared with all staff."),
    ("Regulation 13 (the leadership and management standard)",
     "Ensure that the registered manager monitors the quality of records and acts on shortfalls."),
    ("Regulation 6 (the quality and purpose of care standard)",
     "Ensure that each child's placement plan reflects their current needs."),
    ("Regulation 31 (staffing)", "Ensure that there are enough suitably qualified staff on every shift."),
    ("Regulation 33 (employment of staff)", "Ensure that staff receive supervision at least monthly."),
    ("Regulation 10 (the health and well-being standard)",
     "Ensure that medication is stored, recorded and administered safely."),
    ("Regulation 20 (restraint and deprivation of liberty)",
     "Ensure that every restraint is recorded within 24 hours and reviewed by the manager."),
)
RECOMMENDATIONS = (
    "Improve the quality of the children's daily records so that they show the child's voice.",
    "Develop the home's approach to key-work sessions so that they are planned and purposeful.",
    "Strengthen the home's links with local schools to support children's education.",
    "Review the décor of the communal areas with the children.",
    "Ensure that the home's statement of purpose is reviewed and kept up to date.",
    "Improve the consistency of staff handovers.",
)
ACTIONS = (
    "Registered manager to review the records weekly and feed back in supervision.",
    "Team training session, then a dip sample of the records a month later.",
    "Update the procedure and brief every member of staff at the team meeting.",
    "Service manager to audit compliance at the next monthly visit.",
    "Agree a plan with each child and review it at the monthly key-work session.",
)
SUMMARIES = {
    core.OUTSTANDING: "Children make exceptional progress; leaders know the home well.",
    core.GOOD: "Children are well cared for and make good progress.",
    core.REQUIRES_IMPROVEMENT: "Shortfalls in records and oversight; children are safe but progress is uneven.",
    core.INADEQUATE: "Serious shortfalls in safeguarding practice; children are not consistently protected.",
}
NEXT_STEPS = ("Continue the weekly record checks; review again at the next visit.",
              "Service manager to support the manager with the staffing plan.",
              "Evidence to be collated for the Ofsted follow-up.",
              "Share the learning with the other homes at the managers' meeting.")
DIP_AREAS = ("Care plans and risk assessments", "Medication records", "Missing from home protocols",
             "Daily logs and the child's voice", "Staff supervision records", "Key-work sessions",
             "Complaints log", "Restraint records and debriefs", "Health and safety checks")
THEMES = ("Education outcomes of children looked after", "Transitions into and out of the homes",
          "Use of restraint across the service", "Children missing from care", "Staff retention and wellbeing",
          "Recording of the child's voice")
FINDINGS = {"green": "Records complete and of a good standard; no actions needed.",
            "amber": "Mostly complete; some gaps in the detail recorded and in management oversight.",
            "red": "Significant gaps: several records missing or out of date."}
PLAN_ACTIONS = {"amber": "Close the gaps the sample found and check the same records again in a month.",
                "red": "Bring the records up to date and report progress to the service manager every week."}
QPAG_ACTIONS = ("Review the service's missing-from-home protocol with the police liaison officer.",
                "Bring the staff recruitment pipeline figures to the next meeting.",
                "Agree a training plan for the new restraint techniques.",
                "Follow up the late Reg 44 reports with the independent visitors.",
                "Report on the themes of the complaints received this quarter.",
                "Check every home's fire risk assessment has been reviewed this year.",
                "Share the dip sample findings with the registered managers.")


def add(estate: Estate, w: Writer) -> None:
    names = dict(db.session.execute(select(User.id, User.name)).all())
    sms = sorted({estate.service_manager(i) for i in range(len(estate.home_ids))})
    ofsted = _Ofsted(estate, w)
    for index, home_id in enumerate(estate.home_ids):
        ofsted.home(index, home_id)
    reviews = _qa_reviews(estate, w, names, sms)
    escalated = _qpag_actions(estate, w, names, sms)
    _qpag_reports(estate, w, names, sms, reviews, escalated)


# ---------------------------------------------------------------- small helpers

def _on(estate: Estate, day: date, first_hour: int = 8, last_hour: int = 17) -> datetime:
    """An instant in working hours on a London day."""
    return london_day_start(day) + timedelta(hours=estate.rng.randint(first_hour, last_hour - 1),
                                             minutes=estate.rng.randint(0, 59))


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _meeting_day(first: date) -> date:
    """QPAG meets on the second Wednesday of the month."""
    return first + timedelta(days=(2 - first.weekday()) % 7 + 7)


def _next_meeting(day: date) -> date:
    meeting = _meeting_day(day.replace(day=1))
    if meeting >= day:
        return meeting
    following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return _meeting_day(following)


def _completed(estate: Estate, due: date, earliest: date, latest: date, late_share: float = 0.15) -> date:
    """When an action was done: mostly by its date, a share of the time a little late; never
    before `earliest` or after `latest` (the end of the history)."""
    rng = estate.rng
    done = due + timedelta(days=rng.randint(1, 10)) if rng.random() < late_share \
        else due - timedelta(days=rng.randint(0, 20))
    return max(earliest, min(done, latest))


def _waived(estate: Estate, w: Writer, code: str, home_id: int, key: str, due: datetime, *, label: str,
            created_at: datetime, waived_at: datetime, reason: str) -> int:
    """A review obligation the cadence withdrew (`sync_monitoring`: waived with the reason)."""
    rule = estate.rules[code]
    obligation_id = w.add(
        Obligation, rule_id=rule.id, rule_code=code, home_id=home_id, scope_key=f"home:{home_id}", period_key=key,
        title=f"{rule.title} — {estate.home_names[home_id]} — {label}"[:300], subject_type=None, subject_id=None,
        due_at=due, responsible_role=rule.responsible_role, ladder=list(rule.ladder),
        due_soon_days=rule.due_soon_days, due_soon_hours=rule.due_soon_hours, status="waived",
        hidden_from_home_staff=False, met_at=None, discharged_by_type=None, discharged_by_id=None,
        waived_reason=reason, created_at=created_at)
    w.audit(waived_at, "update", "Obligation", obligation_id, rule.title, home_id,
            {"status": ["open", "waived"], "waived_reason": [None, reason]})
    return obligation_id


# ---------------------------------------------------------------- Ofsted inspections and monitoring reviews

FULL_GRADES = ((core.OUTSTANDING, 14), (core.GOOD, 64), (core.REQUIRES_IMPROVEMENT, 18), (core.INADEQUATE, 4))
AFTER = {core.REQUIRES_IMPROVEMENT: ((core.GOOD, 55), (core.REQUIRES_IMPROVEMENT, 38), (core.INADEQUATE, 7)),
         core.INADEQUATE: ((core.GOOD, 35), (core.REQUIRES_IMPROVEMENT, 50), (core.INADEQUATE, 15))}
ITEMS = {  # (requirements low, high), (recommendations low, high)
    core.OUTSTANDING: ((0, 0), (0, 1)), core.GOOD: ((0, 1), (0, 2)),
    core.REQUIRES_IMPROVEMENT: ((1, 3), (1, 2)), core.INADEQUATE: ((2, 4), (1, 2))}


class _Item:
    __slots__ = ("id", "kind", "action", "compliance_date", "done_at")

    def __init__(self, item_id: int, kind: str, action: str, compliance_date: date | None, done_at: datetime):
        self.id, self.kind, self.action, self.compliance_date, self.done_at = (
            item_id, kind, action, compliance_date, done_at)


class _Ofsted:
    def __init__(self, estate: Estate, w: Writer):
        self.estate, self.w, self.rng = estate, w, estate.rng
        self.end = estate.history_end
        self.end_at = london_day_end(self.end)
        self.weekly = estate.rules[core.CADENCE_RULES[core.WEEKLY]].timing_value
        self.fortnightly = estate.rules[core.CADENCE_RULES[core.FORTNIGHTLY]].timing_value

    def _grade(self, weights: tuple[tuple[str, int], ...]) -> str:
        grades, chances = zip(*weights, strict=True)
        return self.rng.choices(grades, chances)[0]

    def home(self, index: int, home_id: int) -> None:
        rng, estate = self.rng, self.estate
        self.index, self.home_id = index, home_id
        self.manager, self.sm = estate.manager(index), estate.service_manager(index)
        self.counts: dict[str, int] = {}  # review obligations made per rule (their keys count them)
        self.reviewed_through: date | None = None
        self.open: dict[str, Any] | None = None
        # Every action of one inspection is completed within ~136 days of its end, so the next
        # inspection (160 days or more later) starts with none open and each inspection's cadence
        # is its own.
        # The first within the history however short it is (the bench's small estate has two
        # months); the first home's first is judged requires improvement, so the pages measured
        # for manager0 read every kind of record (requirements, reviews) on the small estate too.
        span = (self.end - estate.start).days
        ended = estate.start + timedelta(days=rng.randint(20, max(20, min(330, span - 12))))
        self.sample = index == 0  # its actions take a month at least: there is a review to read
        if self.sample:
            ended = estate.start + timedelta(days=20)
        while ended <= self.end - timedelta(days=7):
            overall = core.REQUIRES_IMPROVEMENT if self.sample else self._grade(FULL_GRADES)
            self.inspection("full", ended, overall)
            self.sample = False
            latest = ended
            if overall in AFTER:
                assurance = ended + timedelta(days=rng.randint(170, 210))
                if assurance <= self.end - timedelta(days=7):
                    self.inspection("assurance", assurance, self._grade(AFTER[overall]))
                    latest = assurance
            ended = max(ended + timedelta(days=rng.randint(335, 425)), latest + timedelta(days=160))

    def inspection(self, kind: str, ended: date, overall: str | None) -> None:
        rng, w, home_id = self.rng, self.w, self.home_id
        while ended.weekday() not in ((1, 2, 3, 4) if kind == "full" else (0, 1, 2, 3, 4)):
            ended += timedelta(days=1)  # Ofsted visits on working days; a full inspection takes two
        started = ended - timedelta(days=1 if kind == "full" else 0)
        recorded = _on(self.estate, min(ended + timedelta(days=rng.randint(1, 6)), self.end))
        helped = leadership = None
        if kind == "full" and overall is not None:
            rank = core.GRADES.index(overall)
            helped = core.GRADES[max(0, min(3, rank + rng.choice((0, 0, 0, -1))))] \
                if overall != core.INADEQUATE else rng.choice((core.INADEQUATE, core.REQUIRES_IMPROVEMENT))
            leadership = core.GRADES[max(0, min(3, rank + rng.choice((0, 0, -1, 1))))]
            if overall == core.GOOD and leadership == core.INADEQUATE:
                leadership = core.REQUIRES_IMPROVEMENT
        check = core.check_judgements(kind, {core.OVERALL: overall, core.HELPED_PROTECTED: helped,
                                             core.LEADERSHIP: leadership})
        assert check.ok, check.errors
        notice = kind == "full" and overall == core.INADEQUATE and rng.random() < 0.6
        served = ended + timedelta(days=rng.randint(0, 1)) if notice else None
        complete_by = served + timedelta(days=rng.randint(28, 56)) if served else None
        summary = SUMMARIES[overall] if overall else "Monitoring visit: progress against the compliance notice."
        columns: dict[str, Any] = dict(
            home_id=home_id, inspection_type=kind, started_on=started, ended_on=ended, overall=overall,
            helped_protected=helped, leadership=leadership, limiting_confirmed=bool(check.warnings),
            compliance_notice_served_on=served, compliance_notice_complete_by=complete_by,
            restriction_served_on=None, restriction_ends_on=None, summary=summary,
            report_filename=None, report_stored_as=None, report_size=None,
            recorded_by_id=self.manager if rng.random() < 0.7 else self.sm, created_at=recorded)
        inspection_id = w.add(Inspection, **columns)
        w.audit(recorded, "create", "Inspection", inspection_id, f"Ofsted {kind} {ended.isoformat()}", home_id,
                {k: [None, _iso(v) if isinstance(v, date) else v] for k, v in columns.items()
                 if v is not None and k != "created_at"}, actor_id=columns["recorded_by_id"])
        if overall is None:
            return
        items = self.items(inspection_id, overall, started, recorded)
        self.monitor(items, overall, notice, recorded)
        if complete_by is not None and complete_by + timedelta(days=1) <= self.end - timedelta(days=3):
            self.inspection("monitoring_visit", complete_by + timedelta(days=1), None)

    def items(self, inspection_id: int, overall: str, started: date, recorded: datetime) -> list[_Item]:
        rng, w, estate, home_id = self.rng, self.w, self.estate, self.home_id
        (req_lo, req_hi), (rec_lo, rec_hi) = ITEMS[overall]
        day = london_date(recorded)
        kinds = ["requirement"] * rng.randint(req_lo, req_hi) + ["recommendation"] * rng.randint(rec_lo, rec_hi)
        made: list[_Item] = []
        requirements = rng.sample(REQUIREMENTS, kinds.count("requirement"))
        recommendations = rng.sample(RECOMMENDATIONS, kinds.count("recommendation"))
        for number, kind in enumerate(kinds):
            created = recorded + timedelta(minutes=5 * (number + 1))
            if kind == "requirement":
                regulation, text = requirements.pop()
                compliance: date | None = day + timedelta(days=rng.randint(21, 90))
                assert compliance is not None
                due = max(day, compliance - timedelta(days=rng.randint(0, 14)))
            else:
                regulation, text, compliance = "", recommendations.pop(), None
                due = day + timedelta(days=rng.randint(30, 120))
            soonest = day + timedelta(days=min(30 if self.sample else 3, (self.end - day).days))
            completed_on = _completed(estate, due, soonest, self.end)
            done_at = min(_on(estate, completed_on), self.end_at)
            done_at = max(done_at, created + timedelta(hours=1))
            completed_on = london_date(done_at)
            action = rng.choice(ACTIONS)
            owner = self.manager if rng.random() < 0.85 else self.sm
            columns = dict(inspection_id=inspection_id, home_id=home_id, kind=kind, text=text, regulation=regulation,
                           compliance_date=compliance, action=action, owner_id=owner, due_on=due,
                           status="completed", completed_on=completed_on, times_reopened=0)
            item_id = w.add(InspectionItem, **columns)
            label = f"Ofsted {kind} {item_id}"
            w.audit(created, "create", "InspectionItem", item_id, label, home_id,
                    {**{k: [None, _iso(v) if isinstance(v, date) else v] for k, v in columns.items()
                        if v not in (None, "") and k not in ("status", "completed_on")},
                     "status": [None, "open"]}, actor_id=self.manager)
            w.audit(done_at, "update", "InspectionItem", item_id, label, home_id,
                    {"status": ["open", "completed"], "completed_on": [None, completed_on.isoformat()]},
                    actor_id=self.manager)
            w.obligation(estate, queries.ACTION_RULE, home_id, f"inspection-action:{item_id}:0", london_day_end(due),
                         label=f"Ofsted {kind} {item_id}: {action[:80]}", met_at=done_at,
                         subject=("InspectionItem", item_id), discharged_by=("InspectionItem", item_id),
                         created_at=created)
            if compliance is not None:
                w.obligation(estate, queries.REQUIREMENT_RULE, home_id, f"inspection-requirement:{item_id}:0",
                             london_day_end(compliance), label=f"requirement {item_id} ({regulation})",
                             met_at=done_at, subject=("InspectionItem", item_id),
                             discharged_by=("InspectionItem", item_id), created_at=created)
            made.append(_Item(item_id, kind, action, compliance, done_at))
        return made

    # -- the monitoring cadence, as sync_monitoring keeps it

    def _cadence(self, items: list[_Item], overall: str, notice: bool, at: datetime,
                 anchor: datetime | None) -> core.Cadence:
        open_items = [i for i in items if i.done_at > at]
        outcome = core.Outcome(overall=overall, compliance_notice=notice, open_actions=len(open_items),
                               open_requirement_dates=tuple(sorted({
                                   i.compliance_date for i in open_items
                                   if i.kind == "requirement" and i.compliance_date is not None})))
        return core.cadence_for(outcome, now=at, anchor=anchor, reviewed_through=self.reviewed_through,
                                weekly=self.weekly, fortnightly=self.fortnightly)

    def _sync(self, items: list[_Item], overall: str, notice: bool, at: datetime,
              anchor: datetime | None = None) -> None:
        cadence = self._cadence(items, overall, notice, at, anchor)
        current = self.open
        if current is not None:
            fits = current["rule"] == cadence.rule_code and (
                cadence.kind != core.BY_COMPLIANCE_DATES or current["due"] == cadence.next_due)
            if fits:
                return
            _waived(self.estate, self.w, current["rule"], self.home_id, current["key"], current["due"],
                    label=current["label"], created_at=current["created"], waived_at=at,
                    reason=f"No longer due: {cadence.reason}")
            self.open = None
        if cadence.rule_code is not None and cadence.next_due is not None:
            rule = cadence.rule_code
            self.counts[rule] = self.counts.get(rule, 0) + 1
            due_day = london_date(cadence.next_due)
            self.open = {"rule": rule, "due": cadence.next_due, "created": at,
                         "key": f"monitoring:{due_day.isoformat()}:{self.counts[rule]}",
                         "label": f"review due by {due_day:%d %b %Y}", "review_at": self._review_at(cadence, at)}

    def _review_at(self, cadence: core.Cadence, created: datetime) -> datetime:
        """When the Head of QA holds the review: a day or so before it is due, sometimes late."""
        rng = self.rng
        assert cadence.next_due is not None
        due = cadence.next_due
        if rng.random() < 0.12:
            at = due + timedelta(days=rng.randint(0, 3), hours=rng.randint(8, 14))
        elif cadence.kind == core.BY_COMPLIANCE_DATES:  # some weeks ahead of the compliance date
            at = created + (due - created) * rng.uniform(0.35, 0.85)
        else:
            at = due - timedelta(days=rng.randint(0, 2), hours=rng.randint(6, 12))
        return max(at, created + timedelta(days=1))

    def monitor(self, items: list[_Item], overall: str, notice: bool, recorded: datetime) -> None:
        assert self.open is None
        for count in range(1, len(items) + 1):  # add_item syncs after each item
            made = items[:count]
            self._sync(made, overall, notice, recorded + timedelta(minutes=5 * count))
        completions = sorted(items, key=lambda i: i.done_at)
        done = 0
        while True:
            next_done = completions[done].done_at if done < len(completions) else None
            review_at = self.open["review_at"] if self.open is not None else None
            if review_at is not None and review_at <= self.end_at and (next_done is None or review_at < next_done):
                self.review(items, review_at)
                self._sync(items, overall, notice, review_at, anchor=review_at)
            elif next_done is not None:
                done += 1
                self._sync(items, overall, notice, next_done)
            else:
                break
        assert self.open is None, "every action is completed: no review is left open"

    def review(self, items: list[_Item], at: datetime) -> None:
        rng, w, estate, home_id = self.rng, self.w, self.estate, self.home_id
        current = self.open
        assert current is not None
        reviewer = estate.head if rng.random() < 0.8 else self.sm
        review_id = w.peek_id(MonitoringReview)
        obligation_id = w.obligation(estate, current["rule"], home_id, current["key"], current["due"],
                                     label=current["label"], met_at=at, discharged_by=("MonitoringReview", review_id),
                                     created_at=current["created"])
        reviewed_on = london_date(at)
        columns = dict(home_id=home_id, reviewed_on=reviewed_on, next_steps=rng.choice(NEXT_STEPS),
                       obligation_id=obligation_id, reviewed_by_id=reviewer, created_at=at)
        assert w.add(MonitoringReview, **columns) == review_id
        w.audit(at, "create", "MonitoringReview", review_id, f"Monitoring review {reviewed_on.isoformat()}", home_id,
                {"home_id": [None, home_id], "reviewed_on": [None, reviewed_on.isoformat()],
                 "next_steps": [None, columns["next_steps"]], "obligation_id": [None, obligation_id],
                 "reviewed_by_id": [None, reviewer]}, actor_id=reviewer)
        for item in items:
            if item.done_at <= at:
                continue
            rag = "red" if rng.random() < 0.1 else ("green" if item.done_at - at < timedelta(days=14) else "amber")
            narrative = {"green": "On track: evidence seen.", "amber": "Some progress; the evidence is partial.",
                         "red": "Little progress since the last review."}[rag]
            progress_id = w.add(ReviewProgress, review_id=review_id, item_id=item.id, home_id=home_id, rag=rag,
                                narrative=narrative)
            w.audit(at, "create", "ReviewProgress", progress_id, f"ReviewProgress {progress_id}", home_id,
                    {"review_id": [None, review_id], "item_id": [None, item.id], "rag": [None, rag],
                     "narrative": [None, narrative]}, actor_id=reviewer)
        if current["rule"] == core.CADENCE_RULES[core.BY_COMPLIANCE_DATES]:
            self.reviewed_through = london_date(current["due"])
        self.open = None


# ---------------------------------------------------------------- QA reviews: dip samples and thematic reviews

def _qa_reviews(estate: Estate, w: Writer, names: dict[int, str], sms: list[int]) -> list[dict[str, Any]]:
    """Every review, with what the QPAG report's facts quote of it."""
    rng, end = estate.rng, estate.history_end
    made: list[dict[str, Any]] = []
    for period in estate.periods("dip_sample_bimonthly"):
        commissioned = period.start + timedelta(days=rng.randint(2, 20))
        review = _qa_review(estate, w, names, sms, DIP_SAMPLE, rng.choice(DIP_AREAS), commissioned,
                            rng.randint(4, 8))
        if review is None:
            continue
        request = estate.rules[queries.DIP_SAMPLE_RULE]
        assert request.scope == "organisation"
        w.obligation(estate, queries.DIP_SAMPLE_RULE, None, period.key, due_of(period), label=calendar_label(period),
                     met_at=review["created_at"], discharged_by=("QaReview", review["id"]),
                     created_at=london_day_start(period.start) - timedelta(days=rng.randint(20, 40)))
        made.append(review)
    month = estate.start.replace(day=1)
    while month <= end:
        if month.month in (2, 5, 8, 11):
            commissioned = month + timedelta(days=rng.randint(3, 20))
            review = _qa_review(estate, w, names, sms, THEMATIC, rng.choice(THEMES), commissioned,
                                rng.randint(5, 12))
            if review is not None:
                made.append(review)
        month = (month + timedelta(days=32)).replace(day=1)
    return made


def _qa_review(estate: Estate, w: Writer, names: dict[int, str], sms: list[int], kind: str, area: str,
               commissioned: date, homes_wanted: int) -> dict[str, Any] | None:
    rng, end = estate.rng, estate.history_end
    if commissioned > end:
        return None
    found = review_kind(kind)
    assert found is not None
    label = found.label
    indexes = sorted(rng.sample(range(len(estate.home_ids)), min(homes_wanted, len(estate.home_ids))))
    assignee = rng.choice(sms) if rng.random() < 0.85 else estate.head
    created_at = _on(estate, commissioned)
    due_on = commissioned + timedelta(days=rng.randint(21, 35))
    completed_on = _completed(estate, due_on, commissioned, end, late_share=0.2)
    completed_at = max(_on(estate, completed_on), created_at + timedelta(hours=1))
    completed_on = london_date(completed_at)
    rags = {i: rng.choices(("green", "amber", "red"), (60, 30, 10))[0] for i in indexes}
    summary = (f"{sum(r == 'green' for r in rags.values())} of {len(rags)} homes green; "
               f"{sum(r == 'red' for r in rags.values())} red.")
    columns = dict(kind=kind, area=area, assignee_id=assignee, due_on=due_on, status="completed",
                   completed_on=completed_on, summary=summary, plan_agreed_on=None, plan_agreed_by_id=None,
                   commissioned_by_id=estate.head, created_at=created_at)
    # The plan: one action per amber or red home, proposed after completion and agreed at the
    # next QPAG meeting (none when that meeting is after the history).
    plan = [i for i in indexes if rags[i] != "green"]
    proposed_on = completed_on + timedelta(days=rng.randint(1, 5))
    agreed_on = _next_meeting(proposed_on) if plan else None
    if agreed_on is not None and agreed_on > end:
        plan, agreed_on = [], None
    if agreed_on is not None:
        columns.update(plan_agreed_on=agreed_on, plan_agreed_by_id=estate.head)
    review_id = w.add(QaReview, **columns)
    single = estate.home_ids[indexes[0]] if len(indexes) == 1 else None
    record = f"QA review {review_id} ({kind})"
    w.audit(created_at, "create", "QaReview", review_id, record, single,
            {"kind": [None, kind], "area": [None, area], "assignee_id": [None, assignee],
             "due_on": [None, due_on.isoformat()], "status": [None, "commissioned"],
             "commissioned_by_id": [None, estate.head]}, actor_id=estate.head)
    w.audit(completed_at, "update", "QaReview", review_id, record, single,
            {"status": ["commissioned", "completed"], "completed_on": [None, completed_on.isoformat()],
             "summary": ["", summary]}, actor_id=assignee)
    facts_homes = []
    for i in indexes:
        home_id = estate.home_ids[i]
        row_id = w.add(QaReviewHome, review_id=review_id, home_id=home_id, rag=rags[i], findings=FINDINGS[rags[i]],
                       recorded_by_id=assignee)
        w.audit(created_at, "create", "QaReviewHome", row_id, f"QaReviewHome {row_id}", home_id,
                {"review_id": [None, review_id], "home_id": [None, home_id]}, actor_id=estate.head)
        w.audit(completed_at - timedelta(hours=1), "update", "QaReviewHome", row_id, f"QaReviewHome {row_id}",
                home_id, {"rag": [None, rags[i]], "findings": ["", FINDINGS[rags[i]]],
                          "recorded_by_id": [None, assignee]}, actor_id=assignee)
        w.obligation(estate, queries.QA_REVIEW_RULE, home_id, f"qa-review:{review_id}", london_day_end(due_on),
                     label=f"{label}: {area}"[:120], met_at=completed_at, subject=("QaReview", review_id),
                     discharged_by=("QaReview", review_id), created_at=created_at)
        facts_homes.append({"home": estate.home_names[home_id], "rag": FINDING_RAGS[rags[i]],
                            "findings": FINDINGS[rags[i]]})
    if agreed_on is not None:
        proposer = assignee if assignee != estate.head else rng.choice(sms)
        agreed_at = _on(estate, agreed_on, 14, 17)
        w.audit(agreed_at, "update", "QaReview", review_id, record, single,
                {"plan_agreed_on": [None, agreed_on.isoformat()], "plan_agreed_by_id": [None, estate.head]},
                actor_id=estate.head)
        for i in plan:
            home_id = estate.home_ids[i]
            due = agreed_on + timedelta(days=rng.randint(28, 56))
            done_on = _completed(estate, due, agreed_on + timedelta(days=1), end)
            done_at = max(_on(estate, done_on), agreed_at + timedelta(hours=1))
            done_on = london_date(done_at)
            text = PLAN_ACTIONS[rags[i]]
            owner = estate.manager(i)
            action_id = w.add(QaReviewAction, review_id=review_id, home_id=home_id, text=text, owner_id=owner,
                              due_on=due, status="completed", completed_on=done_on, proposed_by_id=proposer)
            w.audit(_on(estate, proposed_on), "create", "QaReviewAction", action_id, f"QA review action {action_id}",
                    home_id, {"review_id": [None, review_id], "home_id": [None, home_id], "text": [None, text],
                              "owner_id": [None, owner], "due_on": [None, due.isoformat()],
                              "status": [None, "open"]}, actor_id=proposer)
            w.audit(done_at, "update", "QaReviewAction", action_id, f"QA review action {action_id}", home_id,
                    {"status": ["open", "completed"], "completed_on": [None, done_on.isoformat()]}, actor_id=owner)
            w.obligation(estate, queries.ACTION_RULE, home_id, f"qa-review-action:{action_id}", london_day_end(due),
                         label=f"QA review action {action_id}: {text[:80]}", met_at=done_at,
                         subject=("QaReviewAction", action_id), discharged_by=("QaReviewAction", action_id),
                         created_at=agreed_at)
    return {"id": review_id, "created_at": created_at, "completed_on": completed_on,
            "facts": {"kind": label, "area": area, "completed_on": completed_on.isoformat(),
                      "assignee": names.get(assignee, ""), "summary": summary, "homes": facts_homes}}


# ---------------------------------------------------------------- QPAG: the action tracker and the monthly report

def _qpag_actions(estate: Estate, w: Writer, names: dict[int, str], sms: list[int]) -> list[dict[str, Any]]:
    """A few actions agreed at each month's meeting; returns the ones escalated to CSLT."""
    rng, end = estate.rng, estate.history_end
    escalated: list[dict[str, Any]] = []
    month = estate.start.replace(day=1)
    while month <= end:
        meeting = _meeting_day(month)
        month = (month + timedelta(days=32)).replace(day=1)
        if meeting > end:
            continue
        for _ in range(rng.randint(2, 4)):
            index = rng.randrange(len(estate.home_ids)) if rng.random() < 0.65 else None
            home_id = estate.home_ids[index] if index is not None else None
            if index is None:
                owner = rng.choice([*sms, estate.head])
            else:
                owner = estate.manager(index) if rng.random() < 0.6 else estate.service_manager(index)
            created_by = estate.head if rng.random() < 0.7 else rng.choice(sms)
            created_at = _on(estate, meeting, 12, 17)
            text = rng.choice(QPAG_ACTIONS)
            due = meeting + timedelta(days=rng.randint(21, 70))
            escalated_on = note = None
            roll = rng.random()
            if roll < 0.06 and due + timedelta(days=12) <= end:
                escalated_on = due + timedelta(days=rng.randint(2, 8))
                note = "Not completed in the time QPAG agreed: escalated to CSLT for a decision on resources."
                done_on = min(end, escalated_on + timedelta(days=rng.randint(5, 30)))
            else:
                done_on = _completed(estate, due, meeting + timedelta(days=1), end, late_share=0.2)
            done_at = max(_on(estate, done_on), created_at + timedelta(hours=1))
            done_on = london_date(done_at)
            columns = dict(home_id=home_id, meeting_on=meeting, text=text, owner_id=owner, due_on=due,
                           status="completed", completed_on=done_on, escalated_on=escalated_on,
                           escalation_note=note or "", escalated_by_id=estate.head if escalated_on else None,
                           created_by_id=created_by, created_at=created_at)
            action_id = w.add(QpagAction, **columns)
            record = f"QPAG action {action_id}"
            w.audit(created_at, "create", "QpagAction", action_id, record, home_id,
                    {"home_id": [None, home_id], "meeting_on": [None, meeting.isoformat()], "text": [None, text],
                     "owner_id": [None, owner], "due_on": [None, due.isoformat()], "status": [None, "open"],
                     "created_by_id": [None, created_by]}, actor_id=created_by)
            if escalated_on is not None:
                w.audit(_on(estate, escalated_on), "update", "QpagAction", action_id, record, home_id,
                        {"escalated_on": [None, escalated_on.isoformat()], "escalation_note": ["", note],
                         "escalated_by_id": [None, estate.head]}, actor_id=estate.head)
                escalated.append({"home": estate.home_names[home_id] if home_id else "Whole service", "text": text,
                                  "due_on": due.isoformat(), "escalated_on": escalated_on.isoformat(),
                                  "note": note})
            w.audit(done_at, "update", "QpagAction", action_id, record, home_id,
                    {"status": ["open", "completed"], "completed_on": [None, done_on.isoformat()]},
                    actor_id=created_by)
            w.obligation(estate, queries.QPAG_RULE, home_id, f"qpag-action:{action_id}", london_day_end(due),
                         label=text[:80], met_at=done_at, subject=("QpagAction", action_id),
                         discharged_by=("QpagAction", action_id), created_at=created_at)
    return escalated


COMMENTARY = {
    "reviews": "The dip sample showed consistent practice in most homes; the amber homes have action plans.",
    "reg44": "Visits found children safe and well cared for; the concerns raised are being followed up.",
    "kpis": "Occupancy remains high; staff turnover is stable. Restraint is down on last month.",
    "escalations": "The escalated deadlines were met within days; no pattern across the homes.",
    "surveys": "Young people mostly feel safe; professionals rate communication good or adequate.",
}
QPAG_REPORT_RULE = "qpag_report_monthly"
GROUPS = ("notifications", "reg44_reports", "audits")
ALERT_RULES = ("ofsted_requirement_compliance", "action_complete", "qpag_action_complete")


def _qpag_reports(estate: Estate, w: Writer, names: dict[int, str], sms: list[int],
                  reviews: list[dict[str, Any]], escalated: list[dict[str, Any]]) -> None:
    """Each month's `qpag_report_monthly`, met by finalising the report on the month before."""
    rng = estate.rng
    completed = sorted((r["completed_on"], n, r["facts"]) for n, r in enumerate(reviews))
    completed_days = [c[0] for c in completed]
    homes = sorted(estate.home_ids, key=lambda h: estate.home_names[h])
    index_of = {home_id: i for i, home_id in enumerate(estate.home_ids)}
    for period in estate.periods(QPAG_REPORT_RULE):
        previous = period.start - timedelta(days=1)
        month = month_of(previous.year, previous.month)
        assert meeting_month(month).key == period.key
        due = due_of(period)
        drafted = _on(estate, period.start + timedelta(days=rng.randint(0, 4)))
        if rng.random() < 0.2:
            finalised = due + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 9))
        else:
            finalised = _on(estate, _meeting_day(period.start) - timedelta(days=rng.randint(0, 3)))
        finalised = max(finalised, drafted + timedelta(hours=2))
        author = rng.choice(sms)
        lo, hi = bisect_left(completed_days, month.first), bisect_left(completed_days, month.last + timedelta(days=1))
        facts = _facts(estate, month, drafted, homes, index_of, [c[2] for c in completed[lo:hi]],
                       [e for e in escalated if month.first.isoformat() <= e["escalated_on"] <= month.last.isoformat()])
        commentary = {f"{code}_commentary": COMMENTARY[code] if code != "surveys" or facts["surveys"] else ""
                      for code in COMMENTARY}
        report_id = w.peek_id(QpagReport)
        w.obligation(estate, QPAG_REPORT_RULE, None, period.key, due, label=calendar_label(period), met_at=finalised,
                     discharged_by=("QpagReport", report_id),
                     created_at=london_day_start(period.start) - timedelta(days=rng.randint(20, 30)))
        assert w.add(QpagReport, month=month.first, version=1, status="final", facts=facts, correction_reason="",
                     author_id=author, created_at=drafted, drafted_at=drafted, finalised_at=finalised,
                     finalised_by_id=author, **commentary) == report_id
        label = f"QPAG report for {month.first:%B %Y}, version 1"
        w.audit(drafted, "create", "QpagReport", report_id, label, None,
                {"month": [None, month.first.isoformat()], "version": [None, 1], "status": [None, "draft"],
                 "author_id": [None, author]}, actor_id=author)
        w.audit(finalised - timedelta(hours=1), "update", "QpagReport", report_id, label, None,
                {k: ["", v] for k, v in commentary.items() if v}, actor_id=author)
        w.audit(finalised, "update", "QpagReport", report_id, label, None,
                {"status": ["draft", "final"], "finalised_at": [None, finalised.isoformat()],
                 "finalised_by_id": [None, author]}, actor_id=author)
        corrected = finalised + timedelta(days=rng.randint(3, 20))
        if rng.random() < 0.06 and corrected + timedelta(days=2) <= london_day_end(estate.history_end):
            reason = "The KPI figures of two homes were entered after the report was drafted."
            fixed = corrected + timedelta(days=1)
            version_id = w.add(QpagReport, month=month.first, version=2, status="final", facts=facts,
                               correction_reason=reason, author_id=author, created_at=corrected, drafted_at=drafted,
                               finalised_at=fixed, finalised_by_id=author, **commentary)
            label = f"QPAG report for {month.first:%B %Y}, version 2"
            w.audit(corrected, "create", "QpagReport", version_id, label, None,
                    {"month": [None, month.first.isoformat()], "version": [None, 2], "status": [None, "draft"],
                     "correction_reason": [None, reason], "author_id": [None, author]}, actor_id=author)
            w.audit(fixed, "update", "QpagReport", version_id, label, None,
                    {"status": ["draft", "final"], "finalised_at": [None, fixed.isoformat()],
                     "finalised_by_id": [None, author]}, actor_id=author)


def _facts(estate: Estate, month: Any, drafted: datetime, homes: list[int], index_of: dict[int, int],
           reviews: list[dict[str, Any]], escalated: list[dict[str, Any]]) -> dict[str, Any]:
    """What `draft_facts` would have drafted for the month (the same shape, figures made up)."""
    rng = estate.rng
    counts: dict[str, int] = {}
    for review in reviews:
        counts[review["kind"]] = counts.get(review["kind"], 0) + 1
    visits, not_visited, kpi_rows = [], [], []
    totals = dict.fromkeys((m.code for m in MEASURES), 0)
    span = (month.last - month.first).days
    for home_id in homes:
        name = estate.home_names[home_id]
        if rng.random() < 0.97:
            judgement = rng.choices(("good", "concerns", "adverse", "awaiting"), (80, 12, 3, 5))[0]
            label = {"good": ("Yes", "Yes"), "concerns": ("Yes", "Yes, with concerns"),
                     "adverse": ("No", "Yes, with concerns"),
                     "awaiting": ("No submitted report", "No submitted report")}[judgement]
            visits.append({"home": name, "visited_on": (month.first + timedelta(days=rng.randint(0, span))).isoformat(),
                           "visitor": f"Visitor {index_of[home_id] // 6}", "announced": rng.random() < 0.3,
                           "submitted": judgement != "awaiting", "safeguarded": label[0], "wellbeing": label[1],
                           "findings": "" if judgement == "awaiting" else
                           "Children spoke warmly about staff; records were up to date. Two recommendations made.",
                           "judgement": judgement})
        else:
            not_visited.append(name)
        children = rng.randint(1, 5)
        places = max(children, rng.randint(2, 6))
        staff, leavers = rng.randint(8, 16), rng.choice((0, 0, 0, 1, 2))
        restraints = rng.choice((0, 0, 1, 2, 3))
        values = {"children_resident": children, "admissions": rng.choice((0, 0, 1)), "leavers": rng.choice((0, 0, 1)),
                  "average_placement_days": rng.randint(0, 400), "staff_at_start": staff, "staff_leavers": leavers,
                  "compliments": rng.randint(0, 4), "complaints": rng.choice((0, 0, 1, 2)),
                  "safeguarding_concerns": rng.choice((0, 0, 1)), "restraint_incidents": restraints,
                  "restraint_children": min(restraints, children), "missing_episodes": rng.choice((0, 0, 1, 3))}
        entered = rng.random() < 0.95
        if entered:
            for code, value in values.items():
                totals[code] += value
        due = rng.randint(15, 40)
        met = due - rng.choice((0, 0, 1, 2, 3))
        derived_due = {g: rng.randint(0, 6) for g in GROUPS}
        derived_on_time = {g: max(0, n - rng.choice((0, 0, 0, 1))) for g, n in derived_due.items()}
        late = due - met
        kpi_rows.append({
            "home": name, "entered": entered, "values": values if entered else {},
            "occupancy": occupancy_percent(children, places) if entered else None,
            "retention": staff_retention_percent(staff, leavers) if entered else None,
            "deadlines": due, "on_time": met, "on_time_percent": round(100 * met / due),
            "derived": {"percent": {g: round(100 * derived_on_time[g] / n) if n else None
                                    for g, n in derived_due.items()},
                        "due": derived_due, "on_time": derived_on_time, "actions_overdue": rng.choice((0, 0, 0, 1)),
                        "late": late, "average_days_late": round(rng.uniform(1, 5), 1) if late else None,
                        "consecutive_misses": 0, "missed_rule": None}})
    order = {"adverse": 0, "concerns": 1, "good": 2, "awaiting": 3}
    visits.sort(key=lambda v: (order[v["judgement"]], v["visited_on"], v["home"]))
    alerts = []
    for _ in range(rng.choice((0, 0, 1, 2, 3))):
        home_id = rng.choice(homes)
        rule = estate.rules[rng.choice(ALERT_RULES)]
        reached = london_day_start(month.first + timedelta(days=rng.randint(0, span))) + timedelta(hours=9)
        alerts.append({"home": estate.home_names[home_id], "title": f"{rule.title} — {estate.home_names[home_id]}",
                       "to": rng.choice(("Service manager", "Head of service")), "reached_at": reached.isoformat(),
                       "still_open": False})
    surveys = None
    half = survey_period(month)
    if half is not None:
        young, professionals = rng.randint(len(homes), 3 * len(homes)), rng.randint(len(homes) // 2, 2 * len(homes))
        safe_yes = round(young * 0.8)
        surveys = {"period_start": half.first.isoformat(), "period_end": half.last.isoformat(),
                   "summary": {"young_people": young, "professionals": professionals,
                               "feel_safe": {"Yes": safe_yes, "Mostly": young - safe_yes},
                               "communication": {"Good": professionals - professionals // 4,
                                                 "Adequate": professionals // 4},
                               "child_helped": {"Well": professionals - professionals // 5,
                                                "Partly": professionals // 5},
                               "professional_concerns": professionals // 10,
                               "quotes": [{"question": "What is good about living here?",
                                           "answer": "The staff listen to me."}]},
                   "per_home": [{"home": estate.home_names[h], "young_people": rng.randint(0, 3),
                                 "professionals": rng.randint(0, 2)} for h in homes]}
    deadlines = sum(r["deadlines"] for r in kpi_rows)
    on_time = sum(r["on_time"] for r in kpi_rows)
    return {"month": month.first.isoformat(), "drafted_at": drafted.isoformat(), "homes": len(homes),
            "reviews": {"items": reviews, "counts": counts},
            "reg44": {"items": visits, "visits": len(visits), "submitted": sum(v["submitted"] for v in visits),
                      "adverse": sum(v["judgement"] == "adverse" for v in visits),
                      "concerns": sum(v["judgement"] == "concerns" for v in visits),
                      "good": sum(v["judgement"] == "good" for v in visits), "not_visited": not_visited},
            "kpis": {"items": kpi_rows, "totals": totals, "entered": sum(r["entered"] for r in kpi_rows),
                     "deadlines": deadlines, "on_time": on_time,
                     "on_time_percent": round(100 * on_time / deadlines) if deadlines else None,
                     "not_entered": [r["home"] for r in kpi_rows if not r["entered"]]},
            "escalations": {"alerts": alerts, "cslt": escalated},
            "surveys": surveys}
