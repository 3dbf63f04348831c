"""The home-staff role (deputies, shift leaders, residential workers), assigned to one home:
they log the fire log and read their home's certificate register; they do not see Reg 44
visits and reports, Reg 45 reviews, other homes or admin; reg 44(3) secrecy covers them."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from homes_qa.checks.models import FireLogEntry
from homes_qa.core.roles import HOME_STAFF, ROLES, Role
from homes_qa.extensions import db
from homes_qa.spine.access import obligation_visible_to
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.spine.transaction import ServiceError
from tests import clock as test_clock

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY


def staff(world):
    return world.users[Role.HOME_STAFF]


def test_home_staff_is_a_role_in_the_reg44_secrecy_group():
    assert Role.HOME_STAFF in ROLES
    assert Role.HOME_STAFF in HOME_STAFF


def test_home_staff_log_a_weekly_fire_test(app, client, world, auth):
    auth.sign_in(staff(world))
    home = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert "Log a weekly fire alarm test" in home
    response = auth.post(f"/homes/{world.home_a.id}/fire-log/alarm-test/new", {
        "done_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)], "call_point": "CP4 lounge",
        "result": "satisfactory"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(FireLogEntry.recorded_by_id)) == staff(world).id


def test_home_staff_read_the_register_but_do_not_record_certificates(client, world, auth):
    auth.sign_in(staff(world))
    html = client.get(f"/homes/{world.home_a.id}/register").get_data(as_text=True)
    assert "Gas safety certificate" in html
    assert "Record a certificate" not in html
    assert client.get(f"/homes/{world.home_a.id}/register/gas_safety/record").status_code == 403


def test_home_staff_see_no_reg44_on_the_home_page_or_in_the_menu(client, world, auth):
    auth.sign_in(staff(world))
    html = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
    assert 'id="regulation-44"' not in html
    assert "Reg 44 visits" not in html
    assert client.get("/reg44/").status_code == 403


def test_home_staff_do_not_see_reg44_reports_reg45_admin_or_other_homes(app, client, world, auth):
    from homes_qa.reg44.models import Reg44Report, Reg44Visit
    with app.app_context(), acting_as("test"):
        visitor = world.users[Role.REG44_VISITOR]
        visit = Reg44Visit(home_id=world.home_a.id, visitor_id=visitor.id, status="recorded", announced=True,
                           visited_on=TODAY)
        db.session.add_all([visit, Reg44Report(visit=visit, home_id=world.home_a.id, version=1, status="submitted",
                                               author_id=visitor.id)])
        db.session.commit()
        visit_id = visit.id
    auth.sign_in(staff(world))
    assert client.get(f"/reg44/visits/{visit_id}/report").status_code == 403
    assert client.get(f"/homes/{world.home_a.id}/reg45").status_code == 403
    assert client.get("/admin/users").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.get(f"/homes/{world.home_b.id}").status_code == 404
    assert client.get(f"/homes/{world.home_b.id}/fire-log").status_code == 404


def test_unannounced_visit_obligations_are_hidden_from_home_staff(app, world):
    with app.app_context():
        obligation = Obligation(hidden_from_home_staff=True)
        assert not obligation_visible_to(db.session.get(User, staff(world).id), obligation)
        assert obligation_visible_to(db.session.get(User, world.users[Role.SERVICE_MANAGER].id), obligation)


def test_home_staff_work_in_one_home(app, world):
    with app.app_context(), acting_as("test"):
        user = db.session.get(User, staff(world).id)
        with pytest.raises(ServiceError, match="works in one home"):
            people.assign(db.session.get(Home, world.home_b.id), user)


def test_the_database_accepts_home_staff_and_still_refuses_unknown_roles(app, world):
    with app.app_context():
        db.session.execute(text("UPDATE users SET role = 'home_staff' WHERE id = :id"),
                           {"id": world.unassigned_manager.id})
        db.session.commit()
        with pytest.raises(Exception, match="ck_users_role"):
            db.session.execute(text("UPDATE users SET role = 'superuser' WHERE id = :id"),
                               {"id": world.unassigned_manager.id})
        db.session.rollback()


def test_create_user_cli_knows_the_role(runner, app):
    result = runner.invoke(args=["create-user", "--name", "Sam Deputy", "--email", "sam@a.example.org",
                                 "--role", "home_staff", "--password", "correct-horse-battery-staple"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "sam@a.example.org")) == "home_staff"


