"""The default rule table: every cadence and deadline the app enforces, as data.

Each row cites where it comes from (seed 002 §7.1/§8, or the statute/standard as given in
domain.md). Rows marked `verify=True` are the best reading we have and must stay editable.
Seed 002 rows with no cadence or deadline (scheduled full audit, thematic review, the
Reg 44 action plan) are not here: they are records without a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from homes_qa.core.escalation import EscalationStep, validate_ladder
from homes_qa.core.roles import HEAD_OF_SERVICE, REG44_VISITOR, REGISTERED_MANAGER, ROLES, SERVICE_MANAGER
from homes_qa.core.timing import EVENT_KINDS, FIXED, FLOATING, Timing, validate_timing

SEED = "Seed 002_ab3e3b0f66cfcef1.txt"
CHR_2015 = "Children's Homes (England) Regulations 2015"

AREAS = (
    "reg44",
    "notifications",
    "health_safety",
    "fire",
    "gdpr",
    "statutory_checks",
    "ofsted_monitoring",
    "actions",
    "qpag",
    "kpi",
    "feedback",
    "reg45",
    "safeguarding",
    "dip_sampling",
    "data_protection",
    "audits",
    "qa_reviews",
)

# Trigger names: "calendar" for fixed cadences, "last_completed" for floating cadences that
# restart on completion, otherwise the event that creates the obligation (its instant is
# passed to `due_after_event`).
TRIGGERS = {
    "calendar": "the calendar (one obligation per period)",
    "last_completed": "the last completion (or certificate date)",
    "reg44_visit_planned": "a Reg 44 visit being planned (its planned date)",
    "reg44_visit_recorded": "a Reg 44 visit taking place (the visit date)",
    "incident_manager_aware": "the manager becoming aware of an incident",
    "serious_event_manager_aware": "the manager becoming aware of a Regulation 40 event",
    "allegation_manager_aware": "the manager becoming aware of an allegation against an adult",
    "data_breach_aware": "becoming aware of a personal data breach",
    "sar_received": "receipt of a subject access request",
    "ofsted_judgement_ri": "an Ofsted judgement of requires improvement (with requirements)",
    "ofsted_judgement_inadequate": "an Ofsted judgement of inadequate and/or a compliance notice",
    "ofsted_requirement_recorded": "an Ofsted requirement being recorded (its compliance date)",
    "reg45_review_completed": "completion of a Regulation 45 review",
    "reg44_report_submitted": "submission of a Reg 44 report (its recommendations' timescales)",
    "action_created": "an action being created (its target date)",
    "audit_graded_inadequate": "a monthly audit submitted with the overall grade inadequate",
    "reaudit_not_improved": "a re-audit submitted that kept or lowered a requires improvement/inadequate grade",
    # QA reviews (issue 10: dip samples, thematic reviews, full audits)
    "qa_review_commissioned": "a QA review being commissioned (its due date)",
}


class RuleError(ValueError):
    """A rule row that cannot be used."""


@dataclass(frozen=True)
class RuleSpec:
    code: str
    title: str
    area: str
    trigger: str
    timing: Timing
    responsible_role: str
    ladder: tuple[EscalationStep, ...]
    source: str
    verify: bool = False
    notes: str = ""
    # Hour clocks warn in hours ("due soon" N elapsed hours before), not `due_soon_days`.
    due_soon_hours: int | None = None


def validate_rule_spec(rule: RuleSpec) -> None:
    """Raise `RuleError`/`TimingError`/`LadderError` (all ValueError) if the row is unusable."""
    if not rule.code or not rule.code.replace("_", "").isalnum() or rule.code != rule.code.lower():
        raise RuleError(f"Rule code {rule.code!r} must be short lower-case snake_case.")
    if not rule.title.strip():
        raise RuleError(f"Rule {rule.code}: needs a title.")
    if not rule.source.strip():
        raise RuleError(f"Rule {rule.code}: needs a source (seed section or regulation).")
    if rule.area not in AREAS:
        raise RuleError(f"Rule {rule.code}: unknown area {rule.area!r}.")
    if rule.trigger not in TRIGGERS:
        raise RuleError(f"Rule {rule.code}: unknown trigger {rule.trigger!r}.")
    if rule.responsible_role not in ROLES:
        raise RuleError(f"Rule {rule.code}: unknown responsible role {rule.responsible_role!r}.")
    validate_timing(rule.timing)
    validate_ladder(rule.ladder)
    if rule.ladder[0].role != rule.responsible_role:
        raise RuleError(f"Rule {rule.code}: level 1 of the ladder must be the responsible role.")
    # The trigger must fit the timing: the calendar drives fixed cadences only, and
    # an event trigger needs something that counts from an event.
    kind = rule.timing.kind
    if (rule.trigger == "calendar") != (kind == FIXED):
        raise RuleError(f"Rule {rule.code}: the 'calendar' trigger goes with a fixed cadence, and only with one.")
    if rule.trigger == "last_completed" and kind != FLOATING:
        raise RuleError(f"Rule {rule.code}: 'last_completed' needs a floating cadence.")
    if rule.trigger not in ("calendar", "last_completed") and kind not in EVENT_KINDS + (FLOATING,):
        raise RuleError(f"Rule {rule.code}: an event trigger needs an event deadline or a floating cadence.")


# --------------------------------------------------------------------------- default ladders


def _ladder(*steps: tuple[str, int]) -> tuple[EscalationStep, ...]:
    return tuple(EscalationStep(level, role, days) for level, (role, days) in enumerate(steps, start=1))


# Home-level work: manager, then service manager after 2 working days overdue, then head of service after 5.
RM_LADDER = _ladder((REGISTERED_MANAGER, 0), (SERVICE_MANAGER, 2), (HEAD_OF_SERVICE, 5))
# Same-day/next-day notifications: drift here is a safeguarding risk, so escalate fast.
RM_URGENT_LADDER = _ladder((REGISTERED_MANAGER, 0), (SERVICE_MANAGER, 1), (HEAD_OF_SERVICE, 2))
VISITOR_LADDER = _ladder((REG44_VISITOR, 0), (SERVICE_MANAGER, 2), (HEAD_OF_SERVICE, 5))
SM_LADDER = _ladder((SERVICE_MANAGER, 0), (HEAD_OF_SERVICE, 3))
SM_URGENT_LADDER = _ladder((SERVICE_MANAGER, 0), (HEAD_OF_SERVICE, 1))
# The head of service is the top of the ladder in the app (QPAG escalates on to CSLT, §8.8).
HOS_LADDER = _ladder((HEAD_OF_SERVICE, 0))

_MONTHLY = Timing("fixed", 1, "months", date(2026, 1, 1))
_WEEKLY = Timing("fixed", 1, "weeks", date(2026, 1, 5))


def _every_months(n: int) -> Timing:
    return Timing("floating", n, "months")


RULES: tuple[RuleSpec, ...] = (
    # ---------------------------------------------------------------- Regulation 44
    RuleSpec(
        "reg44_visit", "Regulation 44 visit", "reg44", "calendar", _MONTHLY, REG44_VISITOR, VISITOR_LADDER,
        f"{SEED} §7.1 (Regulation 44 visits); {CHR_2015}, reg 44(1),(3)",
        notes="At least once each calendar month; may be unannounced.",
    ),
    RuleSpec(
        "reg44_report_complete", "Regulation 44 report completed", "reg44", "reg44_visit_recorded",
        Timing("calendar_days", 14), REG44_VISITOR, VISITOR_LADDER,
        f"{SEED} §7.1 (Regulation 44 visits: report to be completed within 2 weeks)",
        notes="2 weeks read as 14 calendar days after the visit day.",
    ),
    RuleSpec(
        "reg44_report_sent", "Regulation 44 report checked and sent to senior managers", "reg44",
        "reg44_visit_recorded", Timing("working_days", 22), SERVICE_MANAGER, SM_LADDER,
        f"{SEED} §7.1 (Regulation 44 visits: checked and sent to senior managers within 22 working days)",
    ),
    RuleSpec(
        "reg44_report_statutory", "Regulation 44 report sent to Ofsted and recipients (statutory)", "reg44",
        "reg44_visit_recorded", Timing("working_days", 22), REG44_VISITOR, VISITOR_LADDER,
        f"{CHR_2015}, reg 44(7) (the independent person provides the copies; no deadline in reg 44(1)–(7)); "
        f"due with {SEED} §7.1's check-and-send (22 working days) [verify]",
        verify=True,
        notes="No source gives a statutory deadline (domain.md): by default the statutory copies are due "
        "with the local check-and-send, and never before the 2-week report or the 22-working-day check. "
        "The duty to provide the copies is the visitor's (reg 44(7)).",
    ),
    RuleSpec(
        "reg44_recommendation_response", "Response to a Reg 44 recommendation within its timescale", "reg44",
        "reg44_report_submitted", Timing("target_date"), REGISTERED_MANAGER, RM_LADDER,
        f"{CHR_2015}, reg 44(4)–(6) (recommendations with timescales for the registered person to consider); "
        f"{SEED} §7.1 (action plan proposed by home manager, approved by service manager)",
        notes="Due at the end of the timescale the visitor set for the recommendation.",
    ),
    RuleSpec(
        "young_people_feedback_pre_visit", "Young people's feedback gathered before the Reg 44 visit", "feedback",
        "reg44_visit_planned", Timing("calendar_days_before", 7), HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED} §7.1 (Young people's feedback: in advance of each Reg. 44 visit)",
        verify=True,
        notes="The seed says 'in advance of each visit'; 7 calendar days before the planned visit is our default.",
    ),
    RuleSpec(
        "professional_feedback_pre_visit", "Professional feedback gathered before the Reg 44 visit", "feedback",
        "reg44_visit_planned", Timing("calendar_days_before", 7), HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED} §7.1 (Professional feedback: in advance of each Reg. 44 visit)",
        verify=True,
        notes="The seed says 'in advance of each visit'; 7 calendar days before the planned visit is our default.",
    ),
    RuleSpec(
        "young_people_survey_6m", "Six-monthly young people's survey (distinct focus) for QPAG", "feedback",
        "calendar", Timing("fixed", 6, "months", date(2026, 1, 1)), HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED} §8.3 (six-monthly young people's survey); §7.1 (Young people's feedback)",
        notes="Half-years January–June and July–December; each survey has a distinct focus.",
    ),
    RuleSpec(
        "professional_survey_6m", "Six-monthly professionals' survey analysis for QPAG", "feedback",
        "calendar", Timing("fixed", 6, "months", date(2026, 1, 1)), HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED} §8.4 (six-monthly professionals' survey); §7.1 (Professional feedback)",
        notes="Half-years January–June and July–December.",
    ),
    # ---------------------------------------------------------------- notifications and safeguarding
    RuleSpec(
        "safeguarding_monitoring_weekly", "Weekly safeguarding, LADO, complaints and notifications update",
        "safeguarding", "calendar", _WEEKLY, SERVICE_MANAGER, SM_LADDER,
        f"{SEED} §7.1 (Safeguarding, LADO, complaints and notifications monitoring: weekly)",
        notes="Themes, timeliness of responses, learning, actions taken and outcome; to head of service.",
    ),
    # ---------------------------------------------------------------- monthly assurance
    RuleSpec(
        "kpi_review_monthly", "Monthly KPI trend review", "kpi", "calendar", _MONTHLY,
        REGISTERED_MANAGER, RM_LADDER,
        f"{SEED} §7.1 (Quality and Performance Reporting: monthly)",
    ),
    RuleSpec(
        "hs_audit_monthly", "Monthly health and safety audit", "health_safety", "calendar", _MONTHLY,
        REGISTERED_MANAGER, RM_LADDER,
        f"{SEED} §7.1 (Health & Safety Audit: monthly)",
    ),
    RuleSpec(
        "fire_safety_monthly", "Monthly fire safety audit", "fire", "calendar", _MONTHLY,
        REGISTERED_MANAGER, RM_LADDER,
        f"{SEED} §7.1 (Fire Safety: monthly)",
        notes="Includes tracking fire risk assessment actions.",
    ),
    RuleSpec(
        "statutory_check_review_monthly", "Monthly statutory check review", "statutory_checks", "calendar",
        _MONTHLY, SERVICE_MANAGER, SM_LADDER,
        f"{SEED} §7.1 (Statutory check review: monthly)",
    ),
    RuleSpec(
        "gdpr_check_monthly", "Monthly GDPR compliance check", "gdpr", "calendar", _MONTHLY,
        SERVICE_MANAGER, SM_LADDER,
        f"{SEED} §7.1 (GDPR: monthly)",
    ),
    # ---------------------------------------------------------------- QPAG, dip sampling, actions
    RuleSpec(
        "qpag_report_monthly", "Monthly joint report to QPAG", "qpag", "calendar", _MONTHLY,
        SERVICE_MANAGER, SM_LADDER,
        f"{SEED} §8.1–8.2 (QPAG meets monthly; service managers' joint report)",
        notes="Thematic reviews, Reg 44 visits in the month with findings, KPI review, escalations; in "
              "June and December the surveys (§8.3–8.4). Met by finalising the report on the month before "
              "(the meeting's past month).",
    ),
    RuleSpec(
        "dip_sample_bimonthly", "Dip sample (requested every other month)", "dip_sampling", "calendar",
        Timing("fixed", 2, "months", date(2026, 1, 1)), SERVICE_MANAGER, SM_LADDER,
        f"{SEED} §8.5 (dip samples every other month); §7.1 (Dip sampling)",
        notes="Results go to the next QPAG meeting.",
    ),
    RuleSpec(
        "action_complete", "Action completed by its target date", "actions", "action_created",
        Timing("target_date"), REGISTERED_MANAGER, RM_LADDER,
        f"{SEED} §7.1 (actions added to the combined action plan); §8.7–8.8 (QPAG action tracker)",
        notes="Due on the action's own target date; responsible role is the action owner's.",
    ),
    # ---------------------------------------------------------------- after Ofsted
    RuleSpec(
        "ofsted_requirement_compliance", "Ofsted requirement met by its compliance date", "ofsted_monitoring",
        "ofsted_requirement_recorded", Timing("target_date"), REGISTERED_MANAGER, RM_LADDER,
        f"SCCIF (requirement compliance date); {SEED} §7.1 (QA Monitoring review: within Ofsted action plan timeframes)",
    ),
    RuleSpec(
        "ofsted_monitoring_review_ri", "QA monitoring review after Ofsted (requires improvement)",
        "ofsted_monitoring", "ofsted_judgement_ri", Timing("floating", 2, "weeks"), HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED} §7.1 (QA Monitoring review: requires improvement — every two weeks until actions completed)",
        notes="Floating: 2 weeks after the judgement, then 2 weeks after each review, until actions are complete.",
    ),
    RuleSpec(
        "ofsted_monitoring_review_inadequate", "QA monitoring review after Ofsted (inadequate / compliance notice)",
        "ofsted_monitoring", "ofsted_judgement_inadequate", Timing("floating", 1, "weeks"),
        HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED} §7.1 (QA Monitoring review: inadequate and/or compliance — every week until actions completed)",
        notes="Floating: a week after the judgement, then a week after each review, until actions are complete.",
    ),
    # ---------------------------------------------------------------- inspections (issue 10)
    RuleSpec(
        "ofsted_monitoring_review_good", "QA monitoring review after Ofsted (good or outstanding with requirements)",
        "ofsted_monitoring", "ofsted_requirement_recorded", Timing("target_date"), HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED} §7.1 (QA Monitoring review: requirement and overall good rating — within timeframes as per "
        "Ofsted action plan)",
        notes="Due by each open requirement's compliance date, in turn, until its actions are completed.",
    ),
    RuleSpec(
        "qpag_action_complete", "QPAG improvement action completed by its agreed date", "qpag", "action_created",
        Timing("target_date"), SERVICE_MANAGER, SM_LADDER,
        f"{SEED} §8.7 (QPAG action tracker); §8.8 (not completed in a reasonable space of time: the chair "
        "escalates to CSLT)",
        notes="The reasonable time is the date QPAG agreed; once it has passed the chair may record an "
              "escalation to the Children's Services Leadership Team.",
    ),
    # ---------------------------------------------------------------- Regulation 45
    RuleSpec(
        "reg45_review", "Regulation 45 review of quality of care", "reg45", "last_completed",
        _every_months(6), REGISTERED_MANAGER, RM_LADDER,
        f"{CHR_2015}, reg 45",
        notes="At least every 6 months, counted from the last completed review.",
    ),
    RuleSpec(
        "reg45_report_to_ofsted", "Regulation 45 review sent to Ofsted (HMCI)", "reg45", "reg45_review_completed",
        Timing("calendar_days", 28), REGISTERED_MANAGER, RM_LADDER,
        f"{CHR_2015}, reg 45 (copy to HMCI within 28 days of completion)",
    ),
    # ---------------------------------------------------------------- fire checks
    RuleSpec(
        "fire_alarm_test_weekly", "Weekly fire alarm test (different call point each time)", "fire", "calendar",
        _WEEKLY, REGISTERED_MANAGER, RM_LADDER, "BS 5839-1",
        notes="Record in the fire log (Schedule 4, reg 37).",
    ),
    RuleSpec(
        "emergency_lighting_monthly", "Monthly emergency lighting functional test", "fire", "calendar",
        _MONTHLY, REGISTERED_MANAGER, RM_LADDER, "BS 5266-1",
    ),
    RuleSpec(
        "emergency_lighting_annual", "Annual emergency lighting full-duration test", "fire", "last_completed",
        _every_months(12), REGISTERED_MANAGER, RM_LADDER, "BS 5266-1",
    ),
    RuleSpec(
        "fire_drill_quarterly", "Fire drill (including night-time conditions)", "fire", "calendar",
        Timing("fixed", 3, "months", date(2026, 1, 1)), REGISTERED_MANAGER, RM_LADDER,
        "RR(FS)O 2005, reg 37 Sch 4 [verify: set by the fire risk assessment]",
        verify=True,
        notes="Quarterly by default; the fire risk assessment may set another frequency. Record in the fire log.",
    ),
    RuleSpec(
        "fire_risk_assessment_review", "Fire risk assessment review", "fire", "last_completed",
        _every_months(12), REGISTERED_MANAGER, RM_LADDER, "RR(FS)O 2005",
        notes="Also after any significant change to the building or its use.",
    ),
    RuleSpec(
        "fire_alarm_service", "Fire alarm service by a competent person", "fire", "last_completed",
        _every_months(6), REGISTERED_MANAGER, RM_LADDER, "BS 5839-1",
    ),
    RuleSpec(
        "fire_extinguisher_service", "Fire extinguisher service", "fire", "last_completed",
        _every_months(12), REGISTERED_MANAGER, RM_LADDER, "BS 5306-3 [verify]",
        verify=True,
    ),
    # ---------------------------------------------------------------- statutory and H&S checks
    RuleSpec(
        "gas_safety_check", "Gas safety check", "statutory_checks", "last_completed",
        Timing("floating", 12, "months", anniversary_window_months=2), REGISTERED_MANAGER, RM_LADDER,
        "Gas Safety (Installation and Use) Regs 1998 reg 36",
        notes="Floats from the certificate date; a check in the last 2 months before it is due keeps the anniversary.",
    ),
    RuleSpec(
        "eicr", "Electrical installation condition report (EICR)", "statutory_checks", "last_completed",
        _every_months(60), REGISTERED_MANAGER, RM_LADDER, "IET Guidance Note 3",
        notes="Floats from the certificate date (5 years).",
    ),
    RuleSpec(
        "pat_testing", "Portable appliance testing", "statutory_checks", "last_completed",
        _every_months(12), REGISTERED_MANAGER, RM_LADDER, "HSE guidance",
        notes="Risk-based; 12 months is the default.",
    ),
    RuleSpec(
        "legionella_risk_assessment", "Legionella risk assessment review", "statutory_checks", "last_completed",
        _every_months(24), REGISTERED_MANAGER, RM_LADDER, "ACoP L8 / HSG274",
        notes="Also on change.",
    ),
    RuleSpec(
        "loler_examination", "LOLER thorough examination of hoists", "statutory_checks", "last_completed",
        _every_months(6), REGISTERED_MANAGER, RM_LADDER, "LOLER 1998",
        notes="Only for homes with hoists or other equipment for lifting people.",
    ),
    RuleSpec(
        "water_temperature_monthly", "Monthly water temperature checks at sentinel outlets", "health_safety",
        "calendar", _MONTHLY, REGISTERED_MANAGER, RM_LADDER, "HSG274 Part 2",
        notes="Hot at least 50 °C within 1 minute; cold below 20 °C within 2 minutes.",
    ),
    RuleSpec(
        "window_restrictors_monthly", "Monthly window restrictor check", "health_safety", "calendar",
        _MONTHLY, REGISTERED_MANAGER, RM_LADDER, "HSE",
        notes="Visual check; openings no more than 100 mm.",
    ),
    # ---------------------------------------------------------------- certificate register (issue 9)
    # The register's other types use the statutory and fire rules above; these two complete
    # the list the issue names. Both are certificates with an end date set by the document.
    RuleSpec(
        "insurance_renewal", "Insurance renewed (employers' liability and buildings)", "statutory_checks",
        "last_completed", _every_months(12), REGISTERED_MANAGER, RM_LADDER,
        "Employers' Liability (Compulsory Insurance) Act 1969 and Regulations 1998 (a current certificate); "
        "12-month policy term [verify]",
        verify=True,
        notes="Floats from the date the policy was renewed; change it if the policy term differs.",
    ),
    RuleSpec(
        "ofsted_registration_check", "Ofsted registration certificate checked and annual fee paid",
        "statutory_checks", "last_completed", _every_months(12), REGISTERED_MANAGER, RM_LADDER,
        "Care Standards Act 2000 s.11 (registration) and the annual fee under the Ofsted fees regulations; "
        "annual check [verify]",
        verify=True,
        notes="Registration does not expire; the yearly check confirms the certificate on display and the fee.",
    ),
    # ---------------------------------------------------------------- monthly audits: re-audits (issue 9)
    RuleSpec(
        "audit_reaudit", "Re-audit after an inadequate audit", "audits", "audit_graded_inadequate",
        Timing("calendar_months", 1), REGISTERED_MANAGER, RM_LADDER,
        "Seed 004_e304d96c2458d85c.txt (inadequate → re-audit); seed 003_d2fdb11838f366f4.txt (grades); "
        "one month is our default [verify]",
        verify=True,
        notes="Within one calendar month of the inadequate audit being submitted.",
    ),
    RuleSpec(
        "audit_reaudit_escalation", "Re-audit did not improve: findings discussed with the service manager",
        "audits", "reaudit_not_improved", Timing("working_days", 5), SERVICE_MANAGER, SM_LADDER,
        "Seed 004_e304d96c2458d85c.txt (re-audit that kept the same RI/inadequate grade or was downgraded: "
        "escalated; findings discussed within 5 working days)",
    ),
    RuleSpec(
        "audit_reaudit_escalation_hos", "Second re-audit did not improve: escalated to the head of service",
        "audits", "reaudit_not_improved", Timing("working_days", 5), HEAD_OF_SERVICE, HOS_LADDER,
        "Seed 004_e304d96c2458d85c.txt (a second re-audit escalates to the head of service and assistant "
        "director)",
    ),
)


# ---------------------------------------------------------------- incidents and notifications (issue 8)
# One rule per recipient (or step) an incident needs; homes_qa/core/incidents.py says which event
# types and Reg 40 paragraphs need which. Hour clocks escalate in elapsed hours (`after_hours`):
# the service manager 24 h after the deadline passes, the head of service 48 h after.

TRIGGERS["restraint_used"] = "the use of restraint or another measure of control (its time)"
TRIGGERS["cp_enquiry_outcome_known"] = "the outcome of a child protection enquiry becoming known"
TRIGGERS["safeguarding_signal"] = "a Reg 44 report or a child's feedback saying a child may not be safe"


def _hours_ladder(*steps: tuple[str, int]) -> tuple[EscalationStep, ...]:
    return tuple(EscalationStep(level, role, after_hours=h) for level, (role, h) in enumerate(steps, start=1))


RM_HOURS_LADDER = _hours_ladder((REGISTERED_MANAGER, 0), (SERVICE_MANAGER, 24), (HEAD_OF_SERVICE, 48))
_H24 = Timing("elapsed_hours", 24)
_REG40 = f"{CHR_2015}, reg 40 (\"without delay\"); 24 hours is the local rule ({SEED} §7.1 Need to know, LADO, notifications)"
_REG40_NOTE = "The regulation says 'without delay'; the local rule makes it 24 hours from the manager becoming aware."


def _notify(code: str, title: str, area: str, trigger: str, timing: Timing, source: str, *,
            warn_hours: int | None = 6, ladder: tuple[EscalationStep, ...] = RM_HOURS_LADDER,
            verify: bool = False, notes: str = "") -> RuleSpec:
    return RuleSpec(code, title, area, trigger, timing, REGISTERED_MANAGER, ladder, source,
                    verify=verify, notes=notes, due_soon_hours=warn_hours)


INCIDENT_RULES: tuple[RuleSpec, ...] = (
    _notify("incident_ntk_service_manager", "Need-to-know: service manager told", "notifications",
            "incident_manager_aware", _H24, f"{SEED} §7.1 (Need to know, LADO, notifications: within 24 hours; "
            "reported to the service manager, head of service, QPAG)",
            notes="24 elapsed hours from the manager becoming aware, across weekends and clock changes."),
    _notify("incident_ntk_head_of_service", "Need-to-know: head of service told", "notifications",
            "incident_manager_aware", _H24, f"{SEED} §7.1 (Need to know, LADO, notifications: within 24 hours; "
            "reported to the service manager, head of service, QPAG)",
            notes="24 elapsed hours from the manager becoming aware, across weekends and clock changes."),
    _notify("incident_lado", "Allegation against an adult referred to the LADO", "safeguarding",
            "allegation_manager_aware", _H24, f"{SEED} §7.1 (Need to know, LADO, notifications: within 24 hours); "
            "Working Together [verify]", verify=True,
            notes="Some local procedures say one working day; the seed's 24 hours is the default."),
    _notify("incident_reg40_hmci", "Ofsted (HMCI) notified (Regulation 40)", "notifications",
            "serious_event_manager_aware", _H24, _REG40, verify=True, notes=_REG40_NOTE),
    _notify("incident_reg40_placing_authority", "Placing authority notified (Regulation 40)", "notifications",
            "serious_event_manager_aware", _H24, _REG40, verify=True, notes=_REG40_NOTE),
    _notify("incident_reg40_other_relevant", "Each other relevant person notified (Regulation 40)", "notifications",
            "serious_event_manager_aware", _H24, _REG40, verify=True, notes=_REG40_NOTE),
    _notify("incident_reg40_secretary_of_state", "Secretary of State notified of a child's death (if not the "
            "placing authority)", "notifications", "serious_event_manager_aware", _H24,
            f"{CHR_2015}, reg 40(1) (amended text); {SEED} §7.1 (24 hours)", verify=True,
            notes="Waived by a service manager with the reason when the Secretary of State is the placing authority."),
    _notify("incident_reg40_home_local_authority", "Local authority where the home is notified of a child's death "
            "(if not the placing authority)", "notifications", "serious_event_manager_aware", _H24,
            f"{CHR_2015}, reg 40(1) (amended text); {SEED} §7.1 (24 hours)", verify=True,
            notes="Waived by a service manager with the reason when it is the placing authority."),
    _notify("incident_reg40_icb", "Integrated care board notified of a child's death", "notifications",
            "serious_event_manager_aware", _H24, f"{CHR_2015}, reg 40(1) (amended text); {SEED} §7.1 (24 hours)",
            verify=True),
    _notify("incident_reg40_ppo", "Prisons and Probation Ombudsman notified of a child's death (secure homes)",
            "notifications", "serious_event_manager_aware", _H24,
            f"{CHR_2015}, reg 40(1) (amended text); {SEED} §7.1 (24 hours)", verify=True,
            notes="Secure children's homes only: waived by a service manager with the reason for any other home."),
    _notify("incident_reg40_cp_outcome", "Ofsted told the outcome of the child protection enquiry (second stage)",
            "notifications", "cp_enquiry_outcome_known", _H24,
            f"{CHR_2015}, reg 40(4)(d) (two stages: the outcome quotes Ofsted's reference from the first); "
            f"{SEED} §7.1 (24 hours)", verify=True,
            notes="Made when the manager records the enquiry's outcome; the notification quotes Ofsted's reference."),
    _notify("incident_restraint_record", "Restraint: record made", "safeguarding", "restraint_used", _H24,
            f"{CHR_2015}, reg 35(3) (record within 24 hours of the use)",
            notes="Not for restraint planned in an education, health and care plan (reg 35(4))."),
    _notify("incident_restraint_staff_spoken", "Restraint: staff member spoken to and record signed", "safeguarding",
            "restraint_used", Timing("elapsed_hours", 48), f"{CHR_2015}, reg 35(3) (within 48 hours of the use)",
            warn_hours=12),
    _notify("incident_restraint_child_spoken", "Restraint: confirmed that the child was spoken to", "safeguarding",
            "restraint_used", Timing("calendar_days", 5), f"{CHR_2015}, reg 35(3) (within 5 days of the use)",
            warn_hours=48, ladder=RM_URGENT_LADDER,
            notes="5 days read as the end of the fifth London calendar day after the use."),
    _notify("incident_ico_breach", "Reportable personal data breach reported to the ICO", "data_protection",
            "data_breach_aware", Timing("elapsed_hours", 72), "UK GDPR art. 33",
            warn_hours=24, notes="72 calendar hours from becoming aware, weekends included; every breach is logged."),
    RuleSpec("safeguarding_signal_review", "Safeguarding concern reviewed by the service manager", "safeguarding",
             "safeguarding_signal", _H24, SERVICE_MANAGER,
             _hours_ladder((SERVICE_MANAGER, 0), (HEAD_OF_SERVICE, 24)),
             f"{SEED} §7.1 (Need to know ... within 24 hours; safeguarding monitoring by the service manager); "
             f"{CHR_2015}, reg 44(4)(a) (opinion whether children are effectively safeguarded)",
             verify=True, due_soon_hours=24,
             notes="Raised at once when a Reg 44 report says children are not effectively safeguarded (or with "
                   "concerns), or a young person answers that they do not feel safe; decide whether to record "
                   "a need-to-know."),
    _notify("incident_sar_response", "Subject access request answered", "data_protection", "sar_received",
            Timing("calendar_months", 1), "UK GDPR art. 12(3); ICO guidance", warn_hours=None, ladder=RM_LADDER,
            notes="Same date next month, or its last day if none (extendable by two months when complex)."),
)
RULES = RULES + INCIDENT_RULES

# ---------------------------------------------------------------- QA case review after a need-to-know (issue 8)
# Seed 004 ("Need-to-know notifications Audits"): every need-to-know is shared with the Quality
# Assurance Service, who complete a case file audit of the child involved and feed back the
# practice outcomes and findings. The seed sets no timescale; 10 working days is our default,
# the time seed 004 §2.12 gives for discussing an audit graded requires improvement [verify].
SEED_004 = "Seed 004_e304d96c2458d85c.txt"
TRIGGERS["need_to_know_recorded"] = "a need-to-know being recorded (an event that tells the service manager)"
CASE_REVIEW_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "incident_qa_case_review", "QA case review after a need-to-know", "qa_reviews", "need_to_know_recorded",
        Timing("working_days", 10), HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED_004} (Need-to-know notifications audits: the QA service completes a case file audit of the "
        "child and feeds back the practice outcomes and findings); no timescale in the seed: 10 working days "
        "is our default (seed 004 §2.12, 10 working days for a requires-improvement audit) [verify]",
        verify=True,
        notes="Made when an event that sends a need-to-know is recorded; met when the QA lead records the "
              "review's findings and learning on the event.",
    ),
)
RULES = RULES + CASE_REVIEW_RULES

# --------------------------------------------------------------------------- QA reviews (issue 10)
QA_REVIEW_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "qa_review_complete", "QA review (dip sample, thematic review, full audit) completed", "qa_reviews",
        "qa_review_commissioned", Timing("target_date"), SERVICE_MANAGER, SM_LADDER,
        f"{SEED} §7.1 (Dip sampling; Scheduled full audit); §8.5 (dip samples, results to the next QPAG)",
        notes="One per home the review covers, due on the date the QA lead set; met when the assignee "
              "completes the review.",
    ),
)
RULES = RULES + QA_REVIEW_RULES

# --------------------------------------------------------------------------- full audit on a new manager (issue 10)
TRIGGERS["registered_manager_changed"] = ("a registered manager assigned to a home that has (or had) another "
                                          "registered manager")
FULL_AUDIT_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "full_audit_new_manager", "Full audit commissioned after a new registered manager", "qa_reviews",
        "registered_manager_changed", Timing("calendar_days", 28), HEAD_OF_SERVICE, HOS_LADDER,
        f"{SEED} §7.1 (Scheduled full audit: normally completed when a new manager has taken over the home; "
        "frequency determined by Head of Service/Corp Director)",
        verify=True,
        notes="The QA lead is prompted to commission a full audit of the home; met when a full audit covering "
              "the home is commissioned. 28 days is a local default: the seed leaves the timing to the Head "
              "of Service.",
    ),
)
RULES = RULES + FULL_AUDIT_RULES


def catalogue_by_code() -> dict[str, RuleSpec]:
    """The default rules keyed by code (a new dict each call, so callers may change it)."""
    by_code = {rule.code: rule for rule in RULES}
    if len(by_code) != len(RULES):
        raise RuleError("Duplicate rule codes in the catalogue.")
    return by_code
