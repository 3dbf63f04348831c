"""Status columns hold only their enum's values: the database itself refuses anything else.

Raw SQL here, bypassing the models and services, on the SQLite schema the migrations built.
"""
from __future__ import annotations

import re

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, inspect, text
from sqlalchemy.exc import IntegrityError

from homes_qa import create_app
from homes_qa.actionplans.models import Decision, PlanStatus
from homes_qa.audits.models import Answer, AuditStatus, Priority
from homes_qa.audits.models import Grade as AuditGrade
from homes_qa.checks.models import DrillConditions, EvidenceKind, FireLogKind, FireLogResult
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.feedback.models import FeedbackAudience
from homes_qa.incidents.models import IncidentStatus, NotificationMethod, SummaryStatus
from homes_qa.inspections.models import ActionFileKind, ActionSource, ActionStatus, Grade, ItemKind, QaReviewStatus, Rag
from homes_qa.qpag_report.models import ReportStatus as QpagReportStatus
from homes_qa.reg44.models import Opinion, ReportStatus, VisitStatus
from homes_qa.reg45.models import ReviewStatus
from homes_qa.spine.mail.models import EmailStatus
from homes_qa.spine.obligations.models import ObligationStatus
from homes_qa.spine.people.models import HomeStatus
from homes_qa.spine.rules.models import RuleScope

NOW = "2026-12-07 14:05:00"

# constraint name -> the enum its column keeps to
CONSTRAINTS = {
    "ck_homes_status": HomeStatus,
    "ck_users_role": Role,
    "ck_rules_scope": RuleScope,
    "ck_obligations_status": ObligationStatus,
    "ck_outbound_emails_status": EmailStatus,
    "ck_reg44_visits_status": VisitStatus,
    "ck_reg44_reports_status": ReportStatus,
    "ck_reg44_reports_safeguarded_opinion": Opinion,
    "ck_reg44_reports_wellbeing_opinion": Opinion,
    "ck_reg44_action_plans_status": PlanStatus,
    "ck_reg44_action_plan_responses_decision": Decision,
    "ck_feedback_requests_audience": FeedbackAudience,
    "ck_feedback_responses_audience": FeedbackAudience,
    "ck_reg45_reviews_status": ReviewStatus,
    "ck_incidents_status": IncidentStatus,
    "ck_incident_notifications_method": NotificationMethod,
    # Ofsted inspections (issue 10)
    "ck_inspections_overall": Grade,
    "ck_inspections_helped_protected": Grade,
    "ck_inspections_leadership": Grade,
    "ck_inspection_items_kind": ItemKind,
    "ck_inspection_items_status": ActionStatus,
    "ck_monitoring_review_progress_rag": Rag,
    "ck_qpag_actions_status": ActionStatus,
    # the weekly safeguarding summary (migration 0011)
    "ck_safeguarding_summaries_status": SummaryStatus,
    "ck_qa_reviews_status": QaReviewStatus,
    "ck_qa_review_homes_rag": Rag,
    "ck_qa_review_actions_status": ActionStatus,
    "ck_action_notes_source": ActionSource,  # notes on any action of the combined list (migration 0017)
    "ck_action_files_kind": ActionFileKind,  # a note's evidence file, judged by content (migration 0022)
    # certificate register and fire log (migration 0006)
    "ck_certificate_evidence_kind": EvidenceKind,
    "ck_fire_log_entries_kind": FireLogKind,
    "ck_fire_log_entries_result": FireLogResult,
    "ck_fire_log_entries_conditions": DrillConditions,
    "ck_home_audits_status": AuditStatus,
    "ck_home_audits_overall_grade": AuditGrade,
    "ck_home_audit_answers_answer": Answer,
    "ck_home_audit_findings_priority": Priority,
    "ck_qpag_reports_status": QpagReportStatus,  # the QPAG monthly report (issue 11)
}


def _refused(constraint: str, sql: str, params: dict) -> None:
    with pytest.raises(IntegrityError, match=f"CHECK constraint failed: {constraint}"):
        db.session.execute(text(sql), params)
    db.session.rollback()


def _insert_visit(home_id: int, visitor_id: int, status: str = "recorded") -> int:
    return db.session.execute(text(
        "INSERT INTO reg44_visits (home_id, visitor_id, status, announced, spoke_children, spoke_parents, "
        "spoke_staff, spoke_professionals, spoke_roles, records_inspected, notes, created_at) "
        "VALUES (:home, :visitor, :status, 1, 0, 0, 0, 0, '', '', '', :now) RETURNING id"),
        {"home": home_id, "visitor": visitor_id, "status": status, "now": NOW}).scalar_one()


