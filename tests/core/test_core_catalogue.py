"""One concrete case per default rule: an event (or instant in a period) and its due time."""

from datetime import date

import pytest

from homes_qa.core.catalogue import AREAS, RULES, TRIGGERS, RuleSpec, catalogue_by_code, validate_rule_spec
from homes_qa.core.escalation import EscalationStep
from homes_qa.core.roles import ROLES
from homes_qa.core.timing import Timing, due_at, next_due_floating, period_containing
from tests.core.core_helpers import london

EOD = (23, 59, 59)  # day deadlines fall due at 23:59:59 London

# (rule code, event / instant in the period / last completion, expected due as London wall time)
CASES = [
    ("reg44_visit", london(2026, 11, 15, 10), london(2026, 11, 30, *EOD)),
    ("reg44_visit", london(2027, 2, 1, 9), london(2027, 2, 28, *EOD)),
    ("reg44_report_complete", london(2026, 12, 18, 14), london(2027, 1, 1, *EOD)),
    ("reg44_report_sent", london(2026, 12, 1, 10), london(2027, 1, 5, *EOD)),  # Christmas + New Year skipped
    ("reg44_report_sent", london(2027, 3, 1, 10), london(2027, 4, 2, *EOD)),  # Easter 2027 skipped, BST
    # with the check-and-send by default (no statutory deadline in reg 44; domain.md [verify])
    ("reg44_report_statutory", london(2026, 11, 21, 11), london(2026, 12, 22, *EOD)),
    ("reg44_report_statutory", london(2026, 12, 1, 10), london(2027, 1, 5, *EOD)),
    ("young_people_feedback_pre_visit", london(2027, 1, 5, 10), london(2026, 12, 29, *EOD)),
    ("professional_feedback_pre_visit", london(2026, 4, 2, 10), london(2026, 3, 26, *EOD)),
    ("young_people_survey_6m", london(2026, 11, 23), london(2026, 12, 31, *EOD)),
    ("professional_survey_6m", london(2027, 3, 29), london(2027, 6, 30, *EOD)),
    ("incident_ntk_service_manager", london(2026, 3, 29, 0, 30), london(2026, 3, 30, 1, 30)),  # spring forward
    ("incident_ntk_service_manager", london(2026, 10, 25, 0, 30), london(2026, 10, 25, 23, 30)),  # autumn back
    ("incident_reg40_hmci", london(2026, 12, 24, 18), london(2026, 12, 25, 18)),
    ("incident_lado", london(2026, 12, 24, 16), london(2026, 12, 25, 16)),  # 24 hours, bank holiday or not
    ("safeguarding_monitoring_weekly", london(2026, 11, 25, 12), london(2026, 11, 29, *EOD)),
    ("kpi_review_monthly", london(2027, 2, 10), london(2027, 2, 28, *EOD)),
    ("hs_audit_monthly", london(2026, 12, 31, 23, 30), london(2026, 12, 31, *EOD)),
    ("fire_safety_monthly", london(2027, 1, 1, 0, 0), london(2027, 1, 31, *EOD)),
    ("statutory_check_review_monthly", london(2026, 2, 28, 12), london(2026, 2, 28, *EOD)),
    ("gdpr_check_monthly", london(2026, 10, 25, 12), london(2026, 10, 31, *EOD)),
    ("qpag_report_monthly", london(2026, 3, 31, 23, 59, 59), london(2026, 3, 31, *EOD)),
    ("dip_sample_bimonthly", london(2026, 12, 15), london(2026, 12, 31, *EOD)),
    ("action_complete", london(2027, 3, 26), london(2027, 3, 26, *EOD)),
    ("reg44_recommendation_response", london(2026, 12, 31), london(2026, 12, 31, *EOD)),
    ("ofsted_requirement_compliance", london(2026, 12, 25), london(2026, 12, 25, *EOD)),
    ("ofsted_monitoring_review_ri", london(2026, 12, 18, 15), london(2027, 1, 1, *EOD)),
    ("ofsted_monitoring_review_inadequate", london(2026, 12, 24, 15), london(2026, 12, 31, *EOD)),
    ("ofsted_monitoring_review_good", london(2027, 1, 29), london(2027, 1, 29, *EOD)),  # inspections
    ("qpag_action_complete", london(2027, 2, 12), london(2027, 2, 12, *EOD)),  # QPAG tracker
    ("reg45_review", london(2026, 8, 31, 12), london(2027, 2, 28, *EOD)),
    ("reg45_report_to_ofsted", london(2026, 12, 10, 12), london(2027, 1, 7, *EOD)),
    ("incident_ico_breach", london(2026, 10, 23, 12), london(2026, 10, 26, 11)),  # weekend + clock change
    ("incident_sar_response", london(2027, 1, 31, 9), london(2027, 2, 28, *EOD)),
    ("incident_sar_response", london(2026, 3, 29, 9), london(2026, 4, 29, *EOD)),
    ("fire_alarm_test_weekly", london(2026, 12, 28, 9), london(2027, 1, 3, *EOD)),
    ("emergency_lighting_monthly", london(2026, 12, 26), london(2026, 12, 31, *EOD)),
    ("emergency_lighting_annual", london(2026, 2, 28), london(2027, 2, 28, *EOD)),
    ("fire_drill_quarterly", london(2026, 11, 23), london(2026, 12, 31, *EOD)),
    ("fire_risk_assessment_review", london(2026, 3, 29, 1, 30), london(2027, 3, 29, *EOD)),
    ("fire_alarm_service", london(2026, 8, 31), london(2027, 2, 28, *EOD)),
    ("fire_extinguisher_service", london(2026, 12, 25), london(2027, 12, 25, *EOD)),
    ("gas_safety_check", london(2026, 1, 15, 10), london(2027, 1, 15, *EOD)),
    ("eicr", london(2024, 2, 29, 10), london(2029, 2, 28, *EOD)),
    ("pat_testing", london(2026, 11, 23), london(2027, 11, 23, *EOD)),
    ("legionella_risk_assessment", london(2026, 1, 31), london(2028, 1, 31, *EOD)),
    ("loler_examination", london(2026, 8, 31), london(2027, 2, 28, *EOD)),
    ("water_temperature_monthly", london(2026, 9, 15), london(2026, 9, 30, *EOD)),
    ("window_restrictors_monthly", london(2027, 2, 1), london(2027, 2, 28, *EOD)),
    # certificate register (issue 9): a renewal on 29 February falls due on 28 February
    ("insurance_renewal", london(2028, 2, 29, 9), london(2029, 2, 28, *EOD)),
    ("ofsted_registration_check", london(2026, 4, 1), london(2027, 4, 1, *EOD)),
    # monthly audits (issue 9): a re-audit a month on; discussion within 5 working days
    ("audit_reaudit", london(2027, 1, 31, 15), london(2027, 2, 28, *EOD)),
    ("audit_reaudit_escalation", london(2026, 12, 23, 10), london(2027, 1, 4, *EOD)),
    ("audit_reaudit_escalation_hos", london(2026, 11, 6, 10), london(2026, 11, 13, *EOD)),
]
# QA case review after a need-to-know (seed 004): 10 working days, bank holidays skipped.
CASES += [
    ("incident_qa_case_review", london(2026, 11, 4, 10), london(2026, 11, 18, *EOD)),
    ("incident_qa_case_review", london(2026, 12, 21, 10), london(2027, 1, 7, *EOD)),  # Christmas, New Year
]
# Incidents (issue 8): 24 h, 48 h, 5 days, 72 h and one month, across both 2027 clock changes.
CASES += [
    ("incident_ntk_service_manager", london(2027, 3, 28, 0, 30), london(2027, 3, 29, 1, 30)),  # spring forward
    ("incident_ntk_head_of_service", london(2027, 10, 31, 0, 30), london(2027, 10, 31, 23, 30)),  # autumn back
    ("incident_lado", london(2026, 12, 24, 16), london(2026, 12, 25, 16)),  # Christmas Day counts
    ("incident_reg40_hmci", london(2027, 3, 27, 12), london(2027, 3, 28, 13)),
    ("incident_reg40_placing_authority", london(2026, 12, 24, 18), london(2026, 12, 25, 18)),
    ("incident_reg40_other_relevant", london(2027, 10, 30, 12), london(2027, 10, 31, 11)),
    ("incident_reg40_secretary_of_state", london(2026, 12, 1, 9), london(2026, 12, 2, 9)),
    ("incident_reg40_home_local_authority", london(2026, 12, 1, 9), london(2026, 12, 2, 9)),
    ("incident_reg40_icb", london(2026, 12, 1, 9), london(2026, 12, 2, 9)),
    ("incident_reg40_ppo", london(2026, 12, 1, 9), london(2026, 12, 2, 9)),
    ("incident_restraint_record", london(2027, 3, 27, 22), london(2027, 3, 28, 23)),
    ("incident_restraint_staff_spoken", london(2027, 3, 27, 22), london(2027, 3, 29, 23)),  # 48 h across spring
    ("incident_restraint_child_spoken", london(2027, 10, 28, 15), london(2027, 11, 2, *EOD)),  # 5 days
    ("incident_ico_breach", london(2027, 10, 29, 12), london(2027, 11, 1, 11)),  # 72 h, weekend + autumn
    ("incident_sar_response", london(2027, 1, 31, 9), london(2027, 2, 28, *EOD)),  # one calendar month
    ("incident_reg40_cp_outcome", london(2026, 12, 24, 18), london(2026, 12, 25, 18)),  # Christmas Day
    ("safeguarding_signal_review", london(2027, 10, 30, 12), london(2027, 10, 31, 11)),  # 24 h, autumn back
]
# QA reviews (issue 10): a review is due on the date the QA lead set.
CASES += [
    ("qa_review_complete", london(2027, 1, 15), london(2027, 1, 15, *EOD)),
]
# A new registered manager: the full audit is commissioned within 28 days ([verify]), across spring forward.
CASES += [
    ("full_audit_new_manager", london(2027, 3, 10, 11), london(2027, 4, 7, *EOD)),
]


