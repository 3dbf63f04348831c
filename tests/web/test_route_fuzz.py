"""Fuzz every GET route's path and query parameters (issue 13): whatever is typed into the
address bar, the answer is never a 500. Each role that sees most (administrator, head of
service) and one home-scoped role walk every page with drawn ids, words and query strings."""
from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from homes_qa.core.roles import Role

IDS = st.one_of(st.integers(min_value=0, max_value=50), st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64, 10**30]))
WORDS = st.one_of(
    st.sampled_from(["", "x", "%00", "..", "gas_safety_check", "ª", "²", "\u202e", "A" * 300, "9" * 40]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
)
QUERY_VALUES = st.one_of(WORDS, IDS.map(str), st.sampled_from(["-1", "1e9", "²", "\r\n", "0x10", "  7  "]))
QUERY_KEYS = st.sampled_from(["page", "home", "person", "record_id", "record_type", "next", "view", "status",
                              "q", "from", "to", "year", "month", "scope", "rule"])


def _get_rules(app):
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        rules.append(rule)
    return sorted(rules, key=lambda r: r.rule)


def _build(rule, draw) -> str:
    path = rule.rule
    for name in rule.arguments:
        converter = rule._converters[name]
        value = str(draw(IDS)) if isinstance(converter, IntegerConverter) else quote(draw(WORDS), safe="")
        path = path.replace(f"<int:{name}>", value).replace(f"<{name}>", value)
        path = path.replace(f"<string:{name}>", value).replace(f"<path:{name}>", value)
    query = draw(st.dictionaries(QUERY_KEYS, QUERY_VALUES, max_size=3))
    return path + ("?" + urlencode(query) if query else "")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.HEAD_OF_SERVICE, Role.REGISTERED_MANAGER])
def test_no_get_route_answers_500_whatever_its_parameters(app, world, auth, role):
    auth.sign_in(world.users[role])
    rules = _get_rules(app)
    assert len(rules) > 20

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.data())
    def walk(data):
        rule = data.draw(st.sampled_from(rules))
        url = _build(rule, data.draw)
        response = auth.client.get(url)
        assert response.status_code < 500, (url, response.status_code)

    walk()


PAYLOAD = '<script>alert("x")</script>'
FIELD_VALUES = st.one_of(WORDS, IDS.map(str), st.just(PAYLOAD), st.sampled_from(["", " ", "\x00", "9" * 40]))
FORMS = {
    "/admin/users/new": ("name", "email", "role", "password"),
    "/admin/homes/new": ("name", "ofsted_urn", "address", "registered_places", "status"),
    "/admin/rules/gas_safety_check/edit": ("kind", "amount", "unit", "due_soon_days", "step1_role", "step1_days",
                                           "step2_role", "step2_days", "step3_role", "step3_days", "active"),
    "/account/password": ("current_password", "new_password", "confirm_password"),
    "/account/calendar": ("action",),
}


def test_no_form_answers_500_nor_echoes_a_payload_unescaped(app, world, auth):
    auth.sign_in(world.users[Role.ADMIN])
    auth.client.get("/admin/rules/")  # fills the rule table

    @settings(max_examples=80, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.data())
    def submit(data):
        url = data.draw(st.sampled_from(sorted(FORMS)))
        fields = {name: data.draw(FIELD_VALUES) for name in FORMS[url]
                  if data.draw(st.booleans(), label=f"send {name}")}
        response = auth.post(url, fields)
        assert response.status_code < 500, (url, fields, response.status_code)
        assert PAYLOAD not in response.get_data(as_text=True), (url, fields)

    submit()
