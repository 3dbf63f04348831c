"""HTML the Nu checker flagged (issue 12), checked on every run without Java: htmx attributes
in the data-hx-* form, one id="csrf_token" per page, required selects with an empty first option.
(tests/browser runs the Nu HTML Checker itself on every page when a vnu jar is present.)"""
from __future__ import annotations

import re

import pytest
from test_visits_support import record, submit, today

from homes_qa.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")

BARE_HTMX = re.compile(r"\s(hx-[a-z-]+)=")
REQUIRED_SELECT = re.compile(r"<select[^>]*\srequired[^>]*>\s*<option([^>]*)>([^<]*)</option>", re.S)


def assert_valid_basics(html: str, url: str) -> None:
    assert BARE_HTMX.findall(html) == [], url
    assert html.count('id="csrf_token"') <= 1, url
    for attributes, text in REQUIRED_SELECT.findall(html):
        assert 'value=""' in attributes or not text.strip(), (url, attributes, text)


def test_reg44_pages_use_data_hx_and_one_csrf_id(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    drafted = record(app, visitor.id, today(), home_id=world.home_a.id)
    done = record(app, visitor.id, today(), home_id=world.home_a.id)
    submit(app, done, visitor.id)
    auth.sign_in(visitor)
    page = client.get(f"/reg44/visits/{drafted}/report").get_data(as_text=True)
    assert f'data-hx-post="/reg44/visits/{drafted}/report/autosave"' in page and "data-hx-headers=" in page
    for url in (f"/reg44/visits/{drafted}/report", f"/reg44/visits/{done}/report", f"/reg44/visits/{done}/report/sent",
                f"/reg44/homes/{world.home_a.id}", "/reg44/", "/alerts/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_valid_basics(response.get_data(as_text=True), url)


def test_admin_pages_with_several_forms_have_one_csrf_id(app, client, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    for url in (f"/admin/homes/{world.home_a.id}/people", f"/admin/users/{world.users[Role.REG44_VISITOR].id}/edit"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert_valid_basics(html, url)
    people = client.get(f"/admin/homes/{world.home_a.id}/people").get_data(as_text=True)
    assert re.search(r'<select[^>]*required[^>]*>\s*<option[^>]*value=""[^>]*>Select a person</option>', people)


def test_day_deadlines_read_by_end_of_the_day_and_one_child_is_singular(app, client, world, auth):
    from homes_qa.core.calendar import working_days_after
    from homes_qa.core.formats import long_day
    visitor = world.users[Role.REG44_VISITOR]
    visit = record(app, visitor.id, today(), home_id=world.home_a.id, spoke_children=1, spoke_professionals=1)
    submit(app, visit, visitor.id)
    auth.sign_in(visitor)
    page = client.get(f"/reg44/visits/{visit}").get_data(as_text=True)
    deadlines = page.split('id="deadlines"')[1].split("</table>")[0]
    assert f"by end of {long_day(working_days_after(today(), 22))}" in deadlines
    assert "23:59" not in deadlines
    report = client.get(f"/reg44/visits/{visit}/report").get_data(as_text=True)
    assert "1 child, 0 parents or family, 3 staff, 1 professional" in report


def test_nothing_declared_is_a_govuk_paragraph_not_bare_text(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit = record(app, visitor.id, today(), home_id=world.home_a.id)
    submit(app, visit, visitor.id)
    auth.sign_in(visitor)
    for url in (f"/reg44/visits/{visit}/report", f"/reg44/visits/{visit}/report/v1/print"):
        page = client.get(url).get_data(as_text=True)
        assert '<p class="govuk-body">None declared.</p>' in page, url
