"""Whether an obligation is escalated is asked one way for someone who sees every home (IN the
escalated obligations) and another for someone with a few homes (a seek per obligation, issue
13): both must classify every obligation the same, and the first pages and grid must agree."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import sync_catalogue

pytestmark = pytest.mark.usefixtures("clock")
AT = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the autumn clock change
# (home, due in hours from AT, the alert levels raised)
specs = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(-24 * 20, 24 * 40),
                           st.sets(st.integers(0, 4), max_size=3)), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=specs)
def test_both_ways_of_asking_classify_alike(app, world, made):
    homes = {"a": world.home_a.id, "b": world.home_b.id}
    with app.app_context(), acting_as("test"):
        db.session.execute(delete(Alert))
        db.session.execute(delete(Obligation))
        db.session.commit()
        sync_catalogue()
        rule = db.session.scalar(select(Rule).where(Rule.code == "gas_safety_check"))
        for n, (home, hours, levels) in enumerate(made):
            obligation = Obligation(
                rule_id=rule.id, rule_code=rule.code, home_id=homes[home], scope_key=f"home:{homes[home]}",
                period_key=f"e{n}", title=f"t{n}", due_at=AT + timedelta(hours=hours),
                responsible_role=rule.responsible_role, ladder=list(rule.ladder), status=ObligationStatus.OPEN)
            db.session.add(obligation)
            db.session.flush()
            for level in levels:
                db.session.add(Alert(obligation_id=obligation.id, level=level, home_id=homes[home],
                                     target_role=Role.SERVICE_MANAGER, raised_at=AT, reached_at=AT))
        db.session.commit()
        values = (7,)
        clock = queries._clock(AT, values)
        seen = {}
        for role in (None, Role.REGISTERED_MANAGER, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
            column = queries._status_bound(values, role)
            seen[role] = dict(db.session.execute(select(Obligation.id, column).order_by(Obligation.id), clock).all())
        assert seen[Role.REGISTERED_MANAGER] == seen[Role.SERVICE_MANAGER] == seen[Role.HEAD_OF_SERVICE] == seen[None]
        escalated = {o for o, levels in zip(sorted(seen[None]), [m[2] for m in made], strict=True) if max(levels, default=-1) >= 2}
        assert {o for o, status in seen[None].items() if status == "escalated"} == escalated
