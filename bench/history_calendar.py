"""Calendar obligations no area's own record discharges: each period's, met by a completion
recorded against it (what "Mark as done" on the obligation writes: `record_completion`).

The calendar rules an area's records discharge (a Reg 44 visit, an audit, the fire log, the
weekly safeguarding summary, the QPAG report, the dip sample) are written by that area's module.
"""
from __future__ import annotations

from datetime import timedelta

from bench.estate import Estate, Writer, calendar_label, due_of
from homes_qa.core.calendar import london_day_end
from homes_qa.spine.obligations.models import Completion

WRITTEN_BY_THEIR_AREA = frozenset({
    "reg44_visit",  # history_reg44
    "hs_audit_monthly", "fire_safety_monthly", "gdpr_check_monthly", "statutory_check_review_monthly",  # audits
    "fire_alarm_test_weekly", "fire_drill_quarterly", "emergency_lighting_monthly",  # history_checks: the fire log
    "safeguarding_monitoring_weekly",  # history_incidents
    "qpag_report_monthly", "dip_sample_bimonthly",  # history_inspections
})


def add(estate: Estate, w: Writer) -> None:
    rules = [rule for rule in estate.rules.values()
             if rule.trigger == "calendar" and rule.code not in WRITTEN_BY_THEIR_AREA]
    for rule in sorted(rules, key=lambda r: r.code):
        periods = estate.periods(rule.code)
        targets = list(enumerate(estate.home_ids)) if rule.scope == "home" else [(0, None)]
        for index, home_id in targets:
            by = estate.manager(index) if rule.responsible_role == "registered_manager" else (
                estate.service_manager(index) if rule.responsible_role == "service_manager" else estate.head)
            for period in periods:
                due = due_of(period)
                met_at = estate.met_at(due)
                done_on = min(met_at.date(), period.end + timedelta(days=10))
                met_at = min(met_at, london_day_end(done_on))
                completion_id = w.peek_id(Completion)
                obligation_id = w.obligation(estate, rule.code, home_id, period.key, due, label=calendar_label(period),
                                             met_at=met_at, discharged_by=("Completion", completion_id),
                                             created_at=due - timedelta(days=(period.end - period.start).days + 1))
                w.add(Completion, home_id=home_id, rule_code=rule.code, obligation_id=obligation_id, done_on=done_on,
                      note="", recorded_by_id=by, recorded_at=met_at)
                w.audit(met_at, "create", "Completion", completion_id, f"{rule.code} done on {done_on.isoformat()}",
                        home_id, {"done_on": [None, done_on.isoformat()]}, actor_id=by)
