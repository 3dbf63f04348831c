"""Regulation 45 reviews: evidence gathered for the period, narrative, completion (locks it,
sets the next 6-monthly review and the 28-day copy to Ofsted), sent to Ofsted, scope."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from homes_qa.actionplans.models import ActionPlan, ActionPlanResponse
from homes_qa.core.calendar import london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.feedback.models import FeedbackResponse
from homes_qa.reg44.models import Reg44Recommendation, Reg44Report, Reg44Visit
from homes_qa.reg45 import queries as reg45_queries
from homes_qa.reg45 import service as reg45
from homes_qa.reg45.models import Reg45Review
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Completion, Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")

TODAY = test_clock.TODAY  # the London day the `clock` fixture pins
NARRATIVE = {"quality_of_care": "Care is good; children are safe and settled.",
             "improvements": "Night staffing to be reviewed by March.",
             "children_views": "Children want more trips out."}


def dmy(day: date, name: str) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def post(auth, url, data=None):
    return auth.client.post(url, data={"csrf_token": auth.token, **(data or {})})


def seed_period(app, world, home=None):
    """Two visits in the last 6 months (one with a plan), one older; feedback in and out of the period."""
    home = home or world.home_a
    visitor = world.users[Role.REG44_VISITOR]
    with app.app_context(), acting_as("test"):
        def visit(days_ago, findings, opinion="yes"):
            v = Reg44Visit(home_id=home.id, visitor_id=visitor.id, status="recorded", announced=days_ago % 2 == 0,
                           visited_on=TODAY - timedelta(days=days_ago))
            r = Reg44Report(visit=v, home_id=home.id, status="submitted", author_id=visitor.id,
                            safeguarded_opinion=opinion, wellbeing_opinion="with_concerns", findings=findings)
            db.session.add_all([v, r])
            return v, r
        v1, r1 = visit(40, "FINDING-IN-PERIOD warm and calm", opinion="yes")
        r1.recommendations.append(Reg44Recommendation(home_id=home.id, number=1, text="Fix the fence",
                                                      consider_within_days=28))
        r1.recommendations.append(Reg44Recommendation(home_id=home.id, number=2, text="Rota review",
                                                      consider_within_days=28))
        visit(20, "SECOND-FINDING records tidy", opinion="with_concerns")
        visit(300, "OLD-FINDING outside the period")
        db.session.flush()
        plan = ActionPlan(report_id=r1.id, home_id=home.id, status="approved")
        plan.responses.append(ActionPlanResponse(recommendation_id=r1.recommendations[0].id, home_id=home.id,
                                                 decision="accept", action="Replace panels", owner="Deputy",
                                                 due_on=TODAY - timedelta(days=2)))
        plan.responses.append(ActionPlanResponse(recommendation_id=r1.recommendations[1].id, home_id=home.id,
                                                 decision="decline", decline_reason="Already weekly"))
        db.session.add(plan)
        now = datetime.now(UTC)
        for anonymous, safe, good, when in ((True, "no", "ANON-QUOTE", now), (False, "yes", "NAMED-QUOTE pizza", now),
                                            (False, "yes", "TOO-OLD", now - timedelta(days=400))):
            db.session.add(FeedbackResponse(visit_id=v1.id, home_id=home.id, audience="young_person",
                                            answers={"feel_safe": safe, "good": good}, anonymous=anonymous,
                                            submitted_at=when))
        db.session.add(FeedbackResponse(visit_id=v1.id, home_id=home.id, audience="professional",
                                        answers={"role": "iro", "communication": "good", "child_helped": "well",
                                                 "concerns": "Staffing"}, submitted_at=now))
        db.session.commit()


def open_review_obligation(app, world, due: date):
    """The current 6-monthly review obligation, as the last completion would have left it."""
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        rule_obligation = obligations._new(obligations.rule_by_code("reg45_review"), home, f"due:{due.isoformat()}",
                                           london_day_end(due), "next due")
        db.session.add(rule_obligation)
        db.session.commit()
        return rule_obligation.id


def test_start_write_complete_and_send_to_ofsted(app, client, world, auth):
    seed_period(app, world)
    current_id = open_review_obligation(app, world, TODAY + timedelta(days=10))
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    index = client.get(f"/homes/{world.home_a.id}/reg45").get_data(as_text=True)
    assert "Start a review" in index and "Next review due by" in index

    form = client.get(f"/homes/{world.home_a.id}/reg45/new").get_data(as_text=True)
    start = TODAY - relativedelta(months=6) + timedelta(days=1)
    assert f'name="period_start" type="text" value="{start:%d}"' in form  # default: the last 6 months
    assert f'name="period_end" type="text" value="{TODAY:%d}"' in form
    started = post(auth, f"/homes/{world.home_a.id}/reg45/new", {**dmy(start, "period_start"), **dmy(TODAY, "period_end")})
    assert started.status_code == 303
    with app.app_context():
        review = db.session.scalar(select(Reg45Review))
        review_id, evidence = review.id, review.evidence_summary
        assert (review.period_start, review.period_end, review.status) == (start, TODAY, "draft")
    assert started.headers["Location"].endswith(f"/reg45/{review_id}/edit")

    # Evidence: the period's visits with both opinions, findings, recommendations and their fate.
    assert [v["findings"] for v in evidence["visits"]] == ["FINDING-IN-PERIOD warm and calm", "SECOND-FINDING records tidy"]
    first = evidence["visits"][0]
    assert (first["safeguarded"], first["wellbeing"], first["plan_status"]) == ("Yes", "Yes, with concerns", "Approved")
    assert [r["status"] for r in first["recommendations"]] == ["Overdue", "Declined: Already weekly"]
    assert evidence["actions"] == {"recommendations": 2, "accepted": 1, "declined": 1, "completed": 0, "open": 0,
                                   "overdue": 1, "awaiting_response": 0}
    fb = evidence["feedback"]
    assert (fb["young_people"], fb["professionals"], fb["professional_concerns"]) == (2, 1, 1)
    assert fb["feel_safe"] == {"No": 1, "Yes": 1}
    assert [q["answer"] for q in fb["quotes"]] == ["NAMED-QUOTE pizza"]  # anonymous answers counted, not quoted

    page = client.get(f"/reg45/{review_id}/edit").get_data(as_text=True)
    assert "FINDING-IN-PERIOD" in page and "OLD-FINDING" not in page and "ANON-QUOTE" not in page

    # Completing needs the narrative first.
    early = post(auth, f"/reg45/{review_id}/complete", dmy(TODAY, "completed_on"))
    assert early.status_code == 200 and "Enter your view of the quality of care" in early.get_data(as_text=True)
    assert post(auth, f"/reg45/{review_id}/edit", NARRATIVE).status_code == 303
    future = post(auth, f"/reg45/{review_id}/complete", dmy(TODAY + timedelta(days=1), "completed_on"))
    assert "must be today or in the past" in future.get_data(as_text=True)
    done = post(auth, f"/reg45/{review_id}/complete", dmy(TODAY, "completed_on"))
    assert done.status_code == 303

    with app.app_context():
        review = db.session.get(Reg45Review, review_id)
        assert review.status == "completed" and review.completed_at is not None
        home = db.session.get(Home, world.home_a.id)
        current = db.session.get(Obligation, current_id)
        assert current.status == ObligationStatus.MET and current.discharged_by_type == "Completion"
        completion = db.session.scalar(select(Completion).where(Completion.rule_code == "reg45_review"))
        assert completion.done_on == TODAY and completion.recorded_by_id == world.users[Role.REGISTERED_MANAGER].id
        nxt = db.session.scalar(select(Obligation).where(Obligation.rule_code == "reg45_review",
                                                         Obligation.status == ObligationStatus.OPEN))
        assert nxt.due_at == london_day_end(TODAY + relativedelta(months=6))
        ofsted = obligations.find("reg45_report_to_ofsted", home, f"reg45:{review_id}")
        assert ofsted.due_at == london_day_end(TODAY + timedelta(days=28)) and ofsted.is_open
        assert (ofsted.subject_type, ofsted.subject_id) == ("Reg45Review", review_id)

    # Locked: no more changes.
    assert client.get(f"/reg45/{review_id}/edit").status_code == 303
    assert post(auth, f"/reg45/{review_id}/edit", {"quality_of_care": "changed"}).status_code == 303
    assert post(auth, f"/reg45/{review_id}/evidence").status_code == 303
    assert post(auth, f"/reg45/{review_id}/complete", dmy(TODAY, "completed_on")).status_code == 303
    with app.app_context():
        assert db.session.get(Reg45Review, review_id).quality_of_care == NARRATIVE["quality_of_care"]
        assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    page = client.get(f"/reg45/{review_id}").get_data(as_text=True)
    assert "completed and locked" in page and "Write the review" not in page

    # Sent to Ofsted.
    url = f"/reg45/{review_id}/sent-to-ofsted"
    bad = post(auth, url, dmy(TODAY - timedelta(days=1), "sent_on"))
    assert "on or after the date the review was completed" in bad.get_data(as_text=True)
    assert "must be a real date" in post(auth, url, {"sent_on": ["30", "2", str(TODAY.year)]}).get_data(as_text=True)
    assert post(auth, url, dmy(TODAY, "sent_on")).status_code == 303
    with app.app_context():
        assert db.session.get(Reg45Review, review_id).sent_to_ofsted_on == TODAY
        ofsted = obligations.find("reg45_report_to_ofsted", db.session.get(Home, world.home_a.id), f"reg45:{review_id}")
        assert ofsted.status == ObligationStatus.MET and ofsted.discharged_by_type == "Reg45Review"
        actions = [e.changes.get("status") for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.record_type == "Reg45Review").order_by(AuditEvent.id))]
        assert [a[1] for a in actions if a] == ["draft", "completed"]
    assert client.get(url).status_code == 303  # already recorded

    printable = client.get(f"/reg45/{review_id}/print").get_data(as_text=True)
    assert NARRATIVE["children_views"] in printable and "Alder House" in printable
    assert "Record that it was sent" not in printable and "Sign out" not in printable


def test_completion_dates_come_from_the_completion_date(app, world):
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        now = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)  # the day after the clocks go forward
        review = reg45.start_review(home, period_start=date(2025, 10, 1), period_end=date(2026, 3, 20), by=manager,
                                    now=now)
        reg45.save_narrative(review, by=manager, **NARRATIVE)
        reg45.complete_review(review, completed_on=date(2026, 3, 27), by=manager, now=now)
        assert review.completed_at == london_day_end(date(2026, 3, 27))
        ofsted = reg45_queries.ofsted_obligation(review)
        assert ofsted.due_at == london_day_end(date(2026, 4, 24))  # 28 days after completion
        assert ofsted.due_at == datetime(2026, 4, 24, 22, 59, 59, tzinfo=UTC)  # BST
        nxt = db.session.scalar(select(Obligation).where(Obligation.rule_code == "reg45_review"))
        assert nxt.due_at == london_day_end(date(2026, 9, 27))  # floating: 6 months after completion
        reg45.record_sent_to_ofsted(review, sent_on=date(2026, 4, 27), by=manager,
                                    now=datetime(2026, 4, 28, 9, 0, tzinfo=UTC))
        assert ofsted.status == ObligationStatus.MET_LATE


def test_start_form_errors_and_one_review_at_a_time(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    url = f"/homes/{world.home_a.id}/reg45/new"
    cases = [
        ({}, ["Enter the start of the period", "Enter the end of the period"]),
        ({**dmy(TODAY, "period_start"), **dmy(TODAY - timedelta(days=5), "period_end")},
         ["The start of the period must be before its end"]),
        ({**dmy(TODAY - timedelta(days=30), "period_start"), **dmy(TODAY + timedelta(days=1), "period_end")},
         ["The end of the period must be today or in the past"]),
        ({**dmy(TODAY - timedelta(days=800), "period_start"), **dmy(TODAY, "period_end")},
         ["The period must be 12 months or shorter"]),
        ({"period_start": ["1", "13", "2026"], **dmy(TODAY, "period_end")},
         ["The start of the period must be a real date"]),
    ]
    for data, messages in cases:
        response = post(auth, url, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "There is a problem" in page, data
        for message in messages:
            assert message in page, (data, message)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reg45Review)) == 0
    good = {**dmy(TODAY - timedelta(days=100), "period_start"), **dmy(TODAY, "period_end")}
    assert post(auth, url, good).status_code == 303
    again = post(auth, url, good)  # a review is already in progress
    assert again.status_code == 303 and "/reg45/" in again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reg45Review)) == 1


def test_roles_and_scope(app, client, world, auth):
    with app.app_context(), acting_as("test"):
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        review = reg45.start_review(db.session.get(Home, world.home_a.id), period_start=TODAY - timedelta(days=90),
                                    period_end=TODAY, by=manager)
        review_id = review.id
    for role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        auth.sign_in(world.users[role])
        assert client.get(f"/reg45/{review_id}").status_code == 200
        assert client.get(f"/homes/{world.home_a.id}/reg45").status_code == 200
        assert client.get(f"/reg45/{review_id}/edit").status_code == 403
        assert post(auth, f"/reg45/{review_id}/complete", dmy(TODAY, "completed_on")).status_code == 403
        assert client.get(f"/homes/{world.home_a.id}/reg45/new").status_code == 403
        auth.sign_out()
    for role in (Role.REG44_VISITOR, Role.ADMIN):
        auth.sign_in(world.users[role])
        assert client.get(f"/reg45/{review_id}").status_code == 403
        auth.sign_out()
    auth.sign_in(world.manager_b)
    for path in ("", "/print", "/edit", "/complete", "/sent-to-ofsted"):
        assert client.get(f"/reg45/{review_id}{path}").status_code == 404, path
    assert post(auth, f"/reg45/{review_id}/edit", NARRATIVE).status_code == 404
    assert client.get(f"/homes/{world.home_a.id}/reg45").status_code == 404
    assert client.get(f"/homes/{world.home_a.id}/reg45/new").status_code == 404
    with app.app_context():
        assert db.session.get(Reg45Review, review_id).quality_of_care == ""


def test_pages_explain_the_cycle_from_the_rule_table(app, client, world, auth):
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.rules.service import rule_by_code, update_rule
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(f"/homes/{world.home_a.id}/reg45").get_data(as_text=True)
    assert "every 6 months" in page and "within 28 days" in page
    with app.app_context(), acting_as("test"):
        rule = rule_by_code("reg45_report_to_ofsted")
        update_rule(rule, timing={"kind": "calendar_days", "amount": 21}, ladder=rule.ladder,
                    due_soon_days=rule.due_soon_days, active=True)
    page = client.get(f"/homes/{world.home_a.id}/reg45").get_data(as_text=True)
    assert "within 21 days" in page and "within 28 days" not in page
