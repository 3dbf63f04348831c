"""Property tests for the core: calendars, deadlines, fixed periods, validation, drift."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from homes_qa.core.calendar import (
    end_of_month,
    is_bank_holiday,
    is_working_day,
    london_date,
    london_day_end,
    working_days_after,
)
from homes_qa.core.catalogue import RULES
from homes_qa.core.drift import alert_times, alerts_due, classify, next_alert_after
from homes_qa.core.escalation import EscalationStep, LadderError, ladder_from_list, ladder_to_list, validate_ladder
from homes_qa.core.roles import ROLES
from homes_qa.core.timing import (
    Timing,
    TimingError,
    due_after_event,
    due_at,
    next_due_floating,
    period_containing,
    periods_between,
)

# Fast by default (the whole core suite runs in seconds); deadline off for CI jitter.
# CORE_HYPOTHESIS_EXAMPLES=5000 gives a deep pass.
FAST = settings(max_examples=int(os.environ.get("CORE_HYPOTHESIS_EXAMPLES", "100")), deadline=None)

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))
instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2032, 12, 31), timezones=st.just(UTC)
)

counted_event_timings = st.one_of(
    st.integers(1, 200).map(lambda n: Timing("elapsed_hours", n)),
    st.integers(1, 120).map(lambda n: Timing("calendar_days", n)),
    st.integers(1, 60).map(lambda n: Timing("working_days", n)),
    st.integers(1, 36).map(lambda n: Timing("calendar_months", n)),
    st.just(Timing("end_of_month")),
    st.just(Timing("target_date")),
)
floating_timings = st.one_of(
    st.builds(Timing, st.just("floating"), st.integers(1, 90), st.sampled_from(["days", "weeks", "months"])),
    st.integers(2, 60).flatmap(
        lambda n: st.integers(1, n - 1).map(
            lambda w: Timing("floating", n, "months", anniversary_window_months=w)
        )
    ),
)
fixed_timings = st.builds(
    Timing,
    st.just("fixed"),
    st.integers(1, 13),
    st.sampled_from(["weeks", "months"]),
    st.one_of(days, st.dates(date(2020, 1, 28), date(2032, 12, 31)).filter(lambda d: d.day >= 28)),
)
before_timings = st.integers(1, 60).map(lambda n: Timing("calendar_days_before", n))
all_timings = st.one_of(counted_event_timings, floating_timings, fixed_timings, before_timings)


# ------------------------------------------------------------------ working days


@FAST
@given(days, st.integers(1, 40))
def test_working_day_result_is_a_working_day_after_exactly_n(day, n):
    result = working_days_after(day, n)
    assert result > day
    assert is_working_day(result)
    assert result.weekday() < 5 and not is_bank_holiday(result)
    between = [day + timedelta(days=i) for i in range(1, (result - day).days + 1)]
    assert sum(is_working_day(d) for d in between) == n


@FAST
@given(days, st.integers(1, 30))
def test_working_days_after_is_monotonic_in_day_and_n(day, n):
    assert working_days_after(day, n) <= working_days_after(day + timedelta(days=1), n)
    assert working_days_after(day, n) < working_days_after(day, n + 1)


# ------------------------------------------------------------------ event deadlines


@FAST
@given(st.one_of(counted_event_timings, floating_timings), instants)
def test_due_never_precedes_the_event(timing, event):
    due = due_after_event(timing, event)
    assert due >= event
    assert due.utcoffset() == timedelta(0)


@FAST
@given(before_timings, instants)
def test_days_before_is_never_after_the_event_day(timing, event):
    assert due_after_event(timing, event) < london_day_end(london_date(event))


@FAST
@given(all_timings, instants, instants)
def test_a_later_event_never_gives_an_earlier_due_time(timing, a, b):
    earlier, later = sorted((a, b))
    assert due_at(timing, earlier) <= due_at(timing, later)


@FAST
@given(instants)
def test_24_hours_is_exactly_24_elapsed_hours(event):
    due = due_after_event(Timing("elapsed_hours", 24), event)
    assert due - event == timedelta(hours=24)
    # Also when the event is expressed in London time (the difference is in real time).
    london_event = event.astimezone(london_day_end(date(2026, 1, 1)).tzinfo)
    assert due_after_event(Timing("elapsed_hours", 24), london_event) == due


@FAST
@given(st.one_of(counted_event_timings, before_timings, floating_timings), instants)
def test_day_deadlines_fall_at_the_end_of_a_london_day(timing, event):
    assume(timing.kind != "elapsed_hours")
    due = due_after_event(timing, event)
    assert due == london_day_end(london_date(due))


@FAST
@given(floating_timings, instants, instants, instants)
def test_floating_with_previous_due_is_monotonic_and_after_completion(timing, a, b, previous_due):
    earlier, later = sorted((a, b))
    assert next_due_floating(timing, earlier, previous_due) <= next_due_floating(timing, later, previous_due)
    assert next_due_floating(timing, earlier, previous_due) > earlier


# ------------------------------------------------------------------ fixed periods


@FAST
@given(fixed_timings, instants)
def test_every_instant_lies_in_its_period(timing, at):
    period = period_containing(timing, at)
    assert period.start <= london_date(at) <= period.end
    assert due_at(timing, at) >= at


@FAST
@given(fixed_timings, days, st.integers(0, 400))
def test_fixed_periods_tile_time_without_gaps_or_overlaps(timing, start, span):
    end = start + timedelta(days=span)
    periods = periods_between(timing, start, end)
    assert periods[0].start <= start and periods[-1].end >= end
    for before, after in zip(periods, periods[1:]):
        assert after.start == before.end + timedelta(days=1)
    for p in periods:
        assert p.start <= p.end
    assert len({p.key for p in periods}) == len(periods)
    # Every day in the span is in exactly one period, and period_containing agrees.
    for offset in range(0, span + 1, max(1, span // 25)):
        d = start + timedelta(days=offset)
        owners = [p for p in periods if p.start <= d <= p.end]
        assert len(owners) == 1
        assert period_containing(timing, d) == owners[0]


@FAST
@given(fixed_timings, st.integers(-40, 40))
def test_month_periods_never_drift_from_the_anchor(timing, k):
    # Period k starts at anchor + k*N months, computed from the anchor (not chained), so a
    # 31st anchor gives the 28th/29th/30th in short months and the 31st again afterwards.
    assume(timing.unit == "months")
    expected_start = timing.anchor + relativedelta(months=timing.amount * k)
    assert expected_start.day == min(timing.anchor.day, end_of_month(expected_start).day)
    assert period_containing(timing, expected_start).start == expected_start
    assert period_containing(timing, expected_start - timedelta(days=1)).end == expected_start - timedelta(days=1)


# ------------------------------------------------------------------ validation and JSON


@FAST
@given(all_timings)
def test_valid_timings_round_trip_through_json(timing):
    data = json.loads(json.dumps(timing.to_dict()))
    assert Timing.from_dict(data) == timing
    assert timing.describe()


@FAST
@given(
    st.sampled_from(["fixed", "floating", "elapsed_hours", "calendar_days", "working_days", "calendar_months"]),
    st.integers(-1000, 0),
)
def test_validation_rejects_non_positive_intervals(kind, amount):
    unit = {"fixed": "months", "floating": "days"}.get(kind)
    with pytest.raises(TimingError):
        Timing(kind, amount, unit)


@FAST
@given(st.text(min_size=1, max_size=12).filter(lambda s: s not in ("weeks", "months", "days")))
def test_validation_rejects_unknown_units(unit):
    with pytest.raises(TimingError):
        Timing("floating", 1, unit)
    with pytest.raises(TimingError):
        Timing("fixed", 1, unit)


@FAST
@given(st.text(max_size=20))
def test_validation_rejects_unknown_kinds(kind):
    assume(kind not in {"fixed", "floating", "elapsed_hours", "calendar_days", "working_days", "end_of_month",
                        "calendar_months", "calendar_days_before", "target_date"})
    with pytest.raises(TimingError):
        Timing(kind, 1)


valid_ladders = st.lists(st.integers(1, 20), min_size=0, max_size=4, unique=True).flatmap(
    lambda gaps: st.lists(st.sampled_from(ROLES), min_size=len(gaps) + 1, max_size=len(gaps) + 1).map(
        lambda roles: tuple(
            EscalationStep(i + 1, role, days)
            for i, (role, days) in enumerate(zip(roles, [0] + sorted(gaps)))
        )
    )
)


@FAST
@given(valid_ladders)
def test_valid_ladders_validate_and_round_trip(ladder):
    validate_ladder(ladder)
    assert ladder_from_list(json.loads(json.dumps(ladder_to_list(ladder)))) == ladder


@FAST
@given(valid_ladders, st.data())
def test_broken_ladders_are_rejected(ladder, data):
    mutation = data.draw(st.sampled_from(["skip_level", "repeat_days", "negative", "role", "shuffle"]))
    steps = list(ladder)
    if mutation == "skip_level":
        i = data.draw(st.integers(0, len(steps) - 1))
        steps[i] = EscalationStep(steps[i].level + data.draw(st.integers(1, 3)), steps[i].role, steps[i].after_working_days)
    elif mutation == "repeat_days":
        assume(len(steps) >= 2)
        steps[1] = EscalationStep(2, steps[1].role, steps[0].after_working_days)
    elif mutation == "negative":
        i = data.draw(st.integers(0, len(steps) - 1))
        steps[i] = EscalationStep(steps[i].level, steps[i].role, -data.draw(st.integers(1, 10)))
    elif mutation == "role":
        role = data.draw(st.text(min_size=1, max_size=10).filter(lambda r: r not in ROLES))
        steps[0] = EscalationStep(1, role, 0)
    else:
        assume(len(steps) >= 2)
        steps.reverse()
    with pytest.raises(LadderError):
        validate_ladder(steps)


# ------------------------------------------------------------------ drift


@FAST
@given(
    instants,
    st.lists(st.integers(-30 * 24, 60 * 24), min_size=2, max_size=6),
    st.sampled_from([r.ladder for r in RULES]),
    st.integers(0, 14),
)
def test_drift_levels_only_rise_with_time(due, hour_offsets, ladder, due_soon_days):
    nows = sorted(due + timedelta(hours=h) for h in hour_offsets)
    levels = [alerts_due(due, now, ladder, due_soon_days) for now in nows]
    for earlier, later in zip(levels, levels[1:]):
        assert set(earlier) <= set(later)
    for now, reached in zip(nows, levels):
        state = classify(due, now, ladder, due_soon_days)
        assert state.level == (reached[-1] if reached else None)
        assert (state.status in ("overdue", "escalated")) == (now > due)


@FAST
@given(
    instants,
    st.integers(-30 * 24 * 60, 60 * 24 * 60),
    st.integers(0, 90 * 24 * 60),
    st.sampled_from([r.ladder for r in RULES]),
    st.integers(0, 14),
    st.one_of(st.none(), st.integers(0, 72)),
)
def test_nothing_new_is_reached_before_the_next_alert_instant(due, swept_minutes, later_minutes, ladder,
                                                              due_soon_days, due_soon_hours):
    # The sweep skips an obligation until `now` passes next_alert_after(...): that must never
    # skip a level, and once it is passed a new level must be reached.
    swept = due + timedelta(minutes=swept_minutes)
    times = alert_times(due, ladder, due_soon_days, due_soon_hours)
    reached_then = set(alerts_due(due, swept, ladder, due_soon_days, due_soon_hours))
    after = next_alert_after(times, swept)
    later = swept + timedelta(minutes=later_minutes)
    reached_later = set(alerts_due(due, later, ladder, due_soon_days, due_soon_hours))
    if after is None:
        assert reached_later == reached_then == set(times)
    elif later <= after:
        assert reached_later == reached_then
    else:
        assert reached_later > reached_then
