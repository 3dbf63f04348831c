"""Regulation 44 as five years of monthly visits leave it, written as the services write it.

Each home, each month: the visit (discharging the month's `reg44_visit`), its three report
deadlines keyed `visit:<id>` (written within 14 days, checked and sent within 22 working days,
copies to Ofsted), the submitted report with two recommendations, the copies sent, each
recommendation's decide-by obligation met by the manager's action plan, the plan approved and
each accepted action's `action_complete` obligation met when it was done. Anything that would
fall after the estate's "now" has not happened yet, and is left open, as it would be.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bench.estate import Estate, Writer, due_of, event_due
from homes_qa.actionplans.models import ActionPlan, ActionPlanResponse
from homes_qa.core.calendar import london_date, london_day_end
from homes_qa.core.localtime import london_to_utc
from homes_qa.reg44.models import Distribution, Reg44Recommendation, Reg44Report, Reg44Visit
from homes_qa.reg44.queries import REPORT_RULES

RECIPIENTS = ("ofsted", "placing_authority", "senior_managers")


def add(estate: Estate, w: Writer) -> None:
    for index, home_id in enumerate(estate.home_ids):
        for period in estate.periods("reg44_visit"):
            _month(estate, w, index, home_id, period)


def _happened(estate: Estate, at: datetime | None) -> datetime | None:
    return at if at is not None and at <= estate.now else None


def _month(estate: Estate, w: Writer, index: int, home_id: int, period) -> None:
    rng = estate.rng
    visitor, manager, service_manager = estate.visitor(index), estate.manager(index), estate.service_manager(index)
    day = period.start + timedelta(days=rng.randint(2, 24))
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    arrived = f"{rng.randint(9, 15):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    instant = london_to_utc(day, time.fromisoformat(arrived))
    label = f"visit on {day.day} {day:%B %Y}"
    visit_id = w.peek_id(Reg44Visit)
    w.obligation(estate, "reg44_visit", home_id, period.key, due_of(period), label=f"{period.start:%B %Y}",
                 met_at=instant, discharged_by=("Reg44Visit", visit_id),
                 created_at=london_day_end(period.start - timedelta(days=1)))
    recorded_at = instant + timedelta(hours=rng.randint(3, 30))
    w.add(Reg44Visit, home_id=home_id, visitor_id=visitor, status="recorded", planned_for=day,
          announced=rng.random() < 0.6, visited_on=day, arrived_at=arrived, left_at="13:30",
          spoke_children=rng.randint(0, 4), spoke_parents=rng.randint(0, 1), spoke_staff=rng.randint(1, 4),
          spoke_professionals=rng.randint(0, 2), spoke_roles="shift leader, keyworker",
          records_inspected="daily logs, incident records, complaints log", notes="",
          created_at=instant - timedelta(days=14), recorded_at=recorded_at)
    w.audit(recorded_at, "update", "Reg44Visit", visit_id, f"Reg 44 visit to {estate.home_names[home_id]} on {day}",
            home_id, {"status": ["planned", "recorded"]}, actor_id=visitor)

    # The report: mostly within the fortnight, now and then late; checked by the service manager.
    submitted = _happened(estate, instant + timedelta(days=rng.randint(3, 12) if rng.random() < 0.85
                                                      else rng.randint(15, 24), hours=rng.randint(0, 6)))
    checked = _happened(estate, submitted + timedelta(days=rng.randint(1, 12)) if submitted else None)
    sent_on = london_date(checked) + timedelta(days=rng.randint(0, 3)) if checked else None
    if sent_on is not None and london_day_end(sent_on) > estate.now:
        sent_on = None
    report_id = w.peek_id(Reg44Report)
    distribution_id = w.peek_id(Distribution)
    met = {"reg44_report_complete": (submitted, ("Reg44Report", report_id)),
           "reg44_report_sent": (checked, ("Reg44Report", report_id)),
           "reg44_report_statutory": (london_day_end(sent_on) if sent_on else None, ("Distribution", distribution_id))}
    for code in REPORT_RULES:
        at, by = met[code]
        w.obligation(estate, code, home_id, f"visit:{visit_id}", event_due(estate.rules[code], instant),
                     label=label, met_at=at, subject=("Reg44Visit", visit_id), discharged_by=by if at else None,
                     created_at=recorded_at)
    if submitted is None:
        w.add(Reg44Report, visit_id=visit_id, home_id=home_id, version=1, status="draft", findings="Notes so far.",
              author_id=visitor, created_at=recorded_at, updated_at=recorded_at)
        return
    concerns = rng.random() < 0.05
    w.add(Reg44Report, visit_id=visit_id, home_id=home_id, version=1, status="submitted",
          safeguarded_opinion="with_concerns" if concerns else "yes",
          safeguarded_narrative="Children said they feel safe; staff knew the safeguarding procedures.",
          wellbeing_opinion="yes", wellbeing_narrative="Care plans were current; children attend education.",
          findings="The home was calm and homely. " * 20, previous_progress="Last month's actions are in hand.",
          author_id=visitor, created_at=recorded_at, updated_at=submitted, submitted_at=submitted,
          checked_by_id=service_manager if checked else None, checked_at=checked)
    w.audit(submitted, "update", "Reg44Report", report_id, f"Reg 44 report for visit {visit_id}, version 1", home_id,
            {"status": ["draft", "submitted"]}, actor_id=visitor)
    if sent_on is not None:
        for recipient in RECIPIENTS:
            w.add(Distribution, report_id=report_id, home_id=home_id, recipient=recipient, recipient_detail="",
                  method="ofsted_portal" if recipient == "ofsted" else "secure_email", sent_on=sent_on,
                  recorded_by_id=visitor, recorded_at=london_day_end(sent_on))
    _plan(estate, w, home_id, manager, service_manager, report_id, submitted, label)


def _plan(estate: Estate, w: Writer, home_id: int, manager: int, service_manager: int, report_id: int,
          submitted: datetime, label: str) -> None:
    rng = estate.rng
    decide_by = london_date(submitted) + timedelta(days=28)
    proposed = _happened(estate, submitted + timedelta(days=rng.randint(4, 32)))
    reviewed = _happened(estate, proposed + timedelta(days=rng.randint(1, 6)) if proposed else None)
    plan_id = w.peek_id(ActionPlan)
    recommendations = []
    for number in (1, 2):
        rec_id = w.peek_id(Reg44Recommendation)
        w.obligation(estate, "reg44_recommendation_response", home_id, f"rec:{rec_id}", london_day_end(decide_by),
                     label=f"recommendation {number}, {label}", met_at=proposed,
                     subject=("Reg44Recommendation", rec_id),
                     discharged_by=("ActionPlan", plan_id) if proposed else None, created_at=submitted)
        w.add(Reg44Recommendation, report_id=report_id, home_id=home_id, number=number,
              text=rng.choice(("Review the bedtime routine with the young people.",
                               "Update the missing-from-care risk assessments.",
                               "Record the outcome of each complaint in the log.")),
              consider_within_days=28, decide_by=decide_by, original_decide_by=None, decide_by_reason="")
        recommendations.append((rec_id, number))
    if proposed is None:
        return
    w.add(ActionPlan, report_id=report_id, home_id=home_id, status="approved" if reviewed else "submitted",
          reviewer_comments="", proposed_by_id=manager, proposed_at=proposed,
          reviewed_by_id=service_manager if reviewed else None, reviewed_at=reviewed)
    w.audit(proposed, "create", "ActionPlan", plan_id, f"Action plan for report {report_id}", home_id,
            {"status": [None, "submitted"]}, actor_id=manager)
    for rec_id, number in recommendations:
        accept = rng.random() < 0.9
        due_on: date | None = london_date(proposed) + timedelta(days=rng.randint(14, 60)) if accept else None
        done_on = due_on + timedelta(days=rng.randint(-12, 8)) if due_on else None
        if done_on is not None and done_on < london_date(proposed):
            done_on = london_date(proposed)
        if done_on is not None and (reviewed is None or london_day_end(done_on) > estate.now):
            done_on = None
        response_id = w.peek_id(ActionPlanResponse)
        action = "Agreed with the team at the next meeting; manager to check in a month."
        if accept and reviewed is not None and due_on is not None:
            w.obligation(estate, "action_complete", home_id, f"reg44action:{response_id}", london_day_end(due_on),
                         label=f"Reg 44 action (recommendation {number}): {action[:150]}",
                         met_at=london_day_end(done_on) if done_on else None,
                         subject=("ActionPlanResponse", response_id),
                         discharged_by=("ActionPlanResponse", response_id) if done_on else None, created_at=reviewed)
        w.add(ActionPlanResponse, plan_id=plan_id, recommendation_id=rec_id, home_id=home_id,
              decision="accept" if accept else "decline", action=action if accept else "",
              owner="Registered manager" if accept else "", due_on=due_on, original_due_on=None,
              decline_reason="" if accept else "Already covered by the home's development plan.",
              completed_on=done_on)
