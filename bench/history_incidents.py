"""Incidents and the weekly safeguarding summary, as five years of use leave them.

Each home records about four events a month, mostly need-to-knows, with restraint, missing
episodes, complaints, Regulation 40 serious events, LADO allegations, data breaches and subject
access requests now and then. Each event has the obligations `record_incident` makes (one per
rule `required_rules` names, keyed `incident:<id>`, plus the QA case review a need-to-know asks
for, keyed `case-review:<id>`), each met by the notification `record_notification` writes (a
share late, with the reason), a child protection enquiry's second stage (`record_outcome`), now
and then a subject access request extended (`extend_sar`) or an account corrected
(`correct_incident`), the QA lead's case review (`record_case_review`), and the event closed
(`close_incident`). Every service manager submits each week's summary (`save_summary`: the
figures frozen as `week_figures` would have counted them then, their own obligation met, and the
service's weekly obligation met by the last one in); the head of service reads most of them.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from bench.estate import Estate, Writer, calendar_label, event_due
from homes_qa.core.calendar import LONDON, london_date, london_day_end, london_day_start
from homes_qa.core.incidents import (
    CASE_REVIEW_RULE,
    CP_OUTCOME_RULE,
    HMCI,
    NTK_SERVICE_MANAGER,
    SAR_EXTENSION_MONTHS,
    SAR_RULE,
    TWO_STAGE_PARAGRAPH,
    EventType,
    event_type,
    required_rules,
)
from homes_qa.core.timing import Timing, due_at
from homes_qa.extensions import db
from homes_qa.incidents.models import (
    Incident,
    IncidentCaseReview,
    IncidentCorrection,
    IncidentNotification,
    SafeguardingSummary,
    SummaryRead,
)
from homes_qa.incidents.queries import week_start_of
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import User

SUMMARY_RULE = "safeguarding_monitoring_weekly"  # incidents.service.SUMMARY_RULE
PER_MONTH = 4.0  # events a home records in a month, on average
LATE_SHARE = 0.15

# (type code, weight, share notifiable, the paragraph a manager chooses when it is their call)
MIX: tuple[tuple[str, float, float, str | None], ...] = (
    ("need_to_know", 44, 0.03, "40(4)(b)"),
    ("restraint", 12, 0.0, None),
    ("missing", 12, 0.08, "40(4)(b)"),
    ("complaint", 8, 0.0, None),
    ("reg40_police", 5, 1.0, "40(4)(b)"),
    ("lado_allegation", 3, 0.35, "40(4)(c)"),
    ("reg40_child_protection", 3, 1.0, TWO_STAGE_PARAGRAPH),
    ("reg40_exploitation", 2, 1.0, "40(4)(a)"),
    ("reg40_allegation", 2, 1.0, "40(4)(c)"),
    ("data_breach", 3, 0.0, None),
    ("subject_access_request", 2, 0.0, None),
    ("reg40_dbs", 1, 1.0, "40(3)"),
)
_CODES = [row[0] for row in MIX]
_CUM = [sum(row[1] for row in MIX[:n + 1]) for n in range(len(MIX))]
_NOTIFIABLE = {row[0]: (row[2], row[3]) for row in MIX}

ACCOUNTS: dict[str, tuple[tuple[str, str], ...]] = {
    "need_to_know": (
        ("{c} returned from school with a bruise on the forearm and said another pupil had pushed them.",
         "First aid given, body map completed; school and {c}'s social worker told."),
        ("{c} disclosed to a member of staff that an adult had contacted them online.",
         "Disclosure recorded in {c}'s words; police and social worker told; devices checked with {c}."),
        ("{c} self-harmed in their bedroom (superficial cuts); staff found them at the evening check.",
         "First aid given; GP appointment booked; safety plan reviewed with {c} and CAMHS."),
        ("{c} was verbally threatened by a young person from the community outside the home.",
         "{c} brought inside and reassured; neighbourhood police team informed."),
    ),
    "restraint": (
        (("{c} tried to leave through a window during an escalation; two staff held {c} using a standing hold "
         "for about three minutes."), "Hold ended as {c} calmed; checked for injury (none); debrief offered."),
        ("{c} hit a member of staff repeatedly; staff used a seated hold for two minutes to prevent injury.",
         "Injury check done (none); {c} and the staff member debriefed separately; parents told."),
    ),
    "missing": (
        ("{c} did not return by the agreed time of 21:00; phone switched off.",
         ("Searched the local area; reported missing to police at 22:30; {c} returned at 01:15, return "
         "interview offered.")),
        ("{c} left the home after an argument and was missing for four hours.",
         "Police told; {c} found at a friend's house; return home interview arranged with the local authority."),
    ),
    "complaint": (
        ("{c} complained that their pocket money was paid late two weeks running.",
         "Apology given; money paid; the rota for pocket money checked with the deputy manager."),
        ("A neighbour complained about noise from the garden late in the evening.",
         "Spoke with the neighbour; agreed quiet hours with the young people at the house meeting."),
    ),
    "reg40_police": (
        ("{c} was arrested after an assault in the town centre and held overnight.",
         "Appropriate adult attended; social worker and YOT told; risk assessment updated."),
        ("Police attended after {c} damaged a car outside the home and threatened staff with a knife.",
         "Knife removed safely; police attended; {c} spoken to; risk assessment and plan reviewed."),
    ),
    "lado_allegation": (
        ("{c} alleged that a member of night staff grabbed their arm roughly.",
         "Staff member moved to duties without contact with {c} pending the LADO's advice; {c} supported."),
    ),
    "reg40_child_protection": (
        ("{c} disclosed historical abuse by a family member during key-work time.",
         "Strategy discussion requested by the placing authority; {c} supported; contact suspended."),
    ),
    "reg40_exploitation": (
        ("{c} was seen getting into an unknown car and returned with new clothes and a phone.",
         "Police and social worker told; exploitation screening completed; contact plan reviewed."),
    ),
    "reg40_allegation": (
        ("{c}'s parent alleged that a staff member had hit {c}.",
         "Staff member suspended pending investigation; LADO and police told; {c} spoken to."),
    ),
    "data_breach": (
        ("A care plan for {c} was e-mailed to the wrong social worker at the placing authority.",
         "Recipient asked to delete it and confirmed deletion; data protection officer told."),
        ("A staff member's notebook with {c}'s initials and appointments was left on a bus.",
         "Data protection officer told; staff reminded of the records policy; risk assessed as low."),
    ),
    "subject_access_request": (
        ("A former resident asked for a copy of all records held about them.",
         "Request logged; records being gathered and reviewed for third-party information."),
    ),
    "reg40_dbs": (
        ("A member of staff was dismissed for gross misconduct and referred to the DBS.",
         "DBS referral made; safeguarding lead and LADO informed; rota reviewed."),
    ),
}
LATE_REASONS = (
    "The manager was on leave and the deputy did not have the details; made on return.",
    "Staff were supporting the child at hospital; the notification was made as soon as they returned.",
    "The shift leader thought the manager had already made it; picked up at handover.",
)
LATE_REASONS_FOR = {
    "incident_ntk_service_manager": ("Overnight: the on-call service manager did not answer until the morning.",),
    "incident_reg40_hmci": ("Ofsted's online form was unavailable; submitted when it was working again.",),
    "incident_reg40_placing_authority": ("The placing authority's duty line did not answer; e-mailed next morning.",),
    "incident_lado": ("The LADO's line was closed over the weekend; referred first thing on Monday.",),
    "incident_sar_response": ("Third-party information took longer to redact than planned.",),
}
THEMES = (
    "Missing episodes rose in two homes, linked to new contacts in town; exploitation screening done.",
    "A quieter week; restraint used once and debriefed well.",
    "Online safety: two disclosures of contact from adults, both referred promptly.",
    "Self-harm in one home; CAMHS involved and safety plans reviewed.",
    "Notifications mostly on time; one late at night with a clear reason.",
    "Complaints about food and pocket money, resolved at house meetings.",
)
LEARNING = (
    "Night staff to have the service manager's on-call number in the office.",
    "Reminder to record each notification as it is made, not at the end of the shift.",
    "None beyond what is above.",
    "Share the return home interview learning at the next managers' meeting.",
)
ACTIONS = ("", "", "Managers to check the on-call rota is on every office wall by Friday.",
           "Practice lead to run a session on exploitation screening next month.")
FINDINGS = (
    "Case file shows a proportionate, timely response; plans updated the same day.",
    "Risk assessment not updated after the event; manager asked to review it within a week.",
    "Good recording in the child's words; multi-agency actions followed up.",
)
REVIEW_LEARNING = ("None beyond the findings.", "Share at the next practice meeting.",
                   "Update the home's missing-from-care protocol.")
_LETTERS = "ABCDEFGHJKLMNPRSTW"


def _recipient(code: str, sm_name: str, head_name: str, rng: Any) -> tuple[str, str, str]:
    """(recipient, method, reference) as a manager would record them."""
    if code == "incident_ntk_service_manager":
        return f"{sm_name} (service manager)", rng.choice(("telephone", "email", "in_person")), ""
    if code == "incident_ntk_head_of_service":
        return f"{head_name} (head of service)", rng.choice(("email", "telephone")), ""
    if code == "incident_lado":
        return "LADO, county council", rng.choice(("telephone", "email")), f"LADO-{rng.randint(1000, 9999)}"
    if code in (HMCI, CP_OUTCOME_RULE):
        return "Ofsted", "online_form", ""  # the reference is the incident's, set by the caller
    if code == "incident_reg40_placing_authority":
        return "Placing authority: child's social worker", rng.choice(("telephone", "email")), ""
    if code == "incident_reg40_other_relevant":
        return rng.choice(("Parent with parental responsibility", "Independent reviewing officer")), "telephone", ""
    if code == "incident_restraint_record":
        return "The home's restraint record", "record", ""
    if code == "incident_restraint_staff_spoken":
        return "Staff member involved (debrief, record signed)", rng.choice(("in_person", "record")), ""
    if code == "incident_restraint_child_spoken":
        return "The child (spoken to by the registered manager)", rng.choice(("in_person", "record")), ""
    if code == "incident_ico_breach":
        return "Information Commissioner's Office", "online_form", f"IC-{rng.randint(100000, 999999)}"
    if code == SAR_RULE:
        return "The requester", rng.choice(("email", "letter")), ""
    return "Recorded", "record", ""


class _Run:
    """One build's shared state: people, clocks and what each week's summary will count."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.rng = estate.rng
        self.names: dict[int, str] = dict(db.session.execute(select(User.id, User.name)).all())
        self.limit = estate.now - timedelta(hours=6)  # everything done before the build's "now"
        self.close_limit = estate.now - timedelta(hours=1)
        # Per service manager (index // 6): what `week_figures` reads, bucketed by London week.
        self.events: dict[tuple[int, date], list[tuple]] = defaultdict(list)
        self.due: dict[tuple[int, date], list[tuple]] = defaultdict(list)
        self.late: dict[tuple[int, date], list[tuple]] = defaultdict(list)
        self.lado: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        self.kinds = {code: event_type(code) for code in _CODES}

    def clamp(self, at: datetime, floor: datetime) -> datetime:
        return max(min(at, self.limit), floor)

    def done(self, start: datetime, due: datetime, late: bool) -> datetime:
        """When a step with this clock was done: early in its window mostly, or after it."""
        span = due - start
        if late:
            return due + span * self.rng.uniform(0.03, 0.6) + timedelta(minutes=self.rng.randint(20, 240))
        return start + span * (0.9 * self.rng.random() ** 2) + timedelta(minutes=self.rng.randint(5, 60))

    def london(self, day: date, lo: int, hi: int) -> datetime:
        """An instant on a London day between hours lo and hi."""
        return datetime.combine(day, time(self.rng.randint(lo, hi - 1), self.rng.randint(0, 59)),
                                tzinfo=LONDON).astimezone(UTC)


