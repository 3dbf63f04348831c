"""What is due (a home's page, the whole-service page) is read by statements built once per shape
and role and run with the home and the instants bound (issue 13): they must answer for the home,
the instant and the role they are run with."""
from __future__ import annotations

from datetime import timedelta

import pytest

from homes_qa.core.qpag import meeting_month, previous_month
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations import queries
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.timestamps import utcnow
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")


def _made(app, world) -> dict[str, int]:
    now = utcnow()
    with app.app_context(), acting_as("test"):
        homes = {"a": db.session.get(Home, world.home_a.id), "b": db.session.get(Home, world.home_b.id)}
        made = {name: obligations.obligation_for_event("incident_ntk_service_manager", homes[name[0]],
                                                       now - timedelta(hours=1), key=f"due:{name}")
                for name in ("a", "a_hidden", "a_met", "b")}
        made["service"] = obligations.obligation_for_period(
            "qpag_report_monthly", None, meeting_month(previous_month(test_clock.TODAY)).first)
        made["a_hidden"].hidden_from_home_staff = True
        made["a_met"].status, made["a_met"].met_at = ObligationStatus.MET, now - timedelta(days=1)
        db.session.commit()
        return {name: obligation.id for name, obligation in made.items()}


def _ids(due: queries.WhatIsDue) -> tuple[set[int], set[int]]:
    return {row.obligation.id for row in due.open}, {row.obligation.id for row in due.met}


def test_what_is_due_answers_for_the_home_the_instant_and_the_role(app, world):
    made = _made(app, world)
    with app.app_context():
        now = utcnow()
        manager = db.session.get(User, world.users[Role.SERVICE_MANAGER].id)
        staff = db.session.get(User, world.users[Role.HOME_STAFF].id)
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        for _ in range(2):  # built the first time round, kept the second
            open_a, met_a = _ids(queries.what_is_due(world.home_a.id, now, manager))
            assert {made["a"], made["a_hidden"]} <= open_a and made["b"] not in open_a
            assert made["service"] not in open_a and met_a == {made["a_met"]}
            open_b, _ = _ids(queries.what_is_due(world.home_b.id, now, head))
            assert made["b"] in open_b and not {made["a"], made["a_hidden"]} & open_b
            staff_a, _ = _ids(queries.what_is_due(world.home_a.id, now, staff))
            assert made["a"] in staff_a and made["a_hidden"] not in staff_a  # hidden from home staff
            whole, _ = _ids(queries.what_is_due(None, now, manager))
            assert made["service"] in whole and not {made["a"], made["b"]} & whole
            # Long before: beyond the horizon. Long after: no longer recently met.
            assert made["a"] not in _ids(queries.what_is_due(world.home_a.id, now - timedelta(days=200), manager))[0]
            assert _ids(queries.what_is_due(world.home_a.id, now + timedelta(days=40), manager))[1] == set()
        assert queries._what_is_due_statements(False, Role.HOME_STAFF) is not queries._what_is_due_statements(
            False, Role.SERVICE_MANAGER)
        assert db.session.get(Obligation, made["a_hidden"]).hidden_from_home_staff
