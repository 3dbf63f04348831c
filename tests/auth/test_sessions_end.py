"""Sessions end on the server (issue 13): a copy of an old cookie signs nobody in after sign-out,
a password change or deactivation; the calendar secret is stored hashed and does not survive
deactivation; sign-in limits count failures only."""
from __future__ import annotations

import hashlib
import re

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.people.models import User
from tests.helpers import PASSWORD, csrf_token, make_app

NEW_PASSWORD = "a-new-long-password"


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app, value: str):
    """A fresh browser presenting a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other.get("/homes/")


def test_an_old_cookie_replayed_after_sign_out_is_signed_out(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    stolen = _cookie(client)
    assert _replay(app, stolen).status_code == 200
    auth.sign_out()
    assert _replay(app, stolen).status_code == 302


def test_sign_out_ends_the_sessions_on_other_devices(app, world, auth):
    laptop, phone = auth.client, app.test_client()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    token = csrf_token(phone)
    phone.post("/sign-in", data={"email": world.users[Role.REGISTERED_MANAGER].email, "password": PASSWORD,
                                 "csrf_token": token})
    assert phone.get("/homes/").status_code == 200
    auth.sign_out()
    assert laptop.get("/homes/").status_code == 302 and phone.get("/homes/").status_code == 302


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, world, auth):
    user = world.users[Role.REG44_VISITOR]
    other = app.test_client()
    token = csrf_token(other)
    other.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert other.get("/homes/").status_code == 200
    auth.sign_in(user)
    before = _cookie(client)
    assert auth.post("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                           "confirm_password": NEW_PASSWORD}).status_code == 303
    assert client.get("/homes/").status_code == 200  # this session continues
    assert other.get("/homes/").status_code == 302
    assert _replay(app, before).status_code == 302


def test_an_admin_password_reset_ends_the_users_sessions(app, world, auth):
    victim = app.test_client()
    token = csrf_token(victim)
    victim.post("/sign-in", data={"email": world.manager_b.email, "password": PASSWORD, "csrf_token": token})
    stolen = _cookie(victim)
    auth.sign_in(world.users[Role.ADMIN])
    assert auth.post(f"/admin/users/{world.manager_b.id}/password",
                     {"reset-new_password": NEW_PASSWORD}).status_code in (200, 303)
    with app.app_context():
        assert db.session.get(User, world.manager_b.id).session_version == 1
    assert _replay(app, stolen).status_code == 302


def test_deactivation_ends_sessions_for_good_and_reactivation_does_not_revive_them(app, world, auth):
    victim = app.test_client()
    token = csrf_token(victim)
    victim.post("/sign-in", data={"email": world.manager_b.email, "password": PASSWORD, "csrf_token": token})
    stolen = _cookie(victim)
    auth.sign_in(world.users[Role.ADMIN])
    assert auth.post(f"/admin/users/{world.manager_b.id}/active").status_code == 303  # off
    assert auth.post(f"/admin/users/{world.manager_b.id}/active").status_code == 303  # on again
    with app.app_context():
        assert db.session.get(User, world.manager_b.id).active is True
    assert _replay(app, stolen).status_code == 302


def test_a_session_id_without_the_current_version_signs_nobody_in(app, client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    for forged in (str(world.users[Role.REGISTERED_MANAGER].id), f"{world.users[Role.REGISTERED_MANAGER].id}:7",
                   "x:0", f"{2**70}:0", ""):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert client.get("/homes/").status_code == 302, forged


# ---------------------------------------------------------------- the calendar secret

FEED_URL = re.compile(r'id="feed-url"[^>]*value="http://127\.0\.0\.1:5000/calendar/([A-Za-z0-9_-]+)\.ics"')


def test_the_calendar_secret_is_stored_hashed_and_deactivation_ends_the_feed(app, world, auth):
    user = world.manager_b
    auth.sign_in(user)
    page = auth.post("/account/calendar", {"action": "issue"}).get_data(as_text=True)
    secret = FEED_URL.search(page).group(1)
    with app.app_context():
        stored = db.session.get(User, user.id).ical_token
    assert stored == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored
    feed = app.test_client()
    assert feed.get(f"/calendar/{secret}.ics").status_code == 200
    assert feed.get(f"/calendar/{stored}.ics").status_code == 404  # the stored value is no address
    auth.sign_out()
    auth.sign_in(world.users[Role.ADMIN])
    auth.post(f"/admin/users/{user.id}/active")
    auth.post(f"/admin/users/{user.id}/active")  # reactivated
    assert feed.get(f"/calendar/{secret}.ics").status_code == 404
    with app.app_context():
        assert db.session.get(User, user.id).ical_token is None


# ---------------------------------------------------------------- sign-in limits count failures only

def _attempt(client, token, email, password):
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_sixty_successful_sign_ins_from_one_address_in_an_hour_are_fine(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, LOGIN_RATE_LIMIT="10 per minute;50 per hour")
    with app.app_context():
        from homes_qa.spine.audit.models import acting_as
        from homes_qa.spine.people import service as people
        with acting_as("test setup"):
            for n in range(3):
                people.create_user(name=f"Office {n}", email=f"office{n}@example.org",
                                   role=Role.REGISTERED_MANAGER, password=PASSWORD)
    client = app.test_client()
    for n in range(60):
        token = csrf_token(client)
        response = _attempt(client, token, f"office{n % 3}@example.org", PASSWORD)
        assert response.status_code == 303, n
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account/password")})


def test_repeated_failures_for_one_account_are_limited_from_any_address(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, LOGIN_RATE_LIMIT="3 per minute",
                   LOGIN_ACCOUNT_RATE_LIMIT="5 per hour")
    statuses = []
    for n in range(6):
        client = app.test_client()
        token = csrf_token(client)
        response = client.post("/sign-in", data={"email": "Target@Example.org", "password": "wrong",
                                                 "csrf_token": token},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429]
    # Another account from the same addresses is not affected.
    client = app.test_client()
    token = csrf_token(client)
    assert client.post("/sign-in", data={"email": "other@example.org", "password": "wrong", "csrf_token": token},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_failures_from_one_address_are_limited(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    token = csrf_token(client)
    statuses = [_attempt(client, token, f"user{n}@example.org", "x").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
