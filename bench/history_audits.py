"""Monthly audits, as five years of use leave them (homes_qa/audits/service.py).

Every month, at every home, each audit template's audit: started, answered, graded and
submitted by whoever conducts it (the registered manager: health and safety, fire; the service
manager: GDPR, the statutory check review), with the template's questions copied onto it, an
answer to each question (mostly yes; a "no" with its finding and action, owner, due date and
priority), section and overall grades with their evidence, and learning points. Submitting
turns each "no" into a finding whose `action_complete` obligation is met when the owner records
it done (`record_completion`: a completion, on or after the action's date now and then; the
actions still running when the history ends are left open), and discharges the month's calendar
obligation (`obligation_for_period`). An inadequate audit makes its `audit_reaudit` obligation,
met by the re-audit a month later; a re-audit that did not improve escalates (its obligation
waived by the service manager once the findings were discussed), and is itself re-audited.
Each record's creation and each change is in the audit trail, as the flush hook writes it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bench.estate import Estate, Writer, calendar_label, due_of, event_due
from homes_qa.audits.models import Answer, AuditAnswer, AuditFinding, AuditStatus, Grade, HomeAudit, Priority
from homes_qa.audits.service import GRADE_ORDER
from homes_qa.audits.templates import AuditTemplate, latest_templates
from homes_qa.core.calendar import london_date, london_day_end, london_day_start
from homes_qa.core.roles import Role
from homes_qa.spine.obligations.models import Completion, Obligation, ObligationStatus

# Each question's evidence for a "yes" (when the template asks for it) and, for a "no", what was
# found and the action; the questions that may not apply in a month, with what was noted.
WORDING: dict[str, tuple[str, str, str]] = {
    "hs_ra_current": ("Risk assessment folder: every assessment reviewed in the year, signed by the manager",
                      "The kitchen risk assessment was last reviewed 14 months ago",
                      "Review and re-sign the kitchen risk assessment"),
    "hs_ra_shared": ("", "Two new staff have not signed the current risk assessments",
                     "New starters to read and sign the risk assessments on their next shift"),
    "hs_coshh": ("COSHH file current; the cleaning cupboard was locked",
                 "Bleach was left in the unlocked utility cupboard",
                 "Fit a lock to the utility cupboard and move the products into it"),
    "hs_water": ("Sentinel outlet log complete: hot 52–55 °C, cold 14–17 °C",
                 "The hot tap in bathroom 2 reached only 46 °C in a minute",
                 "Plumber to check the thermostatic mixing valve in bathroom 2"),
    "hs_windows": ("", "The restrictor on bedroom 3's window is broken", "Replace bedroom 3's window restrictor"),
    "hs_first_aid": ("", "The first aid kit had no burns dressings; no first aider on two night shifts",
                     "Restock the kit and book first aid training for the night staff"),
    "hs_accidents": ("Accident book read: entries complete, none reportable",
                     "A fall in the garden was not written up", "Write up the accident and remind staff at handover"),
    "fire_fra_current": ("Fire risk assessment reviewed by the assessor this year, after the kitchen refit",
                         "The fire risk assessment was not reviewed after the loft conversion",
                         "Book the fire risk assessor to review the assessment"),
    "fire_fra_actions": ("", "Two of the fire risk assessment's actions are past their dates",
                         "Complete the overdue fire risk assessment actions"),
    "fire_weekly_tests": ("Fire log: every weekly alarm test logged, a different call point each week",
                          "One week's alarm test was not logged",
                          "Shift leaders to log the weekly alarm test on the day it is done"),
    "fire_lighting": ("", "The emergency lighting test was not logged this month",
                      "Carry out and log the emergency lighting test"),
    "fire_escape": ("", "The kitchen fire door was wedged open", "Fit a hold-open device to the kitchen fire door"),
    "fire_drill": ("Drill log: this quarter's drill evacuated in under three minutes; a night drill held this year",
                   "No drill has been held this quarter",
                   "Hold and record a fire drill, including night-time conditions"),
    "gdpr_ropa": ("", "The record of processing does not list the new CCTV",
                  "Add the CCTV to the record of processing activities"),
    "gdpr_retention": ("", "Leavers' files have not been archived to the retention schedule",
                       "Archive the leavers' files to the records store"),
    "gdpr_training": ("Training matrix: every member of staff completed data protection training in the year",
                      "Three staff are overdue for data protection training",
                      "Book the three staff onto data protection training"),
    "gdpr_security": ("", "The office filing cabinet was left unlocked overnight",
                      "Lock the office cabinet and remind staff at the team meeting"),
    "gdpr_breaches": ("Breach log read: none this month",
                      "A misdirected e-mail was not logged as a breach",
                      "Log the breach and assess whether it must be reported to the ICO"),
    "gdpr_sar": ("", "A subject access request was answered after five weeks",
                 "Keep a tracker of subject access requests and their dates"),
    "stat_in_date": ("Register checked against the certificates: every one in date",
                     "The PAT testing certificate has expired", "Book the PAT testing"),
    "stat_due_soon": ("", "Next month's gas safety renewal is not booked", "Book the gas safety check"),
    "stat_not_applicable": ("", "The hoist is marked as not applying, but one was fitted in the spring",
                            "Add the hoist's LOLER examination to the register"),
    "stat_remedials": ("Contractor's sign-off of the EICR's C2 remedials on file",
                       "Two C2 remedials from the EICR are still open",
                       "Electrician to complete the EICR remedial works"),
    "stat_evidence": ("", "Two certificates in the register have no file attached",
                      "Scan and attach the two missing certificates"),
}
NOT_APPLICABLE = {"hs_accidents": (0.2, "No accidents this month"),
                  "gdpr_sar": (0.6, "No subject access requests this month"),
                  "stat_not_applicable": (0.3, "No check is marked as not applying")}
EVIDENCE = {
    Grade.OUTSTANDING: "Every record complete and current, with practice beyond what is required",
    Grade.GOOD: "Records complete and current; staff knew the arrangements when asked",
    Grade.REQUIRES_IMPROVEMENT: "Gaps found (see the actions); the arrangements are otherwise in place",
    Grade.INADEQUATE: "Significant gaps that put young people at risk (see the actions); re-audit within a month",
}
OVERALL_EVIDENCE = {
    Grade.OUTSTANDING: "Strong, well-led arrangements throughout the audit",
    Grade.GOOD: "The home's arrangements are in place and followed",
    Grade.REQUIRES_IMPROVEMENT: "The actions must be done by their dates for the home to be good",
    Grade.INADEQUATE: "Not safe as found: actions by their owners and a re-audit within a month",
}
LEARNING = ("Share the findings at the next team meeting", "Add the check to the shift handover list",
            "Cover this area in new staff's induction", "Deputy to spot-check this area mid-month",
            "Keep the evidence in the audit file, not on the office desk")
PRIORITY_DAYS = {Priority.HIGH: 7, Priority.MEDIUM: 14, Priority.LOW: 28}
DONE_NOTES = ("Done; evidence in the office file", "Done and checked by the manager", "Completed by the contractor",
              "Done; discussed at the team meeting")
RI, INADEQUATE = Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE


def add(estate: Estate, w: Writer) -> None:
    templates = [t for t in latest_templates() if estate.rules[t.rule_code].active]
    snapshots = {t.code: t.to_snapshot() for t in templates}
    for index, home_id in enumerate(estate.home_ids):
        manager, service_manager = estate.manager(index), estate.service_manager(index)
        for template in templates:
            by = manager if Role.REGISTERED_MANAGER in template.conducted_by else service_manager
            owners = (manager,) if by == manager else (manager, manager, service_manager)
            audits = _Audits(estate, w, home_id, template, snapshots[template.code], by, owners, service_manager)
            for period in estate.periods(template.rule_code):
                audits.month(period)


class _Audits:
    """One home's audits of one template."""

    def __init__(self, estate: Estate, w: Writer, home_id: int, template: AuditTemplate,
                 snapshot: list[dict[str, Any]], by: int, owners: tuple[int, ...], service_manager: int) -> None:
        self.estate, self.w, self.rng = estate, w, estate.rng
        self.home_id, self.template, self.snapshot, self.by = home_id, template, snapshot, by
        self.owners, self.service_manager = owners, service_manager
        self.now = estate.now

    def month(self, period) -> None:
        """The month's audit, submitted by the month's deadline (now and then a few days late),
        discharging the month's obligation (`obligation_for_period` and `discharge`)."""
        rng, w = self.rng, self.w
        due = due_of(period)
        submitted = self.estate.met_at(due, late_share=0.1)
        first = london_day_start(period.start) + timedelta(hours=8)
        started = max(min(submitted - timedelta(hours=rng.randint(2, 60)), due - timedelta(hours=rng.randint(6, 40))),
                      first)
        roll = rng.random()
        grade = (INADEQUATE if roll < 0.015 else RI if roll < 0.14 else Grade.OUTSTANDING if roll > 0.93
                 else Grade.GOOD)
        audit_id = w.peek_id(HomeAudit)
        w.obligation(self.estate, self.template.rule_code, self.home_id, period.key, due,
                     label=calendar_label(period), met_at=submitted, discharged_by=("HomeAudit", audit_id),
                     created_at=london_day_end(period.start - timedelta(days=1)))
        self.audit(started, submitted, grade, None)

    def audit(self, started: datetime, submitted: datetime, grade: Grade, original: tuple[int, Grade, bool] | None,
              ) -> None:
        """One audit as `start_audit`, `save_answers`, `save_grades` and `submit` leave it;
        `original`: the audit it re-audits (id, grade, whether that one was a re-audit too)."""
        rng, w, template, home_id, by = self.rng, self.w, self.template, self.home_id, self.by
        span = (submitted - started).total_seconds()
        answered = started + timedelta(seconds=span * rng.uniform(0.3, 0.6))
        graded = started + timedelta(seconds=span * rng.uniform(0.7, 0.95))
        period_key = f"{london_date(started):%Y-%m}"
        submitted_on = london_date(submitted)
        questions = [(s["code"], q) for s in self.snapshot for q in s["questions"]]
        noes = self._noes(questions, grade)
        # The grades the conductor gives: a section with a "no" requires improvement (the worst
        # of an inadequate audit's is inadequate); the others good (or outstanding).
        by_section: dict[str, int] = {}
        for section, question in questions:
            if question["code"] in noes:
                by_section[section] = by_section.get(section, 0) + 1
        worst = max(by_section, key=lambda s: by_section[s]) if by_section else None
        section_grades = {}
        for section in self.snapshot:
            code = section["code"]
            if code not in by_section:
                g = Grade.OUTSTANDING if grade == Grade.OUTSTANDING else Grade.GOOD
            elif grade == INADEQUATE and code == worst:
                g = INADEQUATE
            elif grade in (RI, INADEQUATE):
                g = RI
            else:
                g = Grade.GOOD  # a good audit's single minor "no"
            section_grades[code] = {"grade": str(g), "evidence": EVIDENCE[g]}
        learning = rng.sample(LEARNING, rng.randint(1, 3) if grade in (RI, INADEQUATE) else rng.randint(0, 1))
        title = template.title
        audit_id = w.add(HomeAudit, home_id=home_id, template_code=template.code, template_version=template.version,
                         title=title, sections=self.snapshot, period_key=period_key,
                         reaudit_of_id=original[0] if original else None, status=AuditStatus.SUBMITTED.value,
                         section_grades=section_grades, overall_grade=str(grade),
                         overall_evidence=OVERALL_EVIDENCE[grade], learning_points=learning, started_by_id=by,
                         started_at=started, submitted_at=submitted)
        label = f"{title} {period_key}"
        created = {"id": [None, audit_id], "home_id": [None, home_id], "template_code": [None, template.code],
                   "template_version": [None, template.version], "title": [None, title],
                   "sections": [None, self.snapshot], "period_key": [None, period_key],
                   "status": [None, AuditStatus.DRAFT.value], "section_grades": [None, {}],
                   "overall_evidence": [None, ""], "learning_points": [None, []], "started_by_id": [None, by],
                   "started_at": [None, started.isoformat()]}
        if original:
            created["reaudit_of_id"] = [None, original[0]]
        w.audit(started, "create", "HomeAudit", audit_id, label, home_id, created, actor_id=by)

        # The answers, each as given (`save_answers`), and the findings `submit` makes of the "no"s.
        findings = []
        for _section, question in questions:
            code = question["code"]
            evidence, found, action = WORDING[code]
            row: dict[str, Any] = {"audit_id": audit_id, "home_id": home_id, "question_code": code}
            if code in noes:
                priority = rng.choice((Priority.HIGH, Priority.MEDIUM, Priority.MEDIUM, Priority.LOW)
                                      if grade in (RI, INADEQUATE) else (Priority.MEDIUM, Priority.LOW))
                owner = rng.choice(self.owners)
                due_on = submitted_on + timedelta(days=PRIORITY_DAYS[priority] + rng.randint(0, 3))
                row.update(answer=Answer.NO.value, comment=found, action=action, owner_id=owner, due_on=due_on,
                           priority=priority.value)
                findings.append((code, question["text"], found, action, owner, due_on, priority))
            elif code in NOT_APPLICABLE and rng.random() < NOT_APPLICABLE[code][0]:
                row.update(answer=Answer.NOT_APPLICABLE.value, comment=NOT_APPLICABLE[code][1], action="",
                           owner_id=None, due_on=None, priority=None)
            else:
                row.update(answer=Answer.YES.value, comment=evidence if question["needs_evidence"] else "",
                           action="", owner_id=None, due_on=None, priority=None)
            answer_id = w.add(AuditAnswer, **row)
            w.audit(answered, "create", "AuditAnswer", answer_id, f"AuditAnswer {answer_id}", home_id,
                    {"id": [None, answer_id], **{k: [None, v.isoformat() if isinstance(v, date) else v]
                                                 for k, v in row.items() if v is not None}},
                    actor_id=by)
        w.audit(graded, "update", "HomeAudit", audit_id, label, home_id,
                {"section_grades": [{}, section_grades], "overall_grade": [None, str(grade)],
                 "overall_evidence": ["", OVERALL_EVIDENCE[grade]], "learning_points": [[], learning]}, actor_id=by)
        w.audit(submitted, "update", "HomeAudit", audit_id, label, home_id,
                {"status": [AuditStatus.DRAFT.value, AuditStatus.SUBMITTED.value],
                 "submitted_at": [None, submitted.isoformat()]}, actor_id=by)
        for finding in findings:
            self._finding(audit_id, submitted, *finding)

        if grade == INADEQUATE:
            self._reaudit(audit_id, label, submitted, grade, original is not None)
        if original is not None and grade in (RI, INADEQUATE) and GRADE_ORDER.index(grade) >= GRADE_ORDER.index(
                original[1]):
            self._escalation(audit_id, submitted, second=original[2])

    def _noes(self, questions: list[tuple[str, dict[str, Any]]], grade: Grade) -> set[str]:
        codes = [q["code"] for _, q in questions]
        count = {Grade.OUTSTANDING: 0, Grade.GOOD: 1 if self.rng.random() < 0.25 else 0,
                 RI: self.rng.randint(1, 3), INADEQUATE: self.rng.randint(3, 4)}[grade]
        return set(self.rng.sample(codes, min(count, len(codes))))

    def _finding(self, audit_id: int, submitted: datetime, code: str, question: str, found: str, action: str,
                 owner: int, due_on: date, priority: Priority) -> None:
        """A "no" made a finding (`submit`), its `action_complete` obligation, and the owner's
        record that it was done (`record_completion`) unless it is still to do."""
        rng, w, estate, home_id = self.rng, self.w, self.estate, self.home_id
        finding_id = w.add(AuditFinding, audit_id=audit_id, home_id=home_id, question_code=code, question=question,
                           finding=found, action=action, owner_id=owner, due_on=due_on, priority=priority.value)
        w.audit(submitted, "create", "AuditFinding", finding_id, f"Audit finding: {action[:80]}", home_id,
                {"id": [None, finding_id], "audit_id": [None, audit_id], "home_id": [None, home_id],
                 "question_code": [None, code],
                 "question": [None, question], "finding": [None, found], "action": [None, action],
                 "owner_id": [None, owner], "due_on": [None, due_on.isoformat()], "priority": [None, priority.value]},
                actor_id=self.by)
        rule = estate.rules["action_complete"]
        if not rule.active:
            return
        submitted_on = london_date(submitted)
        if rng.random() < 0.12:
            done_on = due_on + timedelta(days=rng.randint(1, 14))
        else:
            done_on = max(due_on - timedelta(days=rng.randint(0, 10)), submitted_on + timedelta(days=1))
        recorded_at = london_day_start(done_on) + timedelta(hours=rng.randint(9, 17), minutes=rng.randint(0, 59))
        done = recorded_at <= self.now
        completion_id = w.peek_id(Completion)
        obligation_id = w.obligation(estate, "action_complete", home_id, f"audit_finding:{finding_id}",
                                     event_due(rule, submitted, due_on), label=f"{self.template.title} action: "
                                     f"{action[:80]}", met_at=recorded_at if done else None,
                                     subject=("AuditFinding", finding_id),
                                     discharged_by=("Completion", completion_id) if done else None,
                                     created_at=submitted)
        if not done:
            return
        completion_home = home_id if rule.scope == "home" else None
        note = rng.choice(DONE_NOTES)
        row = {"home_id": completion_home, "rule_code": rule.code, "obligation_id": obligation_id, "done_on": done_on,
               "note": note, "recorded_by_id": owner, "recorded_at": recorded_at}
        w.add(Completion, **row)
        w.audit(recorded_at, "create", "Completion", completion_id, f"{rule.code} done on {done_on.isoformat()}",
                completion_home, {"id": [None, completion_id], **{
                    k: [None, v.isoformat() if isinstance(v, date) else v] for k, v in row.items() if v is not None}},
                actor_id=owner)

    def _reaudit(self, audit_id: int, label: str, submitted: datetime, grade: Grade, was_reaudit: bool) -> None:
        """An inadequate audit's `audit_reaudit` obligation, met by the re-audit about a month
        later (which improves, mostly); open when the re-audit's time has not come yet."""
        rng, estate = self.rng, self.estate
        rule = estate.rules["audit_reaudit"]
        if not rule.active:
            return
        due = event_due(rule, submitted)
        re_submitted = submitted + timedelta(days=rng.randint(20, 33), hours=rng.randint(-4, 4))
        done = re_submitted <= self.now
        w = self.w
        w.obligation(estate, "audit_reaudit", self.home_id, f"reaudit:{audit_id}", due, label=f"Re-audit: {label}",
                     met_at=re_submitted if done else None, subject=("HomeAudit", audit_id),
                     discharged_by=("HomeAudit", w.peek_id(HomeAudit)) if done else None, created_at=submitted)
        if not done:
            return
        # A second re-audit always improves here (else it would go to the head of service).
        roll = rng.random()
        new = Grade.GOOD if roll < 0.55 else RI if (roll < 0.88 or was_reaudit) else INADEQUATE
        re_started = re_submitted - timedelta(hours=rng.randint(2, 30))
        self.audit(re_started, re_submitted, new, (audit_id, grade, was_reaudit))

    def _escalation(self, audit_id: int, submitted: datetime, *, second: bool) -> None:
        """A re-audit that kept or lowered the grade (seed 004): discussed with the service manager
        within five working days, after which the service manager waives the escalation, saying so."""
        estate, w = self.estate, self.w
        code = "audit_reaudit_escalation_hos" if second else "audit_reaudit_escalation"
        rule = estate.rules[code]
        if not rule.active:
            return
        due = event_due(rule, submitted)
        discussed = due - timedelta(days=self.rng.randint(1, 3), hours=self.rng.randint(1, 6))
        if discussed > self.now:
            w.obligation(estate, code, self.home_id, f"reaudit_escalation:{audit_id}", due,
                         label=f"Re-audit did not improve: {self.template.title}", met_at=None,
                         subject=("HomeAudit", audit_id), created_at=submitted)
            return
        where = estate.home_names[self.home_id] if rule.scope == "home" else "Whole service"
        home_id = self.home_id if rule.scope == "home" else None
        reason = f"Findings discussed with the service manager on {london_date(discussed):%d %B %Y}; actions agreed"
        obligation_id = w.add(
            Obligation, rule_id=rule.id, rule_code=code, home_id=home_id,
            scope_key=f"home:{home_id}" if home_id is not None else "organisation",
            period_key=f"reaudit_escalation:{audit_id}",
            title=f"{rule.title} — {where} — Re-audit did not improve: {self.template.title}"[:300],
            subject_type="HomeAudit", subject_id=audit_id, due_at=due, responsible_role=rule.responsible_role,
            ladder=list(rule.ladder), due_soon_days=rule.due_soon_days, due_soon_hours=rule.due_soon_hours,
            status=ObligationStatus.WAIVED.value, hidden_from_home_staff=False, met_at=None,
            discharged_by_type=None, discharged_by_id=None, waived_reason=reason,
            waived_by_id=self.service_manager, created_at=submitted)
        w.audit(discussed, "update", "Obligation", obligation_id, rule.title, home_id,
                {"status": [ObligationStatus.OPEN.value, ObligationStatus.WAIVED.value],
                 "waived_reason": [None, reason], "waived_by_id": [None, self.service_manager]},
                actor_id=self.service_manager)
