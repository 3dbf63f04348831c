"""Safeguarding signals raise exactly one alert at once: a Reg 44 report saying children are not
effectively safeguarded (or with concerns), and a young person answering that they don't feel safe."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.feedback import service as feedback
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.alerts import service as alerts
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.signals import SIGNAL_RULE
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
NOW = test_clock.PINNED_NOW


def _visit(app, world) -> int:
    with app.app_context():
        visit = reg44.record_visit(None, by=db.session.get(User, world.users[Role.REG44_VISITOR].id),
                                   home=db.session.get(Home, world.home_a.id), details=reg44.VisitDetails(
                                       visited_on=TODAY - timedelta(days=1), arrived_at="10:00", left_at="12:00",
                                       announced=True, spoke_children=2, spoke_staff=1, spoke_roles="deputy",
                                       records_inspected="Daily logs"))
        return visit.id


def _submit(app, world, visit_id: int, safeguarded: str) -> None:
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        by = db.session.get(User, world.users[Role.REG44_VISITOR].id)
        reg44.save_draft(visit, by=by, fields={
            "safeguarded_opinion": safeguarded, "safeguarded_narrative": "Bedroom checks were not done at night.",
            "wellbeing_opinion": "yes", "wellbeing_narrative": "Children are listened to.", "findings": "Calm."})
        reg44.submit_report(visit, by=by)


def signal_alerts(app) -> list[tuple[int, str, int | None]]:
    with app.app_context():
        return [(a.level, a.target_role, a.home_id) for a in db.session.scalars(
            select(Alert).join(Obligation).where(Obligation.rule_code == SIGNAL_RULE))]


@pytest.mark.parametrize("opinion", ["no", "with_concerns"])
def test_a_not_safeguarded_report_raises_one_alert_at_once(app, world, opinion):
    visit_id = _visit(app, world)
    _submit(app, world, visit_id, opinion)
    assert signal_alerts(app) == [(0, "service_manager", world.home_a.id)]
    with app.app_context():  # the sweep does not raise it again, and its own hour ladder takes over
        alerts.sweep(NOW + timedelta(minutes=5))
    assert signal_alerts(app) == [(0, "service_manager", world.home_a.id)]


def test_a_correction_of_the_same_visit_raises_nothing_more(app, world):
    visit_id = _visit(app, world)
    _submit(app, world, visit_id, "no")
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        reg44.start_correction(visit, by=db.session.get(User, world.users[Role.REG44_VISITOR].id),
                               reason="The date of the night check was wrong.")
    _submit(app, world, visit_id, "no")
    assert len(signal_alerts(app)) == 1


def test_a_safeguarded_report_raises_nothing(app, world):
    _submit(app, world, _visit(app, world), "yes")
    assert signal_alerts(app) == []


@pytest.mark.parametrize("answer, expected", [("no", 1), ("mostly", 0), ("yes", 0)])
def test_a_young_person_who_does_not_feel_safe_raises_one_alert(app, world, answer, expected):
    visit_id = _visit(app, world)
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        feedback.enter_for_young_person(visit, {"feel_safe": answer}, anonymous=True, by=manager)
    assert len(signal_alerts(app)) == expected
    with app.app_context():
        assert db.session.scalar(select(func.count(Obligation.id)).where(
            Obligation.rule_code == SIGNAL_RULE)) == expected


def test_an_answer_through_a_link_raises_it_too(app, world):
    visit_id = _visit(app, world)
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        token = feedback.create_links(visit, audience="young_person", by=manager)[0].token
    with app.app_context():
        feedback.submit_via_link(token, {"feel_safe": "no"}, anonymous=True)
    assert signal_alerts(app) == [(0, "service_manager", world.home_a.id)]


def test_the_service_manager_sees_it_on_the_alerts_page_straight_away(app, world, auth):
    _submit(app, world, _visit(app, world), "no")
    assert auth.sign_in(world.users[Role.SERVICE_MANAGER]).status_code == 303
    page = auth.client.get("/alerts/").get_data(as_text=True)
    assert "Safeguarding concern reviewed by the service manager" in page


def test_the_young_persons_questionnaire_signposts_help_and_says_who_is_told(app, world, client):
    visit_id = _visit(app, world)
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        token = feedback.create_links(visit, audience="young_person", by=manager)[0].token
    page = client.get(f"/feedback/{token}").get_data(as_text=True)
    assert "Childline free on <strong>0800 1111</strong>" in page and "an adult you trust" in page
    assert "the service manager) is told straight away" in page


def test_a_concern_offers_a_need_to_know_which_then_meets_its_review(app, world, auth):
    from tests.incidents.test_incidents import event_form
    _submit(app, world, _visit(app, world), "no")
    with app.app_context():
        signal_id = db.session.scalar(select(Obligation.id).where(Obligation.rule_code == SIGNAL_RULE))
    assert auth.sign_in(world.users[Role.REGISTERED_MANAGER]).status_code == 303
    page = auth.client.get("/incidents").get_data(as_text=True)
    link = f"/homes/{world.home_a.id}/incidents/new?signal={signal_id}"
    assert "Safeguarding concerns to review" in page and link in page
    form = auth.client.get(link).get_data(as_text=True)
    assert "Recorded from a safeguarding concern" in form and 'value="need_to_know" checked' in form
    assert auth.post(link, event_form()).status_code == 303
    with app.app_context():
        assert db.session.get(Obligation, signal_id).status == "met"
    assert "Safeguarding concerns to review" not in auth.client.get("/incidents").get_data(as_text=True)


# ---------------------------------------------------------------- e-mailed at once, to both, once

def signal_mail(app) -> list[tuple[str, str]]:
    from homes_qa.spine.mail.models import OutboundEmail
    with app.app_context():
        return sorted((m.to_address, m.subject.split(":")[0]) for m in db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.subject.like("%Safeguarding concern%"))))


def _both(world) -> list[tuple[str, str]]:
    return sorted((world.users[role].email, "Safeguarding concern raised now")
                  for role in (Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE))


def _sweep_and_mail(app, at) -> None:
    from homes_qa.spine.mail.service import queue_alert_emails
    with app.app_context():
        alerts.sweep(at)
        queue_alert_emails(at)


@pytest.mark.parametrize("opinion", ["no", "with_concerns"])
def test_a_not_safeguarded_report_is_e_mailed_at_once_to_the_service_manager_and_head_of_service(
        app, world, opinion):
    _submit(app, world, _visit(app, world), opinion)
    assert signal_mail(app) == _both(world)  # queued in the same unit of work, not at the next digest
    with app.app_context():
        alert = db.session.scalar(select(Alert).join(Obligation).where(Obligation.rule_code == SIGNAL_RULE))
        assert alert.notified_at is not None
    _sweep_and_mail(app, NOW + timedelta(minutes=5))
    assert signal_mail(app) == _both(world)  # once: the sweep's mail does not send it again


def test_an_i_dont_feel_safe_answer_is_e_mailed_at_once_to_both_once(app, world):
    visit_id = _visit(app, world)
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        feedback.enter_for_young_person(visit, {"feel_safe": "no"}, anonymous=True, by=manager)
    assert signal_mail(app) == _both(world)
    assert len(signal_alerts(app)) == 1
    _sweep_and_mail(app, NOW + timedelta(minutes=5))
    assert signal_mail(app) == _both(world) and len(signal_alerts(app)) == 1


def test_another_homes_service_manager_is_not_told(app, world):
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people import service as people
    with app.app_context(), acting_as("test setup"):
        other = people.create_user(name="SM Birch", email="sm@b.example.org", role=Role.SERVICE_MANAGER,
                                   password="correct horse battery staple 1")
        people.assign(db.session.get(Home, world.home_b.id), other)
    _submit(app, world, _visit(app, world), "no")
    assert "sm@b.example.org" not in {to for to, _ in signal_mail(app)}
