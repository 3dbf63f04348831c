"""Inspection pages through the Flask test client: record an inspection, refusals shown by their
fields (GOV.UK error summary, 200 not 500), limiting judgements confirmed, requirements with
owners from the home, monitoring reviews, next-inspection window, compliance follow-up, scope."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.formats import long_date
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import Inspection, InspectionItem, MonitoringReview
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def dmy(name: str, day: date | None) -> dict:
    parts = ["", "", ""] if day is None else [str(day.day), str(day.month), str(day.year)]
    return {name: parts}


def inspection_data(**overrides) -> dict:
    data = {"inspection_type": "full", **dmy("started_on", TODAY - timedelta(days=3)),
            **dmy("ended_on", TODAY - timedelta(days=2)), "overall": "requires_improvement",
            "helped_protected": "good", "leadership": "requires_improvement", "summary": "Records weak."}
    data.update(overrides)
    return data


def record(auth, world, **overrides):
    return auth.post(f"/homes/{world.home_a.id}/inspections/new", data=inspection_data(**overrides))


def only_inspection(app) -> Inspection | None:
    with app.app_context():
        return db.session.scalar(select(Inspection))


def refused(response, message: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html


@pytest.fixture
def manager(auth, world):
    assert auth.sign_in(world.users[Role.REGISTERED_MANAGER]).status_code == 303
    return auth


def test_record_a_full_inspection(app, world, manager):
    response = record(manager, world)
    assert response.status_code == 303
    inspection = only_inspection(app)
    assert (inspection.overall, inspection.leadership) == ("requires_improvement", "requires_improvement")
    page = manager.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Requires improvement to be good" in page


def test_judgement_outside_the_scale_is_refused(app, world, manager):
    refused(record(manager, world, overall="excellent"), "choose one of the four grades")
    assert only_inspection(app) is None


def test_monitoring_visit_with_judgements_is_refused(app, world, manager):
    refused(record(manager, world, inspection_type="monitoring_visit"), "does not give the judgement")
    assert only_inspection(app) is None


def test_unknown_type_is_refused(app, world, manager):
    refused(record(manager, world, inspection_type="interim"), "Select the type of inspection")


def test_limiting_judgement_warns_then_records_on_confirmation(app, world, manager):
    data = {"overall": "good", "helped_protected": "inadequate", "leadership": "good"}
    refused(record(manager, world, **data), "the overall judgement is inadequate too")
    assert only_inspection(app) is None
    assert record(manager, world, confirm_limiting="y", **data).status_code == 303
    assert only_inspection(app).limiting_confirmed is True


def test_leadership_inadequate_warns(world, manager):
    refused(record(manager, world, overall="good", leadership="inadequate"), "no better than requires improvement")


def test_future_and_backwards_dates_are_refused(world, manager):
    refused(record(manager, world, **dmy("ended_on", TODAY + timedelta(days=1))), "must be today or in the past")
    refused(record(manager, world, **dmy("ended_on", TODAY - timedelta(days=10))), "cannot end before it started")
    refused(record(manager, world, **dmy("started_on", None)), "Enter the date the inspection started")


def test_compliance_notice_dates_are_checked_and_follow_up_shown(app, world, manager):
    served, complete_by = TODAY - timedelta(days=2), TODAY + timedelta(days=28)
    refused(record(manager, world, **dmy("compliance_notice_served_on", served)), "Enter both the date")
    refused(record(manager, world, **dmy("compliance_notice_served_on", served),
                   **dmy("compliance_notice_complete_by", served - timedelta(days=1))), "must be after the date")
    response = record(manager, world, **dmy("compliance_notice_served_on", served),
                      **dmy("compliance_notice_complete_by", complete_by))
    assert response.status_code == 303
    page = manager.client.get(f"/homes/{world.home_a.id}/inspections").get_data(as_text=True)
    follow_up = complete_by + timedelta(days=1)
    assert f"Ofsted aims to visit on {long_date(follow_up)}" in page


def item_data(world, **overrides) -> dict:
    data = {"kind": "requirement", "text": "Care plans are out of date", "regulation": "Regulation 14",
            **dmy("compliance_date", TODAY + timedelta(days=40)), "action": "Review every care plan",
            "owner_id": str(world.users[Role.REGISTERED_MANAGER].id), **dmy("due_on", TODAY + timedelta(days=30))}
    data.update(overrides)
    return data


@pytest.fixture
def inspection_id(app, world, manager) -> int:
    assert record(manager, world).status_code == 303
    return only_inspection(app).id


def add(auth, inspection_id, data):
    return auth.post(f"/inspections/{inspection_id}/items/new", data=data)


def test_requirement_becomes_an_action_with_its_obligations(app, world, manager, inspection_id):
    assert add(manager, inspection_id, item_data(world)).status_code == 303
    with app.app_context():
        item = db.session.scalar(select(InspectionItem))
        codes = set(db.session.scalars(select(Obligation.rule_code).where(Obligation.status == ObligationStatus.OPEN)))
    assert item.regulation == "Regulation 14"
    assert {"action_complete", "ofsted_requirement_compliance", "ofsted_monitoring_review_ri"} <= codes
    page = manager.client.get(f"/homes/{world.home_a.id}/inspections").get_data(as_text=True)
    assert "Next monitoring review due by" in page
    assert "another inspection is expected by 31 March" in page  # RI: twice per inspection year


def test_compliance_date_before_the_inspection_is_refused(app, world, manager, inspection_id):
    early = TODAY - timedelta(days=10)
    refused(add(manager, inspection_id, item_data(world, **dmy("compliance_date", early),
                                                  **dmy("due_on", early))), "cannot be before the inspection")
    with app.app_context():
        assert db.session.scalar(select(InspectionItem)) is None


def test_requirement_needs_its_regulation_and_recommendation_has_no_compliance_date(world, manager, inspection_id):
    refused(add(manager, inspection_id, item_data(world, regulation="")), "Enter the regulation")
    refused(add(manager, inspection_id, item_data(world, kind="recommendation")), "A recommendation has no compliance date")


def test_owner_must_be_assigned_to_the_home(world, manager, inspection_id):
    refused(add(manager, inspection_id, item_data(world, owner_id=str(world.manager_b.id))),
            "must be someone assigned to this home")
    refused(add(manager, inspection_id, item_data(world, owner_id="abc")), "Select who owns the action")


def test_action_due_after_compliance_date_is_refused(world, manager, inspection_id):
    refused(add(manager, inspection_id, item_data(world, **dmy("due_on", TODAY + timedelta(days=50)))),
            "on or before the requirement")


def test_monitoring_review_records_progress_and_discharges_the_due_review(app, world, auth, inspection_id):
    manager = auth
    assert add(manager, inspection_id, item_data(world)).status_code == 303
    with app.app_context():
        item_id = db.session.scalar(select(InspectionItem.id))
    url = f"/homes/{world.home_a.id}/monitoring-reviews/new"
    refused(manager.post(url, data={**dmy("reviewed_on", TODAY), "next_steps": "More"}), "Select red, amber or green")
    response = manager.post(url, data={**dmy("reviewed_on", TODAY), f"rag_{item_id}": "amber",
                                       f"narrative_{item_id}": "Half the plans reviewed", "next_steps": "Finish"})
    assert response.status_code == 303
    page = manager.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Half the plans reviewed" in page
    assert "Amber" in page
    with app.app_context():
        review = db.session.scalar(select(MonitoringReview))
        met = db.session.get(Obligation, review.obligation_id)
        assert met.status == ObligationStatus.MET
        assert db.session.scalar(select(Obligation).where(
            Obligation.rule_code == "ofsted_monitoring_review_ri", Obligation.status == ObligationStatus.OPEN))


def test_complete_and_reopen_an_action(app, world, manager, inspection_id):
    assert add(manager, inspection_id, item_data(world)).status_code == 303
    with app.app_context():
        item_id = db.session.scalar(select(InspectionItem.id))
    refused(manager.post(f"/inspection-actions/{item_id}/complete",
                         data=dmy("completed_on", TODAY + timedelta(days=1))), "must be today or in the past")
    assert manager.post(f"/inspection-actions/{item_id}/complete",
                        data=dmy("completed_on", TODAY)).status_code == 303
    refused(manager.post(f"/inspection-actions/{item_id}/reopen",
                         data={"reason": "", **dmy("due_on", TODAY + timedelta(days=7))}), "Enter why")
    assert manager.post(f"/inspection-actions/{item_id}/reopen",
                        data={"reason": "Two plans missed", **dmy("due_on", TODAY + timedelta(days=7))}
                        ).status_code == 303
    with app.app_context():
        item = db.session.get(InspectionItem, item_id)
        assert (item.status, item.times_reopened) == ("open", 1)


def test_another_homes_inspection_is_404(app, world, auth, inspection_id):
    auth.sign_out()
    assert auth.sign_in(world.manager_b).status_code == 303
    assert auth.client.get(f"/inspections/{inspection_id}").status_code == 404
    assert auth.post(f"/inspections/{inspection_id}/items/new", data=item_data(world)).status_code == 404


def test_home_page_links_to_inspections(world, manager):
    page = manager.client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert f"/homes/{world.home_a.id}/inspections" in page


def test_monitoring_visit_does_not_count_towards_twice_a_year(world, manager):
    assert record(manager, world).status_code == 303
    visit = {"overall": "", "helped_protected": "", "leadership": "", "inspection_type": "monitoring_visit",
             **dmy("started_on", TODAY - timedelta(days=1)), **dmy("ended_on", TODAY - timedelta(days=1))}
    assert record(manager, world, **visit).status_code == 303
    page = manager.client.get(f"/homes/{world.home_a.id}/inspections").get_data(as_text=True)
    assert "Inspected 1 of at least 2 times this inspection year" in page


def test_attach_and_download_the_report(app, world, manager, inspection_id):
    from io import BytesIO
    url = f"/inspections/{inspection_id}/report"
    refused(manager.post(url, data={"report": (BytesIO(b"hello"), "report.pdf")},
                         content_type="multipart/form-data"), "The report must be a PDF")
    refused(manager.post(url, data={}, content_type="multipart/form-data"), "Choose the report file")
    pdf = b"%PDF-1.7\n% a report\n"
    response = manager.post(url, data={"report": (BytesIO(pdf), "Ofsted report SC900001.pdf")},
                            content_type="multipart/form-data")
    assert response.status_code == 303
    detail = manager.client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    assert "Ofsted_report_SC900001.pdf" in detail
    download = manager.client.get(f"/inspections/{inspection_id}/report.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data == pdf
    manager.sign_out()
    manager.sign_in(world.manager_b)
    assert manager.client.get(f"/inspections/{inspection_id}/report.pdf").status_code == 404


def test_no_report_is_404(world, manager, inspection_id):
    assert manager.client.get(f"/inspections/{inspection_id}/report.pdf").status_code == 404


def test_the_inspections_page_reads_the_homes_inspections_once(app, world, manager):
    """The page, its summary and the outcome share one read of the inspections and their items
    (issue 13: each read them again, six of the page's thirteen statements)."""
    from tests.helpers import statements_run
    assert record(manager, world).status_code == 303
    url = f"/homes/{world.home_a.id}/inspections"
    manager.client.get(url)
    with statements_run(app) as seen:
        page = manager.client.get(url)
    assert page.status_code == 200
    assert sum(1 for statement in seen if "FROM inspections " in statement and "inspection_items" not in statement) == 1
    assert sum(1 for statement in seen if "FROM inspection_items" in statement
               and "inspection_items.inspection_id IN" in statement) == 1
