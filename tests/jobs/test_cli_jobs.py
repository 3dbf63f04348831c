"""`flask sweep`, `flask rules`, `flask digest` through Flask's CLI runner (no process spawned)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from homes_qa.core.catalogue import RULES
from homes_qa.extensions import db
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.mail.models import OutboundEmail
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.obligations.service import obligation_for_event
from homes_qa.spine.people.models import Home

AT = "2026-12-03T09:00:00Z"
T = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
AT_ERROR = "Error: --at must be an ISO-8601 instant, e.g. 2026-11-23T09:00:00Z"


@pytest.fixture
def overdue(app, world) -> int:
    """A need-to-know for Alder House that fell due at 08:00 on the morning of AT."""
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        return obligation_for_event("incident_ntk_service_manager", home, T - timedelta(hours=25), key="incident:1").id


def _counts(app) -> dict:
    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Obligation, Alert, AuditEvent, OutboundEmail)}


def _json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sweep_at_an_instant_prints_json_with_the_alerts_raised_once(app, runner, overdue):
    data = _json(runner.invoke(args=["sweep", "--at", AT, "--json"]))
    summary, alerts = data["summary"], data["alerts"]
    assert summary["at"] == "2026-12-03T09:00:00+00:00"
    assert summary["examined"] > 0 and summary["obligations_created"] > 0
    assert summary["alerts_raised"] == len(alerts) > 0
    assert summary["errors"] == 0 and summary["dry_run"] is False
    assert isinstance(summary["seconds"], float)
    for alert in alerts:
        assert {"home", "rule", "due_at", "level"} <= set(alert)
        datetime.fromisoformat(alert["due_at"])
    mine = sorted((a["level"], a["home"], a["rule"], a["due_at"]) for a in alerts if a["obligation_id"] == overdue)
    assert mine == [(0, "Alder House", "incident_ntk_service_manager", "2026-12-03T08:00:00+00:00"),
                    (1, "Alder House", "incident_ntk_service_manager", "2026-12-03T08:00:00+00:00")]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Alert)) == len(alerts)

    again = _json(runner.invoke(args=["sweep", "--at", AT, "--json"]))
    assert again["alerts"] == [] and again["summary"]["alerts_raised"] == 0


def test_sweep_without_json_prints_lines_and_the_summary(runner, overdue):
    result = runner.invoke(args=["sweep", "--at", AT])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("Raised: Overdue — Alder House — incident_ntk_service_manager — due Thu 3 Dec 2026, 08:00")
               for line in lines)
    assert lines[-1].startswith("sweep as at Thu 3 Dec 2026, 09:00 examined ")
    assert " open obligations, " in lines[-1] and lines[-1].endswith(" s")


def test_dry_run_prints_what_would_be_raised_and_writes_nothing(app, runner, overdue):
    before = _counts(app)
    data = _json(runner.invoke(args=["sweep", "--at", AT, "--dry-run", "--json"]))
    assert data["summary"]["dry_run"] is True
    assert any(a["obligation_id"] == overdue and a["level"] == 1 for a in data["alerts"])
    assert _counts(app) == before
    human = runner.invoke(args=["sweep", "--at", AT, "--dry-run"])
    assert "Would raise: Overdue — Alder House" in human.stdout
    assert human.stdout.strip().splitlines()[-1].startswith("Dry run: sweep as at")
    assert _counts(app) == before


def test_a_naive_instant_is_london_local_time(runner, world):
    summer = _json(runner.invoke(args=["sweep", "--at", "2026-07-01T09:00", "--json", "--dry-run"]))
    winter = _json(runner.invoke(args=["sweep", "--at", "2026-12-01T09:00:00", "--json", "--dry-run"]))
    assert summer["summary"]["at"] == "2026-07-01T08:00:00+00:00"  # BST
    assert winter["summary"]["at"] == "2026-12-01T09:00:00+00:00"  # GMT


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T09:00:00Z", "03/12/2026 09:00", ""])
def test_a_malformed_instant_is_a_one_line_error(app, runner, bad):
    before = _counts(app)
    result = runner.invoke(args=["sweep", "--at", bad])
    assert result.exit_code != 0
    assert result.output.strip() == AT_ERROR
    assert _counts(app) == before
    digest = runner.invoke(args=["digest", "--at", bad])
    assert digest.exit_code != 0 and digest.output.strip() == AT_ERROR


def test_rules_json_lists_every_catalogue_rule_with_its_source(runner):
    table = _json(runner.invoke(args=["rules", "--json"]))
    assert isinstance(table, list)
    assert sorted(r["code"] for r in table) == sorted(spec.code for spec in RULES)
    specs = {spec.code: spec for spec in RULES}
    for row in table:
        spec = specs[row["code"]]
        assert row["source"].strip() and row["source"] == spec.source
        assert row["title"] == spec.title and row["area"] == spec.area and row["trigger"] == spec.trigger
        assert isinstance(row["timing"], dict) and row["timing"] == spec.timing.to_dict()
        assert row["responsible_role"] == spec.responsible_role
        assert row["ladder"] and row["ladder"][0]["role"] == spec.responsible_role
        assert row["scope"] in ("home", "organisation")


def test_rules_without_json_is_a_readable_table(runner):
    result = runner.invoke(args=["rules"])
    assert result.exit_code == 0, result.output
    for spec in RULES:
        assert spec.code in result.stdout
    assert "when: Within 24 hours" in result.stdout
    assert result.stdout.strip().endswith(f"{len(RULES)} rules")


def test_digest_queues_and_delivers_once_a_day(app, runner, overdue):
    assert runner.invoke(args=["sweep", "--at", AT]).exit_code == 0
    first = runner.invoke(args=["digest", "--at", AT])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("Digest as at Thu 3 Dec 2026, 09:00: ")
    with app.app_context():
        digests = db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "digest")).all()
        assert digests and all(m.status == "sent" for m in digests)
        count = len(digests)
    assert f": {count} queued" in first.stdout
    again = runner.invoke(args=["digest", "--at", "2026-12-03T15:00:00Z"])
    assert again.exit_code == 0 and ": 0 queued" in again.stdout
