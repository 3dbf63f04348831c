"""Five years of Regulation 45 reviews, as homes_qa/reg45/service.py writes them.

Per home, a review about every 6 months: started a few days before it is completed (the
period is the default one, six months ending that day, its evidence a snapshot in the shape
`reg45.queries.gather_evidence` gives), completed (a Completion of the floating `reg45_review`
rule meeting the current cycle's obligation, key `due:<date>`, and making the next one due six
months after the completion, as `record_completion` does) and sent to Ofsted, meeting its
`reg45_report_to_ofsted` obligation (key `reg45:<id>`, 28 days). The history starts with each
home's cycle already running (its first obligation made by a completion before the history);
the cycle due after the history is left open, as is a copy to Ofsted not yet sent by its end.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from bench.estate import Estate, Writer, event_due
from homes_qa.core.calendar import london_date, london_day_end, london_day_start
from homes_qa.core.timing import next_due_floating
from homes_qa.reg45.models import Reg45Review
from homes_qa.reg45.queries import OFSTED_RULE, REVIEW_RULE
from homes_qa.spine.obligations.models import Completion

QUALITY = ("Children are well cared for and are making progress in their education and health; records are good.",
           "The quality of care is good overall; the home has responded well to the Reg 44 recommendations.",
           "Care is improving after a period of staff changes; children say they feel safe.")
IMPROVEMENTS = ("Improve the recording of key-work sessions so that the child's voice is clear.",
                "Reduce the use of agency staff at weekends.",
                "Complete the redecoration of the communal areas with the children.")
VIEWS = ("Children said they like the staff and the activities; one asked for more say in the menus.",
         "Young people told us they feel safe and listened to.",
         "Children were positive about the home; two would like more contact time with family.")
TYPES = ("Child missing from the home", "Complaint", "Restraint or other measure of control (Regulation 35)",
         "Serious incident requiring police involvement (Regulation 40(4)(b))")


def add(estate: Estate, w: Writer) -> None:
    rng = estate.rng
    rule = estate.rules[REVIEW_RULE]
    timing = rule.timing_value
    ofsted_rule = estate.rules[OFSTED_RULE]
    end = estate.history_end
    for index, home_id in enumerate(estate.home_ids):
        manager = estate.manager(index)
        visitor = f"Visitor {index // 6}"
        # The cycle running when the history starts: made by a completion before it.
        before = estate.start - timedelta(days=rng.randint(0, 170))
        if index == 0:  # due early in the history, so even the bench's two-month estate has a review
            before = estate.start - relativedelta(months=6) + timedelta(days=25)
        due = next_due_floating(timing, london_day_end(before))
        current = {"key": f"due:{due.date().isoformat()}", "due": due, "created": _on(estate, before),
                   "label": f"next due after {before:%d %b %Y}"}
        while True:
            due_day = london_date(current["due"])
            completed_on = due_day + timedelta(days=rng.randint(1, 14)) if rng.random() < 0.2 \
                else due_day - timedelta(days=rng.randint(0, 21))
            if completed_on > end:
                break
            started_on = completed_on - timedelta(days=rng.randint(0, 7))
            period_end = started_on
            period_start = period_end - relativedelta(months=6) + relativedelta(days=1)
            started_at = _on(estate, started_on, 9, 12)
            completed_at = _on(estate, completed_on, 13, 17) if completed_on > started_on \
                else started_at + timedelta(hours=3)
            sent_on = completed_on + timedelta(days=rng.randint(1, 27) if rng.random() < 0.9 else rng.randint(28, 40))
            sent = sent_on if sent_on <= end else None
            narrative = {"quality_of_care": rng.choice(QUALITY), "improvements": rng.choice(IMPROVEMENTS),
                         "children_views": rng.choice(VIEWS)}
            review_id = w.add(
                Reg45Review, home_id=home_id, period_start=period_start, period_end=period_end, status="completed",
                evidence_summary=_evidence(estate, period_start, period_end, started_at, visitor), **narrative,
                author_id=manager, created_at=started_at, completed_at=completed_at, sent_to_ofsted_on=sent)
            record = f"Reg 45 review {period_start} to {period_end}"
            w.audit(started_at, "create", "Reg45Review", review_id, record, home_id,
                    {"home_id": [None, home_id], "period_start": [None, period_start.isoformat()],
                     "period_end": [None, period_end.isoformat()], "status": [None, "draft"],
                     "author_id": [None, manager]}, actor_id=manager)
            w.audit(completed_at - timedelta(minutes=20), "update", "Reg45Review", review_id, record, home_id,
                    {k: ["", v] for k, v in narrative.items()}, actor_id=manager)
            w.audit(completed_at, "update", "Reg45Review", review_id, record, home_id,
                    {"status": ["draft", "completed"], "completed_at": [None, completed_at.isoformat()]},
                    actor_id=manager)
            # The copy to Ofsted: 28 days from the completion, met when the date it was sent is recorded.
            sent_at = _on(estate, sent) if sent is not None else None
            w.obligation(estate, OFSTED_RULE, home_id, f"reg45:{review_id}", event_due(ofsted_rule, completed_at),
                         label=f"review of {period_start:%d %b %Y} to {period_end:%d %b %Y}", met_at=sent_at,
                         subject=("Reg45Review", review_id),
                         discharged_by=("Reg45Review", review_id) if sent_at is not None else None,
                         created_at=completed_at)
            if sent is not None and sent_at is not None:
                w.audit(sent_at, "update", "Reg45Review", review_id, record, home_id,
                        {"sent_to_ofsted_on": [None, sent.isoformat()]}, actor_id=manager)
            # record_completion: the Completion meets the current cycle and makes the next.
            completion_id = w.peek_id(Completion)
            obligation_id = w.obligation(estate, REVIEW_RULE, home_id, current["key"], current["due"],
                                         label=current["label"], met_at=completed_at,
                                         discharged_by=("Completion", completion_id), created_at=current["created"])
            note = (f"Regulation 45 review {period_start:%d %b %Y} to {period_end:%d %b %Y} (review {review_id})")
            assert w.add(Completion, home_id=home_id, rule_code=REVIEW_RULE, obligation_id=obligation_id,
                         done_on=completed_on, note=note, recorded_by_id=manager,
                         recorded_at=completed_at) == completion_id
            w.audit(completed_at, "create", "Completion", completion_id, f"{REVIEW_RULE} done on {completed_on}",
                    home_id, {"home_id": [None, home_id], "rule_code": [None, REVIEW_RULE],
                              "obligation_id": [None, obligation_id], "done_on": [None, completed_on.isoformat()],
                              "note": [None, note], "recorded_by_id": [None, manager]}, actor_id=manager)
            due = next_due_floating(timing, london_day_end(completed_on), current["due"])
            current = {"key": f"due:{due.date().isoformat()}", "due": due, "created": completed_at,
                       "label": f"next due after {completed_on:%d %b %Y}"}
        w.obligation(estate, REVIEW_RULE, home_id, current["key"], current["due"], label=current["label"],
                     met_at=None, created_at=current["created"])


def _on(estate: Estate, day: date, first_hour: int = 8, last_hour: int = 17) -> datetime:
    return london_day_start(day) + timedelta(hours=estate.rng.randint(first_hour, last_hour - 1),
                                             minutes=estate.rng.randint(0, 59))


def _evidence(estate: Estate, start: date, end: date, gathered: datetime, visitor: str) -> dict[str, Any]:
    """The snapshot `gather_evidence` takes (its shape; the figures made up): the period's
    monthly Reg 44 visits, their recommendations' fate, feedback counts and incidents."""
    rng = estate.rng
    visits, totals = [], {"recommendations": 0, "accepted": 0, "declined": 0, "completed": 0, "open": 0,
                          "overdue": 0, "awaiting_response": 0}
    month = start.replace(day=1)
    while month <= end:
        visited = month + timedelta(days=rng.randint(5, 24))
        month = (month + timedelta(days=32)).replace(day=1)
        if not start <= visited <= end:
            continue
        concerns = rng.random() < 0.12
        recommendations = []
        for number in range(1, rng.choice((0, 1, 1, 2)) + 1):
            totals["recommendations"] += 1
            if rng.random() < 0.1:
                totals["declined"] += 1
                recommendations.append({"number": number, "text": "Repaint the garden fence.", "response": "Declined",
                                        "action": "", "owner": "", "due_on": None,
                                        "status": "Declined: already in the maintenance plan"})
                continue
            totals["accepted"] += 1
            totals["completed"] += 1
            done = visited + timedelta(days=rng.randint(10, 40))
            recommendations.append({"number": number, "text": "Update the children's risk assessments.",
                                    "response": "Accepted", "action": "Manager to review them at supervision.",
                                    "owner": "Registered manager",
                                    "due_on": (visited + timedelta(days=42)).isoformat(),
                                    "status": f"Completed on {done:%d %B %Y}"})
        visits.append({"visit_id": None, "visited_on": visited.isoformat(), "announced": rng.random() < 0.3,
                       "visitor": visitor, "report_version": 1, "safeguarded": "Yes",
                       "wellbeing": "Yes, with concerns" if concerns else "Yes",
                       "findings": "Children were relaxed and engaged; records were up to date.",
                       "plan_status": "Approved" if recommendations else None, "recommendations": recommendations})
    young, professionals = rng.randint(0, 6), rng.randint(0, 4)
    safe = rng.randint(0, young)
    incidents = {"Complaint": rng.randint(0, 3), TYPES[0]: rng.randint(0, 4), TYPES[2]: rng.randint(0, 5)}
    notifiable = rng.randint(0, 2)
    return {
        "gathered_at": gathered.isoformat(), "period_start": start.isoformat(), "period_end": end.isoformat(),
        "visits": visits, "actions": totals,
        "feedback": {"young_people": young, "professionals": professionals,
                     "feel_safe": {k: v for k, v in (("Yes", safe), ("Mostly", young - safe)) if v},
                     "communication": {"Good": professionals} if professionals else {},
                     "child_helped": {"Well": professionals} if professionals else {},
                     "professional_concerns": 0, "quotes": []},
        "incidents": {"total": sum(incidents.values()) + notifiable,
                      "by_type": dict(sorted({**{k: v for k, v in incidents.items() if v},
                                              **({TYPES[3]: notifiable} if notifiable else {})}.items())),
                      "notifiable": notifiable,
                      "notifications": {"on_time": notifiable, "late": 0, "waived": 0, "open": 0}},
    }
