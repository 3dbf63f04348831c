"""Migration 0016 retires the rules the incident area replaced: open obligations are waived with
the reason (history and audit kept), an unused rule row is deleted, one with history is switched
off; nothing counts them as outstanding afterwards."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, func, insert, select

from homes_qa import create_app
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.rules.models import Rule

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
NAIVE_AT = AT.replace(tzinfo=None)  # stored as naive UTC (spine.timestamps)
LADDER = [{"level": 1, "role": "registered_manager", "after_working_days": 0}]


def _insert(table: str, **values) -> int:
    """A row written with the schema as it was at 0015 (reflected), not today's models: a
    column added later must not break a test of an older migration."""
    reflected = Table(table, MetaData(), autoload_with=db.session.connection())
    return db.session.execute(insert(reflected).values(**values)).inserted_primary_key[0]


def _rule(code: str) -> int:
    return _insert("rules", code=code, title=code, area="notifications", trigger="incident_manager_aware",
                   scope="home", timing={"kind": "elapsed_hours", "amount": 24}, responsible_role="registered_manager",
                   ladder=LADDER, due_soon_days=7, source="old", verify=False, notes="", active=True, updated_at=NAIVE_AT)


def _obligation(rule_id: int, code: str, key: str, status: str) -> int:
    return _insert("obligations", rule_id=rule_id, rule_code=code, home_id=None, scope_key="organisation",
                   period_key=key, title=f"{code} {key}", due_at=NAIVE_AT, responsible_role="registered_manager",
                   ladder=LADDER, due_soon_days=7, status=status, hidden_from_home_staff=False,
                   met_at=NAIVE_AT if status == "met" else None, created_at=NAIVE_AT)


def test_0016_waives_open_obligations_and_removes_or_switches_off_the_old_rules(tmp_path):
    path = tmp_path / "retire.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0015")
        used, _unused, kept = _rule("need_to_know_24h"), _rule("lado_referral"), _rule("hs_audit_monthly")
        open_one = _obligation(used, "need_to_know_24h", "incident:1", "open")
        _obligation(used, "need_to_know_24h", "incident:2", "met")
        _obligation(kept, "hs_audit_monthly", "2026-11", "open")
        _insert("alerts", obligation_id=open_one, level=1, target_role="registered_manager", home_id=None,
                reached_at=NAIVE_AT, raised_at=NAIVE_AT + timedelta(hours=1))
        _insert("audit_events", at=NAIVE_AT, actor_label="test setup", action="create", record_type="Obligation",
                record_id=open_one, record_label="need_to_know_24h incident:1", home_id=None, changes={})
        db.session.commit()
        audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
        assert audit_before == 1
        db.session.remove()

        upgrade()
        rules = {r.code: r for r in db.session.scalars(select(Rule))}
        assert "lado_referral" not in rules  # no obligation ever: deleted
        assert rules["need_to_know_24h"].active is False and "retired" in rules["need_to_know_24h"].notes.lower()
        assert rules["hs_audit_monthly"].active is True
        by_key = {o.period_key: o for o in db.session.scalars(select(Obligation))}
        assert by_key["incident:1"].status == ObligationStatus.WAIVED
        assert "retired" in (by_key["incident:1"].waived_reason or "")
        assert by_key["incident:2"].status == ObligationStatus.MET  # history as it was
        assert by_key["2026-11"].status == ObligationStatus.OPEN  # other rules untouched
        assert db.session.scalar(select(func.count(Alert.id))) == 1  # kept, but its obligation is closed
        assert db.session.scalar(select(func.count(AuditEvent.id))) == audit_before  # no audit event deleted
        db.session.remove()
        db.engine.dispose()
