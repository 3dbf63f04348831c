"""Administrators manage people, homes and assignments; bad input never saves half a record."""
from sqlalchemy import func, select

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import AuditEvent
from homes_qa.spine.people.models import Assignment, Home, User


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


HOME = {"name": "Cherry Tree", "ofsted_urn": "SC777777", "address": "7 Cherry Lane", "registered_places": "4", "status": "open"}


def test_add_home_then_assign_manager(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    response = auth.post("/admin/homes/new", HOME)
    assert response.status_code == 303
    with app.app_context():
        home = db.session.scalar(select(Home).where(Home.name == "Cherry Tree"))
        assert home.ofsted_urn == "SC777777" and home.registered_places == 4
        home_id = home.id
    assert response.headers["Location"].endswith(f"/admin/homes/{home_id}/people")
    assigned = auth.post(f"/admin/homes/{home_id}/people", {"user_id": str(world.unassigned_manager.id)})
    assert assigned.status_code == 303
    auth.sign_out()
    auth.sign_in(world.unassigned_manager)
    assert "Cherry Tree" in client.get("/homes/").get_data(as_text=True)
    assert client.get(f"/homes/{home_id}").status_code == 200


def test_bad_home_form_shows_errors_and_saves_nothing(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    before = _count(app, Home)
    cases = [
        ({}, ["Enter the name of the home", "Enter the Ofsted URN", "Enter the address", "Enter the number of registered places"]),
        ({**HOME, "registered_places": "four"}, ["Registered places must be a whole number"]),
        ({**HOME, "registered_places": "0"}, ["Registered places must be between 1 and 50"]),
        ({**HOME, "ofsted_urn": "12"}, ["Ofsted URN must be 6 to 10 letters or numbers"]),
        ({**HOME, "name": "Alder House"}, ["A home with this name already exists"]),
        ({**HOME, "ofsted_urn": "sc900001"}, ["A home with this Ofsted URN already exists"]),
        ({**HOME, "status": "bogus"}, ["Not a valid choice"]),
    ]
    for data, messages in cases:
        response = auth.post("/admin/homes/new", data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, data
        assert "There is a problem" in page and "<title>Error:" in page
        for message in messages:
            assert message in page, (data, message)
    assert _count(app, Home) == before


def test_edit_home_refusal_keeps_saved_values(app, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    response = auth.post(f"/admin/homes/{world.home_a.id}/edit", {**HOME, "name": "Birch House"})
    assert "A home with this name already exists" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Home, world.home_a.id).name == "Alder House"


def test_add_and_edit_user(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    data = {"name": "Priya Shah", "email": "Priya.Shah@Example.org", "role": Role.SERVICE_MANAGER,
            "password": "a-long-temporary-pw"}
    assert auth.post("/admin/users/new", data).status_code == 303
    duplicate = auth.post("/admin/users/new", {**data, "email": "priya.shah@example.org"})
    assert "A user with this email address already exists" in duplicate.get_data(as_text=True)
    short = auth.post("/admin/users/new", {**data, "email": "x@example.org", "password": "short"})
    assert "Password must be 12 characters or more" in short.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "priya.shah@example.org"))
        assert user.role == Role.SERVICE_MANAGER
        user_id = user.id
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "x@example.org")) == 0
    assert auth.post(f"/admin/users/{user_id}/edit", {"name": "Priya Shah-Jones", "email": "priya.shah@example.org",
                                                      "role": Role.HEAD_OF_SERVICE}).status_code == 303
    with app.app_context():
        assert db.session.get(User, user_id).role == Role.HEAD_OF_SERVICE


def test_assignment_rules(app, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    head = world.users[Role.HEAD_OF_SERVICE]
    page = auth.post(f"/admin/homes/{world.home_a.id}/people", {"user_id": str(head.id)}).get_data(as_text=True)
    assert "There is a problem" in page
    page = auth.post(f"/admin/homes/{world.home_a.id}/people", {"user_id": "0"}).get_data(as_text=True)
    assert "Select a person to assign" in page
    page = auth.post(f"/admin/homes/{world.home_a.id}/people", {"user_id": "abc"}).get_data(as_text=True)
    assert "There is a problem" in page
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.home_id == world.home_b.id))
    # An assignment must be removed through its own home's URL
    assert auth.post(f"/admin/homes/{world.home_a.id}/people/{assignment_id}/remove").status_code == 404
    assert auth.post(f"/admin/homes/{world.home_b.id}/people/{assignment_id}/remove").status_code == 303
    assert auth.post(f"/admin/homes/{world.home_b.id}/people/{assignment_id}/remove").status_code == 404


def test_changes_are_in_the_audit_trail(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    auth.post(f"/admin/homes/{world.home_a.id}/edit", {**HOME, "name": "Alder House", "ofsted_urn": "SC900001",
                                                       "registered_places": "6"})
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "Home", AuditEvent.action == "update").order_by(AuditEvent.id.desc())).first()
        assert event.actor_id == world.users[Role.ADMIN].id
        assert event.home_id == world.home_a.id
        assert event.changes["registered_places"] == [4, 6]
        assert event.changes["address"] == ["1 Alder Road", "7 Cherry Lane"]
        assert "name" not in event.changes  # unchanged fields are not listed
    page = client.get(f"/audit/?home={world.home_a.id}&record_type=Home").get_data(as_text=True)
    assert "registered_places" in page and "4 → 6" in page
    # htmx filter returns only the results fragment
    fragment = client.get("/audit/?record_type=Home", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="audit-results">')


def test_password_changes_are_audited_without_the_hash(app, world, auth):
    user = world.users[Role.REG44_VISITOR]
    auth.sign_in(user)
    auth.post("/account/password", {"current_password": "correct-horse-battery", "new_password": "another-long-password",
                                    "confirm_password": "another-long-password"})
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "User", AuditEvent.record_id == user.id)
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.action == "update" and event.actor_id == user.id
        assert event.changes["password_hash"] == ["(changed, not shown)", "(changed, not shown)"]
        assert "argon2" not in str(event.changes)


def test_audit_trail_is_append_only(app, world):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from homes_qa.spine.audit.models import AuditTrailError
    with app.app_context():
        event = db.session.scalars(select(AuditEvent)).first()
        event.actor_label = "someone else"
        with pytest.raises(AuditTrailError):
            db.session.flush()
        db.session.rollback()
        for sql in ("UPDATE audit_events SET actor_label = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text(sql))
            db.session.rollback()


def test_unassign_is_audited_as_delete(app, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    with app.app_context():
        assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.home_id == world.home_b.id))
    auth.post(f"/admin/homes/{world.home_b.id}/people/{assignment_id}/remove")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "Assignment",
                                                           AuditEvent.record_id == assignment_id, AuditEvent.action == "delete"))
        assert event is not None and event.home_id == world.home_b.id


def test_admin_resets_a_forgotten_password(app, client, world, auth):
    from tests.helpers import csrf_token
    auth.sign_in(world.users[Role.ADMIN])
    short = auth.post(f"/admin/users/{world.manager_b.id}/password", {"reset-new_password": "short"})
    assert short.status_code == 200 and "Password must be 12 characters or more" in short.get_data(as_text=True)
    assert auth.post(f"/admin/users/{world.manager_b.id}/password",
                     {"reset-new_password": "a-fresh-temporary-pw"}).status_code == 303
    auth.sign_out()
    token = csrf_token(client)
    response = client.post("/sign-in", data={"email": world.manager_b.email, "password": "a-fresh-temporary-pw",
                                             "csrf_token": token})
    assert response.status_code == 303
