"""The home filter of the action list and the exceptions pages (homes_qa/web/home_filter.py): a
select while the person's homes are few, a box for part of a home's name past SELECT_MAX (issue
13: a head of service's select listed every home of the estate). Without JavaScript the typed
name is matched when the form is sent; the suggestions route feeds the box's datalist."""
from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from homes_qa.core.roles import Role
from homes_qa.extensions import db
from homes_qa.inspections.models import Inspection, InspectionItem
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home
from homes_qa.web.home_filter import MATCHES_SHOWN, SELECT_MAX
from tests import clock as test_clock
from tests.helpers import PASSWORD, page_queries

pytestmark = pytest.mark.usefixtures("clock")
TODAY = test_clock.TODAY
MANY = SELECT_MAX + 2  # the estate's homes past the world's two: the head of service types


def _ofsted_action(home_id: int, owner_id: int, text: str) -> None:
    inspection = Inspection(home_id=home_id, inspection_type="full", started_on=TODAY - timedelta(days=30),
                            ended_on=TODAY - timedelta(days=29), overall="good", helped_protected="good",
                            leadership="good", recorded_by_id=owner_id)
    inspection.items.append(InspectionItem(home_id=home_id, kind="recommendation", text="x", action=text,
                                           owner_id=owner_id, due_on=TODAY + timedelta(days=5), status="open"))
    db.session.add(inspection)


@pytest.fixture
def estate(app, world):
    """MANY more homes ("Rowan 00".."Rowan 41", one with an action each of two of them), a
    home "Rowan_%" whose name holds LIKE's wildcards, and a service manager of 41 of them."""
    head = world.users[Role.HEAD_OF_SERVICE].id
    with app.app_context(), acting_as("test setup"):
        homes = [people.create_home(name=f"Rowan {n:02d}", ofsted_urn=f"SC7{n:05d}", address=f"{n} Rowan Road",
                                    registered_places=2) for n in range(MANY)]
        wild = people.create_home(name="Rowan_%", ofsted_urn="SC799999", address="Wild Road", registered_places=2)
        sm = people.create_user(name="Many Homes SM", email="many@a.example.org", role=Role.SERVICE_MANAGER,
                                password=PASSWORD)
        for home in homes[:SELECT_MAX + 1]:
            people.assign(home, sm)
        _ofsted_action(homes[7].id, head, "ROWAN-07-ACTION")
        _ofsted_action(homes[17].id, head, "ROWAN-17-ACTION")
        db.session.commit()
        return {"ids": [h.id for h in homes], "wild": wild.id, "sm": sm.email, "outside": homes[-1].id}


def _get(auth, url: str, status: int = 200) -> str:
    response = auth.client.get(url)
    assert response.status_code == status, url
    return unescape(response.get_data(as_text=True))


def _grid(html: str) -> str:
    return html[html.index('<div id="exceptions-grid">'):html.index("</main>")]


def test_a_manager_with_few_homes_keeps_the_select(auth, world, estate):
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    html = _get(auth, "/actions")
    assert '<select class="govuk-select" id="home" name="home">' in html
    assert 'name="home_name"' not in html


def test_head_of_service_types_an_exact_name_and_the_list_is_that_homes(auth, world, estate):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    everything = _get(auth, "/actions")
    assert 'name="home_name"' in everything and '<select class="govuk-select" id="home"' not in everything
    assert "Rowan 33" not in everything  # no option per home
    assert "ROWAN-07-ACTION" in everything and "ROWAN-17-ACTION" in everything
    html = _get(auth, "/actions?home_name=rowan%2007")  # any case
    assert "ROWAN-07-ACTION" in html and "ROWAN-17-ACTION" not in html
    assert 'value="Rowan 07"' in html  # the box shows the home's own name
    # Paging and the export keep the home as its id; the id alone shows its name in the box.
    assert 'value="Rowan 07"' in _get(auth, f"/actions?home={estate['ids'][7]}")
    csv = auth.client.get("/actions/export.csv?home_name=Rowan%2017").get_data(as_text=True)
    assert "ROWAN-17-ACTION" in csv and "ROWAN-07-ACTION" not in csv


def test_part_of_a_name_in_several_homes_offers_them_with_the_other_filters_kept(auth, world, estate):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    html = _get(auth, "/actions?home_name=Rowan%201&source=inspection")
    assert "homes have “Rowan 1” in their name. Choose one" in html
    assert "ROWAN-07-ACTION" in html and "ROWAN-17-ACTION" in html  # not filtered by home yet
    for n in range(10, 20):
        assert f'href="/actions?source=inspection&amp;home={estate["ids"][n]}">Rowan {n}</a>' in \
            auth.client.get("/actions?home_name=Rowan%201&source=inspection").get_data(as_text=True)
    many = _get(auth, "/actions?home_name=Rowan")
    assert f"More than {MATCHES_SHOWN} homes have “Rowan” in their name. Choose one, or type more of the name" in many
    assert many.count('class="govuk-link" href="/actions?home=') == MATCHES_SHOWN


def test_a_name_nobody_has_is_an_error_by_the_field_and_nothing_is_hidden(auth, world, estate):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    html = _get(auth, "/actions?home_name=Nowhere")
    assert "There is a problem" in html and 'href="#home"' in html
    assert "No home you work with has “Nowhere” in its name" in html
    assert "govuk-input--error" in html
    assert "ROWAN-07-ACTION" in html


