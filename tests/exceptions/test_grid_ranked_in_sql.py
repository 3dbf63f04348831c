"""The exceptions grid ranks its rows in SQL and reads only the page's cells (issue 13): its
counts must still agree, home by home, with the items behind them, and its order with the
rule "most escalated, then overdue, then due soon, then by name"."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from homes_qa.core import exceptions as ex
from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.extensions import db
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.timestamps import utcnow

pytestmark = pytest.mark.usefixtures("clock")
RULE = "incident_ntk_service_manager"  # a notification: 24 h after awareness


def _notifications(home: Home, ages: list[timedelta], prefix: str) -> list[int]:
    now = utcnow()
    made = [obligations.obligation_for_event(RULE, home, now - age, key=f"{prefix}:{home.id}:{n}")
            for n, age in enumerate(ages)]
    db.session.flush()
    return [m.id for m in made]


def _estate(app, world) -> list[int]:
    """Seven homes besides the world's two, with mixes chosen so every tie-break is used: the
    same escalated count with more or fewer overdue, the same counts ordered by name, nothing."""
    escalated, overdue, soon = timedelta(days=10), timedelta(hours=26), timedelta(hours=1)
    mixes = {"Elm": [escalated, overdue], "Ash": [escalated, overdue, overdue], "Yew": [overdue, soon],
             "Oak": [overdue, soon], "Fir": [soon], "Box": [], "Gum": [escalated]}
    with app.app_context(), acting_as("test"):
        ids = []
        for n, (name, ages) in enumerate(mixes.items()):
            home = people.create_home(name=f"{name} House", ofsted_urn=f"SC91{n:04d}", address="1 Road", registered_places=2)
            _notifications(home, ages, name)
            ids.append(home.id)
        db.session.commit()
        alerts.sweep(utcnow())
    return ids


def _head(world) -> User:
    return db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)


def test_grid_counts_agree_with_the_items_and_rank_in_order_on_every_page(app, world):
    _estate(app, world)
    with app.test_request_context():
        head, now = _head(world), utcnow()
        whole = queries.grid(head, now)
        rows = [(r.key, r.name, r.total) for r in whole.rows]
        assert whole.row_count == len(rows) == db.session.query(Home).count() + 1  # and the whole service
        for key, _name, total in rows:  # each row's counts are its items'
            items = queries.items(head, now, home=key)
            assert (total.escalated, total.overdue, total.due_soon) == tuple(
                sum(1 for i in items if i.status == s) for s in (ex.ESCALATED, ex.OVERDUE, ex.DUE_SOON))
        expected = sorted(rows, key=lambda r: (*r[2].rank(), r[0] == queries.WHOLE_SERVICE, r[1]))
        assert [r[0] for r in rows] == [r[0] for r in expected]
        names = [r[1] for r in rows]
        assert names[:2] == ["Ash House", "Elm House"]  # 1 escalated each: more overdue first
        assert names.index("Oak House") < names.index("Yew House")  # the same counts: by name
        pages = [queries.grid(head, now, offset=o, limit=3) for o in range(0, len(rows), 3)]
        assert [r.key for p in pages for r in p.rows] == [r[0] for r in rows]
        assert all(p.row_count == len(rows) for p in pages)
        assert [r.cells for p in pages for r in p.rows] == [r.cells for r in whole.rows]
        past = queries.grid(head, now, offset=999, limit=3)  # past the end: the last page
        assert past.offset == (len(rows) - 1) // 3 * 3 and [r.key for r in past.rows] == [r.key for r in pages[-1].rows]


def test_an_escalated_item_counts_once_as_escalated_even_after_its_deadline_moves(app, world):
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        (escalated,) = _notifications(home, [timedelta(days=10)], "moved")
        db.session.commit()
        alerts.sweep(utcnow())
    with app.app_context(), acting_as("test"):
        obligation = db.session.get(Obligation, escalated)
        obligation.due_at = utcnow() + timedelta(hours=2)  # due soon by its deadline, escalated by its alerts
        db.session.commit()
    with app.test_request_context():
        head, now = _head(world), utcnow()
        items = queries.items(head, now, home=world.home_a.id)
        assert [i.status for i in items if i.obligation.id == escalated] == [ex.ESCALATED]
        row = next(r for r in queries.grid(head, now).rows if r.key == world.home_a.id)
        assert row.total.escalated == 1
        assert (row.total.overdue, row.total.due_soon) == (
            sum(1 for i in items if i.status == ex.OVERDUE), sum(1 for i in items if i.status == ex.DUE_SOON))


def test_a_retired_rules_area_keeps_its_column_while_it_has_open_items(app, world):
    with app.app_context(), acting_as("test"):
        _notifications(db.session.get(Home, world.home_a.id), [timedelta(hours=26)], "retired")
        rule = db.session.scalar(select(Rule).where(Rule.code == RULE))
        rule.active, rule.area = False, "retired_area"
        db.session.commit()
    with app.test_request_context():
        grid = queries.grid(_head(world), utcnow())
        assert "retired_area" in grid.areas
        row = next(r for r in grid.rows if r.key == world.home_a.id)
        assert row.cells["retired_area"].overdue == 1
        assert "retired_area" not in queries.grid(_head(world), utcnow(), area="notifications").areas
