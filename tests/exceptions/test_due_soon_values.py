"""The warning periods someone who sees every home has their open work classified with are read
one seek per period (a recursive "next value above the last" on ix_obligations_open_warning,
migration 0037), not by a DISTINCT over every open obligation (issue 13). They must be exactly
the distinct `due_soon_days` of the open obligations due by the horizon: a period missed would
count an item due soon as upcoming."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text

from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import sync_catalogue

AT = datetime(2026, 10, 24, 23, 10, tzinfo=UTC)
HORIZON_DAYS = queries.HORIZON // timedelta(days=1)

# (due in days from AT, either side of the horizon; warning days; open or met; in a home or not)
obligation_specs = st.lists(st.tuples(st.integers(-40, HORIZON_DAYS + 40), st.sampled_from([0, 1, 3, 7, 14, 30, 90]),
                                      st.booleans(), st.booleans()), max_size=25)


def _rule() -> Rule:
    sync_catalogue()
    return db.session.scalars(select(Rule).where(Rule.scope == "home").order_by(Rule.code)).first()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=obligation_specs, extra_minutes=st.integers(-90, 90))
def test_every_warning_period_of_the_open_work_in_scope_and_no_other(app, world, specs, extra_minutes):
    with app.app_context(), acting_as("test"):
        db.session.execute(delete(Obligation))
        rule = _rule()
        for n, (days, warning, is_open, in_home) in enumerate(specs):
            db.session.add(Obligation(
                rule_id=rule.id, rule_code=rule.code, home_id=world.home_a.id if in_home else None,
                scope_key=f"home:{world.home_a.id}" if in_home else "organisation", period_key=f"p{n}",
                title=f"Test {n}", due_at=AT + timedelta(days=days, minutes=extra_minutes),
                responsible_role=rule.responsible_role, ladder=list(rule.ladder), due_soon_days=warning,
                status=ObligationStatus.OPEN if is_open else ObligationStatus.MET))
        db.session.commit()
        expected = tuple(sorted({warning for days, warning, is_open, _home in specs if is_open
                                 and AT + timedelta(days=days, minutes=extra_minutes) <= AT + queries.HORIZON}))
        for role in (Role.HEAD_OF_SERVICE, Role.ADMIN):
            assert queries.due_soon_values_at(role, AT) == expected, role


def test_the_periods_are_seeks_of_their_index_not_a_read_of_every_open_obligation(app):
    with app.app_context():
        db.session.execute(text("ANALYZE"))
        statement = queries._due_soon_values_statement(Role.HEAD_OF_SERVICE)
        compiled = statement.compile(db.engine)
        values = compiled.construct_params(queries._clock(AT))
        parameters = tuple(v.isoformat(" ") if isinstance(v, datetime) else v
                           for v in (values.get(name) for name in compiled.positiontup))
        plan = [row[3] for row in db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", parameters)]
        reads = [step for step in plan if "obligations" in step]
        assert reads and all("ix_obligations_open_warning" in step and step.startswith("SEARCH") for step in reads), plan
