"""The checklist saves each answer as given: one question posted on change (htmx) answers with
that question's fragment and the progress count out of band; a plain post (no JavaScript) saves
and goes back to the checklist; the whole-page form keeps working. Home staff enter answers to
the home's own audits but do not start, grade or submit them, nor see the service manager's."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from homes_qa.audits.models import AuditAnswer, AuditStatus, HomeAudit
from homes_qa.audits.templates import latest
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from tests import clock as test_clock
from tests.audits.test_audits import all_yes, dmy, grades, start

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
HS = latest("health_safety")
HX = {"HX-Request": "true"}


def answer_row(app, audit_id, code):
    with app.app_context():
        return db.session.scalar(select(AuditAnswer).where(AuditAnswer.audit_id == audit_id,
                                                           AuditAnswer.question_code == code))


def test_one_answer_saved_by_htmx_returns_its_question_and_the_progress(app, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    audit_id = start(auth, world.home_a.id)
    first = HS.questions[0].code
    response = auth.post(f"/audits/{audit_id}/questions/{first}",
                         {f"answer_{first}": "yes", f"comment_{first}": "Seen this month's record"}, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div class="govuk-!-margin-bottom-8" id="question-{first}"')
    assert f'id="progress" role="status" data-hx-swap-oob="true">1 of {len(HS.questions)} questions answered' in html
    assert "<html" not in html and "Saved" in html
    row = answer_row(app, audit_id, first)
    assert (row.answer, row.comment) == ("yes", "Seen this month's record")


def test_an_htmx_save_changes_only_its_own_question(app, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    audit_id = start(auth, world.home_a.id)
    first, second = HS.questions[0].code, HS.questions[1].code
    auth.post(f"/audits/{audit_id}", {f"answer_{second}": "na"})
    # htmx posts the whole form's values for the question's own fields only, but a stray field is ignored.
    auth.post(f"/audits/{audit_id}/questions/{first}", {f"answer_{first}": "no", f"answer_{second}": "yes"},
              headers=HX)
    assert answer_row(app, audit_id, first).answer == "no"
    assert answer_row(app, audit_id, second).answer == "na"


def test_a_refused_htmx_answer_shows_its_error_by_the_field_and_saves_nothing(app, world, auth):
    manager = world.users[Role.REGISTERED_MANAGER]
    auth.sign_in(manager)
    audit_id = start(auth, world.home_a.id)
    response = auth.post(f"/audits/{audit_id}/questions/hs_windows", {
        "answer_hs_windows": "no", "comment_hs_windows": "Missing", "action_hs_windows": "Fit one",
        "owner_hs_windows": str(manager.id), "due_hs_windows": dmy(TODAY - timedelta(days=1)),
        "priority_hs_windows": "high"}, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "govuk-error-message" in html and "must be today or later" in html
    assert "0 of" in html
    assert answer_row(app, audit_id, "hs_windows") is None


def test_without_javascript_a_question_post_saves_and_returns_to_the_checklist(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    audit_id = start(auth, world.home_a.id)
    first = HS.questions[0].code
    response = auth.post(f"/audits/{audit_id}/questions/{first}", {f"answer_{first}": "na"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/audits/{audit_id}#question-{first}")
    assert answer_row(app, audit_id, first).answer == "na"
    page = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert f"1 of {len(HS.questions)} questions answered" in page
    assert "Your answer has been saved" in page
    refused = auth.post(f"/audits/{audit_id}/questions/{first}", {f"answer_{first}": "maybe"})
    assert refused.status_code == 303
    assert "Your answer was not saved" in client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert answer_row(app, audit_id, first).answer == "na"


def test_the_checklist_marks_each_question_for_htmx_and_keeps_its_own_form(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    audit_id = start(auth, world.home_a.id)
    html = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    for question in HS.questions:
        assert f'data-hx-post="/audits/{audit_id}/questions/{question.code}"' in html
    assert '<form method="post" novalidate>' in html and "Save and continue" in html


def test_no_question_of_another_audit_nor_a_submitted_one_is_saved(app, world, auth):
    manager = world.users[Role.REGISTERED_MANAGER]
    auth.sign_in(manager)
    audit_id = start(auth, world.home_a.id)
    assert auth.post(f"/audits/{audit_id}/questions/nope", {"answer_nope": "yes"}, headers=HX).status_code == 404
    auth.post(f"/audits/{audit_id}", all_yes())
    auth.post(f"/audits/{audit_id}/grade", grades())
    assert auth.post(f"/audits/{audit_id}/check").status_code == 303
    first = HS.questions[0].code
    locked = auth.post(f"/audits/{audit_id}/questions/{first}", {f"answer_{first}": "no"}, headers=HX)
    assert locked.headers.get("HX-Redirect") == f"/audits/{audit_id}/check"
    assert answer_row(app, audit_id, first).answer == "yes"
    auth.sign_out()
    auth.sign_in(world.manager_b)
    assert auth.post(f"/audits/{audit_id}/questions/{first}", {f"answer_{first}": "no"},
                     headers=HX).status_code == 404


# ---------------------------------------------------------------- home staff

def staff_audit(auth, world):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    audit_id = start(auth, world.home_a.id)
    auth.sign_out()
    auth.sign_in(world.users[Role.HOME_STAFF])
    return audit_id


def test_home_staff_answer_the_homes_audit_by_htmx_and_the_whole_form(app, client, world, auth):
    audit_id = staff_audit(auth, world)
    assert "Health and safety audit" in client.get(f"/homes/{world.home_a.id}/audits").get_data(as_text=True)
    page = client.get(f"/audits/{audit_id}")
    assert page.status_code == 200 and "data-hx-post" in page.get_data(as_text=True)
    first = HS.questions[0].code
    assert auth.post(f"/audits/{audit_id}/questions/{first}", {f"answer_{first}": "yes"},
                     headers=HX).status_code == 200
    assert answer_row(app, audit_id, first).answer == "yes"
    whole = auth.post(f"/audits/{audit_id}", all_yes())
    assert whole.status_code == 303 and whole.headers["Location"].endswith(f"/audits/{audit_id}/check")
    check = client.get(f"/audits/{audit_id}/check").get_data(as_text=True)
    assert "Overall: choose a grade" in check  # what the manager still has to do
    assert "Submit the audit" not in check and "Change the grades" not in check
    assert "The registered manager grades and submits the audit" in check


def test_home_staff_do_not_start_grade_or_submit(app, client, world, auth):
    audit_id = staff_audit(auth, world)
    assert "Start<span" not in client.get(f"/homes/{world.home_a.id}/audits").get_data(as_text=True)
    assert auth.post(f"/homes/{world.home_a.id}/audits/fire_safety/start").status_code == 403
    assert client.get(f"/audits/{audit_id}/grade").status_code == 403
    assert auth.post(f"/audits/{audit_id}/grade", grades()).status_code == 403
    assert auth.post(f"/audits/{audit_id}/check").status_code == 403
    with app.app_context():
        assert db.session.get(HomeAudit, audit_id).status == AuditStatus.DRAFT


def test_home_staff_neither_see_nor_answer_the_service_managers_audits(app, client, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    audit_id = start(auth, world.home_a.id, "gdpr")
    auth.sign_out()
    auth.sign_in(world.users[Role.HOME_STAFF])
    index = client.get(f"/homes/{world.home_a.id}/audits").get_data(as_text=True)
    assert "GDPR compliance check" in index  # the list of audits there are
    assert 'id="audits"' not in index  # but none of the home's GDPR audits
    assert client.get(f"/audits/{audit_id}").status_code == 404
    assert client.get(f"/audits/{audit_id}/check").status_code == 404
    with app.app_context():
        code = db.session.get(HomeAudit, audit_id).questions[0]["code"]
    assert auth.post(f"/audits/{audit_id}/questions/{code}", {f"answer_{code}": "yes"}, headers=HX).status_code == 404


def test_home_staff_see_no_other_homes_audit(app, client, world, auth):
    auth.sign_in(world.manager_b)
    audit_id = start(auth, world.home_b.id)
    auth.sign_out()
    auth.sign_in(world.users[Role.HOME_STAFF])
    assert client.get(f"/audits/{audit_id}").status_code == 404
    assert client.get(f"/homes/{world.home_b.id}/audits").status_code == 404


def test_a_due_date_being_typed_is_neither_an_error_nor_saved_yet(app, world, auth):
    manager = world.users[Role.REGISTERED_MANAGER]
    auth.sign_in(manager)
    audit_id = start(auth, world.home_a.id)
    due = TODAY + timedelta(days=7)
    base = {"answer_hs_windows": "no", "comment_hs_windows": "Missing", "owner_hs_windows": str(manager.id)}
    typing = auth.post(f"/audits/{audit_id}/questions/hs_windows",
                       {**base, "due_hs_windows": [str(due.day), "", ""]}, headers=HX).get_data(as_text=True)
    assert "govuk-error-message" not in typing and f'value="{due.day}"' in typing
    assert answer_row(app, audit_id, "hs_windows").due_on is None
    auth.post(f"/audits/{audit_id}/questions/hs_windows", {**base, "due_hs_windows": dmy(due)}, headers=HX)
    assert answer_row(app, audit_id, "hs_windows").due_on == due
    wrong = auth.post(f"/audits/{audit_id}/questions/hs_windows",
                      {**base, "due_hs_windows": ["31", "2", str(due.year)]}, headers=HX).get_data(as_text=True)
    assert "The due date must be a real date" in wrong
    assert answer_row(app, audit_id, "hs_windows").due_on == due