@pytest.mark.parametrize("code, at, expected", CASES, ids=[f"{c[0]}-{c[1]:%Y%m%d}" for c in CASES])
def test_rule_due_time(code, at, expected):
    due = due_at(catalogue_by_code()[code].timing, at)
    assert due == expected
    assert due.utcoffset().total_seconds() == 0  # returned in UTC


def test_every_rule_has_a_case():
    assert {code for code, _, _ in CASES} == set(catalogue_by_code())


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_every_rule_validates_and_cites_a_source(rule: RuleSpec):
    validate_rule_spec(rule)
    assert rule.source.strip()
    assert rule.area in AREAS and rule.trigger in TRIGGERS and rule.responsible_role in ROLES
    assert Timing.from_dict(rule.timing.to_dict()) == rule.timing
    assert rule.timing.describe()


def test_codes_are_unique_and_keyed():
    by_code = catalogue_by_code()
    assert len(by_code) == len(RULES)
    assert by_code["hs_audit_monthly"].timing.describe() == "Monthly (fixed to the calendar month)"
    # A new dict each call: callers can't corrupt the defaults.
    by_code.clear()
    assert catalogue_by_code()


def test_seed_7_1_rows_with_a_clock_are_all_present():
    codes = set(catalogue_by_code())
    assert {
        "reg44_visit", "reg44_report_complete", "reg44_report_sent", "incident_ntk_service_manager",
        "safeguarding_monitoring_weekly", "young_people_feedback_pre_visit", "professional_feedback_pre_visit",
        "young_people_survey_6m", "professional_survey_6m", "kpi_review_monthly", "hs_audit_monthly",
        "fire_safety_monthly", "statutory_check_review_monthly", "gdpr_check_monthly",
        "ofsted_monitoring_review_ri", "ofsted_monitoring_review_inadequate", "dip_sample_bimonthly",
        "qpag_report_monthly",
    } <= codes


