"""Each open obligation is tested for an escalation alert, several times in every work list and
in the exceptions grid. That test must read the escalations' range of `ix_alerts_escalated`
(migration 0028), not scan every alert of the estate: a registered manager's first page, about
one home, spent 8 ms on such scans at 1,000 homes (issue 13)."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from homes_qa.core.roles import Role
from homes_qa.exceptions import queries
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert, is_escalation

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _plan(statement, bound: dict[str, object] | None = None) -> list[str]:
    compiled = statement.compile(db.engine, compile_kwargs={"render_postcompile": True})
    sql = str(compiled)
    values = compiled.construct_params(bound or {})
    parameters = [values.get(name) for name in compiled.positiontup]
    parameters = [value.value if hasattr(value, "value") else value for value in parameters]
    parameters = [value.isoformat(" ") if isinstance(value, datetime) else value for value in parameters]
    return [row[3] for row in db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}",
                                                                       tuple(parameters))]


def _alert_steps(plan: list[str]) -> list[str]:
    return [step for step in plan if " alerts " in f" {step} "]


def test_the_escalations_are_a_range_of_their_index(app):
    with app.app_context():
        steps = _alert_steps(_plan(select(Alert.obligation_id).where(is_escalation())))
        assert steps and all("ix_alerts_escalated" in step and step.startswith("SEARCH") for step in steps), steps


def test_work_lists_and_grid_never_scan_every_alert(app):
    with app.app_context():
        db.session.execute(text("ANALYZE"))
        values = (7, 28)
        _names, work = queries._my_work_statement(Role.REGISTERED_MANAGER, True, False, values)
        grid = queries._grid_statements(Role.HEAD_OF_SERVICE, None, False, "all", False, True, values).page
        for statement in (work, grid):
            steps = _alert_steps(_plan(statement, _parameters(values)))
            assert steps, "the statement tests for escalations"
            assert not [step for step in steps if step.startswith("SCAN")], steps


def _parameters(values) -> dict[str, object]:
    return {**queries._clock(NOW, values), "viewer_id": 1, "limit": 10, "offset": 0, "home": None,
            "area_rule_ids": [], "person_id": None, "window_start": NOW, "window_end": NOW}


def test_a_grid_page_s_cells_seek_each_obligation_s_escalation(app):
    """The cells of the homes on one page of the grid (a few hundred obligations) test each
    obligation's escalation with a seek on (obligation, level): asked as IN (every escalation of
    the estate), the list was built for them on every look (1,000 homes: 4 ms of the grid's 9.7)."""
    with app.app_context():
        db.session.execute(text("ANALYZE"))
        values = (7, 28)
        # The head of service's grid as it is read: the kept counts (whose few terms seek too), then
        # the page's cells.
        grid = queries._grid_statements(Role.HEAD_OF_SERVICE, None, False, "all", False, True, values, True).page
        steps = _alert_steps(_plan(grid, {**_parameters(values), **queries._fresh(NOW)}))
        assert steps and not [step for step in steps if "ix_alerts_escalated" in step], steps
