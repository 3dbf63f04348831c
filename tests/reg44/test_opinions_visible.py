"""Reports to write show their deadline and colour; a "No" or "with concerns" opinion is
visible on the home page, the register and the overview (never to home staff)."""
from __future__ import annotations

import re

import pytest
from test_visits_support import record, submit, today

from homes_qa.core.roles import Role

pytestmark = pytest.mark.usefixtures("clock")


def test_reports_to_write_show_their_deadline_and_colour(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, today(), home_id=world.home_a.id)
    auth.sign_in(visitor)
    page = client.get("/reg44/").get_data(as_text=True)
    item = re.search(rf'href="/reg44/visits/{visit_id}/report">Report on the visit of [^<]*</a>(.*?)</li>',
                     page, re.S)
    assert item is not None, page
    assert "due by end of" in item.group(1) and 'class="govuk-tag govuk-tag--' in item.group(1)


def test_a_no_or_with_concerns_opinion_is_visible_on_home_register_and_overview(app, client, world, auth):
    visitor = world.users[Role.REG44_VISITOR]
    visit_id = record(app, visitor.id, today(), home_id=world.home_a.id)
    submit(app, visit_id, visitor.id, safeguarded="with_concerns", wellbeing="no")
    no_tag = '<strong class="govuk-tag govuk-tag--red">No</strong>'
    concerns_tag = '<strong class="govuk-tag govuk-tag--orange">Yes, with concerns</strong>'
    for role in (Role.SERVICE_MANAGER, Role.REGISTERED_MANAGER, Role.REG44_VISITOR):
        auth.sign_in(world.users[role])
        home = client.get(f"/homes/{world.home_a.id}").get_data(as_text=True)
        section = home[home.index('id="reg44-opinions"'):]
        assert no_tag in section[:800] and concerns_tag in section[:800], role
        register = client.get(f"/reg44/homes/{world.home_a.id}").get_data(as_text=True)
        assert no_tag in register and concerns_tag in register, role
        overview = client.get("/").get_data(as_text=True)
        cell = overview[overview.index(f'id="reg44-opinions-{world.home_a.id}"'):][:800]
        assert no_tag in cell and concerns_tag in cell, role
        auth.sign_out()
    auth.sign_in(world.users[Role.HOME_STAFF])
    overview = client.get("/").get_data(as_text=True)
    assert "reg44-opinions" not in overview and "Latest Reg 44 opinions" not in overview


def test_the_overview_says_when_a_home_has_no_report_yet(app, client, world, auth):
    auth.sign_in(world.users[Role.SERVICE_MANAGER])
    cell = client.get("/").get_data(as_text=True)
    assert f'id="reg44-opinions-{world.home_a.id}">No report yet' in cell
