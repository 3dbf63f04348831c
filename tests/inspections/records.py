"""Records the access walk (tests/spine/test_access.py) needs: per home, an RI inspection with
one open requirement, its report file, one monitoring review and an overdue QPAG action (made once)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import Inspection, InspectionItem, MonitoringReview, QpagAction, ReviewProgress
from homes_qa.spine.audit.models import acting_as
from tests import clock as test_clock


def inspection_records(app, world, home) -> dict:
    today = test_clock.TODAY
    with app.app_context():
        inspection = db.session.scalar(select(Inspection).where(Inspection.home_id == home.id))
        if inspection is None:
            manager = world.manager_b if home == world.home_b else world.users[Role.REGISTERED_MANAGER]
            with acting_as("test setup"):
                inspection = Inspection(home_id=home.id, inspection_type="full", started_on=today - timedelta(days=9),
                                        ended_on=today - timedelta(days=8), overall="requires_improvement",
                                        helped_protected="good", leadership="requires_improvement",
                                        recorded_by_id=manager.id, report_filename="report.pdf",
                                        report_stored_as=f"access-{home.id}.pdf", report_size=9)
                storage = Path(app.instance_path) / "uploads" / "inspections"
                storage.mkdir(parents=True, exist_ok=True)
                (storage / f"access-{home.id}.pdf").write_bytes(b"%PDF-1.4\n")
                item = InspectionItem(inspection=inspection, home_id=home.id, kind="requirement", text="Fix records",
                                      regulation="Regulation 37", compliance_date=today + timedelta(days=30),
                                      action="Audit the records", owner_id=manager.id,
                                      due_on=today + timedelta(days=20))
                review = MonitoringReview(home_id=home.id, reviewed_on=today - timedelta(days=1), next_steps="Go on",
                                          reviewed_by_id=manager.id)
                review.progress.append(ReviewProgress(item=item, home_id=home.id, rag="amber", narrative="Started"))
                qpag = QpagAction(home_id=home.id, meeting_on=today - timedelta(days=40), text="Improve records",
                                  owner_id=manager.id, due_on=today - timedelta(days=5), created_by_id=manager.id)
                db.session.add_all([inspection, item, review, qpag])
                db.session.commit()
        item = db.session.scalar(select(InspectionItem).where(InspectionItem.home_id == home.id))
        review = db.session.scalar(select(MonitoringReview).where(MonitoringReview.home_id == home.id))
        qpag = db.session.scalar(select(QpagAction).where(QpagAction.home_id == home.id))
        return {"inspection_id": inspection.id, "inspection_item_id": item.id, "monitoring_review_id": review.id,
                "qpag_action_id": qpag.id}


def qa_review_records(app, world, home) -> dict:
    """Per home, a completed dip sample whose plan QPAG agreed, with one open action. Home A's
    is assigned to the test's service manager; home B's to the head of service (so the service
    manager, who does not see home B, gets 404 for it)."""
    from homes_qa.inspections.models import QaReview, QaReviewAction, QaReviewHome

    today = test_clock.TODAY
    with app.app_context():
        row = db.session.scalar(select(QaReviewHome).where(QaReviewHome.home_id == home.id))
        if row is None:
            assignee = world.users[Role.HEAD_OF_SERVICE] if home == world.home_b else world.users[Role.SERVICE_MANAGER]
            owner = world.manager_b if home == world.home_b else world.users[Role.REGISTERED_MANAGER]
            with acting_as("test setup"):
                review = QaReview(kind="dip_sample", area="Missing from care records", assignee_id=assignee.id,
                                  due_on=today + timedelta(days=10), status="completed",
                                  completed_on=today - timedelta(days=2), plan_agreed_on=today - timedelta(days=1),
                                  plan_agreed_by_id=world.users[Role.HEAD_OF_SERVICE].id,
                                  commissioned_by_id=world.users[Role.HEAD_OF_SERVICE].id)
                review.homes.append(QaReviewHome(home_id=home.id, rag="amber", findings="Gaps in return interviews"))
                review.actions.append(QaReviewAction(home_id=home.id, text="Train staff on return interviews",
                                                     owner_id=owner.id, due_on=today + timedelta(days=20),
                                                     proposed_by_id=assignee.id))
                db.session.add(review)
                db.session.commit()
            row = db.session.scalar(select(QaReviewHome).where(QaReviewHome.home_id == home.id))
        action = db.session.scalar(select(QaReviewAction).where(QaReviewAction.home_id == home.id))
        return {"qa_review_id": row.review_id, "qa_review_action_id": action.id}


def manager_of(world, home):
    return world.manager_b if home == world.home_b else world.users[Role.REGISTERED_MANAGER]


def audit_finding(app, world, home, action: str, due_in: int = 10) -> int:
    """A submitted H&S audit's finding with its `action_complete` obligation, as audits.submit makes it."""
    from homes_qa.audits.models import AuditFinding, HomeAudit
    from homes_qa.audits.templates import latest
    from homes_qa.spine.obligations import service as obligations
    from homes_qa.spine.people.models import Home

    today = test_clock.TODAY
    manager = manager_of(world, home)
    with app.app_context(), acting_as("test setup"):
        audit = HomeAudit(home_id=home.id, template_code="health_safety", template_version=1,
                          title="Health and safety audit", sections=latest("health_safety").to_snapshot(),
                          period_key="2026-10", status="submitted", overall_grade="good", started_by_id=manager.id)
        finding = AuditFinding(audit=audit, home_id=home.id, question_code="q1", question="Are fire doors closed?",
                               finding="Door wedged open", action=action, owner_id=manager.id,
                               due_on=today + timedelta(days=due_in), priority="high")
        db.session.add_all([audit, finding])
        db.session.flush()
        obligations.obligation_for_event("action_complete", db.session.get(Home, home.id), test_clock.PINNED_NOW,
                                         key=f"audit_finding:{finding.id}", subject=finding,
                                         label=f"audit action: {action}", target=finding.due_on)
        db.session.commit()
        return finding.id
