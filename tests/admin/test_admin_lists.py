"""The administrators' lists of users and homes: 25 a page with their true totals, searchable,
and a number of queries that does not grow with the number of people or homes (issue 13)."""
from __future__ import annotations

import re

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from tests.helpers import PASSWORD, page_queries


def _add_homes_and_people(app, count: int) -> None:
    """`count` homes, each with a registered manager and two visitors assigned to it."""
    with app.app_context(), acting_as("test setup"):
        for i in range(count):
            home = people.create_home(name=f"Extra Home {i:03d}", ofsted_urn=f"SC8{i:05d}",
                                      address=f"{i} Extra Road", registered_places=3)
            for role, label in ((Role.REGISTERED_MANAGER, "Manager"), (Role.REG44_VISITOR, "Visitor"),
                                (Role.REG44_VISITOR, "Second visitor")):
                user = people.create_user(name=f"{label} {i:03d}", email=f"{label.split()[0].lower()}{i}.{role}@x.example.org",
                                          role=role, password=PASSWORD)
                people.assign(home, user)


def _queries(app, client, url: str) -> int:
    return page_queries(app, client, url)


def _names(page: str) -> list[str]:
    """Names in the users table's first column, in order."""
    if '<tbody class="govuk-table__body">' not in page:
        return []  # no table when nothing matches
    body = page[page.index('<tbody class="govuk-table__body">'):]
    return re.findall(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">([^<]+)</td>', body)


def _home_names(page: str) -> list[str]:
    return re.findall(r'<td class="govuk-table__cell"><a class="govuk-link" href="/homes/\d+">([^<]+)</a></td>', page)


def test_users_are_listed_25_a_page_with_their_true_total(app, client, world, auth):
    _add_homes_and_people(app, 10)  # 30 more users: 39 in all (9 in the world)
    auth.sign_in(world.users[Role.ADMIN])
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Showing 1 to 25 of 39 users" in first
    assert len(_names(first)) == 25
    assert 'aria-label="Pages of users"' in first and 'href="/admin/users?page=2"' in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Showing 26 to 39 of 39 users" in second and len(_names(second)) == 14
    assert not set(_names(first)) & set(_names(second))
    with app.app_context():
        assert set(_names(first)) | set(_names(second)) == set(db.session.scalars(db.select(User.name)))
    assert 'rel="prev"' in second and 'href="/admin/users"' in second


@pytest.mark.parametrize(("asked", "shown"), [
    ("0", 1), ("-1", 1), ("abc", 1), ("²", 1), ("1e3", 1), ("", 1), ("2", 2), ("3", 2), ("999", 2),
    ("99999999999999999999", 2), ("0002", 2),
])
def test_a_bad_or_out_of_range_page_is_the_first_or_last_page(app, client, world, auth, asked, shown):
    _add_homes_and_people(app, 10)
    auth.sign_in(world.users[Role.ADMIN])
    response = client.get("/admin/users", query_string={"page": asked})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ("Showing 1 to 25 of 39 users" if shown == 1 else "Showing 26 to 39 of 39 users") in page
    assert re.search(rf'aria-current="page"[^>]*>\s*{shown}\s*</a>', page)


def test_users_can_be_found_by_name_email_role_and_status(app, client, world, auth):
    _add_homes_and_people(app, 10)
    auth.sign_in(world.users[Role.ADMIN])
    by_name = client.get("/admin/users?q=visitor+00").get_data(as_text=True)
    assert set(_names(by_name)) == {f"Visitor {i:03d}" for i in range(10)} | {f"Second visitor {i:03d}" for i in range(10)}
    assert "Showing" not in by_name and "20 users matching the search" in by_name
    by_email = client.get("/admin/users?q=MANAGER3.").get_data(as_text=True)
    assert _names(by_email) == ["Manager 003"] and "1 user matching the search" in by_email
    assert "Extra Home 003" in by_email  # the homes the user is assigned to, as before
    role = client.get(f"/admin/users?role={Role.REG44_VISITOR}&q=second").get_data(as_text=True)
    assert len(_names(role)) == 10 and all(n.startswith("Second visitor") for n in _names(role))
    assert f'<option value="{Role.REG44_VISITOR}" selected>' in role and 'value="second"' in role
    literal = client.get("/admin/users?q=%25").get_data(as_text=True)  # "%" is a character, not a wildcard
    assert _names(literal) == [] and "No users matching the search" in literal
    # deactivate one: the status filter finds it, and active people are listed first
    with app.app_context(), acting_as("test"):
        user = db.session.scalar(db.select(User).where(User.name == "Visitor 004"))
        user.active = False
        db.session.commit()
    deactivated = client.get("/admin/users?status=deactivated").get_data(as_text=True)
    assert _names(deactivated) == ["Visitor 004"]
    everyone = client.get("/admin/users?q=visitor+00&page=1").get_data(as_text=True)
    assert _names(everyone)[-1] == "Visitor 004"
    # unknown filter values mean "any", never an error
    odd = client.get("/admin/users?role=pirate&status=maybe&q=" + "x" * 500)
    assert odd.status_code == 200 and "No users matching the search" in odd.get_data(as_text=True)


def test_filters_are_kept_on_the_page_links(app, client, world, auth):
    _add_homes_and_people(app, 15)  # 30 visitors
    auth.sign_in(world.users[Role.ADMIN])
    page = client.get(f"/admin/users?role={Role.REG44_VISITOR}").get_data(as_text=True)
    assert "Showing 1 to 25 of 32 users matching the search" in page  # with the world's two visitors
    assert f'href="/admin/users?role={Role.REG44_VISITOR}&amp;page=2"' in page


def test_the_users_list_makes_the_same_number_of_queries_for_3_or_40_homes(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    small = _queries(app, client, "/admin/users")
    _add_homes_and_people(app, 40)  # 130 users, most with a home
    assert _queries(app, client, "/admin/users") == small
    assert _queries(app, client, "/admin/users?page=3&q=visitor") == small
    assert small <= 15


def test_homes_are_listed_25_a_page_and_can_be_found_by_name_urn_and_status(app, client, world, auth):
    _add_homes_and_people(app, 28)  # 30 homes in all
    auth.sign_in(world.users[Role.ADMIN])
    first = client.get("/admin/homes").get_data(as_text=True)
    assert "Showing 1 to 25 of 30 homes" in first and len(_home_names(first)) == 25
    assert _home_names(first)[:2] == ["Alder House", "Birch House"]
    last = client.get("/admin/homes?page=99999999999999999999").get_data(as_text=True)
    assert "Showing 26 to 30 of 30 homes" in last and _home_names(last) == [f"Extra Home {i:03d}" for i in range(23, 28)]
    assert "Manager 027, Second visitor 027, Visitor 027" in last  # the people assigned, as before
    assert _home_names(client.get("/admin/homes?q=sc800012").get_data(as_text=True)) == ["Extra Home 012"]
    assert _home_names(client.get("/admin/homes?q=birch").get_data(as_text=True)) == ["Birch House"]
    with app.app_context(), acting_as("test"):
        db.session.scalar(db.select(Home).where(Home.name == "Extra Home 005")).status = "closed"
        db.session.commit()
    closed = client.get("/admin/homes?status=closed").get_data(as_text=True)
    assert _home_names(closed) == ["Extra Home 005"] and "1 home matching the search" in closed
    assert client.get("/admin/homes?status=nonsense&page=²").status_code == 200


def test_the_homes_list_makes_the_same_number_of_queries_for_3_or_40_homes(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    small = _queries(app, client, "/admin/homes")
    _add_homes_and_people(app, 40)
    assert _queries(app, client, "/admin/homes") == small
    assert _queries(app, client, "/admin/homes?page=2") == small
    assert small <= 15
