"""Pure inspection rules: the scale, types as data, SCCIF's limiting judgements, the monitoring
cadence (seed 002 §7.1) and Ofsted's own return dates. `now` is always passed in."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from homes_qa.core import inspections as core
from homes_qa.core.calendar import london_date
from homes_qa.core.catalogue import catalogue_by_code
from homes_qa.core.timing import Timing
from tests.core.core_helpers import london

WEEKLY = catalogue_by_code()["ofsted_monitoring_review_inadequate"].timing
FORTNIGHTLY = catalogue_by_code()["ofsted_monitoring_review_ri"].timing
EOD = (23, 59, 59)
NOW = london(2026, 12, 1, 10)


def cadence(outcome, **kwargs):
    return core.cadence_for(outcome, now=kwargs.pop("now", NOW), weekly=WEEKLY, fortnightly=FORTNIGHTLY, **kwargs)


# ---------------------------------------------------------------- types and judgements

def test_only_judged_types_count_as_inspections():
    assert core.is_judged_type("full")
    assert core.is_judged_type("assurance")
    assert not core.is_judged_type("monitoring_visit")
    assert not core.is_judged_type("interim")


def test_inspection_types_are_data_with_their_judgements():
    assert [t.code for t in core.INSPECTION_TYPES] == ["full", "assurance", "monitoring_visit"]
    assert core.inspection_type("full").judgements == (core.OVERALL, core.HELPED_PROTECTED, core.LEADERSHIP)
    assert core.inspection_type("monitoring_visit").judgements == ()
    assert core.inspection_type("interim") is None


def full(overall, helped, leadership):
    return core.check_judgements("full", {core.OVERALL: overall, core.HELPED_PROTECTED: helped,
                                          core.LEADERSHIP: leadership})


def test_consistent_full_inspection_passes_without_warnings():
    check = full("good", "good", "outstanding")
    assert check.ok
    assert check.warnings == ()


def test_grade_outside_the_scale_is_refused():
    assert "overall" in full("excellent", "good", "good").errors


def test_missing_judgement_on_a_full_inspection_is_refused():
    assert "leadership" in full("good", "good", None).errors


def test_monitoring_visit_with_judgements_is_refused():
    check = core.check_judgements("monitoring_visit", {core.OVERALL: "good", core.HELPED_PROTECTED: "good"})
    assert set(check.errors) == {core.OVERALL, core.HELPED_PROTECTED}


def test_assurance_gives_overall_only():
    assert core.check_judgements("assurance", {core.OVERALL: "good"}).ok
    assert "leadership" in core.check_judgements("assurance", {core.OVERALL: "good", core.LEADERSHIP: "good"}).errors


def test_unknown_type_is_refused():
    assert "inspection_type" in core.check_judgements("interim", {}).errors


def test_helped_and_protected_inadequate_limits_overall_to_inadequate():
    assert len(full("requires_improvement", "inadequate", "good").warnings) == 1
    assert full("inadequate", "inadequate", "good").warnings == ()


def test_leadership_inadequate_limits_overall_to_requires_improvement():
    assert len(full("good", "good", "inadequate").warnings) == 1
    assert full("requires_improvement", "good", "inadequate").warnings == ()


grades = st.sampled_from(core.GRADES)


@given(grades, grades, grades)
def test_limiting_warnings_exactly_when_sccif_is_broken(overall, helped, leadership):
    check = full(overall, helped, leadership)
    broken_helped = helped == core.INADEQUATE and overall != core.INADEQUATE
    broken_leadership = leadership == core.INADEQUATE and overall in (core.OUTSTANDING, core.GOOD)
    assert check.ok
    assert len(check.warnings) == int(broken_helped) + int(broken_leadership)


# ---------------------------------------------------------------- the cadence

def test_no_open_actions_stops_the_cadence():
    for overall in core.GRADES:
        assert cadence(core.Outcome(overall, True, 0, (date(2027, 1, 1),))).kind == core.NONE


def test_inadequate_is_weekly_from_the_anchor():
    result = cadence(core.Outcome(core.INADEQUATE, False, 2))
    assert result.kind == core.WEEKLY
    assert result.rule_code == "ofsted_monitoring_review_inadequate"
    assert result.next_due == london(2026, 12, 8, *EOD)


def test_compliance_notice_makes_a_good_home_weekly():
    assert cadence(core.Outcome(core.GOOD, True, 1)).kind == core.WEEKLY


def test_requires_improvement_is_fortnightly_from_the_last_review():
    result = cadence(core.Outcome(core.REQUIRES_IMPROVEMENT, False, 1), anchor=london(2026, 11, 20, 15))
    assert result.kind == core.FORTNIGHTLY
    assert result.next_due == london(2026, 12, 4, *EOD)


def test_good_with_requirements_is_by_the_earliest_compliance_date_not_yet_reviewed():
    outcome = core.Outcome(core.GOOD, False, 2, (date(2027, 1, 15), date(2027, 2, 1)))
    assert cadence(outcome).next_due == london(2027, 1, 15, *EOD)
    assert cadence(outcome, reviewed_through=date(2027, 1, 15)).next_due == london(2027, 2, 1, *EOD)
    assert cadence(outcome, reviewed_through=date(2027, 2, 1)).kind == core.NONE


def test_good_with_recommendations_only_has_no_reviews():
    assert cadence(core.Outcome(core.OUTSTANDING, False, 3, ())).kind == core.NONE


def test_never_judged_has_no_reviews():
    assert cadence(core.Outcome(None, False, 1)).kind == core.NONE


def test_an_edited_interval_applies():
    three_weeks = Timing("floating", 3, "weeks")
    result = core.cadence_for(core.Outcome(core.REQUIRES_IMPROVEMENT, False, 1), now=NOW, weekly=WEEKLY,
                              fortnightly=three_weeks)
    assert result.next_due == london(2026, 12, 22, *EOD)


outcomes = st.builds(core.Outcome, st.sampled_from((*core.GRADES, None)), st.booleans(), st.integers(0, 5),
                     st.lists(st.dates(date(2026, 1, 1), date(2028, 12, 31)), max_size=4).map(tuple))
instants = st.datetimes(min_value=london(2026, 1, 1).replace(tzinfo=None),
                        max_value=london(2028, 12, 31).replace(tzinfo=None)).map(
    lambda d: d.replace(tzinfo=NOW.tzinfo))


@given(outcomes, instants)
@example(core.Outcome(core.INADEQUATE, False, 1, ()), london(2026, 10, 18))  # the clocks go back within the week
@example(core.Outcome(core.REQUIRES_IMPROVEMENT, False, 1, ()), london(2026, 3, 22))  # and forward within the fortnight
def test_cadence_properties(outcome, now):
    result = cadence(outcome, now=now)
    if outcome.open_actions == 0:
        assert result.kind == core.NONE
    elif outcome.overall == core.INADEQUATE or outcome.compliance_notice:
        assert result.kind == core.WEEKLY
        # A week of London days, ending at the end of the day; in elapsed time that is up to
        # 8 days and an hour when the clocks go back in between.
        assert london_date(result.next_due) - london_date(now) == timedelta(days=7)
        assert timedelta(days=6) < result.next_due - now <= timedelta(days=8, hours=1)
    elif outcome.overall == core.REQUIRES_IMPROVEMENT:
        assert result.kind == core.FORTNIGHTLY
        assert london_date(result.next_due) - london_date(now) == timedelta(days=14)
        assert timedelta(days=13) < result.next_due - now <= timedelta(days=15, hours=1)
    if result.kind == core.NONE:
        assert result.rule_code is None
        assert result.next_due is None
    else:
        assert result.rule_code == core.CADENCE_RULES[result.kind]
        assert result.rule_code in catalogue_by_code()


# ---------------------------------------------------------------- Ofsted's own return

def test_inspection_year_runs_april_to_march():
    assert core.inspection_year(date(2027, 3, 31)) == (date(2026, 4, 1), date(2027, 3, 31))
    assert core.inspection_year(date(2027, 4, 1)) == (date(2027, 4, 1), date(2028, 3, 31))


def test_ri_home_inspected_once_this_year_is_due_again_by_31_march():
    window = core.next_inspection_window(core.REQUIRES_IMPROVEMENT, [date(2026, 10, 5), date(2026, 2, 1)],
                                         today=date(2026, 12, 1))
    assert window.inspections_this_year == 1
    assert window.year_end == date(2027, 3, 31)
    assert "by 31 March 2027" in window.text


def test_inadequate_home_inspected_twice_is_next_due_next_inspection_year():
    window = core.next_inspection_window(core.INADEQUATE, [date(2026, 5, 5), date(2026, 10, 5)],
                                         today=date(2026, 12, 1))
    assert (window.year_start, window.year_end) == (date(2027, 4, 1), date(2028, 3, 31))


def test_good_home_has_no_window():
    assert core.next_inspection_window(core.GOOD, [date(2026, 5, 5)], today=date(2026, 12, 1)) is None


def test_compliance_notice_follow_up_is_the_day_after():
    assert core.compliance_notice_follow_up(date(2027, 2, 28)) == date(2027, 3, 1)