def test_verify_rows_are_flagged():
    by_code = catalogue_by_code()
    for code in ("reg44_report_statutory", "incident_reg40_hmci", "incident_lado", "fire_drill_quarterly",
                 "fire_extinguisher_service", "young_people_feedback_pre_visit"):
        assert by_code[code].verify, code
    assert not by_code["hs_audit_monthly"].verify


def test_reg44_report_deadlines_for_one_visit():
    # A visit on Tuesday 8 December 2026: report by 22 Dec; checked and sent by 12 Jan 2027
    # (Christmas, observed Boxing Day and New Year's Day skipped); the statutory copies with it.
    visit = london(2026, 12, 8, 11)
    by_code = catalogue_by_code()
    assert due_at(by_code["reg44_report_complete"].timing, visit) == london(2026, 12, 22, *EOD)
    assert due_at(by_code["reg44_report_sent"].timing, visit) == london(2027, 1, 12, *EOD)
    assert due_at(by_code["reg44_report_statutory"].timing, visit) == london(2027, 1, 12, *EOD)
    assert period_containing(by_code["reg44_visit"].timing, visit).key == "2026-12"


def test_late_in_the_month_the_statutory_copies_are_not_due_before_the_local_deadlines():
    # Issue 12: a visit on 21 Nov used to make Ofsted due 30 Nov, before the report (5 Dec)
    # and the check (22 Dec).
    visit = london(2026, 11, 21, 11)
    by_code = catalogue_by_code()
    report = due_at(by_code["reg44_report_complete"].timing, visit)
    check = due_at(by_code["reg44_report_sent"].timing, visit)
    statutory = due_at(by_code["reg44_report_statutory"].timing, visit)
    assert (report, check, statutory) == (london(2026, 12, 5, *EOD), london(2026, 12, 22, *EOD),
                                          london(2026, 12, 22, *EOD))
    assert "[verify]" in by_code["reg44_report_statutory"].source
    assert by_code["reg44_report_statutory"].responsible_role == "reg44_visitor"


