"""Ladders are parsed once per distinct ladder (issue 13): the cache must never let a malformed
ladder through because an equal-looking valid one was parsed first."""
from __future__ import annotations

import pytest

from homes_qa.core.escalation import LadderError, ladder_from_list

pytestmark = pytest.mark.unit

GOOD = [{"level": 1, "role": "registered_manager", "after_working_days": 0},
        {"level": 2, "role": "service_manager", "after_working_days": 2}]


def test_an_equal_ladder_is_the_same_parsed_steps():
    first = ladder_from_list(GOOD)
    again = ladder_from_list([dict(step) for step in GOOD])
    assert first == again and first is again


@pytest.mark.parametrize("bad", [True, 1.0])
def test_a_bool_or_float_level_is_refused_even_after_the_int_one_was_parsed(bad):
    ladder_from_list(GOOD)
    with pytest.raises(LadderError):
        ladder_from_list([{**GOOD[0], "level": bad}, GOOD[1]])
    with pytest.raises(LadderError):
        ladder_from_list([GOOD[0], {**GOOD[1], "after_working_days": 2.0 if bad == 1.0 else True}])


def test_unhashable_or_odd_steps_are_still_explained():
    with pytest.raises(LadderError):
        ladder_from_list([{**GOOD[0], "role": ["registered_manager"]}])
    with pytest.raises(LadderError):
        ladder_from_list(["level 1"])
    with pytest.raises(LadderError):
        ladder_from_list("not a list")
