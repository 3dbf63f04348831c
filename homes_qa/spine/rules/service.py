"""The rule table: loaded from the cited catalogue, edited by administrators (audited)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from homes_qa.core.catalogue import RULES, RuleSpec
from homes_qa.core.escalation import LadderError, ladder_from_list, ladder_to_list, validate_ladder
from homes_qa.core.roles import ROLES
from homes_qa.core.timing import Timing, TimingError
from homes_qa.extensions import db
from homes_qa.spine.rules.models import Rule, RuleScope
from homes_qa.spine.transaction import ServiceError, transactional

# Work done once for the whole service rather than per home (seed 002 §7.1 "collated by QA",
# §8.2 the joint QPAG report, §8.5 dip-sample requests, the service manager's weekly summary).
ORGANISATION_WIDE = frozenset({
    "young_people_survey_6m", "professional_survey_6m", "safeguarding_monitoring_weekly",
    "qpag_report_monthly", "dip_sample_bimonthly",
})


# The largest number each timing may take: ten years at most (a typo such as 10^30 or 2^63
# would overflow date arithmetic when an obligation is created, or loop over working days).
MAX_AMOUNT: dict[tuple[str, str | None], tuple[int, str]] = {
    ("elapsed_hours", None): (8784, "hours"),
    ("calendar_days", None): (3660, "days"),
    ("calendar_days_before", None): (3660, "days"),
    ("working_days", None): (2610, "working days"),
    ("calendar_months", None): (120, "months"),
    ("fixed", "weeks"): (520, "weeks"), ("fixed", "months"): (120, "months"),
    ("floating", "days"): (3660, "days"), ("floating", "weeks"): (520, "weeks"),
    ("floating", "months"): (120, "months"),
}
MAX_LADDER_DAYS = 260  # a year of working days after the due date
MAX_LADDER_HOURS = 24 * 366  # a year of elapsed hours after the due time
MAX_DUE_SOON_DAYS = 90


def _check_bounds(timing: dict[str, Any], ladder: list[dict[str, Any]]) -> None:
    amount = timing.get("amount")
    if isinstance(amount, int) and not isinstance(amount, bool):
        limit = MAX_AMOUNT.get((str(timing.get("kind")), timing.get("unit")))
        if limit is not None and amount > limit[0]:
            raise ServiceError(f"The number must be {limit[0]} {limit[1]} or fewer", "timing")
    for step in ladder:
        days = step.get("after_working_days") if isinstance(step, dict) else None
        if isinstance(days, int) and not isinstance(days, bool) and days > MAX_LADDER_DAYS:
            raise ServiceError(f"Level {step.get('level')}: working days after due must be "
                               f"{MAX_LADDER_DAYS} or fewer", "ladder")
        hours = step.get("after_hours") if isinstance(step, dict) else None
        if isinstance(hours, int) and not isinstance(hours, bool) and hours > MAX_LADDER_HOURS:
            raise ServiceError(f"Level {step.get('level')}: hours after due must be "
                               f"{MAX_LADDER_HOURS} or fewer", "ladder")


def _from_spec(spec: RuleSpec) -> dict[str, Any]:
    return dict(title=spec.title, area=spec.area, trigger=spec.trigger,
                scope=RuleScope.ORGANISATION if spec.code in ORGANISATION_WIDE else RuleScope.HOME,
                timing=spec.timing.to_dict(), responsible_role=spec.responsible_role,
                ladder=ladder_to_list(spec.ladder), source=spec.source, verify=spec.verify, notes=spec.notes,
                due_soon_hours=spec.due_soon_hours)


@transactional
def sync_catalogue() -> int:
    """Add catalogue rules missing from the table. Existing rows are left as administrators set them."""
    existing = set(db.session.scalars(select(Rule.code)))
    added = 0
    for spec in RULES:
        if spec.code not in existing:
            db.session.add(Rule(code=spec.code, **_from_spec(spec)))
            added += 1
    return added


def rule_by_code(code: str) -> Rule:
    rule = db.session.scalar(select(Rule).where(Rule.code == code))
    if rule is None:
        # The table is filled on first use so features never depend on a manual step.
        sync_catalogue()
        rule = db.session.scalar(select(Rule).where(Rule.code == code))
    if rule is None:
        raise LookupError(f"no rule {code!r}")
    return rule


def all_rules() -> list[Rule]:
    return list(db.session.scalars(select(Rule).order_by(Rule.area, Rule.code)))


@transactional
def update_rule(rule: Rule, *, timing: dict[str, Any], ladder: list[dict[str, Any]], due_soon_days: int | None,
                active: bool, due_soon_hours: int | None = None) -> Rule:
    """Change a rule's timing and escalation. Applies to obligations created after the change.

    An hour clock (a rule that warns in hours) takes `due_soon_hours`; its days are left alone.
    """
    _check_bounds(timing, ladder)
    try:
        timing_value = Timing.from_dict(timing)
    except (TimingError, TypeError, ValueError) as error:
        raise ServiceError(str(error), "timing") from None
    if timing_value.is_fixed != (rule.trigger == "calendar"):
        raise ServiceError("This rule is started by " + ("the calendar, so its timing must be a fixed cadence"
                           if rule.trigger == "calendar" else "an event, so its timing cannot be a fixed cadence"),
                           "timing")
    try:
        steps = ladder_from_list(ladder)
        validate_ladder(steps)
    except (LadderError, TypeError, ValueError, KeyError) as error:
        raise ServiceError(str(error), "ladder") from None
    if any(step.role not in ROLES for step in steps):
        raise ServiceError("The ladder names a role the app does not know", "ladder")
    if steps[0].role != rule.responsible_role:
        raise ServiceError("Level 1 of the ladder must be the responsible role", "ladder")
    if isinstance(due_soon_days, bool) or not isinstance(due_soon_days, int) or not 0 <= due_soon_days <= MAX_DUE_SOON_DAYS:
        raise ServiceError(f"Days of warning must be a whole number from 0 to {MAX_DUE_SOON_DAYS}", "due_soon_days")
    if rule.due_soon_hours is not None:
        if (isinstance(due_soon_hours, bool) or not isinstance(due_soon_hours, int)
                or not 0 <= due_soon_hours <= 720):
            raise ServiceError("Hours of warning must be a whole number from 0 to 720", "due_soon_days")
        rule.due_soon_hours = due_soon_hours
    rule.timing = timing_value.to_dict()
    rule.ladder = ladder_to_list(steps)
    rule.due_soon_days = due_soon_days
    rule.active = active
    return rule
