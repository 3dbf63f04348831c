"""Home scoping, and a real request through the Flask test client, on PostgreSQL."""
import re

import pytest

from homes_qa.extensions import db
from homes_qa.spine.access import can_see_home, visible_homes

PASSWORD = "correct-horse-battery"  # as in the pg_world fixture
CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ALL = ["Alder House", "Birch House", "Cedar House"]


def _names(homes) -> list[str]:
    return [home.name for home in homes]


def test_registered_manager_sees_only_assigned_homes(pg_world):
    assert _names(visible_homes(pg_world.manager)) == ["Alder House", "Cedar House"]
    assert _names(visible_homes(pg_world.visitor)) == ["Birch House"]


def test_unassigned_manager_sees_nothing(pg_world):
    assert visible_homes(pg_world.unassigned) == []


@pytest.mark.parametrize("who", ["admin", "head"])
def test_admin_and_head_of_service_see_every_home(pg_world, who):
    assert _names(visible_homes(getattr(pg_world, who))) == ALL


def test_can_see_home(pg_world):
    w = pg_world
    assert can_see_home(w.manager, w.alder.id)
    assert not can_see_home(w.manager, w.birch.id)
    assert can_see_home(w.admin, w.birch.id)
    assert not can_see_home(w.admin, 987654)


def _sign_in(client, email: str, password: str = PASSWORD):
    page = client.get("/sign-in")
    assert page.status_code == 200
    match = CSRF_TOKEN.search(page.get_data(as_text=True))
    assert match, "no CSRF token on /sign-in"
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": match.group(1)})


def test_sign_in_and_list_own_homes(pg_world, pg_client):
    response = _sign_in(pg_client, pg_world.visitor.email)
    assert response.status_code == 303
    page = pg_client.get("/homes/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Birch House" in html
    assert "Alder House" not in html and "Cedar House" not in html
    # Signing in was recorded, as an aware UTC instant.
    db.session.expire_all()
    assert pg_world.visitor.last_sign_in_at is not None
    assert pg_world.visitor.last_sign_in_at.utcoffset().total_seconds() == 0


def test_admin_lists_every_home_and_outsider_gets_404(pg_world, pg_client):
    w = pg_world
    assert _sign_in(pg_client, w.admin.email).status_code == 303
    html = pg_client.get("/homes/").get_data(as_text=True)
    assert all(name in html for name in ALL)
    assert pg_client.get(f"/homes/{w.birch.id}").status_code == 200


def test_manager_cannot_open_another_home(pg_world, pg_client):
    w = pg_world
    assert _sign_in(pg_client, w.manager.email).status_code == 303
    html = pg_client.get("/homes/").get_data(as_text=True)
    assert "Alder House" in html and "Cedar House" in html and "Birch House" not in html
    assert pg_client.get(f"/homes/{w.alder.id}").status_code == 200
    assert pg_client.get(f"/homes/{w.birch.id}").status_code == 404


def test_wrong_password_is_refused(pg_world, pg_client):
    response = _sign_in(pg_client, pg_world.manager.email, "not-the-password")
    assert response.status_code == 200
    assert "The email address or password is not correct" in response.get_data(as_text=True)
    assert pg_client.get("/homes/").status_code in (302, 303)
