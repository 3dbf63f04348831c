"""The weekly safeguarding summary: one per service manager per week, drafted from the week's
records for their homes, submitted (locked, obligation met), read by the head of service."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.calendar import london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.incidents.models import SafeguardingSummary, SummaryRead
from homes_qa.incidents.queries import week_start_of
from homes_qa.incidents.service import ensure_weekly_summaries, summary_key
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from tests import clock as test_clock
from tests.incidents.test_incidents import NOW, notify, record, sign_in

pytestmark = pytest.mark.usefixtures("clock")

WEEK = week_start_of(test_clock.TODAY)
URL = f"/safeguarding-summaries/week/{WEEK.isoformat()}"
TEXT = {"themes": "Two missing episodes at Alder House, both returned within hours.",
        "learning": "Return interviews were prompt.", "actions": ""}


def summary_obligation(app, manager_id) -> Obligation | None:
    with app.app_context():
        found = db.session.scalar(select(Obligation).where(
            Obligation.rule_code == "safeguarding_monitoring_weekly",
            Obligation.period_key == f"summary:{manager_id}:{WEEK.isoformat()}"))
        if found is not None:
            db.session.expunge(found)
        return found


def test_the_sweep_makes_one_obligation_per_service_manager_due_at_the_end_of_the_week(app, world):
    with app.app_context():
        assert ensure_weekly_summaries(NOW) == 1
        assert ensure_weekly_summaries(NOW) == 0  # once
    found = summary_obligation(app, world.users[Role.SERVICE_MANAGER].id)
    assert found is not None and found.status == ObligationStatus.OPEN
    assert found.due_at == london_day_end(WEEK + timedelta(days=6))
    assert found.responsible_role == Role.SERVICE_MANAGER


def test_the_draft_shows_the_weeks_figures_for_the_managers_homes(app, world, auth):
    sign_in(auth, world.users[Role.REGISTERED_MANAGER])
    first = record(auth, world, type_code="missing")
    record(auth, world, type_code="need_to_know")
    assert notify(auth, first, "incident_ntk_service_manager").status_code in (200, 303)
    auth.sign_out()
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    page = auth.client.get(URL).get_data(as_text=True)
    assert "Alder House" in page and "Birch House" not in page
    assert "Child missing from the home" in page
    assert "Missing from the home</dt><dd class=\"govuk-summary-list__value\">1<" in page


def test_a_manager_saves_a_draft_then_submits_and_it_is_locked_and_met(app, world, auth):
    manager_id = world.users[Role.SERVICE_MANAGER].id
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    assert auth.post(URL, {**TEXT, "save": "Save as draft"}).status_code == 303
    with app.app_context():
        draft = db.session.scalar(select(SafeguardingSummary))
        assert draft.status == "draft" and draft.figures is None
    response = auth.post(URL, {**TEXT, "submit": "Submit the summary"})
    assert response.status_code == 303
    with app.app_context():
        summary = db.session.scalar(select(SafeguardingSummary))
        assert summary.status == "submitted" and summary.figures["events"] == 0
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "SafeguardingSummary"))
        summary_id = summary.id
    met = summary_obligation(app, manager_id)
    assert met is not None and met.status == ObligationStatus.MET
    # locked: the edit page goes to the summary; a POST is refused by the service
    assert auth.client.get(URL).status_code == 303
    with app.app_context():
        from homes_qa.incidents import service
        from homes_qa.spine.people.models import User
        from homes_qa.spine.transaction import ServiceError
        with pytest.raises(ServiceError):
            service.save_summary(db.session.get(User, manager_id), WEEK, themes="x", learning="y", actions="")
    assert "Two missing episodes" in auth.client.get(f"/safeguarding-summaries/{summary_id}").get_data(as_text=True)


def test_submitting_needs_themes_and_learning(app, world, auth):
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    response = auth.post(URL, {"themes": "", "learning": "", "actions": "", "submit": "Submit the summary"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in body and "Enter the themes of the week" in body
    with app.app_context():
        assert db.session.scalar(select(SafeguardingSummary.id)) is None


@pytest.mark.parametrize("week", [
    (WEEK + timedelta(days=1)).isoformat(),   # not a Monday
    (WEEK + timedelta(weeks=1)).isoformat(),  # not started
    (WEEK - timedelta(weeks=60)).isoformat(),  # more than a year ago
    "2026-13-45", "x" * 300,
])
def test_a_bad_week_is_not_found(world, auth, week):
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    assert auth.client.get(f"/safeguarding-summaries/week/{week}").status_code == 404


def test_the_head_of_service_reads_every_submitted_summary_and_marking_read_is_recorded(app, world, auth):
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    auth.post(URL, {**TEXT, "save": "Save as draft"})
    auth.sign_out()
    sign_in(auth, world.users[Role.HEAD_OF_SERVICE])
    with app.app_context():
        draft_id = db.session.scalar(select(SafeguardingSummary.id))
    assert auth.client.get(f"/safeguarding-summaries/{draft_id}").status_code == 404  # a draft is the manager's
    assert "No summary has been submitted yet" in auth.client.get("/safeguarding-summaries").get_data(as_text=True)
    auth.sign_out()
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    auth.post(URL, {**TEXT, "submit": "Submit the summary"})
    auth.sign_out()
    sign_in(auth, world.users[Role.HEAD_OF_SERVICE])
    listing = auth.client.get("/safeguarding-summaries").get_data(as_text=True)
    assert "Not read" in listing and world.users[Role.SERVICE_MANAGER].name in listing
    assert auth.post(f"/safeguarding-summaries/{draft_id}/read", {}).status_code == 303
    assert auth.post(f"/safeguarding-summaries/{draft_id}/read", {}).status_code == 303  # once
    with app.app_context():
        reads = db.session.scalars(select(SummaryRead)).all()
        assert len(reads) == 1 and reads[0].reader_id == world.users[Role.HEAD_OF_SERVICE].id
    listing = auth.client.get("/safeguarding-summaries").get_data(as_text=True)
    assert "Not read" not in listing and ">Read<" in listing


def test_another_managers_summary_is_not_found(app, world, auth):
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people import service as people
    with app.app_context(), acting_as("test setup"):
        other = people.create_user(name="Other SM", email="other.sm@example.org", role=Role.SERVICE_MANAGER,
                                   password="correct horse battery staple 1")
        from homes_qa.incidents import service
        summary_id = service.save_summary(other, WEEK, themes="t", learning="l", actions="", submit=True).id
        assert summary_key(other, WEEK).startswith("summary:")
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    assert auth.client.get(f"/safeguarding-summaries/{summary_id}").status_code == 404


def test_the_services_weekly_update_is_met_when_every_service_manager_has_submitted(app, world, auth):
    from homes_qa.spine.obligations import service as obligations
    sign_in(auth, world.users[Role.SERVICE_MANAGER])
    auth.post(URL, {**TEXT, "submit": "Submit the summary"})
    with app.app_context():
        week = obligations.obligation_for_period("safeguarding_monitoring_weekly", None, WEEK)
        assert week is not None and week.status == ObligationStatus.MET


def test_the_scheduled_sweep_makes_the_weekly_obligation(app, world):
    from homes_qa.jobs.definitions import sweep_job
    sweep_job(app, "test-holder", NOW)
    assert summary_obligation(app, world.users[Role.SERVICE_MANAGER].id) is not None


def test_flask_sweep_makes_the_weekly_obligation(app, world, runner):
    result = runner.invoke(args=["sweep", "--at", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert summary_obligation(app, world.users[Role.SERVICE_MANAGER].id) is not None


# ---------------------------------------------------------------- its alerts: each manager's own, then the head of service

def _second_manager(app, world) -> tuple[int, str]:
    from homes_qa.spine.audit.models import acting_as
    from homes_qa.spine.people import service as people
    from homes_qa.spine.people.models import Home
    with app.app_context(), acting_as("test setup"):
        other = people.create_user(name="SM Birch", email="sm@b.example.org", role=Role.SERVICE_MANAGER,
                                   password="correct horse battery staple 1")
        people.assign(db.session.get(Home, world.home_b.id), other)
        return other.id, other.email


def _summary_mail(app) -> list[str]:
    from homes_qa.spine.mail.models import OutboundEmail
    with app.app_context():
        return sorted(db.session.scalars(select(OutboundEmail.to_address).where(
            OutboundEmail.kind == "alert", OutboundEmail.subject.like("%Weekly safeguarding%"))))


def test_an_overdue_summary_reaches_only_its_own_manager_then_the_head_of_service(app, world):
    from homes_qa.core.drift import alert_times
    from homes_qa.incidents import service
    from homes_qa.spine.alerts import service as alerts
    from homes_qa.spine.people.models import User
    other_id, other_email = _second_manager(app, world)
    mine = world.users[Role.SERVICE_MANAGER]
    with app.app_context():
        assert ensure_weekly_summaries(NOW) == 2  # one each
        service.save_summary(db.session.get(User, mine.id), WEEK, themes="Quiet week", learning="None",
                             actions="", submit=True)
    late = summary_obligation(app, other_id)
    assert late is not None and late.status == ObligationStatus.OPEN
    assert summary_obligation(app, mine.id).status == ObligationStatus.MET
    times = alert_times(late.due_at, late.ladder_value, late.due_soon_days, late.due_soon_hours)
    with app.app_context():
        alerts.sweep(times[1] + timedelta(seconds=1))  # overdue: the manager whose summary is due hears, once; nobody else
    assert _summary_mail(app) == [other_email]
    with app.app_context():
        alerts.sweep(times[1] + timedelta(seconds=2))
        alerts.sweep(times[2] + timedelta(seconds=1))  # escalated: the head of service, once, for that manager's summary
    assert _summary_mail(app) == sorted([other_email, world.users[Role.HEAD_OF_SERVICE].email])


def test_two_overdue_summaries_reach_each_manager_once(app, world):
    from homes_qa.core.drift import alert_times
    from homes_qa.spine.alerts import service as alerts
    other_id, other_email = _second_manager(app, world)
    with app.app_context():
        ensure_weekly_summaries(NOW)
    late = summary_obligation(app, other_id)
    times = alert_times(late.due_at, late.ladder_value, late.due_soon_days, late.due_soon_hours)
    with app.app_context():
        alerts.sweep(times[1] + timedelta(seconds=1))
    assert _summary_mail(app) == sorted([other_email, world.users[Role.SERVICE_MANAGER].email])


def test_the_daily_digest_lists_each_managers_own_summary_only(app, world):
    from homes_qa.spine.digest import queue_digests
    from homes_qa.spine.mail.models import OutboundEmail
    other_id, other_email = _second_manager(app, world)
    with app.app_context():
        ensure_weekly_summaries(NOW)
    due = summary_obligation(app, other_id).due_at
    with app.app_context():
        queue_digests(due - timedelta(hours=12))  # due soon for both managers
        bodies = {m.to_address: m.body_text for m in db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.kind == "digest"))}
    mine = world.users[Role.SERVICE_MANAGER]
    for address, name, someone_else in ((mine.email, mine.name, "SM Birch"), (other_email, "SM Birch", mine.name)):
        assert bodies[address].count("Weekly safeguarding") == 1, bodies[address]
        assert f"{name}, week of" in bodies[address] and f"{someone_else}, week of" not in bodies[address]
