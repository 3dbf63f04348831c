"""Hour clocks escalate in elapsed hours: `after_hours` ladder steps and `due_soon_hours`."""
from datetime import UTC, datetime, timedelta

import pytest

from homes_qa.core.catalogue import RM_HOURS_LADDER, RM_URGENT_LADDER, catalogue_by_code
from homes_qa.core.drift import alert_times, alerts_due, classify
from homes_qa.core.escalation import (
    HOURS,
    WORKING_DAYS,
    EscalationStep,
    LadderError,
    ladder_from_list,
    ladder_to_list,
    ladder_unit,
    validate_ladder,
)
from homes_qa.core.timing import due_at
from tests.core.core_helpers import london

H = timedelta(hours=1)


def test_hour_ladder_round_trips_through_json():
    data = ladder_to_list(RM_HOURS_LADDER)
    assert data[1] == {"level": 2, "role": "service_manager", "after_hours": 24}
    assert ladder_from_list(data) == RM_HOURS_LADDER
    assert ladder_unit(RM_HOURS_LADDER) == HOURS
    assert ladder_unit(RM_URGENT_LADDER) == WORKING_DAYS


def test_day_ladders_still_serialise_as_working_days():
    assert ladder_to_list(RM_URGENT_LADDER)[1] == {"level": 2, "role": "service_manager", "after_working_days": 1}


@pytest.mark.parametrize("steps, fragment", [
    ((EscalationStep(1, "registered_manager", after_hours=1),), "0 hours"),
    ((EscalationStep(1, "registered_manager", after_hours=0),
      EscalationStep(2, "service_manager", after_working_days=1)), "same unit"),
    ((EscalationStep(1, "registered_manager", after_hours=0),
      EscalationStep(2, "service_manager", after_hours=0)), "later than level 1"),
    ((EscalationStep(1, "registered_manager", after_hours=0),
      EscalationStep(2, "service_manager", after_hours=24 * 91)), "from 0 to"),
    ((EscalationStep(1, "registered_manager"),), "one of them"),
    ((EscalationStep(1, "registered_manager", after_working_days=0, after_hours=0),), "one of them"),
])
def test_bad_hour_ladders_are_refused(steps, fragment):
    with pytest.raises(LadderError, match=fragment):
        validate_ladder(steps)


@pytest.mark.parametrize("data, fragment", [
    ([{"level": 1, "role": "registered_manager", "after_hours": 0, "after_working_days": 0}], "not both"),
    ([{"level": 1, "role": "registered_manager"}], "missing"),
    ([{"level": 1, "role": "registered_manager", "after_hours": None}], "whole number"),
])
def test_malformed_hour_steps(data, fragment):
    with pytest.raises(LadderError, match=fragment):
        ladder_from_list(data)


def _need_to_know_due(aware):
    return due_at(catalogue_by_code()["incident_ntk_service_manager"].timing, aware)


def test_need_to_know_escalates_to_the_service_manager_at_24_hours_and_head_of_service_at_48():
    aware = london(2026, 12, 1, 10)
    due = _need_to_know_due(aware)
    times = alert_times(due, RM_HOURS_LADDER, due_soon_hours=6)
    assert times == {0: due - 6 * H, 1: due, 2: due + 24 * H, 3: due + 48 * H}


def test_a_need_to_know_due_on_christmas_day_reaches_the_service_manager_on_boxing_day():
    due = _need_to_know_due(london(2026, 12, 24, 9))  # due Christmas Day 09:00
    assert due == london(2026, 12, 25, 9)
    assert classify(due, london(2026, 12, 26, 9) + H, RM_HOURS_LADDER, due_soon_hours=6).role == "service_manager"
    assert classify(due, london(2026, 12, 26, 9), RM_HOURS_LADDER, due_soon_hours=6).role == "registered_manager"
    assert classify(due, london(2026, 12, 27, 9) + H, RM_HOURS_LADDER, due_soon_hours=6).role == "head_of_service"
    # the working-day ladder it replaces would wait until the end of Tuesday 29 December
    assert alert_times(due, RM_URGENT_LADDER)[2] == london(2026, 12, 29, 23, 59, 59)


def test_hour_escalation_across_the_spring_2027_clock_change():
    due = london(2027, 3, 27, 12)  # noon GMT on the Saturday
    level2 = alert_times(due, RM_HOURS_LADDER)[2]
    assert level2 == london(2027, 3, 28, 13)  # 24 elapsed hours is 13:00 BST on the Sunday
    assert level2 - due == 24 * H


def test_hour_escalation_across_the_autumn_2027_clock_change():
    due = london(2027, 10, 30, 12)  # noon BST on the Saturday
    level2 = alert_times(due, RM_HOURS_LADDER)[2]
    assert level2 == london(2027, 10, 31, 11)  # 24 elapsed hours is 11:00 GMT on the Sunday
    assert level2 - due == 24 * H


def test_due_soon_for_an_hour_rule_is_hours_before():
    due = datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert alerts_due(due, due - 6 * H - timedelta(seconds=1), RM_HOURS_LADDER, due_soon_hours=6) == []
    assert alerts_due(due, due - 6 * H + timedelta(seconds=1), RM_HOURS_LADDER, due_soon_hours=6) == [0]
    assert classify(due, due - 7 * H, RM_HOURS_LADDER, due_soon_hours=6).status == "upcoming"
    # without hours the old 7 days applies
    assert classify(due, due - 7 * H, RM_HOURS_LADDER).status == "due_soon"


def test_zero_warning_hours_raises_no_due_soon():
    due = datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert 0 not in alert_times(due, RM_HOURS_LADDER, due_soon_hours=0)


def test_bad_due_soon_hours():
    with pytest.raises(ValueError, match="due_soon_hours"):
        alert_times(datetime(2026, 12, 2, tzinfo=UTC), RM_HOURS_LADDER, due_soon_hours=-1)


def test_a_day_ladder_is_unchanged_by_hours():
    due = london(2026, 12, 4, 17)
    assert alert_times(due, RM_URGENT_LADDER) == {
        0: london(2026, 11, 27, 17), 1: due, 2: london(2026, 12, 7, 23, 59, 59), 3: london(2026, 12, 8, 23, 59, 59)}
