"""core.since: where "what changed since you last looked" starts."""
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from homes_qa.core.since import FIRST_LOOK, SESSION_GAP, Marker, next_marker, window_start

T0 = datetime(2026, 11, 4, 9, 0, tzinfo=UTC)


def test_the_first_look_lists_the_last_seven_days():
    marker = next_marker(None, T0)
    assert marker == Marker(None, T0)
    assert window_start(marker, T0) == T0 - FIRST_LOOK


def test_a_look_within_the_session_keeps_the_list_and_a_later_one_starts_at_the_last_look():
    first = next_marker(None, T0)
    again = next_marker(first, T0 + timedelta(minutes=10))
    assert again.since is None and again.viewed_at == T0 + timedelta(minutes=10)
    tomorrow = next_marker(again, T0 + timedelta(days=1))
    assert tomorrow.since == T0 + timedelta(minutes=10)
    assert window_start(tomorrow, T0 + timedelta(days=1)) == T0 + timedelta(minutes=10)
    refresh = next_marker(tomorrow, T0 + timedelta(days=1, minutes=5))
    assert refresh.since == tomorrow.since


@given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)), min_size=1, max_size=20))
def test_the_window_never_starts_after_the_look_and_moves_only_forward(gaps):
    marker, now = None, T0
    starts = []
    for gap in gaps:
        now += gap
        marker = next_marker(marker, now)
        assert marker.viewed_at == now
        start = window_start(marker, now)
        assert start <= now
        if marker.since is not None:
            starts.append(marker.since)
            assert now - marker.since >= SESSION_GAP or marker.since < now
    assert starts == sorted(starts)


def test_a_look_moments_after_the_kept_one_is_not_written_again():
    from homes_qa.core.since import RECORDED_EVERY, worth_recording
    kept = next_marker(None, T0)
    assert worth_recording(None, kept)  # the first look
    refresh = next_marker(kept, T0 + timedelta(seconds=20))
    assert not worth_recording(kept, refresh)
    assert refresh.since == kept.since  # the same list all the same
    assert worth_recording(kept, next_marker(kept, T0 + RECORDED_EVERY))
    later = next_marker(kept, T0 + SESSION_GAP)  # another session: another list, always written
    assert later.since == T0 and worth_recording(kept, later)


@given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2)), min_size=1, max_size=30))
def test_looks_not_written_leave_the_kept_look_less_than_a_minute_behind(gaps):
    """Keeping only the looks `worth_recording` says: the kept instant is never RECORDED_EVERY or
    more behind the last look, every list starts at or before the look, and a new session is
    written whenever one starts."""
    from homes_qa.core.since import RECORDED_EVERY, worth_recording
    kept, now = None, T0
    for gap in gaps:
        now += gap
        marker = next_marker(kept, now)
        assert window_start(marker, now) <= now
        if worth_recording(kept, marker):
            kept = marker
        else:
            assert kept is not None and marker.since == kept.since
        assert now - kept.viewed_at < RECORDED_EVERY
