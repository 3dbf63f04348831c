"""Pre-visit feedback: single-use expiring links that reveal nothing, who reads which answers,
unannounced visits kept from home staff, and the feedback obligations discharged."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from homes_qa.core.calendar import london_day_end, london_day_start
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.feedback import service as feedback
from homes_qa.feedback.models import FeedbackRequest, FeedbackResponse
from homes_qa.reg44.models import Reg44Visit
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations import service as obligations
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people.models import Home, User
from tests import clock as test_clock

# "Today" is the pinned day (tests/clock.py): services, routes and the test see the same clock.
pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY  # the London day the `clock` fixture pins

RULES = ("young_people_feedback_pre_visit", "professional_feedback_pre_visit")
LINK = re.compile(r"/feedback/([A-Za-z0-9_-]{43,})")
YOUNG = {"feel_safe": "mostly", "good": "The food is great", "better": "More trips out",
         "tell_visitor": "My room is cold", "share_name": "no"}
PROFESSIONAL = {"role": "iro", "communication": "good", "communication_comments": "Always rings back",
                "child_helped": "partly", "child_helped_comments": "", "concerns": "Night staffing is thin",
                "share_name": "yes", "respondent": "Pat Jones"}


def make_visit(app, world, *, home=None, status="planned", announced=True, visitor=None,
               planned_for=None, visited_on=None) -> int:
    """A visit made with the models, with the feedback obligations the visits feature makes."""
    home = home or world.home_a
    visitor = visitor or world.users[Role.REG44_VISITOR]
    planned_for = planned_for or TODAY + timedelta(days=20)
    with app.app_context(), acting_as("test"):
        home_row = db.session.get(Home, home.id)
        visit = Reg44Visit(home_id=home.id, visitor_id=visitor.id, status=status, announced=announced,
                           planned_for=planned_for,
                           visited_on=visited_on or (TODAY - timedelta(days=1) if status == "recorded" else None))
        db.session.add(visit)
        db.session.flush()
        for code in RULES:
            obligation = obligations.obligation_for_event(code, home_row, london_day_start(planned_for),
                                                          key=f"visit:{visit.id}", subject=visit)
            obligation.hidden_from_home_staff = not announced
        db.session.commit()
        return visit.id


def obligation(app, code: str, visit_id: int) -> dict:
    with app.app_context():
        o = db.session.scalar(select(Obligation).where(Obligation.rule_code == code,
                                                       Obligation.period_key == f"visit:{visit_id}"))
        return {"status": o.status, "due_at": o.due_at, "met_at": o.met_at, "by": o.discharged_by_type,
                "by_id": o.discharged_by_id}


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """A CSRF token of this client's session, read from a real form (as tests/conftest.py does;
    importing `conftest` is ambiguous once the browser tests are collected too)."""
    return _TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def make_links(auth, visit_id: int, audience="young_person", n=1, label="") -> list[str]:
    response = auth.post(f"/reg44/visits/{visit_id}/feedback/links/new",
                         {"audience": audience, "count": str(n), "label": label})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.headers["Cache-Control"] == "private, no-store"
    tokens = LINK.findall(response.get_data(as_text=True))
    assert len(tokens) == n
    return tokens


def answer(client, token: str, data: dict):
    """Answer as someone with no account: fetch the form (for its CSRF token), then post."""
    token_value = csrf_token(client, f"/feedback/{token}")
    return client.post(f"/feedback/{token}", data={"csrf_token": token_value, **data})


# ---------------------------------------------------------------- links


def test_manager_makes_links_a_young_person_answers_once(app, client, world, auth):
    visit_id = make_visit(app, world)
    before = obligation(app, "young_people_feedback_pre_visit", visit_id)
    assert before["status"] == ObligationStatus.OPEN
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    tokens = make_links(auth, visit_id, n=2, label="Young person J")

    # 32 random bytes, urlsafe; only the sha256 is stored.
    with app.app_context():
        hashes = set(db.session.scalars(select(FeedbackRequest.token_hash)))
        labels = set(db.session.scalars(select(FeedbackRequest.label)))
        expiry = [r.expires_at - r.created_at for r in db.session.scalars(select(FeedbackRequest))]
        trail = " ".join(str(e.changes) for e in db.session.scalars(select(AuditEvent)))
    assert all(len(t) >= 43 for t in tokens)
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert labels == {"Young person J (1 of 2)", "Young person J (2 of 2)"}
    assert expiry == [timedelta(days=14)] * 2
    assert not any(t in trail for t in tokens) and not any(h in trail for h in hashes)

    # Making links meets nothing: the feedback counts when answers arrive.
    assert obligation(app, "young_people_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN
    assert obligation(app, "professional_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN

    # The links page is gone after this response; the feedback page lists them without tokens.
    page = client.get(f"/reg44/visits/{visit_id}/feedback").get_data(as_text=True)
    assert "Young person J (1 of 2)" in page and "Waiting for an answer" in page
    assert not any(t in page for t in tokens)

    auth.sign_out()
    public = app.test_client()
    form = public.get(f"/feedback/{tokens[0]}")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "Do you feel safe here?" in html and "What is good about living here?" in html
    for secret in ("Alder House", "Alder Road", "SC900001", "Birch", "Young person J",
                   f"{TODAY + timedelta(days=20):%b %Y}", "unannounced"):
        assert secret not in html, secret
    assert form.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in form.headers["X-Robots-Tag"]

    sent = answer(public, tokens[0], YOUNG)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/feedback/thank-you")
    assert "Thank you" in public.get("/feedback/thank-you").get_data(as_text=True)
    with app.app_context():
        response = db.session.scalar(select(FeedbackResponse))
        request = db.session.get(FeedbackRequest, response.request_id)
        assert response.visit_id == visit_id and response.audience == "young_person"
        assert response.anonymous is True and response.respondent == "" and response.entered_by_id is None
        assert response.answers == {"feel_safe": "mostly", "good": "The food is great",
                                    "better": "More trips out", "tell_visitor": "My room is cold"}
        assert request.used_at is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "FeedbackResponse"))
        assert event.actor_label == "feedback link (no account)"
        assert "My room is cold" not in str(event.changes)  # the trail says an answer came, not what

    # Single use: the same link again, to read or to post, is a friendly "already used" page.
    again = public.get(f"/feedback/{tokens[0]}")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    replay = public.post(f"/feedback/{tokens[0]}", data={"csrf_token": _any_token(public), **YOUNG})
    assert replay.status_code == 410
    assert count(app, FeedbackResponse) == 1
    # The other link still works.
    assert public.get(f"/feedback/{tokens[1]}").status_code == 200


def _any_token(client) -> str:
    return csrf_token(client, "/sign-in")


def test_expired_and_unknown_links_get_friendly_pages_and_save_nothing(app, client, world):
    visit_id = make_visit(app, world)
    with app.app_context(), acting_as("test"):
        visit = db.session.get(Reg44Visit, visit_id)
        hos = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        past = datetime.now(UTC) - timedelta(days=15)
        [old] = feedback.create_links(visit, audience="young_person", by=hos, now=past)
        [fresh] = feedback.create_links(visit, audience="young_person", by=hos, expires_in_days=1)
        token, fresh_token = old.token, fresh.token
    expired = client.get(f"/feedback/{token}")
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    posted = client.post(f"/feedback/{token}", data={"csrf_token": _any_token(client), **YOUNG})
    assert posted.status_code == 410
    unknown = client.get("/feedback/" + "x" * 43)
    assert unknown.status_code == 404 and "not recognised" in unknown.get_data(as_text=True)
    assert client.get("/feedback/short").status_code == 404
    assert count(app, FeedbackResponse) == 0
    # A cancelled visit closes its links.
    with app.app_context(), acting_as("test"):
        db.session.get(Reg44Visit, visit_id).status = "cancelled"
        db.session.commit()
    closed = client.get(f"/feedback/{fresh_token}")
    assert closed.status_code == 410 and "no longer in use" in closed.get_data(as_text=True)


def test_service_expiry_is_checked_with_now(app, world):
    visit_id = make_visit(app, world)
    with app.app_context(), acting_as("test"):
        visit = db.session.get(Reg44Visit, visit_id)
        hos = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        made = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        [link] = feedback.create_links(visit, audience="young_person", by=hos, now=made)
        assert link.request.expires_at == made + timedelta(days=14)
        assert feedback.request_for_token(link.token, now=made + timedelta(days=13)).id == link.request.id
        with pytest.raises(feedback.LinkProblem) as problem:
            feedback.request_for_token(link.token, now=made + timedelta(days=14))
        assert problem.value.reason == "expired"


def test_public_form_errors_by_field_and_nothing_saved(app, client, world, auth):
    visit_id = make_visit(app, world)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    [young] = make_links(auth, visit_id)
    [pro] = make_links(auth, visit_id, audience="professional")
    auth.sign_out()
    public = app.test_client()
    cases = [
        (young, {}, ["Choose yes, mostly or no", "Select whether you want to put your name on your answers"]),
        (young, {**YOUNG, "feel_safe": "maybe"}, ["Select one of the options"]),
        (young, {**YOUNG, "share_name": "yes", "respondent": ""}, ["Enter your name, or choose to keep"]),
        (young, {**YOUNG, "good": "x" * 2001}, ["Your answer must be 2000 characters or fewer"]),
        (pro, {}, ["Choose your role", "Choose good, adequate or poor", "Choose well, partly or not well"]),
        (pro, {**PROFESSIONAL, "role": "plumber"}, ["Choose your role"]),
    ]
    for token, data, messages in cases:
        response = answer(public, token, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, data
        assert "There is a problem" in page and "<title>Error:" in page
        for message in messages:
            assert message in page, (data, message)
            assert re.search(r'govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span> '
                             + re.escape(message), page), (data, message)
    assert count(app, FeedbackResponse) == 0
    with app.app_context():
        assert all(r.used_at is None for r in db.session.scalars(select(FeedbackRequest)))


def test_professional_answers_and_obligation(app, client, world, auth):
    visit_id = make_visit(app, world)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    [token] = make_links(auth, visit_id, audience="professional", label="IRO for J")
    assert obligation(app, "professional_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN
    public = app.test_client()
    page = public.get(f"/feedback/{token}").get_data(as_text=True)
    assert "Social worker" in page and "Independent reviewing officer (IRO)" in page and "Alder" not in page
    assert answer(public, token, PROFESSIONAL).status_code == 303
    met = obligation(app, "professional_feedback_pre_visit", visit_id)
    assert met["status"] == ObligationStatus.MET and met["by"] == "FeedbackResponse"  # the answers arrived
    assert obligation(app, "young_people_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN
    with app.app_context():
        response = db.session.scalar(select(FeedbackResponse))
        assert response.audience == "professional" and response.anonymous is False
        assert response.respondent == "Pat Jones (Independent reviewing officer (IRO))"
        assert response.answers["concerns"] == "Night staffing is thin"
    page = client.get(f"/reg44/visits/{visit_id}/feedback").get_data(as_text=True)
    assert "Night staffing is thin" in page and "Pat Jones" in page and "Answered" in page


def test_obligation_met_before_the_deadline_or_late(app, world):
    planned = date(2026, 12, 14)
    visit_id = make_visit(app, world, planned_for=planned)
    due = obligation(app, "young_people_feedback_pre_visit", visit_id)["due_at"]
    assert due == london_day_end(date(2026, 12, 7))  # 7 days before the planned visit
    with app.app_context(), acting_as("test"):
        visit = db.session.get(Reg44Visit, visit_id)
        manager = db.session.get(User, world.users[Role.REGISTERED_MANAGER].id)
        made = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
        on_time = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
        late = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)
        [young_link] = feedback.create_links(visit, audience="young_person", by=manager, now=made)
        [pro_link] = feedback.create_links(visit, audience="professional", by=manager, now=made)
        feedback.submit_via_link(young_link.token, YOUNG, anonymous=True, now=on_time)
        feedback.submit_via_link(pro_link.token, PROFESSIONAL, anonymous=False, now=late)
    young = obligation(app, "young_people_feedback_pre_visit", visit_id)
    pro = obligation(app, "professional_feedback_pre_visit", visit_id)
    assert (young["status"], young["met_at"]) == (ObligationStatus.MET, on_time)  # when the answer came
    assert (pro["status"], pro["met_at"]) == (ObligationStatus.MET_LATE, late)


def test_the_qa_lead_records_that_no_feedback_came_with_a_reason(app, client, world, auth):
    visit_id = make_visit(app, world)
    url = f"/reg44/visits/{visit_id}/feedback/none"
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(url).status_code == 403  # the QA lead's to record
    auth.sign_out()
    hos = world.users[Role.HEAD_OF_SERVICE]
    auth.sign_in(hos)
    page = client.get(f"/reg44/visits/{visit_id}/feedback").get_data(as_text=True)
    assert "Record that no feedback came" in page and "Waiting for answers" in page
    for data, message in [({"reason": "None came back"}, "Select whose feedback did not come"),
                          ({"audience": "young_person"}, "Enter why no feedback came"),
                          ({"audience": "young_person", "reason": "none"}, "in at least 10 characters"),
                          ({"audience": "young_person", "reason": "x" * 2001}, "2000 characters or fewer")]:
        response = auth.post(url, data)
        assert response.status_code == 200 and message in response.get_data(as_text=True), data
    assert obligation(app, "young_people_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN

    response = auth.post(url, {"audience": "young_person", "reason": "Both young people were away on holiday"})
    assert response.status_code == 303
    with app.app_context():
        closed = db.session.scalar(select(Obligation).where(
            Obligation.rule_code == "young_people_feedback_pre_visit", Obligation.period_key == f"visit:{visit_id}"))
        assert closed.status == ObligationStatus.WAIVED and closed.waived_by_id == hos.id
        assert closed.waived_reason == "No feedback came: Both young people were away on holiday"
    assert obligation(app, "professional_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN
    page = client.get(f"/reg44/visits/{visit_id}/feedback").get_data(as_text=True)
    assert "Both young people were away on holiday" in page
    # once only
    response = auth.post(url, {"audience": "young_person", "reason": "Recorded a second time"})
    assert "already closed" in response.get_data(as_text=True)


def test_links_use_the_public_base_url(app, client, world, auth):
    app.config["PUBLIC_BASE_URL"] = "https://qa.example.org/homes/"
    visit_id = make_visit(app, world)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = auth.post(f"/reg44/visits/{visit_id}/feedback/links/new",
                     {"audience": "young_person", "count": "1"}).get_data(as_text=True)
    assert re.search(r'value="https://qa\.example\.org/homes/feedback/[A-Za-z0-9_-]{43,}"', page)


# ---------------------------------------------------------------- who reads what


def _answer_both_ways(app, world, visit_id):
    with app.app_context(), acting_as("test"):
        visit = db.session.get(Reg44Visit, visit_id)
        hos = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        anonymous, named = feedback.create_links(visit, audience="young_person", count=2, by=hos)
        feedback.submit_via_link(anonymous.token, {"feel_safe": "no", "tell_visitor": "SECRET-ANON staff shout"},
                                 anonymous=True)
        feedback.submit_via_link(named.token, {"feel_safe": "yes", "good": "NAMED-ANSWER pizza nights"},
                                 anonymous=False, respondent="Sam")


def test_manager_does_not_see_anonymous_answers(app, client, world, auth):
    visit_id = make_visit(app, world, status="recorded")
    _answer_both_ways(app, world, visit_id)
    url = f"/reg44/visits/{visit_id}/feedback"

    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get(url).get_data(as_text=True)
    assert "NAMED-ANSWER pizza nights" in page and "Sam" in page
    assert "SECRET-ANON" not in page
    assert "1 person asked to stay anonymous" in page
    auth.sign_out()

    for role in (Role.REG44_VISITOR, Role.SERVICE_MANAGER, Role.HEAD_OF_SERVICE):
        auth.sign_in(world.users[role])
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, role
        assert "SECRET-ANON staff shout" in page and "NAMED-ANSWER" in page, role
        assert response.headers["Cache-Control"] == "private, no-store"
        auth.sign_out()

    auth.sign_in(world.users[Role.ADMIN])  # IT support never reads children's answers
    assert client.get(url).status_code == 403


def test_only_the_visits_own_visitor_and_scoped_people(app, client, world, auth):
    visit_id = make_visit(app, world, status="recorded")
    url = f"/reg44/visits/{visit_id}/feedback"
    with app.app_context(), acting_as("test"):
        from homes_qa.spine.people import service as people
        other = people.create_user(name="Other Visitor", email="other@a.example.org", role=Role.REG44_VISITOR,
                                   password="correct-horse-battery")
        people.assign(db.session.get(Home, world.home_a.id), other)
    auth.sign_in("other@a.example.org")
    assert client.get(url).status_code == 404  # assigned to the home, but not this visit's visitor
    auth.sign_out()
    for user in (world.manager_b, world.visitor_b):  # another home's people
        auth.sign_in(user)
        assert client.get(url).status_code == 404
        assert client.get(f"/reg44/visits/{visit_id}/feedback/links/new").status_code in (403, 404)
        auth.sign_out()
    auth.sign_in(world.manager_b)
    assert auth.post(f"/reg44/visits/{visit_id}/feedback/links/new",
                     {"audience": "young_person", "count": "1"}).status_code == 404
    assert count(app, FeedbackRequest) == 0


def test_unannounced_visit_is_kept_from_home_staff(app, client, world, auth):
    visit_id = make_visit(app, world, announced=False)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    for path in ("feedback", "feedback/links/new", "feedback/young-person/new"):
        assert client.get(f"/reg44/visits/{visit_id}/{path}").status_code == 404, path
    assert auth.post(f"/reg44/visits/{visit_id}/feedback/links/new",
                     {"audience": "young_person", "count": "1"}).status_code == 404
    assert auth.post(f"/reg44/visits/{visit_id}/feedback/young-person/new",
                     {**YOUNG, "share_name": "no"}).status_code == 404
    assert count(app, FeedbackRequest) == 0 and count(app, FeedbackResponse) == 0
    auth.sign_out()

    # The QA team asks instead.
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    [token] = make_links(auth, visit_id)
    assert obligation(app, "young_people_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN
    assert answer(app.test_client(), token, YOUNG).status_code == 303
    assert obligation(app, "young_people_feedback_pre_visit", visit_id)["status"] == ObligationStatus.MET
    auth.sign_out()

    # Once the visit has happened, the manager may see the (non-anonymous) feedback.
    with app.app_context(), acting_as("test"):
        visit = db.session.get(Reg44Visit, visit_id)
        visit.status, visit.visited_on = "recorded", TODAY
        db.session.commit()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert client.get(f"/reg44/visits/{visit_id}/feedback").status_code == 200


def test_staff_enter_a_young_persons_answers(app, client, world, auth):
    visit_id = make_visit(app, world)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    url = f"/reg44/visits/{visit_id}/feedback/young-person/new"
    assert "Does the young person want their name on their answers?" in client.get(url).get_data(as_text=True)
    bad = auth.post(url, {"good": "ok"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "There is a problem" in page
    assert "Choose yes, mostly or no" in page and "Select whether the young person wants their name" in page
    assert count(app, FeedbackResponse) == 0
    assert obligation(app, "young_people_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN

    done = auth.post(url, {"feel_safe": "yes", "good": "Staff listen", "share_name": "yes", "respondent": "A.B."})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/reg44/visits/{visit_id}/feedback")
    with app.app_context():
        response = db.session.scalar(select(FeedbackResponse))
        assert response.entered_by_id == world.users[Role.REGISTERED_MANAGER].id and response.request_id is None
        assert response.respondent == "A.B." and response.anonymous is False
    met = obligation(app, "young_people_feedback_pre_visit", visit_id)
    assert met["status"] == ObligationStatus.MET and met["by"] == "FeedbackResponse"
    page = client.get(f"/reg44/visits/{visit_id}/feedback").get_data(as_text=True)
    assert "Staff listen" in page and "entered by Registered manager A" in page


def test_links_form_errors(app, client, world, auth):
    visit_id = make_visit(app, world)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    url = f"/reg44/visits/{visit_id}/feedback/links/new"
    for data, message in [({"count": "1"}, "Select who the links are for"),
                          ({"audience": "young_person", "count": "0"}, "between 1 and 20"),
                          ({"audience": "young_person", "count": "lots"}, "must be a whole number"),
                          ({"audience": "parents", "count": "1"}, "Select who the links are for")]:
        response = auth.post(url, data)
        assert response.status_code == 200 and message in response.get_data(as_text=True), data
    assert count(app, FeedbackRequest) == 0
    assert obligation(app, "young_people_feedback_pre_visit", visit_id)["status"] == ObligationStatus.OPEN


def test_public_link_is_rate_limited(app, world):
    visit_id = make_visit(app, world)
    with app.app_context(), acting_as("test"):
        visit = db.session.get(Reg44Visit, visit_id)
        hos = db.session.get(User, world.users[Role.HEAD_OF_SERVICE].id)
        [link] = feedback.create_links(visit, audience="young_person", by=hos)
    public = app.test_client()
    statuses = [public.get(f"/feedback/{link.token}").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_each_link_has_a_copy_button_and_works_without_javascript(app, client, world, auth):
    """Issue 12: a copy button per link, progressive: without JavaScript the button stays hidden
    and the link is a plain read-only box to copy by hand."""
    visit_id = make_visit(app, world)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    response = auth.post(f"/reg44/visits/{visit_id}/feedback/links/new",
                         {"audience": "young_person", "count": "2", "label": "Young person K"})
    page = response.get_data(as_text=True)
    for n in (1, 2):
        assert re.search(rf'<input class="govuk-input app-feedback-link" id="link-{n}" type="text" value="[^"]+" readonly',
                         page)
        assert re.search(rf'<button type="button" [^>]*data-copy-target="link-{n}" hidden>Copy link', page)
    assert 'id="copy-status" role="status"' in page and "navigator.clipboard" in page
