"""The KPI page's "missed in a row" and "actions overdue at the month's end" read only what can
count (issue 13: each missed deadline tested for a later met one by one seek; overdue actions as
the open ones and those met after the month's end). Both must agree with the plain reading of
every deadline, whatever the history: statuses, waivers, ties on the due instant, deadlines
either side of the month's end and of the year's lookback, months before "now"."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from homes_qa.core import kpis as kpi_core
from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import User
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import sync_catalogue

pytestmark = pytest.mark.usefixtures("clock")

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MONTH_ENDS = [datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)]
RULES = ("incident_ntk_service_manager", "fire_safety_monthly", "action_complete", "qpag_action_complete")
STATUSES = (ObligationStatus.OPEN, ObligationStatus.MET, ObligationStatus.MET_LATE, ObligationStatus.WAIVED)

# (home, rule, due in hours from the month's end (either side of it and of the lookback), status,
#  hours from due to met (for met: before or at due; met late: after))
hours = st.one_of(st.integers(-400 * 24, 30 * 24), st.sampled_from([-366 * 24, -366 * 24 + 1, -1, 0, 1]))
specs = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(RULES), hours, st.sampled_from(STATUSES),
                           st.integers(1, 40 * 24)), min_size=1, max_size=16)


def _reference_misses(rows, until):
    """The reading the page made before: every deadline of the year, in (due, id) order."""
    series, titles = {}, {}
    for row in sorted(rows, key=lambda r: (r["home_id"], r["rule_code"], r["due_at"], r["id"])):
        if row["status"] == ObligationStatus.WAIVED or not (until - queries.MISSES_LOOKBACK <= row["due_at"] < until):
            continue
        met_at = row["met_at"]
        titles[row["rule_code"]] = row["title"]
        series.setdefault((row["home_id"], row["rule_code"]), []).append(
            met_at is None or met_at > row["due_at"] or met_at > until)
    result = {}
    for (home_id, code), missed in series.items():
        count = kpi_core.consecutive_misses(missed)
        if count and (home_id not in result or count > result[home_id][0]):
            result[home_id] = (count, titles[code])
    return result


def _reference_overdue(rows, until, action_codes):
    counts = {}
    for row in rows:
        if (row["rule_code"] in action_codes and row["status"] != ObligationStatus.WAIVED and row["due_at"] < until
                and (row["met_at"] is None or row["met_at"] > until)):
            counts[row["home_id"]] = counts.get(row["home_id"], 0) + 1
    return counts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=specs, month_end=st.sampled_from(MONTH_ENDS), tie=st.booleans())
def test_missed_in_a_row_and_overdue_actions_agree_with_reading_everything(app, world, made, month_end, tie):
    homes = {"a": world.home_a.id, "b": world.home_b.id}
    with app.app_context(), acting_as("test"):
        db.session.execute(delete(Obligation))
        db.session.commit()
        sync_catalogue()
        rules = {r.code: r for r in db.session.scalars(select(Rule).where(Rule.code.in_(RULES)))}
        rows = []
        for n, (home, code, offset, status, late) in enumerate(made):
            # `tie`: every deadline on one of two instants, so the (due, id) order decides runs
            due = month_end + timedelta(hours=(offset % 2) - 3 if tie else offset)
            met_at = None if status == ObligationStatus.OPEN else (
                due + timedelta(hours=late) if status == ObligationStatus.MET_LATE else due - timedelta(hours=late))
            if met_at is not None and met_at > NOW:
                status, met_at = ObligationStatus.OPEN, None  # nothing is met after "now"
            rule = rules[code]
            obligation = Obligation(
                rule_id=rule.id, rule_code=code, home_id=homes[home], scope_key=f"home:{homes[home]}",
                period_key=f"p{n}", title=f"t{n}", due_at=due, responsible_role=rule.responsible_role,
                ladder=list(rule.ladder), status=status, met_at=met_at)
            db.session.add(obligation)
            db.session.flush()
            rows.append({"id": obligation.id, "home_id": homes[home], "rule_code": code, "title": rule.title,
                         "due_at": due, "status": status, "met_at": met_at})
        db.session.commit()
        head = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        until = min(month_end, NOW)
        found = {home: (m.count, m.rule_title) for home, m in queries.consecutive_misses(head, NOW, month_end).items()}
        assert found == _reference_misses(rows, until)
        action_codes = {code for code, rule in rules.items() if rule.area == queries.ACTIONS_AREA}
        start = (month_end - timedelta(days=1)).replace(day=1)
        kpis = {k.key: k.actions_overdue for k in queries.monthly_kpis(head, NOW, start, month_end)}
        expected = _reference_overdue(rows, until, action_codes)
        assert {home: n for home, n in kpis.items() if n} == expected
