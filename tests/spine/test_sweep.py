"""The drift sweep against the migrated SQLite schema: exactly once, downtime, bad records, dry run.

Time is passed in (`sweep(now)`); nothing here sleeps. T is Thu 3 Dec 2026, 09:00 UTC (= London).
"""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from homes_qa import create_app
from homes_qa.core.drift import alerts_due
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.alerts.service import sweep
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.mail.models import OutboundEmail
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.obligations.service import discharge, obligation_for_event
from homes_qa.spine.people.models import Home
from homes_qa.spine.rules import service as rules_service
from homes_qa.spine.rules.models import Rule
from tests.helpers import statements_run

T = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
INCIDENT_AWARE = T - timedelta(hours=25)  # need-to-know due T - 1 h: due soon and overdue at T


# ---------------------------------------------------------------- helpers

def _need_to_know(app, home_id: int, key: str, aware_at: datetime = INCIDENT_AWARE) -> int:
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, home_id)
        return obligation_for_event("incident_ntk_service_manager", home, aware_at, key=key).id


def _action(app, home_id: int, key: str, target: date) -> int:
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, home_id)
        return obligation_for_event("action_complete", home, T - timedelta(days=1), key=key, target=target).id


def _sweep(app, now: datetime, **kwargs):
    with app.app_context(), acting_as("scheduler"):
        result = sweep(now, **kwargs)
        return result, [(a.obligation_id, a.level) for a in result.raised]


def _alert_keys(app) -> list[tuple[int, int]]:
    with app.app_context():
        return sorted(tuple(row) for row in db.session.execute(select(Alert.obligation_id, Alert.level)))


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Obligation, Alert, AuditEvent, OutboundEmail, Rule)}


def _expected_alerts(app, now: datetime) -> set[tuple[int, int]]:
    """Every (obligation, level) the core says `now` has reached, for the open obligations."""
    with app.app_context():
        return {(o.id, level) for o in db.session.scalars(
                    select(Obligation).where(Obligation.status == ObligationStatus.OPEN))
                for level in alerts_due(o.due_at, now, o.ladder_value, o.due_soon_days)}


