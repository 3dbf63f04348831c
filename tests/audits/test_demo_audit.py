"""The demo data holds one completed health and safety audit at Oak House with its finding and action."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from homes_qa.audits.models import AuditFinding, AuditStatus, HomeAudit
from homes_qa.extensions import db
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Home

pytestmark = pytest.mark.usefixtures("clock")


def test_the_demo_has_a_graded_hs_audit_with_an_action_at_oak_house(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        oak = db.session.scalar(select(Home).where(Home.name == "Oak House"))
        audit = db.session.scalar(select(HomeAudit).where(HomeAudit.home_id == oak.id))
        assert (audit.template_code, audit.status, audit.overall_grade) == ("health_safety", AuditStatus.SUBMITTED,
                                                                             "good")
        finding = db.session.scalar(select(AuditFinding).where(AuditFinding.audit_id == audit.id))
        assert finding.question_code == "hs_windows" and finding.priority == "high"
        action = db.session.scalar(select(Obligation).where(Obligation.period_key == f"audit_finding:{finding.id}"))
        assert action.is_open and action.home_id == oak.id
