import json

import pytest

from homes_qa.core.catalogue import RM_LADDER
from homes_qa.core.drift import alert_times, alerts_due, classify
from homes_qa.core.escalation import EscalationStep, LadderError, ladder_from_list, ladder_to_list, validate_ladder
from tests.core.core_helpers import london

S = EscalationStep


# ------------------------------------------------------------------ ladders


def test_default_ladder_is_valid_and_round_trips_through_json():
    validate_ladder(RM_LADDER)
    data = ladder_to_list(RM_LADDER)
    assert data == [
        {"level": 1, "role": "registered_manager", "after_working_days": 0},
        {"level": 2, "role": "service_manager", "after_working_days": 2},
        {"level": 3, "role": "head_of_service", "after_working_days": 5},
    ]
    assert ladder_from_list(json.loads(json.dumps(data))) == RM_LADDER


@pytest.mark.parametrize(
    "steps, fragment",
    [
        ((), "at least one step"),
        ((S(1, "registered_manager", 0), S(3, "head_of_service", 5)), "without gaps"),
        ((S(2, "registered_manager", 0),), "without gaps"),
        ((S(1, "registered_manager", 0), S(2, "service_manager", 2), S(2, "head_of_service", 5)), "without gaps"),
        ((S(1, "registered_manager", 0), S(2, "service_manager", 3), S(3, "head_of_service", 3)), "later than"),
        ((S(1, "registered_manager", 0), S(2, "service_manager", 5), S(3, "head_of_service", 2)), "later than"),
        ((S(1, "registered_manager", 0), S(2, "service_manager", -1)), "negative"),
        ((S(1, "registered_manager", 1),), "0 working days"),
        ((S(1, "chief_executive", 0),), "unknown role"),
        ((S(1, "registered_manager", 0), S(2, "service_manager", 1.5)), "whole number"),
    ],
)
def test_validate_ladder_rejects(steps, fragment):
    with pytest.raises(LadderError, match=fragment):
        validate_ladder(steps)


@pytest.mark.parametrize(
    "data",
    [
        {"level": 1},
        [{"level": 1, "role": "registered_manager"}],
        [{"level": 1, "role": "registered_manager", "after_working_days": 0, "colour": "red"}],
        [{"level": 1, "role": "registered_manager", "after_working_days": 0}, {"level": 3, "role": "admin", "after_working_days": 1}],
        "registered_manager",
    ],
)
def test_ladder_from_list_rejects_malformed(data):
    with pytest.raises(LadderError):
        ladder_from_list(data)


# ------------------------------------------------------------------ drift

# Due at the end of Christmas Eve 2026 (Thursday). Working days after: 29 Dec (1), 30 Dec (2),
# 31 Dec (3), 4 Jan (4), 5 Jan (5) — Christmas, the observed Boxing Day and New Year skipped.
DUE = london(2026, 12, 24, 23, 59, 59)


@pytest.mark.parametrize(
    "now, status, level, label, role",
    [
        (london(2026, 12, 17, 12, 0), "upcoming", None, "Upcoming", None),
        (london(2026, 12, 18, 9, 0), "due_soon", 0, "Due soon", "registered_manager"),
        (london(2026, 12, 24, 23, 59, 59), "due_soon", 0, "Due soon", "registered_manager"),
        (london(2026, 12, 25, 0, 0), "overdue", 1, "Overdue", "registered_manager"),
        (london(2026, 12, 30, 23, 0), "overdue", 1, "Overdue", "registered_manager"),
        (london(2026, 12, 31, 0, 0), "escalated", 2, "Escalated", "service_manager"),
        (london(2027, 1, 5, 23, 0), "escalated", 2, "Escalated", "service_manager"),
        (london(2027, 1, 6, 0, 0), "escalated", 3, "Escalated", "head_of_service"),
    ],
)
def test_classify_open_obligation_over_christmas(now, status, level, label, role):
    state = classify(DUE, now, RM_LADDER)
    assert (state.status, state.level, state.label, state.role) == (status, level, label, role)


def test_classify_met_met_late_waived():
    now = london(2027, 2, 1)
    assert classify(DUE, now, RM_LADDER, met_at=london(2026, 12, 24, 18)).label == "Met"
    assert classify(DUE, now, RM_LADDER, met_at=DUE).label == "Met"
    late = classify(DUE, now, RM_LADDER, met_at=london(2026, 12, 29, 9))
    assert (late.status, late.label, late.level) == ("met_late", "Met late", None)
    assert classify(DUE, now, RM_LADDER, waived=True).label == "Waived"
    assert classify(DUE, now, RM_LADDER, met_at=DUE, waived=True).label == "Waived"


def test_alerts_due_lists_every_level_reached():
    assert alerts_due(DUE, london(2026, 12, 10), RM_LADDER) == []
    assert alerts_due(DUE, london(2026, 12, 20), RM_LADDER) == [0]
    assert alerts_due(DUE, london(2026, 12, 29, 12), RM_LADDER) == [0, 1]
    assert alerts_due(DUE, london(2027, 2, 1), RM_LADDER) == [0, 1, 2, 3]
    # due_soon_days=0 switches the due-soon alert off.
    assert alerts_due(DUE, london(2027, 2, 1), RM_LADDER, due_soon_days=0) == [1, 2, 3]


def test_alert_times():
    times = alert_times(DUE, RM_LADDER)
    assert times == {
        0: london(2026, 12, 17, 23, 59, 59),
        1: DUE,
        2: london(2026, 12, 30, 23, 59, 59),
        3: london(2027, 1, 5, 23, 59, 59),
    }


def test_due_soon_keeps_the_wall_clock_across_a_clock_change():
    due = london(2026, 4, 2, 23, 59, 59)  # BST; seven days earlier is GMT
    assert alert_times(due, RM_LADDER)[0] == london(2026, 3, 26, 23, 59, 59)


def test_an_elapsed_hours_deadline_is_overdue_at_its_exact_instant():
    due = london(2026, 3, 30, 1, 30)
    assert classify(due, london(2026, 3, 30, 1, 30), RM_LADDER).status == "due_soon"
    assert classify(due, london(2026, 3, 30, 1, 31), RM_LADDER).status == "overdue"
    # Level 2 is two working days after Monday 30 March: end of Wednesday 1 April.
    assert classify(due, london(2026, 4, 1, 23, 0), RM_LADDER).level == 1
    assert classify(due, london(2026, 4, 2, 0, 0), RM_LADDER).level == 2


def test_bad_due_soon_days():
    with pytest.raises(ValueError):
        classify(DUE, DUE, RM_LADDER, due_soon_days=-1)