def test_gas_safety_rule_keeps_its_anniversary():
    gas = catalogue_by_code()["gas_safety_check"].timing
    assert next_due_floating(gas, london(2026, 12, 1), london(2027, 1, 15, *EOD)) == london(2028, 1, 15, *EOD)


@pytest.mark.parametrize(
    "change, fragment",
    [
        (dict(source=" "), "source"),
        (dict(area="kitchen"), "area"),
        (dict(trigger="whenever"), "trigger"),
        (dict(responsible_role="cook"), "role"),
        (dict(trigger="incident_manager_aware"), "calendar"),
        (dict(code="Bad Code"), "snake_case"),
        (dict(ladder=(EscalationStep(1, "service_manager", 0),)), "responsible role"),
    ],
)
def test_validate_rule_spec_rejects(change, fragment):
    import dataclasses

    rule = dataclasses.replace(catalogue_by_code()["hs_audit_monthly"], **change)
    with pytest.raises(ValueError, match=fragment):
        validate_rule_spec(rule)


def test_event_trigger_with_fixed_timing_rejected():
    import dataclasses

    rule = dataclasses.replace(catalogue_by_code()["incident_ntk_service_manager"], timing=Timing("fixed", 1, "months", date(2026, 1, 1)))
    with pytest.raises(ValueError):
        validate_rule_spec(rule)


def test_the_old_overlapping_notification_rules_are_retired():
    """The incident_* rules replace them (issue 8); migration 0016 retires their rows."""
    codes = set(catalogue_by_code())
    assert not {"need_to_know_24h", "reg40_notification", "lado_referral", "ico_breach_72h", "sar_response"} & codes


def test_the_qa_case_review_after_a_need_to_know_is_the_qa_leads_with_its_source():
    rule = catalogue_by_code()["incident_qa_case_review"]
    assert rule.responsible_role == "head_of_service" and rule.area == "qa_reviews"
    assert rule.source.startswith("Seed 004") and "[verify]" in rule.source and rule.verify
    assert rule.timing == Timing("working_days", 10)


# ---------------------------------------------------------------- certificate register rules (issue 9)

def test_register_rules_float_twelve_months_from_the_date_done():
    from datetime import UTC, datetime

    from homes_qa.core.calendar import london_date
    from homes_qa.core.catalogue import catalogue_by_code
    from homes_qa.core.timing import next_due_floating
    rules = catalogue_by_code()
    done = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    for code in ("insurance_renewal", "ofsted_registration_check"):
        rule = rules[code]
        assert (rule.trigger, rule.verify, london_date(next_due_floating(rule.timing, done))) == (
            "last_completed", True, datetime(2027, 3, 10).date()), code


def test_every_default_check_type_names_a_catalogue_rule_that_floats():
    from homes_qa.checks.catalogue import DEFAULT_TYPES
    from homes_qa.core.catalogue import catalogue_by_code
    rules = catalogue_by_code()
    assert [t.code for t in DEFAULT_TYPES if rules[t.rule_code].trigger != "last_completed"] == []
