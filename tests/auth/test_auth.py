import logging

import pytest

from homes_qa.core.roles import Role
from tests.helpers import PASSWORD, csrf_token, make_app

GENERIC = "The email address or password is not correct"


def _sign_in(client, email, password):
    token = csrf_token(client)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_wrong_password_and_unknown_email_get_the_same_message(client, world, caplog):
    caplog.set_level(logging.WARNING, logger="homes_qa.auth")
    wrong = _sign_in(client, world.users[Role.ADMIN].email, "not-the-password")
    unknown = _sign_in(client, "nobody@example.org", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert GENERIC in page and "There is a problem" in page
    def strip(r):
        return r.get_data(as_text=True).split("<main")[1].split('name="csrf_token"')[0]

    assert strip(wrong).replace(world.users[Role.ADMIN].email, "X") == strip(unknown).replace("nobody@example.org", "X")
    assert sum("failed sign-in" in r.message for r in caplog.records) == 2


def test_malformed_sign_in_form_shows_errors_by_fields(client):
    token = csrf_token(client)
    page = client.post("/sign-in", data={"email": "not-an-email", "password": "", "csrf_token": token}).get_data(as_text=True)
    assert 'href="#email"' in page and 'href="#password"' in page
    assert 'id="email-error"' in page and 'id="password-error"' in page


def test_deactivated_user_cannot_sign_in(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    assert auth.post(f"/admin/users/{world.manager_b.id}/active").status_code == 303
    auth.sign_out()
    response = _sign_in(client, world.manager_b.email, PASSWORD)
    assert response.status_code == 200 and GENERIC in response.get_data(as_text=True)


def test_deactivating_signs_out_an_existing_session(app, world, auth):
    other = app.test_client()
    assert _sign_in(other, world.manager_b.email, PASSWORD).status_code == 303
    assert other.get("/homes/").status_code == 200
    auth.sign_in(world.users[Role.ADMIN])
    auth.post(f"/admin/users/{world.manager_b.id}/active")
    assert other.get("/homes/").status_code == 302


def test_admin_cannot_deactivate_themselves(world, auth, client):
    auth.sign_in(world.users[Role.ADMIN])
    response = auth.post(f"/admin/users/{world.users[Role.ADMIN].id}/active", follow_redirects=True)
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)


def test_too_many_attempts_get_the_429_page(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    token = csrf_token(client)
    statuses = [client.post("/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": token}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    page = client.post("/sign-in", data={"email": "a@example.org", "password": "x", "csrf_token": token})
    assert page.status_code == 429 and "Too many attempts" in page.get_data(as_text=True)


def test_sign_out_ends_the_session(client, world, auth):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert auth.sign_out().status_code == 303
    assert client.get("/homes/").status_code == 302


def test_session_expires_after_inactivity(client, world, auth, app):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() + 1
    response = client.get("/homes/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.get("/homes/").status_code == 302  # really signed out, not just redirected once


def test_next_parameter_cannot_redirect_off_site(client, world):
    token = csrf_token(client)
    for target in ("https://evil.example.org/", "//evil.example.org/", "/homes/"):
        client.get("/")  # anonymous again after each pass
        response = client.post(f"/sign-in?next={target}", data={
            "email": world.users[Role.ADMIN].email, "password": PASSWORD, "csrf_token": token})
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//"), location
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account/password")})
        token = csrf_token(client)


def test_change_password(client, world, auth):
    user = world.users[Role.REG44_VISITOR]
    auth.sign_in(user)
    bad = auth.post("/account/password", {"current_password": "wrong-password-here", "new_password": "a-new-long-password",
                                          "confirm_password": "a-new-long-password"})
    assert "Your current password is incorrect" in bad.get_data(as_text=True)
    mismatch = auth.post("/account/password", {"current_password": PASSWORD, "new_password": "a-new-long-password",
                                               "confirm_password": "something-else-long"})
    assert "The passwords do not match" in mismatch.get_data(as_text=True)
    ok = auth.post("/account/password", {"current_password": PASSWORD, "new_password": "a-new-long-password",
                                         "confirm_password": "a-new-long-password"})
    assert ok.status_code == 303
    auth.sign_out()
    assert _sign_in(client, user.email, PASSWORD).status_code == 200
    assert _sign_in(client, user.email, "a-new-long-password").status_code == 303


def test_session_cookie_flags(client, world):
    response = _sign_in(client, world.users[Role.ADMIN].email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_and_hsts_when_https_configured(tmp_path, migrated_db):
    app = make_app(tmp_path, migrated_db, FORCE_HTTPS=True)
    client = app.test_client()
    response = client.get("/sign-in", base_url="https://localhost")
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert "Secure" in response.headers["Set-Cookie"]


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    from homes_qa import create_app
    monkeypatch.setenv("HOMES_QA_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_secret_key_generated_into_instance(tmp_path, monkeypatch):
    from homes_qa import create_app
    monkeypatch.delenv("HOMES_QA_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_activity_is_noted_once_a_minute_and_an_unchanged_session_sends_no_cookie(client, world, auth, app):
    """Issue 13: the session cookie was signed and sent on every response. Within a minute of
    the last noted activity a page sends none; after it, the new activity is noted (and the
    idle limit counts from it)."""
    from homes_qa.web.security import LAST_SEEN_STEP_SECONDS
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    client.get("/homes/")
    assert "Set-Cookie" not in client.get("/homes/").headers
    with client.session_transaction() as session:
        session["last_seen"] -= LAST_SEEN_STEP_SECONDS + 1
        noted = session["last_seen"]
    response = client.get("/homes/")
    assert response.status_code == 200 and "Set-Cookie" in response.headers
    with client.session_transaction() as session:
        assert session["last_seen"] > noted + LAST_SEEN_STEP_SECONDS
    # The limit counts from the activity noted: idle for the lifetime since, signed out.
    with client.session_transaction() as session:
        session["last_seen"] -= app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() + 1
    assert client.get("/homes/").status_code == 302
