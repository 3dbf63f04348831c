"""The first pages' statements are built once and run with each request's values (issue 13):
the same kept statement must answer for the instant and the person it is run with, never for
those of the request that built it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from homes_qa.core import exceptions as ex
from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow

pytestmark = pytest.mark.usefixtures("clock")


def _notification(home_id: int, aware_at, key: str) -> int:
    """A need-to-know notification to the service manager, due 24 hours after awareness."""
    made = obligations.obligation_for_event("incident_ntk_service_manager", db.session.get(Home, home_id),
                                            aware_at, key=key)
    db.session.flush()
    return made.id


@pytest.fixture
def two_managers(app, world):
    """Registered and service managers of home A and of home B; one notification in each home
    (the registered manager's to make), due in 23 hours."""
    now = utcnow()
    with app.app_context(), acting_as("test"):
        in_a = _notification(world.home_a.id, now - timedelta(hours=1), "kept:a")
        in_b = _notification(world.home_b.id, now - timedelta(hours=1), "kept:b")
        manager_b = people.create_user(name="Service Manager B", email="sm@b.example.org",
                                       role=Role.SERVICE_MANAGER, password="a-long-test-password")
        people.assign(db.session.get(Home, world.home_b.id), manager_b)
        db.session.commit()
        return now, world.users[Role.SERVICE_MANAGER].id, manager_b.id, in_a, in_b, (
            world.users[Role.REGISTERED_MANAGER].id, world.manager_b.id)


def _statuses(work: queries.Work) -> dict[int, str]:
    return {item.obligation.id: item.status for item in [*work.now_items, *work.this_week]}


def test_the_work_lists_answer_for_the_instant_and_the_person_they_are_run_with(app, two_managers):
    now, manager_a, manager_b, in_a, in_b, (registered_a, registered_b) = two_managers
    later = now + timedelta(days=2)  # past the notifications' deadline
    with app.app_context():
        ra, rb = db.session.get(User, registered_a), db.session.get(User, registered_b)
        assert _statuses(queries.my_work(ra, now)) == {in_a: ex.DUE_SOON}
        assert _statuses(queries.my_work(ra, later)) == {in_a: ex.OVERDUE}
        assert _statuses(queries.my_work(rb, later)) == {in_b: ex.OVERDUE}
        assert _statuses(queries.my_work(rb, now - timedelta(days=100))) == {}  # beyond the horizon then
        b = db.session.get(User, manager_b)
        queued = queries.my_work(b, later, queue=True, mine=False)
        assert [item.obligation.id for item in queued.late_notifications] == [in_b]
        assert queries.my_work(b, now, queue=True, mine=False).late_notifications == []


def _cells(grid: queries.Grid) -> dict[int, tuple[int, int]]:
    return {row.key: (row.total.overdue, row.total.due_soon) for row in grid.rows}


def test_the_grid_answers_for_the_instant_and_the_person_it_is_run_with(app, world, two_managers):
    now, manager_a, manager_b, _in_a, _in_b, (registered_a, registered_b) = two_managers
    later = now + timedelta(days=2)
    with app.app_context():
        a, b = db.session.get(User, manager_a), db.session.get(User, manager_b)
        ra, rb = db.session.get(User, registered_a), db.session.get(User, registered_b)
        assert _cells(queries.grid(a, now, limit=10))[world.home_a.id] == (0, 1)
        assert _cells(queries.grid(a, later, limit=10))[world.home_a.id] == (1, 0)
        seen_by_b = _cells(queries.grid(b, later, limit=10))
        assert seen_by_b[world.home_b.id] == (1, 0) and world.home_a.id not in seen_by_b
        # Filtered by a person (who answers for the notifications) and a period: the same, for
        # each person and period.
        window = (now - timedelta(days=1), now + timedelta(days=1))
        assert _cells(queries.grid(a, later, person=ra, window=window))[world.home_a.id] == (1, 0)
        assert _cells(queries.grid(b, now, person=rb, window=window))[world.home_b.id] == (0, 1)
        assert _cells(queries.grid(b, now, person=ra, window=window))[world.home_b.id] == (0, 0)
        assert _cells(queries.grid(b, now, person=rb, window=(later, later + timedelta(days=1))))[
            world.home_b.id] == (0, 0)
        assert _cells(queries.grid(a, later, person=ra))[world.home_a.id] == (1, 0)
        assert _cells(queries.grid(b, later, person=b))[world.home_b.id] == (0, 0)  # not the service manager's
        # A home's row, asked for by its id.
        assert [row.key for row in queries.grid(b, now, home=world.home_b.id).rows] == [world.home_b.id]


def test_what_changed_answers_for_the_window_and_the_person_it_is_run_with(app, world, two_managers):
    now, manager_a, manager_b, in_a, in_b, _registered = two_managers
    with app.app_context(), acting_as("test"):
        for obligation_id in (in_a, in_b):
            obligations.discharge(db.session.get(Obligation, obligation_id), met_at=now)
        db.session.commit()
        a, b = db.session.get(User, manager_a), db.session.get(User, manager_b)
        week = now - timedelta(days=7)

        def done(user: User, start, end) -> list[str]:
            return [c.text for c in queries.changes_since(user, start, end).items if c.kind == "Done"]
        title_a = db.session.get(Obligation, in_a).title
        title_b = db.session.get(Obligation, in_b).title
        assert done(a, week, now) == [title_a]
        assert done(b, week, now) == [title_b]
        assert done(a, week, now - timedelta(hours=1)) == []  # met after that window
        assert done(b, now, now + timedelta(hours=1)) == []  # and before this one


def test_the_person_filter_offers_each_viewer_the_people_of_their_own_homes(app, world, two_managers):
    _now, manager_a, manager_b, _in_a, _in_b, (registered_a, registered_b) = two_managers
    with app.app_context():
        a, b = db.session.get(User, manager_a), db.session.get(User, manager_b)
        offered_to_a = {person_id for person_id, _ in queries.people_in_scope(a)}
        offered_to_b = {person_id for person_id, _ in queries.people_in_scope(b)}
        assert registered_a in offered_to_a and registered_b not in offered_to_a
        assert registered_b in offered_to_b and registered_a not in offered_to_b
        assert queries.person_in_scope(a, registered_a).id == registered_a
        assert queries.person_in_scope(a, registered_b) is None
        assert queries.person_in_scope(b, registered_b).id == registered_b
        assert queries.person_in_scope(b, registered_a) is None


def test_the_grid_ranks_the_homes_by_their_counts_at_the_instant_it_is_run_with(app, world, two_managers):
    now, *_ = two_managers
    with app.app_context(), acting_as("test"):
        for n in range(2):  # due in 8 days: not yet due soon now (a week's warning)
            _notification(world.home_b.id, now + timedelta(days=7), f"kept:b:{n}")
        db.session.commit()
        head = db.session.scalar(select(User).where(User.role == Role.HEAD_OF_SERVICE))
        # Now: one item due soon in each home, so by name; in nine days home B has three overdue.
        assert [row.key for row in queries.grid(head, now, limit=1).rows] == [world.home_a.id]
        assert [row.key for row in queries.grid(head, now + timedelta(days=9), limit=1).rows] == [world.home_b.id]


def _statuses_of(found: list[queries.Item]) -> dict[int, str]:
    return {item.obligation.id: item.status for item in found}


def test_the_items_behind_a_cell_answer_for_the_instant_the_person_and_the_filters_they_are_run_with(
        app, world, two_managers):
    now, manager_a, manager_b, in_a, in_b, (registered_a, registered_b) = two_managers
    later = now + timedelta(days=2)
    with app.app_context():
        a, b = db.session.get(User, manager_a), db.session.get(User, manager_b)
        ra, rb = db.session.get(User, registered_a), db.session.get(User, registered_b)
        assert _statuses_of(queries.items(a, now)) == {in_a: ex.DUE_SOON}
        assert _statuses_of(queries.items(a, later)) == {in_a: ex.OVERDUE}
        assert _statuses_of(queries.items(b, later)) == {in_b: ex.OVERDUE}
        assert _statuses_of(queries.items(b, later, status=ex.DUE_SOON)) == {}
        assert _statuses_of(queries.items(b, now, status=ex.DUE_SOON)) == {in_b: ex.DUE_SOON}
        assert _statuses_of(queries.items(b, later, home=world.home_b.id)) == {in_b: ex.OVERDUE}
        assert _statuses_of(queries.items(b, later, home=world.home_a.id)) == {}  # not B's home
        assert _statuses_of(queries.items(a, later, home=queries.WHOLE_SERVICE)) == {}
        assert _statuses_of(queries.items(a, later, area="notifications")) == {in_a: ex.OVERDUE}
        assert _statuses_of(queries.items(a, later, area="fire")) == {}
        window = (now - timedelta(days=1), now + timedelta(days=1))
        assert _statuses_of(queries.items(a, later, person=ra, window=window)) == {in_a: ex.OVERDUE}
        assert _statuses_of(queries.items(b, now, person=rb, window=window)) == {in_b: ex.DUE_SOON}
        assert _statuses_of(queries.items(b, now, person=ra, window=window)) == {}
        assert _statuses_of(queries.items(b, now, person=rb, window=(later, later + timedelta(days=1)))) == {}


def test_the_exports_answer_for_the_person_and_the_period_they_are_run_with(app, world, two_managers):
    now, manager_a, manager_b, in_a, in_b, (registered_a, registered_b) = two_managers
    with app.app_context():
        b = db.session.get(User, manager_b)
        ra, rb = db.session.get(User, registered_a), db.session.get(User, registered_b)
        window = (now - timedelta(days=1), now + timedelta(days=1))

        def exported(person, period):
            return [row[0] for row in queries.obligation_rows(b, now, person=person, window=period)
                    if row[4] == "incident_ntk_service_manager"]
        assert exported(rb, window) == [in_b]
        assert exported(ra, window) == []  # A's manager answers for nothing in B's homes
        assert exported(rb, (now + timedelta(days=2), now + timedelta(days=3))) == []
        assert exported(None, None) == [in_b]
        assert list(queries.alert_rows(b, person=rb, window=window)) == []  # no alert raised yet
