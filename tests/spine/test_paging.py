"""`spine.paging`: which page `?page=` means, the numbers linked, and the queries a page costs."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.paging import Page, paged, requested_page
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home
from tests.helpers import statements_run


@pytest.mark.parametrize(("text", "number"), [
    ("", 1), ("1", 1), ("7", 7), ("0", 1), ("000", 1), ("007", 7), ("-2", 1), ("+2", 1), ("2.0", 1),
    ("1e3", 1), ("²", 1), ("٣", 1), (" 4 ", 4), ("abc", 1), ("999999999", 999999999),
    ("99999999999999999999", 10 ** 9), ("0" * 40 + "5", 5),
])
def test_the_page_asked_for(app, text, number):
    with app.test_request_context("/", query_string={"page": text}):
        assert requested_page() == number


@pytest.mark.parametrize(("number", "pages", "shown"), [
    (1, 1, [1]), (1, 2, [1, 2]), (1, 5, [1, 2, None, 5]), (3, 5, [1, 2, 3, 4, 5]),
    (5, 9, [1, None, 4, 5, 6, None, 9]), (9, 9, [1, None, 8, 9]), (2, 3, [1, 2, 3]),
])
def test_the_page_numbers_linked(number, pages, shown):
    page = Page(number=number, total=pages * 25)
    assert page.pages == pages and page.numbers() == shown


def test_first_and_last_row_shown():
    assert (Page(1, 0).first, Page(1, 0).last, Page(1, 0).pages) == (0, 0, 1)
    assert (Page(2, 30).first, Page(2, 30).last) == (26, 30)
    assert (Page(2, 50).first, Page(2, 50).last, Page(2, 50).pages) == (26, 50, 2)


def _add_homes(app, count: int) -> None:
    with app.app_context(), acting_as("test"):
        for i in range(count):
            people.create_home(name=f"Home {i:03d}", ofsted_urn=f"SC7{i:05d}", address="1 Road", registered_places=2)


def _paged(app, asked: str, size: int = 25):
    with app.test_request_context("/", query_string={"page": asked}), statements_run(app) as seen:
        rows, page = paged(select(Home), Home.name, size=size)
        return [h.name for h in rows], page, len(seen)


def test_a_page_is_two_queries_and_a_page_past_the_end_is_the_last_page(app):
    assert _paged(app, "1") == ([], Page(1, 0), 1)
    assert _paged(app, "4") == ([], Page(1, 0), 1)
    _add_homes(app, 50)
    names, page, queries = _paged(app, "2")
    assert names == [f"Home {i:03d}" for i in range(25, 50)] and page == Page(2, 50) and queries == 2
    names, page, queries = _paged(app, "99999999999999999999")
    assert names[0] == "Home 025" and page == Page(2, 50) and queries == 2
    assert _paged(app, "x", size=20)[:2] == ([f"Home {i:03d}" for i in range(20)], Page(1, 50, 20))


def test_a_page_reads_only_its_rows_in_the_order_of_an_index(app):
    """Issue 13: no window COUNT over every row (it made SQLite read and sort all of them)."""
    _add_homes(app, 30)
    with app.test_request_context("/", query_string={"page": "1"}), statements_run(app) as seen:
        paged(select(Home), Home.name, Home.id)
    assert not [statement for statement in seen if "OVER" in statement.upper()]
