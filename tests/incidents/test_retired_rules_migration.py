"""Migration 0016 retires the rules the incident area replaced: open obligations are waived with
the reason (history and audit kept), an unused rule row is deleted, one with history is switched
off; nothing counts them as outstanding afterwards."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import func, select

from homes_qa import create_app
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.rules.models import Rule

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
LADDER = [{"level": 1, "role": "registered_manager", "after_working_days": 0}]


def _rule(code: str) -> Rule:
    return Rule(code=code, title=code, area="notifications", trigger="incident_manager_aware", scope="home",
                timing={"kind": "elapsed_hours", "amount": 24}, responsible_role="registered_manager",
                ladder=LADDER, source="old", verify=False, notes="", active=True)


def _obligation(rule: Rule, key: str, status: str) -> Obligation:
    return Obligation(rule=rule, rule_code=rule.code, home_id=None, scope_key="organisation", period_key=key,
                      title=f"{rule.code} {key}", due_at=AT, responsible_role="registered_manager", ladder=LADDER,
                      status=status, met_at=AT if status == "met" else None)


def test_0016_waives_open_obligations_and_removes_or_switches_off_the_old_rules(tmp_path):
    path = tmp_path / "retire.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0015")
        with acting_as("test setup"):
            used, unused, kept = _rule("need_to_know_24h"), _rule("lado_referral"), _rule("hs_audit_monthly")
            db.session.add_all([used, unused, kept])
            open_one = _obligation(used, "incident:1", "open")
            met_one = _obligation(used, "incident:2", "met")
            other = _obligation(kept, "2026-11", "open")
            db.session.add_all([open_one, met_one, other])
            db.session.flush()
            db.session.add(Alert(obligation_id=open_one.id, level=1, target_role="registered_manager",
                                 reached_at=AT, raised_at=AT + timedelta(hours=1)))
            db.session.commit()
        audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
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