def test_wildcards_are_letters_and_hostile_text_is_bounded(auth, world, estate):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    assert 'value="Rowan_%"' in _get(auth, "/actions?home_name=n_%25")  # only "Rowan_%" has "n_%"
    for typed in ("%", "_", "\\", "%00", "%1B%5B31m", "x" * 5000, "%E2%80%AE", "'; drop table homes; --", "  "):
        _get(auth, f"/actions?home_name={typed}")
        _get(auth, f"/exceptions/?home_name={typed}")
        _get(auth, f"/homes/names?home_name={typed}")


def test_someone_who_sees_some_homes_finds_only_theirs(auth, world, estate):
    auth.sign_in(estate["sm"])
    html = _get(auth, "/actions?home_name=Rowan%2041")  # Rowan 41 is not one of theirs
    assert "No home you work with has “Rowan 41” in its name" in html
    assert _get(auth, "/homes/names?home_name=Rowan%2041").count("<option") == 0
    assert "Rowan 40" in _get(auth, "/homes/names?home_name=Rowan%204")
    assert auth.client.get(f"/actions?home={estate['outside']}").status_code == 404


def test_the_exceptions_grid_and_items_take_a_typed_name_and_whole_service(auth, world, estate):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    grid = _get(auth, "/exceptions/?home_name=Rowan%2007")
    assert 'value="Rowan 07"' in grid
    by_id = _get(auth, f"/exceptions/?home={estate['ids'][7]}")
    assert _grid(grid) == _grid(by_id) != _grid(_get(auth, "/exceptions/"))
    assert 'value="Whole service"' in _get(auth, "/exceptions/?home_name=whole%20SERVICE")
    items = _get(auth, "/exceptions/items?home_name=Rowan%2007")
    assert '<span class="govuk-caption-l">Rowan 07' in items
    # A malformed id is still the page's error; the typed name's error joins it by the field.
    both = _get(auth, "/exceptions/items?home=x&home_name=Nowhere", status=400)
    assert "Choose a home from the list" in both and "No home you work with has “Nowhere”" in both


def test_htmx_results_carry_the_field_out_of_band(auth, world, estate):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    for url in ("/actions?home_name=Rowan%201", "/exceptions/?home_name=Rowan%201",
                "/exceptions/items?home_name=Rowan%201"):
        html = auth.client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert '<div class="govuk-form-group" id="home-field" data-hx-swap-oob="true">' in html, url
        assert "Choose one" in html
        assert "<html" not in html


def test_suggestions_are_a_datalist_of_at_most_ten_names_in_scope(auth, world, estate):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    html = _get(auth, "/homes/names?home_name=rowan")
    assert html.startswith('<datalist id="home-names">')
    assert html.count("<option") == MATCHES_SHOWN
    assert _get(auth, "/homes/names?home_name=Rowan%2007").count("<option") == 1
    assert _get(auth, "/homes/names").count("<option") == 0
    auth.sign_out()
    auth.sign_in(world.users[Role.REGISTERED_MANAGER])
    assert _get(auth, "/homes/names?home_name=House") == \
        '<datalist id="home-names"><option value="Alder House"></option></datalist>'
    auth.sign_out()
    assert auth.client.get("/homes/names?home_name=Rowan").status_code == 302


def test_the_field_costs_the_same_queries_however_many_homes(app, auth, world, estate):
    """The box reads at most SELECT_MAX + 1 homes to decide it is a box: with a hundred more
    homes the action list makes the same statements."""
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    before = page_queries(app, auth.client, "/actions?home_name=Rowan%2007")
    with app.app_context(), acting_as("test setup"):
        for n in range(100):
            people.create_home(name=f"Yew {n:03d}", ofsted_urn=f"SC6{n:05d}", address="Yew Road", registered_places=2)
        assert db.session.query(Home).count() > 140
    assert page_queries(app, auth.client, "/actions?home_name=Rowan%2007") == before


def test_the_audit_trail_takes_a_typed_name_too(auth, world, estate):
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    html = _get(auth, "/audit/?home_name=Rowan%2007")
    assert 'value="Rowan 07"' in html and '<select class="govuk-select" id="home"' not in html
    assert "Rowan 07" in html.split('id="audit-results"')[1]  # the home's own changes: its creation
    assert "Rowan 08" not in html.split('id="audit-results"')[1]
    assert "Choose one" in _get(auth, "/audit/?home_name=Rowan%201")
    assert "No home you work with has “Nowhere”" in _get(auth, "/audit/?home_name=Nowhere")
    oob = auth.client.get("/audit/?home_name=Rowan%201", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="home-field" data-hx-swap-oob="true"' in oob


def test_a_chosen_home_costs_the_same_statements_with_the_select_as_with_the_box(app, auth, world):
    """`make bench` compares each page's statements on a small estate (a select) and a large one
    (the box): a page filtered by a home's id makes as many either way (round 11: the box looked
    the home's name up, twice, where the select did not)."""
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    urls = [f"/audit/?home={world.home_a.id}", f"/actions?home={world.home_a.id}",
            f"/exceptions/?home={world.home_a.id}", f"/exceptions/items?home={world.home_a.id}"]
    with_select = {url: page_queries(app, auth.client, url) for url in urls}
    assert 'id="home" name="home"' in auth.client.get(urls[0]).get_data(as_text=True)
    with app.app_context(), acting_as("test setup"):
        for n in range(MANY):
            people.create_home(name=f"Rowan {n:02d}", ofsted_urn=f"SC7{n:05d}", address="Rowan Road", registered_places=2)
    assert 'name="home_name"' in auth.client.get(urls[0]).get_data(as_text=True)
    assert {url: page_queries(app, auth.client, url) for url in urls} == with_select
