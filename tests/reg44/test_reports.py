"""Regulation 44 reports: drafts that save as you type, submission, versions, checking and sending."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from test_visits_support import NOW, date_fields, error_summary, obligation, record, reports, submit, today

from homes_qa.core.calendar import london_date, london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.reg44 import service as reg44
from homes_qa.reg44.models import Distribution, Reg44Report, Reg44Visit
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.people.models import User
from homes_qa.spine.transaction import ServiceError

# "Today" is the pinned day (tests/clock.py): services and routes see the same clock.
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def visit(app, world) -> int:
    """A visit to home A recorded today by home A's visitor; no report yet."""
    return record(app, world.users[Role.REG44_VISITOR].id, today(), home_id=world.home_a.id)


def _url(visit_id, tail=""):
    return f"/reg44/visits/{visit_id}/report{tail}"


FULL = {"safeguarded_opinion": "yes", "safeguarded_narrative": "Staff know what to do.",
        "wellbeing_opinion": "with_concerns", "wellbeing_narrative": "Activities are limited at weekends.",
        "findings": "Calm house.\n\nGood food.", "conflict_of_interest": ""}


# ---------------------------------------------------------------- drafts

def test_the_draft_saves_as_you_type_and_can_be_resumed(app, client, world, auth, visit):
    visitor = world.users[Role.REG44_VISITOR]
    auth.sign_in(visitor)
    page = client.get(_url(visit)).get_data(as_text=True)
    assert f'hx-post="/reg44/visits/{visit}/report/autosave"' in page
    assert 'hx-trigger="input changed delay:1s' in page
    assert f'action="/reg44/visits/{visit}/report"' in page  # and a plain form without JavaScript

    response = auth.post(_url(visit, "/autosave"), {"findings": "First impressions", "safeguarded_opinion": "no"},
                         headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert re.search(r'id="autosave-status">Saved at \d\d:\d\d</p>', fragment)
    assert "<html" not in fragment
    saved = reports(app, visit)
    assert [(r["version"], r["status"], r["findings"], r["safeguarded_opinion"]) for r in saved] == [
        (1, "draft", "First impressions", "no")]

    # a bogus opinion is not stored; the next keystrokes update the same draft
    auth.post(_url(visit, "/autosave"), {"findings": "First impressions, then more", "safeguarded_opinion": "maybe"})
    saved = reports(app, visit)
    assert len(saved) == 1 and saved[0]["findings"] == "First impressions, then more"
    assert saved[0]["safeguarded_opinion"] is None

    # resume later
    auth.sign_out()
    auth.sign_in(visitor)
    page = client.get(_url(visit)).get_data(as_text=True)
    assert "First impressions, then more" in page and "Draft last saved" in page


def test_the_plain_form_saves_adds_and_removes_recommendations(app, client, world, auth, visit):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    response = auth.post(_url(visit), {**FULL, "action": "add", "new_text": "Review the rota", "new_days": "28"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#recommendations")
    first = reports(app, visit)[0]["recommendations"][0][0]
    response = auth.post(_url(visit), {**FULL, f"rec_{first}_text": "Review the rota", f"rec_{first}_days": "28",
                                       "action": "add", "new_text": "Fix the fence", "new_days": "60"})
    assert response.status_code == 303
    recs = reports(app, visit)[0]["recommendations"]
    assert [(n, t, d) for _, n, t, d in recs] == [(1, "Review the rota", 28), (2, "Fix the fence", 60)]
    first, second = recs[0][0], recs[1][0]

    page = client.get(_url(visit)).get_data(as_text=True)
    assert f'name="rec_{first}_text"' in page and "Remove recommendation 2" in page

    # edit one, remove the other, in one plain POST each
    response = auth.post(_url(visit), {**FULL, f"rec_{first}_text": "Review the night rota", f"rec_{first}_days": "21",
                                       f"rec_{second}_text": "Fix the fence", f"rec_{second}_days": "60",
                                       "remove": str(first)})
    assert response.status_code == 303
    recs = reports(app, visit)[0]["recommendations"]
    assert [(n, t, d) for _, n, t, d in recs] == [(1, "Fix the fence", 60)]

    # adding without text or days is refused with GOV.UK errors, nothing added
    page = auth.post(_url(visit), {**FULL, f"rec_{second}_text": "Fix the fence", f"rec_{second}_days": "60",
                                   "action": "add", "new_text": "", "new_days": ""}).get_data(as_text=True)
    assert error_summary(page) == ["#new_text Enter the recommendation",
                                   "#new_days Enter the number of days the registered person has to consider it"]
    assert len(reports(app, visit)[0]["recommendations"]) == 1

    response = auth.post(_url(visit), {**FULL, f"rec_{second}_text": "Fix the fence", f"rec_{second}_days": "0",
                                       "action": "save"})
    assert "The number of days must be between 1 and" in response.get_data(as_text=True)


def test_a_report_without_both_opinions_is_not_submitted(app, client, world, auth, visit):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    response = auth.post(_url(visit), {"findings": "Draft findings", "action": "submit"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error_summary(page) == [
        "#safeguarded_opinion Select whether children are effectively safeguarded",
        "#safeguarded_narrative Enter the reasons for your opinion on safeguarding",
        "#wellbeing_opinion Select whether the conduct of the home promotes children's well-being",
        "#wellbeing_narrative Enter the reasons for your opinion on children's well-being"]
    assert "<title>Error:" in page
    saved = reports(app, visit)
    assert saved[0]["status"] == "draft" and saved[0]["findings"] == "Draft findings"  # kept, not submitted
    assert obligation(app, "reg44_report_complete", f"visit:{visit}")["status"] == "open"

    # every opinion needs its reasons, "Yes" included (reg 44(4))
    page = auth.post(_url(visit), {"safeguarded_opinion": "yes", "wellbeing_opinion": "yes",
                                   "wellbeing_narrative": "Children are listened to.",
                                   "action": "submit"}).get_data(as_text=True)
    assert error_summary(page) == ["#safeguarded_narrative Enter the reasons for your opinion on safeguarding"]
    assert reports(app, visit)[0]["status"] == "draft"
    # and the check-your-answers page sends an unfinished draft back to the form
    response = client.get(_url(visit, "/submit"))
    assert response.status_code == 303 and response.headers["Location"].endswith(_url(visit))
    assert auth.post(_url(visit, "/submit")).status_code == 303
    assert reports(app, visit)[0]["status"] == "draft"


def test_the_opinions_are_offered_yes_then_with_concerns_then_no(client, world, auth, visit):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    page = client.get(_url(visit)).get_data(as_text=True)
    for name in ("safeguarded_opinion", "wellbeing_opinion"):
        radios = re.findall(rf'<input[^>]*name="{name}"[^>]*value="([a-z_]+)"', page)
        assert radios == ["yes", "with_concerns", "no"], name
    labels = re.findall(r'<label class="govuk-label govuk-radios__label"[^>]*>\s*([^<]+?)\s*</label>', page)
    assert labels[:3] == ["Yes", "Yes, with concerns", "No"]


def test_submitting_locks_the_report_and_sets_recommendation_deadlines(app, world):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, date(2026, 11, 2), home_id=world.home_a.id, now=NOW)
    submitted_at = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    submit(app, visit_id, visitor.id, now=submitted_at,
           recommendations=(("Review the rota", 28), ("Fix the fence", 60)))
    complete = obligation(app, "reg44_report_complete", f"visit:{visit_id}")
    assert complete["status"] == "met" and complete["met_at"] == submitted_at
    saved = reports(app, visit_id)[0]
    assert saved["status"] == "submitted"
    for rec_id, _number, _text, days in saved["recommendations"]:
        ob = obligation(app, "reg44_recommendation_response", f"rec:{rec_id}")
        assert ob["due_at"] == london_day_end(date(2026, 11, 10) + timedelta(days=days))
        assert ob["status"] == "open"
    with app.app_context():
        visit = db.session.get(Reg44Visit, visit_id)
        by = db.session.get(User, visitor.id)
        with pytest.raises(ServiceError):
            reg44.save_draft(visit, by=by, fields={"findings": "changed after submission"})
        db.session.rollback()
    assert reports(app, visit_id)[0]["findings"] != "changed after submission"


def test_a_submitted_report_cannot_be_changed_through_the_pages(app, client, world, auth, visit):
    visitor = world.users[Role.REG44_VISITOR]
    submit(app, visit, visitor.id)
    auth.sign_in(visitor)
    page = client.get(_url(visit)).get_data(as_text=True)
    assert "Write the report" not in page and "Correct this report" in page
    fragment = auth.post(_url(visit, "/autosave"), {"findings": "sneaky"}).get_data(as_text=True)
    assert "submitted and is locked" in fragment
    response = auth.post(_url(visit), {**FULL, "findings": "sneaky", "action": "save"})
    assert response.status_code == 303
    assert reports(app, visit)[0]["findings"] == "The home is calm and well run."


def test_submission_through_the_form(app, client, world, auth, visit):
    auth.sign_in(world.users[Role.REG44_VISITOR])
    auth.post(_url(visit), {**FULL, "action": "add", "new_text": "Review the rota", "new_days": "28"})
    rec_id = reports(app, visit)[0]["recommendations"][0][0]
    response = auth.post(_url(visit), {**FULL, f"rec_{rec_id}_text": "Review the rota", f"rec_{rec_id}_days": "28",
                                       "action": "submit"})
    # saved, then the check-your-answers page: nothing is locked yet
    assert response.status_code == 303 and response.headers["Location"].endswith(_url(visit, "/submit"))
    assert reports(app, visit)[0]["status"] == "draft"
    check = client.get(_url(visit, "/submit")).get_data(as_text=True)
    assert "Check your report before you submit it" in check
    opinions = check.split('id="check-opinions"')[1].split("</dl>")[0]
    assert "Yes, with concerns" in opinions and "Activities are limited at weekends." in opinions
    assert "Recommendation 1" in check and "Review the rota" in check and "within 28 days" in check
    assert f'href="{_url(visit)}#safeguarded_opinion"' in check  # change links back to the form
    assert obligation(app, "reg44_report_complete", f"visit:{visit}")["status"] == "open"

    response = auth.post(_url(visit, "/submit"))
    assert response.status_code == 303 and response.headers["Location"].endswith(_url(visit))
    assert reports(app, visit)[0]["status"] == "submitted"
    page = client.get(_url(visit)).get_data(as_text=True)
    assert "Version 1 of the report has been submitted" in page
    assert "Yes, with concerns" in page and "<p class=\"govuk-body\">Good food.</p>" in page
    assert obligation(app, "reg44_report_complete", f"visit:{visit}")["status"] in ("met", "met_late")
    ob = obligation(app, "reg44_recommendation_response", f"rec:{rec_id}")
    assert london_date(ob["due_at"]) == today() + timedelta(days=28)


# ---------------------------------------------------------------- versions

def test_a_correction_is_a_new_version_and_earlier_versions_stay_readable(app, client, world, auth, visit):
    visitor = world.users[Role.REG44_VISITOR]
    submit(app, visit, visitor.id, recommendations=(("Review the rota", 28), ("Fix the fence", 60)))
    first = reports(app, visit)[0]
    auth.sign_in(visitor)
    page = auth.post(_url(visit, "/correction"), {"reason": ""}).get_data(as_text=True)
    assert error_summary(page) == ["#reason Enter the reason for the correction"]
    assert len(reports(app, visit)) == 1

    assert auth.post(_url(visit, "/correction"), {"reason": "Wrong date for the fire drill"}).status_code == 303
    v1, v2 = reports(app, visit)
    assert (v2["version"], v2["status"], v2["correction_reason"]) == (2, "draft", "Wrong date for the fire drill")
    assert v2["findings"] == v1["findings"] and len(v2["recommendations"]) == 2
    page = client.get(_url(visit)).get_data(as_text=True)
    assert "This is version 2, a correction of version 1" in page

    # change recommendation 2, keep 1, then submit version 2
    keep, change = v2["recommendations"]
    form = {**FULL, f"rec_{keep[0]}_text": keep[2], f"rec_{keep[0]}_days": str(keep[3]),
            f"rec_{change[0]}_text": "Replace the fence", f"rec_{change[0]}_days": "30", "action": "submit"}
    assert auth.post(_url(visit), form).status_code == 303
    assert auth.post(_url(visit, "/submit")).status_code == 303
    v1, v2 = reports(app, visit)
    assert v1["status"] == v2["status"] == "submitted"

    # version 1 is still there to read, and listed
    old = client.get(_url(visit, "/v1")).get_data(as_text=True)
    assert "The home is calm and well run." in old and "It was corrected" in old
    latest = client.get(_url(visit)).get_data(as_text=True)
    assert "/report/v1" in latest and "/report/v2" in latest and "Wrong date for the fire drill" in latest

    # the unchanged recommendation keeps its deadline; the changed one's old deadline is superseded
    old_keep, old_change = first["recommendations"]
    kept = obligation(app, "reg44_recommendation_response", f"rec:{keep[0]}")
    assert kept is not None and kept["status"] == "open"
    assert obligation(app, "reg44_recommendation_response", f"rec:{old_keep[0]}") is None  # moved to the new one
    assert obligation(app, "reg44_recommendation_response", f"rec:{old_change[0]}")["status"] == "waived"
    assert obligation(app, "reg44_recommendation_response", f"rec:{change[0]}")["status"] == "open"


# ---------------------------------------------------------------- who may do what

def test_the_registered_manager_reads_submitted_reports_and_never_edits(app, client, world, auth, visit):
    visitor = world.users[Role.REG44_VISITOR]
    auth.sign_in(visitor)
    auth.post(_url(visit, "/autosave"), {"findings": "Private draft words"})
    auth.sign_out()

    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(_url(visit)).get_data(as_text=True)
    assert "has not submitted the report" in page and "Private draft words" not in page
    assert client.get(_url(visit, "/v1")).status_code == 404  # a draft is the visitor's alone
    assert client.get(_url(visit, "/v1/print")).status_code == 404

    submit_visit = visit
    with app.app_context():
        v = db.session.get(Reg44Visit, submit_visit)
        by = db.session.get(User, visitor.id)
        reg44.save_draft(v, by=by, fields={"safeguarded_opinion": "yes", "wellbeing_opinion": "yes",
                                           "safeguarded_narrative": "Safe.", "wellbeing_narrative": "Well."})
        reg44.submit_report(v, by=by)
    page = client.get(_url(visit)).get_data(as_text=True)
    assert "Private draft words" in page and "<form" not in page.split('id="main-content"')[1]
    for method, url in (("post", _url(visit)), ("post", _url(visit, "/autosave")), ("get", _url(visit, "/correction")),
                        ("post", _url(visit, "/correction")), ("get", _url(visit, "/check")),
                        ("get", _url(visit, "/sent"))):
        response = auth.post(url, {"findings": "edited"}) if method == "post" else client.get(url)
        assert response.status_code in (403, 404), url
    assert reports(app, visit)[0]["findings"] == "Private draft words"
    assert client.get(_url(visit, "/v1/pdf")).status_code == 200


def test_a_manager_of_another_home_gets_404(app, client, world, auth, visit):
    submit(app, visit, world.users[Role.REG44_VISITOR].id)
    auth.sign_in(world.manager_b)
    for tail in ("", "/v1", "/v1/print", "/v1/pdf"):
        assert client.get(_url(visit, tail)).status_code == 404, tail


# ---------------------------------------------------------------- checking, sending, distribution

def test_the_service_manager_checks_and_sends_to_senior_managers(app, client, world, auth, visit):
    submit(app, visit, world.users[Role.REG44_VISITOR].id)
    manager = world.users[Role.SERVICE_MANAGER]
    auth.sign_in(manager)
    page = client.get(_url(visit)).get_data(as_text=True)
    assert "Check and send to senior managers" in page
    confirm = client.get(_url(visit, "/check")).get_data(as_text=True)
    assert "Confirm: checked and sent" in confirm
    assert auth.post(_url(visit, "/check")).status_code == 303
    assert reports(app, visit)[0]["checked_by_id"] == manager.id
    assert obligation(app, "reg44_report_sent", f"visit:{visit}")["status"] == "met"
    page = client.get(_url(visit)).get_data(as_text=True)
    assert f"Checked and sent to senior managers by {manager.name}" in page
    # once only
    assert auth.post(_url(visit, "/check")).status_code == 303
    assert "already been checked" in client.get(_url(visit)).get_data(as_text=True)


def test_checking_needs_a_submitted_report_and_the_right_role(app, client, world, auth, visit):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert auth.post(_url(visit, "/check")).status_code == 303
    assert obligation(app, "reg44_report_sent", f"visit:{visit}")["status"] == "open"
    auth.sign_out()
    for role in (Role.REG44_VISITOR, Role.REGISTERED_MANAGER):
        auth.sign_in(world.users[role])
        assert auth.post(_url(visit, "/check")).status_code == 403
        auth.sign_out()


def test_the_distribution_log_and_ofsted_meets_the_statutory_deadline(app, client, world, auth, visit):
    submit(app, visit, world.users[Role.REG44_VISITOR].id)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    url = _url(visit, "/sent")
    page = auth.post(url, {}).get_data(as_text=True)
    assert error_summary(page) == ["#recipients Select who the report was sent to", "#method Select how it was sent",
                                   "#sent_on-day Enter the date it was sent"]
    page = auth.post(url, {"recipients": "ofsted", "method": "ofsted_portal",
                           **date_fields("sent_on", today() + timedelta(days=1))}).get_data(as_text=True)
    assert error_summary(page) == ["#sent_on-day The date it was sent must be today or in the past"]
    page = auth.post(url, {"recipients": ["ofsted", "the_press"], "method": "post",
                           **date_fields("sent_on", today())}).get_data(as_text=True)
    assert error_summary(page) == ["#recipients Select who the report was sent to from the list"]

    assert auth.post(url, {"recipients": "placing_authority", "detail": "Northshire County Council",
                           "method": "secure_email", **date_fields("sent_on", today())}).status_code == 303
    assert obligation(app, "reg44_report_statutory", f"visit:{visit}")["status"] == "open"
    assert auth.post(url, {"recipients": "ofsted", "method": "ofsted_portal",
                           **date_fields("sent_on", today())}).status_code == 303
    statutory = obligation(app, "reg44_report_statutory", f"visit:{visit}")
    assert statutory["status"] in ("met", "met_late") and statutory["discharged_by"][0] == "Distribution"
    page = client.get(_url(visit)).get_data(as_text=True)
    log = page.split('id="distribution-log"')[1]
    assert "Ofsted (HMCI)" in log and "Ofsted portal" in log and "Northshire County Council" in log

    # the registered manager reads the log but cannot add to it
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert "Ofsted (HMCI)" in client.get(_url(visit)).get_data(as_text=True)
    assert auth.post(url, {"recipients": "ofsted", "method": "post",
                           **date_fields("sent_on", today())}).status_code == 403
    with app.app_context():
        assert len(db.session.scalars(select(Distribution)).all()) == 2


def test_statutory_deadline_met_late_when_ofsted_gets_it_after_the_check_and_send_deadline(app, world):
    # visit Mon 2 Nov 2026: the copies are due with the check-and-send, Wed 2 Dec (22 working days)
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, date(2026, 11, 2), home_id=world.home_a.id, now=NOW)
    report_id = submit(app, visit_id, visitor.id, now=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    with app.app_context():
        report = db.session.get(Reg44Report, report_id)
        reg44.record_distribution(report, by=db.session.get(User, visitor.id), recipients=["ofsted"], detail="",
                                  method="ofsted_portal", sent_on=date(2026, 12, 3),
                                  now=datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
    assert obligation(app, "reg44_report_statutory", f"visit:{visit_id}")["status"] == "met_late"


def test_one_sending_to_several_recipients_is_one_form_dated_today(app, client, world, auth, visit):
    submit(app, visit, world.users[Role.REG44_VISITOR].id)
    visitor = world.users[Role.REG44_VISITOR]
    auth.sign_in(visitor)  # reg 44(7): the copies are the visitor's to provide
    url = _url(visit, "/sent")
    form = client.get(url).get_data(as_text=True)
    assert form.count('type="checkbox"') == len(reg44.RECIPIENTS) and 'name="recipients"' in form
    assert "The duty is the visitor's" in form
    for part, value in (("day", f"{today():%d}"), ("month", f"{today():%m}"), ("year", f"{today():%Y}")):
        box = re.search(rf'<input[^>]*id="sent_on-{part}"[^>]*>', form)
        assert box is not None and f'value="{value}"' in box.group(0), part  # today by default
    response = auth.post(url, {"recipients": ["registered_manager", "ofsted", "placing_authority"],
                               "method": "secure_email", "detail": "Northshire County Council",
                               **date_fields("sent_on", today())})
    assert response.status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(Distribution).order_by(Distribution.id)).all()
        assert [(r.recipient, r.method, r.sent_on, r.recorded_by_id) for r in rows] == [
            (name, "secure_email", today(), visitor.id)
            for name in ("ofsted", "placing_authority", "registered_manager")]
    statutory = obligation(app, "reg44_report_statutory", f"visit:{visit}")
    assert statutory["status"] == "met" and statutory["discharged_by"][0] == "Distribution"
    page = client.get(_url(visit)).get_data(as_text=True)
    assert "Sending to Ofsted (HMCI), Placing authority and Registered manager has been recorded" in page
    assert "is the duty of the independent person, " + visitor.name in page


def test_the_service_manager_returns_a_report_for_factual_corrections(app, client, world, auth, visit):
    visitor, manager = world.users[Role.REG44_VISITOR], world.users[Role.SERVICE_MANAGER]
    submit(app, visit, visitor.id, recommendations=())
    auth.sign_in(manager)
    assert "Return to the visitor for corrections" in client.get(_url(visit)).get_data(as_text=True)
    page = auth.post(_url(visit, "/return"), {"reason": ""}).get_data(as_text=True)
    assert error_summary(page) == ["#reason Enter what needs correcting"]
    assert auth.post(_url(visit, "/return"), {"reason": "x" * 2001}).status_code == 200
    assert len(reports(app, visit)) == 1

    response = auth.post(_url(visit, "/return"), {"reason": "The visit date in the findings is wrong"})
    assert response.status_code == 303
    v1, v2 = reports(app, visit)
    assert (v1["status"], v2["version"], v2["status"]) == ("submitted", 2, "draft")
    assert v2["correction_reason"] == "The visit date in the findings is wrong"
    assert v2["author_id"] == visitor.id and v2["returned_by_id"] == manager.id
    assert v2["findings"] == v1["findings"]
    page = client.get(_url(visit)).get_data(as_text=True)
    assert f"{manager.name} returned version 1 to {visitor.name} for corrections" in page
    assert "Check and send to senior managers" not in page  # the corrected version is the one to check
    assert auth.post(_url(visit, "/check")).status_code == 303
    assert reports(app, visit)[0]["checked_by_id"] is None
    # once: a second return while version 2 is open is turned back
    assert auth.post(_url(visit, "/return"), {"reason": "again"}).status_code == 303
    assert len(reports(app, visit)) == 2
    auth.sign_out()

    # the visitor sees why, corrects and resubmits through check-your-answers
    auth.sign_in(visitor)
    form = client.get(_url(visit)).get_data(as_text=True)
    assert "Write the report" in form and "returned it for corrections" in form
    assert "The visit date in the findings is wrong" in form
    assert auth.post(_url(visit), {**FULL, "action": "submit"}).status_code == 303
    assert auth.post(_url(visit, "/submit")).status_code == 303
    assert [r["status"] for r in reports(app, visit)] == ["submitted", "submitted"]
    auth.sign_out()

    # the service manager checks version 2
    auth.sign_in(manager)
    assert auth.post(_url(visit, "/check")).status_code == 303
    assert reports(app, visit)[1]["checked_by_id"] == manager.id
    # a checked version cannot be returned
    assert auth.post(_url(visit, "/return"), {"reason": "late thought"}).status_code == 303
    assert len(reports(app, visit)) == 2


def test_only_checkers_return_reports(app, client, world, auth, visit):
    submit(app, visit, world.users[Role.REG44_VISITOR].id)
    for role in (Role.REG44_VISITOR, Role.REGISTERED_MANAGER):
        auth.sign_in(world.users[role])
        assert auth.post(_url(visit, "/return"), {"reason": "mine"}).status_code == 403
        auth.sign_out()
    auth.sign_in(world.manager_b)
    assert client.get(_url(visit, "/return")).status_code in (403, 404)
    with app.app_context():
        report = db.session.scalars(select(Reg44Report)).one()
        with pytest.raises(reg44.NotAllowed):
            reg44.return_for_corrections(report, by=db.session.get(User, world.users[Role.REG44_VISITOR].id),
                                         reason="mine")
    assert len(reports(app, visit)) == 1


# ---------------------------------------------------------------- print and PDF

def test_print_page_and_pdf_come_from_the_same_template(app, client, world, auth, visit):
    submit(app, visit, world.users[Role.REG44_VISITOR].id)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(_url(visit, "/v1/print"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="report-document"' in html and "Regulation 44 independent person's report" in html
    assert "govuk-service-navigation" not in html  # no navigation to print
    pdf = client.get(_url(visit, "/v1/pdf"))
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and len(pdf.data) > 2000
    assert re.match(r'attachment; filename="reg44-report-alder-house-\d{4}-\d\d-\d\d-v1.pdf"',
                    pdf.headers["Content-Disposition"])
    assert client.get(_url(visit, "/v9/pdf")).status_code == 404


def test_pdf_without_system_libraries_falls_back_to_print(app, client, world, auth, visit, monkeypatch):
    from homes_qa.reg44 import pdf as pdf_module

    def missing_pango(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf_module, "html_to_pdf", missing_pango)
    submit(app, visit, world.users[Role.REG44_VISITOR].id)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = client.get(_url(visit, "/v1/pdf"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/v1")
    assert "Save as PDF" in client.get(response.headers["Location"]).get_data(as_text=True)


# ---------------------------------------------------------------- audit trail

def test_report_edits_and_submission_are_in_the_audit_trail(app, client, world, auth, visit):
    visitor = world.users[Role.REG44_VISITOR]
    auth.sign_in(visitor)
    auth.post(_url(visit, "/autosave"), {"findings": "One"})
    auth.post(_url(visit, "/autosave"), {"findings": "One two"})
    auth.post(_url(visit), {**FULL, "action": "submit"})
    auth.post(_url(visit, "/submit"))
    with app.app_context():
        report_id = db.session.scalar(select(Reg44Report.id).where(Reg44Report.visit_id == visit))
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "Reg44Report",
                                                             AuditEvent.record_id == report_id)
                                    .order_by(AuditEvent.id)).all()
        assert [e.action for e in events][0] == "create"
        assert all(e.actor_id == visitor.id for e in events)
        assert any(e.changes.get("findings") == ["One", "One two"] for e in events)
        submitted = [e for e in events if "status" in e.changes]
        assert submitted and submitted[-1].changes["status"] == ["draft", "submitted"]
        assert all(e.home_id == world.home_a.id for e in events)


def test_the_audit_trail_reads_like_a_record(app, client, world, auth):
    visitor, manager = world.users[Role.REG44_VISITOR], world.users[Role.SERVICE_MANAGER]
    visit_id = record(app, visitor.id, date(2026, 11, 2), home_id=world.home_a.id, now=NOW)
    report_id = submit(app, visit_id, visitor.id, now=datetime(2026, 11, 10, 15, 0, tzinfo=UTC),
                       safeguarded="with_concerns")
    with app.app_context():
        reg44.check_and_send(db.session.get(Reg44Report, report_id), by=db.session.get(User, manager.id),
                             now=datetime(2026, 6, 10, 14, 5, tzinfo=UTC))  # BST: 15:05 in London
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    response = client.get("/audit/?record_type=Reg44Report")
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    trail = response.get_data(as_text=True).split('id="audit-results"')[1]
    assert "Changed Reg 44 report" in trail and "Created Reg 44 report" in trail
    assert "<strong>Checked by</strong>" in trail and f"(empty) → {manager.name}" in trail  # a name, not an id
    assert "<strong>Checked at</strong>" in trail and "(empty) → Wed 10 Jun 2026, 15:05" in trail  # London time
    assert "Draft → Submitted" in trail
    assert "<strong>Opinion: children effectively safeguarded</strong>" in trail and "Yes, with concerns" in trail
    assert "(checked_by_id)" in trail  # the stored field's name stays beside its label
    assert f"→ {manager.id}<" not in trail