def _insert_report(visit_id: int, home_id: int, author_id: int, *, status="draft",
                   safeguarded=None, wellbeing=None) -> int:
    return db.session.execute(text(
        "INSERT INTO reg44_reports (visit_id, home_id, version, status, safeguarded_opinion, "
        "safeguarded_narrative, wellbeing_opinion, wellbeing_narrative, findings, conflict_of_interest, "
        "correction_reason, author_id, created_at, updated_at) VALUES (:visit, :home, 1, :status, :safe, '', "
        ":well, '', '', '', '', :author, :now, :now) RETURNING id"),
        {"visit": visit_id, "home": home_id, "status": status, "safe": safeguarded, "well": wellbeing,
         "author": author_id, "now": NOW}).scalar_one()


def test_enum_values_are_unchanged():
    """Stored data is the enums' values: the strings the constants held before they were enums."""
    assert [s.value for s in VisitStatus] == ["planned", "recorded", "cancelled"]
    assert [s.value for s in ReportStatus] == ["draft", "submitted"]
    assert [s.value for s in Opinion] == ["yes", "no", "with_concerns"]
    assert [s.value for s in PlanStatus] == ["draft", "submitted", "returned", "approved"]
    assert [s.value for s in Decision] == ["accept", "decline"]
    assert [s.value for s in ObligationStatus] == ["open", "met", "met_late", "waived"]
    assert ObligationStatus.CLOSED == ("met", "met_late", "waived")
    assert [s.value for s in RuleScope] == ["home", "organisation"]
    assert [s.value for s in HomeStatus] == ["open", "temporarily_closed", "closed"]
    assert [s.value for s in EmailStatus] == ["pending", "sent", "failed"]
    assert [s.value for s in ReviewStatus] == ["draft", "completed"]
    assert [s.value for s in FeedbackAudience] == ["young_person", "professional"]
    # The labels callers read are still there, keyed by the plain values.
    assert HomeStatus.LABELS["temporarily_closed"] == HomeStatus.TEMPORARILY_CLOSED.label == "Temporarily closed"
    assert Opinion.LABELS[Opinion.CONCERNS] == "Yes, with concerns"
    assert list(FeedbackAudience.LABELS) == ["young_person", "professional"]


def test_models_and_migration_declare_the_same_constraints(app):
    """Each CHECK the migrations built is the one the model declares, built from the enum."""
    with app.app_context():
        inspector = inspect(db.engine)
        migrated, declared = {}, {}
        for name, table in db.metadata.tables.items():
            for check in inspector.get_check_constraints(name):
                migrated[check["name"]] = re.sub(r"\s+", " ", check["sqltext"]).strip()
            for constraint in table.constraints:
                if isinstance(constraint, CheckConstraint):
                    declared[constraint.name] = str(constraint.sqltext)
    assert migrated == declared
    # every enum-backed CHECK is listed here (range checks, such as the monthly KPIs', are not enums)
    assert {name for name, sql in declared.items() if " IN (" in sql} == set(CONSTRAINTS)
    for name, enum in CONSTRAINTS.items():
        column = declared[name].split(" IN ")[0]
        assert name.endswith(f"_{column}")
        assert declared[name] == f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


def test_invalid_status_updates_refused(app, world):
    with app.app_context():
        _refused("ck_homes_status", "UPDATE homes SET status = :s WHERE id = :id",
                 {"s": "demolished", "id": world.home_a.id})
        _refused("ck_users_role", "UPDATE users SET role = :s WHERE id = :id",
                 {"s": "superuser", "id": world.users[Role.ADMIN].id})
        # A valid change is still allowed.
        db.session.execute(text("UPDATE homes SET status = 'temporarily_closed' WHERE id = :id"),
                           {"id": world.home_a.id})
        db.session.commit()
        assert db.session.execute(text("SELECT status FROM homes WHERE id = :id"),
                                  {"id": world.home_a.id}).scalar_one() == "temporarily_closed"


