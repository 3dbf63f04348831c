"""The long filter lists (every home, every person) rendered by `select_options`: the same
options as the Jinja loops they replace, in order, the chosen one selected, names escaped."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from homes_qa.core.roles import ROLE_LABELS, Role
from homes_qa.extensions import db
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.people import service as people
from homes_qa.spine.people.models import Home, User
from homes_qa.web.options import select_options
from tests.helpers import PASSWORD

pytestmark = pytest.mark.usefixtures("clock")

HOSTILE_HOME = 'Oak & <Elm> "House"'
HOSTILE_PERSON = 'Jo "JJ" <b>Smith</b> & Co'


class _Options(HTMLParser):
    """(value, selected, text) of each option of each select, by the select's id."""

    def __init__(self):
        super().__init__()
        self.selects: dict[str, list[tuple[str, bool, str]]] = {}
        self._select: str | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "select":
            self._select = attributes["id"]
            self.selects[self._select] = []
        elif tag == "option":
            self._option = [attributes["value"], "selected" in attributes, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self.selects[self._select].append(tuple(self._option))
            self._option = None
        elif tag == "select":
            self._select = None


def _options(page: str) -> dict[str, list[tuple[str, bool, str]]]:
    parser = _Options()
    parser.feed(page)
    return parser.selects


@pytest.fixture
def hostile(app, world):
    """A home and a person named with markup characters; the person works in that home."""
    with app.app_context(), acting_as("test setup"):
        home = people.create_home(name=HOSTILE_HOME, ofsted_urn="SC900009", address="9 Oak Road",
                                  registered_places=2)
        person = people.create_user(name=HOSTILE_PERSON, email="jo@a.example.org", role=Role.REGISTERED_MANAGER,
                                    password=PASSWORD)
        people.assign(home, person)
        return home.id, person.id


def _homes(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(str(i), name) for i, name in db.session.execute(select(Home.id, Home.name).order_by(Home.name))]


def _people(app, *, in_filter: bool) -> list[tuple[str, str]]:
    """Everyone by name: the exceptions' person filter (active, not administrators, with their
    role) or the audit trail's "changed by" (every account, by name)."""
    with app.app_context():
        users = db.session.scalars(select(User).order_by(User.name, User.id)).all()
        if in_filter:
            return [(str(u.id), f"{u.name} ({ROLE_LABELS[u.role]})") for u in users
                    if u.active and u.role != Role.ADMIN]
        return [(str(u.id), u.name) for u in users]


def _chosen(choices: list[tuple[str, str]], chosen: int | None) -> list[tuple[str, bool, str]]:
    return [(value, value == str(chosen), label) for value, label in choices]


def test_exceptions_filters_list_every_home_and_person_escaped_with_the_chosen_one_selected(
        app, client, world, auth, hostile):
    home_id, person_id = hostile
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    for url in ("/exceptions/", "/exceptions/items"):
        page = client.get(url).get_data(as_text=True)
        assert "<Elm>" not in page and "<b>Smith</b>" not in page
        options = _options(page)
        assert options["home"] == [("", False, "All homes")] + _chosen(_homes(app), None) + [
            ("0", False, "Whole service")]
        assert options["person"] == [("", False, "Everyone")] + _chosen(_people(app, in_filter=True), None)
        assert (str(person_id), False, f"{HOSTILE_PERSON} (Registered manager)") in options["person"]

        options = _options(client.get(f"{url}?home={home_id}&person={person_id}").get_data(as_text=True))
        assert options["home"][1:-1] == _chosen(_homes(app), home_id)
        assert options["person"][1:] == _chosen(_people(app, in_filter=True), person_id)


def test_audit_trail_filters_list_every_home_and_person_escaped_with_the_chosen_one_selected(
        app, client, world, auth, hostile):
    home_id, person_id = hostile
    auth.sign_in(world.users[Role.HEAD_OF_SERVICE])
    page = client.get("/audit/").get_data(as_text=True)
    assert "<Elm>" not in page and "<b>Smith</b>" not in page
    options = _options(page)
    assert options["home"] == [("", False, "All homes")] + _chosen(_homes(app), None)
    assert options["person"] == [("", False, "Anyone")] + _chosen(_people(app, in_filter=False), None)

    options = _options(client.get(f"/audit/?home={home_id}&person={person_id}").get_data(as_text=True))
    assert options["home"][1:] == _chosen(_homes(app), home_id)
    assert options["person"][1:] == _chosen(_people(app, in_filter=False), person_id)
    assert [o for o in options["person"] if o[1]] == [(str(person_id), True, HOSTILE_PERSON)]


def test_select_options_escapes_values_and_labels_and_selects_the_equal_value():
    html = select_options([(1, "A & B"), ("x\"'<", "<script>"), (3, "C")], 3)
    assert html == ('<option value="1">A &amp; B</option>'
                    '<option value="x&quot;&#x27;&lt;">&lt;script&gt;</option>'
                    '<option value="3" selected>C</option>')
    assert select_options([], None) == ""
    assert "selected" not in select_options([(1, "A"), (2, "B")], None)
    assert hasattr(select_options([(1, "A")]), "__html__")  # not escaped again by the template
