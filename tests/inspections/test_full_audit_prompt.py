"""A full audit prompted by a new registered manager (seed 002 §7.1, "Scheduled full audit:
normally completed when a new manager has taken over the home"; rule `full_audit_new_manager`).

Assigning a registered manager to a home that has, or had, another registered manager makes one
obligation for the QA lead (head of service) to commission a full audit of the home, shown on the
QA reviews page and the QA lead's first page; commissioning a full audit covering the home meets
it. The first manager of a new home, and anyone who is not a registered manager, prompt nothing.
The assignment is made by the spine (people.assign), which sends `assignment_made`; the
inspections area listens."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from homes_qa.core.calendar import london_day_end
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.models import Obligation, ObligationStatus
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Assignment, Home, User
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
RULE = "full_audit_new_manager"


def prompts(app) -> list[Obligation]:
    with app.app_context():
        return list(db.session.scalars(select(Obligation).where(Obligation.rule_code == RULE).order_by(Obligation.id)))


def assign(app, home_id: int, user_id: int) -> None:
    with app.app_context(), acting_as("test admin"):
        people.assign(db.session.get(Home, home_id), db.session.get(User, user_id))


def unassign(app, home_id: int, user_id: int) -> None:
    with app.app_context(), acting_as("test admin"):
        people.unassign(db.session.scalar(select(Assignment).where(Assignment.home_id == home_id,
                                                                   Assignment.user_id == user_id)))


def new_user(app, name: str, email: str, role: str) -> int:
    with app.app_context(), acting_as("test admin"):
        return people.create_user(name=name, email=email, role=role, password="correct horse battery").id


def test_first_managers_of_new_homes_prompt_nothing(app, world):
    # The world fixture assigned a first registered manager to each of its two homes.
    assert prompts(app) == []
    with app.app_context(), acting_as("test admin"):
        home = people.create_home(name="Cedar House", ofsted_urn="SC900003", address="3 Cedar Road",
                                  registered_places=2)
        home_id = home.id
    assign(app, home_id, world.unassigned_manager.id)
    assert prompts(app) == []


def test_a_second_manager_of_a_home_prompts_one_full_audit_for_the_qa_lead(app, world):
    assign(app, world.home_a.id, world.unassigned_manager.id)  # home A already has its manager
    [prompt] = prompts(app)
    assert prompt.home_id == world.home_a.id and prompt.status == ObligationStatus.OPEN
    assert prompt.responsible_role == Role.HEAD_OF_SERVICE
    assert prompt.period_key == f"new-manager:{world.unassigned_manager.id}"
    assert prompt.subject_type == "Assignment"
    assert "New Manager" in prompt.title
    # 28 days after the assignment ([verify]: the seed leaves the timing to the Head of Service).
    assert prompt.due_at.date() >= TODAY + timedelta(days=27)
    assert prompt.due_at <= london_day_end(TODAY + timedelta(days=28))
    # The same manager assigned again (after removal) prompts nothing new.
    unassign(app, world.home_a.id, world.unassigned_manager.id)
    assign(app, world.home_a.id, world.unassigned_manager.id)
    assert len(prompts(app)) == 1


def test_a_manager_replacing_one_who_left_prompts_a_full_audit(app, world):
    unassign(app, world.home_b.id, world.manager_b.id)  # home B now has no manager
    assign(app, world.home_b.id, world.unassigned_manager.id)
    [prompt] = prompts(app)
    assert prompt.home_id == world.home_b.id


def test_people_who_are_not_registered_managers_prompt_nothing(app, world):
    other_sm = new_user(app, "Second SM", "sm2@a.example.org", Role.SERVICE_MANAGER)
    staff = new_user(app, "Night Staff", "night@b.example.org", Role.HOME_STAFF)
    assign(app, world.home_b.id, other_sm)
    assign(app, world.home_b.id, staff)
    assert prompts(app) == []


def test_the_prompt_shows_to_the_qa_lead_and_a_full_audit_meets_it(app, world, auth):
    assign(app, world.home_a.id, world.unassigned_manager.id)
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    start = auth.client.get("/").get_data(as_text=True)
    assert 'id="qa-commission-prompts"' in start
    assert "Full audit commissioned after a new registered manager" in start
    assert f"/qa-reviews/new?kind=full_audit&amp;home={world.home_a.id}" in start
    listing = auth.client.get("/qa-reviews").get_data(as_text=True)
    assert "Full audit commissioned after a new registered manager" in listing
    form = auth.client.get(f"/qa-reviews/new?kind=full_audit&home={world.home_a.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*(value="full_audit"[^>]*checked|checked[^>]*value="full_audit")', form)
    assert re.search(rf'<input[^>]*(value="{world.home_a.id}"[^>]*checked|checked[^>]*value="{world.home_a.id}")', form)
    # A dip sample of the home does not meet it; a full audit of it does.
    due = TODAY + timedelta(days=21)
    base = {"area": "New manager", "home_ids": [str(world.home_a.id)],
            "assignee_id": str(world.users[Role.SERVICE_MANAGER].id),
            "due_on": [str(due.day), str(due.month), str(due.year)]}
    assert auth.post("/qa-reviews/new", data={**base, "kind": "dip_sample"}).status_code == 303
    assert prompts(app)[0].status == ObligationStatus.OPEN
    assert auth.post("/qa-reviews/new", data={**base, "kind": "full_audit"}).status_code == 303
    [prompt] = prompts(app)
    assert prompt.status == ObligationStatus.MET and prompt.discharged_by_type == "QaReview"
    assert 'id="qa-commission-prompts"' not in auth.client.get("/").get_data(as_text=True)


def test_service_managers_do_not_get_the_prompt_on_their_first_page(app, world, auth):
    assign(app, world.home_a.id, world.unassigned_manager.id)
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert 'id="qa-commission-prompts"' not in auth.client.get("/").get_data(as_text=True)