def test_invalid_status_inserts_refused(app, world):
    home, visitor = world.home_a.id, world.users[Role.REG44_VISITOR].id
    with app.app_context():
        _refused("ck_outbound_emails_status",
                 "INSERT INTO outbound_emails (kind, dedupe_key, to_address, subject, body_text, status, attempts, "
                 "next_attempt_at, created_at) VALUES ('alert', 'k', 'a@b.c', 's', 'b', 'lost', 0, :now, :now)",
                 {"now": NOW})
        with pytest.raises(IntegrityError, match="CHECK constraint failed: ck_reg44_visits_status"):
            _insert_visit(home, visitor, status="postponed")
        db.session.rollback()

        visit = _insert_visit(home, visitor)
        with pytest.raises(IntegrityError, match="CHECK constraint failed: ck_reg44_reports_safeguarded_opinion"):
            _insert_report(visit, home, visitor, safeguarded="maybe")
        db.session.rollback()

        visit = _insert_visit(home, visitor)
        with pytest.raises(IntegrityError, match="CHECK constraint failed: ck_reg44_reports_status"):
            _insert_report(visit, home, visitor, status="final")
        db.session.rollback()

        # NULL opinions (an unfinished report) pass; so do the enum's values.
        visit = _insert_visit(home, visitor)
        report = _insert_report(visit, home, visitor)
        _refused("ck_reg44_reports_wellbeing_opinion", "UPDATE reg44_reports SET wellbeing_opinion = 'Yes' "
                 "WHERE id = :id", {"id": report})
        visit = _insert_visit(home, visitor)
        _insert_report(visit, home, visitor, status=ReportStatus.SUBMITTED, safeguarded=Opinion.YES,
                       wellbeing=Opinion.CONCERNS)
        _refused("ck_feedback_responses_audience",
                 "INSERT INTO feedback_responses (visit_id, home_id, audience, answers, anonymous, respondent, "
                 "submitted_at) VALUES (:visit, :home, 'parent', '{}', 0, '', :now)",
                 {"visit": visit, "home": home, "now": NOW})
        _refused("ck_reg45_reviews_status",
                 "INSERT INTO reg45_reviews (home_id, period_start, period_end, status, evidence_summary, "
                 "quality_of_care, improvements, children_views, author_id, created_at) "
                 "VALUES (:home, :start, :end, 'sent', '{}', '', '', '', :author, :now)",
                 {"home": home, "start": "2026-06-01", "end": "2026-11-30",
                  "author": world.users[Role.REGISTERED_MANAGER].id, "now": NOW})


def _count(table: str) -> int:
    return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_upgrade_from_0003_keeps_rows_and_downgrade_drops_the_checks(tmp_path):
    """Rebuilding parent tables (homes, users) on SQLite must not cascade to their children."""
    path = tmp_path / "upgrade.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade(revision="0003")
        db.session.execute(text(
            "INSERT INTO homes (id, name, ofsted_urn, address, registered_places, status, created_at) "
            "VALUES (1, 'Alder', 'SC1', 'x', 3, 'open', :now)"), {"now": NOW})
        db.session.execute(text(
            "INSERT INTO users (id, name, email, password_hash, role, active, created_at) "
            "VALUES (1, 'V', 'v@x.org', 'x', 'reg44_visitor', 1, :now)"), {"now": NOW})
        db.session.execute(text("INSERT INTO assignments (user_id, home_id, created_at) VALUES (1, 1, :now)"),
                           {"now": NOW})
        _insert_report(_insert_visit(1, 1), 1, 1, safeguarded="yes")
        db.session.commit()
        db.session.remove()

        upgrade()
        counts = {t: _count(t) for t in ("homes", "users", "assignments", "reg44_visits", "reg44_reports")}
        assert counts == {"homes": 1, "users": 1, "assignments": 1, "reg44_visits": 1, "reg44_reports": 1}
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        _refused("ck_homes_status", "UPDATE homes SET status = 'gone' WHERE id = 1", {})
        db.session.remove()

        downgrade(revision="0003")
        assert {t: _count(t) for t in counts} == counts
        db.session.execute(text("UPDATE homes SET status = 'gone' WHERE id = 1"))  # no CHECK at 0003
        db.session.rollback()
        inspector = inspect(db.engine)  # tables added after 0003 are not there at all
        assert not any(inspector.get_check_constraints(t) for t in db.metadata.tables if inspector.has_table(t))
        at_0003 = set(inspect(db.engine).get_table_names())  # later migrations' tables are gone
        assert not any(inspect(db.engine).get_check_constraints(t) for t in db.metadata.tables if t in at_0003)
        inspector = inspect(db.engine)  # tables of later migrations are gone at 0003
        assert not any(inspector.get_check_constraints(t) for t in inspector.get_table_names())
        db.session.remove()
        db.engine.dispose()
