"""The homes list: the homes the user may see, 25 a page, with the true total, searchable, and
the same number of queries for 3 homes or 40 (issue 13)."""
from __future__ import annotations

import re

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import User
from tests.helpers import page_queries


def _add_homes(app, count: int, assign_to: int | None = None) -> None:
    with app.app_context(), acting_as("test setup"):
        for i in range(count):
            home = people.create_home(name=f"Extra Home {i:03d}", ofsted_urn=f"SC8{i:05d}",
                                      address=f"{i} Extra Road", registered_places=2 + i % 4)
            if assign_to is not None:
                people.assign(home, db.session.get(User, assign_to))


def _rows(page: str) -> list[str]:
    return re.findall(r'<td class="govuk-table__cell"><a class="govuk-link" href="/homes/\d+">([^<]+)</a></td>', page)


def _queries(app, client, url: str) -> int:
    return page_queries(app, client, url)


def test_the_head_of_service_pages_through_every_home(app, client, world, auth):
    _add_homes(app, 38)  # 40 homes
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    first = client.get("/homes/").get_data(as_text=True)
    assert "Showing 1 to 25 of 40 homes" in first and len(_rows(first)) == 25
    assert _rows(first)[:3] == ["Alder House", "Birch House", "Extra Home 000"]
    # each row as before: name, URN, registered places, status
    assert re.search(r'Extra Home 001</a></td>\s*<td class="govuk-table__cell">SC800001</td>\s*'
                     r'<td class="govuk-table__cell govuk-table__cell--numeric">3</td>', first)
    second = client.get("/homes/?page=2").get_data(as_text=True)
    assert "Showing 26 to 40 of 40 homes" in second and _rows(second)[-1] == "Extra Home 037"
    for asked, expected in (("99999999999999999999", second), ("²", first), ("-2", first), ("0", first)):
        response = client.get("/homes/", query_string={"page": asked})
        assert response.status_code == 200 and _rows(response.get_data(as_text=True)) == _rows(expected), asked
    found = client.get("/homes/?q=sc80003").get_data(as_text=True)
    assert _rows(found) == [f"Extra Home {i:03d}" for i in range(30, 38)] and "8 homes matching the search" in found
    assert "No homes matching the search" in client.get("/homes/?q=nowhere").get_data(as_text=True)


def test_a_manager_sees_their_own_homes_only_and_no_search_for_one(app, client, world, auth):
    _add_homes(app, 30)
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    page = client.get("/homes/").get_data(as_text=True)
    assert _rows(page) == ["Alder House"] and "1 home" in page
    assert 'name="q"' not in page and "govuk-pagination" not in page
    assert _rows(client.get("/homes/?q=extra&page=2").get_data(as_text=True)) == []
    auth.sign_out()
    auth.sign_in(world.unassigned_manager)
    assert "You are not assigned to any homes yet" in client.get("/homes/").get_data(as_text=True)


def test_a_service_manager_with_many_homes_pages_through_them(app, client, world, auth):
    _add_homes(app, 30, assign_to=world.users[Role.SERVICE_MANAGER].id)  # 31 homes of theirs
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    second = client.get("/homes/?page=2").get_data(as_text=True)
    assert "Showing 26 to 31 of 31 homes" in second and "Birch House" not in second


def test_the_homes_list_makes_the_same_number_of_queries_for_3_or_40_homes(app, client, world, auth):
    head = world.users[Role.HEAD_OF_SERVICE]
    manager = world.users[Role.SERVICE_MANAGER]
    auth.sign_in(head)
    small_head = _queries(app, client, "/homes/")
    auth.sign_out()
    auth.sign_in(manager)
    small_manager = _queries(app, client, "/homes/")
    _add_homes(app, 40, assign_to=manager.id)
    assert _queries(app, client, "/homes/") == small_manager
    assert _queries(app, client, "/homes/?page=2") == small_manager
    auth.sign_out()
    auth.sign_in(head)
    assert _queries(app, client, "/homes/") == small_head
    assert _queries(app, client, "/homes/?page=2&q=extra") == small_head
