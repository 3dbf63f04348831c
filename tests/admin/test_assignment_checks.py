"""Issue 12, Reg 43: a visitor is assigned only with an independence declaration; a second
registered manager on one home is assigned only when the administrator confirms it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from homes_qa.admin import service as assigning
from homes_qa.admin.models import INDEPENDENCE_CRITERIA, IndependenceDeclaration
from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Assignment, Home, User
from homes_qa.spine.transaction import ServiceError

pytestmark = pytest.mark.usefixtures("clock")


def _new_visitor(app, email="ivy@a.example.org"):
    with app.app_context(), acting_as("test"):
        user = people.create_user(name="Ivy Marsh", email=email, role=Role.REG44_VISITOR,
                                  password="correct-horse-battery")
        return user.id


def _assignments(app, home_id, user_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.home_id == home_id, Assignment.user_id == user_id))


def test_assigning_a_visitor_asks_for_the_declaration_first(app, client, world, auth):
    visitor_id = _new_visitor(app)
    auth.sign_in(world.users[Role.ADMIN])
    home = world.home_a.id
    step = auth.post(f"/admin/homes/{home}/people", {"user_id": str(visitor_id)})
    assert step.status_code == 303 and step.headers["Location"].endswith(f"/admin/homes/{home}/people/add/{visitor_id}")
    assert _assignments(app, home, visitor_id) == 0  # not yet: nothing declared
    page = client.get(f"/admin/homes/{home}/people/add/{visitor_id}").get_data(as_text=True)
    assert "Declare Ivy Marsh&#39;s independence" in page
    for criterion in INDEPENDENCE_CRITERIA:  # the criteria are quoted on the page
        assert criterion.replace("'", "&#39;") in page
    assert "I confirm that Ivy Marsh is independent of Alder House" in page

    refused = auth.post(f"/admin/homes/{home}/people/add/{visitor_id}", {"note": "Checked her employment"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "There is a problem" in text and "<title>Error:" in text
    assert 'href="#independent"' in text and "Confirm that Ivy Marsh is independent of Alder House" in text
    assert _assignments(app, home, visitor_id) == 0

    too_long = auth.post(f"/admin/homes/{home}/people/add/{visitor_id}", {"independent": "y", "note": "x" * 1001})
    assert too_long.status_code == 200 and "Note must be 1000 characters or fewer" in too_long.get_data(as_text=True)
    assert _assignments(app, home, visitor_id) == 0

    done = auth.post(f"/admin/homes/{home}/people/add/{visitor_id}",
                     {"independent": "y", "note": "Checked: no employment with the provider"})
    assert done.status_code == 303
    admin = world.users[Role.ADMIN]
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.home_id == home,
                                                                Assignment.user_id == visitor_id))
        declaration = assignment.independence
        assert declaration.declared_by_id == admin.id and declaration.note == "Checked: no employment with the provider"
        assert "Ivy Marsh" in declaration.statement and INDEPENDENCE_CRITERIA[0] in declaration.statement
        assert declaration.declared_at is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "IndependenceDeclaration",
                                                           AuditEvent.record_id == declaration.id))
        assert event.action == "create" and event.actor_id == admin.id and event.home_id == home
    people_page = client.get(f"/admin/homes/{home}/people").get_data(as_text=True)
    assert "Ivy Marsh is now assigned to Alder House" in people_page
    assert "Declared" in people_page and f"by {admin.name}" in people_page
    assert "Note: Checked: no employment with the provider" in people_page


def test_the_service_refuses_a_visitor_without_a_declaration(app, world):
    visitor_id = _new_visitor(app)
    with app.app_context(), acting_as("test"):
        home, user = db.session.get(Home, world.home_a.id), db.session.get(User, visitor_id)
        admin = db.session.get(User, world.users[Role.ADMIN].id)
        with pytest.raises(ServiceError, match="Confirm that Ivy Marsh is independent"):
            assigning.assign_to_home(home, user, by=admin)
        with pytest.raises(ServiceError, match="1000 characters"):
            assigning.assign_to_home(home, user, by=admin, independent=True, note="x" * 1001)
        assert db.session.scalar(select(func.count()).select_from(IndependenceDeclaration)) == 0
        assigning.assign_to_home(home, user, by=admin, independent=True)
        assert db.session.scalar(select(func.count()).select_from(IndependenceDeclaration)) == 1


def test_removing_the_assignment_removes_its_declaration_in_the_audit_trail(app, client, world, auth):
    visitor_id = _new_visitor(app)
    auth.sign_in(world.users[Role.ADMIN])
    auth.post(f"/admin/homes/{world.home_a.id}/people/add/{visitor_id}", {"independent": "y"})
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == visitor_id))
        assignment_id, declaration_id = assignment.id, assignment.independence.id
    assert auth.post(f"/admin/homes/{world.home_a.id}/people/{assignment_id}/remove").status_code == 303
    with app.app_context():
        assert db.session.get(IndependenceDeclaration, declaration_id) is None
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.record_type == "IndependenceDeclaration", AuditEvent.record_id == declaration_id,
            AuditEvent.action == "delete")) is not None


def test_a_visitor_assigned_before_declarations_shows_as_not_recorded(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    page = client.get(f"/admin/homes/{world.home_b.id}/people").get_data(as_text=True)  # Visitor B: fixture
    assert "Not recorded" in page and "Not needed" in page  # the visitor; the manager


def test_a_second_registered_manager_asks_for_confirmation(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    home, new = world.home_a.id, world.unassigned_manager
    step = auth.post(f"/admin/homes/{home}/people", {"user_id": str(new.id)})
    assert step.status_code == 303 and step.headers["Location"].endswith(f"/admin/homes/{home}/people/add/{new.id}")
    assert _assignments(app, home, new.id) == 0
    page = client.get(f"/admin/homes/{home}/people/add/{new.id}").get_data(as_text=True)
    current = world.users[Role.REGISTERED_MANAGER].name
    assert f"Alder House already has a registered manager, {current}. Assign New Manager as well?" in page
    assert "Yes, assign New Manager as well" in page and "No, go back" in page
    assert _assignments(app, home, new.id) == 0  # looking is not confirming
    assert auth.post(f"/admin/homes/{home}/people/add/{new.id}").status_code == 303
    assert _assignments(app, home, new.id) == 1
    assert f"New Manager is now assigned to Alder House, with {current}" in client.get(
        f"/admin/homes/{home}/people").get_data(as_text=True)


def test_the_first_registered_manager_is_assigned_without_a_question(app, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    with app.app_context(), acting_as("test"):
        empty = people.create_home(name="Cedar Lodge", ofsted_urn="SC900003", address="3 Cedar Lane",
                                   registered_places=3).id
    response = auth.post(f"/admin/homes/{empty}/people", {"user_id": str(world.unassigned_manager.id)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/admin/homes/{empty}/people")
    assert _assignments(app, empty, world.unassigned_manager.id) == 1
    # Other roles: no question either (a second service manager is normal)
    with app.app_context(), acting_as("test"):
        sm = people.create_user(name="Second SM", email="sm2@a.example.org", role=Role.SERVICE_MANAGER,
                                password="correct-horse-battery").id
    assert auth.post(f"/admin/homes/{world.home_a.id}/people", {"user_id": str(sm)}).headers[
        "Location"].endswith(f"/admin/homes/{world.home_a.id}/people")


def test_the_service_refuses_a_second_manager_unless_confirmed(app, world):
    with app.app_context(), acting_as("test"):
        home = db.session.get(Home, world.home_a.id)
        user = db.session.get(User, world.unassigned_manager.id)
        admin = db.session.get(User, world.users[Role.ADMIN].id)
        with pytest.raises(assigning.SecondManagerNotConfirmed,
                           match="Alder House already has a registered manager, Registered manager A"):
            assigning.assign_to_home(home, user, by=admin)
        assigning.assign_to_home(home, user, by=admin, second_manager_confirmed=True)
        assert {m.name for m in assigning.registered_managers(home)} == {"Registered manager A", "New Manager"}


def test_the_assignment_steps_are_for_administrators_and_real_people(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    assert client.get(f"/admin/homes/{world.home_a.id}/people/add/999999").status_code == 404
    assert client.get(f"/admin/homes/999999/people/add/{world.unassigned_manager.id}").status_code == 404
    auth.sign_out()
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    assert client.get(f"/admin/homes/{world.home_a.id}/people/add/{world.unassigned_manager.id}").status_code == 403