def add(estate: Estate, w: Writer) -> None:
    run = _Run(estate)
    rng = run.rng
    first = london_day_start(estate.start)
    end = london_day_start(estate.history_end + timedelta(days=1))
    minutes = int((end - first).total_seconds() // 60)
    months = estate.months
    for index, home_id in enumerate(estate.home_ids):
        children = sorted({rng.choice(_LETTERS) + rng.choice(_LETTERS) for _ in range(8)})
        rate = PER_MONTH * rng.uniform(0.6, 1.4)
        count = sum(1 for _ in range(months * 12) if rng.random() < rate / 12)
        for at in sorted(first + timedelta(minutes=rng.randrange(minutes)) for _ in range(count)):
            _incident(run, w, index, home_id, at, children)
    _summaries(run, w)


def _incident(run: _Run, w: Writer, index: int, home_id: int, aware_at: datetime, pool: list[str]) -> None:
    estate, rng = run.estate, run.rng
    manager, sm = estate.manager(index), estate.service_manager(index)
    code = rng.choices(_CODES, cum_weights=_CUM)[0]
    kind: EventType = run.kinds[code]
    share, chosen = _NOTIFIABLE[code]
    notifiable = bool(kind.paragraph) or rng.random() < share
    paragraph = (kind.paragraph or chosen) if notifiable else None
    ico = (rng.random() < 0.3) if code == "data_breach" else None
    lag = {"restraint": (1, 45), "subject_access_request": (0, 0), "complaint": (0, 240),
           "lado_allegation": (10, 600)}.get(code, (5, 180))
    occurred_at = aware_at - timedelta(minutes=rng.randint(*lag))
    created_at = run.clamp(aware_at + timedelta(minutes=rng.randint(10, 300)), aware_at)
    child = rng.choice(pool)
    named = "" if code in ("subject_access_request", "reg40_dbs") or (code == "complaint" and rng.random() < 0.3) \
        else (child if rng.random() < 0.85 else f"{child}, {rng.choice(pool)}")
    what, action = rng.choice(ACCOUNTS[code])
    what, action = what.format(c=child), action.format(c=child)
    start = occurred_at if kind.counts_from_event else aware_at
    incident_id = w.peek_id(Incident)
    label = f"{kind.label}, {start:%d %b %Y} (incident {incident_id})"
    audit_label = f"{kind.label} (incident {incident_id})"
    codes = required_rules(kind, notifiable=notifiable, paragraph=paragraph, ico_reportable=bool(ico))
    group = index // 6

    # What happened to the event, step by step, before it is written (it is written as it ended).
    extended = extended_reason = None
    if code == "subject_access_request" and rng.random() < 0.2 \
            and aware_at < datetime.combine(estate.history_end, time(), tzinfo=UTC) - timedelta(days=120):
        extended = created_at + timedelta(days=rng.randint(5, 20))
        extended_reason = "The request covers six years of records and many third parties; more time is needed."
    ofsted_ref = f"NOT{rng.randint(1000000, 9999999)}"
    steps: list[dict[str, Any]] = []
    clocks = [(c, start, created_at) for c in codes]
    outcome_at: tuple[datetime, datetime] | None = None
    if notifiable and paragraph == TWO_STAGE_PARAGRAPH:
        clocks.append((CP_OUTCOME_RULE, aware_at, created_at))  # its clock is set once Ofsted has been told
    for rule_code, clock_from, made_at in clocks:
        rule = estate.rules[rule_code]
        if rule_code == CP_OUTCOME_RULE:  # `record_outcome`: after the first stage's notification to Ofsted
            told = next(s["recorded_at"] for s in steps if s["rule_code"] == HMCI)
            known = run.clamp(aware_at + timedelta(days=rng.randint(7, 45), hours=rng.randint(0, 9)), told)
            outcome_at = (known, run.clamp(known + timedelta(minutes=rng.randint(15, 240)), max(known, told)))
            clock_from, made_at = known, outcome_at[1]
        due = event_due(rule, clock_from)
        moved = None
        if rule_code == SAR_RULE and extended is not None:
            moved = due_at(Timing(rule.timing_value.kind, (rule.timing_value.amount or 1) + SAR_EXTENSION_MONTHS),
                           aware_at)
        final_due = moved or due
        notified_at = run.clamp(run.done(clock_from, final_due, rng.random() < LATE_SHARE), clock_from)
        recorded_at = run.clamp(max(notified_at + timedelta(minutes=rng.randint(2, 150)), made_at), made_at)
        recipient, method, reference = _recipient(rule_code, run.names[sm], run.names[estate.head], rng)
        if rule_code in (HMCI, CP_OUTCOME_RULE):
            reference = ofsted_ref
        steps.append({"rule_code": rule_code, "title": rule.title, "due": final_due, "first_due": due if moved else None,
                      "made_at": made_at, "notified_at": notified_at, "recorded_at": recorded_at,
                      "recipient": recipient, "method": method, "reference": reference,
                      "late_reason": rng.choice(LATE_REASONS + LATE_REASONS_FOR.get(rule_code, ()))
                      if notified_at > final_due else ""})
    last = max([created_at, *(s["recorded_at"] for s in steps)])
    closer = manager if rng.random() < 0.85 else sm
    closed_at = max(min(last + timedelta(minutes=rng.randint(10, 4 * 24 * 60)), run.close_limit), last)
    outcome = "Strategy meeting concluded: no further action; the child's plan was updated." if outcome_at else None

    w.add(Incident, home_id=home_id, type_code=code, type_name=None, occurred_at=occurred_at, aware_at=aware_at,
          children=named, what_happened=what, action_taken=action, notifiable=notifiable, paragraph=paragraph,
          ico_reportable=ico, status="closed", recorded_by_id=manager, created_at=created_at,
          extended_reason=extended_reason, outcome_known_at=outcome_at[0] if outcome_at else None, outcome=outcome,
          closed_at=closed_at, closed_by_id=closer)
    w.audit(created_at, "create", "Incident", incident_id, audit_label, home_id, {
        "home_id": [None, home_id], "type_code": [None, code], "occurred_at": [None, occurred_at.isoformat()],
        "aware_at": [None, aware_at.isoformat()], "children": [None, named], "notifiable": [None, notifiable],
        "paragraph": [None, paragraph], "ico_reportable": [None, ico], "status": [None, "open"],
        "recorded_by_id": [None, manager]}, actor_id=manager)
    run.events[(group, week_start_of(london_date(aware_at)))].append((created_at, home_id, kind.label, code))
    for step in steps:
        rule_code, recipient, notified_at, recorded_at = (step["rule_code"], step["recipient"], step["notified_at"],
                                                          step["recorded_at"])
        notification_id = w.peek_id(IncidentNotification)
        obligation_id = w.obligation(
            estate, rule_code, home_id, f"incident:{incident_id}", step["due"],
            label=f"outcome of incident {incident_id}" if rule_code == CP_OUTCOME_RULE else label,
            met_at=notified_at, subject=("Incident", incident_id),
            discharged_by=("IncidentNotification", notification_id), created_at=step["made_at"])
        w.add(IncidentNotification, incident_id=incident_id, home_id=home_id, rule_code=rule_code,
              obligation_id=obligation_id, recipient=recipient, notified_at=notified_at, method=step["method"],
              reference=step["reference"], late_reason=step["late_reason"], recorded_by_id=manager,
              created_at=recorded_at)
        w.audit(recorded_at, "create", "IncidentNotification", notification_id,
                f"Notification to {recipient} (incident {incident_id})", home_id, {
                    "rule_code": [None, rule_code], "obligation_id": [None, obligation_id],
                    "recipient": [None, recipient], "notified_at": [None, notified_at.isoformat()],
                    "method": [None, step["method"]], "reference": [None, step["reference"]],
                    "late_reason": [None, step["late_reason"]]}, actor_id=manager)
        if step["first_due"] is not None and extended is not None:  # `extend_sar` moved its deadline
            w.audit(extended, "update", "Obligation", obligation_id, step["title"], home_id,
                    {"due_at": [step["first_due"].isoformat(), step["due"].isoformat()]}, actor_id=manager)
        run.due[(group, week_start_of(london_date(step["due"])))].append((step["made_at"], step["due"], notified_at))
        if step["late_reason"]:
            run.late[(group, week_start_of(london_date(notified_at)))].append(
                (notified_at, recorded_at, home_id, kind.label, recipient, step["late_reason"]))
    if extended is not None:
        w.audit(extended, "update", "Incident", incident_id, audit_label, home_id,
                {"extended_reason": [None, extended_reason]}, actor_id=manager)
    if outcome_at is not None:
        w.audit(outcome_at[1], "update", "Incident", incident_id, audit_label, home_id,
                {"outcome": [None, outcome], "outcome_known_at": [None, outcome_at[0].isoformat()]}, actor_id=manager)
    w.audit(closed_at, "update", "Incident", incident_id, audit_label, home_id,
            {"status": ["open", "closed"], "closed_at": [None, closed_at.isoformat()], "closed_by_id": [None, closer]},
            actor_id=closer)
    if NTK_SERVICE_MANAGER in codes:  # a need-to-know: QA is asked for a case review
        _case_review(run, w, home_id, incident_id, label, created_at)
    if code == "lado_allegation":
        run.lado[group].append((created_at, closed_at))
    if rng.random() < 0.02:
        _correction(run, w, home_id, incident_id, manager, created_at, named, what, action)


def _case_review(run: _Run, w: Writer, home_id: int, incident_id: int, label: str, recorded: datetime) -> None:
    """`record_incident`'s case review obligation (from when it was recorded), met by QA's review."""
    estate, rng = run.estate, run.rng
    due = event_due(estate.rules[CASE_REVIEW_RULE], recorded)
    late = rng.random() < 0.18
    target = (due + timedelta(days=rng.randint(1, 12)) if late
              else recorded + (due - recorded) * rng.uniform(0.15, 0.95))
    reviewed_on = max(london_date(run.clamp(target, recorded)), london_date(recorded))
    if reviewed_on.weekday() > 4:  # QA works weekdays
        reviewed_on += timedelta(days=7 - reviewed_on.weekday())
    at = run.london(reviewed_on, 9, 17)
    if at < recorded:
        at = recorded + timedelta(minutes=rng.randint(15, 120))
    at = run.clamp(at, recorded)
    reviewed_on = max(min(reviewed_on, london_date(at)), london_date(recorded))
    met_at = min(london_day_end(reviewed_on), at)
    review_id = w.peek_id(IncidentCaseReview)
    w.obligation(estate, CASE_REVIEW_RULE, home_id, f"case-review:{incident_id}", due, label=label, met_at=met_at,
                 subject=("Incident", incident_id), discharged_by=("IncidentCaseReview", review_id),
                 created_at=recorded)
    findings, learning = rng.choice(FINDINGS), rng.choice(REVIEW_LEARNING)
    w.add(IncidentCaseReview, incident_id=incident_id, home_id=home_id, reviewed_on=reviewed_on, findings=findings,
          learning=learning, reviewed_by_id=estate.head, created_at=at)
    w.audit(at, "create", "IncidentCaseReview", review_id, f"QA case review (incident {incident_id})", home_id,
            {"incident_id": [None, incident_id], "reviewed_on": [None, reviewed_on.isoformat()],
             "findings": [None, findings], "learning": [None, learning]}, actor_id=estate.head)


def _correction(run: _Run, w: Writer, home_id: int, incident_id: int, by: int, recorded: datetime,
                children: str, what: str, action: str) -> None:
    """`correct_incident`: version 2 of the account, with its reason (the event keeps version 1)."""
    at = run.clamp(run.london(london_date(recorded) + timedelta(days=run.rng.randint(1, 20)), 9, 17), recorded)
    reason = "The first account gave the wrong time; corrected from the daily log."
    correction_id = w.add(IncidentCorrection, incident_id=incident_id, home_id=home_id, version=2, children=children,
                          what_happened=what + " (It began about half an hour earlier than first written.)",
                          action_taken=action, reason=reason, corrected_by_id=by, created_at=at)
    w.audit(at, "create", "IncidentCorrection", correction_id, f"Correction, version 2 (incident {incident_id})",
            home_id, {"version": [None, 2], "reason": [None, reason]}, actor_id=by)


def _summaries(run: _Run, w: Writer) -> None:
    """Each service manager's summary each week, its obligation, the service's weekly one, the reads."""
    estate, rng = run.estate, run.rng
    rule = estate.rules[SUMMARY_RULE]
    groups = max(-(-len(estate.home_ids) // 6), 1)
    homes_of = {g: [(estate.home_names[h], h) for i, h in enumerate(estate.home_ids) if i // 6 == g]
                for g in range(groups)}
    made = set(db.session.scalars(select(Obligation.period_key).where(
        Obligation.rule_code == SUMMARY_RULE, Obligation.scope_key == "organisation")))
    for period in estate.periods(SUMMARY_RULE):
        week_start = period.start
        due = event_due(rule, london_day_start(week_start))
        last: tuple[datetime, int] | None = None
        for group in range(groups):
            manager = estate.by_email[f"sm{group}@bench.example.org"]
            late = rng.random() < LATE_SHARE
            day = week_start + timedelta(days=rng.randint(7, 8) if late else 4)
            submitted = run.clamp(run.london(day, 9, 12) if late else run.london(day, 13, 18),
                                  london_day_start(week_start))
            figures = _figures(run, group, homes_of[group], week_start, submitted)
            themes = f"{figures['events']} events across {len(figures['homes'])} homes. " + rng.choice(THEMES)
            learning, actions = rng.choice(LEARNING), rng.choice(ACTIONS)
            summary_id = w.peek_id(SafeguardingSummary)
            w.obligation(estate, SUMMARY_RULE, None, f"summary:{manager}:{week_start.isoformat()}", due,
                         label=f"{run.names[manager]}, week of {week_start:%d %b %Y}", met_at=submitted,
                         subject=("User", manager), discharged_by=("SafeguardingSummary", summary_id),
                         created_at=london_day_start(week_start) + timedelta(minutes=rng.randint(1, 30)))
            w.add(SafeguardingSummary, manager_id=manager, week_start=week_start, status="submitted", themes=themes,
                  learning=learning, actions=actions, figures=figures, submitted_at=submitted, created_at=submitted)
            w.audit(submitted, "create", "SafeguardingSummary", summary_id,
                    f"Weekly safeguarding summary, {manager}, week of {week_start:%d %b %Y}", None,
                    {"manager_id": [None, manager], "week_start": [None, week_start.isoformat()],
                     "status": [None, "submitted"], "themes": [None, themes], "learning": [None, learning],
                     "submitted_at": [None, submitted.isoformat()]}, actor_id=manager)
            if rng.random() < 0.93:
                read_at = run.clamp(submitted + timedelta(hours=rng.randint(2, 96)), submitted)
                read_id = w.add(SummaryRead, summary_id=summary_id, reader_id=estate.head, read_at=read_at)
                w.audit(read_at, "create", "SummaryRead", read_id, f"Weekly safeguarding summary {summary_id} read",
                        None, {"summary_id": [None, summary_id], "reader_id": [None, estate.head]},
                        actor_id=estate.head)
            if last is None or submitted >= last[0]:
                last = (submitted, summary_id)
        # `_discharge_service_week`: the last service manager's submission meets the service's week.
        if last is not None and period.key not in made:
            w.obligation(estate, SUMMARY_RULE, None, period.key, due_at(rule.timing_value, london_day_start(week_start)),
                         label=calendar_label(period), met_at=last[0],
                         discharged_by=("SafeguardingSummary", last[1]))


def _figures(run: _Run, group: int, homes: list[tuple[str, int]], week_start: date,
             now: datetime) -> dict[str, Any]:
    """`week_figures` as it would have counted at `now` (only what had been recorded by then)."""
    names = {home_id: name for name, home_id in homes}
    events = [e for e in run.events.get((group, week_start), ()) if e[0] <= now]
    by_type: dict[str, int] = {}
    by_home_type: dict[tuple[str, str], int] = {}
    for _, home_id, label, _code in events:
        by_type[label] = by_type.get(label, 0) + 1
        pair = (names[home_id], label)
        by_home_type[pair] = by_home_type.get(pair, 0) + 1
    due = [d for d in run.due.get((group, week_start), ()) if d[0] <= now]
    on_time = late = overdue = 0
    for _, due_at_, met_at in due:
        if met_at <= now:
            if met_at > due_at_:
                late += 1
            else:
                on_time += 1
        elif due_at_ < now:
            overdue += 1
    judged = on_time + late + overdue
    late_rows = sorted(n for n in run.late.get((group, week_start), ()) if n[1] <= now)
    codes = [e[3] for e in events]
    return {
        "homes": [name for name, _ in sorted(homes)],
        "events": len(events),
        "by_type": sorted(by_type.items()),
        "by_home_type": [[home, label, count] for (home, label), count in sorted(by_home_type.items())],
        "need_to_know": codes.count("need_to_know"),
        "restraint": codes.count("restraint"),
        "missing": codes.count("missing"),
        "complaints": codes.count("complaint"),
        "lado_open": sum(1 for made, closed in run.lado.get(group, ()) if made <= now < closed),
        "signals": 0,  # safeguarding concerns are the Reg 44 and feedback areas' (none counted here)
        "due": len(due), "on_time": on_time, "late": late, "overdue": overdue, "waived": 0,
        "on_time_percent": round(100 * on_time / judged) if judged else None,
        "late_notifications": [[names[home_id], label, recipient, reason]
                               for _, _, home_id, label, recipient, reason in late_rows],
    }
