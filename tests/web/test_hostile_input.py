"""Hostile input found by probing (issue 13): each finding a regression test.

Every answer here is a 4xx or a safe redirect, never a 500, and nothing hostile is stored.
"""
from __future__ import annotations

import pytest

from homes_qa.core.roles import Role
from tests.helpers import PASSWORD, csrf_token

HUGE_IDS = (2**63, 2**63 + 1, 10**30)


# ---------------------------------------------------------------- next= after sign-in

@pytest.mark.parametrize("target", [
    "/%09/evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
    "https://evil.example/", "/%0d%0aSet-Cookie:%20x=1", "/homes/%0a", "/%00/evil", " //evil.example",
    "http:/evil.example", "javascript:alert(1)",
])
def test_next_after_sign_in_never_leaves_the_site_nor_fails(client, world, target):
    token = csrf_token(client)
    response = client.post(f"/sign-in?next={target}", data={
        "email": world.users[Role.ADMIN].email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == "/", location


def test_next_keeps_a_same_site_path_with_its_query(client, world):
    token = csrf_token(client)
    response = client.post("/sign-in?next=/audit/%3Fpage%3D2", data={
        "email": world.users[Role.ADMIN].email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/audit/?page=2"


# ---------------------------------------------------------------- ids and numbers in URLs

@pytest.mark.parametrize("number", HUGE_IDS)
@pytest.mark.parametrize("path", [
    "/homes/{n}", "/admin/users/{n}/edit", "/admin/homes/{n}/edit", "/admin/homes/{n}/people",
    "/obligations/{n}/complete", "/obligations/{n}/waive", "/homes/{n}/checks", "/reg45/{n}",
    "/reg44/visits/{n}", "/reg44/homes/{n}", "/reg44/visits/{n}/action-plan",
])
def test_ids_beyond_64_bits_are_not_found(world, auth, path, number):
    auth.sign_in(world.users[Role.ADMIN])
    assert auth.client.get(path.format(n=number)).status_code == 404


def test_huge_id_in_a_post_is_not_found(world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    assert auth.post(f"/admin/users/{2**63}/active").status_code == 404
    assert auth.post(f"/alerts/{2**64}/acknowledge").status_code == 404


@pytest.mark.parametrize("query", [
    "page=²", "page=٣", "page=" + "9" * 40, "home=" + "9" * 40, "person=²", "record_id=" + "1" * 30,
    "page=-1", "page=1e9", "page=" + "9" * 19, "page=" + "9" * 18, "home=%00",
])
def test_audit_filters_ignore_numbers_they_cannot_use(world, auth, query):
    auth.sign_in(world.users[Role.ADMIN])
    response = auth.client.get(f"/audit/?{query}")
    assert response.status_code in (200, 400), response.status_code