def _restarted(app):
    """A new application object on the same database file: what a process restart gives."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "INSTANCE_PATH": app.instance_path})


# ---------------------------------------------------------------- exactly once

def test_alerts_are_raised_exactly_once_across_sweeps_and_a_restart(app, world):
    ntk = _need_to_know(app, world.home_a.id, "incident:1")

    first, raised = _sweep(app, T)
    assert (ntk, 0) in raised and (ntk, 1) in raised
    assert len(raised) == len(set(raised))
    assert _alert_keys(app) == sorted(raised)
    assert set(raised) == _expected_alerts(app, T)
    assert first.examined > 0 and first.obligations_created > 0 and first.errors == []

    # The same instant again, and a minute later: nothing new.
    for now in (T, T + timedelta(minutes=1)):
        again, raised_again = _sweep(app, now)
        assert raised_again == [] and again.obligations_created == 0 and again.errors == []
    assert _alert_keys(app) == sorted(raised)

    # A restart is a new app object on the same file: it raises nothing already raised.
    restarted = _restarted(app)
    try:
        _, after_restart = _sweep(restarted, T + timedelta(minutes=2))
        assert after_restart == []
        # Later, only what newly became due, once.
        later = T + timedelta(days=2)
        _, raised_later = _sweep(restarted, later)
        _, raised_later_again = _sweep(restarted, later)
        assert raised_later and raised_later_again == []
        assert not set(raised_later) & set(raised)
        keys = _alert_keys(restarted)
        assert len(keys) == len(set(keys)) == len(raised) + len(raised_later)
        assert set(keys) == _expected_alerts(restarted, later)
    finally:
        with restarted.app_context():
            db.engine.dispose()


def test_after_downtime_each_newly_reached_level_is_raised_once_including_skipped_levels(app, world):
    # An action due Fri 11 Dec (end of day): at T nothing yet (due soon only from the end of
    # Fri 4 Dec); ten days later it is both due soon and overdue, levels never seen on the way.
    action = _action(app, world.home_a.id, "action:1", date(2026, 12, 11))
    ntk = _need_to_know(app, world.home_b.id, "incident:2")

    _, before = _sweep(app, T)
    assert not [key for key in before if key[0] == action]
    assert {(ntk, 0), (ntk, 1)} <= set(before)

    later = T + timedelta(days=10)  # Sun 13 Dec 2026: the scheduler was down in between
    result, after = _sweep(app, later)
    assert result.errors == []
    assert not set(after) & set(before), "a level raised before was raised again"
    assert len(after) == len(set(after))
    # Exactly what became due in the gap: the core's answer at `later` minus what was raised.
    assert set(after) == _expected_alerts(app, later) - set(before)
    action_levels = sorted(level for obligation_id, level in after if obligation_id == action)
    with app.app_context():
        obligation = db.session.get(Obligation, action)
        assert action_levels == alerts_due(obligation.due_at, later, obligation.ladder_value,
                                           obligation.due_soon_days)
    assert action_levels[:2] == [0, 1]  # the skipped "due soon" level is raised too
    # The need-to-know escalated twice in the gap (1 and 2 working days after due).
    assert {(ntk, 2), (ntk, 3)} <= set(after)

    _, once_more = _sweep(app, later + timedelta(minutes=5))
    assert once_more == []
    keys = _alert_keys(app)
    assert len(keys) == len(set(keys)) == len(before) + len(after)
    with app.app_context():
        reached = {a.level: a.reached_at for a in db.session.scalars(select(Alert).where(Alert.obligation_id == action))}
        raised_at = {a.raised_at for a in db.session.scalars(select(Alert).where(Alert.obligation_id == action))}
    assert raised_at == {later}
    assert all(at < later for at in reached.values())  # reached during the downtime


def test_a_met_obligation_raises_nothing(app, world):
    met = _need_to_know(app, world.home_a.id, "incident:met")
    still_open = _need_to_know(app, world.home_a.id, "incident:open")
    with app.app_context(), acting_as("test"):
        discharge(db.session.get(Obligation, met), met_at=INCIDENT_AWARE + timedelta(hours=2))
        db.session.commit()

    _, raised = _sweep(app, T)
    _, raised_later = _sweep(app, T + timedelta(days=10))
    assert (still_open, 1) in raised
    assert [key for key in raised + raised_later if key[0] == met] == []
    assert [key for key in _alert_keys(app) if key[0] == met] == []


# ---------------------------------------------------------------- damaged data

def test_one_bad_record_is_logged_and_skipped_while_the_others_are_raised(app, world, caplog):
    bad = _need_to_know(app, world.home_a.id, "incident:bad")
    bad_string = _need_to_know(app, world.home_a.id, "incident:bad-string")
    good = _need_to_know(app, world.home_b.id, "incident:good")
    with app.app_context():
        db.session.execute(text("UPDATE obligations SET ladder = '[]' WHERE id = :id"), {"id": bad})
        db.session.execute(text("""UPDATE obligations SET ladder = '"x"' WHERE id = :id"""), {"id": bad_string})
        db.session.commit()

    caplog.set_level(logging.ERROR, logger="homes_qa.sweep")
    result, raised = _sweep(app, T)

    assert {(good, 0), (good, 1)} <= set(raised)
    assert not [key for key in raised if key[0] in (bad, bad_string)]
    assert len(result.errors) == 2
    assert any(f"obligation {bad}:" in error for error in result.errors)
    assert any(f"obligation {bad_string}:" in error for error in result.errors)
    logged = [r.getMessage() for r in caplog.records if r.name == "homes_qa.sweep" and r.levelno >= logging.ERROR]
    assert any(f"obligation {bad}:" in message for message in logged)
    assert any(f"obligation {bad_string}:" in message for message in logged)
    keys = _alert_keys(app)
    assert not [key for key in keys if key[0] in (bad, bad_string)]
    assert (good, 1) in keys  # committed, not rolled back with the bad ones


# ---------------------------------------------------------------- dry run

def test_dry_run_writes_nothing_and_predicts_the_real_sweep(app, world):
    _need_to_know(app, world.home_a.id, "incident:1")
    before = _counts(app)

    dry, _ = _sweep(app, T, dry_run=True)
    assert dry.dry_run and dry.raised and dry.obligations_created > 0
    assert _counts(app) == before

    real, _ = _sweep(app, T)

    def what(result):
        return sorted((a.home, a.rule, a.due_at, a.level, a.target_role) for a in result.raised)

    assert what(real) == what(dry)
    assert real.obligations_created == dry.obligations_created
    assert _counts(app)["Alert"] == before["Alert"] + len(real.raised)


def test_a_dry_run_after_a_real_sweep_writes_nothing(app, world):
    """The dry run's only writes were its alerts, each batch's inserted in a savepoint: SQLite's
    driver began no transaction before the SAVEPOINT, so its RELEASE committed them (issue 13)."""
    _sweep(app, T)  # this period's obligations made
    _need_to_know(app, world.home_a.id, "incident:1")  # due soon and overdue: nothing else to write
    before = _counts(app)

    dry, _ = _sweep(app, T, dry_run=True)
    assert dry.raised and dry.obligations_created == 0
    assert _counts(app) == before


def test_what_a_batch_raised_is_rolled_back_with_the_batch(app, world, monkeypatch):
    """A batch is one transaction: its alerts are not kept when a later statement of it fails."""
    from homes_qa.spine.alerts import service as alert_service
    _sweep(app, T)
    _need_to_know(app, world.home_a.id, "incident:1")
    before = _alert_keys(app)

    def fails(*args, **kwargs):
        raise RuntimeError("the disk is full")
    monkeypatch.setattr(alert_service, "next_alert_after", fails)
    with pytest.raises(RuntimeError, match="disk is full"):
        _sweep(app, T)
    assert _alert_keys(app) == before


def test_a_period_turn_looks_the_streams_up_by_their_key(app, world):
    """When a period turns the sweep asks which of the next period's obligations exist already:
    by the unique key's index, one lookup each. A row-value IN (`(rule, scope, period) IN
    (VALUES …)`) made SQLite walk the whole index: 55 ms a chunk at 100 homes × 5 years, a
    sixth of a month's turn (issue 13)."""
    _sweep(app, T)
    with statements_run(app, with_parameters=True) as seen:
        turned, _ = _sweep(app, datetime(2027, 1, 1, 0, 2, tzinfo=UTC))
    assert turned.obligations_created > 0
    looked_up = [(statement, parameters) for statement, parameters in seen
                 if statement.startswith("SELECT obligations.rule_code, obligations.scope_key, obligations.period_key")]
    assert looked_up
    with app.app_context():
        for statement, parameters in looked_up:
            plan = [row[3] for row in db.session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters)]
            assert any(step.startswith("SEARCH obligations") for step in plan), plan
            assert not any(step.startswith("SCAN obligations") for step in plan), plan


# ---------------------------------------------------------------- rule edits

def test_a_rule_edit_applies_to_new_obligations_and_never_moves_existing_deadlines(app, world):
    old = _need_to_know(app, world.home_a.id, "incident:old", aware_at=T - timedelta(hours=2))
    _sweep(app, T)  # makes this month's and next month's calendar obligations
    with app.app_context():
        old_due = db.session.get(Obligation, old).due_at
        visits_before = {o.period_key: (o.due_at, o.ladder, o.due_soon_days) for o in db.session.scalars(
            select(Obligation).where(Obligation.rule_code == "reg44_visit",
                                     Obligation.home_id == world.home_a.id))}
    assert old_due == T + timedelta(hours=22)
    assert set(visits_before) == {"2026-12", "2027-01"}

    with app.app_context(), acting_as("test admin"):
        need_to_know = rules_service.rule_by_code("incident_ntk_service_manager")
        rules_service.update_rule(need_to_know, timing={"kind": "elapsed_hours", "amount": 48},
                                  ladder=need_to_know.ladder, due_soon_days=3, active=True, due_soon_hours=6)
        visit = rules_service.rule_by_code("reg44_visit")
        new_ladder = [dict(step, after_working_days=step["after_working_days"] + 1) if step["level"] > 1 else step
                      for step in visit.ladder]
        rules_service.update_rule(visit, timing=visit.timing, ladder=new_ladder, due_soon_days=10, active=True)

    new = _need_to_know(app, world.home_a.id, "incident:new", aware_at=T)
    later = T + timedelta(days=40)  # Tue 12 Jan 2027: February's visit obligation is made now
    _sweep(app, later)
    with app.app_context():
        old_obligation = db.session.get(Obligation, old)
        new_obligation = db.session.get(Obligation, new)
        assert old_obligation.due_at == old_due
        assert old_obligation.due_soon_days == 7
        assert new_obligation.due_at == T + timedelta(hours=48)
        assert new_obligation.due_soon_days == 3
        visits = {o.period_key: (o.due_at, o.ladder, o.due_soon_days) for o in db.session.scalars(
            select(Obligation).where(Obligation.rule_code == "reg44_visit",
                                     Obligation.home_id == world.home_a.id))}
    for key, value in visits_before.items():
        assert visits[key] == value  # unchanged: deadline, ladder and warning as made
    assert visits["2027-02"][1] == new_ladder and visits["2027-02"][2] == 10


# ---------------------------------------------------------------- only what is due is looked at

def _statements(app, fn):
    with statements_run(app) as seen:
        fn()
    return seen


def test_a_steady_sweep_looks_only_at_obligations_whose_next_alert_has_come(app, world):
    from homes_qa.core.drift import alert_times
    ntk = _need_to_know(app, world.home_a.id, "incident:1", aware_at=T)  # due T + 24 h
    first, _ = _sweep(app, T)
    assert first.examined > 1  # everything new is worked out once
    with app.app_context():
        obligation = db.session.get(Obligation, ntk)
        times = alert_times(obligation.due_at, obligation.ladder_value, obligation.due_soon_days,
                            obligation.due_soon_hours)
        assert obligation.next_alert_at == min(times.values())

    steady, raised = _sweep(app, T + timedelta(minutes=30))
    assert (steady.examined, raised) == (0, [])  # nothing reaches a level in that half hour

    at_due_soon, raised = _sweep(app, times[0] + timedelta(minutes=1))
    assert raised == [(ntk, 0)] and at_due_soon.examined == 1
    overdue, raised = _sweep(app, times[1] + timedelta(minutes=1))
    assert raised == [(ntk, 1)] and overdue.examined == 1
    assert _alert_keys(app) == sorted(_expected_alerts(app, times[1] + timedelta(minutes=1)))


def test_moving_a_deadline_sends_the_obligation_back_to_the_sweep(app, world):
    action = _action(app, world.home_a.id, "action:1", target=date(2027, 3, 31))
    _sweep(app, T)
    assert [key for key in _alert_keys(app) if key[0] == action] == []
    with app.app_context(), acting_as("test"):
        from homes_qa.spine.obligations.service import move_due
        move_due(db.session.get(Obligation, action), T - timedelta(days=1))  # now overdue
        db.session.commit()

    steady, raised = _sweep(app, T + timedelta(minutes=5))
    assert {(action, 0), (action, 1)} <= set(raised) and steady.examined == 1


def test_a_record_mended_by_hand_in_sql_is_looked_at_once_its_next_alert_is_reset(app, world):
    # What an operator repairing a snapshot with SQL must do (the ORM does it on its own).
    ntk = _need_to_know(app, world.home_a.id, "incident:1", aware_at=T)
    _sweep(app, T)
    with app.app_context():
        db.session.execute(text("UPDATE obligations SET due_at = :due, next_alert_at = '1970-01-01 00:00:00' "
                                "WHERE id = :id"), {"id": ntk, "due": (T - timedelta(hours=2)).replace(tzinfo=None)})
        db.session.commit()
    _, raised = _sweep(app, T + timedelta(minutes=5))
    assert {(ntk, 0), (ntk, 1)} <= set(raised)


def _more_homes(app, n: int) -> None:
    from homes_qa.spine.people import service as people
    with app.app_context(), acting_as("test setup"):
        for i in range(n):
            people.create_home(name=f"Home {i:03d}", ofsted_urn=f"SC8{i:05d}", address=f"{i} Road", registered_places=3)


def test_a_steady_sweep_runs_the_same_statements_for_two_homes_or_twenty_two(app, world, tmp_path):
    _sweep(app, T)
    few = _statements(app, lambda: _sweep(app, T + timedelta(hours=1)))

    _more_homes(app, 20)
    _sweep(app, T + timedelta(hours=2))  # the new homes' streams are made (the homes changed)
    many = _statements(app, lambda: _sweep(app, T + timedelta(hours=3)))
    assert len(many) == len(few)
    assert not any("GROUP BY" in statement for statement in many)  # no look at every stream


def test_a_home_opened_mid_period_gets_its_calendar_obligations_at_the_next_sweep(app, world):
    _sweep(app, T)
    _more_homes(app, 1)
    result, _ = _sweep(app, T + timedelta(hours=1))
    with app.app_context():
        home = db.session.scalar(select(Home).where(Home.name == "Home 000"))
        visits = set(db.session.scalars(select(Obligation.period_key).where(
            Obligation.rule_code == "reg44_visit", Obligation.home_id == home.id)))
        home_a_rules = set(db.session.scalars(select(Obligation.rule_code).where(
            Obligation.home_id == world.home_a.id, Obligation.period_key.in_(["2026-12", "2027-01"]))))
        new_rules = set(db.session.scalars(select(Obligation.rule_code).where(
            Obligation.home_id == home.id, Obligation.period_key.in_(["2026-12", "2027-01"]))))
    assert visits == {"2026-12", "2027-01"}
    assert new_rules == home_a_rules and result.obligations_created >= len(new_rules)


def test_a_new_period_is_made_when_it_turns_and_a_rule_edit_is_made_for_again(app, world):
    _sweep(app, T)
    next_month = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    result, _ = _sweep(app, next_month)
    with app.app_context():
        visits = set(db.session.scalars(select(Obligation.period_key).where(
            Obligation.rule_code == "reg44_visit", Obligation.home_id == world.home_a.id)))
    assert visits == {"2026-12", "2027-01", "2027-02"} and result.obligations_created > 0

    with app.app_context(), acting_as("test admin"):
        visit = rules_service.rule_by_code("reg44_visit")
        rules_service.update_rule(visit, timing={"kind": "fixed", "amount": 2, "unit": "months",
                                                 "anchor": "2027-01-01"},
                                  ladder=visit.ladder, due_soon_days=visit.due_soon_days, active=True)
    _sweep(app, next_month + timedelta(hours=1))
    with app.app_context():
        keys = set(db.session.scalars(select(Obligation.period_key).where(
            Obligation.rule_code == "reg44_visit", Obligation.home_id == world.home_a.id)))
    assert keys > visits  # the two-monthly periods are made although the month has not turned


# ---------------------------------------------------------------- batches (issue 13)

def test_a_sweep_commits_in_batches_and_a_failing_insert_costs_only_its_own_obligation(app, world, monkeypatch):
    """After long downtime a sweep raises thousands of alerts: each batch of obligations is its
    own transaction, with one flush for all its alerts. An insert that fails (here: a target
    role that cannot be worked out for one obligation) sends its batch through one by one: only
    that obligation is left for the next sweep, and every other alert is raised exactly once."""
    from homes_qa.spine.alerts import service as alerts
    ids = [_need_to_know(app, home_id, f"incident:batch:{n}")
           for n, home_id in enumerate([world.home_a.id, world.home_b.id] * 3)]
    broken = ids[3]
    monkeypatch.setattr(alerts, "SWEEP_BATCH", 2)
    commits: list[int] = []
    with app.app_context():
        from sqlalchemy import event
        listener = lambda session: commits.append(1)  # noqa: E731
        event.listen(db.session, "after_commit", listener)
        real_role = alerts._target_role

        def target_role(obligation, level):
            if obligation.id == broken:
                raise ValueError("no role")
            return real_role(obligation, level)

        monkeypatch.setattr(alerts, "_target_role", target_role)
        with acting_as("scheduler"):
            first = sweep(T)
        event.remove(db.session, "after_commit", listener)
    assert len(first.errors) == 1 and f"obligation {broken}:" in first.errors[0]
    raised = {(a.obligation_id, a.level) for a in first.raised}
    assert {o for o, _level in raised} >= set(ids) - {broken} and broken not in {o for o, _ in raised}
    assert len(commits) >= first.examined // 2  # a transaction per batch of 2, not one for all
    keys = _alert_keys(app)
    assert len(keys) == len(set(keys)) and not [k for k in keys if k[0] == broken]

    monkeypatch.setattr(alerts, "_target_role", real_role)  # mended: the next sweep raises it, once
    second, raised_again = _sweep(app, T + timedelta(minutes=5))
    assert second.errors == [] and {o for o, _ in raised_again} == {broken}
    keys = _alert_keys(app)
    assert len(keys) == len(set(keys))
    assert {k for k in keys if k[0] in ids} == {k for k in _expected_alerts(app, T + timedelta(minutes=5)) if k[0] in ids}
