"""Every route in app.url_map, for every role and for an anonymous visitor.

The table below is the access policy. A route missing from it fails the test, so a new route
cannot be added without deciding who may use it.
"""
from __future__ import annotations

import pytest

from homes_qa.models import Assignment, Role

ALL = set(Role.ALL)
ADMIN = {Role.ADMIN}
SENIOR = {Role.HEAD_OF_SERVICE, Role.ADMIN}
PUBLIC = "public"
TOKEN = "token"  # no sign-in; a secret in the URL is the credential (a bogus one answers 404)

# endpoint -> roles allowed (or PUBLIC). A route with <home_id> is home-scoped: a role that
# does not see every home gets 404 for a home it is not assigned to.
POLICY: dict[str, set | str] = {
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    "main.health": PUBLIC,
    "auth.change_password": ALL,
    "main.dashboard": ALL,
    "homes.index": ALL,
    "homes.detail": ALL,
    "audit.index": SENIOR,
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.toggle_user": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.homes": ADMIN,
    "admin.new_home": ADMIN,
    "admin.edit_home": ADMIN,
    "admin.home_people": ADMIN,
    "admin.remove_assignment": ADMIN,
    "feeds.calendar": TOKEN,
    "feeds.account_calendar": ALL,
}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_policy_covers_every_route(app):
    endpoints = {r.endpoint for r in _rules(app)}
    assert endpoints - POLICY.keys() == set(), "routes with no access policy"
    assert POLICY.keys() - endpoints == set(), "policy names routes that do not exist"


def _url(app, rule, world, home) -> str:
    """Fill a rule's arguments with records of the given home."""
    from homes_qa.extensions import db
    from sqlalchemy import select
    values = {}
    for arg in rule.arguments:
        if arg == "home_id":
            values[arg] = home.id
        elif arg == "user_id":
            values[arg] = world.manager_b.id if home == world.home_b else world.unassigned_manager.id
        elif arg == "token":
            values[arg] = "not-a-real-calendar-token-0000000000000000"
        elif arg == "assignment_id":
            with app.app_context():
                values[arg] = db.session.scalar(select(Assignment.id).where(Assignment.home_id == home.id))
        else:  # pragma: no cover - forces the table above to learn new argument kinds
            raise AssertionError(f"no test value for <{arg}> in {rule.rule}")
    return rule.build(values)[1]


def _expected(endpoint: str, role: str | None, other_home: bool) -> set[int]:
    allowed = POLICY[endpoint]
    if allowed == TOKEN:
        return {404}
    if allowed == PUBLIC:
        return {200, 302, 303}
    if role is None:
        return {302}  # to sign-in
    if role not in allowed:
        return {403}
    if other_home and role not in Role.SEES_ALL_HOMES:
        return {404}
    return {200, 302, 303}


@pytest.mark.parametrize("role", [None, *Role.ALL], ids=lambda r: r or "anonymous")
def test_every_route_for_role(app, client, world, auth, role):
    if role:
        assert auth.sign_in(world.users[role]).status_code == 303
    else:
        auth.token = None
    failures = []
    for rule in sorted(_rules(app), key=lambda r: (("POST" in r.methods), r.rule)):
        if rule.endpoint == "auth.sign_out":
            continue  # would end this session; covered in test_auth
        homes = [(world.home_a, False)]
        if "home_id" in rule.arguments:
            homes.append((world.home_b, True))
        for home, other in homes:
            url = _url(app, rule, world, home)
            expected = _expected(rule.endpoint, role, other)
            for method in sorted(rule.methods & {"GET", "POST"}):
                if method == "GET":
                    status = client.get(url).status_code
                else:
                    status = client.post(url, data={"csrf_token": auth.token or ""}).status_code
                    if status == 400 and auth.token is None:
                        status = 302  # anonymous: no token to send; refused either way
                if status not in expected:
                    failures.append(f"{method} {url} as {role or 'anonymous'}: {status}, expected {sorted(expected)}")
                if role is None and status == 302 and POLICY[rule.endpoint] not in (PUBLIC, TOKEN):
                    location = client.get(url).headers["Location"] if method == "GET" else "/sign-in"
                    if "/sign-in" not in location:
                        failures.append(f"{method} {url} anonymous redirected to {location}, not sign-in")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", Role.ALL)
def test_every_post_route_refuses_missing_csrf(app, client, world, auth, role):
    auth.sign_in(world.users[role])
    failures = []
    for rule in _rules(app):
        if "POST" not in rule.methods:
            continue
        url = _url(app, rule, world, world.home_a)
        for headers in ({}, {"X-CSRFToken": "forged"}):
            response = client.post(url, data={}, headers=headers)
            if response.status_code != 400 or "This form has expired" not in response.get_data(as_text=True):
                failures.append(f"POST {url} with headers {headers}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_htmx_header_token_is_accepted(client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    response = client.post(f"/admin/users/{world.unassigned_manager.id}/active",
                           headers={"X-CSRFToken": auth.token}, data={})
    assert response.status_code == 303
