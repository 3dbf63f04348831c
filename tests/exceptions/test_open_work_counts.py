"""Each home's open work, counted after each sweep (`count_open_work`, issue 13), gives the grid
of someone who sees every home the same counts as counting every open obligation at the look:
at any instant within FRESH_FOR of the count, whatever changed since, and never counts that
are stale (changed homes, or a count too old) or that miss a change."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.exceptions.service import count_open_work
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.models import HomeOpenWork, Obligation, ObligationStatus, OpenWorkClock
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import sync_catalogue

# Across the autumn clock change: a warning threshold is London calendar days away.
COUNTED = datetime(2026, 10, 24, 23, 10, tzinfo=UTC)
ROLES = (Role.HEAD_OF_SERVICE, Role.ADMIN)


def _rule() -> Rule:
    sync_catalogue()
    return db.session.scalars(select(Rule).where(Rule.scope == "home").order_by(Rule.code)).first()


def _obligation(rule: Rule, home_id: int | None, due_at: datetime, days: int, key: str) -> Obligation:
    obligation = Obligation(
        rule_id=rule.id, rule_code=rule.code, home_id=home_id,
        scope_key="organisation" if home_id is None else f"home:{home_id}", period_key=key, title=f"Test {key}",
        due_at=due_at, responsible_role=rule.responsible_role, ladder=list(rule.ladder), due_soon_days=days,
        status=ObligationStatus.OPEN)
    db.session.add(obligation)
    return obligation


def _escalate(obligation: Obligation, at: datetime) -> None:
    db.session.flush()
    db.session.add(Alert(obligation_id=obligation.id, level=2, home_id=obligation.home_id,
                         target_role=Role.SERVICE_MANAGER, raised_at=at, reached_at=at))


def _per_home(statement, role: str, at: datetime) -> dict[int | None, tuple[int, int, int]]:
    values = queries.due_soon_values_at(role, at)
    rows = db.session.execute(statement(role, values), {**queries.count_clock(at, values), **queries._fresh(at)})
    found = {row.home_id: (int(row.escalated), int(row.overdue), int(row.due_soon)) for row in rows}
    return {home: counts for home, counts in found.items() if counts != (0, 0, 0)}


def _exact(role: str, at: datetime) -> dict[int | None, tuple[int, int, int]]:
    return _per_home(lambda role, values: queries._per_home_counts(queries._open_filtered_bound(role), values),
                     role, at)


def _counted(role: str, at: datetime) -> dict[int | None, tuple[int, int, int]]:
    return _per_home(queries._counted_per_home, role, at)


def _reset() -> None:
    for model in (Alert, Obligation, HomeOpenWork, OpenWorkClock):
        db.session.execute(delete(model))
    db.session.commit()


# Due times anywhere, and near where a count can change between two instants: the deadline
# itself, each warning threshold (London days: 25 hours across the clock change) and the horizon.
BOUNDARIES = [0, *[days * 24 * 60 for days in (1, 3, 7, 30)], queries.HORIZON // timedelta(minutes=1)]
minutes = st.one_of(st.integers(min_value=-3 * 24 * 60, max_value=40 * 24 * 60),
                    st.builds(lambda at, off: at + off, st.sampled_from(BOUNDARIES), st.integers(-130, 130)))
warning_days = st.sampled_from([0, 1, 3, 7, 30])
near = st.integers(-130, 130)
HORIZON_MINUTES = queries.HORIZON // timedelta(minutes=1)
# (due in minutes from the count, warning days): anywhere, or just either side of its deadline,
# of its own warning threshold, or of the horizon
timings = st.one_of(st.tuples(minutes, warning_days),
                    st.builds(lambda off, days: (off, days), near, warning_days),
                    st.builds(lambda days, off: (days * 24 * 60 + off, days), warning_days, near),
                    st.builds(lambda off, days: (HORIZON_MINUTES + off, days), near, warning_days))
obligation_specs = st.lists(st.tuples(st.sampled_from(["a", "b", None]), timings, st.booleans()),
                            min_size=1, max_size=14)
change_kinds = st.sampled_from(["close", "move", "new", "escalate", "warning"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=obligation_specs, changes=st.lists(st.tuples(change_kinds, st.integers(0, 13), minutes), max_size=4),
       looks=st.lists(st.integers(min_value=-59, max_value=59), min_size=1, max_size=4))
def test_counted_and_kept_counts_agree_with_counting_everything(app, world, specs, changes, looks):
    homes = {"a": world.home_a.id, "b": world.home_b.id, None: None}
    with app.app_context(), acting_as("test"):
        _reset()
        rule = _rule()
        made = []
        for n, (home, (offset, days), escalated) in enumerate(specs):
            obligation = _obligation(rule, homes[home], COUNTED + timedelta(minutes=offset), days, f"p{n}")
            if escalated:
                _escalate(obligation, COUNTED)
            made.append(obligation)
        db.session.commit()
        count_open_work(COUNTED)
        for n, (kind, which, offset) in enumerate(changes):  # what people and the sweep did since
            obligation = made[which % len(made)]
            if kind == "close" and obligation.is_open:
                obligation.status, obligation.met_at = ObligationStatus.MET, COUNTED
            elif kind == "move" and obligation.is_open:
                obligation.due_at = COUNTED + timedelta(minutes=offset)
            elif kind == "new":
                made.append(_obligation(rule, obligation.home_id, COUNTED + timedelta(minutes=offset), 2, f"n{n}"))
            elif kind == "escalate" and not obligation.alerts:
                _escalate(obligation, COUNTED)
            elif kind == "warning" and obligation.is_open:
                obligation.due_soon_days = 14
            db.session.commit()
        for look in looks:
            at = COUNTED + timedelta(minutes=look)
            for role in ROLES:
                assert _counted(role, at) == _exact(role, at), (role, look)


def test_the_kept_counts_are_used_and_a_changed_home_is_counted_afresh(app, world):
    """Kept counts are read (a wrong kept count shows), until the home changes; then counted."""
    with app.app_context(), acting_as("test"):
        rule = _rule()
        _obligation(rule, world.home_a.id, COUNTED - timedelta(hours=3), 7, "late")
        _obligation(rule, world.home_b.id, COUNTED + timedelta(days=2), 7, "soon")
        db.session.commit()
        count_open_work(COUNTED)
        at = COUNTED + timedelta(minutes=20)
        expected = {world.home_a.id: (0, 1, 0), world.home_b.id: (0, 0, 1)}
        assert _counted(Role.HEAD_OF_SERVICE, at) == _exact(Role.HEAD_OF_SERVICE, at) == expected
        db.session.execute(update(HomeOpenWork).where(HomeOpenWork.home_key == world.home_a.id).values(overdue=5))
        db.session.commit()
        assert _counted(Role.HEAD_OF_SERVICE, at)[world.home_a.id] == (0, 5, 0)  # read, not counted again
        _obligation(rule, world.home_a.id, COUNTED - timedelta(hours=1), 7, "later")  # a change to home A
        db.session.commit()
        assert _counted(Role.HEAD_OF_SERVICE, at) == _exact(Role.HEAD_OF_SERVICE, at) == {
            world.home_a.id: (0, 2, 0), world.home_b.id: (0, 0, 1)}


def test_counts_older_than_fresh_for_are_not_used(app, world):
    with app.app_context(), acting_as("test"):
        _obligation(_rule(), world.home_a.id, COUNTED - timedelta(hours=3), 7, "late")
        db.session.commit()
        count_open_work(COUNTED)
        db.session.execute(update(HomeOpenWork).values(overdue=9))
        db.session.commit()
        assert _counted(Role.HEAD_OF_SERVICE, COUNTED + timedelta(minutes=59))[world.home_a.id] == (0, 9, 0)
        stale = COUNTED + queries.FRESH_FOR + timedelta(minutes=1)
        assert _counted(Role.HEAD_OF_SERVICE, stale) == _exact(Role.HEAD_OF_SERVICE, stale) == {
            world.home_a.id: (0, 1, 0)}


def test_a_change_committed_while_counting_leaves_its_home_counted_afresh(app, world, monkeypatch):
    """`changes` is read before counting: a change that lands between the read and the count's
    write makes the row count for nothing (here the count is run, then the change's mark is
    replayed as if it had landed while counting)."""
    with app.app_context(), acting_as("test"):
        _obligation(_rule(), world.home_a.id, COUNTED - timedelta(hours=3), 7, "late")
        db.session.commit()
        count_open_work(COUNTED)
        db.session.execute(update(HomeOpenWork).where(HomeOpenWork.home_key == world.home_a.id)
                           .values(overdue=9, changes=HomeOpenWork.changes + 1))
        db.session.commit()
        assert _counted(Role.HEAD_OF_SERVICE, COUNTED)[world.home_a.id] == (0, 1, 0)


@pytest.mark.usefixtures("clock")
def test_the_head_of_service_grid_is_the_same_counted_or_kept(app, world, client, auth):
    """The page: after the scheduler's sweep job (which counts) the grid reads the kept counts,
    and shows what it shows when every open obligation is counted at the look."""
    from homes_qa.jobs.definitions import sweep_job
    from homes_qa.spine.timestamps import utcnow
    with app.app_context(), acting_as("test"):
        rule = _rule()
        now = utcnow()
        _obligation(rule, world.home_a.id, now - timedelta(hours=5), 7, "late")
        _obligation(rule, world.home_b.id, now + timedelta(days=3), 7, "soon")
        _obligation(rule, None, now - timedelta(days=1), 7, "service")
        db.session.commit()
    sweep_job(app, "test-holder")
    with app.app_context():
        kept = {row.home_key: (row.escalated, row.overdue, row.due_soon) for row in db.session.scalars(select(HomeOpenWork))}
    assert kept[world.home_a.id][1] >= 1 and kept[world.home_b.id][2] >= 1 and kept[0][1] >= 1
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    from_kept = client.get("/exceptions/").get_data(as_text=True)
    with app.app_context():
        db.session.execute(delete(HomeOpenWork))
        db.session.commit()
    counted_at_the_look = client.get("/exceptions/").get_data(as_text=True)
    grid = lambda page: page[page.index("app-grid"):page.index("</table>", page.index("app-grid"))]  # noqa: E731
    assert "Alder House" in grid(from_kept) and grid(from_kept) == grid(counted_at_the_look)


def test_what_crosses_each_threshold_after_the_count_is_counted_where_it_is_now(app, world):
    """Due times just past the deadline, a warning threshold and the horizon at the count: a
    look 50 minutes on counts them as they are then, from the kept counts."""
    with app.app_context(), acting_as("test"):
        rule = _rule()
        a, b = world.home_a.id, world.home_b.id
        _obligation(rule, a, COUNTED + timedelta(minutes=20), 7, "deadline")  # due soon → overdue
        # upcoming → due soon: 3 London days on is 25 hours a day across the clock change
        _obligation(rule, b, queries.count_clock(COUNTED, (3,))[queries._due_soon_name(3)] + timedelta(minutes=10),
                    3, "warning")
        # escalated, and moved out past the horizon: back within it 10 minutes after the count
        _escalate(_obligation(rule, None, COUNTED + queries.HORIZON + timedelta(minutes=10), 7, "horizon"), COUNTED)
        db.session.commit()
        count_open_work(COUNTED)
        at = COUNTED + timedelta(minutes=50)
        assert _counted(Role.HEAD_OF_SERVICE, COUNTED) == {a: (0, 0, 1)}
        assert _counted(Role.HEAD_OF_SERVICE, at) == _exact(Role.HEAD_OF_SERVICE, at) == {
            a: (0, 1, 0), b: (0, 0, 1), None: (1, 0, 0)}
